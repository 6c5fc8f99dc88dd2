/*
 * event: one field event as dispatch keeps it (table dispatch_events,
 * store/dispatch_store.c): what a device saw, where, which unit it went to,
 * and its life: new -> acknowledged -> cleared, with escalation (to fire
 * rescue and a case) as a mark that any uncleared event may get. A plain
 * value type; times are UTC ms, 0 for "not yet".
 */
#ifndef FZ_DISPATCH_EVENT_H
#define FZ_DISPATCH_EVENT_H

#include <stdint.h>

struct fz_dispatch_event {
	int64_t id;
	char kind[64];	 /* route event, "community.fire_lane" */
	char title[128]; /* the route's Chinese title */
	int64_t record_id;
	char source[64];
	char device[64]; /* camera id */
	char place[128]; /* the camera's place name */
	char plate[24];
	char lane[32];
	char snapshot_ref[256];
	char dedup_key[200];
	char region[16]; /* finest region code of the place */
	char region_name[128];
	char region_path[128];
	double lon, lat;
	int has_location;
	int64_t unit_id;
	char unit_name[128];
	int64_t escalated_unit_id;
	char escalated_unit_name[128];
	char status[16]; /* new, acknowledged, cleared */
	int64_t at;	 /* first seen (device time) */
	int64_t received_at;
	int64_t last_seen_at;
	int64_t dwell_s;
	int64_t sightings;
	int64_t due_at; /* escalation due */
	int64_t acked_at;
	char acked_by[64];
	int64_t cleared_at;
	char cleared_by[64];
	char clear_how[24]; /* owner_reached, towed, other */
	char clear_note[256];
	int64_t escalated_at;
	char case_code[48];
	char level[8];	    /* "red"/"yellow" for events raised by alerts, else "" */
	char detail[2048]; /* JSON object text: what the raiser adds ("{}" for cameras) */
};

#endif
