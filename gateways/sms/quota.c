/* quota.c - the texts each user sent today, counted in a row per user and
 * UTC day (limits.h has the key): the daily quota (daily_quota, 0: no
 * limit, still counted) and the admins' report of them. */
#include "sms/limits.h"
#include "sms/sms.h"

#include <stdlib.h>
#include <string.h>

enum gw_err sms_quota_take(struct sms *sms, const char *jid, struct gw_reason *why)
{
	char *key = sms_quota_key(jid, time(NULL));
	char *v = NULL;
	int64_t used = 0;
	enum gw_err err = gw_row_get(sms->gw, SMS_ROW_QUOTA, key, &v);
	if (err == GW_OK)
		used = g_ascii_strtoll(v, NULL, 10);
	else if (err != GW_ERR_NOT_FOUND)
		goto out;
	if (sms->daily_quota && used >= sms->daily_quota) {
		gw_reason_set(why,
			      "you have sent your %" G_GINT64_FORMAT " texts for today (UTC); "
			      "try again tomorrow", sms->daily_quota);
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

struct report {
	struct gw *gw;
	const char *today;  /* "YYYY-MM-DD " */
	GString *out;
	unsigned users;
};

static bool report_row(const char *key, const char *value, int64_t created, void *ud)
{
	struct report *r = ud;
	if (!g_str_has_prefix(key, r->today))
		return true;
	const char *jid = key + strlen(r->today);
	GHashTable *reg = NULL;
	const char *number = "(no longer registered)";
	if (gw_reg_get(r->gw, jid, &reg) == GW_OK && g_hash_table_lookup(reg, "number"))
		number = g_hash_table_lookup(reg, "number");
	g_string_append_printf(r->out, "%s%s %s: %s", r->users ? "\n" : "", number, jid, value);
	r->users++;
	if (reg)
		g_hash_table_unref(reg);
	return r->users < SMS_REPORT_MAX_USERS;
}

enum gw_err sms_quota_report(struct gw *gw, const char *jid, GHashTable *values, char **report,
			     struct gw_reason *why)
{
	char *key = sms_quota_key("", time(NULL)); /* "YYYY-MM-DD " */
	struct report r = { .gw = gw, .today = key, .out = g_string_new(NULL) };
	enum gw_err err = gw_row_foreach(gw, SMS_ROW_QUOTA, report_row, &r);
	if (err == GW_OK && !r.users)
		g_string_append(r.out, "no texts sent today");
	else if (err == GW_OK && r.users >= SMS_REPORT_MAX_USERS)
		g_string_append(r.out, "\n(cut: more users sent texts today)");
	*report = g_string_free(r.out, err != GW_OK);
	if (err != GW_OK)
		gw_reason_set(why, "the counts could not be read");
	g_free(key);
	return err;
}
