#include "demo/demo_records.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "datahub/ingest.h"
#include "datahub/source.h"
#include "store/record_store.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One source per department, with the record types it may send. */
static const struct {
	const char *name, *title, *types;
} sources[] = {
	{ "jt-wim", "交通运输局 不停车检测（动态称重）", "[\"overload.weighing\"]" },
	{ "police-110", "公安局 110 警情", "[\"family.police\",\"dispute.call\"]" },
	{ "court", "中级人民法院", "[\"family.court\"]" },
	{ "civil-affairs", "民政局 婚姻登记与救助", "[\"family.civil_affairs\"]" },
	{ "justice", "司法局 调解、法律援助与社区矫正", "[\"family.justice\",\"dispute.mediation\"]" },
	{ "health", "卫生健康委", "[\"family.health\"]" },
	{ "petition", "信访局 12345 与妇联", "[\"family.petition\"]" },
	{ "grid", "基层治理四平台 网格员", "[\"family.grid\"]" },
	{ "corrections", "社区矫正管理局 定位与签到终端", "[\"correction.ping\",\"correction.checkin\"]" },
	{ "ai-camera", "平安社区 AI 摄像头平台", "[\"community.camera_event\"]" },
};

/*
 * Weigh-in-motion stations on real roads, each inside the district its code
 * names (checked with the district locator when this table was written).
 */
static const struct {
	const char *code;
	double lon, lat;
} stations[] = {
	{ "JH-WC-01", 119.600, 29.200 }, /* 婺城区 G330 国道 罗店段 */
	{ "JH-WC-02", 119.420, 29.050 }, /* 婺城区 G60 沪昆高速 汤溪段 */
	{ "JH-JD-01", 119.800, 29.130 }, /* 金东区 金义都市快速路 孝顺段 */
	{ "JH-JD-02", 119.760, 29.040 }, /* 金东区 S216 澧浦段 */
	{ "JH-LX-01", 119.470, 29.220 }, /* 兰溪市 G330 国道 */
	{ "JH-YW-01", 120.030, 29.280 }, /* 义乌市 G60 沪昆高速 义乌段 */
	{ "JH-YW-02", 120.150, 29.330 }, /* 义乌市 G1512 甬金高速 义乌东 */
	{ "JH-DY-01", 120.250, 29.180 }, /* 东阳市 S37 诸永高速 南马段 */
	{ "JH-YK-01", 120.030, 28.900 }, /* 永康市 G330 国道 */
	{ "JH-WY-01", 119.800, 28.880 }, /* 武义县 G25 长深高速 */
	{ "JH-PJ-01", 119.890, 29.460 }, /* 浦江县 G235 国道 */
	{ "JH-PA-01", 120.450, 29.060 }, /* 磐安县 G1512 甬金高速 磐安段 */
};
#define NSTATIONS (sizeof(stations) / sizeof(stations[0]))

#define WEIGHINGS 12000 /* a year at twelve stations, kept small so demo stays fast */
#define FLEET	  600

struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

static double uniform(struct rng *r)
{
	return (double)(next(r) >> 11) / 9007199254740992.0;
}

static int pick(struct rng *r, int n)
{
	return (int)(next(r) % (uint64_t)n);
}

/* GB 1589-2016 gross limits (kg) by axles and kind (DOMAIN.md §4). */
static int limit_kg(int axles, int combination)
{
	static const int truck[] = { 0, 0, 18000, 25000, 31000 };
	static const int combo[] = { 0, 0, 18000, 27000, 36000, 43000, 49000 };

	if (!combination)
		return axles <= 4 ? truck[axles] : 31000;
	return axles >= 6 ? 49000 : combo[axles];
}

static const char letters[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";

static void fleet_plate(int i, char *out, size_t size)
{
	static const char *const provinces[] = { "浙G", "浙G", "浙G", "浙G", "浙A", "浙D", "皖C", "赣E", "闽H" };
	struct rng r = { 0x9E3779B97F4A7C15ULL ^ (uint64_t)(i + 1) * 0x100000001B3ULL };

	next(&r);
	snprintf(out, size, "%s%c%04d", provinces[i % 9], letters[pick(&r, 24)],
		 (int)(next(&r) % 10000));
}

/* An hour of day: trucks run day and night, fewer between 01:00 and 05:00. */
static int hour_of_day(struct rng *r)
{
	static const int weight[24] = { 3, 2, 2, 2, 2, 3, 5, 7, 8, 8, 8, 8,
					7, 7, 8, 8, 8, 8, 7, 6, 5, 5, 4, 4 };
	int total = 0, x;

	for (int i = 0; i < 24; i++)
		total += weight[i];
	x = pick(r, total);
	for (int i = 0; i < 24; i++)
		if ((x -= weight[i]) < 0)
			return i;
	return 12;
}

static void add_weighing(struct fz_buf *b, const char *id, int st, int64_t at, const char *plate,
			 int axles, int combination, int gross, double speed, int lane)
{
	fz_buf_addf(b,
		    "{\"id\":\"%s\",\"station\":\"%s\",\"at\":%lld,\"plate\":\"%s\",\"axles\":%d,"
		    "\"vehicle_kind\":\"%s\",\"gross_kg\":%d,\"speed_kmh\":%.1f,\"lane\":%d,"
		    "\"photo_ref\":\"wim/%s/%s.jpg\",\"lon\":%.6f,\"lat\":%.6f}\n",
		    id, stations[st].code, (long long)at, plate, axles,
		    combination ? "combination" : "truck", gross, speed, lane, stations[st].code, id,
		    stations[st].lon, stations[st].lat);
}

/* A day of the demo year at hour:minute Beijing time. */
static int64_t at_day(int day, int hour, int minute)
{
	return FZ_DEMO_RECORDS_START + (int64_t)day * 86400000LL +
	       ((int64_t)hour * 60 + minute) * 60000LL;
}

static void weighings(struct fz_buf *b)
{
	struct rng r = { 20250301 };
	char id[32], plate[24];

	for (int i = 0; i < WEIGHINGS; i++) {
		int axles, combination, limit, gross;
		double f = uniform(&r);
		int a = pick(&r, 100);
		axles = a < 20 ? 2 : a < 35 ? 3 : a < 50 ? 4 : a < 60 ? 5 : 6;
		combination = axles >= 5 || (axles >= 3 && pick(&r, 3) == 0);
		limit = limit_kg(axles, combination);
		/* mostly legal: loaded 45-98 % of the limit; one in twenty over it */
		if (pick(&r, 20) == 0)
			f = 1.02 + 0.5 * uniform(&r) * uniform(&r);
		else
			f = 0.45 + 0.53 * f;
		gross = (int)(limit * f) / 10 * 10;
		snprintf(id, sizeof(id), "W%06d", i + 1);
		fleet_plate(pick(&r, FLEET), plate, sizeof(plate));
		add_weighing(b, id, pick(&r, NSTATIONS),
			     at_day(pick(&r, 365), hour_of_day(&r), pick(&r, 60)), plate, axles,
			     combination, gross, 45 + 40 * uniform(&r), 1 + pick(&r, 3));
	}
}

/*
 * The seed's truck: a six-axle combination (limit 49 t) with 56 overloads in
 * the year, 18 of them above 100 t, mostly between 00:00 and 05:00, on its
 * route through 婺城区, 金东区 and 兰溪市; plus its legal daytime passes.
 */
static void offender(struct fz_buf *b)
{
	static const int route[] = { 0, 2, 4, 1 };
	struct rng r = { 72958 };
	char id[32];

	for (int i = 0; i < 56; i++) {
		int heavy = i % 3 == 0 && i < 54; /* 18 of them */
		int gross = heavy ? 100500 + pick(&r, 18000) : 56000 + pick(&r, 40000);
		int night = i % 8 != 7; /* 49 of 56 between 00:00 and 05:00 */
		int hour = night ? pick(&r, 5) : 6 + pick(&r, 16);
		snprintf(id, sizeof(id), "W9%05d", i + 1);
		add_weighing(b, id, route[pick(&r, 4)], at_day(3 + i * 6 + pick(&r, 4), hour, pick(&r, 60)),
			     FZ_DEMO_OFFENDER_PLATE, 6, 1, gross / 10 * 10, 55 + 25 * uniform(&r),
			     1 + pick(&r, 2));
	}
	for (int i = 0; i < 30; i++) {
		snprintf(id, sizeof(id), "W8%05d", i + 1);
		add_weighing(b, id, route[pick(&r, 4)], at_day(5 + i * 12, 9 + pick(&r, 8), pick(&r, 60)),
			     FZ_DEMO_OFFENDER_PLATE, 6, 1, 17000 + pick(&r, 20000), 70 + 15 * uniform(&r),
			     2);
	}
}

/* GB 11643 check character. */
static void id_number(const char *body17, char out[19])
{
	static const int w[] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	int sum = 0;

	for (int i = 0; i < 17; i++)
		sum += (body17[i] - '0') * w[i];
	snprintf(out, 19, "%s%c", body17, "10X98765432"[sum % 11]);
}

struct person {
	const char *body17;
	char id[19];
};

static struct person people[] = {
	{ "33070219860415231", "" }, /* 婺城区, 1986: the husband of the demo case */
	{ "33070219890923142", "" }, /* his wife */
	{ "33078219920101303", "" }, /* 义乌市 */
	{ "33078219940718204", "" },
	{ "33070319780305551", "" }, /* 金东区 */
	{ "33070319800612262", "" },
};

static void family(struct fz_buf *police, struct fz_buf *court, struct fz_buf *civil,
		   struct fz_buf *justice, struct fz_buf *grid, struct fz_buf *calls)
{
	char id[32];
	int n = 0;

	for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++)
		id_number(people[i].body17, people[i].id);
#define FAM(buf, item, p, c, day, detail)                                                        \
	do {                                                                                       \
		snprintf(id, sizeof(id), "F%05d", ++n);                                            \
		fz_buf_addf(buf,                                                                   \
			    "{\"id\":\"%s\",\"person_id\":\"%s\",\"item\":\"%s\",\"at\":%lld,"    \
			    "\"counterpart_id\":\"%s\",\"detail\":\"%s\"}\n",                      \
			    id, people[p].id, item, (long long)at_day(day, 21, 30), people[c].id,   \
			    detail);                                                               \
	} while (0)
	FAM(police, "family_dispute_call", 0, 1, 200, "夫妻因财产问题争吵，民警到场调解");
	FAM(police, "dv_call", 1, 0, 290, "妻子报警称遭丈夫殴打");
	FAM(police, "repeat_call", 1, 0, 300, "一个月内第三次报警");
	FAM(police, "warning_letter", 0, 1, 301, "出具家庭暴力告诫书");
	FAM(police, "threat", 0, 1, 352, "扬言报复妻子家人");
	FAM(court, "protection_order_applied", 1, 0, 305, "申请人身安全保护令");
	FAM(court, "protection_order_granted", 1, 0, 306, "72 小时内签发");
	FAM(court, "divorce_filed", 1, 0, 320, "妻子提起离婚诉讼");
	FAM(civil, "cooling_off_withdrawal", 2, 3, 150, "离婚冷静期内一方撤回");
	FAM(justice, "mediation", 2, 3, 160, "村调委会调解，达成协议");
	FAM(grid, "grid_report", 4, 5, 331, "网格员走访发现夫妻长期争吵");
	FAM(police, "dv_call", 5, 4, 330, "家庭暴力警情");
#undef FAM
	for (int i = 0; i < 24; i++) {
		struct rng r = { 110u + (uint64_t)i };
		int st = pick(&r, (int)NSTATIONS);
		snprintf(id, sizeof(id), "C%05d", i + 1);
		fz_buf_addf(calls,
			    "{\"id\":\"%s\",\"caller_id\":\"%s\",\"other_id\":\"%s\",\"at\":%lld,"
			    "\"summary\":\"%s\",\"lon\":%.5f,\"lat\":%.5f}\n",
			    id, people[i % 6].id, people[(i + 1) % 6].id,
			    (long long)at_day(30 + i * 13, 8 + i % 14, 5), i % 3 ? "邻里纠纷" : "家庭纠纷",
			    stations[st].lon + 0.01 * uniform(&r), stations[st].lat + 0.01 * uniform(&r));
	}
}

static int already(struct fz_store *store, struct fz_err *err)
{
	struct fz_db *db = fz_store_reader(store);
	struct fz_source_row s;
	struct fz_err e;
	int rc;

	if (!db)
		return fz_err_set(err, FZ_ENOMEM, NULL, NULL, "内存不足");
	fz_err_init(&e);
	rc = fz_source_store_get(db, "jt-wim", &s, &e);
	fz_store_reader_put(store, db);
	return rc == 0;
}

static int submit(struct fz_ingest *in, const char *source, const char *type, struct fz_buf *b,
		  int64_t now, struct fz_demo_records_report *out, struct fz_err *err)
{
	struct fz_ingest_summary sum;
	int rc;

	if (!b->len)
		return 0;
	rc = fz_ingest_submit(in, source, type, b->data, b->len, FZ_INGEST_NDJSON, now, &sum, err);
	out->records += sum.accepted;
	out->quarantined += sum.quarantined;
	fz_ingest_summary_release(&sum);
	return rc;
}

int fz_demo_records(struct fz_store *store, struct fz_ingest *in, int64_t now,
		    struct fz_demo_records_report *out, struct fz_err *err)
{
	struct fz_buf wim, police, court, civil, justice, grid, calls;
	struct fz_buf *all[] = { &wim, &police, &court, &civil, &justice, &grid, &calls };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (already(store, err)) {
		out->already = 1;
		return 0;
	}
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]) && !rc; i++) {
		char key[FZ_SOURCE_KEY_LEN];
		cJSON *types = cJSON_Parse(sources[i].types);
		rc = fz_source_add(store, sources[i].name, sources[i].title, 0, types, now, key, err);
		cJSON_Delete(types);
		out->sources++;
	}
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		fz_buf_init(all[i], 64u << 20);
	weighings(&wim);
	offender(&wim);
	family(&police, &court, &civil, &justice, &grid, &calls);
	if (!rc)
		rc = submit(in, "jt-wim", "overload.weighing", &wim, now, out, err);
	if (!rc)
		rc = submit(in, "police-110", "family.police", &police, now, out, err);
	if (!rc)
		rc = submit(in, "police-110", "dispute.call", &calls, now, out, err);
	if (!rc)
		rc = submit(in, "court", "family.court", &court, now, out, err);
	if (!rc)
		rc = submit(in, "civil-affairs", "family.civil_affairs", &civil, now, out, err);
	if (!rc)
		rc = submit(in, "justice", "family.justice", &justice, now, out, err);
	if (!rc)
		rc = submit(in, "grid", "family.grid", &grid, now, out, err);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		fz_buf_release(all[i]);
	return rc;
}
