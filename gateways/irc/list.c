/* list.c - the channels of an IRC server for the core's room lists
 * (GW_CAP_ROOM_LIST): disco#items on irc.example.net@irc.gw.example (with
 * fixed_server, on the gateway JID) sends LIST on the user's own connection
 * to that server, opened if needed, and hands the core each channel as a
 * room with the name "#chan (N users): topic". The core sorts, caches and
 * pages; a connection opened for the list closes again when nothing else
 * uses it.
 */
#include "irc_int.h"

#include <string.h>

bool irc_lists_rooms(struct gw *gw, const char *legacy)
{
	char *nick, *server;
	bool ok = irc_split_address(gw_priv(gw), legacy, &nick, &server) && !nick &&
		  irc_server_name_ok(server);
	g_free(nick);
	g_free(server);
	return ok;
}

/* Answers the link's list request; the connection may close afterwards
 * (later: this may run inside the client's own callback). */
static void finish(struct link *l, enum gw_err err, const char *text)
{
	struct gw_request *req = l->list_req;
	l->list_req = NULL;
	gw_request_done(req, err, text);
	irc_link_release_later(l);
}

static void send_list(struct link *l)
{
	enum gw_err err = irc_client_list(l->cl);
	if (err != GW_OK)
		finish(l, err, "could not send LIST to the IRC server");
}

void irc_room_list(struct gw_session *s, const char *legacy, struct gw_request *req)
{
	struct irc_gw *g = gw_priv(gw_session_gw(s));
	char *nick = NULL, *server = NULL;
	if (!irc_split_address(g, legacy, &nick, &server) || nick || !irc_server_name_ok(server)) {
		gw_request_done(req, GW_ERR_NOT_FOUND, "not an IRC server");
		goto out;
	}
	if (!irc_server_allowed(g, server)) {
		gw_request_done(req, GW_ERR_NOT_ALLOWED,
				"this gateway does not connect to that IRC server");
		goto out;
	}
	const char *why = NULL;
	struct link *l = irc_link_get(s, server, NULL, &why);
	if (!l) {
		gw_request_done(req, GW_ERR_POLICY_VIOLATION, why);
		goto out;
	}
	if (l->list_req) { /* the core asks once at a time: never here */
		gw_request_done(req, GW_ERR_RESOURCE_CONSTRAINT, "a channel list is under way");
		goto out;
	}
	l->list_req = req;
	if (irc_client_ready(l->cl))
		send_list(l);
	/* else irc_list_ready() sends it */
out:
	g_free(nick);
	g_free(server);
}

static void add_channel(struct link *l, const struct irc_list_event *ev)
{
	if (!irc_isupport_is_channel(irc_client_isupport(l->cl), ev->chan))
		return; /* "*" for a secret channel, or garbage */
	struct irc_gw *g = gw_priv(gw_session_gw(l->s));
	char *room = irc_address_of(g, ev->chan, l->server);
	char *topic = irc_strip_format(ev->topic);
	char *topic_line = irc_one_line(topic);
	char *name = g_strdup_printf("%s (%u %s)%s%s", ev->chan, ev->users,
				     ev->users == 1 ? "user" : "users", *topic_line ? ": " : "",
				     topic_line);
	gw_request_add_item(l->list_req, room, name); /* the core drops what it cannot keep */
	g_free(name);
	g_free(topic_line);
	g_free(topic);
	g_free(room);
}

void irc_list_event(void *ud, const struct irc_list_event *ev)
{
	struct link *l = ud;
	if (!l->list_req)
		return;
	switch (ev->kind) {
	case IRC_LIST_ENTRY:
		add_channel(l, ev);
		break;
	case IRC_LIST_END:
		if (ev->truncated)
			log_msg(LOG_INFO, "irc", "%s: the server cut its channel list", l->server);
		finish(l, GW_OK, NULL);
		break;
	case IRC_LIST_ERROR:
		finish(l, ev->err, ev->text);
		break;
	}
}

void irc_list_ready(struct link *l)
{
	if (l->list_req)
		send_list(l);
}

void irc_list_abort(struct link *l, enum gw_err err, const char *text)
{
	if (l->list_req) {
		struct gw_request *req = l->list_req;
		l->list_req = NULL;
		gw_request_done(req, err, text);
	}
}

void irc_list_free(struct link *l)
{
	irc_list_abort(l, GW_ERR_SERVICE_UNAVAILABLE, "the IRC connection was closed");
}
