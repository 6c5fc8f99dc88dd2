/*
 * case: one matter (一件事) and the records around it: its timeline events,
 * its running clocks, links and attachments. Plain data moved between the
 * engine (src/cases/engine.c) and the store (src/store/case_store.c).
 * A struct fz_case owns its JSON texts (fields, documents, team); release it
 * with fz_case_release(). Not shared between threads.
 */
#ifndef FZ_CASES_CASE_H
#define FZ_CASES_CASE_H

#include <stddef.h>
#include <stdint.h>

struct fz_case {
	int64_t id;
	char code[48]; /* DIS-330702-2026-000123 */
	char type[32];
	int type_version;
	char region[16];
	char region_path[128];
	char region_name[128];
	char state[32];
	char level[16];
	int escalation; /* rung of the type's ladder */
	int64_t unit_id, origin_unit_id, pending_unit_id, owner_id;
	char unit_name[128], origin_unit_name[128], pending_unit_name[128], owner_name[128];
	char title[256];
	char *fields;	 /* JSON object */
	char *documents; /* JSON array of the names of documents on file */
	char *team;	 /* JSON array of user ids (专班) */
	char outcome[512];
	int satisfaction; /* 1-5 from the return visit, 0 before */
	int bounces;	  /* hand-offs refused */
	int64_t merged_into;
	int version; /* optimistic concurrency: bumped by every change */
	int64_t created_at, created_by, updated_at, closed_at, visited_at;
	int64_t due_at; /* the earliest due time of a running clock, 0 if none */
	int overdue;	/* a clock was breached */
};

/* Frees the JSON texts; the struct can be reused after fz_case_init(). */
void fz_case_init(struct fz_case *c);
void fz_case_release(struct fz_case *c);

struct fz_case_event {
	int64_t id, case_id, at, actor_id;
	char actor[64];
	char action[48]; /* "transition.triage", "assign", "clock.breach"... */
	char from_state[32], to_state[32];
	char note[1024];
	char detail[1024]; /* JSON object */
};

struct fz_case_clock {
	int64_t id, case_id;
	char name[32];
	int64_t started_at, due_at, warn_at;
	char status[12]; /* running, paused, stopped, breached */
	int64_t paused_at, paused_ms;
	char extensions[1024]; /* JSON array of {amount, unit, reason, approver, at} */
	int warned;
	int64_t breached_at, stopped_at;
};

struct fz_case_attachment {
	int64_t id, case_id;
	char name[128], document[32], content_type[64], sha256[65], actor[64];
	int64_t size, at;
};

#endif
