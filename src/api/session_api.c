/* POST, GET and DELETE /api/v1/session: sign-in and sign-out. */
#include "api/app.h"
#include "api/handlers.h"

#include "core/clock.h"
#include "core/err.h"
#include "store/registry_store.h"

#include <string.h>

static const struct fz_json_field sign_in_spec[] = {
	{ "username", FZ_JSON_STRING, 1, 63, "用户名字符串" },
	{ "password", FZ_JSON_STRING, 1, 256, "密码字符串" },
	{ NULL, 0, 0, 0, NULL },
};

int fz_api_session_create(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	cJSON *body = fz_req_json(req, sign_in_spec, err), *out;
	struct fz_user user;
	char token[64];
	int64_t expires = 0;
	int rc;

	if (!body)
		return FZ_EINVAL;
	rc = fz_auth_sign_in(fz_app_of(req)->store, &fz_app_of(req)->policy,
			     fz_json_str(body, "username"), fz_json_str(body, "password"), req->ip,
			     req->now, token, &user, &expires, err);
	if (rc)
		return rc;
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "token", token);
	fz_app_add_time(out, "expires_at", expires);
	fz_json_put(out, "user", fz_app_user_json(&user, 0));
	memset(token, 0, sizeof(token));
	return fz_resp_json(resp, 201, out);
}

int fz_api_session_get(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	struct fz_db *db = fz_app_db(req, err);
	struct fz_user user;
	cJSON *out;
	int rc;

	if (!db)
		return FZ_ENOMEM;
	rc = fz_store_user_get(db, req->who->user_id, &user, err);
	if (rc)
		return rc;
	out = cJSON_CreateObject();
	fz_json_put(out, "user", fz_app_user_json(&user, 0));
	fz_app_add_time(out, "expires_at", req->who->expires_at);
	return fz_resp_json(resp, 200, out);
}

int fz_api_session_delete(struct fz_req *req, struct fz_resp *resp, struct fz_err *err)
{
	int rc = fz_auth_sign_out(fz_app_of(req)->store, req->who, req->ip, req->now, err);

	if (rc)
		return rc;
	resp->status = 204;
	return 0;
}
