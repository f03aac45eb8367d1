/* send.c - sending stanzas, error replies and contact JIDs (send.h). */
#include "send.h"
#include "component.h"
#include "jid.h"
#include "stanza.h"
#include "text.h"

static xmpp_ctx_t *ctx;

void send_init(void)
{
	ctx = xmpp_ctx_new(NULL, link_strophe_logger());
}

void send_fini(void)
{
	if (ctx)
		xmpp_ctx_free(ctx);
	ctx = NULL;
}

xmpp_ctx_t *send_ctx(void) { return ctx; }

/* link_send, and a note of each stanza kept for later while the link is
 * down (its kind, addressee and the outbox size; never its content).
 * DEBUG: an outage of a busy gateway queues thousands; core.c logs the
 * count at INFO when the link is back. */
static enum gw_err send_one(struct gw *gw, xmpp_stanza_t *st, bool durable)
{
	bool down = !link_is_up(gw->link);
	enum gw_err err = link_send(gw->link, st, durable);
	if (down && err == GW_OK)
		log_msg(LOG_DEBUG, "send", "%s: link down: <%s/> to %s kept in the outbox (%"
			G_GINT64_FORMAT " waiting)", gw->domain, xmpp_stanza_get_name(st),
			xmpp_stanza_get_to(st) ? xmpp_stanza_get_to(st) : "", link_outbox_len(gw->link));
	return err;
}

enum gw_err send_stanza(struct gw *gw, xmpp_stanza_t *st)
{
	enum gw_err err = send_one(gw, st, false);
	xmpp_stanza_release(st);
	return err;
}

enum gw_err send_durable(struct gw *gw, xmpp_stanza_t *st)
{
	enum gw_err err = send_one(gw, st, true);
	xmpp_stanza_release(st);
	return err;
}

enum gw_err send_each(struct gw *gw, xmpp_stanza_t *st, GHashTable *to)
{
	enum gw_err first = GW_OK;
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, to);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		xmpp_stanza_set_to(st, k);
		/* The link serialises st before returning: it may change after. */
		enum gw_err err = send_one(gw, st, false);
		if (first == GW_OK)
			first = err;
	}
	return first;
}

void send_error(struct gw *gw, xmpp_stanza_t *req, enum gw_err err, const char *text)
{
	log_msg(LOG_DEBUG, "send", "%s: <%s/> from %s: %s%s%s", gw->domain,
		xmpp_stanza_get_name(req), xmpp_stanza_get_from(req), err_condition(err),
		text ? ": " : "", text ? text : "");
	enum gw_err sent = send_stanza(gw, stanza_error(req, err, text));
	if (sent != GW_OK)
		log_msg(LOG_WARN, "send", "%s: the error reply to %s not sent: %s", gw->domain,
			xmpp_stanza_get_from(req), err_text(sent));
}

char *send_contact_jid(struct gw *gw, const char *legacy)
{
	char *clean = text_sanitize(legacy, -1, JID_PART_MAX);
	char *esc = clean ? jid_escape(clean) : NULL;
	char *full = esc ? g_strdup_printf("%s@%s", esc, gw->domain) : NULL;
	char *bare = full ? jid_bare(full) : NULL;
	g_free(clean);
	g_free(esc);
	g_free(full);
	return bare;
}
