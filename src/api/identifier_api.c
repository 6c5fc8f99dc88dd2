/*
 * /api/v1/identifiers/validate: checks one identifier (datahub/identifier)
 * for anyone signed in. Nothing is read from or written to the store, so
 * the request is not audited: the caller sees only the value they sent.
 */
#include "api/app.h"
#include "api/handlers.h"

#include "core/err.h"
#include "datahub/identifier.h"

#include <string.h>

static const struct fz_json_field validate_spec[] = {
	{ "kind", FZ_JSON_STRING, 1, 16, "id_number、uscc、plate 或 mobile" },
	/* no length limit here: a long value gets the reason value.too_long */
	{ "value", FZ_JSON_STRING, 1, 0, "要校验的号码（文本）" },
	{ NULL },
};

int fz_api_identifier_validate(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_identifier id;
	enum fz_identifier_kind kind;
	const cJSON *body = fz_req_json(req, validate_spec, err);
	const cJSON *value;
	const char *k;

	if (!body)
		return err->code;
	k = fz_json_str(body, "kind");
	if (fz_identifier_kind_parse(k, &kind))
		return fz_err_set(err, FZ_EINVAL, NULL, "kind",
				  "kind: “%.16s”无效，应为 id_number（居民身份证号码）、uscc"
				  "（统一社会信用代码）、plate（机动车号牌）或 mobile（手机号码）",
				  k);
	value = cJSON_GetObjectItemCaseSensitive(body, "value");
	if (fz_identifier_validate(&id, kind, value->valuestring, strlen(value->valuestring),
				   req->now, fz_app_of(req)->regions))
		return fz_err_set(err, FZ_EINTERNAL, NULL, NULL, "号码校验失败");
	return fz_resp_json(resp, 200, fz_identifier_json(&id));
}
