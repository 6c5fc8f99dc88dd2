#include "registry/user.h"

#include "core/err.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const struct fz_role_def fz_roles[] = {
	{ FZ_ROLE_ADMIN, "admin", "系统管理员" },
	{ FZ_ROLE_LEADER, "leader", "领导" },
	{ FZ_ROLE_DISPATCHER, "dispatcher", "调度员" },
	{ FZ_ROLE_HANDLER, "handler", "承办人" },
	{ FZ_ROLE_GRID, "grid", "网格员" },
	{ FZ_ROLE_AUDITOR, "auditor", "审计员" },
	{ 0, NULL, NULL },
};

unsigned fz_role_bit(const char *role)
{
	for (const struct fz_role_def *r = fz_roles; r->role; r++)
		if (strcmp(r->role, role) == 0)
			return r->bit;
	return 0;
}

int fz_user_check_username(const char *s, struct fz_err *err)
{
	size_t n = strlen(s);

	if (n < 3 || n > 63 || !islower((unsigned char)s[0]))
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			goto bad;
	return 0;
bad:
	return fz_err_set(err, FZ_EINVAL, NULL, "username",
			  "username: “%.64s”无效，应为 3-63 位小写字母、数字或 . _ -，以字母开头",
			  s);
}

int fz_user_check_phone(const char *s, struct fz_err *err)
{
	size_t n = strlen(s);

	if (n == 0)
		return 0;
	if (n != 11 || s[0] != '1')
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			goto bad;
	return 0;
bad:
	return fz_err_set(err, FZ_EINVAL, NULL, "phone",
			  "phone: “%.32s”无效，应为以 1 开头的 11 位手机号码", s);
}

static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle), h = strlen(hay);

	for (size_t i = 0; n && i + n <= h; i++)
		if (strncasecmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

int fz_user_check_password(const char *password, const char *username, int min_len,
			   struct fz_err *err)
{
	int upper = 0, lower = 0, digit = 0, other = 0, chars = 0;

	for (const unsigned char *p = (const unsigned char *)password; *p; p++) {
		if ((*p & 0xC0) != 0x80)
			chars++; /* count UTF-8 characters, not bytes */
		if (isupper(*p))
			upper = 1;
		else if (islower(*p))
			lower = 1;
		else if (isdigit(*p))
			digit = 1;
		else if ((*p & 0xC0) != 0x80)
			other = 1;
	}
	if (chars < min_len)
		return fz_err_set(err, FZ_EINVAL, "weak_password", "password",
				  "password: 只有 %d 个字符，至少需要 %d 个", chars, min_len);
	if (strlen(password) > 256)
		return fz_err_set(err, FZ_EINVAL, "weak_password", "password",
				  "password: 超过 256 字节");
	if (upper + lower + digit + other < 3)
		return fz_err_set(err, FZ_EINVAL, "weak_password", "password",
				  "password: 应至少包含大写字母、小写字母、数字、符号中的三类");
	if (username && strlen(username) >= 3 && contains_ci(password, username))
		return fz_err_set(err, FZ_EINVAL, "weak_password", "password",
				  "password: 不能包含用户名");
	return 0;
}

void fz_user_mask_phone(const char *phone, char *out, size_t size)
{
	size_t n = strlen(phone);

	if (n < 7) {
		snprintf(out, size, "%s", n ? "****" : "");
		return;
	}
	snprintf(out, size, "%.3s****%s", phone, phone + n - 4);
}
