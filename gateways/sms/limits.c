/* limits.c - daily quota keys (limits.h). */
#include "sms/limits.h"

char *sms_quota_key(const char *jid, time_t t)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	return g_strdup_printf("%04d-%02d-%02d %s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			       jid);
}
