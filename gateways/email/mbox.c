/* mbox.c - the stored state of a watched mailbox (mbox.h). */
#include "email/mbox.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define KIND "mailbox"

char *mbox_format(const char *folder, const struct mbox_state *st)
{
	if (!st->since && !st->reread) /* as before either was kept */
		return g_strdup_printf("%" PRIu32 " %" PRIu32 " %s", st->uidvalidity,
				       st->last_uid, folder);
	return g_strdup_printf("%" PRIu32 " %" PRIu32 ":%" PRId64 ":%" PRId64 " %s",
			       st->uidvalidity, st->last_uid, st->since, st->reread, folder);
}

static bool time_of(const char *s, int64_t *out)
{
	gint64 v;
	if (!g_ascii_string_to_signed(s, 10, 0, G_MAXINT64, &v, NULL))
		return false;
	*out = v;
	return true;
}

bool mbox_parse(const char *value, const char *folder, struct mbox_state *out)
{
	guint64 v, last;
	char **parts = g_strsplit(value ? value : "", " ", 3);
	char **uid = g_strv_length(parts) == 3 ? g_strsplit(parts[1], ":", 3) : NULL;
	guint nu = uid ? g_strv_length(uid) : 0;
	struct mbox_state st = { 0 };
	bool ok = (nu == 1 || nu == 3) &&
		  g_ascii_string_to_unsigned(parts[0], 10, 1, UINT32_MAX, &v, NULL) &&
		  g_ascii_string_to_unsigned(uid[0], 10, 0, UINT32_MAX, &last, NULL) &&
		  (nu == 1 || (time_of(uid[1], &st.since) && time_of(uid[2], &st.reread))) &&
		  !strcmp(parts[2], folder);
	if (ok) {
		st.uidvalidity = (uint32_t)v;
		st.last_uid = (uint32_t)last;
		*out = st;
	}
	g_strfreev(uid);
	g_strfreev(parts);
	return ok;
}

bool mbox_get(struct gw *gw, const char *jid, const char *folder, struct mbox_state *out)
{
	char *value = NULL;
	bool ok = gw_row_get(gw, KIND, jid, &value) == GW_OK && mbox_parse(value, folder, out);
	g_free(value);
	return ok;
}

enum gw_err mbox_put(struct gw *gw, const char *jid, const char *folder,
		     const struct mbox_state *st)
{
	char *value = mbox_format(folder, st);
	enum gw_err err = gw_row_put(gw, KIND, jid, value);
	g_free(value);
	return err;
}

enum gw_err mbox_delete(struct gw *gw, const char *jid)
{
	enum gw_err err = gw_row_delete(gw, KIND, jid);
	return err == GW_ERR_NOT_FOUND ? GW_OK : err;
}
