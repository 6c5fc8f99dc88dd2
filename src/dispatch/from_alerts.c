#include "dispatch/from_alerts.h"

#include "core/err.h"
#include "core/log.h"
#include "dispatch/dispatch.h"
#include "cases/case.h"
#include "rules/alerts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const weekdays[] = { "周一", "周二", "周三", "周四", "周五", "周六", "周日" };

/* The top slots of the first hour-of-week aggregate and the top groups of
 * the first distinct aggregate over "station" (or any distinct one). */
static cJSON *likely(const cJSON *aggs)
{
	cJSON *o = cJSON_CreateObject(), *hours = cJSON_AddArrayToObject(o, "hours"),
	      *stations = cJSON_AddArrayToObject(o, "stations");
	const cJSON *a, *it;
	char text[512];
	size_t t = 0;
	int nh = 0, ns = 0;

	cJSON_ArrayForEach(a, aggs)
	{
		const cJSON *top = cJSON_GetObjectItemCaseSensitive(a, "top");
		if (!cJSON_IsArray(top))
			continue;
		cJSON_ArrayForEach(it, top)
		{
			const cJSON *wd = cJSON_GetObjectItemCaseSensitive(it, "weekday"),
				    *hr = cJSON_GetObjectItemCaseSensitive(it, "hour"),
				    *val = cJSON_GetObjectItemCaseSensitive(it, "value"),
				    *cnt = cJSON_GetObjectItemCaseSensitive(it, "count");
			cJSON *x;
			if (cJSON_IsNumber(wd) && cJSON_IsNumber(hr) && nh < 3 &&
			    wd->valueint >= 0 && wd->valueint < 7) {
				x = cJSON_CreateObject();
				cJSON_AddNumberToObject(x, "weekday", wd->valueint);
				cJSON_AddNumberToObject(x, "hour", hr->valueint);
				cJSON_AddNumberToObject(x, "count",
							cJSON_IsNumber(cnt) ? cnt->valuedouble : 0);
				cJSON_AddItemToArray(hours, x);
				nh++;
			} else if (cJSON_IsString(val) && ns < 3 &&
				   (strcmp(a->string, "stations") == 0 || !ns)) {
				x = cJSON_CreateObject();
				cJSON_AddStringToObject(x, "value", val->valuestring);
				cJSON_AddNumberToObject(x, "count",
							cJSON_IsNumber(cnt) ? cnt->valuedouble : 0);
				cJSON_AddItemToArray(stations, x);
				ns++;
			}
		}
	}
	text[0] = '\0';
	cJSON_ArrayForEach(it, hours)
	{
		int wd = cJSON_GetObjectItem(it, "weekday")->valueint;
		int hr = cJSON_GetObjectItem(it, "hour")->valueint;
		t += (size_t)snprintf(text + t, sizeof(text) - t, "%s%s %02d:00-%02d:00",
				      t ? "、" : "最可能出现：", weekdays[wd], hr, (hr + 1) % 24);
		if (t >= sizeof(text))
			t = sizeof(text) - 1;
	}
	ns = 0;
	cJSON_ArrayForEach(it, stations)
	{
		t += (size_t)snprintf(text + t, sizeof(text) - t, "%s%s", ns++ ? "、" : "；常经站点 ",
				      fz_json_str(it, "value"));
		if (t >= sizeof(text))
			t = sizeof(text) - 1;
	}
	cJSON_AddStringToObject(o, "text", text);
	return o;
}

cJSON *fz_dispatch_alert_detail(const struct fz_alert_notice *n)
{
	const struct fz_alert *al = n->alert;
	cJSON *o = cJSON_CreateObject(), *sum, *ex, *c;

	if (!o)
		return NULL;
	fz_json_add_int(o, "alert_id", al->id);
	cJSON_AddStringToObject(o, "rule", al->rule);
	cJSON_AddStringToObject(o, "rule_title", al->rule_title);
	cJSON_AddStringToObject(o, "level", al->level);
	cJSON_AddStringToObject(o, "prev_level", n->prev_level ? n->prev_level : "");
	cJSON_AddNumberToObject(o, "score", al->score);
	fz_json_put(o, "record", n->record->fields ? cJSON_Duplicate(n->record->fields, 1) :
						      cJSON_CreateObject());
	sum = cJSON_AddArrayToObject(o, "summary");
	ex = al->explanation ? fz_json_parse(al->explanation, strlen(al->explanation), 32, NULL) :
			       NULL;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(ex, "contributions"))
	{
		const char *t = fz_json_str(c, "text");
		if (t && t[0] && cJSON_GetArraySize(sum) < 6)
			cJSON_AddItemToArray(sum, cJSON_CreateString(t));
	}
	fz_json_put(o, "likely", likely(cJSON_GetObjectItemCaseSensitive(ex, "aggregates")));
	cJSON_Delete(ex);
	return o;
}

/* A string field of the record, "" if none. */
static const char *field(const struct fz_record *r, const char *name)
{
	const char *v = r->fields ? fz_json_str(r->fields, name) : NULL;
	return v ? v : "";
}

void fz_dispatch_from_alert(void *ctx, const struct fz_alert_notice *n)
{
	struct fz_dispatch *d = ctx;
	const struct fz_record *r = n->record;
	struct fz_dispatch_raise x;
	cJSON *detail;
	char *text = NULL, place[128], lane[32];
	const char *device;
	int64_t ln = 0;
	int rc;

	if (strcmp(n->alert->level, "red") != 0 && strcmp(n->alert->level, "yellow") != 0)
		return;
	detail = fz_dispatch_alert_detail(n);
	/* 2 KiB at most: drop the bulky parts first */
	for (int pass = 0; detail && pass < 3; pass++) {
		free(text);
		text = fz_json_print(detail);
		if (!text || strlen(text) < 2000)
			break;
		if (pass == 0)
			cJSON_DeleteItemFromObject(detail, "record");
		else
			cJSON_DeleteItemFromObject(detail, "summary");
	}
	cJSON_Delete(detail);
	device = *field(r, "station") ? field(r, "station") :
		 *field(r, "camera")  ? field(r, "camera") :
					field(r, "device");
	if (*field(r, "station"))
		snprintf(place, sizeof(place), "治超站 %.100s", device);
	else
		snprintf(place, sizeof(place), "%.100s", *device ? device : n->alert->subject);
	if (r->fields && fz_json_int(r->fields, "lane", &ln))
		snprintf(lane, sizeof(lane), "%lld", (long long)ln);
	else
		snprintf(lane, sizeof(lane), "%s", field(r, "lane"));
	memset(&x, 0, sizeof(x));
	x.rule = n->alert->rule;
	x.level = n->alert->level;
	x.record_id = r->id;
	x.source = r->source;
	x.at = r->at;
	x.received_at = r->received_at;
	x.region = r->region;
	x.has_location = r->has_location;
	x.lon = r->lon;
	x.lat = r->lat;
	x.device = device;
	x.place = place;
	x.plate = strcmp(n->alert->subject_kind, "vehicle") == 0 ? n->alert->subject :
								   field(r, "plate");
	x.lane = lane;
	x.snapshot_ref = field(r, "photo_ref");
	x.detail = text && strlen(text) < 2000 ? text : "{}";
	rc = fz_dispatch_raise(d, &x);
	if (rc && rc != FZ_ENOTFOUND)
		fz_log(FZ_LOG_ERROR, "dispatch: alert %lld not raised (%d)",
		       (long long)n->alert->id, rc);
	free(text);
}

void fz_dispatch_from_case(void *ctx, const struct fz_case *c)
{
	struct fz_dispatch *d = ctx;
	struct fz_dispatch_raise x;
	cJSON *fields = c->fields ? fz_json_parse(c->fields, strlen(c->fields), 16, NULL) : NULL;
	cJSON *o = cJSON_CreateObject(), *sum;
	const char *place = fz_json_str(fields, "place");
	const cJSON *age = cJSON_GetObjectItemCaseSensitive(fields, "child_age");
	char line[256], where[128];
	char *text;
	int rc;

	if (!o) {
		cJSON_Delete(fields);
		return;
	}
	cJSON_AddStringToObject(o, "case_code", c->code);
	cJSON_AddStringToObject(o, "case_type", c->type);
	cJSON_AddStringToObject(o, "title", c->title);
	if (cJSON_IsNumber(age))
		cJSON_AddNumberToObject(o, "child_age", age->valuedouble);
	if (place)
		cJSON_AddStringToObject(o, "place", place);
	sum = cJSON_AddArrayToObject(o, "summary");
	snprintf(line, sizeof(line), "案件 %s：%.180s", c->code, c->title);
	cJSON_AddItemToArray(sum, cJSON_CreateString(line));
	if (cJSON_IsNumber(age)) {
		snprintf(line, sizeof(line), "未成年人 %d 岁", age->valueint);
		cJSON_AddItemToArray(sum, cJSON_CreateString(line));
	}
	snprintf(line, sizeof(line), "首办单位：%.120s", c->unit_name);
	cJSON_AddItemToArray(sum, cJSON_CreateString(line));
	text = fz_json_print(o);
	cJSON_Delete(o);
	snprintf(where, sizeof(where), "%.120s", place ? place : c->region_name);
	cJSON_Delete(fields);
	memset(&x, 0, sizeof(x));
	x.case_type = c->type;
	x.source = "cases";
	x.at = c->created_at;
	x.received_at = c->created_at;
	x.region = c->region;
	x.device = c->code;
	x.place = where;
	x.plate = "";
	x.lane = "";
	x.snapshot_ref = "";
	x.detail = text && strlen(text) < 2000 ? text : "{}";
	rc = fz_dispatch_raise(d, &x);
	if (rc && rc != FZ_ENOTFOUND)
		fz_log(FZ_LOG_ERROR, "dispatch: case %s not raised (%d)", c->code, rc);
	free(text);
}
