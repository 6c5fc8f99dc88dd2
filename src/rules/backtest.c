#include "rules/backtest.h"

#include "core/err.h"
#include "core/log.h"
#include "store/store.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum state { QUEUED, RUNNING, DONE, CANCELLED, FAILED };
static const char *const state_names[] = { "queued", "running", "done", "cancelled", "failed" };

struct job {
	int64_t id;
	struct fz_backtests *b;
	struct fz_rule *rule;
	char rule_name[128], who[64];
	int64_t since, until, started_at;
	pthread_t thread;
	int joined;
	_Atomic int state, cancel;
	_Atomic int64_t at; /* time of the record being read */
	_Atomic uint64_t records, raised, hits;
	char error[400];
	cJSON *results; /* set when done, under the lock */
	int red, yellow;
};

struct fz_backtests {
	struct fz_store *store;
	fz_alerts_scan_fn scan;
	pthread_mutex_t lock;
	struct job *jobs[FZ_BACKTEST_KEEP];
	int njobs;
	int64_t next_id;
};

int fz_backtests_new(struct fz_store *store, fz_alerts_scan_fn scan, struct fz_backtests **out)
{
	struct fz_backtests *b = calloc(1, sizeof(*b));

	*out = NULL;
	if (!b)
		return FZ_ENOMEM;
	b->store = store;
	b->scan = scan;
	b->next_id = 1;
	pthread_mutex_init(&b->lock, NULL);
	*out = b;
	return 0;
}

static void job_free(struct job *j)
{
	if (!j)
		return;
	if (!j->joined)
		pthread_join(j->thread, NULL);
	fz_rule_free(j->rule);
	cJSON_Delete(j->results);
	free(j);
}

void fz_backtests_free(struct fz_backtests *b)
{
	if (!b)
		return;
	for (int i = 0; i < b->njobs; i++)
		b->jobs[i]->cancel = 1;
	for (int i = 0; i < b->njobs; i++)
		job_free(b->jobs[i]);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static int on_hit(void *ctx, const struct fz_rule_hit *h)
{
	struct job *j = ctx;
	j->hits++;
	if (h->level >= FZ_LEVEL_YELLOW && h->prev_level < FZ_LEVEL_YELLOW)
		j->raised++;
	return 0;
}

static int sink(void *ctx, const struct fz_record *r)
{
	struct job *j = ctx;
	struct fz_err err;

	if (j->cancel)
		return 1;
	j->records++;
	j->at = r->at;
	if (!fz_rule_triggers(j->rule, r->type))
		return 0;
	fz_err_init(&err);
	fz_rule_eval(j->rule, r, &err); /* a failing record is counted in the rule's stats */
	return 0;
}

struct key_score {
	char key[64];
	int level;
	double score;
};

struct collect {
	struct key_score *v;
	size_t n, cap;
};

static int collect_key(void *ctx, const char *key, int level, double score)
{
	struct collect *c = ctx;

	if (level < FZ_LEVEL_YELLOW)
		return 0;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct key_score *v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return FZ_ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	snprintf(c->v[c->n].key, sizeof(c->v[0].key), "%s", key);
	c->v[c->n].level = level;
	c->v[c->n].score = score;
	c->n++;
	return 0;
}

static int by_score(const void *a, const void *b)
{
	const struct key_score *x = a, *y = b;
	if (x->level != y->level)
		return y->level - x->level;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return strcmp(x->key, y->key);
}

static void finish(struct job *j)
{
	struct collect c = { 0 };
	cJSON *arr = cJSON_CreateArray();

	fz_rule_each_key(j->rule, collect_key, &c);
	qsort(c.v, c.n, sizeof(*c.v), by_score);
	for (size_t i = 0; i < c.n; i++) {
		if (c.v[i].level == FZ_LEVEL_RED)
			j->red++;
		else
			j->yellow++;
		if (i < FZ_BACKTEST_RESULTS && arr) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "subject", c.v[i].key);
			cJSON_AddStringToObject(o, "level", fz_level_name(c.v[i].level));
			cJSON_AddNumberToObject(o, "score", c.v[i].score);
			fz_json_put(o, "explanation", fz_rule_explain(j->rule, c.v[i].key));
			fz_json_push(arr, o);
		}
	}
	free(c.v);
	pthread_mutex_lock(&j->b->lock);
	j->results = arr;
	pthread_mutex_unlock(&j->b->lock);
}

static void *run(void *arg)
{
	struct job *j = arg;
	struct fz_db *db = fz_store_reader(j->b->store);
	struct fz_err err;
	char prefix[64];
	int rc;

	fz_err_init(&err);
	j->state = RUNNING;
	snprintf(prefix, sizeof(prefix), "%s.", fz_rule_pack(j->rule));
	if (!db)
		rc = fz_err_set(&err, FZ_ENOMEM, NULL, NULL, "内存不足");
	else
		rc = j->b->scan(db, prefix, j->since, j->until, sink, j, &err);
	if (db)
		fz_store_reader_put(j->b->store, db);
	if (j->cancel) {
		j->state = CANCELLED;
		return NULL;
	}
	if (rc) {
		snprintf(j->error, sizeof(j->error), "%s", err.msg);
		j->state = FAILED;
		return NULL;
	}
	finish(j);
	j->state = DONE;
	return NULL;
}

int fz_backtest_start(struct fz_backtests *b, struct fz_rule *rule, int64_t since, int64_t until,
		      const char *who, int64_t now, int64_t *id, struct fz_err *err)
{
	struct job *j;
	int running = 0;

	if (!b->scan) {
		fz_rule_free(rule);
		return fz_err_set(err, FZ_EINTERNAL, "no_record_store", NULL, "没有可回测的记录库");
	}
	if (until <= since) {
		fz_rule_free(rule);
		return fz_err_set(err, FZ_EINVAL, NULL, "until", "until: 应晚于 since");
	}
	if (!(j = calloc(1, sizeof(*j)))) {
		fz_rule_free(rule);
		return FZ_ENOMEM;
	}
	j->b = b;
	j->rule = rule;
	j->since = since;
	j->until = until;
	j->at = since;
	j->started_at = now;
	snprintf(j->rule_name, sizeof(j->rule_name), "%s", fz_rule_name(rule));
	snprintf(j->who, sizeof(j->who), "%s", who ? who : "");
	fz_rule_set_emit(rule, on_hit, j);
	pthread_mutex_lock(&b->lock);
	for (int i = 0; i < b->njobs; i++)
		running += b->jobs[i]->state <= RUNNING;
	if (running >= FZ_BACKTEST_RUNNING) {
		pthread_mutex_unlock(&b->lock);
		fz_rule_free(rule);
		free(j);
		return fz_err_set(err, FZ_ELOCKED, "backtest_busy", NULL,
				  "已有 %d 个回测在运行，请稍后再试", running);
	}
	if (b->njobs == FZ_BACKTEST_KEEP) { /* forget the oldest finished one */
		int k;
		for (k = 0; k < b->njobs && b->jobs[k]->state <= RUNNING; k++)
			;
		job_free(b->jobs[k]);
		memmove(b->jobs + k, b->jobs + k + 1, (size_t)(b->njobs - k - 1) * sizeof(j));
		b->njobs--;
	}
	j->id = b->next_id++;
	if (pthread_create(&j->thread, NULL, run, j)) {
		pthread_mutex_unlock(&b->lock);
		j->joined = 1;
		job_free(j);
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "无法启动回测线程");
	}
	b->jobs[b->njobs++] = j;
	*id = j->id;
	pthread_mutex_unlock(&b->lock);
	return 0;
}

static struct job *find(struct fz_backtests *b, int64_t id)
{
	for (int i = 0; i < b->njobs; i++)
		if (b->jobs[i]->id == id)
			return b->jobs[i];
	return NULL;
}

cJSON *fz_backtest_status(struct fz_backtests *b, int64_t id)
{
	cJSON *o = NULL;
	struct job *j;

	pthread_mutex_lock(&b->lock);
	if ((j = find(b, id)) && (o = cJSON_CreateObject())) {
		int st = j->state;
		double span = (double)(j->until - j->since);
		double p = st == DONE ? 1 : span > 0 ? (double)(j->at - j->since) / span : 0;
		fz_json_add_int(o, "id", j->id);
		cJSON_AddStringToObject(o, "rule", j->rule_name);
		cJSON_AddStringToObject(o, "state", state_names[st]);
		cJSON_AddNumberToObject(o, "progress", p < 0 ? 0 : p > 1 ? 1 : (double)(int)(p * 1000) / 1000);
		fz_json_add_int(o, "since_ms", j->since);
		fz_json_add_int(o, "until_ms", j->until);
		fz_json_add_int(o, "records", (int64_t)j->records);
		fz_json_add_int(o, "raised", (int64_t)j->raised);
		cJSON_AddStringToObject(o, "started_by", j->who);
		if (st == FAILED)
			cJSON_AddStringToObject(o, "error", j->error);
		if (st == DONE) {
			fz_json_add_int(o, "red", j->red);
			fz_json_add_int(o, "yellow", j->yellow);
			fz_json_put(o, "results", cJSON_Duplicate(j->results, 1));
		}
	}
	pthread_mutex_unlock(&b->lock);
	return o;
}

int fz_backtest_cancel(struct fz_backtests *b, int64_t id, struct fz_err *err)
{
	struct job *j;
	int rc = 0;

	pthread_mutex_lock(&b->lock);
	if (!(j = find(b, id)))
		rc = fz_err_set(err, FZ_ENOTFOUND, NULL, NULL, "回测 %lld 不存在", (long long)id);
	else if (j->state > RUNNING)
		rc = fz_err_set(err, FZ_ECONFLICT, "backtest_finished", NULL, "回测已结束");
	else
		j->cancel = 1;
	pthread_mutex_unlock(&b->lock);
	return rc;
}
