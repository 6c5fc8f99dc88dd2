#include "audit/audit.h"

#include "core/buf.h"
#include "core/err.h"
#include "store/audit_store.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Length-prefixed fields, so that no two different entries serialise alike. */
static void field(struct fz_buf *b, const char *s)
{
	fz_buf_addf(b, "%zu:", strlen(s));
	fz_buf_adds(b, s);
	fz_buf_add(b, "|", 1);
}

void fz_audit_hash(const struct fz_audit_entry *e, char out[FZ_SHA256_HEX])
{
	struct fz_buf b;
	char num[64];

	fz_buf_init(&b, 0);
	snprintf(num, sizeof(num), "%" PRId64 "|%" PRId64 "|%" PRId64 "|", e->seq, e->at,
		 e->actor_id);
	fz_buf_adds(&b, num);
	field(&b, e->actor);
	field(&b, e->ip);
	field(&b, e->action);
	field(&b, e->object_type);
	field(&b, e->object_id);
	field(&b, e->region);
	field(&b, e->region_path);
	field(&b, e->summary);
	field(&b, e->before_digest);
	field(&b, e->after_digest);
	field(&b, e->prev_hash);
	fz_sha256_hex(b.data ? b.data : "", b.len, out);
	fz_buf_release(&b);
}

void fz_audit_digest(const char *state, char out[FZ_SHA256_HEX])
{
	if (!state) {
		out[0] = '\0';
		return;
	}
	fz_sha256_hex(state, strlen(state), out);
}

int fz_audit_append(struct fz_db *db, struct fz_audit_entry *e, struct fz_err *err)
{
	int64_t seq;
	int rc = fz_store_audit_head(db, &seq, e->prev_hash, err);

	if (rc)
		return rc;
	e->seq = seq + 1;
	fz_audit_hash(e, e->hash);
	return fz_store_audit_insert(db, e, err);
}

struct walk {
	struct fz_audit_report *r;
	int64_t last_seq;
	char last_hash[FZ_SHA256_HEX];
};

__attribute__((format(printf, 3, 4))) static int bad(struct walk *w, int64_t seq, const char *fmt,
						     ...)
{
	va_list ap;

	w->r->ok = 0;
	w->r->first_bad = seq;
	va_start(ap, fmt);
	vsnprintf(w->r->reason, sizeof(w->r->reason), fmt, ap);
	va_end(ap);
	return 1;
}

static int check_one(void *ctx, const struct fz_audit_entry *e)
{
	struct walk *w = ctx;
	char h[FZ_SHA256_HEX];

	if (e->seq != w->last_seq + 1)
		return bad(w, e->seq,
			   "entry %" PRId64 " follows %" PRId64
			   ": entries were deleted or inserted",
			   e->seq, w->last_seq);
	if (strcmp(e->prev_hash, w->last_hash) != 0)
		return bad(w, e->seq,
			   "entry %" PRId64 " does not link to entry %" PRId64
			   " (prev_hash differs): the chain was cut or spliced",
			   e->seq, w->last_seq);
	fz_audit_hash(e, h);
	if (strcmp(h, e->hash) != 0)
		return bad(w, e->seq,
			   "entry %" PRId64 " was edited (its hash does not match"
			   " its content)",
			   e->seq);
	w->r->checked++;
	w->last_seq = e->seq;
	memcpy(w->last_hash, e->hash, FZ_SHA256_HEX);
	return 0;
}

int fz_audit_verify(struct fz_db *db, struct fz_audit_report *report, struct fz_err *err)
{
	struct walk w = { report, 0, "" };
	int64_t head_seq;
	char head_hash[FZ_SHA256_HEX];
	int rc;

	memset(report, 0, sizeof(*report));
	report->ok = 1;
	/* the entries and the head from one snapshot: writers append while
	 * a server verifies */
	if (fz_store_snapshot_begin(db, err))
		return FZ_ESTORE;
	rc = fz_store_audit_scan(db, check_one, &w, err);
	if (!rc && report->ok)
		rc = fz_store_audit_head(db, &head_seq, head_hash, err);
	fz_store_snapshot_end(db);
	if (rc || !report->ok)
		return rc;
	if (head_seq != w.last_seq || strcmp(head_hash, w.last_hash) != 0) {
		/* entries after the head were appended, or entries after the
		 * last were deleted: the first bad one follows the shorter */
		int64_t first = head_seq < w.last_seq ? head_seq + 1 : w.last_seq + 1;
		if (head_seq == w.last_seq)
			first = w.last_seq; /* the head itself was altered */
		bad(&w, first,
		    "the chain ends at entry %" PRId64 " but its head says %" PRId64
		    ": entries at the end were deleted or the head was altered",
		    w.last_seq, head_seq);
	}
	return 0;
}
