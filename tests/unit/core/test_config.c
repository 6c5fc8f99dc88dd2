/* Unit tests of core/config: sources and their precedence, validation. */
#include "support.h"

#include "core/config.h"
#include "core/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse(struct fz_config *cfg, const char *text, struct fz_err *err)
{
	fz_err_init(err);
	return fz_config_parse(cfg, text, strlen(text), "test.conf", err);
}

/* fz_config_print output into a malloc'd string. */
static char *printed(const struct fz_config *cfg)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	fz_config_print(cfg, f);
	fclose(f);
	return out;
}

/* The printed line of key (up to its newline), copied into line. */
static void print_line(const char *text, const char *key, char *line, size_t size)
{
	const char *p = text;
	size_t k = strlen(key);

	for (;;) {
		const char *nl = strchr(p, '\n');
		if (strncmp(p, key, k) == 0 && p[k] == ' ') {
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			snprintf(line, size, "%.*s", (int)n, p);
			return;
		}
		if (!nl)
			fail_msg("key %s not printed", key);
		p = nl + 1;
	}
}

static void clear_env(void)
{
	unsetenv("FAZHI_THREADS");
	unsetenv("FAZHI_SESSION_TTL");
	unsetenv("FAZHI_LISTEN");
	unsetenv("FAZHI_LOG_LEVEL");
	unsetenv("FAZHI_DB");
}

static void defaults_are_documented_values(void **state)
{
	struct fz_config cfg;

	fz_config_init(&cfg);
	assert_string_equal(fz_config_str(&cfg, FZ_CFG_LISTEN), "127.0.0.1:8080");
	assert_int_equal(fz_config_int(&cfg, FZ_CFG_THREADS), 4);
	assert_int_equal(fz_config_int(&cfg, FZ_CFG_LOCKOUT_THRESHOLD), 5);
	assert_int_equal(fz_config_int(&cfg, FZ_CFG_MAX_BODY), 1048576);
	for (int k = 0; k < FZ_CFG_COUNT; k++)
		assert_int_equal(cfg.sources[k], FZ_SRC_DEFAULT);
	/* share_dir defaults to share/ beside the executable */
	assert_non_null(strstr(fz_config_str(&cfg, FZ_CFG_SHARE_DIR), "share"));
	fz_config_release(&cfg);
}

static void precedence_default_file_env_flag(void **state)
{
	struct fz_config cfg;
	struct fz_err err;

	clear_env();
	fz_config_init(&cfg);
	assert_int_equal(parse(&cfg,
			       "threads = 8\nsession_ttl = 120\n"
			       "log_level = warn\n",
			       &err),
			 0);
	assert_int_equal(fz_config_int(&cfg, FZ_CFG_THREADS), 8);
	assert_int_equal(cfg.sources[FZ_CFG_THREADS], FZ_SRC_FILE);

	setenv("FAZHI_THREADS", "16", 1);
	setenv("FAZHI_SESSION_TTL", "600", 1);
	fz_err_init(&err);
	assert_int_equal(fz_config_load_env(&cfg, &err), 0);
	assert_int_equal(fz_config_int(&cfg, FZ_CFG_THREADS), 16);
	assert_int_equal(cfg.sources[FZ_CFG_THREADS], FZ_SRC_ENV);
	assert_int_equal(fz_config_int(&cfg, FZ_CFG_SESSION_TTL), 600);

	fz_err_init(&err);
	assert_int_equal(fz_config_set(&cfg, "threads", "32", FZ_SRC_FLAG, &err), 0);
	assert_int_equal(fz_config_int(&cfg, FZ_CFG_THREADS), 32);
	assert_int_equal(cfg.sources[FZ_CFG_THREADS], FZ_SRC_FLAG);

	/* untouched layers keep the lower source */
	assert_int_equal(fz_config_int(&cfg, FZ_CFG_SESSION_TTL), 600);
	assert_int_equal(cfg.sources[FZ_CFG_SESSION_TTL], FZ_SRC_ENV);
	assert_string_equal(fz_config_str(&cfg, FZ_CFG_LOG_LEVEL), "warn");
	assert_int_equal(cfg.sources[FZ_CFG_LOG_LEVEL], FZ_SRC_FILE);
	assert_int_equal(fz_config_int(&cfg, FZ_CFG_WRITER_BATCH), 128);
	assert_int_equal(cfg.sources[FZ_CFG_WRITER_BATCH], FZ_SRC_DEFAULT);
	clear_env();
	fz_config_release(&cfg);
}

static void flag_names_accept_dashes(void **state)
{
	struct fz_config cfg;
	struct fz_err err;

	fz_config_init(&cfg);
	fz_err_init(&err);
	assert_int_equal(fz_config_set(&cfg, "session-ttl", "3600", FZ_SRC_FLAG, &err), 0);
	assert_int_equal(fz_config_int(&cfg, FZ_CFG_SESSION_TTL), 3600);
	assert_int_equal(fz_config_set(&cfg, "no-such-flag", "1", FZ_SRC_FLAG, &err), FZ_ENOTFOUND);
	fz_config_release(&cfg);
}

static void bad_env_value_is_refused(void **state)
{
	struct fz_config cfg;
	struct fz_err err;

	clear_env();
	setenv("FAZHI_THREADS", "lots", 1);
	fz_config_init(&cfg);
	fz_err_init(&err);
	assert_int_equal(fz_config_load_env(&cfg, &err), FZ_EINVAL);
	assert_string_equal(err.field, "threads");
	assert_int_equal(fz_config_int(&cfg, FZ_CFG_THREADS), 4);
	clear_env();
	fz_config_release(&cfg);
}

static void file_comments_blank_lines_and_spaces(void **state)
{
	struct fz_config cfg;
	struct fz_err err;

	fz_config_init(&cfg);
	assert_int_equal(parse(&cfg,
			       "# a comment\n\n   \n  db =  /tmp/x.db  \r\n"
			       "\tthreads=2\n# threads = 3\n",
			       &err),
			 0);
	assert_string_equal(fz_config_str(&cfg, FZ_CFG_DB), "/tmp/x.db");
	assert_int_equal(fz_config_int(&cfg, FZ_CFG_THREADS), 2);
	fz_config_release(&cfg);
}

static void unknown_key_names_line(void **state)
{
	struct fz_config cfg;
	struct fz_err err;

	fz_config_init(&cfg);
	assert_int_equal(parse(&cfg, "# header\nthreads = 2\n\nthredas = 3\n", &err), FZ_EINVAL);
	assert_string_equal(err.machine, "unknown_field");
	assert_string_equal(err.field, "thredas");
	assert_non_null(strstr(err.msg, "test.conf:4"));
	assert_non_null(strstr(err.msg, "thredas"));
	fz_config_release(&cfg);
}

static void line_without_equals_names_line(void **state)
{
	struct fz_config cfg;
	struct fz_err err;

	fz_config_init(&cfg);
	assert_int_equal(parse(&cfg, "threads = 2\nthreads 3\n", &err), FZ_EINVAL);
	assert_non_null(strstr(err.msg, "test.conf:2"));
	fz_config_release(&cfg);
}

static void int_out_of_range_is_refused(void **state)
{
	static const char *bad[] = { "threads = 0\n",
				     "threads = 65\n",
				     "threads = 4x\n",
				     "threads = \n",
				     "threads = 99999999999999999999\n",
				     "session_ttl = 59\n",
				     "password_min_length = 7\n" };
	struct fz_config cfg;
	struct fz_err err;

	fz_config_init(&cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&cfg, bad[i], &err), FZ_EINVAL);
		assert_non_null(strstr(err.msg, "test.conf:1"));
	}
	/* the message names the range */
	assert_int_equal(parse(&cfg, "\nthreads = 65\n", &err), FZ_EINVAL);
	assert_string_equal(err.field, "threads");
	assert_non_null(strstr(err.msg, "test.conf:2"));
	assert_non_null(strstr(err.msg, "1 到 64"));
	/* the bounds themselves are accepted, and the refused values left nothing */
	assert_int_equal(fz_config_int(&cfg, FZ_CFG_THREADS), 4);
	assert_int_equal(parse(&cfg, "threads = 1\n", &err), 0);
	assert_int_equal(parse(&cfg, "threads = 64\n", &err), 0);
	assert_int_equal(fz_config_int(&cfg, FZ_CFG_THREADS), 64);
	fz_config_release(&cfg);
}

static void bad_listen_is_refused(void **state)
{
	static const char *bad[] = { "localhost",	":8080",	"127.0.0.1:",
				     "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:80x" };
	static const char *good[] = { "127.0.0.1:0", "0.0.0.0:65535", "[::1]:8080" };
	struct fz_config cfg;
	struct fz_err err;

	fz_config_init(&cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fz_err_init(&err);
		assert_int_equal(fz_config_set(&cfg, "listen", bad[i], FZ_SRC_FLAG, &err),
				 FZ_EINVAL);
		assert_string_equal(err.field, "listen");
	}
	assert_string_equal(fz_config_str(&cfg, FZ_CFG_LISTEN), "127.0.0.1:8080");
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		fz_err_init(&err);
		assert_int_equal(fz_config_set(&cfg, "listen", good[i], FZ_SRC_FLAG, &err), 0);
		assert_string_equal(fz_config_str(&cfg, FZ_CFG_LISTEN), good[i]);
	}
	fz_config_release(&cfg);
}

static void bad_log_level_is_refused(void **state)
{
	struct fz_config cfg;
	struct fz_err err;

	fz_config_init(&cfg);
	assert_int_equal(parse(&cfg, "log_level = loud\n", &err), FZ_EINVAL);
	assert_string_equal(err.field, "log_level");
	assert_int_equal(parse(&cfg, "log_level = debug\n", &err), 0);
	fz_config_release(&cfg);
}

static void text_over_one_mib_is_too_big(void **state)
{
	size_t n = (1u << 20) + 1;
	char *text = malloc(n);
	struct fz_config cfg;
	struct fz_err err;

	/* comment lines only: the size alone must be refused */
	for (size_t i = 0; i < n; i++)
		text[i] = i % 64 == 63 ? '\n' : '#';
	fz_config_init(&cfg);
	fz_err_init(&err);
	assert_int_equal(fz_config_parse(&cfg, text, n, "big.conf", &err), FZ_ETOOBIG);
	/* exactly 1 MiB is still accepted */
	fz_err_init(&err);
	assert_int_equal(fz_config_parse(&cfg, text, n - 1, "big.conf", &err), 0);
	free(text);
	fz_config_release(&cfg);
}

static void load_file_reads_and_records_path(void **state)
{
	char *path = ts_tmpfile("fazhi.conf");
	FILE *f = fopen(path, "w");
	struct fz_config cfg;
	struct fz_err err;

	fputs("writer_batch = 7\n", f);
	fclose(f);
	fz_config_init(&cfg);
	fz_err_init(&err);
	assert_int_equal(fz_config_load_file(&cfg, path, &err), 0);
	assert_int_equal(fz_config_int(&cfg, FZ_CFG_WRITER_BATCH), 7);
	assert_string_equal(cfg.file, path);

	/* an unreadable file is -errno */
	fz_err_init(&err);
	assert_true(fz_config_load_file(&cfg, "/nonexistent/fazhi.conf", &err) < 0);
	assert_true(err.code < 0 && err.code > -1000);
	free(path);
	fz_config_release(&cfg);
}

static void print_shows_value_and_source(void **state)
{
	char *path = ts_tmpfile("fazhi.conf");
	FILE *f = fopen(path, "w");
	struct fz_config cfg;
	struct fz_err err;
	char line[256], *out;

	fputs("threads = 8\n", f);
	fclose(f);
	clear_env();
	setenv("FAZHI_SESSION_TTL", "600", 1);
	fz_config_init(&cfg);
	fz_err_init(&err);
	assert_int_equal(fz_config_load_file(&cfg, path, &err), 0);
	assert_int_equal(fz_config_load_env(&cfg, &err), 0);
	assert_int_equal(fz_config_set(&cfg, "listen", "0.0.0.0:9000", FZ_SRC_FLAG, &err), 0);
	out = printed(&cfg);

	print_line(out, "threads", line, sizeof(line));
	assert_non_null(strstr(line, "= 8"));
	assert_non_null(strstr(line, "# file"));
	assert_non_null(strstr(line, path));
	print_line(out, "session_ttl", line, sizeof(line));
	assert_non_null(strstr(line, "600"));
	assert_non_null(strstr(line, "# env"));
	print_line(out, "listen", line, sizeof(line));
	assert_non_null(strstr(line, "0.0.0.0:9000"));
	assert_non_null(strstr(line, "# flag"));
	print_line(out, "writer_batch", line, sizeof(line));
	assert_non_null(strstr(line, "128"));
	assert_non_null(strstr(line, "# default"));

	clear_env();
	free(out);
	free(path);
	fz_config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_documented_values),
		cmocka_unit_test(precedence_default_file_env_flag),
		cmocka_unit_test(flag_names_accept_dashes),
		cmocka_unit_test(bad_env_value_is_refused),
		cmocka_unit_test(file_comments_blank_lines_and_spaces),
		cmocka_unit_test(unknown_key_names_line),
		cmocka_unit_test(line_without_equals_names_line),
		cmocka_unit_test(int_out_of_range_is_refused),
		cmocka_unit_test(bad_listen_is_refused),
		cmocka_unit_test(bad_log_level_is_refused),
		cmocka_unit_test(text_over_one_mib_is_too_big),
		cmocka_unit_test(load_file_reads_and_records_path),
		cmocka_unit_test(print_shows_value_and_source),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
