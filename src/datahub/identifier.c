/*
 * identifier: the rules of each kind, its reference tables, normalising,
 * masking and the JSON rendering. The tables are the standards' own code
 * lists (fixed reference data, each with its source), kept here rather than
 * in a data file so that validation needs no share directory and the fuzz
 * driver can run it alone.
 */
#include "datahub/identifier.h"

#include "clocks/calendar.h"
#include "core/err.h"
#include "registry/region_tree.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- reference tables ---- */

/*
 * Province-level codes of GB/T 2260, the first two digits of a region code.
 * 83 is not in GB/T 2260: it opens the numbers of Taiwan residents'
 * residence permits (港澳台居民居住证, 2018; Hong Kong and Macao ones use
 * 81 and 82), which follow GB 11643 otherwise. 10 (100000) is the code of
 * central registration in credit codes only.
 */
static const struct {
	char code[3];
	const char *name;
} provinces[] = {
	{ "11", "北京市" },
	{ "12", "天津市" },
	{ "13", "河北省" },
	{ "14", "山西省" },
	{ "15", "内蒙古自治区" },
	{ "21", "辽宁省" },
	{ "22", "吉林省" },
	{ "23", "黑龙江省" },
	{ "31", "上海市" },
	{ "32", "江苏省" },
	{ "33", "浙江省" },
	{ "34", "安徽省" },
	{ "35", "福建省" },
	{ "36", "江西省" },
	{ "37", "山东省" },
	{ "41", "河南省" },
	{ "42", "湖北省" },
	{ "43", "湖南省" },
	{ "44", "广东省" },
	{ "45", "广西壮族自治区" },
	{ "46", "海南省" },
	{ "50", "重庆市" },
	{ "51", "四川省" },
	{ "52", "贵州省" },
	{ "53", "云南省" },
	{ "54", "西藏自治区" },
	{ "61", "陕西省" },
	{ "62", "甘肃省" },
	{ "63", "青海省" },
	{ "64", "宁夏回族自治区" },
	{ "65", "新疆维吾尔自治区" },
	{ "71", "台湾省" },
	{ "81", "香港特别行政区" },
	{ "82", "澳门特别行政区" },
	{ "83", "台湾地区（居民居住证）" },
};

/*
 * Registering authorities (登记管理部门, 1st character) and the types of
 * body each registers (机构类别, 2nd character) of GB 32100-2015, as the
 * code-assigning authorities publish them today (2, 3, 4, 6, 7, 8, A and N
 * were assigned after the standard's first table of 1, 5, 9 and Y).
 */
static const struct {
	char authority, type;
	const char *authority_name, *type_name;
} uscc_types[] = {
	{ '1', '1', "机构编制", "机关" },
	{ '1', '2', "机构编制", "事业单位" },
	{ '1', '3', "机构编制", "中央编办直接管理机构编制的群众团体" },
	{ '1', '9', "机构编制", "其他" },
	{ '2', '1', "外交", "外国常驻新闻机构" },
	{ '2', '9', "外交", "其他" },
	{ '3', '1', "司法行政", "律师执业机构" },
	{ '3', '2', "司法行政", "公证处" },
	{ '3', '3', "司法行政", "基层法律服务所" },
	{ '3', '4', "司法行政", "司法鉴定机构" },
	{ '3', '5', "司法行政", "仲裁委员会" },
	{ '3', '9', "司法行政", "其他" },
	{ '4', '1', "文化", "外国在华文化中心" },
	{ '4', '9', "文化", "其他" },
	{ '5', '1', "民政", "社会团体" },
	{ '5', '2', "民政", "民办非企业单位" },
	{ '5', '3', "民政", "基金会" },
	{ '5', '9', "民政", "其他" },
	{ '6', '1', "旅游", "外国旅游部门常驻代表机构" },
	{ '6', '2', "旅游", "港澳台地区旅游部门常驻内地（大陆）代表机构" },
	{ '6', '9', "旅游", "其他" },
	{ '7', '1', "宗教", "宗教活动场所" },
	{ '7', '2', "宗教", "宗教院校" },
	{ '7', '9', "宗教", "其他" },
	{ '8', '1', "工会", "基层工会" },
	{ '8', '9', "工会", "其他" },
	{ '9', '1', "工商（市场监督管理）", "企业" },
	{ '9', '2', "工商（市场监督管理）", "个体工商户" },
	{ '9', '3', "工商（市场监督管理）", "农民专业合作社" },
	{ 'A', '1', "中央军委改革和编制办公室", "军队事业单位" },
	{ 'A', '9', "中央军委改革和编制办公室", "其他" },
	{ 'N', '1', "农业", "组级集体经济组织" },
	{ 'N', '2', "农业", "村级集体经济组织" },
	{ 'N', '3', "农业", "乡镇级集体经济组织" },
	{ 'N', '9', "农业", "其他" },
	{ 'Y', '1', "其他", "不再具体划分机构类别" },
};

/* The 31 characters of GB 32100, in the order of their values 0-30. */
static const char uscc_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int uscc_weights[17] = {
	1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
};
/* GB 11714 organisation code: weights of the 8 body characters. */
static const int org_weights[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
/* GB 11643 (ISO 7064 MOD 11-2): weights 2^(17-i) mod 11 and check characters. */
static const int id_weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
static const char id_checks[] = "10X98765432";

/* Province abbreviations on plates (GA 36-2018, 省、自治区、直辖市简称). */
static const struct {
	const char *abbr, *name;
} plate_provinces[] = {
	{ "京", "北京市" },	      { "津", "天津市" }, { "沪", "上海市" },
	{ "渝", "重庆市" },	      { "冀", "河北省" }, { "豫", "河南省" },
	{ "云", "云南省" },	      { "辽", "辽宁省" }, { "黑", "黑龙江省" },
	{ "湘", "湖南省" },	      { "皖", "安徽省" }, { "鲁", "山东省" },
	{ "新", "新疆维吾尔自治区" }, { "苏", "江苏省" }, { "浙", "浙江省" },
	{ "赣", "江西省" },	      { "鄂", "湖北省" }, { "桂", "广西壮族自治区" },
	{ "甘", "甘肃省" },	      { "晋", "山西省" }, { "蒙", "内蒙古自治区" },
	{ "陕", "陕西省" },	      { "吉", "吉林省" }, { "闽", "福建省" },
	{ "贵", "贵州省" },	      { "粤", "广东省" }, { "青", "青海省" },
	{ "藏", "西藏自治区" },	      { "川", "四川省" }, { "宁", "宁夏回族自治区" },
	{ "琼", "海南省" },
};
#define PLATE_PROVINCES "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

/* The issuing letters of Zhejiang (浙A 杭州 ... 浙L 舟山); other provinces are not named. */
static const char *const zhejiang_issuers[26] = {
	['A' - 'A'] = "杭州市", ['B' - 'A'] = "宁波市", ['C' - 'A'] = "温州市",
	['D' - 'A'] = "绍兴市", ['E' - 'A'] = "湖州市", ['F' - 'A'] = "嘉兴市",
	['G' - 'A'] = "金华市", ['H' - 'A'] = "衢州市", ['J' - 'A'] = "台州市",
	['K' - 'A'] = "丽水市", ['L' - 'A'] = "舟山市",
};

/* The last character of special ordinary plates (GA 36-2018). */
static const struct {
	const char *ch, *use, *name, *size;
} plate_suffixes[] = {
	{ "挂", "trailer", "挂车", "large" },	 { "学", "coach", "教练汽车", NULL },
	{ "警", "police", "警用汽车", NULL },	 { "港", "hong_kong", "香港入出境车", NULL },
	{ "澳", "macao", "澳门入出境车", NULL },
};

static const struct {
	enum fz_identifier_kind kind;
	const char *name, *title;
	int keep_head, keep_tail; /* masking */
} kinds[] = {
	{ FZ_IDENTIFIER_ID_NUMBER, "id_number", "居民身份证号码", 4, 4 },
	{ FZ_IDENTIFIER_USCC, "uscc", "统一社会信用代码", 8, 2 },
	{ FZ_IDENTIFIER_PLATE, "plate", "机动车号牌", 2, 2 },
	{ FZ_IDENTIFIER_MOBILE, "mobile", "手机号码", 3, 4 },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

int fz_identifier_kind_parse(const char *name, enum fz_identifier_kind *kind)
{
	for (size_t i = 0; name && i < COUNT(kinds); i++)
		if (strcmp(kinds[i].name, name) == 0) {
			*kind = kinds[i].kind;
			return 0;
		}
	return FZ_EINVAL;
}

static int kind_index(enum fz_identifier_kind kind)
{
	for (size_t i = 0; i < COUNT(kinds); i++)
		if (kinds[i].kind == kind)
			return (int)i;
	return -1;
}

const char *fz_identifier_kind_name(enum fz_identifier_kind kind)
{
	int i = kind_index(kind);

	return i < 0 ? NULL : kinds[i].name;
}

const char *fz_identifier_kind_title(enum fz_identifier_kind kind)
{
	int i = kind_index(kind);

	return i < 0 ? NULL : kinds[i].title;
}

/* ---- text: values as code points ---- */

struct text {
	uint32_t cp[FZ_IDENTIFIER_MAX_VALUE]; /* a character takes at least a byte */
	size_t n;
};

/* The continuation bytes after lead byte c, 4 when c cannot lead. */
static unsigned continuation(unsigned c)
{
	if (c < 0x80)
		return 0;
	if ((c & 0xE0) == 0xC0)
		return 1;
	if ((c & 0xF0) == 0xE0)
		return 2;
	if ((c & 0xF8) == 0xF0)
		return 3;
	return 4;
}

/*
 * Decodes UTF-8 into t. 0, or the 1-based byte offset of the first bad
 * sequence (overlong forms, surrogates and NUL are bad too).
 */
static size_t decode(const char *s, size_t len, struct text *t)
{
	static const unsigned lead_bits[] = { 0x7F, 0x1F, 0x0F, 0x07 };
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	t->n = 0;
	while (i < len) {
		unsigned n = continuation(p[i]);
		uint32_t cp;
		if (n == 4 || p[i] == 0)
			return i + 1;
		cp = p[i] & lead_bits[n];
		for (unsigned k = 1; k <= n; k++) {
			if (i + k >= len || (p[i + k] & 0xC0) != 0x80)
				return i + 1;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i + 1;
		t->cp[t->n++] = cp;
		i += n + 1;
	}
	return 0;
}

/* Writes cp as UTF-8 into out (at least 5 bytes), NUL-terminated. Returns the length. */
static size_t encode(uint32_t cp, char *out)
{
	size_t n = 0;

	if (cp < 0x80) {
		out[n++] = (char)cp;
	} else if (cp < 0x800) {
		out[n++] = (char)(0xC0 | (cp >> 6));
		out[n++] = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		out[n++] = (char)(0xE0 | (cp >> 12));
		out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[n++] = (char)(0x80 | (cp & 0x3F));
	} else {
		out[n++] = (char)(0xF0 | (cp >> 18));
		out[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[n++] = (char)(0x80 | (cp & 0x3F));
	}
	out[n] = '\0';
	return n;
}

/* A character as a message shows it: itself, or U+XXXX when invisible. */
static const char *label(uint32_t cp, char out[16])
{
	if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0xA0 || cp == 0x3000 ||
	    (cp >= 0x2000 && cp <= 0x200F) || cp == 0xFEFF)
		snprintf(out, 16, "U+%04X", (unsigned)cp);
	else
		encode(cp, out);
	return out;
}

static int is_space(uint32_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xA0 || c == 0x3000 || c == 0xFEFF;
}

static int is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

static int is_upper(uint32_t c)
{
	return c >= 'A' && c <= 'Z';
}

/* Removes the characters for which drop() says 1. */
static void drop_where(struct text *t, int (*drop)(uint32_t))
{
	size_t k = 0;

	for (size_t i = 0; i < t->n; i++)
		if (!drop(t->cp[i]))
			t->cp[k++] = t->cp[i];
	t->n = k;
}

static int plate_separator(uint32_t c)
{
	return c == 0xB7 || c == 0x2022 || c == 0x30FB || c == ' ' || c == '-';
}

static int mobile_separator(uint32_t c)
{
	return c == ' ' || c == '-';
}

static int starts(const struct text *t, const char *ascii)
{
	size_t n = strlen(ascii);

	if (t->n < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (t->cp[i] != (unsigned char)ascii[i])
			return 0;
	return 1;
}

static void drop_head(struct text *t, size_t n)
{
	memmove(t->cp, t->cp + n, (t->n - n) * sizeof(t->cp[0]));
	t->n -= n;
}

static void trim(struct text *t)
{
	size_t head = 0;

	while (t->n && is_space(t->cp[t->n - 1]))
		t->n--;
	while (head < t->n && is_space(t->cp[head]))
		head++;
	drop_head(t, head);
}

/*
 * Folds full-width ASCII (U+FF01-FF5E, what Chinese input methods type) and
 * lower-case letters; drops the separators of plates (浙G·12345) and mobile
 * numbers (138 1234-5678); trims surrounding whitespace (ASCII, no-break and
 * ideographic spaces); drops a +86 / 0086 / 86 before a mobile number.
 */
static void normalise(struct text *t, enum fz_identifier_kind kind)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->cp[i] >= 0xFF01 && t->cp[i] <= 0xFF5E)
			t->cp[i] -= 0xFEE0;
		if (t->cp[i] >= 'a' && t->cp[i] <= 'z')
			t->cp[i] -= 'a' - 'A';
	}
	if (kind == FZ_IDENTIFIER_PLATE)
		drop_where(t, plate_separator);
	else if (kind == FZ_IDENTIFIER_MOBILE)
		drop_where(t, mobile_separator);
	trim(t);
	if (kind != FZ_IDENTIFIER_MOBILE)
		return;
	if (t->n == 14 && starts(t, "+86"))
		drop_head(t, 3);
	else if (t->n == 15 && starts(t, "0086"))
		drop_head(t, 4);
	else if (t->n == 13 && starts(t, "861"))
		drop_head(t, 2);
	trim(t); /* "+86\u3000138..." */
}

static void text_put(const struct text *t, char *out, size_t size)
{
	size_t len = 0;
	char ch[8];

	out[0] = '\0';
	for (size_t i = 0; i < t->n; i++) {
		size_t n = encode(t->cp[i], ch);
		if (len + n >= size)
			break;
		memcpy(out + len, ch, n + 1);
		len += n;
	}
}

/* cp[0..n) as ASCII into out (at least n + 1 bytes); non-ASCII shown as '?'. */
static char *ascii(const uint32_t *cp, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = cp[i] < 0x80 ? (char)cp[i] : '?';
	out[n] = '\0';
	return out;
}

static int all_digits(const uint32_t *cp, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(cp[i]))
			return 0;
	return 1;
}

static int number(const uint32_t *cp, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (int)(cp[i] - '0');
	return v;
}

/* ---- reasons ---- */

static void reason(struct fz_identifier *self, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reason(struct fz_identifier *self, const char *code, const char *fmt, ...)
{
	struct fz_identifier_reason *r;
	va_list ap;

	self->valid = 0;
	if (self->nreasons == FZ_IDENTIFIER_MAX_REASONS)
		return;
	r = &self->reasons[self->nreasons++];
	snprintf(r->code, sizeof(r->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
}

/*
 * Reports the characters in cp[from..to) that ok() refuses as one reason:
 * the first (its 1-based position in the value) and how many more, with
 * the expected form.
 */
static int bad_chars(struct fz_identifier *self, const struct text *t, size_t from, size_t to,
		     int (*ok)(uint32_t), const char *code, const char *expected)
{
	size_t first = 0, count = 0;
	char lb[16];

	for (size_t i = from; i < to && i < t->n; i++)
		if (!ok(t->cp[i]) && !count++)
			first = i;
	if (!count)
		return 0;
	if (count == 1)
		reason(self, code, "第 %zu 位“%s”无效，%s", first + 1, label(t->cp[first], lb),
		       expected);
	else
		reason(self, code, "第 %zu 位“%s”等 %zu 处无效，%s", first + 1,
		       label(t->cp[first], lb), count, expected);
	return (int)count;
}

/* ---- regions ---- */

static const char *province_name(const uint32_t *cp)
{
	for (size_t i = 0; i < COUNT(provinces); i++)
		if (cp[0] == (unsigned char)provinces[i].code[0] &&
		    cp[1] == (unsigned char)provinces[i].code[1])
			return provinces[i].name;
	return NULL;
}

/* Appends the names from the root down to n. Returns the length written. */
static size_t path_name(const struct fz_region_node *n, char *out, size_t size)
{
	size_t len = n->parent ? path_name(n->parent, out, size) : 0;
	int w = snprintf(out + len, size - len, "%s", n->r.name);

	return w < 0 || (size_t)w >= size - len ? size - 1 : len + (size_t)w;
}

/* Names the 6-digit code cp[0..6) from the tree, else its city, else its province. */
static void region_decode(struct fz_identifier_region *r, const uint32_t *cp,
			  const struct fz_region_tree *tree)
{
	const struct fz_region_node *n;
	char city[7];

	ascii(cp, 6, r->code);
	r->known = 0;
	r->name[0] = '\0';
	if (tree && (n = fz_region_tree_find(tree, r->code))) {
		path_name(n, r->name, sizeof(r->name));
		r->known = 1;
		return;
	}
	snprintf(city, sizeof(city), "%.4s00", r->code);
	if (tree && (n = fz_region_tree_find(tree, city)))
		path_name(n, r->name, sizeof(r->name));
	else if (strcmp(r->code, "100000") == 0)
		snprintf(r->name, sizeof(r->name), "全国");
	else if (province_name(cp))
		snprintf(r->name, sizeof(r->name), "%s", province_name(cp));
}

/* ---- resident ID numbers (GB 11643-1999) ---- */

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* Checks the birth date y-m-d (written as raw, 8 digits) and fills birth date and age. */
static void check_birth(struct fz_identifier *self, int y, int m, int d, const char *raw,
			int64_t now)
{
	int32_t today = fz_calendar_day_of(now), born;
	char date[16], ts[16];
	int ty, tm, td;

	if (m < 1 || m > 12) {
		reason(self, "birth_date.invalid", "出生日期 %s 不存在：月份 %02d 应为 01-12", raw,
		       m);
		return;
	}
	if (d < 1 || d > days_in_month(y, m)) {
		if (m == 2 && d == 29)
			reason(self, "birth_date.invalid",
			       "出生日期 %s 不存在：%d 年不是闰年，2 月只有 28 天", raw, y);
		else
			reason(self, "birth_date.invalid", "出生日期 %s 不存在：%d 月只有 %d 天",
			       raw, m, days_in_month(y, m));
		return;
	}
	snprintf(date, sizeof(date), "%04d-%02d-%02d", y, m, d);
	if (y < 1900) {
		reason(self, "birth_date.too_early", "出生日期 %s 早于 1900 年，不可能是在世者",
		       date);
		return;
	}
	fz_calendar_day_format(today, ts, sizeof(ts));
	if (fz_calendar_day_parse(date, &born) || born > today) {
		reason(self, "birth_date.future", "出生日期 %s 晚于今天（%s）", date, ts);
		return;
	}
	snprintf(self->person.birth_date, sizeof(self->person.birth_date), "%s", date);
	if (sscanf(ts, "%d-%d-%d", &ty, &tm, &td) == 3)
		self->person.age = ty - y - (tm < m || (tm == m && td < d));
}

/* The GB 11643 check character of 17 digits. */
static char id_check(const uint32_t *cp)
{
	int sum = 0;

	for (int i = 0; i < 17; i++)
		sum += (int)(cp[i] - '0') * id_weights[i];
	return id_checks[sum % 11];
}

static int digit_or_x(uint32_t c)
{
	return is_digit(c) || c == 'X';
}

static void check_id_number(struct fz_identifier *self, const struct text *t, int64_t now,
			    const struct fz_region_tree *tree)
{
	const uint32_t *c = t->cp;
	int legacy = t->n == 15;
	char raw[16], exp;

	if (t->n != 18 && !legacy) {
		reason(self, "value.length",
		       "长度为 %zu 位，应为 18 位（1999 年前的旧号码为 15 位）", t->n);
		bad_chars(self, t, 0, t->n, digit_or_x, "value.characters",
			  "号码应为数字和末位的 X");
		return;
	}
	self->person.legacy = legacy;
	if (legacy)
		bad_chars(self, t, 0, 15, is_digit, "value.characters", "15 位旧号码应全为数字");
	else if (!bad_chars(self, t, 0, 17, is_digit, "value.characters", "前 17 位应为数字"))
		bad_chars(self, t, 17, 18, digit_or_x, "value.characters",
			  "第 18 位校验码应为数字或 X");
	if (all_digits(c, 6)) {
		if (province_name(c))
			region_decode(&self->region, c, tree);
		else
			reason(self, "region_code.province",
			       "地址码 %s 的省级代码 %.2s 不存在，应为 GB/T 2260 的省级代码（如浙江 33）",
			       ascii(c, 6, raw), raw);
	}
	if (legacy ? all_digits(c + 6, 6) : all_digits(c + 6, 8)) {
		int y = legacy ? 1900 + number(c + 6, 2) : number(c + 6, 4);
		const uint32_t *md = c + (legacy ? 8 : 10);
		snprintf(raw, sizeof(raw), "%04d%02d%02d", y, number(md, 2), number(md + 2, 2));
		check_birth(self, y, number(md, 2), number(md + 2, 2), raw, now);
	}
	if (is_digit(c[legacy ? 14 : 16]))
		self->person.sex = (c[legacy ? 14 : 16] - '0') % 2 ? FZ_SEX_MALE : FZ_SEX_FEMALE;
	if (legacy && all_digits(c, 15)) {
		uint32_t full[17];
		memcpy(full, c, 6 * sizeof(c[0]));
		full[6] = '1';
		full[7] = '9';
		memcpy(full + 8, c + 6, 9 * sizeof(c[0]));
		ascii(full, 17, self->person.id18);
		self->person.id18[17] = id_check(full);
		self->person.id18[18] = '\0';
	}
	if (!legacy && all_digits(c, 17) && digit_or_x(c[17]) && (exp = id_check(c)) != (char)c[17])
		reason(self, "check_digit.mismatch", "校验码为 %c，应为 %c", (char)c[17], exp);
}

/* ---- unified social credit codes (GB 32100-2015) ---- */

static int uscc_value(uint32_t c)
{
	const char *p = c && c < 0x80 ? strchr(uscc_chars, (int)c) : NULL;

	return p ? (int)(p - uscc_chars) : -1;
}

static int uscc_char_ok(uint32_t c)
{
	return uscc_value(c) >= 0;
}

/* The GB 11714 check character of the 8-character organisation code body. */
static char org_check(const uint32_t *cp)
{
	int sum = 0, v;

	for (int i = 0; i < 8; i++)
		sum += (int)(is_digit(cp[i]) ? cp[i] - '0' : cp[i] - 'A' + 10) * org_weights[i];
	v = 11 - sum % 11;
	return v == 10 ? 'X' : v == 11 ? '0' : (char)('0' + v);
}

static char uscc_check(const uint32_t *cp)
{
	int sum = 0;

	for (int i = 0; i < 17; i++)
		sum += uscc_value(cp[i]) * uscc_weights[i];
	return uscc_chars[(31 - sum % 31) % 31];
}

/* Checks and decodes the authority and type characters. */
static void uscc_authority(struct fz_identifier *self, uint32_t a, uint32_t t)
{
	char types[64] = "", lb[16];
	const char *name = NULL;
	size_t len = 0;

	for (size_t i = 0; i < COUNT(uscc_types); i++) {
		if ((unsigned char)uscc_types[i].authority != a)
			continue;
		name = uscc_types[i].authority_name;
		len += (size_t)snprintf(types + len, sizeof(types) - len, "%s%c", len ? "、" : "",
					uscc_types[i].type);
		if ((unsigned char)uscc_types[i].type == t) {
			self->org.authority = (char)a;
			self->org.authority_name = name;
			self->org.type = (char)t;
			self->org.type_name = uscc_types[i].type_name;
		}
	}
	if (!name) {
		reason(self, "authority.unknown", "登记管理部门代码“%s”不存在，应为 1-9、A、N 或 Y",
		       label(a, lb));
		return;
	}
	if (!self->org.type) {
		self->org.authority = (char)a;
		self->org.authority_name = name;
		reason(self, "type.unknown", "机构类别代码“%s”不属于登记管理部门 %c（%s），应为 %s",
		       label(t, lb), (char)a, name, types);
	}
}

static void check_uscc(struct fz_identifier *self, const struct text *t,
		       const struct fz_region_tree *tree)
{
	const uint32_t *c = t->cp;
	char raw[16], exp;
	int chars_ok;

	if (t->n != 18)
		reason(self, "value.length", "长度为 %zu 位，应为 18 位", t->n);
	chars_ok = !bad_chars(self, t, 0, t->n, uscc_char_ok, "value.characters",
			      "应为数字或除 I、O、S、V、Z 外的大写字母");
	if (t->n != 18)
		return;
	uscc_authority(self, c[0], c[1]);
	if (!all_digits(c + 2, 6))
		reason(self, "region_code.format", "登记管理机关行政区划码 %s 应为 6 位数字",
		       ascii(c + 2, 6, raw));
	else if ((province_name(c + 2) && !(c[2] == '8' && c[3] == '3')) ||
		 strcmp(ascii(c + 2, 6, raw), "100000") == 0)
		region_decode(&self->region, c + 2, tree);
	else
		reason(self, "region_code.province",
		       "登记管理机关行政区划码 %s 的省级代码 %.2s 不存在，应为 GB/T 2260 的省级代码"
		       "或 100000（中央）",
		       raw, raw);
	if (!chars_ok)
		return;
	exp = org_check(c + 8);
	if (exp != (char)c[16])
		reason(self, "organization_code.check_digit",
		       "组织机构代码 %.8s-%c 的校验码为 %c，应为 %c（GB 11714）",
		       ascii(c + 8, 8, raw), (char)c[16], (char)c[16], exp);
	else
		snprintf(self->org.org_code, sizeof(self->org.org_code), "%.8s-%c",
			 ascii(c + 8, 8, raw), exp);
	if ((exp = uscc_check(c)) != (char)c[17])
		reason(self, "check_digit.mismatch", "校验码为 %c，应为 %c", (char)c[17], exp);
}

/* ---- vehicle plates (GA 36-2018) ---- */

static int plate_letter_ok(uint32_t c)
{
	return is_upper(c) && c != 'I' && c != 'O';
}

static int plate_char_ok(uint32_t c)
{
	return is_digit(c) || plate_letter_ok(c);
}

static int suffix_of(uint32_t c)
{
	char ch[8];

	encode(c, ch);
	for (size_t i = 0; i < COUNT(plate_suffixes); i++)
		if (strcmp(plate_suffixes[i].ch, ch) == 0)
			return (int)i;
	return -1;
}

static void plate_province(struct fz_identifier *self, uint32_t c)
{
	char ch[8], lb[16];

	encode(c, ch);
	for (size_t i = 0; i < COUNT(plate_provinces); i++)
		if (strcmp(plate_provinces[i].abbr, ch) == 0) {
			snprintf(self->plate.province, sizeof(self->plate.province), "%s", ch);
			self->plate.province_name = plate_provinces[i].name;
			return;
		}
	reason(self, "province.unknown", "第 1 位“%s”不是省级行政区简称，应为%s之一", label(c, lb),
	       PLATE_PROVINCES);
}

static void plate_letter(struct fz_identifier *self, uint32_t c)
{
	char lb[16];

	if (plate_letter_ok(c)) {
		self->plate.letter = (char)c;
		if (strcmp(self->plate.province, "浙") == 0)
			self->plate.issuer = zhejiang_issuers[c - 'A'];
	} else if (c == 'I' || c == 'O') {
		reason(self, "authority.letter", "发牌机关代号“%c”无效：号牌不使用字母 I 和 O",
		       (char)c);
	} else {
		reason(self, "authority.letter", "发牌机关代号“%s”无效，应为除 I、O 外的大写字母",
		       label(c, lb));
	}
}

/* Checks the serial characters c[2..n); 0 when each is allowed where it stands. */
static int plate_serial(struct fz_identifier *self, const struct text *t)
{
	size_t first = 0, count = 0;
	char lb[16];

	for (size_t i = 2; i < t->n; i++) {
		int ok = plate_char_ok(t->cp[i]) ||
			 (i == t->n - 1 && t->n == 7 && suffix_of(t->cp[i]) >= 0);
		if (!ok && !count++)
			first = i;
	}
	if (!count)
		return 0;
	label(t->cp[first], lb);
	if (t->cp[first] == 'I' || t->cp[first] == 'O')
		reason(self, "serial.characters", "第 %zu 位“%s”无效：号牌不使用字母 I 和 O%s",
		       first + 1, lb, count > 1 ? "（另有其他无效字符）" : "");
	else if (suffix_of(t->cp[first]) >= 0)
		reason(self, "serial.characters",
		       "第 %zu 位“%s”无效：“%s”只能是 7 位普通号牌的末位", first + 1, lb, lb);
	else
		reason(self, "serial.characters",
		       "第 %zu 位“%s”%s无效，序号应为数字或除 I、O 外的大写字母", first + 1, lb,
		       count > 1 ? "等" : "");
	return (int)count;
}

/* The 6-character serial of a new-energy plate: D/F + letter or digit + 4 digits (small), or 5
 * digits + D/F (large). */
static void plate_new_energy(struct fz_identifier *self, const uint32_t *s)
{
	char raw[8];

	self->plate.new_energy = 1;
	if ((s[0] == 'D' || s[0] == 'F') && plate_char_ok(s[1]) && all_digits(s + 2, 4)) {
		self->plate.size = "small";
		self->plate.power = s[0] == 'D' ? "electric" : "non_electric";
	} else if (all_digits(s, 5) && (s[5] == 'D' || s[5] == 'F')) {
		self->plate.size = "large";
		self->plate.power = s[5] == 'D' ? "electric" : "non_electric";
	} else {
		self->plate.new_energy = 0;
		reason(self, "serial.new_energy",
		       "新能源号牌序号 %s 不合规则：小型车为 D 或 F、一位字母或数字、四位数字（如 "
		       "D12345），大型车为五位数字加 D 或 F（如 12345D）",
		       ascii(s, 6, raw));
	}
}

static void check_plate(struct fz_identifier *self, const struct text *t)
{
	int bad;

	if (t->n != 7 && t->n != 8)
		reason(self, "value.length",
		       "长度为 %zu 个字符，应为 7 个（普通号牌，如 浙G12345）或 8 个（新能源号牌，如 "
		       "浙GD12345）",
		       t->n);
	if (t->n >= 1)
		plate_province(self, t->cp[0]);
	if (t->n >= 2)
		plate_letter(self, t->cp[1]);
	bad = plate_serial(self, t);
	if (t->n == 8 && !bad)
		plate_new_energy(self, t->cp + 2);
	if (t->n == 7 && !bad && suffix_of(t->cp[6]) >= 0) {
		int s = suffix_of(t->cp[6]);
		self->plate.use = plate_suffixes[s].use;
		self->plate.size = plate_suffixes[s].size;
	}
}

/* ---- mobile numbers ---- */

static void check_mobile(struct fz_identifier *self, const struct text *t)
{
	const uint32_t *c = t->cp;

	if (t->n != 11)
		reason(self, "value.length", "长度为 %zu 位，应为 11 位", t->n);
	bad_chars(self, t, 0, t->n, is_digit, "value.characters", "手机号码应全为数字");
	if (t->n >= 2 && is_digit(c[0]) && is_digit(c[1]) && (c[0] != '1' || c[1] < '3'))
		reason(self, "prefix.unknown", "号段 %c%c 不存在，手机号码应以 13 至 19 开头",
		       (char)c[0], (char)c[1]);
}

/* ---- validate ---- */

int fz_identifier_validate(struct fz_identifier *self, enum fz_identifier_kind kind,
			   const char *value, size_t len, int64_t now,
			   const struct fz_region_tree *regions)
{
	struct text t;
	size_t bad;

	memset(self, 0, sizeof(*self));
	self->person.age = -1;
	if (!value || kind_index(kind) < 0)
		return FZ_EINVAL;
	self->kind = kind;
	self->valid = 1;
	if (len > FZ_IDENTIFIER_MAX_VALUE) {
		reason(self, "value.too_long", "长度为 %zu 字节，超过上限 %d 字节", len,
		       FZ_IDENTIFIER_MAX_VALUE);
		return 0;
	}
	if ((bad = decode(value, len, &t))) {
		reason(self, "value.encoding", "第 %zu 字节起不是有效的 UTF-8 文本", bad);
		return 0;
	}
	normalise(&t, kind);
	for (size_t i = 0; i < t.n; i++)
		if (t.cp[i] < 0x20 || t.cp[i] == 0x7F || (t.cp[i] >= 0x80 && t.cp[i] < 0xA0)) {
			reason(self, "value.encoding", "第 %zu 位是控制字符 U+%04X，应为可见文字",
			       i + 1, (unsigned)t.cp[i]);
			return 0;
		}
	text_put(&t, self->value, sizeof(self->value));
	if (!t.n) {
		reason(self, "value.empty", "号码为空，应为%s", kinds[kind_index(kind)].title);
		return 0;
	}
	if (kind == FZ_IDENTIFIER_ID_NUMBER)
		check_id_number(self, &t, now, regions);
	else if (kind == FZ_IDENTIFIER_USCC)
		check_uscc(self, &t, regions);
	else if (kind == FZ_IDENTIFIER_PLATE)
		check_plate(self, &t);
	else
		check_mobile(self, &t);
	self->valid = self->nreasons == 0;
	return 0;
}

/* ---- masking ---- */

char *fz_identifier_mask(enum fz_identifier_kind kind, const char *value, char *out, size_t size)
{
	int k = kind_index(kind);
	size_t len = value ? strlen(value) : 0, o = 0;
	struct text t;
	char ch[8];

	if (!size)
		return out;
	out[0] = '\0';
	if (k < 0 || len > FZ_IDENTIFIER_MAX_VALUE || decode(value, len, &t))
		return out;
	for (size_t i = 0; i < t.n; i++) {
		int keep =
			t.n > (size_t)(kinds[k].keep_head + kinds[k].keep_tail) &&
			(i < (size_t)kinds[k].keep_head || i >= t.n - (size_t)kinds[k].keep_tail);
		size_t n = keep ? encode(t.cp[i], ch) : (size_t)snprintf(ch, sizeof(ch), "*");
		if (o + n >= size)
			break;
		memcpy(out + o, ch, n + 1);
		o += n;
	}
	return out;
}

/* ---- JSON ---- */

static void add_str(cJSON *o, const char *name, const char *s)
{
	if (s && s[0])
		cJSON_AddStringToObject(o, name, s);
	else
		cJSON_AddNullToObject(o, name);
}

static cJSON *region_json(const struct fz_identifier_region *r)
{
	cJSON *o;

	if (!r->code[0])
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "code", r->code);
	add_str(o, "name", r->name);
	cJSON_AddBoolToObject(o, "known", r->known);
	return o;
}

static cJSON *code_name(char code, const char *name)
{
	char c[2] = { code, '\0' };
	cJSON *o;

	if (!code)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "code", c);
	add_str(o, "name", name);
	return o;
}

static cJSON *encodes_json(const struct fz_identifier *self)
{
	cJSON *o = cJSON_CreateObject();
	char letter[2] = { self->plate.letter, '\0' };

	switch (self->kind) {
	case FZ_IDENTIFIER_ID_NUMBER:
		fz_json_put(o, "region", region_json(&self->region));
		add_str(o, "birth_date", self->person.birth_date);
		add_str(o, "sex",
			self->person.sex == FZ_SEX_MALE	    ? "male"
			: self->person.sex == FZ_SEX_FEMALE ? "female"
							    : NULL);
		add_str(o, "sex_name",
			self->person.sex == FZ_SEX_MALE	    ? "男"
			: self->person.sex == FZ_SEX_FEMALE ? "女"
							    : NULL);
		if (self->person.age >= 0)
			fz_json_add_int(o, "age", self->person.age);
		else
			cJSON_AddNullToObject(o, "age");
		cJSON_AddBoolToObject(o, "legacy", self->person.legacy);
		add_str(o, "id18", self->person.id18);
		break;
	case FZ_IDENTIFIER_USCC:
		fz_json_put(o, "authority",
			    code_name(self->org.authority, self->org.authority_name));
		fz_json_put(o, "type", code_name(self->org.type, self->org.type_name));
		fz_json_put(o, "region", region_json(&self->region));
		add_str(o, "organization_code", self->org.org_code);
		break;
	case FZ_IDENTIFIER_PLATE:
		add_str(o, "province", self->plate.province);
		add_str(o, "province_name", self->plate.province_name);
		add_str(o, "letter", letter);
		add_str(o, "issuer", self->plate.issuer);
		cJSON_AddBoolToObject(o, "new_energy", self->plate.new_energy);
		add_str(o, "size", self->plate.size);
		add_str(o, "power", self->plate.power);
		add_str(o, "use", self->plate.use);
		break;
	case FZ_IDENTIFIER_MOBILE:
		break;
	}
	return o;
}

cJSON *fz_identifier_json(const struct fz_identifier *self)
{
	cJSON *o = cJSON_CreateObject(), *reasons = cJSON_CreateArray();
	char masked[FZ_IDENTIFIER_MAX_VALUE + 1];

	if (!o || !reasons) {
		cJSON_Delete(o);
		cJSON_Delete(reasons);
		return NULL;
	}
	add_str(o, "kind", fz_identifier_kind_name(self->kind));
	cJSON_AddStringToObject(o, "value", self->value);
	cJSON_AddBoolToObject(o, "valid", self->valid);
	for (size_t i = 0; i < self->nreasons; i++) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "code", self->reasons[i].code);
		cJSON_AddStringToObject(r, "message", self->reasons[i].msg);
		fz_json_push(reasons, r);
	}
	fz_json_put(o, "reasons", reasons);
	fz_json_put(o, "encodes", encodes_json(self));
	cJSON_AddStringToObject(
		o, "masked", fz_identifier_mask(self->kind, self->value, masked, sizeof(masked)));
	return o;
}
