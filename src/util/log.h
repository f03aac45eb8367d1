/* log.h - leveled, area-tagged logging to stderr.
 *
 * Message bodies are logged only at debug level; secrets are never logged.
 */
#ifndef XMPPGW_LOG_H
#define XMPPGW_LOG_H

#include <stdbool.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_msg(enum log_level level, const char *area, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parses "debug", "info", "warn"/"warning", "error". false if unknown. */
bool log_parse_level(const char *name, enum log_level *out);
bool log_enabled(enum log_level level);

#endif
