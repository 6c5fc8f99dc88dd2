/*
 * config: every setting of fazhi, declared in one table (Redis's
 * static_configs[]). A value comes from, in rising precedence: the built-in
 * default, the configuration file (`key = value` lines, `#` comments), the
 * environment (FAZHI_<KEY> in upper case), and command-line flags
 * (`--key value` or `--key=value`, with '_' written as '-').
 * fz_config_print() shows each final value and where it came from.
 *
 * Loaded once at start by the main thread; read-only afterwards, so any
 * thread may read it.
 */
#ifndef FZ_CORE_CONFIG_H
#define FZ_CORE_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct fz_err;

enum fz_config_key {
	FZ_CFG_DB,
	FZ_CFG_LISTEN,
	FZ_CFG_SHARE_DIR,
	FZ_CFG_THREADS,
	FZ_CFG_SESSION_TTL,
	FZ_CFG_LOCKOUT_THRESHOLD,
	FZ_CFG_LOCKOUT_WINDOW,
	FZ_CFG_LOCKOUT_DURATION,
	FZ_CFG_PASSWORD_MIN_LENGTH,
	FZ_CFG_MAX_BODY,
	FZ_CFG_MAX_HEADER,
	FZ_CFG_MAX_JSON_DEPTH,
	FZ_CFG_REQUEST_TIMEOUT,
	FZ_CFG_WRITER_BATCH,
	FZ_CFG_CLOCK_FILE,
	FZ_CFG_LOG_LEVEL,
	FZ_CFG_APPS_DIR,
	FZ_CFG_SCHEDULER_INTERVAL,
	FZ_CFG_MAX_ATTACHMENT,
	/* live dispatch (src/mqtt, src/dispatch, http/sse) */
	FZ_CFG_MQTT,
	FZ_CFG_MQTT_PREFIX,
	FZ_CFG_MQTT_CLIENT_ID,
	FZ_CFG_DISPATCH_ESCALATE_AFTER,
	FZ_CFG_DISPATCH_DEDUP_WINDOW,
	FZ_CFG_SSE_HEARTBEAT,
	FZ_CFG_SSE_RING,
	FZ_CFG_COUNT
};

enum fz_config_source { FZ_SRC_DEFAULT, FZ_SRC_FILE, FZ_SRC_ENV, FZ_SRC_FLAG };

struct fz_config {
	char *values[FZ_CFG_COUNT];
	enum fz_config_source sources[FZ_CFG_COUNT];
	char file[512]; /* the file read, "" if none */
};

/* Defaults only. The share_dir default is computed from the executable. */
void fz_config_init(struct fz_config *cfg);
void fz_config_release(struct fz_config *cfg);

/*
 * Parses configuration text (file contents). Unknown keys, lines without
 * '=', and invalid values fail with FZ_EINVAL naming the line; text longer
 * than 1 MiB fails with FZ_ETOOBIG. origin names the file in messages.
 */
int fz_config_parse(struct fz_config *cfg, const char *text, size_t len, const char *origin,
		    struct fz_err *err);
/* Reads and parses a file. -errno if unreadable. */
int fz_config_load_file(struct fz_config *cfg, const char *path, struct fz_err *err);
/* Applies FAZHI_* environment variables. */
int fz_config_load_env(struct fz_config *cfg, struct fz_err *err);
/*
 * Sets one key from a flag name ("db", "listen", "session-ttl"...).
 * Returns 0, FZ_ENOTFOUND for a name that is no key, FZ_EINVAL for a bad value.
 */
int fz_config_set(struct fz_config *cfg, const char *name, const char *value,
		  enum fz_config_source src, struct fz_err *err);

const char *fz_config_str(const struct fz_config *cfg, enum fz_config_key key);
int64_t fz_config_int(const struct fz_config *cfg, enum fz_config_key key);

/* "key = value  # source" for every key. */
void fz_config_print(const struct fz_config *cfg, FILE *out);
/* One line per key for --help: flag, default and meaning. */
void fz_config_help(FILE *out);

#endif
