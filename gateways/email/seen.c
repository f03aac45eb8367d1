/* seen.c - the mails delivered to each user (seen.h). */
#include "email/seen.h"

#include <inttypes.h>
#include <string.h>

char *email_seen_key(const char *jid, const struct email_mail *m)
{
	if (m->message_id && *m->message_id && strlen(m->message_id) <= EMAIL_SEEN_ID_MAX)
		return g_strconcat(jid, " <", m->message_id, ">", NULL);
	GChecksum *h = g_checksum_new(G_CHECKSUM_SHA256);
	char date[32];
	g_snprintf(date, sizeof date, "%" PRId64, m->date);
	const char *parts[] = { date, m->from_addr ? m->from_addr : "",
				m->subject ? m->subject : "", m->message_id ? m->message_id : "" };
	for (size_t i = 0; i < G_N_ELEMENTS(parts); i++)
		g_checksum_update(h, (const guchar *)parts[i], (gssize)strlen(parts[i]) + 1);
	char *key = g_strconcat(jid, " #", g_checksum_get_string(h), NULL);
	g_checksum_free(h);
	return key;
}

bool email_seen_has(struct gw *gw, const char *jid, const struct email_mail *m)
{
	char *key = email_seen_key(jid, m), *v = NULL;
	bool has = gw_row_get(gw, EMAIL_ROW_SEEN, key, &v) == GW_OK;
	g_free(v);
	g_free(key);
	return has;
}

enum gw_err email_seen_note(struct gw *gw, const char *jid, const struct email_mail *m)
{
	char *key = email_seen_key(jid, m);
	enum gw_err err = gw_row_put(gw, EMAIL_ROW_SEEN, key, "1");
	g_free(key);
	return err;
}

struct forget {
	char *prefix;
	GPtrArray *keys;
};

static bool collect(const char *key, const char *value, int64_t created, void *ud)
{
	struct forget *f = ud;
	if (g_str_has_prefix(key, f->prefix))
		g_ptr_array_add(f->keys, g_strdup(key));
	return true;
}

void email_seen_forget(struct gw *gw, const char *jid)
{
	struct forget f = { g_strconcat(jid, " ", NULL), g_ptr_array_new_with_free_func(g_free) };
	gw_row_foreach(gw, EMAIL_ROW_SEEN, collect, &f);
	for (guint i = 0; i < f.keys->len; i++)
		gw_row_delete(gw, EMAIL_ROW_SEEN, g_ptr_array_index(f.keys, i));
	g_ptr_array_free(f.keys, TRUE);
	g_free(f.prefix);
}

bool email_seen_reread_skip(struct gw *gw, const char *jid, const struct email_mail *m,
			    int64_t from)
{
	if (m->date > 0 && m->date < from)
		return true; /* older than the rows kept, or than the watch */
	return email_seen_has(gw, jid, m);
}

void email_search_since(char **cmd, int64_t from)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	GDateTime *t = g_date_time_new_from_unix_utc(from);
	if (!t)
		return;
	/* the day before, in UTC: SINCE compares the server's own dates */
	GDateTime *day = g_date_time_add_days(t, -1);
	char *more = g_strdup_printf("%s SINCE %d-%s-%04d", *cmd, g_date_time_get_day_of_month(day),
				     months[g_date_time_get_month(day) - 1],
				     g_date_time_get_year(day));
	g_date_time_unref(day);
	g_date_time_unref(t);
	g_free(*cmd);
	*cmd = more;
}
