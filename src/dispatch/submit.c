/*
 * submit: device messages straight to dispatch, for a build without the
 * data hub's ingest pipeline (src/datahub/ingest.h). It checks the fields
 * of community.camera_event itself and hands each record to the sink with
 * record id 0. Once the ingest pipeline is in the build, the MQTT client
 * delivers to fz_ingest_submit instead (records stored, bad ones
 * quarantined) and this file only serves the unit tests and benchmarks.
 */
#include "dispatch/dispatch.h"

#include "core/clock.h"
#include "core/err.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_LINES 10000

static int check_str(const cJSON *o, const char *name, int required, size_t max, int line,
		     struct fz_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!v && !required)
		return 0;
	if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > max)
		return fz_err_set(err, FZ_EINVAL, NULL, name, "第 %d 行 %s: 应为 1 到 %zu 字节的字符串",
				  line, name, max);
	return 0;
}

static int one(struct fz_dispatch *d, const char *source, const char *type, const cJSON *o,
	       int line, int64_t now, struct fz_err *err)
{
	struct fz_record r;
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(o, "at"),
		    *dwell = cJSON_GetObjectItemCaseSensitive(o, "dwell_s");
	int rc;

	if (!cJSON_IsObject(o))
		return fz_err_set(err, FZ_EINVAL, NULL, "", "第 %d 行: 应为 JSON 对象", line);
	if ((rc = check_str(o, "camera", 1, 63, line, err)) ||
	    (rc = check_str(o, "kind", 1, 31, line, err)) ||
	    (rc = check_str(o, "plate", 0, 20, line, err)) ||
	    (rc = check_str(o, "lane", 0, 31, line, err)) ||
	    (rc = check_str(o, "snapshot_ref", 0, 255, line, err)))
		return rc;
	memset(&r, 0, sizeof(r));
	if (cJSON_IsString(at)) {
		if (fz_time_parse(at->valuestring, &r.at))
			return fz_err_set(err, FZ_EINVAL, NULL, "at",
					  "第 %d 行 at: 应为 RFC 3339 时间", line);
	} else if (cJSON_IsNumber(at) && at->valuedouble > 0 && at->valuedouble < 1e15) {
		r.at = (int64_t)at->valuedouble;
	} else {
		return fz_err_set(err, FZ_EINVAL, NULL, "at",
				  "第 %d 行 at: 应为 RFC 3339 时间或 UTC 毫秒数", line);
	}
	if (dwell && (!cJSON_IsNumber(dwell) || dwell->valuedouble < 0 ||
		      dwell->valuedouble > 86400 * 30 || floor(dwell->valuedouble) != dwell->valuedouble))
		return fz_err_set(err, FZ_EINVAL, NULL, "dwell_s",
				  "第 %d 行 dwell_s: 应为 0 到 2592000 的整数秒", line);
	r.source = source;
	r.type = type;
	r.external_id = "";
	r.received_at = now;
	r.region = "";
	r.fields = o;
	return fz_dispatch_on_record(d, &r);
}

int fz_dispatch_submit(struct fz_dispatch *d, const char *source, const char *type,
		       const char *body, size_t len, int64_t now, struct fz_err *err)
{
	const char *p = body, *end = body + len;
	int line = 0, rc = 0;

	if (strcmp(type, "community.camera_event") != 0)
		return fz_err_set(err, FZ_EINVAL, NULL, "type",
				  "type: 未启用数据汇聚时只接收 community.camera_event（收到 %.63s）",
				  type);
	while (p < end && !rc) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		cJSON *o;
		struct fz_err perr;
		line++;
		if (line > MAX_LINES)
			return fz_err_set(err, FZ_ETOOBIG, NULL, "", "一条消息最多 %d 行", MAX_LINES);
		if (n && !(n == 1 && p[0] == '\r')) {
			fz_err_init(&perr);
			o = fz_json_parse(p, n, 8, &perr);
			if (!o)
				return fz_err_set(err, perr.code, NULL, "", "第 %d 行: %s", line,
						  perr.msg);
			rc = one(d, source, type, o, line, now, err);
			if (rc == FZ_ENOTFOUND) /* counted and logged by dispatch */
				rc = 0;
			cJSON_Delete(o);
		}
		p = nl ? nl + 1 : end;
	}
	return rc;
}
