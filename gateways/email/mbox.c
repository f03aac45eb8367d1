/* mbox.c - the stored state of a watched mailbox (mbox.h). */
#include "email/mbox.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define KIND "mailbox"

char *mbox_format(const char *folder, const struct mbox_state *st)
{
	return g_strdup_printf("%" PRIu32 " %" PRIu32 " %s", st->uidvalidity, st->last_uid,
			       folder);
}

bool mbox_parse(const char *value, const char *folder, struct mbox_state *out)
{
	guint64 v, last;
	char **parts = g_strsplit(value ? value : "", " ", 3);
	bool ok = g_strv_length(parts) == 3 &&
		  g_ascii_string_to_unsigned(parts[0], 10, 1, UINT32_MAX, &v, NULL) &&
		  g_ascii_string_to_unsigned(parts[1], 10, 0, UINT32_MAX, &last, NULL) &&
		  !strcmp(parts[2], folder);
	if (ok) {
		out->uidvalidity = (uint32_t)v;
		out->last_uid = (uint32_t)last;
	}
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
