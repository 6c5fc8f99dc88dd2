#include "clocks/clock.h"

#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_MS 3600000LL

void fz_clock_init(struct fz_clock *c, int64_t start, const struct fz_period *p)
{
	memset(c, 0, sizeof(*c));
	c->start = start;
	c->period = *p;
}

void fz_clock_release(struct fz_clock *c)
{
	free(c->pauses);
	free(c->extensions);
	c->pauses = NULL;
	c->extensions = NULL;
	c->npauses = c->nextensions = 0;
}

int fz_clock_paused(const struct fz_clock *c)
{
	return c->npauses > 0 && c->pauses[c->npauses - 1].to == 0;
}

/* 0 when s is a text of 1..max bytes, else FZ_EINVAL naming field. */
static int check_text(const char *s, size_t max, const char *field, const char *what,
		      struct fz_err *err)
{
	if (s && s[0] && strlen(s) <= max)
		return 0;
	return fz_err_set(err, FZ_EINVAL, NULL, field, "%s: 须填写%s（1-%zu 字节）", field, what,
			  max);
}

int fz_clock_pause(struct fz_clock *c, int64_t at, const char *reason, const char *by,
		   struct fz_err *err)
{
	struct fz_clock_pause *list, *p;
	int64_t after = c->npauses ? c->pauses[c->npauses - 1].to : c->start;
	int rc;

	if (fz_clock_paused(c))
		return fz_err_set(err, FZ_ECONFLICT, NULL, "at", "计时已暂停，须先恢复");
	if (at < after)
		return fz_err_set(err, FZ_EINVAL, NULL, "at",
				  "at: 暂停时刻不能早于计时开始或上次恢复的时刻");
	if ((rc = check_text(reason, FZ_CLOCK_MAX_REASON, "reason", "暂停理由", err)) ||
	    (rc = check_text(by, FZ_CLOCK_MAX_WHO, "by", "暂停人", err)))
		return rc;
	if (c->npauses == FZ_CLOCK_MAX_PAUSES)
		return fz_err_set(err, FZ_ETOOBIG, NULL, "at", "一个时限最多暂停 %d 次",
				  FZ_CLOCK_MAX_PAUSES);
	if (!(list = realloc(c->pauses, (c->npauses + 1) * sizeof(*list))))
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	c->pauses = list;
	p = &list[c->npauses++];
	memset(p, 0, sizeof(*p));
	p->from = at;
	snprintf(p->reason, sizeof(p->reason), "%s", reason);
	snprintf(p->by, sizeof(p->by), "%s", by);
	return 0;
}

int fz_clock_resume(struct fz_clock *c, int64_t at, struct fz_err *err)
{
	struct fz_clock_pause *p;

	if (!fz_clock_paused(c))
		return fz_err_set(err, FZ_ECONFLICT, NULL, "at", "计时没有暂停，无需恢复");
	p = &c->pauses[c->npauses - 1];
	if (at < p->from || at == 0)
		return fz_err_set(err, FZ_EINVAL, NULL, "at", "at: 恢复时刻不能早于暂停时刻");
	p->to = at;
	return 0;
}

int fz_clock_extend(struct fz_clock *c, int64_t amount, const char *reason, const char *approver,
		    int64_t at, struct fz_err *err)
{
	struct fz_clock_extension *list, *e;
	struct fz_period total = c->period;
	int rc;

	for (size_t i = 0; i < c->nextensions; i++)
		total.amount += c->extensions[i].amount;
	total.amount += amount;
	if (amount < 1)
		return fz_err_set(err, FZ_EINVAL, NULL, "amount", "amount: 延长量应为正整数");
	if ((rc = fz_period_check(&total, err)) ||
	    (rc = check_text(reason, FZ_CLOCK_MAX_REASON, "reason", "延长理由", err)) ||
	    (rc = check_text(approver, FZ_CLOCK_MAX_WHO, "approver", "批准人", err)))
		return rc;
	if (c->nextensions == FZ_CLOCK_MAX_EXTENSIONS)
		return fz_err_set(err, FZ_ETOOBIG, NULL, "amount", "一个时限最多延长 %d 次",
				  FZ_CLOCK_MAX_EXTENSIONS);
	if (!(list = realloc(c->extensions, (c->nextensions + 1) * sizeof(*list))))
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	c->extensions = list;
	e = &list[c->nextensions++];
	memset(e, 0, sizeof(*e));
	e->amount = amount;
	e->at = at;
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
	snprintf(e->approver, sizeof(e->approver), "%s", approver);
	return 0;
}

/* The period with `amount` left, counted from a (re)start. */
static struct fz_period rest(const struct fz_clock *c, int64_t amount)
{
	struct fz_period p = c->period;

	p.amount = amount;
	return p;
}

/*
 * The clock ran over [from, to) with *left of its unit (ms for hours) to
 * go: either it ran out inside, at *due (returns 1), or *left shrinks by
 * what the span used (returns 0). Negative: an error.
 */
static int run(const struct fz_clock *c, const struct fz_calendar *cal, int64_t from, int64_t to,
	       int64_t *left, int64_t *due, struct fz_err *err)
{
	struct fz_period p = rest(c, *left);
	int64_t used;
	int rc;

	if (c->period.unit == FZ_UNIT_HOURS) {
		if (*left <= to - from) {
			*due = from + *left;
			return 1;
		}
		*left -= to - from;
		return 0;
	}
	if ((rc = fz_deadline_due(cal, from, &p, due, err)))
		return rc;
	if (*due <= to)
		return 1;
	rc = fz_deadline_count(cal, c->period.unit, fz_calendar_day_of(from),
			       fz_calendar_day_of(to), &used, err);
	if (rc)
		return rc;
	*left -= used < *left ? used : *left;
	return 0;
}

/* Amount with the extensions granted by now. */
static int64_t amount_at(const struct fz_clock *c, int64_t now)
{
	int64_t amount = c->period.amount;

	for (size_t i = 0; i < c->nextensions; i++)
		if (c->extensions[i].at <= now)
			amount += c->extensions[i].amount;
	return amount;
}

/* The due instant at now into out->due, and *left: the unit's unused amount. */
static int due_at(const struct fz_clock *c, const struct fz_calendar *cal, int64_t now,
		  struct fz_clock_status *out, int64_t *left, struct fz_err *err)
{
	struct fz_period p;
	int64_t seg = c->start;
	int rc;

	*left = c->period.unit == FZ_UNIT_HOURS ? out->amount * HOUR_MS : out->amount;
	for (size_t i = 0; i < c->npauses && c->pauses[i].from < now; i++) {
		const struct fz_clock_pause *pause = &c->pauses[i];
		rc = run(c, cal, seg, pause->from, left, &out->due, err);
		if (rc)
			return rc < 0 ? rc : 0; /* ran out before this pause */
		seg = pause->to == 0 || pause->to > now ? now : pause->to;
	}
	if (c->period.unit == FZ_UNIT_HOURS) {
		out->due = seg + *left;
		return 0;
	}
	p = rest(c, *left);
	return fz_deadline_due(cal, seg, &p, &out->due, err);
}

int fz_clock_status(const struct fz_clock *c, const struct fz_calendar *cal, int64_t now,
		    struct fz_clock_status *out, struct fz_err *err)
{
	struct fz_period total = c->period;
	int64_t left;
	int rc;

	memset(out, 0, sizeof(*out));
	out->amount = total.amount = amount_at(c, now);
	for (size_t i = 0; i < c->npauses && c->pauses[i].from < now; i++) {
		const struct fz_clock_pause *p = &c->pauses[i];
		out->paused = p->to == 0 || p->to > now;
		out->paused_ms += (out->paused ? now : p->to) - p->from;
	}
	if ((rc = fz_period_check(&total, err)) || (rc = due_at(c, cal, now, out, &left, err)))
		return rc;
	out->left_ms = out->due - now;
	out->overdue = now >= out->due;
	if (out->overdue)
		out->left = 0;
	else if (c->period.unit == FZ_UNIT_HOURS)
		out->left = (out->left_ms + HOUR_MS - 1) / HOUR_MS;
	else if (out->paused)
		out->left = left;
	else
		rc = fz_deadline_count(cal, c->period.unit, fz_calendar_day_of(now),
				       fz_calendar_day_of(out->due), &out->left, err);
	return rc;
}
