/* Unit tests of core/buf: growth, formatting, the hard cap. */
#include "support.h"

#include "core/buf.h"
#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_appends_and_terminates(void **state)
{
	struct fz_buf b;

	fz_buf_init(&b, 0);
	assert_int_equal(fz_buf_add(&b, "abc", 3), 0);
	assert_int_equal(fz_buf_adds(&b, "def"), 0);
	assert_int_equal(b.len, 6);
	assert_string_equal(b.data, "abcdef");
	/* binary data with NUL bytes keeps its length */
	assert_int_equal(fz_buf_add(&b, "x\0y", 3), 0);
	assert_int_equal(b.len, 9);
	assert_memory_equal(b.data, "abcdefx\0y", 9);
	assert_int_equal(b.data[9], '\0');
	fz_buf_release(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void grows_past_many_blocks(void **state)
{
	struct fz_buf b;
	char expect[11];

	fz_buf_init(&b, 0);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(fz_buf_addf(&b, "%05d,", i), 0);
	assert_int_equal(b.len, 60000);
	assert_memory_equal(b.data, "00000,00001,", 12);
	snprintf(expect, sizeof(expect), "%05d,", 9999);
	assert_string_equal(b.data + b.len - 6, expect);
	assert_true(b.cap > b.len);
	fz_buf_release(&b);
}

static void addf_formats(void **state)
{
	struct fz_buf b;

	fz_buf_init(&b, 0);
	assert_int_equal(fz_buf_addf(&b, "%s=%d", "n", 42), 0);
	assert_int_equal(fz_buf_addf(&b, ";%.2f;%s", 1.5, "中文"), 0);
	assert_string_equal(b.data, "n=42;1.50;中文");
	assert_int_equal(b.len, strlen("n=42;1.50;中文"));
	/* an empty format leaves a valid empty string */
	fz_buf_release(&b);
	assert_int_equal(fz_buf_addf(&b, "%s", ""), 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	fz_buf_release(&b);
}

static void cap_refuses_growth_with_etoobig(void **state)
{
	struct fz_buf b;

	fz_buf_init(&b, 10);
	assert_int_equal(fz_buf_add(&b, "0123456789", 10), 0); /* exactly max */
	assert_int_equal(fz_buf_add(&b, "x", 1), FZ_ETOOBIG);
	/* the refused append left the contents intact */
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "0123456789");
	fz_buf_release(&b);

	fz_buf_init(&b, 10);
	assert_int_equal(fz_buf_adds(&b, "abcdef"), 0);
	assert_int_equal(fz_buf_adds(&b, "ghijk"), FZ_ETOOBIG);
	assert_string_equal(b.data, "abcdef");
	fz_buf_release(&b);
}

static void cap_applies_to_addf(void **state)
{
	struct fz_buf b;

	fz_buf_init(&b, 8);
	assert_int_equal(fz_buf_addf(&b, "%d", 1234), 0);
	assert_int_equal(fz_buf_addf(&b, "%d", 56789), FZ_ETOOBIG);
	assert_string_equal(b.data, "1234");
	assert_int_equal(fz_buf_addf(&b, "%d", 5678), 0);
	assert_string_equal(b.data, "12345678");
	/* the cap survives release: the buf is reusable with the same limit */
	fz_buf_release(&b);
	assert_int_equal(fz_buf_addf(&b, "%s", "123456789"), FZ_ETOOBIG);
	fz_buf_release(&b);
}

static void huge_length_is_refused_not_wrapped(void **state)
{
	struct fz_buf b;

	fz_buf_init(&b, 0);
	assert_int_equal(fz_buf_adds(&b, "a"), 0);
	assert_int_equal(fz_buf_add(&b, "b", (size_t)-1), FZ_ETOOBIG);
	assert_string_equal(b.data, "a");
	fz_buf_release(&b);
}

static void detach_hands_over_data(void **state)
{
	struct fz_buf b;
	size_t len = 0;
	char *d;

	fz_buf_init(&b, 100);
	fz_buf_adds(&b, "hello");
	d = fz_buf_detach(&b, &len);
	assert_string_equal(d, "hello");
	assert_int_equal(len, 5);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 100);
	free(d);
	/* an empty buf detaches as an empty string, never NULL */
	d = fz_buf_detach(&b, &len);
	assert_non_null(d);
	assert_string_equal(d, "");
	assert_int_equal(len, 0);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_appends_and_terminates),
		cmocka_unit_test(grows_past_many_blocks),
		cmocka_unit_test(addf_formats),
		cmocka_unit_test(cap_refuses_growth_with_etoobig),
		cmocka_unit_test(cap_applies_to_addf),
		cmocka_unit_test(huge_length_is_refused_not_wrapped),
		cmocka_unit_test(detach_hands_over_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
