#include "store/store.h"

#include "core/err.h"
#include "core/log.h"
#include "store/db.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/*
 * Numbered migrations: migrations[i] takes the schema from version i to
 * i + 1. Never edit a released one; append.
 */
static const char *const migrations[] = {
	/* 1: registry, sessions, audit */
	"CREATE TABLE regions("
	"  code TEXT PRIMARY KEY, parent TEXT, level TEXT NOT NULL,"
	"  name TEXT NOT NULL, path TEXT NOT NULL, children INTEGER NOT NULL DEFAULT 0"
	") WITHOUT ROWID;"
	"CREATE INDEX regions_parent ON regions(parent, code);"
	"CREATE TABLE boundaries("
	"  code TEXT PRIMARY KEY, geojson TEXT NOT NULL, source TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE units("
	"  id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,"
	"  region TEXT NOT NULL REFERENCES regions(code),"
	"  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	"  UNIQUE(region, name));"
	"CREATE TABLE users("
	"  id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE,"
	"  display_name TEXT NOT NULL, password_hash TEXT NOT NULL,"
	"  unit_id INTEGER NOT NULL REFERENCES units(id), roles INTEGER NOT NULL,"
	"  scope TEXT NOT NULL REFERENCES regions(code), phone TEXT NOT NULL DEFAULT '',"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  failed_count INTEGER NOT NULL DEFAULT 0, failed_since INTEGER NOT NULL DEFAULT 0,"
	"  locked_until INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	"  last_login_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX users_unit ON users(unit_id);"
	"CREATE TABLE sessions("
	"  token_hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),"
	"  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
	"  revoked_at INTEGER NOT NULL DEFAULT 0, ip TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE audit("
	"  seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor_id INTEGER NOT NULL,"
	"  actor TEXT NOT NULL, ip TEXT NOT NULL, action TEXT NOT NULL,"
	"  object_type TEXT NOT NULL, object_id TEXT NOT NULL, region TEXT NOT NULL,"
	"  region_path TEXT NOT NULL, summary TEXT NOT NULL,"
	"  before_digest TEXT NOT NULL, after_digest TEXT NOT NULL,"
	"  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
	"CREATE INDEX audit_at ON audit(at);"
	"CREATE TABLE audit_head(id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  seq INTEGER NOT NULL, hash TEXT NOT NULL);",
	/* 2: cases */
	"CREATE TABLE case_types(type TEXT NOT NULL, version INTEGER NOT NULL,"
	"  pack TEXT NOT NULL, digest TEXT NOT NULL, definition TEXT NOT NULL,"
	"  loaded_at INTEGER NOT NULL, PRIMARY KEY (type, version));"
	"CREATE TABLE case_seq(prefix TEXT NOT NULL, region TEXT NOT NULL, year INTEGER NOT NULL,"
	"  last INTEGER NOT NULL, PRIMARY KEY (prefix, region, year)) WITHOUT ROWID;"
	"CREATE TABLE cases("
	"  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, type TEXT NOT NULL,"
	"  type_version INTEGER NOT NULL, region TEXT NOT NULL REFERENCES regions(code),"
	"  region_path TEXT NOT NULL,"
	"  state TEXT NOT NULL, level TEXT NOT NULL DEFAULT '', escalation INTEGER NOT NULL DEFAULT 0,"
	"  unit_id INTEGER NOT NULL REFERENCES units(id), origin_unit_id INTEGER NOT NULL,"
	"  pending_unit_id INTEGER NOT NULL DEFAULT 0, owner_id INTEGER NOT NULL DEFAULT 0,"
	"  title TEXT NOT NULL, fields TEXT NOT NULL, documents TEXT NOT NULL DEFAULT '[]',"
	"  team TEXT NOT NULL DEFAULT '[]', outcome TEXT NOT NULL DEFAULT '',"
	"  satisfaction INTEGER NOT NULL DEFAULT 0, bounces INTEGER NOT NULL DEFAULT 0,"
	"  merged_into INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 1,"
	"  created_at INTEGER NOT NULL, created_by INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	"  closed_at INTEGER NOT NULL DEFAULT 0, visited_at INTEGER NOT NULL DEFAULT 0,"
	"  due_at INTEGER NOT NULL DEFAULT 0, overdue INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX cases_region ON cases(region_path);"
	"CREATE INDEX cases_type_created ON cases(type, created_at);"
	"CREATE INDEX cases_unit ON cases(unit_id, id);"
	"CREATE INDEX cases_pending ON cases(pending_unit_id) WHERE pending_unit_id != 0;"
	"CREATE TABLE case_events(id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL,"
	"  at INTEGER NOT NULL, actor_id INTEGER NOT NULL, actor TEXT NOT NULL,"
	"  action TEXT NOT NULL, from_state TEXT NOT NULL, to_state TEXT NOT NULL,"
	"  note TEXT NOT NULL, detail TEXT NOT NULL);"
	"CREATE INDEX case_events_case ON case_events(case_id, id);"
	"CREATE TABLE case_clocks(id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL,"
	"  name TEXT NOT NULL, started_at INTEGER NOT NULL, due_at INTEGER NOT NULL,"
	"  warn_at INTEGER NOT NULL, status TEXT NOT NULL, paused_at INTEGER NOT NULL DEFAULT 0,"
	"  paused_ms INTEGER NOT NULL DEFAULT 0, extensions TEXT NOT NULL DEFAULT '[]',"
	"  warned INTEGER NOT NULL DEFAULT 0, breached_at INTEGER NOT NULL DEFAULT 0,"
	"  stopped_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX case_clocks_case ON case_clocks(case_id, id);"
	"CREATE INDEX case_clocks_due ON case_clocks(status, due_at);"
	"CREATE TABLE case_links(case_id INTEGER NOT NULL, other_id INTEGER NOT NULL,"
	"  relation TEXT NOT NULL, PRIMARY KEY (case_id, other_id)) WITHOUT ROWID;"
	"CREATE TABLE attachments(id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL,"
	"  name TEXT NOT NULL, document TEXT NOT NULL, content_type TEXT NOT NULL,"
	"  size INTEGER NOT NULL, sha256 TEXT NOT NULL, data BLOB NOT NULL,"
	"  at INTEGER NOT NULL, actor TEXT NOT NULL);"
	"CREATE INDEX attachments_case ON attachments(case_id);",
	/* 3: holiday calendars imported by users (src/clocks/, store/calendar_store.c) */
	"CREATE TABLE calendars(year INTEGER PRIMARY KEY,"
	"  source TEXT NOT NULL, data TEXT NOT NULL,"
	"  imported_at INTEGER NOT NULL);",
	/* 4: the workbench ("my open cases") by index */
	"CREATE INDEX cases_unit_open ON cases(unit_id, id) WHERE closed_at = 0;"
	"CREATE INDEX cases_owner_open ON cases(owner_id, id)"
	"  WHERE closed_at = 0 AND owner_id != 0;",
	/* data hub (ingest branch): sources, records, subjects, quarantine,
	 * per-source counters (store/record_store.c, store/source_store.c) */
	"CREATE TABLE sources(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL, unit_id INTEGER NOT NULL DEFAULT 0, types TEXT NOT NULL,"
	"  key_prefix TEXT NOT NULL, key_hash TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL, rotated_at INTEGER NOT NULL DEFAULT 0,"
	"  revoked_at INTEGER NOT NULL DEFAULT 0, last_received_at INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT NOT NULL DEFAULT '', last_error_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX sources_key ON sources(key_prefix);"
	"CREATE TABLE records(id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL,"
	"  type TEXT NOT NULL, external_id TEXT NOT NULL, at INTEGER NOT NULL,"
	"  received_at INTEGER NOT NULL, lon REAL, lat REAL,"
	"  region TEXT NOT NULL DEFAULT '', region_path TEXT NOT NULL DEFAULT '',"
	"  fields TEXT NOT NULL, UNIQUE(source_id, external_id));"
	"CREATE INDEX records_type_at ON records(type, at);"
	"CREATE TABLE subjects(id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
	"  key TEXT NOT NULL, created_at INTEGER NOT NULL, UNIQUE(kind, key));"
	"CREATE TABLE record_subjects(subject_id INTEGER NOT NULL, record_id INTEGER NOT NULL,"
	"  field TEXT NOT NULL, PRIMARY KEY (subject_id, record_id, field)) WITHOUT ROWID;"
	"CREATE TABLE quarantine(id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL,"
	"  type TEXT NOT NULL, external_id TEXT NOT NULL, raw TEXT NOT NULL,"
	"  reasons TEXT NOT NULL, received_at INTEGER NOT NULL, day TEXT NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'open', handled_by TEXT NOT NULL DEFAULT '',"
	"  handled_at INTEGER NOT NULL DEFAULT 0, note TEXT NOT NULL DEFAULT '',"
	"  record_id INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX quarantine_source_day ON quarantine(source_id, day);"
	"CREATE INDEX quarantine_status ON quarantine(status, id);"
	"CREATE INDEX quarantine_external ON quarantine(source_id, external_id);"
	"CREATE TABLE source_days(source_id INTEGER NOT NULL, day TEXT NOT NULL,"
	"  records INTEGER NOT NULL DEFAULT 0, duplicates INTEGER NOT NULL DEFAULT 0,"
	"  quarantined INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (source_id, day)) WITHOUT ROWID;"
	"CREATE TABLE source_minutes(source_id INTEGER NOT NULL, minute INTEGER NOT NULL,"
	"  records INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (source_id, minute)) WITHOUT ROWID;",
	/* dispatch: live field events (src/dispatch/, store/dispatch_store.c) */
	"CREATE TABLE dispatch_events(id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
	"  title TEXT NOT NULL, record_id INTEGER NOT NULL, source TEXT NOT NULL,"
	"  device TEXT NOT NULL, place TEXT NOT NULL, plate TEXT NOT NULL,"
	"  lane TEXT NOT NULL, snapshot_ref TEXT NOT NULL, dedup_key TEXT NOT NULL,"
	"  region TEXT NOT NULL, region_path TEXT NOT NULL,"
	"  lon REAL, lat REAL, unit_id INTEGER NOT NULL,"
	"  escalated_unit_id INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL,"
	"  at INTEGER NOT NULL, received_at INTEGER NOT NULL,"
	"  last_seen_at INTEGER NOT NULL, dwell_s INTEGER NOT NULL,"
	"  sightings INTEGER NOT NULL DEFAULT 1, due_at INTEGER NOT NULL,"
	"  acked_at INTEGER NOT NULL DEFAULT 0, acked_by TEXT NOT NULL DEFAULT '',"
	"  cleared_at INTEGER NOT NULL DEFAULT 0, cleared_by TEXT NOT NULL DEFAULT '',"
	"  clear_how TEXT NOT NULL DEFAULT '', clear_note TEXT NOT NULL DEFAULT '',"
	"  escalated_at INTEGER NOT NULL DEFAULT 0, case_code TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX dispatch_events_unit ON dispatch_events(unit_id, id);"
	"CREATE INDEX dispatch_events_esc ON dispatch_events(escalated_unit_id, id)"
	"  WHERE escalated_unit_id != 0;"
	"CREATE INDEX dispatch_events_open ON dispatch_events(dedup_key, last_seen_at)"
	"  WHERE cleared_at = 0;"
	"CREATE INDEX dispatch_events_due ON dispatch_events(due_at)"
	"  WHERE cleared_at = 0 AND escalated_at = 0;",
	/* rules: alerts, one open per rule and subject (src/rules/, store/alert_store.c) */
	"CREATE TABLE alerts(id INTEGER PRIMARY KEY, rule TEXT NOT NULL,"
	"  rule_title TEXT NOT NULL, subject TEXT NOT NULL, subject_kind TEXT NOT NULL,"
	"  level TEXT NOT NULL, score REAL NOT NULL, status TEXT NOT NULL,"
	"  region TEXT NOT NULL, region_path TEXT NOT NULL, explanation TEXT NOT NULL,"
	"  evidence INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
	"  level_changed_at INTEGER NOT NULL, closed_at INTEGER NOT NULL DEFAULT 0,"
	"  acted_by TEXT NOT NULL DEFAULT '', acted_at INTEGER NOT NULL DEFAULT 0,"
	"  reason TEXT NOT NULL DEFAULT '', case_code TEXT NOT NULL DEFAULT '');"
	"CREATE UNIQUE INDEX alerts_open ON alerts(rule, subject) WHERE closed_at = 0;"
	"CREATE INDEX alerts_rule ON alerts(rule, status);",
	/* geo: real township/village boundaries uploaded by an administrator (store/geo_store.c) */
	"CREATE TABLE boundary_uploads(code TEXT PRIMARY KEY,"
	"  geojson TEXT NOT NULL, uploaded_at INTEGER NOT NULL,"
	"  uploaded_by INTEGER NOT NULL) WITHOUT ROWID;",
	/* correction pack: people, location orders, violations (store/correction_store.c) */
	"CREATE TABLE correction_people(id TEXT PRIMARY KEY, masked_id TEXT NOT NULL,"
	"  name TEXT NOT NULL, township TEXT NOT NULL, region_path TEXT NOT NULL,"
	"  device TEXT NOT NULL UNIQUE, office_unit_id INTEGER NOT NULL, since INTEGER NOT NULL,"
	"  home_lon REAL NOT NULL, home_lat REAL NOT NULL, prohibited TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE correction_orders(id INTEGER PRIMARY KEY, person_id TEXT NOT NULL,"
	"  approved_by TEXT NOT NULL, start_at INTEGER NOT NULL, end_at INTEGER NOT NULL,"
	"  previous_end INTEGER NOT NULL, reassessed_at INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE correction_violations(id INTEGER PRIMARY KEY, person_id TEXT NOT NULL,"
	"  kind TEXT NOT NULL, at INTEGER NOT NULL, since INTEGER NOT NULL, lon REAL, lat REAL,"
	"  detail TEXT NOT NULL, sanction TEXT NOT NULL, sanction_title TEXT NOT NULL,"
	"  basis TEXT NOT NULL, office_unit_id INTEGER NOT NULL, region_path TEXT NOT NULL);"
	"CREATE INDEX correction_violations_person ON correction_violations(person_id, id);",
	/* correction: sanction decisions of the justice office (store/correction_store.c) */
	"CREATE TABLE correction_sanctions(id INTEGER PRIMARY KEY, person_id TEXT NOT NULL,"
	"  sanction TEXT NOT NULL, title TEXT NOT NULL, violation_id INTEGER NOT NULL,"
	"  note TEXT NOT NULL, decided_by TEXT NOT NULL, decided_at INTEGER NOT NULL,"
	"  region_path TEXT NOT NULL);"
	"CREATE INDEX correction_sanctions_person ON correction_sanctions(person_id, id);",
	/* dispatch: events raised by alerts carry a level and their detail (overload.overweight) */
	("ALTER TABLE dispatch_events ADD COLUMN level TEXT NOT NULL DEFAULT '';"
	 "ALTER TABLE dispatch_events ADD COLUMN detail TEXT NOT NULL DEFAULT '{}';"),
	/* correction (corrcase): a violation names the alert it fed (open or
	 * handled), a sanction the violation case that decided it; the list
	 * pages by id and filters by time */
	("ALTER TABLE correction_violations ADD COLUMN alert_id INTEGER NOT NULL DEFAULT 0;"
	 "ALTER TABLE correction_sanctions ADD COLUMN case_code TEXT NOT NULL DEFAULT '';"
	 "UPDATE correction_violations SET alert_id = coalesce((SELECT max(a.id) FROM alerts a"
	 "  WHERE a.rule = 'correction.' || correction_violations.kind"
	 "  AND a.subject = correction_violations.person_id"
	 "  AND a.created_at <= correction_violations.at), 0);"
	 "CREATE INDEX correction_violations_at ON correction_violations(at, id);"
	 "CREATE INDEX correction_sanctions_violation ON correction_sanctions(violation_id)"
	 "  WHERE violation_id != 0;"),
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

struct job {
	fz_store_write_fn fn;
	void *arg;
	struct fz_err *err;
	int rc;
	int done;
	struct job *next;
};

struct fz_store {
	char *path;
	struct fz_db writer;
	pthread_mutex_t lock;	     /* guards the queue, the reader pool */
	pthread_mutex_t inline_lock; /* without a writer thread: one write at a time
					(the ingest thread's sinks write too) */
	pthread_cond_t wake, done;
	struct job *head, *tail;
	size_t queued;
	int batch;
	int running, stopping;
	pthread_t thread;
	struct fz_db *free_readers;
	_Atomic uint64_t commits, writes;
};

int fz_store_schema_version(void)
{
	return NMIGRATIONS;
}

static int open_conn(const char *path, int flags, struct fz_db *db, struct fz_err *err)
{
	int rc;

	memset(db, 0, sizeof(*db));
	rc = sqlite3_open_v2(path, &db->conn, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		fz_err_set(err, FZ_ESTORE, NULL, NULL, "无法打开数据库 %s: %s", path,
			   db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc));
		sqlite3_close(db->conn);
		db->conn = NULL;
		return FZ_ESTORE;
	}
	sqlite3_busy_timeout(db->conn, 10000);
	sqlite3_extended_result_codes(db->conn, 1);
	return 0;
}

static int pragma_int(struct fz_db *db, const char *sql, int *out, struct fz_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_OK)
		return 0;
	return db_fail(db, rc, err);
}

static int count_tables(struct fz_db *db, int *n, struct fz_err *err)
{
	return pragma_int(db, "SELECT count(*) FROM sqlite_schema", n, err);
}

static int migrate(struct fz_store *s, struct fz_err *err)
{
	struct fz_db *db = &s->writer;
	int app = 0, version = 0, tables = 0, rc;
	char sql[128];

	rc = pragma_int(db, "PRAGMA application_id", &app, err);
	if (rc == FZ_ESTORE && sqlite3_errcode(db->conn) == SQLITE_NOTADB) {
		if (err)
			fz_err_init(err);
		return fz_err_set(err, FZ_EVERSION, "wrong_version", NULL,
				  "%s 不是 fazhi 的数据库（不是 SQLite 文件）", s->path);
	}
	if (rc || (rc = pragma_int(db, "PRAGMA user_version", &version, err)) ||
	    (rc = count_tables(db, &tables, err)))
		return rc;
	if (app != FZ_STORE_APP_ID && (app != 0 || tables > 0))
		return fz_err_set(err, FZ_EVERSION, "wrong_version", NULL,
				  "%s 不是 fazhi 的数据库（application_id 0x%08x）", s->path,
				  (unsigned)app);
	if (version > NMIGRATIONS)
		return fz_err_set(err, FZ_EVERSION, "wrong_version", NULL,
				  "%s 由更新版本的 fazhi 写入（结构版本 %d，本程序只认识到 %d），"
				  "请升级 fazhi",
				  s->path, version, NMIGRATIONS);
	for (int v = version; v < NMIGRATIONS; v++) {
		if ((rc = db_exec(db, "BEGIN IMMEDIATE", err)))
			return rc;
		snprintf(sql, sizeof(sql),
			 "PRAGMA user_version = %d;"
			 "PRAGMA application_id = %d",
			 v + 1, FZ_STORE_APP_ID);
		rc = db_exec(db, migrations[v], err);
		if (!rc)
			rc = db_exec(db, sql, err);
		if (!rc)
			rc = db_exec(db, "COMMIT", err);
		if (rc) {
			db_exec(db, "ROLLBACK", NULL);
			return rc;
		}
		fz_log(FZ_LOG_INFO, "store: migrated %s to schema %d", s->path, v + 1);
	}
	return 0;
}

int fz_store_open(const char *path, int create, struct fz_store **out, struct fz_err *err)
{
	struct fz_store *s;
	struct stat sb;
	int rc;

	*out = NULL;
	if (stat(path, &sb) != 0 && !create)
		return fz_err_set(err, -ENOENT, "not_found", NULL,
				  "数据库 %s 不存在（先运行 fazhi init --db %s）", path, path);
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		return FZ_ENOMEM;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->inline_lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	pthread_cond_init(&s->done, NULL);
	rc = open_conn(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &s->writer, err);
	if (!rc)
		rc = migrate(s, err);
	if (!rc)
		rc = db_exec(&s->writer,
			     "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
			     "PRAGMA foreign_keys = ON;"
			     /* the writer keeps the hot index pages of bulk ingest in memory
			      * (64 MiB) and checkpoints every ~16 MiB of WAL, not every 4 */
			     "PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 4096",
			     err);
	if (rc) {
		fz_store_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

static void run_batch(struct fz_store *s, struct job *jobs)
{
	struct fz_db *db = &s->writer;
	struct fz_err cerr;
	int rc;

	fz_err_init(&cerr);
	rc = db_exec(db, "BEGIN IMMEDIATE", &cerr);
	for (struct job *j = jobs; j; j = j->next) {
		if (rc) {
			j->rc = fz_err_set(j->err, rc, NULL, NULL, "%s", cerr.msg);
			continue;
		}
		if (db_exec(db, "SAVEPOINT w", j->err)) {
			j->rc = FZ_ESTORE;
			continue;
		}
		j->rc = j->fn(db, j->arg, j->err);
		if (j->rc) {
			db->undos++;
			db_exec(db, "ROLLBACK TO w", NULL);
		}
		db_exec(db, "RELEASE w", NULL);
	}
	if (!rc && (rc = db_exec(db, "COMMIT", &cerr)) != 0) {
		db->undos++;
		db_exec(db, "ROLLBACK", NULL);
		for (struct job *j = jobs; j; j = j->next)
			if (!j->rc)
				j->rc = fz_err_set(j->err, FZ_ESTORE, NULL, NULL, "提交失败: %s",
						   cerr.msg);
	}
	if (!rc) {
		atomic_fetch_add(&s->commits, 1);
		for (struct job *j = jobs; j; j = j->next)
			if (!j->rc)
				atomic_fetch_add(&s->writes, 1);
	}
}

static void *writer_main(void *arg)
{
	struct fz_store *s = arg;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		struct job *batch, *last;
		int n = 1;
		while (!s->head && !s->stopping)
			pthread_cond_wait(&s->wake, &s->lock);
		if (!s->head)
			break;
		batch = last = s->head;
		while (last->next && n < s->batch) {
			last = last->next;
			n++;
		}
		s->head = last->next;
		if (!s->head)
			s->tail = NULL;
		s->queued -= (size_t)n;
		last->next = NULL;
		pthread_mutex_unlock(&s->lock);
		run_batch(s, batch);
		pthread_mutex_lock(&s->lock);
		for (struct job *j = batch; j;) {
			struct job *next = j->next;
			j->done = 1; /* j may be gone once the waiter wakes */
			j = next;
		}
		pthread_cond_broadcast(&s->done);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int fz_store_start_writer(struct fz_store *s, int batch)
{
	int rc;

	s->batch = batch > 0 ? batch : 1;
	rc = pthread_create(&s->thread, NULL, writer_main, s);
	if (rc)
		return -rc;
	s->running = 1;
	return 0;
}

uint64_t fz_store_undos(const struct fz_db *db)
{
	return db->undos;
}

int fz_store_write(struct fz_store *s, fz_store_write_fn fn, void *arg, struct fz_err *err)
{
	struct job j = { fn, arg, err, 0, 0, NULL };

	if (!s->running) {
		pthread_mutex_lock(&s->inline_lock);
		run_batch(s, &j);
		pthread_mutex_unlock(&s->inline_lock);
		return j.rc;
	}
	pthread_mutex_lock(&s->lock);
	if (s->tail)
		s->tail->next = &j;
	else
		s->head = &j;
	s->tail = &j;
	s->queued++;
	pthread_cond_signal(&s->wake);
	while (!j.done)
		pthread_cond_wait(&s->done, &s->lock);
	pthread_mutex_unlock(&s->lock);
	return j.rc;
}

struct fz_db *fz_store_reader(struct fz_store *s)
{
	struct fz_db *db;

	pthread_mutex_lock(&s->lock);
	db = s->free_readers;
	if (db)
		s->free_readers = db->next_free;
	pthread_mutex_unlock(&s->lock);
	if (db)
		return db;
	db = malloc(sizeof(*db));
	if (!db)
		return NULL;
	if (open_conn(s->path, SQLITE_OPEN_READONLY, db, NULL) ||
	    db_exec(db, "PRAGMA query_only = ON", NULL)) {
		db_close(db);
		free(db);
		return NULL;
	}
	return db;
}

void fz_store_reader_put(struct fz_store *s, struct fz_db *db)
{
	if (!db)
		return;
	pthread_mutex_lock(&s->lock);
	db->next_free = s->free_readers;
	s->free_readers = db;
	pthread_mutex_unlock(&s->lock);
}

void fz_store_free(struct fz_store *s)
{
	if (!s)
		return;
	if (s->running) {
		pthread_mutex_lock(&s->lock);
		s->stopping = 1;
		pthread_cond_signal(&s->wake);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
	}
	while (s->free_readers) {
		struct fz_db *db = s->free_readers;
		s->free_readers = db->next_free;
		db_close(db);
		free(db);
	}
	if (s->writer.conn) {
		db_exec(&s->writer, "PRAGMA wal_checkpoint(TRUNCATE)", NULL);
		db_close(&s->writer);
	}
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->inline_lock);
	pthread_cond_destroy(&s->wake);
	pthread_cond_destroy(&s->done);
	free(s->path);
	free(s);
}

uint64_t fz_store_commits(const struct fz_store *s)
{
	return atomic_load(&s->commits);
}

uint64_t fz_store_writes(const struct fz_store *s)
{
	return atomic_load(&s->writes);
}

size_t fz_store_queued(struct fz_store *s)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = s->queued;
	pthread_mutex_unlock(&s->lock);
	return n;
}

int fz_store_snapshot_begin(struct fz_db *db, struct fz_err *err)
{
	if (db->snapshots++ > 0)
		return 0; /* inside an open one: the same snapshot */
	/* a deferred transaction takes its snapshot at the first read; read
	 * the schema version now so that it is taken here */
	if (db_exec(db, "BEGIN; SELECT 1 FROM sqlite_schema LIMIT 1;", err)) {
		db_exec(db, "ROLLBACK;", NULL); /* if BEGIN itself went through */
		db->snapshots = 0;
		return FZ_ESTORE;
	}
	return 0;
}

void fz_store_snapshot_end(struct fz_db *db)
{
	if (db->snapshots > 0 && --db->snapshots == 0)
		db_exec(db, "COMMIT;", NULL);
}
