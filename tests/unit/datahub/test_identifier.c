/*
 * Unit tests of datahub/identifier: ID numbers, credit codes, plates and
 * mobile numbers, valid and invalid, with every reason and what each
 * encodes, normalising, limits and masking.
 *
 * Every check character below was computed by hand from the standard's
 * weights (ID: 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, mod 11 → 1 0 X 9 8 7 6
 * 5 4 3 2; credit code: 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28,
 * mod 31; organisation code: 3 7 9 10 5 8 4 2, mod 11); the comment above a
 * value says what it is. "Now" is fixed at 2026-03-02 09:00 in Shanghai.
 */
#include "support.h"

#include "core/err.h"
#include "datahub/identifier.h"
#include "registry/region_tree.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2026-03-02T01:00:00Z, 09:00 in Shanghai */
#define NOW 1772413200000LL

static struct fz_store *store;
static struct fz_region_tree *tree;

static int load(void **state)
{
	struct fz_err err;

	(void)state;
	fz_err_init(&err);
	store = ts_store();
	if (fz_region_tree_load(store, &tree, &err))
		fail_msg("region tree: %s", err.msg);
	return 0;
}

static int unload(void **state)
{
	(void)state;
	fz_region_tree_free(tree);
	fz_store_free(store);
	return 0;
}

static struct fz_identifier id;

static const struct fz_identifier *check(enum fz_identifier_kind kind, const char *value)
{
	assert_int_equal(fz_identifier_validate(&id, kind, value, strlen(value), NOW, tree), 0);
	assert_int_equal(id.valid, id.nreasons == 0);
	return &id;
}

/* The message of the reason with code, failing the test when there is none. */
static const char *reason(const struct fz_identifier *r, const char *code)
{
	for (size_t i = 0; i < r->nreasons; i++)
		if (strcmp(r->reasons[i].code, code) == 0)
			return r->reasons[i].msg;
	fail_msg("no reason %s among %zu (first: %s %s)", code, r->nreasons,
		 r->nreasons ? r->reasons[0].code : "-", r->nreasons ? r->reasons[0].msg : "-");
	return NULL;
}

static void assert_contains(const char *s, const char *part)
{
	if (!strstr(s, part))
		fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

/* ---- ID numbers ---- */

static void id_number_valid_decodes_region_birth_sex_age(void **state)
{
	const struct fz_identifier *r;

	(void)state;
	/* 婺城区, born 1990-03-07, 17th digit 3: a man, 35 until his birthday on 3-07 */
	r = check(FZ_IDENTIFIER_ID_NUMBER, "330702199003071233");
	assert_true(r->valid);
	assert_string_equal(r->value, "330702199003071233");
	assert_string_equal(r->region.code, "330702");
	assert_string_equal(r->region.name, "浙江省金华市婺城区");
	assert_int_equal(r->region.known, 1);
	assert_string_equal(r->person.birth_date, "1990-03-07");
	assert_int_equal(r->person.sex, FZ_SEX_MALE);
	assert_int_equal(r->person.age, 35);
	assert_int_equal(r->person.legacy, 0);
	assert_string_equal(r->person.id18, "");
	/* 金东区, born 1980-01-01, 17th digit 4: a woman of 46 */
	r = check(FZ_IDENTIFIER_ID_NUMBER, "330703198001010041");
	assert_true(r->valid);
	assert_string_equal(r->region.name, "浙江省金华市金东区");
	assert_int_equal(r->person.sex, FZ_SEX_FEMALE);
	assert_int_equal(r->person.age, 46);
}

static void id_number_check_character_x(void **state)
{
	const struct fz_identifier *r;

	(void)state;
	/* the standard's own example: 朝阳区, 1949-12-31, check character X; typed
	 * with a lower-case x and surrounded by spaces and a tab */
	r = check(FZ_IDENTIFIER_ID_NUMBER, "  11010519491231002x\t");
	assert_true(r->valid);
	assert_string_equal(r->value, "11010519491231002X");
	assert_int_equal(r->person.sex, FZ_SEX_FEMALE);
	assert_int_equal(r->person.age, 76);
	/* Beijing is not in the loaded tree: valid, named by its province only */
	assert_string_equal(r->region.code, "110105");
	assert_string_equal(r->region.name, "北京市");
	assert_int_equal(r->region.known, 0);
	/* and a number whose check character is 7, written with X */
	r = check(FZ_IDENTIFIER_ID_NUMBER, "33078219850612101X");
	assert_false(r->valid);
	assert_int_equal(r->nreasons, 1);
	assert_string_equal(reason(r, "check_digit.mismatch"), "校验码为 X，应为 7");
	/* an unknown Jinhua code (the former 金华县) is named by its city */
	r = check(FZ_IDENTIFIER_ID_NUMBER, "330721199003071233");
	assert_false(r->valid); /* only the check digit: the body changed */
	assert_int_equal(r->nreasons, 1);
	assert_string_equal(r->region.name, "浙江省金华市");
	assert_int_equal(r->region.known, 0);
}

static void id_number_wrong_check_digit_names_expected(void **state)
{
	const struct fz_identifier *r;

	(void)state;
	r = check(FZ_IDENTIFIER_ID_NUMBER, "330702199003071237");
	assert_false(r->valid);
	assert_int_equal(r->nreasons, 1);
	assert_string_equal(r->reasons[0].code, "check_digit.mismatch");
	assert_string_equal(r->reasons[0].msg, "校验码为 7，应为 3");
	/* what the number says is still read */
	assert_string_equal(r->person.birth_date, "1990-03-07");
	assert_int_equal(r->person.sex, FZ_SEX_MALE);
}

static void id_number_birth_dates(void **state)
{
	const struct fz_identifier *r;

	(void)state;
	/* 1999 is no leap year; the check character X is right for this body */
	r = check(FZ_IDENTIFIER_ID_NUMBER, "33070219990229123X");
	assert_false(r->valid);
	assert_int_equal(r->nreasons, 1);
	assert_string_equal(reason(r, "birth_date.invalid"),
			    "出生日期 19990229 不存在：1999 年不是闰年，2 月只有 28 天");
	assert_string_equal(r->person.birth_date, "");
	assert_int_equal(r->person.age, -1);
	/* 2000 is (divisible by 400) */
	r = check(FZ_IDENTIFIER_ID_NUMBER, "33070220000229123X");
	assert_true(r->valid);
	assert_int_equal(r->person.age, 26);
	/* April 31st and a 13th month */
	r = check(FZ_IDENTIFIER_ID_NUMBER, "330702199004311235");
	assert_string_equal(reason(r, "birth_date.invalid"),
			    "出生日期 19900431 不存在：4 月只有 30 天");
	r = check(FZ_IDENTIFIER_ID_NUMBER, "330702199013011234");
	assert_string_equal(reason(r, "birth_date.invalid"),
			    "出生日期 19901301 不存在：月份 13 应为 01-12");
	/* born in 2030, after "now" */
	r = check(FZ_IDENTIFIER_ID_NUMBER, "330702203001011236");
	assert_int_equal(r->nreasons, 1);
	assert_string_equal(reason(r, "birth_date.future"),
			    "出生日期 2030-01-01 晚于今天（2026-03-02）");
	/* before 1900 */
	r = check(FZ_IDENTIFIER_ID_NUMBER, "330702189912311231");
	assert_int_equal(r->nreasons, 1);
	assert_contains(reason(r, "birth_date.too_early"), "1899-12-31 早于 1900 年");
}

static void id_number_birthday_today_and_tomorrow(void **state)
{
	const struct fz_identifier *r;

	(void)state;
	/* born 2000-03-02: 26 today; born 2000-03-03: still 25 */
	r = check(FZ_IDENTIFIER_ID_NUMBER, "330702200003021231");
	assert_string_equal(r->person.birth_date, "2000-03-02");
	assert_int_equal(r->person.age, 26);
	r = check(FZ_IDENTIFIER_ID_NUMBER, "330702200003031237");
	assert_int_equal(r->person.age, 25);
	/* born today is not the future; tomorrow is */
	r = check(FZ_IDENTIFIER_ID_NUMBER, "330702202603021234");
	assert_true(r->valid);
	assert_int_equal(r->person.age, 0);
	r = check(FZ_IDENTIFIER_ID_NUMBER, "33070220260303123X");
	assert_string_equal(reason(r, "birth_date.future"),
			    "出生日期 2026-03-03 晚于今天（2026-03-02）");
}

static void id_number_every_reason_is_given(void **state)
{
	const struct fz_identifier *r;

	(void)state;
	/* province 99 does not exist, 1999-02-29 neither, and the check digit is wrong */
	r = check(FZ_IDENTIFIER_ID_NUMBER, "990702199902291231");
	assert_false(r->valid);
	assert_int_equal(r->nreasons, 3);
	assert_string_equal(r->reasons[0].code, "region_code.province");
	assert_contains(r->reasons[0].msg, "地址码 990702 的省级代码 99 不存在");
	assert_string_equal(r->reasons[1].code, "birth_date.invalid");
	assert_string_equal(r->reasons[2].code, "check_digit.mismatch");
	assert_string_equal(r->region.code, "");
	/* a letter in the body: no check digit can be computed, the rest is read */
	r = check(FZ_IDENTIFIER_ID_NUMBER, "3307021990030712A3");
	assert_int_equal(r->nreasons, 1);
	assert_string_equal(reason(r, "value.characters"), "第 17 位“A”无效，前 17 位应为数字");
	assert_string_equal(r->person.birth_date, "1990-03-07");
	assert_int_equal(r->person.sex, FZ_SEX_UNKNOWN);
	/* 17 digits */
	r = check(FZ_IDENTIFIER_ID_NUMBER, "33070219900307123");
	assert_int_equal(r->nreasons, 1);
	assert_string_equal(reason(r, "value.length"),
			    "长度为 17 位，应为 18 位（1999 年前的旧号码为 15 位）");
}

static void id_number_legacy_15_digits(void **state)
{
	const struct fz_identifier *r;

	(void)state;
	/* 330702 900307 123: 1990-03-07, 15th digit 3 (a man); 18-digit form inserts 19
	 * and appends the check digit: 330702 1990 0307 123 3 */
	r = check(FZ_IDENTIFIER_ID_NUMBER, "330702900307123");
	assert_true(r->valid);
	assert_int_equal(r->person.legacy, 1);
	assert_string_equal(r->person.id18, "330702199003071233");
	assert_string_equal(r->person.birth_date, "1990-03-07");
	assert_int_equal(r->person.sex, FZ_SEX_MALE);
	assert_string_equal(r->region.name, "浙江省金华市婺城区");
	/* its 18-digit form is itself valid */
	r = check(FZ_IDENTIFIER_ID_NUMBER, "330702199003071233");
	assert_true(r->valid);
	/* no X in the old form, and its dates are checked the same way */
	r = check(FZ_IDENTIFIER_ID_NUMBER, "33070290030712X");
	assert_string_equal(reason(r, "value.characters"),
			    "第 15 位“X”无效，15 位旧号码应全为数字");
	r = check(FZ_IDENTIFIER_ID_NUMBER, "330702990229123");
	assert_string_equal(reason(r, "birth_date.invalid"),
			    "出生日期 19990229 不存在：1999 年不是闰年，2 月只有 28 天");
}

static void id_number_without_tree_names_province(void **state)
{
	struct fz_identifier r;
	const char *v = "330702199003071233";

	(void)state;
	assert_int_equal(
		fz_identifier_validate(&r, FZ_IDENTIFIER_ID_NUMBER, v, strlen(v), NOW, NULL), 0);
	assert_true(r.valid);
	assert_string_equal(r.region.name, "浙江省");
	assert_int_equal(r.region.known, 0);
}

/* ---- credit codes ---- */

static void uscc_valid_decodes_authority_type_region(void **state)
{
	const struct fz_identifier *r;

	(void)state;
	/* an enterprise (9 1) registered in 福州 350100, organisation code M000100Y-4 */
	r = check(FZ_IDENTIFIER_USCC, "91350100M000100Y43");
	assert_true(r->valid);
	assert_int_equal(r->org.authority, '9');
	assert_string_equal(r->org.authority_name, "工商（市场监督管理）");
	assert_int_equal(r->org.type, '1');
	assert_string_equal(r->org.type_name, "企业");
	assert_string_equal(r->region.code, "350100");
	assert_string_equal(r->region.name, "福建省");
	assert_string_equal(r->org.org_code, "M000100Y-4");
	/* one in 婺城区, typed in lower case: organisation check 5, code check W */
	r = check(FZ_IDENTIFIER_USCC, "91330702ma28d1xk5w");
	assert_true(r->valid);
	assert_string_equal(r->value, "91330702MA28D1XK5W");
	assert_string_equal(r->region.name, "浙江省金华市婺城区");
	/* a social organisation (5 1) of the city; a central body (1 1, 100000) */
	r = check(FZ_IDENTIFIER_USCC, "51330700MJ9000006A");
	assert_true(r->valid);
	assert_string_equal(r->org.type_name, "社会团体");
	assert_string_equal(r->region.name, "浙江省金华市");
	r = check(FZ_IDENTIFIER_USCC, "11100000000013004C");
	assert_true(r->valid);
	assert_string_equal(r->org.type_name, "机关");
	assert_string_equal(r->region.name, "全国");
}

static void uscc_wrong_check_characters(void **state)
{
	const struct fz_identifier *r;

	(void)state;
	r = check(FZ_IDENTIFIER_USCC, "91350100M000100Y44");
	assert_false(r->valid);
	assert_int_equal(r->nreasons, 1);
	assert_string_equal(reason(r, "check_digit.mismatch"), "校验码为 4，应为 3");
	/* the organisation code's own check (GB 11714) is wrong; the last character
	 * was recomputed, so that is the only reason */
	r = check(FZ_IDENTIFIER_USCC, "91350100M000100Y56");
	assert_int_equal(r->nreasons, 1);
	assert_string_equal(reason(r, "organization_code.check_digit"),
			    "组织机构代码 M000100Y-5 的校验码为 5，应为 4（GB 11714）");
	assert_string_equal(r->org.org_code, "");
}

static void uscc_characters_authority_type_region(void **state)
{
	const struct fz_identifier *r;

	(void)state;
	/* I is not in the 31-character set */
	r = check(FZ_IDENTIFIER_USCC, "91350100M000100I43");
	assert_string_equal(reason(r, "value.characters"),
			    "第 16 位“I”无效，应为数字或除 I、O、S、V、Z 外的大写字母");
	/* authority B does not exist; authority 9 has no type 4 */
	r = check(FZ_IDENTIFIER_USCC, "B1350100M000100Y43");
	assert_contains(reason(r, "authority.unknown"), "登记管理部门代码“B”不存在");
	r = check(FZ_IDENTIFIER_USCC, "94350100M000100Y43");
	assert_string_equal(
		reason(r, "type.unknown"),
		"机构类别代码“4”不属于登记管理部门 9（工商（市场监督管理）），应为 1、2、3");
	assert_string_equal(reason(r, "check_digit.mismatch"), "校验码为 3，应为 R");
	/* region 990100 */
	r = check(FZ_IDENTIFIER_USCC, "91990100M000100Y43");
	assert_contains(reason(r, "region_code.province"),
			"行政区划码 990100 的省级代码 99 不存在");
	r = check(FZ_IDENTIFIER_USCC, "9135010");
	assert_string_equal(reason(r, "value.length"), "长度为 7 位，应为 18 位");
}

/* ---- plates ---- */

static void plate_ordinary_and_special(void **state)
{
	const struct fz_identifier *r;

	(void)state;
	r = check(FZ_IDENTIFIER_PLATE, "浙G12345");
	assert_true(r->valid);
	assert_string_equal(r->plate.province, "浙");
	assert_string_equal(r->plate.province_name, "浙江省");
	assert_int_equal(r->plate.letter, 'G');
	assert_string_equal(r->plate.issuer, "金华市");
	assert_int_equal(r->plate.new_energy, 0);
	assert_null(r->plate.size);
	/* written with a middle dot, a lower-case letter and full-width digits */
	r = check(FZ_IDENTIFIER_PLATE, "浙g·１2A45");
	assert_true(r->valid);
	assert_string_equal(r->value, "浙G12A45");
	/* a trailer */
	r = check(FZ_IDENTIFIER_PLATE, "浙G1234挂");
	assert_true(r->valid);
	assert_string_equal(r->plate.use, "trailer");
	assert_string_equal(r->plate.size, "large");
	/* outside Zhejiang no city is named */
	r = check(FZ_IDENTIFIER_PLATE, "粤B12345");
	assert_true(r->valid);
	assert_null(r->plate.issuer);
}

static void plate_new_energy_small_and_large(void **state)
{
	const struct fz_identifier *r;

	(void)state;
	r = check(FZ_IDENTIFIER_PLATE, "浙GD12345");
	assert_true(r->valid);
	assert_int_equal(r->plate.new_energy, 1);
	assert_string_equal(r->plate.size, "small");
	assert_string_equal(r->plate.power, "electric");
	r = check(FZ_IDENTIFIER_PLATE, "浙GFA1234");
	assert_true(r->valid);
	assert_string_equal(r->plate.size, "small");
	assert_string_equal(r->plate.power, "non_electric");
	r = check(FZ_IDENTIFIER_PLATE, "浙G12345D");
	assert_true(r->valid);
	assert_string_equal(r->plate.size, "large");
	assert_string_equal(r->plate.power, "electric");
	/* neither form: the last four of a small plate must be digits */
	r = check(FZ_IDENTIFIER_PLATE, "浙GD1234A");
	assert_false(r->valid);
	assert_contains(reason(r, "serial.new_energy"), "新能源号牌序号 D1234A 不合规则");
	assert_int_equal(r->plate.new_energy, 0);
	r = check(FZ_IDENTIFIER_PLATE, "浙GA12345");
	assert_contains(reason(r, "serial.new_energy"), "A12345");
}

static void plate_invalid_letters_and_parts(void **state)
{
	const struct fz_identifier *r;

	(void)state;
	r = check(FZ_IDENTIFIER_PLATE, "浙I12345");
	assert_int_equal(r->nreasons, 1);
	assert_string_equal(reason(r, "authority.letter"),
			    "发牌机关代号“I”无效：号牌不使用字母 I 和 O");
	r = check(FZ_IDENTIFIER_PLATE, "浙G1O345");
	assert_string_equal(reason(r, "serial.characters"),
			    "第 4 位“O”无效：号牌不使用字母 I 和 O");
	r = check(FZ_IDENTIFIER_PLATE, "浙G12挂45");
	assert_string_equal(reason(r, "serial.characters"),
			    "第 5 位“挂”无效：“挂”只能是 7 位普通号牌的末位");
	/* 台 is no plate abbreviation; with an O as letter, both are said */
	r = check(FZ_IDENTIFIER_PLATE, "台O12345");
	assert_int_equal(r->nreasons, 2);
	assert_contains(reason(r, "province.unknown"), "第 1 位“台”不是省级行政区简称");
	assert_string_equal(reason(r, "authority.letter"),
			    "发牌机关代号“O”无效：号牌不使用字母 I 和 O");
	r = check(FZ_IDENTIFIER_PLATE, "浙G1234");
	assert_contains(reason(r, "value.length"), "长度为 6 个字符，应为 7 个");
}

/* ---- mobile numbers ---- */

static void mobile_numbers(void **state)
{
	const struct fz_identifier *r;

	(void)state;
	r = check(FZ_IDENTIFIER_MOBILE, "13812345678");
	assert_true(r->valid);
	r = check(FZ_IDENTIFIER_MOBILE, " +86 138-1234-5678 ");
	assert_true(r->valid);
	assert_string_equal(r->value, "13812345678");
	r = check(FZ_IDENTIFIER_MOBILE, "19912345678");
	assert_true(r->valid);
	r = check(FZ_IDENTIFIER_MOBILE, "12812345678");
	assert_int_equal(r->nreasons, 1);
	assert_string_equal(reason(r, "prefix.unknown"),
			    "号段 12 不存在，手机号码应以 13 至 19 开头");
	r = check(FZ_IDENTIFIER_MOBILE, "1381234567");
	assert_string_equal(reason(r, "value.length"), "长度为 10 位，应为 11 位");
	r = check(FZ_IDENTIFIER_MOBILE, "1381234567a");
	assert_string_equal(reason(r, "value.characters"), "第 11 位“A”无效，手机号码应全为数字");
}

/* ---- limits and arguments ---- */

static void limits_and_encoding(void **state)
{
	char big[80];
	const struct fz_identifier *r;

	(void)state;
	memset(big, '1', 65);
	big[65] = '\0';
	r = check(FZ_IDENTIFIER_MOBILE, big);
	assert_int_equal(r->nreasons, 1);
	assert_string_equal(reason(r, "value.too_long"), "长度为 65 字节，超过上限 64 字节");
	assert_string_equal(r->value, "");
	big[64] = '\0'; /* 64 bytes is read (and too long for a mobile number) */
	r = check(FZ_IDENTIFIER_MOBILE, big);
	assert_contains(reason(r, "value.length"), "长度为 64 位");
	r = check(FZ_IDENTIFIER_PLATE, "\xe6\xb5G12345"); /* 浙 cut short */
	assert_string_equal(reason(r, "value.encoding"), "第 1 字节起不是有效的 UTF-8 文本");
	r = check(FZ_IDENTIFIER_ID_NUMBER, "  \xe3\x80\x80 ");
	assert_string_equal(reason(r, "value.empty"), "号码为空，应为居民身份证号码");
	r = check(FZ_IDENTIFIER_ID_NUMBER, "3307021990\xc2\xa0"
					   "03071233");
	assert_contains(reason(r, "value.length"), "长度为 19 位");
	assert_contains(reason(r, "value.characters"), "“U+00A0”");
	assert_int_equal(fz_identifier_validate(&id, (enum fz_identifier_kind)9, "1", 1, NOW, NULL),
			 FZ_EINVAL);
	assert_int_equal(fz_identifier_validate(&id, FZ_IDENTIFIER_MOBILE, NULL, 0, NOW, NULL),
			 FZ_EINVAL);
}

static void kinds_parse(void **state)
{
	enum fz_identifier_kind k;

	(void)state;
	assert_int_equal(fz_identifier_kind_parse("uscc", &k), 0);
	assert_int_equal(k, FZ_IDENTIFIER_USCC);
	assert_string_equal(fz_identifier_kind_name(k), "uscc");
	assert_string_equal(fz_identifier_kind_title(FZ_IDENTIFIER_PLATE), "机动车号牌");
	assert_int_equal(fz_identifier_kind_parse("passport", &k), FZ_EINVAL);
	assert_int_equal(fz_identifier_kind_parse(NULL, &k), FZ_EINVAL);
	assert_null(fz_identifier_kind_name((enum fz_identifier_kind)0));
}

/* ---- masking and JSON ---- */

static void masking(void **state)
{
	char out[FZ_IDENTIFIER_MAX_VALUE + 1];

	(void)state;
	assert_string_equal(
		fz_identifier_mask(FZ_IDENTIFIER_ID_NUMBER, "330702199003071233", out, sizeof(out)),
		"3307**********1233");
	assert_string_equal(
		fz_identifier_mask(FZ_IDENTIFIER_ID_NUMBER, "330702900307123", out, sizeof(out)),
		"3307*******7123");
	assert_string_equal(
		fz_identifier_mask(FZ_IDENTIFIER_MOBILE, "13812341234", out, sizeof(out)),
		"138****1234");
	assert_string_equal(
		fz_identifier_mask(FZ_IDENTIFIER_USCC, "91350100M000100Y43", out, sizeof(out)),
		"91350100********43");
	assert_string_equal(fz_identifier_mask(FZ_IDENTIFIER_PLATE, "浙G12345", out, sizeof(out)),
			    "浙G***45");
	assert_string_equal(fz_identifier_mask(FZ_IDENTIFIER_PLATE, "浙GD12345", out, sizeof(out)),
			    "浙G****45");
	/* too short to hide anything by the rule: all hidden */
	assert_string_equal(
		fz_identifier_mask(FZ_IDENTIFIER_ID_NUMBER, "12345678", out, sizeof(out)),
		"********");
	/* a small buffer is cut, never overrun */
	assert_string_equal(
		fz_identifier_mask(FZ_IDENTIFIER_ID_NUMBER, "330702199003071233", out, 8),
		"3307***");
}

static void json_rendering(void **state)
{
	const struct fz_identifier *r = check(FZ_IDENTIFIER_ID_NUMBER, "330702900307123");
	cJSON *j = fz_identifier_json(r);
	char *text = fz_json_print(j);

	(void)state;
	assert_non_null(text);
	assert_string_equal(
		text,
		"{\"kind\":\"id_number\",\"value\":\"330702900307123\",\"valid\":true,\"reasons\":[],"
		"\"encodes\":{\"region\":{\"code\":\"330702\",\"name\":\"浙江省金华市婺城区\","
		"\"known\":true},\"birth_date\":\"1990-03-07\",\"sex\":\"male\",\"sex_name\":"
		"\"男\",\"age\":35,\"legacy\":true,\"id18\":\"330702199003071233\"},"
		"\"masked\":\"3307*******7123\"}");
	free(text);
	cJSON_Delete(j);
	r = check(FZ_IDENTIFIER_PLATE, "浙G1O345");
	j = fz_identifier_json(r);
	text = fz_json_print(j);
	assert_string_equal(
		text,
		"{\"kind\":\"plate\",\"value\":\"浙G1O345\",\"valid\":false,\"reasons\":[{\"code\":"
		"\"serial.characters\",\"message\":\"第 4 位“O”无效：号牌不使用字母 I 和 O\"}],"
		"\"encodes\":{\"province\":\"浙\",\"province_name\":\"浙江省\",\"letter\":\"G\","
		"\"issuer\":\"金华市\",\"new_energy\":false,\"size\":null,\"power\":null,"
		"\"use\":null},\"masked\":\"浙G***45\"}");
	free(text);
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(id_number_valid_decodes_region_birth_sex_age),
		cmocka_unit_test(id_number_check_character_x),
		cmocka_unit_test(id_number_wrong_check_digit_names_expected),
		cmocka_unit_test(id_number_birth_dates),
		cmocka_unit_test(id_number_birthday_today_and_tomorrow),
		cmocka_unit_test(id_number_every_reason_is_given),
		cmocka_unit_test(id_number_legacy_15_digits),
		cmocka_unit_test(id_number_without_tree_names_province),
		cmocka_unit_test(uscc_valid_decodes_authority_type_region),
		cmocka_unit_test(uscc_wrong_check_characters),
		cmocka_unit_test(uscc_characters_authority_type_region),
		cmocka_unit_test(plate_ordinary_and_special),
		cmocka_unit_test(plate_new_energy_small_and_large),
		cmocka_unit_test(plate_invalid_letters_and_parts),
		cmocka_unit_test(mobile_numbers),
		cmocka_unit_test(limits_and_encoding),
		cmocka_unit_test(kinds_parse),
		cmocka_unit_test(masking),
		cmocka_unit_test(json_rendering),
	};

	return cmocka_run_group_tests(tests, load, unload);
}
