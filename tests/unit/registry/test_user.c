/* Unit tests of registry/user and registry/unit: validation and tables. */
#include "support.h"

#include "core/err.h"
#include "registry/unit.h"
#include "registry/user.h"

#include <string.h>

static int username(const char *s, struct fz_err *err)
{
	fz_err_init(err);
	return fz_user_check_username(s, err);
}

static int password(const char *pw, const char *user, int min, struct fz_err *err)
{
	fz_err_init(err);
	return fz_user_check_password(pw, user, min, err);
}

static void username_accepts_valid_names(void **state)
{
	static const char *ok[] = {
		"abc",	   "zhang.san",
		"li_si-2", "a12",
		"x..",	   "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc"
	};
	struct fz_err err;

	assert_int_equal(strlen(ok[5]), 63);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_int_equal(username(ok[i], &err), 0);
}

static void username_refuses_bad_names(void **state)
{
	static const char *bad[] = {
		"",	"ab",
		"1abc", "_abc",
		".abc", "Abc",
		"abC",	"zhang san",
		"张三", "abc@x",
		"abc/", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd",
	};
	struct fz_err err;

	assert_int_equal(strlen(bad[11]), 64);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(username(bad[i], &err), FZ_EINVAL);
		assert_string_equal(err.field, "username");
	}
	/* the message names the bad value */
	username("Abc", &err);
	assert_non_null(strstr(err.msg, "Abc"));
}

static void phone_rules(void **state)
{
	static const char *bad[] = { "1381234567",  "138123456789", "23812345678",
				     "1381234567a", "+8613812345",  "138 1234 567" };
	struct fz_err err;

	fz_err_init(&err);
	assert_int_equal(fz_user_check_phone("13812345678", &err), 0);
	assert_int_equal(fz_user_check_phone("", &err), 0); /* no phone is allowed */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fz_err_init(&err);
		assert_int_equal(fz_user_check_phone(bad[i], &err), FZ_EINVAL);
		assert_string_equal(err.field, "phone");
	}
}

static void password_accepts_strong(void **state)
{
	struct fz_err err;

	assert_int_equal(password("Correct-Horse9", "zhangsan", 10, &err), 0);
	assert_int_equal(password("correct-horse9", "zhangsan", 10, &err), 0); /* no upper */
	assert_int_equal(password("CORRECTHORSE9!", "zhangsan", 10, &err), 0); /* no lower */
	assert_int_equal(password("Correct-Horse", "zhangsan", 10, &err), 0);  /* no digit */
	assert_int_equal(password("CorrectHorse9", "zhangsan", 10, &err), 0);  /* no symbol */
}

static void password_too_short_is_weak(void **state)
{
	struct fz_err err;

	assert_int_equal(password("Abc-12345", "zhangsan", 10, &err), FZ_EINVAL);
	assert_string_equal(err.machine, "weak_password");
	assert_string_equal(err.field, "password");
	assert_non_null(strstr(err.msg, "10"));
	assert_int_equal(password("Abc-123456", "zhangsan", 10, &err), 0);
}

static void password_length_counts_characters_not_bytes(void **state)
{
	struct fz_err err;

	/* 9 characters but 21 bytes: too short */
	assert_int_equal(password("Aa1密码密码密码", "zhangsan", 10, &err), FZ_EINVAL);
	assert_string_equal(err.machine, "weak_password");
	assert_non_null(strstr(err.msg, "9"));
	/* 10 characters: long enough (upper, lower and "other") */
	assert_int_equal(password("Aa1密码密码密码码", "zhangsan", 10, &err), 0);
}

static void password_over_256_bytes_is_refused(void **state)
{
	char pw[300];
	struct fz_err err;

	memset(pw, 'a', sizeof(pw) - 1);
	pw[sizeof(pw) - 1] = '\0';
	pw[0] = 'A';
	pw[1] = '1';
	assert_int_equal(password(pw, "zhangsan", 10, &err), FZ_EINVAL);
	assert_string_equal(err.machine, "weak_password");
	pw[256] = '\0';
	assert_int_equal(password(pw, "zhangsan", 10, &err), 0);
}

static void password_needs_three_classes(void **state)
{
	static const char *two[] = { "abcdefghij12", "ABCDEFGHIJ12", "abcdefGHIJKL", "----------12",
				     "abcd-efgh-ij" };
	struct fz_err err;

	for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++) {
		assert_int_equal(password(two[i], "zhangsan", 10, &err), FZ_EINVAL);
		assert_string_equal(err.machine, "weak_password");
	}
}

static void password_must_not_contain_username(void **state)
{
	struct fz_err err;

	assert_int_equal(password("Xzhangsan-9", "zhangsan", 10, &err), FZ_EINVAL);
	assert_string_equal(err.machine, "weak_password");
	/* case-insensitively */
	assert_int_equal(password("1-ZhangSan-1", "zhangsan", 10, &err), FZ_EINVAL);
	assert_string_equal(err.machine, "weak_password");
	assert_int_equal(password("ZHANGSAN-99", "zhangsan", 10, &err), FZ_EINVAL);
	/* a part of the name is fine */
	assert_int_equal(password("Zhang-San-99", "zhangsan", 10, &err), 0);
}

static void mask_phone_hides_middle(void **state)
{
	char out[32];

	fz_user_mask_phone("13812345678", out, sizeof(out));
	assert_string_equal(out, "138****5678");
	fz_user_mask_phone("", out, sizeof(out));
	assert_string_equal(out, "");
	/* short values never leak in full */
	fz_user_mask_phone("12345", out, sizeof(out));
	assert_null(strstr(out, "12345"));
	/* a small out is truncated, not overrun */
	fz_user_mask_phone("13812345678", out, 6);
	assert_string_equal(out, "138**");
}

static void role_bits(void **state)
{
	assert_int_equal(fz_role_bit("admin"), FZ_ROLE_ADMIN);
	assert_int_equal(fz_role_bit("leader"), FZ_ROLE_LEADER);
	assert_int_equal(fz_role_bit("dispatcher"), FZ_ROLE_DISPATCHER);
	assert_int_equal(fz_role_bit("handler"), FZ_ROLE_HANDLER);
	assert_int_equal(fz_role_bit("grid"), FZ_ROLE_GRID);
	assert_int_equal(fz_role_bit("auditor"), FZ_ROLE_AUDITOR);
	assert_int_equal(fz_role_bit("Admin"), 0);
	assert_int_equal(fz_role_bit("root"), 0);
	assert_int_equal(fz_role_bit(""), 0);
}

static void role_table_covers_all_bits_once(void **state)
{
	unsigned seen = 0;

	for (const struct fz_role_def *r = fz_roles; r->role; r++) {
		assert_int_equal(seen & r->bit, 0);
		seen |= r->bit;
		assert_true(strlen(r->name) > 0);
	}
	assert_int_equal(seen, FZ_ROLE_ALL);
}

static void unit_kind_names(void **state)
{
	assert_string_equal(fz_unit_kind_name("justice_office"), "司法所");
	assert_string_equal(fz_unit_kind_name("psb"), "公安局");
	assert_string_equal(fz_unit_kind_name("committee"), "政法委");
	assert_null(fz_unit_kind_name("ministry"));
	assert_null(fz_unit_kind_name(""));
	for (const struct fz_unit_kind *k = fz_unit_kinds; k->kind; k++)
		assert_string_equal(fz_unit_kind_name(k->kind), k->name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(username_accepts_valid_names),
		cmocka_unit_test(username_refuses_bad_names),
		cmocka_unit_test(phone_rules),
		cmocka_unit_test(password_accepts_strong),
		cmocka_unit_test(password_too_short_is_weak),
		cmocka_unit_test(password_length_counts_characters_not_bytes),
		cmocka_unit_test(password_over_256_bytes_is_refused),
		cmocka_unit_test(password_needs_three_classes),
		cmocka_unit_test(password_must_not_contain_username),
		cmocka_unit_test(mask_phone_hides_middle),
		cmocka_unit_test(role_bits),
		cmocka_unit_test(role_table_covers_all_bits_once),
		cmocka_unit_test(unit_kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
