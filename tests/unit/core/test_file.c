/* Unit tests of core/file: a whole file read with its cap, and each refusal. */
#include "support.h"

#include "core/err.h"
#include "core/file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *write_tmp(const char *name, const char *text, size_t len)
{
	char *path = ts_tmpfile(name);
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	return path;
}

static void reads_the_whole_file_up_to_the_cap(void **state)
{
	char *path = write_tmp("a.json", "{\"a\":1}\0tail", 12), *text = NULL;
	struct fz_err err;
	size_t len = 0;

	(void)state;
	fz_err_init(&err);
	/* exactly the cap is accepted, bytes after a NUL included */
	assert_int_equal(fz_file_read(path, 12, &text, &len, &err), 0);
	assert_int_equal(len, 12);
	assert_memory_equal(text, "{\"a\":1}\0tail", 12);
	assert_int_equal(text[12], '\0');
	free(text);
	/* one byte over is refused, naming the file */
	assert_int_equal(fz_file_read(path, 11, &text, &len, &err), FZ_ETOOBIG);
	assert_null(text);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "11"));
	free(path);
}

static void refuses_what_is_not_a_readable_regular_file(void **state)
{
	char *path = ts_tmpfile("missing.json"), *text = (char *)1;
	struct fz_err err;
	size_t len = 7;

	(void)state;
	fz_err_init(&err);
	assert_int_equal(fz_file_read(path, 100, &text, &len, &err), -ENOENT);
	assert_null(text);
	assert_int_equal(len, 0);
	assert_string_equal(err.machine, "not_found");
	assert_non_null(strstr(err.msg, path));
	fz_err_init(&err);
	assert_int_equal(fz_file_read(ts_tmpdir(), 1 << 20, &text, &len, &err), FZ_EINVAL);
	assert_null(text);
	/* err may be NULL */
	assert_int_equal(fz_file_read(path, 100, &text, &len, NULL), -ENOENT);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_the_whole_file_up_to_the_cap),
		cmocka_unit_test(refuses_what_is_not_a_readable_regular_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
