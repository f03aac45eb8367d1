/* thread.c - the threads a user has mail in (thread.h). Each row value is
 * a GKeyFile group, which escapes line ends and keeps any UTF-8. */
#include "email/thread.h"

#include <string.h>

#define GROUP "thread"

static char *key_of(const char *jid, const char *thread)
{
	return g_strconcat(jid, " ", thread, NULL);
}

enum gw_err email_thread_note(struct gw *gw, const char *jid, const char *thread,
			      const char *message_id, const char *references,
			      const char *subject)
{
	if (!thread || !*thread || !message_id)
		return GW_OK;
	GKeyFile *kf = g_key_file_new();
	g_key_file_set_string(kf, GROUP, "last", message_id);
	if (references)
		g_key_file_set_string(kf, GROUP, "references", references);
	if (subject)
		g_key_file_set_string(kf, GROUP, "subject", subject);
	char *value = g_key_file_to_data(kf, NULL, NULL), *key = key_of(jid, thread);
	enum gw_err err = gw_row_put(gw, EMAIL_ROW_THREAD, key, value);
	g_free(key);
	g_free(value);
	g_key_file_free(kf);
	return err;
}

enum gw_err email_thread_get(struct gw *gw, const char *jid, const char *thread,
			     struct email_thread *t)
{
	char *value = NULL, *key = key_of(jid, thread);
	memset(t, 0, sizeof *t);
	enum gw_err err = gw_row_get(gw, EMAIL_ROW_THREAD, key, &value);
	g_free(key);
	if (err != GW_OK)
		return err;
	GKeyFile *kf = g_key_file_new();
	if (g_key_file_load_from_data(kf, value, (gsize)-1, G_KEY_FILE_NONE, NULL)) {
		t->last_id = g_key_file_get_string(kf, GROUP, "last", NULL);
		t->references = g_key_file_get_string(kf, GROUP, "references", NULL);
		t->subject = g_key_file_get_string(kf, GROUP, "subject", NULL);
	} else {
		err = GW_ERR_NOT_FOUND;
	}
	g_key_file_free(kf);
	g_free(value);
	return err;
}

void email_thread_clear(struct email_thread *t)
{
	g_free(t->last_id);
	g_free(t->references);
	g_free(t->subject);
	memset(t, 0, sizeof *t);
}
