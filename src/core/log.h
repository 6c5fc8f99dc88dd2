/*
 * log: one line per event on stderr, "2026-03-02T01:00:00.000Z level msg".
 * Thread-safe (one fprintf per line).
 */
#ifndef FZ_CORE_LOG_H
#define FZ_CORE_LOG_H

enum fz_log_level { FZ_LOG_DEBUG, FZ_LOG_INFO, FZ_LOG_WARN, FZ_LOG_ERROR };

/* Lines below level are dropped. Call before threads start. */
void fz_log_set_level(enum fz_log_level level);
/* "debug", "info", "warn", "error": 0 or FZ_EINVAL. */
int fz_log_parse_level(const char *s, enum fz_log_level *out /* OUT */);
void fz_log(enum fz_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
