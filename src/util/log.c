/* log.c - stderr logging with a level and an area per line. */
#include "log.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level current = LOG_INFO;
static const char *const names[] = { "debug", "info", "warn", "error" };

void log_set_level(enum log_level level) { current = level; }
enum log_level log_get_level(void) { return current; }
bool log_enabled(enum log_level level) { return level >= current; }

bool log_parse_level(const char *name, enum log_level *out)
{
	for (int i = 0; i < 4; i++) {
		if (g_ascii_strcasecmp(name, names[i]) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	}
	if (g_ascii_strcasecmp(name, "warning") == 0) {
		*out = LOG_WARN;
		return true;
	}
	return false;
}

void log_msg(enum log_level level, const char *area, const char *fmt, ...)
{
	if (level < current)
		return;
	char ts[32];
	struct timespec now;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);

	char line[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s.%03ldZ %-5s [%s] %s\n", ts, now.tv_nsec / 1000000,
		names[level], area, line);
}
