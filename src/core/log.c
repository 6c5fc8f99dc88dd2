#include "core/log.h"

#include "core/clock.h"
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static enum fz_log_level min_level = FZ_LOG_INFO;
static const char *names[] = { "debug", "info", "warn", "error" };

void fz_log_set_level(enum fz_log_level level)
{
	min_level = level;
}

int fz_log_parse_level(const char *s, enum fz_log_level *out)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum fz_log_level)i;
			return 0;
		}
	return FZ_EINVAL;
}

void fz_log(enum fz_log_level level, const char *fmt, ...)
{
	char ts[32], msg[1024];
	va_list ap;

	if (level < min_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s %s %s\n", fz_time_format(fz_clock_now(), ts, sizeof(ts)), names[level],
		msg);
}
