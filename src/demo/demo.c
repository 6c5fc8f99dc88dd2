#include "demo/demo.h"

#include "audit/audit.h"
#include "auth/password.h"
#include "core/buf.h"
#include "core/err.h"
#include "registry/region.h"
#include "registry/unit.h"
#include "registry/user.h"
#include "store/registry_store.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct seed {
	const char *hash;
	int64_t now;
	struct fz_demo_report *rep;
	struct fz_db *db;
	int rc;
	unsigned phone;
};

/* Name without a trailing suffix (区, 街道...) when it is longer than that. */
static void strip(const char *name, const char *const *suffixes, char *out, size_t size)
{
	size_t n = strlen(name);

	snprintf(out, size, "%s", name);
	for (; *suffixes; suffixes++) {
		size_t k = strlen(*suffixes);
		if (n > k + 3 && strcmp(name + n - k, *suffixes) == 0) {
			snprintf(out, size, "%.*s", (int)(n - k), name);
			return;
		}
	}
}

static int64_t add_unit(struct seed *s, const struct fz_region *r, const char *kind,
			const char *name, struct fz_err *err)
{
	struct fz_unit u;

	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", name);
	snprintf(u.kind, sizeof(u.kind), "%s", kind);
	snprintf(u.region, sizeof(u.region), "%s", r->code);
	u.created_at = u.updated_at = s->now;
	if (!s->rc)
		s->rc = fz_store_unit_insert(s->db, &u, err);
	s->rep->units++;
	return u.id;
}

/* The user <prefix>.<region code>, called <region name><title>. */
static void add_user(struct seed *s, const struct fz_region *r, const char *prefix,
		     const char *title, unsigned roles, int64_t unit, struct fz_err *err)
{
	struct fz_user u;

	memset(&u, 0, sizeof(u));
	snprintf(u.username, sizeof(u.username), "%s.%s", prefix, r->code);
	snprintf(u.display_name, sizeof(u.display_name), "%s%s", r->name, title);
	snprintf(u.password_hash, sizeof(u.password_hash), "%s", s->hash);
	snprintf(u.scope, sizeof(u.scope), "%s", r->code);
	snprintf(u.phone, sizeof(u.phone), "139%08u", 57900000u + s->phone++);
	u.unit_id = unit;
	u.roles = roles;
	u.created_at = s->now;
	if (!s->rc)
		s->rc = fz_store_user_insert(s->db, &u, err);
	s->rep->users++;
}

/* The case handlers of the agencies of a district: <prefix>.<code>. */
static const struct {
	const char *kind, *suffix, *prefix, *title;
	unsigned roles;
} agencies[] = {
	{ "market_regulation", "市场监督管理局", "market", "市场监管局执法人员", FZ_ROLE_HANDLER },
	{ "market_regulation", NULL, "marketlead", "市场监管局负责人", FZ_ROLE_LEADER },
	{ "law_enforcement", "综合行政执法局", "enforce", "综合执法局执法人员", FZ_ROLE_HANDLER },
	{ "civil_affairs", "民政局", "civil", "民政局承办人", FZ_ROLE_HANDLER },
	{ "education", "教育局", "edu", "教育局承办人", FZ_ROLE_HANDLER },
	{ "psb", NULL, "police", "公安承办民警", FZ_ROLE_HANDLER },
	{ "procuratorate", NULL, "proc", "检察院检察官", FZ_ROLE_HANDLER },
};

/* The units of a city or district, and its users (all but the handler sit
 * in the dispute centre; the handler in the justice bureau), and the case
 * handlers of its agencies. */
static void seed_county(struct seed *s, const struct fz_region *r, struct fz_err *err)
{
	static const char *const sfx[] = { "区", NULL };
	char shortname[128], name[256];
	int64_t centre, justice, committee = 0, psb, proc, last = 0, duty, transport;
	int city = strcmp(r->level, "city") == 0;

	strip(r->name, sfx, shortname, sizeof(shortname));
	if (city) {
		snprintf(name, sizeof(name), "%s委政法委", r->name);
		committee = add_unit(s, r, "committee", name, err);
	}
	if (city || strcmp(shortname, r->name) == 0)
		snprintf(name, sizeof(name), "%s公安局", r->name);
	else
		snprintf(name, sizeof(name), "金华市公安局%s分局", shortname);
	psb = add_unit(s, r, "psb", name, err);
	snprintf(name, sizeof(name), "%s人民检察院", r->name);
	proc = add_unit(s, r, "procuratorate", name, err);
	snprintf(name, sizeof(name), city ? "%s中级人民法院" : "%s人民法院", r->name);
	add_unit(s, r, "court", name, err);
	snprintf(name, sizeof(name), "%s司法局", r->name);
	justice = add_unit(s, r, "justice_bureau", name, err);
	snprintf(name, sizeof(name), "%s交通运输局", r->name);
	transport = add_unit(s, r, "transport_bureau", name, err);
	/* the overload route's second unit (apps/overload/routes.json) */
	add_user(s, r, "transport", "交通运输局治超值班员", FZ_ROLE_HANDLER | FZ_ROLE_DISPATCHER,
		 transport, err);
	snprintf(name, sizeof(name), "%s社会矛盾纠纷调处化解中心", r->name);
	centre = add_unit(s, r, "dispute_centre", name, err);
	for (const struct fz_role_def *role = fz_roles; role->role; role++)
		add_user(s, r, role->role, role->name, role->bit,
			 role->bit == FZ_ROLE_HANDLER ? justice
			 : city			      ? committee
						      : centre,
			 err);
	for (size_t i = 0; !city && i < sizeof(agencies) / sizeof(agencies[0]); i++) {
		int64_t unit = strcmp(agencies[i].kind, "psb") == 0		? psb
			       : strcmp(agencies[i].kind, "procuratorate") == 0 ? proc
										: last;
		if (agencies[i].suffix) {
			snprintf(name, sizeof(name), "%s%s", r->name, agencies[i].suffix);
			unit = last = add_unit(s, r, agencies[i].kind, name, err);
		}
		add_user(s, r, agencies[i].prefix, agencies[i].title, agencies[i].roles, unit, err);
	}
	if (!city) {
		/* Where live dispatch escalates (routes.json of the packs). */
		snprintf(name, sizeof(name), "%s交警大队", r->name);
		duty = add_unit(s, r, "traffic_police", name, err);
		add_user(s, r, "traffic", "交警大队值班民警", FZ_ROLE_HANDLER | FZ_ROLE_DISPATCHER,
			 duty, err);
		snprintf(name, sizeof(name), "%s消防救援大队", r->name);
		duty = add_unit(s, r, "fire_rescue", name, err);
		add_user(s, r, "fire", "消防救援大队值班员", FZ_ROLE_HANDLER | FZ_ROLE_DISPATCHER,
			 duty, err);
	}
}

static void seed_township(struct seed *s, const struct fz_region *r, struct fz_err *err)
{
	static const char *const sfx[] = { "街道", "镇", "乡", NULL };
	char shortname[128], name[256];
	int64_t office, centre, station;

	strip(r->name, sfx, shortname, sizeof(shortname));
	snprintf(name, sizeof(name), "%s司法所", shortname);
	office = add_unit(s, r, "justice_office", name, err);
	snprintf(name, sizeof(name), "%s派出所", shortname);
	station = add_unit(s, r, "police_station", name, err);
	snprintf(name, sizeof(name), "%s综合治理中心", r->name);
	centre = add_unit(s, r, "governance_centre", name, err);
	for (const struct fz_role_def *role = fz_roles; role->role; role++)
		add_user(s, r, role->role, role->name, role->bit,
			 role->bit == FZ_ROLE_HANDLER ? office : centre, err);
	add_user(s, r, "police", "派出所民警", FZ_ROLE_HANDLER, station, err);
}

static void seed_village(struct seed *s, const struct fz_region *r, struct fz_err *err)
{
	static const char *const sfx[] = { "居委会", "居民委员会", NULL };
	char shortname[128], name[256];

	if (!strstr(r->name, "社区"))
		return;
	int64_t unit;

	strip(r->name, sfx, shortname, sizeof(shortname));
	snprintf(name, sizeof(name), "%s物业监控室", shortname);
	unit = add_unit(s, r, "property_control", name, err);
	/* The control rooms of the urban districts (婺城区, 金东区) get a user on
	 * duty: control.<community code> (apps/community/cameras.json). */
	if (strncmp(r->code, "330702", 6) == 0 || strncmp(r->code, "330703", 6) == 0)
		add_user(s, r, "control", "物业监控室值班员", FZ_ROLE_DISPATCHER, unit, err);
}

struct walk {
	struct seed *s;
	struct fz_err *err;
	struct fz_region *list;
	size_t n, cap;
};

static int collect(void *ctx, const struct fz_region *r)
{
	struct walk *w = ctx;

	if (fz_array_grow((void **)&w->list, &w->cap, w->n + 1, sizeof(*w->list)))
		return 1;
	w->list[w->n++] = *r;
	return 0;
}

/* Depth-first over the tree below code, seeding each region by its level. */
static int seed_tree(struct seed *s, const char *code, struct fz_err *err)
{
	struct walk w = { s, err, NULL, 0, 0 };
	int rc = fz_store_region_children(s->db, code, collect, &w, err);

	for (size_t i = 0; !rc && !s->rc && i < w.n; i++) {
		const struct fz_region *r = &w.list[i];
		if (strcmp(r->level, "district") == 0)
			seed_county(s, r, err);
		else if (strcmp(r->level, "township") == 0)
			seed_township(s, r, err);
		else if (strcmp(r->level, "village") == 0)
			seed_village(s, r, err);
		if (r->children)
			rc = seed_tree(s, r->code, err);
	}
	free(w.list);
	return rc ? rc : s->rc;
}

static int seed_all(struct fz_db *db, void *arg, struct fz_err *err)
{
	struct seed *s = arg;
	struct fz_region city;
	struct fz_user existing;
	struct fz_audit_entry e;
	int rc;

	s->db = db;
	if (fz_store_user_get_by_name(db, "admin.330700", &existing, NULL) == 0) {
		s->rep->already = 1;
		return 0;
	}
	rc = fz_store_region_get(db, "330700", &city, err);
	if (rc)
		return rc;
	seed_county(s, &city, err);
	rc = s->rc ? s->rc : seed_tree(s, city.code, err);
	if (rc)
		return rc;
	memset(&e, 0, sizeof(e));
	e.at = s->now;
	snprintf(e.actor, sizeof(e.actor), "fazhi demo");
	snprintf(e.ip, sizeof(e.ip), "local");
	snprintf(e.action, sizeof(e.action), "demo.seed");
	snprintf(e.object_type, sizeof(e.object_type), "region");
	snprintf(e.object_id, sizeof(e.object_id), "330700");
	snprintf(e.region, sizeof(e.region), "330700");
	snprintf(e.region_path, sizeof(e.region_path), "%s", city.path);
	snprintf(e.summary, sizeof(e.summary), "演示数据：%zu 个单位，%zu 个用户", s->rep->units,
		 s->rep->users);
	return fz_audit_append(db, &e, err);
}

int fz_demo_seed(struct fz_store *store, const char *password, int64_t now,
		 struct fz_demo_report *out, struct fz_err *err)
{
	char hash[FZ_PASSWORD_HASH_MAX];
	struct seed s = { hash, now, out, NULL, 0, 0 };

	memset(out, 0, sizeof(*out));
	/* One hash for every demo user: they share the password anyway, and
	 * argon2id per user would cost minutes for ~1 000 users. */
	if (fz_password_hash(password, hash, sizeof(hash)))
		return fz_err_set(err, FZ_EINTERNAL, NULL, NULL, "无法计算密码哈希");
	return fz_store_write(store, seed_all, &s, err);
}
