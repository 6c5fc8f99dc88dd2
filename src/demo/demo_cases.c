#include "demo/demo_cases.h"

#include "auth/auth.h"
#include "cases/engine.h"
#include "core/err.h"
#include "registry/region_tree.h"
#include "store/case_store.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR (3600LL * 1000)
#define DAY  (24 * HOUR)
/* 2025-01-01T00:00+08:00 */
#define Y2025 1735660800000LL

struct demo {
	struct fz_engine *e;
	struct fz_store *store;
	const struct fz_region_tree *tree;
	struct fz_demo_cases_report *rep;
	struct fz_err *err;
	uint64_t rng;
	int rc;
};

static uint64_t next(struct demo *d)
{
	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 7;
	d->rng ^= d->rng << 17;
	return d->rng;
}

static int pick(struct demo *d, int n)
{
	return (int)(next(d) % (uint64_t)n);
}

/* The principal of a demo user <prefix>.<code>. */
static int who(struct demo *d, const char *prefix, const char *code, struct fz_principal *p)
{
	struct fz_db *db = fz_store_reader(d->store);
	char name[64];
	struct fz_user u;
	int rc;

	snprintf(name, sizeof(name), "%s.%s", prefix, code);
	rc = db ? fz_store_user_get_by_name(db, name, &u, d->err) : FZ_ENOMEM;
	fz_store_reader_put(d->store, db);
	if (!rc)
		fz_auth_principal_of(&u, p);
	return rc;
}

/* One operation on c (by prefix.code at time at); c is updated. */
static void op(struct demo *d, struct fz_case *c, const char *prefix, const char *code,
	       const char *name, const char *args_json, int64_t at)
{
	struct fz_principal p;
	struct fz_actor a = { &p, "demo" };
	cJSON *args;

	if (d->rc || (d->rc = who(d, prefix, code, &p)))
		return;
	args = cJSON_Parse(args_json ? args_json : "{}");
	d->rc = fz_engine_act(d->e, &a, c->id, c->version, name, args, at, c, d->err);
	cJSON_Delete(args);
	d->rep->operations++;
}

static void attach(struct demo *d, struct fz_case *c, const char *prefix, const char *code,
		   const char *doc, int64_t at)
{
	static const char pdf[] = "%PDF-1.4\n% fazhi demo document\n%%EOF\n";
	struct fz_principal p;
	struct fz_actor a = { &p, "demo" };
	struct fz_case_attachment att;
	struct fz_db *db;
	char name[64];

	if (d->rc || (d->rc = who(d, prefix, code, &p)))
		return;
	snprintf(name, sizeof(name), "%s.pdf", doc);
	d->rc = fz_engine_attach(d->e, &a, c->id, name, doc, "application/pdf", pdf,
				 sizeof(pdf) - 1, at, &att, d->err);
	/* re-read: the attachment bumped the version */
	db = fz_store_reader(d->store);
	if (!d->rc)
		d->rc = db ? fz_store_case_get(db, c->id, c, d->err) : FZ_ENOMEM;
	fz_store_reader_put(d->store, db);
	d->rep->operations++;
}

static void create(struct demo *d, struct fz_case *c, const char *prefix, const char *code,
		   const char *type, const char *region, const char *fields_json, int64_t at)
{
	struct fz_principal p;
	struct fz_actor a = { &p, "demo" };
	cJSON *fields;

	if (d->rc || (d->rc = who(d, prefix, code, &p)))
		return;
	fields = cJSON_Parse(fields_json);
	d->rc = fz_engine_create(d->e, &a, type, region, 0, fields, at, c, d->err);
	cJSON_Delete(fields);
	d->rep->cases++;
	d->rep->operations++;
}

/* ---- the region tree ---- */

struct places {
	const struct fz_region_node *townships[256];
	int n;
	const struct fz_region_node *districts[16];
	int nd;
};

static void gather(const struct fz_region_node *n, struct places *pl)
{
	if (strcmp(n->r.level, "township") == 0 && pl->n < 256)
		pl->townships[pl->n++] = n;
	if (strcmp(n->r.level, "district") == 0 && pl->nd < 16)
		pl->districts[pl->nd++] = n;
	if (strcmp(n->r.level, "township") != 0)
		for (size_t i = 0; i < n->nchildren; i++)
			gather(n->children[i], pl);
}

/* ---- disputes ---- */

static const char *const dispute_text[][3] = {
	{ "楼上卫生间漏水致楼下天花板受损", "邻里双方", "neighbour" },
	{ "离婚后子女抚养费给付纠纷", "前夫与前妻", "family" },
	{ "装修工程款结算纠纷", "业主与装修公司", "contract" },
	{ "建筑工地拖欠务工人员工资", "务工人员与劳务公司", "labour" },
	{ "承包山林边界争议", "两村村民", "land" },
	{ "物业服务费与停车管理纠纷", "业主与物业公司", "property" },
	{ "宅基地建房相邻通行纠纷", "相邻两户", "neighbour" },
	{ "赡养老人费用分担纠纷", "兄妹三人", "family" },
};

static void dispute(struct demo *d, const struct places *pl, int64_t at, int close)
{
	const struct fz_region_node *t = pl->townships[pick(d, pl->n)];
	const struct fz_region_node *v = t->nchildren ? t->children[pick(d, (int)t->nchildren)] : t;
	const struct fz_region_node *dist = t->parent;
	const char *const *x = dispute_text[pick(d, 8)];
	int r = pick(d, 100);
	const char *complexity = r < 60 ? "simple" : r < 90 ? "complex" : "difficult";
	char fields[512], args[256];
	struct fz_case c;
	int64_t t1 = at + 2 * HOUR, days = 1 + pick(d, r < 90 ? 24 : 28);

	fz_case_init(&c);
	snprintf(fields, sizeof(fields),
		 "{\"summary\":\"%s\",\"parties\":\"%s\",\"category\":\"%s\",\"amount\":%d}", x[0],
		 x[1], x[2], 1000 * (1 + pick(d, 300)));
	create(d, &c, "grid", t->r.code, "dispute", v->r.code, fields, at);
	snprintf(args, sizeof(args), "{\"fields\":{\"complexity\":\"%s\"}}", complexity);
	op(d, &c, "handler", t->r.code,
	   r < 60   ? "triage_simple"
	   : r < 90 ? "triage_complex"
		    : "triage_difficult",
	   args, t1);
	if (!close) {
		fz_case_release(&c);
		return;
	}
	if (r < 60) { /* the village (the grid worker's centre) settles it */
		attach(d, &c, "grid", t->r.code, "agreement", at + days * DAY);
		op(d, &c, "grid", t->r.code, "resolve",
		   "{\"outcome\":\"村（社区）调解成功，双方签订调解协议\"}",
		   at + days * DAY + HOUR);
	} else if (r < 90) {
		attach(d, &c, "handler", t->r.code, "agreement", at + days * DAY);
		op(d, &c, "handler", t->r.code, "resolve", "{\"outcome\":\"乡镇（街道）调解成功\"}",
		   at + days * DAY + HOUR);
	} else {
		op(d, &c, "leader", dist->r.code, "owner", "{\"note\":\"领导包案\"}", t1 + HOUR);
		attach(d, &c, "leader", dist->r.code, "agreement", at + days * DAY);
		op(d, &c, "leader", dist->r.code, "resolve",
		   "{\"outcome\":\"县级领导包案化解，签订协议\"}", at + days * DAY + HOUR);
	}
	if (pick(d, 10) < 7)
		op(d, &c, "grid", t->r.code, "visit",
		   "{\"satisfaction\":5,\"note\":\"当事人满意\"}", at + (days + 3) * DAY);
	fz_case_release(&c);
}

/* ---- 行刑衔接 ---- */

static int first_unit(void *ctx, const struct fz_unit *u)
{
	*(int64_t *)ctx = u->id;
	return 1;
}

/* The unit of kind at region n. */
static int64_t unit_of(struct demo *d, const char *kind, const struct fz_region_node *n)
{
	struct fz_unit_filter f = { n->r.path, n->r.path, kind, NULL, 0, 1 };
	struct fz_db *db = fz_store_reader(d->store);
	int64_t id = 0;

	if (!db || fz_store_unit_list(db, &f, first_unit, &id, d->err))
		d->rc = d->rc ? d->rc : FZ_ESTORE;
	fz_store_reader_put(d->store, db);
	return id;
}

static const char *const crimes[][3] = {
	{ "某食品公司生产销售不符合安全标准的食品案", "金华某食品有限公司",
	  "生产、销售不符合安全标准的食品罪" },
	{ "某建材店销售伪劣产品案", "某建材经营部", "销售伪劣产品罪" },
	{ "某公司假冒注册商标案", "某日用品有限公司", "假冒注册商标罪" },
};

/* A transfer by the district's market regulator, taken to stage (0-4). */
static void transfer(struct demo *d, const struct fz_region_node *dist, int64_t at, int stage)
{
	const char *code = dist->r.code;
	const char *const *x = crimes[pick(d, 3)];
	int64_t psb = unit_of(d, "psb", dist);
	char fields[768], args[64];
	struct fz_case c;

	fz_case_init(&c);
	snprintf(
		fields, sizeof(fields),
		"{\"case_name\":\"%s\",\"suspect\":\"%s\",\"suspected_crime\":\"%s\","
		"\"facts\":\"执法检查中发现涉嫌犯罪线索，涉案金额较大。\",\"team\":\"执法人员二名\","
		"\"amount\":%d}",
		x[0], x[1], x[2], 50000 * (1 + pick(d, 40)));
	create(d, &c, "market", code, "xingxing", code, fields, at);
	attach(d, &c, "market", code, "report", at + HOUR);
	op(d, &c, "market", code, "submit", NULL, at + 2 * HOUR);
	op(d, &c, "marketlead", code, "approve", NULL, at + DAY);
	if (stage >= 1) {
		static const char *const docs[] = { "transfer_letter", "investigation_report",
						    "seized_list", "test_report" };
		for (int i = 0; i < 4; i++)
			attach(d, &c, "market", code, docs[i], at + DAY + 2 * HOUR);
		snprintf(args, sizeof(args), "{\"unit_id\":%lld}", (long long)psb);
		op(d, &c, "market", code, "transfer", args, at + DAY + 3 * HOUR);
	}
	if (stage >= 2 && pick(d, 3) == 0) { /* returned once, sent again */
		op(d, &c, "police", code, "return",
		   "{\"reason_code\":\"incomplete\",\"note\":\"缺少检验报告原件\"}",
		   at + DAY + 8 * HOUR);
		op(d, &c, "market", code, "transfer", args, at + 2 * DAY);
	}
	if (stage >= 2)
		op(d, &c, "police", code, "receive", NULL, at + 2 * DAY + 2 * HOUR);
	if (stage == 3)
		op(d, &c, "police", code, "file", "{\"outcome\":\"决定立案侦查\"}", at + 4 * DAY);
	if (stage == 4) {
		op(d, &c, "police", code, "not_file",
		   "{\"fields\":{\"refusal_reasons\":\"现有证据不足以证明达到追诉标准\"}}",
		   at + 4 * DAY);
		attach(d, &c, "market", code, "reconsideration_request", at + 5 * DAY);
		op(d, &c, "market", code, "request_reconsideration", NULL, at + 5 * DAY + HOUR);
		op(d, &c, "police", code, "reconsider_uphold",
		   "{\"fields\":{\"reconsideration_result\":\"维持不予立案决定\"}}", at + 7 * DAY);
	}
	fz_case_release(&c);
}

/* ---- legality review and minors ---- */

static void legality(struct demo *d, const struct fz_region_node *t, int64_t at, int finish)
{
	struct fz_case c;

	fz_case_init(&c);
	create(d, &c, "leader", t->r.code, "legality", t->r.code,
	       "{\"document_title\":\"关于农村人居环境整治的实施方案\",\"scope\":\"major_decision\","
	       "\"submitted_by\":\"乡镇（街道）党政办\",\"summary\":\"整治范围、责任分工与资金保障\"}",
	       at);
	attach(d, &c, "handler", t->r.code, "draft", at + HOUR);
	op(d, &c, "handler", t->r.code, "accept", NULL, at + 2 * HOUR);
	if (finish) {
		attach(d, &c, "handler", t->r.code, "opinion_letter", at + 5 * DAY);
		op(d, &c, "handler", t->r.code, "give_opinion",
		   "{\"fields\":{\"authority_ok\":true,\"procedure_ok\":true,\"content_ok\":true,"
		   "\"conclusion\":\"revise\",\"opinion\":\"建议补充公众参与程序\"},"
		   "\"outcome\":\"修改后合法\"}",
		   at + 5 * DAY + HOUR);
	}
	fz_case_release(&c);
}

static void minor(struct demo *d, const struct fz_region_node *t, int64_t at, int finish)
{
	const struct fz_region_node *v = t->nchildren ? t->children[0] : t;
	struct fz_case c;

	fz_case_init(&c);
	create(d, &c, "grid", t->r.code, "minor", v->r.code,
	       "{\"situation\":\"abuse_neglect\",\"description\":\"儿童长期无人照料\",\"child_age\":8,"
	       "\"place\":\"辖区居民楼\",\"reporter\":\"社区网格员\",\"reporter_phone\":\"13900002222\"}",
	       at);
	op(d, &c, "police", t->r.code, "accept", NULL, at + HOUR / 2);
	if (finish) {
		op(d, &c, "police", t->r.code, "handle",
		   "{\"fields\":{\"measures\":\"联系监护人并由民政部门临时照料\"}}", at + 2 * DAY);
		op(d, &c, "police", t->r.code, "tell_reporter",
		   "{\"outcome\":\"已电话告知报告人\"}", at + 2 * DAY + HOUR);
	}
	fz_case_release(&c);
}

static int any_case(void *ctx, const struct fz_case *c)
{
	(void)c;
	*(int *)ctx = 1;
	return 1;
}

int fz_demo_cases(struct fz_engine *e, struct fz_store *store, const struct fz_region_tree *tree,
		  int64_t now, struct fz_demo_cases_report *out, struct fz_err *err)
{
	struct demo d = { e, store, tree, out, err, 0x2545F4914F6CDD1DULL, 0 };
	struct fz_case_filter f;
	struct places *pl = calloc(1, sizeof(*pl));
	struct fz_db *db = fz_store_reader(store);
	int found = 0;
	int64_t year_start = now - 330 * DAY;

	memset(out, 0, sizeof(*out));
	memset(&f, 0, sizeof(f));
	f.scope_path = "/";
	f.limit = 1;
	if (!pl || !db || fz_store_case_list(db, &f, any_case, &found, err)) {
		fz_store_reader_put(store, db);
		free(pl);
		return fz_err_set(err, FZ_ESTORE, NULL, NULL, "无法读取案件");
	}
	fz_store_reader_put(store, db);
	if (found) {
		out->already = 1;
		free(pl);
		return 0;
	}
	gather(fz_region_tree_find(tree, "330700"), pl);
	/* 2025: 373 disputes accepted, 361 closed; the 12 still open are the
	 * latest of the year */
	for (int i = 0; i < 373 && !d.rc; i++)
		dispute(&d, pl, Y2025 + (int64_t)i * (365 * DAY / 373) + pick(&d, 8) * HOUR,
			i < 361);
	for (int k = 0; k < pl->nd && !d.rc; k++) {
		const struct fz_region_node *dist = pl->districts[k];
		for (int s = 0; s < 5 && !d.rc; s++)
			transfer(&d, dist, year_start + (k * 5 + s) * 6 * DAY, s);
		for (size_t j = 0; j < 2 && j < dist->nchildren && !d.rc; j++) {
			legality(&d, dist->children[j],
				 year_start + (int64_t)(k * 20 + j * 7) * DAY, j == 0);
			minor(&d, dist->children[j],
			      year_start + (int64_t)(k * 21 + j * 9 + 3) * DAY, j == 0);
		}
	}
	free(pl);
	return d.rc;
}
