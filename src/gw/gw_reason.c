/* gw_reason.c - reasons backends give for a refusal (gateway.h). */
#include "gateway.h"

#include <stdarg.h>

void gw_reason_set(struct gw_reason *why, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_free(why->text);
	why->text = text;
}
