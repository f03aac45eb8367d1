/* session_life.c - logging users in to their backend and out, and ending
 * sessions (session_life.h): above the session state and the backend door,
 * so that neither calls the other. */
#include "session_life.h"
#include "backend.h"
#include "send.h"
#include "stanza.h"

#include <string.h>

enum gw_err session_login(struct gw_session *s)
{
	if (session_logged_in(s))
		return GW_OK;
	struct gw *gw = session_gw(s);
	session_gateway_set(s, GW_SHOW_ONLINE, NULL);
	enum gw_err err = backend_login(s);
	if (err != GW_OK) {
		log_msg(LOG_INFO, "session", "%s: login of %s failed: %s", gw->domain,
			session_jid(s), err_text(err));
		return err;
	}
	session_set_logged_in(s, true);
	log_msg(LOG_INFO, "session", "%s: %s logged in", gw->domain, session_jid(s));
	const char *status;
	enum gw_show show = session_gateway(s, &status);
	send_stanza(gw, stanza_presence(send_ctx(), gw->domain, session_jid(s), NULL, show,
					status));
	return GW_OK;
}

/* The backend logs s out, and every part hears of it. */
static void logout(struct gw_session *s)
{
	if (!session_logged_in(s))
		return;
	backend_logout(s);
	log_msg(LOG_INFO, "session", "%s: %s logged out", session_gw(s)->domain, session_jid(s));
	session_set_logged_in(s, false);
	session_parts_logged_out(s);
}

void session_relogin(struct gw_session *s)
{
	if (!session_logged_in(s))
		return;
	logout(s);
	memset(session_priv(s), 0, session_gw(s)->be->session_size);
	session_login(s);
}

void session_end(struct gw_session *s)
{
	logout(s);
	session_free(s);
}

void session_end_all(struct gw *gw, bool announce)
{
	GList *all = session_all(gw);
	for (GList *i = all; i; i = i->next) {
		struct gw_session *s = i->data;
		if (announce) {
			session_contacts_offline(s);
			send_stanza(gw, stanza_presence(send_ctx(), gw->domain, session_jid(s),
							"unavailable", GW_SHOW_OFFLINE, NULL));
		}
		session_end(s);
	}
	g_list_free(all);
}

void session_end_stale(struct gw *gw)
{
	GPtrArray *gone = session_drop_stale(gw);
	for (guint i = 0; i < gone->len; i++)
		session_end(g_ptr_array_index(gone, i));
	g_ptr_array_free(gone, TRUE);
}
