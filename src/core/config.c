#include "core/config.h"

#include "core/buf.h"
#include "core/err.h"
#include "core/log.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum kind { K_STR, K_INT, K_LISTEN, K_LEVEL };

static const struct {
	const char *name;
	enum kind kind;
	const char *def;
	int64_t min, max;
	const char *help;
} table[FZ_CFG_COUNT] = {
	[FZ_CFG_DB] = { "db", K_STR, "var/fazhi.db", 0, 0, "SQLite database file" },
	[FZ_CFG_LISTEN] = { "listen", K_LISTEN, "127.0.0.1:8080", 0, 0,
			    "address:port to serve on (port 0: any free port)" },
	[FZ_CFG_SHARE_DIR] = { "share_dir", K_STR, "", 0, 0,
			       "data and console files (default: share/ beside the binary)" },
	[FZ_CFG_THREADS] = { "threads", K_INT, "4", 1, 64, "HTTP worker threads" },
	[FZ_CFG_SESSION_TTL] = { "session_ttl", K_INT, "28800", 60, 31536000,
				 "seconds a sign-in token lives" },
	[FZ_CFG_LOCKOUT_THRESHOLD] = { "lockout_threshold", K_INT, "5", 1, 100,
				       "failed sign-ins that lock an account" },
	[FZ_CFG_LOCKOUT_WINDOW] = { "lockout_window", K_INT, "900", 1, 86400,
				    "seconds over which failures are counted" },
	[FZ_CFG_LOCKOUT_DURATION] = { "lockout_duration", K_INT, "900", 1, 86400,
				      "seconds an account stays locked" },
	[FZ_CFG_PASSWORD_MIN_LENGTH] = { "password_min_length", K_INT, "10", 8, 128,
					 "shortest accepted password" },
	[FZ_CFG_MAX_BODY] = { "max_body", K_INT, "1048576", 1024, 1073741824,
			      "largest request body, bytes" },
	[FZ_CFG_MAX_HEADER] = { "max_header", K_INT, "32768", 4096, 1048576,
				"memory per connection for headers, bytes" },
	[FZ_CFG_MAX_JSON_DEPTH] = { "max_json_depth", K_INT, "32", 2, 512,
				    "deepest JSON nesting accepted" },
	[FZ_CFG_REQUEST_TIMEOUT] = { "request_timeout", K_INT, "30", 1, 3600,
				     "seconds an idle connection may wait" },
	[FZ_CFG_WRITER_BATCH] = { "writer_batch", K_INT, "128", 1, 10000,
				  "most writes committed together" },
	[FZ_CFG_CLOCK_FILE] = { "clock_file", K_STR, "", 0, 0,
				"tests only: read the current time (UTC ms) from this file" },
	[FZ_CFG_LOG_LEVEL] = { "log_level", K_LEVEL, "info", 0, 0, "debug, info, warn or error" },
	[FZ_CFG_APPS_DIR] = { "apps_dir", K_STR, "", 0, 0,
			      "app packs (default: share/apps beside the binary)" },
	[FZ_CFG_SCHEDULER_INTERVAL] = { "scheduler_interval", K_INT, "10000", 10, 3600000,
					"milliseconds between scheduler passes over the clocks" },
	[FZ_CFG_MAX_ATTACHMENT] = { "max_attachment", K_INT, "10485760", 1024, 16777216,
				    "largest case attachment, bytes" },
	[FZ_CFG_MQTT] = { "mqtt", K_STR, "127.0.0.1:1883", 0, 0,
			  "MQTT broker host:port that devices publish to (\"\": no MQTT)" },
	[FZ_CFG_MQTT_PREFIX] = { "mqtt_prefix", K_STR, "fazhi", 0, 0,
				 "topic prefix: devices publish to <prefix>/<source>/<type>" },
	[FZ_CFG_MQTT_CLIENT_ID] = { "mqtt_client_id", K_STR, "fazhi", 0, 0,
				    "MQTT client id (a persistent session: QoS 1 messages wait)" },
	[FZ_CFG_DISPATCH_ESCALATE_AFTER] = { "dispatch_escalate_after", K_INT, "600", 10, 86400,
					     "seconds a field event may stay uncleared before "
					     "it escalates (fire rescue and a case)" },
	[FZ_CFG_DISPATCH_DEDUP_WINDOW] = { "dispatch_dedup_window", K_INT, "600", 1, 86400,
					   "seconds within which the same camera, lane and "
					   "plate are one event" },
	[FZ_CFG_SSE_HEARTBEAT] = { "sse_heartbeat", K_INT, "15000", 100, 600000,
				   "milliseconds between heartbeats on live streams" },
	[FZ_CFG_SSE_RING] = { "sse_ring", K_INT, "4096", 16, 1000000,
			      "events kept for a reconnecting stream (Last-Event-ID)" },
};

static const char *source_names[] = { "default", "file", "env", "flag" };

static void default_share(char *out, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0) {
		snprintf(out, size, "share");
		return;
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(out, size, "%s/share", exe);
}

void fz_config_init(struct fz_config *cfg)
{
	char share[PATH_MAX + 8];

	memset(cfg, 0, sizeof(*cfg));
	default_share(share, sizeof(share));
	for (int i = 0; i < FZ_CFG_COUNT; i++)
		cfg->values[i] = strdup(i == FZ_CFG_SHARE_DIR ? share : table[i].def);
	free(cfg->values[FZ_CFG_APPS_DIR]);
	strncat(share, "/apps", sizeof(share) - strlen(share) - 1);
	cfg->values[FZ_CFG_APPS_DIR] = strdup(share);
}

void fz_config_release(struct fz_config *cfg)
{
	for (int i = 0; i < FZ_CFG_COUNT; i++)
		free(cfg->values[i]);
	memset(cfg, 0, sizeof(*cfg));
}

static int check_value(int key, const char *v, struct fz_err *err)
{
	char *end;
	long long n;
	enum fz_log_level lvl;
	const char *colon;

	switch (table[key].kind) {
	case K_STR:
		return 0;
	case K_LEVEL:
		if (fz_log_parse_level(v, &lvl))
			return fz_err_set(err, FZ_EINVAL, NULL, table[key].name,
					  "%s: \"%s\" 无效，应为 debug、info、warn 或 error",
					  table[key].name, v);
		return 0;
	case K_LISTEN:
		colon = strrchr(v, ':');
		if (!colon || colon == v)
			return fz_err_set(err, FZ_EINVAL, NULL, table[key].name,
					  "%s: \"%s\" 无效，应为 地址:端口，如 127.0.0.1:8080",
					  table[key].name, v);
		errno = 0;
		n = strtoll(colon + 1, &end, 10);
		if (errno || *end || end == colon + 1 || n < 0 || n > 65535)
			return fz_err_set(err, FZ_EINVAL, NULL, table[key].name,
					  "%s: 端口 \"%s\" 无效，应为 0-65535", table[key].name,
					  colon + 1);
		return 0;
	case K_INT:
		errno = 0;
		n = strtoll(v, &end, 10);
		if (errno || *end || end == v || n < table[key].min || n > table[key].max)
			return fz_err_set(err, FZ_EINVAL, NULL, table[key].name,
					  "%s: \"%s\" 无效，应为 %lld 到 %lld 之间的整数",
					  table[key].name, v, (long long)table[key].min,
					  (long long)table[key].max);
		return 0;
	}
	return FZ_EINTERNAL;
}

static int lookup(const char *name)
{
	char norm[64];
	size_t i;

	for (i = 0; name[i] && i < sizeof(norm) - 1; i++)
		norm[i] = name[i] == '-' ? '_' : name[i];
	norm[i] = '\0';
	if (name[i])
		return -1;
	for (int k = 0; k < FZ_CFG_COUNT; k++)
		if (strcmp(table[k].name, norm) == 0)
			return k;
	return -1;
}

int fz_config_set(struct fz_config *cfg, const char *name, const char *value,
		  enum fz_config_source src, struct fz_err *err)
{
	int key = lookup(name), rc;
	char *copy;

	if (key < 0)
		return FZ_ENOTFOUND;
	rc = check_value(key, value, err);
	if (rc)
		return rc;
	copy = strdup(value);
	if (!copy)
		return FZ_ENOMEM;
	free(cfg->values[key]);
	cfg->values[key] = copy;
	cfg->sources[key] = src;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int fz_config_parse(struct fz_config *cfg, const char *text, size_t len, const char *origin,
		    struct fz_err *err)
{
	char line[1024];
	size_t pos = 0;
	int lineno = 0, rc;

	if (len > 1 << 20)
		return fz_err_set(err, FZ_ETOOBIG, NULL, NULL, "%s: 配置文件超过 1 MiB", origin);
	while (pos < len) {
		size_t n = 0;
		char *key, *val, *eq;
		lineno++;
		while (pos < len && text[pos] != '\n') {
			if (n >= sizeof(line) - 1)
				return fz_err_set(err, FZ_ETOOBIG, NULL, NULL,
						  "%s:%d: 行过长（上限 %zu 字节）", origin, lineno,
						  sizeof(line) - 1);
			if (text[pos] == '\0')
				return fz_err_set(err, FZ_EINVAL, NULL, NULL,
						  "%s:%d: 含有 NUL 字节", origin, lineno);
			line[n++] = text[pos++];
		}
		pos++;
		line[n] = '\0';
		key = trim(line);
		if (!*key || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq)
			return fz_err_set(err, FZ_EINVAL, NULL, NULL, "%s:%d: 应为 key = value",
					  origin, lineno);
		*eq = '\0';
		val = trim(eq + 1);
		key = trim(key);
		rc = fz_config_set(cfg, key, val, FZ_SRC_FILE, err);
		if (rc == FZ_ENOTFOUND)
			return fz_err_set(err, FZ_EINVAL, "unknown_field", key,
					  "%s:%d: 未知配置项 \"%s\"", origin, lineno, key);
		if (rc) {
			char msg[sizeof(err->msg)];
			snprintf(msg, sizeof(msg), "%s", err->msg);
			snprintf(err->msg, sizeof(err->msg), "%s:%d: %s", origin, lineno, msg);
			return rc;
		}
	}
	return 0;
}

int fz_config_load_file(struct fz_config *cfg, const char *path, struct fz_err *err)
{
	FILE *f = fopen(path, "r");
	struct fz_buf b;
	char chunk[4096];
	size_t n;
	int rc = 0;

	if (!f) {
		rc = -errno;
		return fz_err_set(err, rc, "not_found", NULL, "无法读取配置文件 %s: %s", path,
				  strerror(errno));
	}
	fz_buf_init(&b, (1 << 20) + 1);
	while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = fz_buf_add(&b, chunk, n);
	fclose(f);
	if (!rc)
		rc = fz_config_parse(cfg, b.data ? b.data : "", b.len, path, err);
	else
		fz_err_set(err, rc, NULL, NULL, "%s: 配置文件过大", path);
	if (!rc)
		snprintf(cfg->file, sizeof(cfg->file), "%s", path);
	fz_buf_release(&b);
	return rc;
}

int fz_config_load_env(struct fz_config *cfg, struct fz_err *err)
{
	for (int k = 0; k < FZ_CFG_COUNT; k++) {
		char env[64] = "FAZHI_";
		size_t o = strlen(env);
		const char *v;
		for (const char *p = table[k].name; *p && o < sizeof(env) - 1; p++)
			env[o++] = (char)toupper((unsigned char)*p);
		env[o] = '\0';
		v = getenv(env);
		if (v) {
			int rc = fz_config_set(cfg, table[k].name, v, FZ_SRC_ENV, err);
			if (rc)
				return rc;
		}
	}
	return 0;
}

const char *fz_config_str(const struct fz_config *cfg, enum fz_config_key key)
{
	return cfg->values[key];
}

int64_t fz_config_int(const struct fz_config *cfg, enum fz_config_key key)
{
	return strtoll(cfg->values[key], NULL, 10);
}

void fz_config_print(const struct fz_config *cfg, FILE *out)
{
	for (int k = 0; k < FZ_CFG_COUNT; k++)
		fprintf(out, "%-20s = %-30s # %s%s%s\n", table[k].name, cfg->values[k],
			source_names[cfg->sources[k]], cfg->sources[k] == FZ_SRC_FILE ? " " : "",
			cfg->sources[k] == FZ_SRC_FILE ? cfg->file : "");
}

void fz_config_help(FILE *out)
{
	for (int k = 0; k < FZ_CFG_COUNT; k++) {
		char flag[64];
		size_t i;
		for (i = 0; table[k].name[i] && i < sizeof(flag) - 1; i++)
			flag[i] = table[k].name[i] == '_' ? '-' : table[k].name[i];
		flag[i] = '\0';
		fprintf(out, "  --%-22s %s (default: %s)\n", flag, table[k].help,
			table[k].def[0] ? table[k].def : "see text");
	}
}
