#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void fz_err_init(struct fz_err *err)
{
	memset(err, 0, sizeof(*err));
}

int fz_err_set(struct fz_err *err, int code, const char *machine, const char *field,
	       const char *fmt, ...)
{
	va_list ap;

	if (!err || err->code)
		return code;
	err->code = code;
	snprintf(err->machine, sizeof(err->machine), "%s",
		 machine ? machine : fz_err_machine(code));
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

static const struct {
	int code;
	int status;
	const char *machine;
} codes[] = {
	{ FZ_EINVAL, 400, "invalid_field" },
	{ FZ_ENOTFOUND, 404, "not_found" },
	{ FZ_EFORBIDDEN, 403, "forbidden" },
	{ FZ_ECONFLICT, 409, "conflict" },
	{ FZ_ETOOBIG, 413, "too_big" },
	{ FZ_EUNAUTH, 401, "unauthorized" },
	{ FZ_ELOCKED, 429, "locked" },
	{ FZ_ENOMEM, 503, "out_of_memory" },
	{ FZ_ESTORE, 500, "store_error" },
	{ FZ_EVERSION, 500, "wrong_version" },
	{ FZ_EINTERNAL, 500, "internal" },
	{ FZ_EMETHOD, 405, "method_not_allowed" },
	{ FZ_EMEDIA, 415, "unsupported_media_type" },
};

const char *fz_err_machine(int code)
{
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i].code == code)
			return codes[i].machine;
	return "internal";
}

int fz_err_http_status(int code)
{
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i].code == code)
			return codes[i].status;
	return 500;
}

static const struct {
	const char *machine;
	const char *title;
} titles[] = {
	{ "invalid_field", "字段不合法" },
	{ "unknown_field", "未知字段" },
	{ "missing_field", "缺少必填字段" },
	{ "malformed_json", "JSON 格式错误" },
	{ "weak_password", "密码强度不足" },
	{ "not_found", "对象不存在" },
	{ "forbidden", "无权访问" },
	{ "conflict", "数据冲突" },
	{ "too_big", "请求过大" },
	{ "unauthorized", "未登录或登录已失效" },
	{ "locked", "账号已临时锁定" },
	{ "out_of_memory", "服务繁忙" },
	{ "store_error", "数据存储错误" },
	{ "wrong_version", "数据库版本不符" },
	{ "method_not_allowed", "请求方法不支持" },
	{ "unsupported_media_type", "请求体类型不支持" },
	{ "account_disabled", "账号已停用" },
	{ "illegal_transition", "当前状态不能执行此操作" },
	{ "stale_version", "案件已被他人更新" },
	{ "case_closed", "案件已办结" },
	{ "missing_documents", "缺少必需的文书" },
	{ "resolution_only", "该等级只能在化解后转为" },
	{ "invalid_definition", "案件类型定义有误" },
	{ "calendar_year_missing", "工作日历缺少该年度" },
	{ "internal", "内部错误" },
};

const char *fz_err_title(const char *machine)
{
	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		if (strcmp(titles[i].machine, machine) == 0)
			return titles[i].title;
	return "请求错误";
}
