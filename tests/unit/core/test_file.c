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

static void lists_a_directory_in_order(void **state)
{
	static const char *names[] = { "b.json", "a.json", ".hidden.json", "c.lua", "x.json.bak" };
	char dir[300], path[400], *missing;
	char **list;
	size_t n = 9;

	(void)state;
	snprintf(dir, sizeof(dir), "%s", ts_tmpdir());
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		FILE *f;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		assert_non_null(f = fopen(path, "w"));
		fclose(f);
	}
	list = fz_file_list(dir, ".json", &n);
	assert_int_equal(n, 2);
	assert_string_equal(list[0], "a.json");
	assert_string_equal(list[1], "b.json");
	fz_file_list_free(list, n);
	list = fz_file_list(dir, NULL, &n);
	assert_int_equal(n, 4); /* every name but the hidden one, sorted */
	assert_string_equal(list[0], "a.json");
	assert_string_equal(list[3], "x.json.bak");
	fz_file_list_free(list, n);
	missing = ts_tmpfile("no-such-dir");
	assert_null(fz_file_list(missing, NULL, &n));
	assert_int_equal(n, 0);
	free(missing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_the_whole_file_up_to_the_cap),
		cmocka_unit_test(refuses_what_is_not_a_readable_regular_file),
		cmocka_unit_test(lists_a_directory_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
