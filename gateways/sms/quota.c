/* quota.c - the daily number of texts a user may send (daily_quota),
 * counted in a row per user and UTC day (limits.h has the key). */
#include "sms/limits.h"
#include "sms/sms.h"

#include <stdlib.h>

enum gw_err sms_quota_take(struct sms *sms, const char *jid, const char **why)
{
	static char text[128];
	char *key = sms_quota_key(jid, time(NULL));
	char *v = NULL;
	int64_t used = 0;
	enum gw_err err = gw_row_get(sms->gw, SMS_ROW_QUOTA, key, &v);
	if (err == GW_OK)
		used = g_ascii_strtoll(v, NULL, 10);
	else if (err != GW_ERR_NOT_FOUND)
		goto out;
	if (used >= sms->daily_quota) {
		g_snprintf(text, sizeof text,
			   "you have sent your %" G_GINT64_FORMAT " texts for today (UTC); "
			   "try again tomorrow", sms->daily_quota);
		*why = text;
		err = GW_ERR_RESOURCE_CONSTRAINT;
		goto out;
	}
	g_free(v);
	v = g_strdup_printf("%" G_GINT64_FORMAT, used + 1);
	err = gw_row_put(sms->gw, SMS_ROW_QUOTA, key, v);
out:
	g_free(v);
	g_free(key);
	return err;
}
