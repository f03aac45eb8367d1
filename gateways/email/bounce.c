/* bounce.c - bounces of mail we sent, as XMPP errors (bounce.h). */
#include "email/bounce.h"
#include "email/compose.h"
#include "email/dsn.h"

#include <string.h>

#define GROUP "sent"
#define HEAD_MAX (64 * 1024) /* bytes of headers looked at before parsing */

enum gw_err email_bounce_note(struct gw *gw, const char *msgid, const char *jid,
			      const char *legacy, const char *sender, const char *id)
{
	GKeyFile *kf = g_key_file_new();
	g_key_file_set_string(kf, GROUP, "jid", jid);
	g_key_file_set_string(kf, GROUP, "legacy", legacy);
	if (sender)
		g_key_file_set_string(kf, GROUP, "sender", sender);
	if (id)
		g_key_file_set_string(kf, GROUP, "id", id);
	char *v = g_key_file_to_data(kf, NULL, NULL);
	enum gw_err err = gw_row_put(gw, EMAIL_ROW_SENT, msgid, v);
	g_free(v);
	g_key_file_free(kf);
	return err;
}

/* Whether the header block names a delivery-status report at all: the
 * full parse only for those. */
static bool may_be_report(const char *raw, size_t len)
{
	size_t n = MIN(len, (size_t)HEAD_MAX);
	for (size_t i = 0; i + 1 < n; i++)
		if (raw[i] == '\n' && (raw[i + 1] == '\n' || (raw[i + 1] == '\r' && i + 2 < n &&
							       raw[i + 2] == '\n'))) {
			n = i;
			break;
		}
	char *head = g_ascii_strdown(raw, (gssize)n);
	bool maybe = strstr(head, "delivery-status") != NULL;
	g_free(head);
	return maybe;
}

struct sent {
	char *jid, *legacy, *sender, *id;
};

static bool sent_get(struct gw *gw, const char *msgid, struct sent *out)
{
	char *v = NULL;
	memset(out, 0, sizeof *out);
	if (gw_row_get(gw, EMAIL_ROW_SENT, msgid, &v) != GW_OK)
		return false;
	GKeyFile *kf = g_key_file_new();
	if (g_key_file_load_from_data(kf, v, (gsize)-1, G_KEY_FILE_NONE, NULL)) {
		out->jid = g_key_file_get_string(kf, GROUP, "jid", NULL);
		out->legacy = g_key_file_get_string(kf, GROUP, "legacy", NULL);
		out->sender = g_key_file_get_string(kf, GROUP, "sender", NULL);
		out->id = g_key_file_get_string(kf, GROUP, "id", NULL);
	}
	g_key_file_free(kf);
	g_free(v);
	return out->jid && out->legacy;
}

static void sent_clear(struct sent *s)
{
	g_free(s->jid);
	g_free(s->legacy);
	g_free(s->sender);
	g_free(s->id);
}

enum gw_err email_bounce_in_tx(struct gw *gw, const char *jid, const char *raw, size_t len,
			       bool *handled)
{
	*handled = false;
	if (!may_be_report(raw, len))
		return GW_OK;
	struct email_dsn d;
	enum gw_err err = GW_OK;
	if (!email_dsn_parse(raw, len, &d) || !d.failed) {
		email_dsn_clear(&d);
		return GW_OK;
	}
	for (guint i = 0; i < d.ids->len && !*handled; i++) {
		const char *msgid = g_ptr_array_index(d.ids, i);
		struct sent s;
		if (!email_msgid_is_ours(msgid, gw_domain(gw)))
			continue;
		bool mine = sent_get(gw, msgid, &s) && !strcmp(s.jid, jid);
		if (mine) {
			char *text = email_dsn_text(&d);
			err = gw_deliver_error_stored(gw, jid, s.legacy, s.sender, s.id,
						      email_dsn_error(&d), text);
			if (err == GW_OK)
				err = gw_row_delete(gw, EMAIL_ROW_SENT, msgid);
			log_msg(LOG_INFO, "email", "%s: %s: a bounce of <%s> (status %s): %s",
				gw_domain(gw), jid, msgid, d.status ? d.status : "none",
				err == GW_OK ? "the error is delivered" : err_text(err));
			g_free(text);
			*handled = err == GW_OK;
		} else {
			log_msg(LOG_DEBUG, "email", "%s: %s: a bounce of <%s>, not a mail of this "
				"user's: delivered as mail", gw_domain(gw), jid, msgid);
		}
		sent_clear(&s);
	}
	email_dsn_clear(&d);
	return err;
}

struct forget {
	const char *jid;
	GPtrArray *keys;
};

static bool collect(const char *key, const char *value, int64_t created, void *ud)
{
	struct forget *f = ud;
	GKeyFile *kf = g_key_file_new();
	char *jid = NULL;
	if (g_key_file_load_from_data(kf, value, (gsize)-1, G_KEY_FILE_NONE, NULL))
		jid = g_key_file_get_string(kf, GROUP, "jid", NULL);
	if (!g_strcmp0(jid, f->jid))
		g_ptr_array_add(f->keys, g_strdup(key));
	g_free(jid);
	g_key_file_free(kf);
	return true;
}

void email_bounce_forget(struct gw *gw, const char *jid)
{
	struct forget f = { jid, g_ptr_array_new_with_free_func(g_free) };
	gw_row_foreach(gw, EMAIL_ROW_SENT, collect, &f);
	for (guint i = 0; i < f.keys->len; i++)
		gw_row_delete(gw, EMAIL_ROW_SENT, g_ptr_array_index(f.keys, i));
	g_ptr_array_free(f.keys, TRUE);
}
