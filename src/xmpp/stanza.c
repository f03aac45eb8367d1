/* stanza.c - building stanzas and error replies. */
#include "stanza.h"
#include "random.h"

#include <glib.h>
#include <string.h>

xmpp_stanza_t *stanza_new(xmpp_ctx_t *ctx, const char *name, const char *type,
			  const char *from, const char *to, const char *id)
{
	xmpp_stanza_t *st = xmpp_stanza_new(ctx);
	xmpp_stanza_set_name(st, name);
	if (type)
		xmpp_stanza_set_type(st, type);
	if (from)
		xmpp_stanza_set_from(st, from);
	if (to)
		xmpp_stanza_set_to(st, to);
	if (id)
		xmpp_stanza_set_id(st, id);
	return st;
}

xmpp_stanza_t *stanza_child(xmpp_stanza_t *parent, const char *name, const char *ns)
{
	xmpp_stanza_t *c = xmpp_stanza_new(xmpp_stanza_get_context(parent));
	xmpp_stanza_set_name(c, name);
	if (ns)
		xmpp_stanza_set_ns(c, ns);
	xmpp_stanza_add_child(parent, c);
	xmpp_stanza_release(c); /* the parent holds it now */
	return c;
}

xmpp_stanza_t *stanza_text_child(xmpp_stanza_t *parent, const char *name, const char *text)
{
	xmpp_stanza_t *c = stanza_child(parent, name, NULL);
	if (text && *text) {
		xmpp_stanza_t *t = xmpp_stanza_new(xmpp_stanza_get_context(parent));
		xmpp_stanza_set_text(t, text);
		xmpp_stanza_add_child(c, t);
		xmpp_stanza_release(t);
	}
	return c;
}

const char *stanza_child_text(xmpp_stanza_t *parent, const char *name)
{
	xmpp_stanza_t *c = xmpp_stanza_get_child_by_name(parent, name);
	if (!c)
		return NULL;
	xmpp_stanza_t *t = xmpp_stanza_get_children(c);
	return t && xmpp_stanza_is_text(t) ? xmpp_stanza_get_text_ptr(t) : "";
}

xmpp_stanza_t *stanza_iq_result(xmpp_stanza_t *req)
{
	return stanza_new(xmpp_stanza_get_context(req), "iq", "result", xmpp_stanza_get_to(req),
			  xmpp_stanza_get_from(req), xmpp_stanza_get_id(req));
}

xmpp_stanza_t *stanza_error(xmpp_stanza_t *req, enum gw_err err, const char *text)
{
	xmpp_ctx_t *ctx = xmpp_stanza_get_context(req);
	const char *name = xmpp_stanza_get_name(req);
	xmpp_stanza_t *st = stanza_new(ctx, name, "error", xmpp_stanza_get_to(req),
				       xmpp_stanza_get_from(req), xmpp_stanza_get_id(req));
	if (strcmp(name, "message") == 0) {
		/* Keep the body so the client can show which message failed. */
		const char *body = stanza_child_text(req, "body");
		if (body)
			stanza_text_child(st, "body", body);
	}
	stanza_add_error(st, err, text);
	return st;
}

void stanza_add_error(xmpp_stanza_t *st, enum gw_err err, const char *text)
{
	xmpp_stanza_t *e = stanza_child(st, "error", NULL);
	xmpp_stanza_set_type(e, err_type(err));
	stanza_child(e, err_condition(err), NS_STANZAS);
	xmpp_stanza_t *t = stanza_text_child(e, "text", text ? text : err_text(err));
	xmpp_stanza_set_ns(t, NS_STANZAS);
	xmpp_stanza_set_attribute(t, "xml:lang", "en");
}

xmpp_stanza_t *stanza_message(xmpp_ctx_t *ctx, const char *from, const char *to,
			      const char *type, const char *body, const char *id)
{
	char *own = id ? NULL : stanza_make_id();
	xmpp_stanza_t *st = stanza_new(ctx, "message", type, from, to, id ? id : own);
	g_free(own);
	if (body)
		stanza_text_child(st, "body", body);
	return st;
}

static const char *const show_names[] = {
	[GW_SHOW_CHAT] = "chat",
	[GW_SHOW_AWAY] = "away",
	[GW_SHOW_XA] = "xa",
	[GW_SHOW_DND] = "dnd",
};

xmpp_stanza_t *stanza_presence(xmpp_ctx_t *ctx, const char *from, const char *to,
			       const char *type, enum gw_show show, const char *status)
{
	if (!type && show == GW_SHOW_OFFLINE)
		type = "unavailable";
	xmpp_stanza_t *st = stanza_new(ctx, "presence", type, from, to, NULL);
	if (!type && show > GW_SHOW_ONLINE && show <= GW_SHOW_DND)
		stanza_text_child(st, "show", show_names[show]);
	if (status && *status)
		stanza_text_child(st, "status", status);
	return st;
}

enum gw_show stanza_presence_show(xmpp_stanza_t *presence)
{
	const char *type = xmpp_stanza_get_type(presence);
	if (type && strcmp(type, "available") != 0)
		return GW_SHOW_OFFLINE;
	const char *s = stanza_child_text(presence, "show");
	if (s) {
		for (int i = GW_SHOW_CHAT; i <= GW_SHOW_DND; i++)
			if (strcmp(s, show_names[i]) == 0)
				return (enum gw_show)i;
	}
	return GW_SHOW_ONLINE;
}

char *stanza_make_id(void)
{
	return random_uuid();
}

void stanza_add_delay(xmpp_stanza_t *m, const char *from, const char *stamp)
{
	GDateTime *t = stamp ? g_date_time_new_from_iso8601(stamp, NULL) : NULL;
	if (!t)
		return;
	GDateTime *utc = g_date_time_to_utc(t);
	char *day = g_date_time_format(utc, "%Y-%m-%dT%H:%M:%S");
	char *text = g_strdup_printf("%s.%03dZ", day, g_date_time_get_microsecond(utc) / 1000);
	xmpp_stanza_t *d = stanza_child(m, "delay", "urn:xmpp:delay");
	xmpp_stanza_set_attribute(d, "from", from);
	xmpp_stanza_set_attribute(d, "stamp", text);
	g_free(text);
	g_free(day);
	g_date_time_unref(utc);
	g_date_time_unref(t);
}
