/* undelivered.c - NOTICEs to IRC users whose messages did not reach XMPP
 * (undelivered.h). */
#include "undelivered.h"
#include "irc_int.h"

#include <string.h>

struct missed {
	char *jid;
	char *nick;
	unsigned count;
};

/* One sender on one server: what it missed since the last NOTICE. */
struct report {
	struct irc_undelivered *u;
	char *key;            /* server, NUL-separated from the folded sender */
	char *server;
	char *sender;
	GPtrArray *missed;    /* struct missed *, in the order first missed */
	unsigned total;
	unsigned timer;       /* the next NOTICE, or the end of the interval */
};

struct irc_undelivered {
	unsigned first_ms;
	unsigned interval_ms;
	irc_undelivered_send_fn send;
	void *ud;
	GHashTable *reports;  /* key -> struct report * */
};

static void missed_free(gpointer p)
{
	struct missed *m = p;
	g_free(m->jid);
	g_free(m->nick);
	g_free(m);
}

static void report_free(gpointer p)
{
	struct report *r = p;
	if (r->timer)
		gw_timer_remove(r->timer);
	g_ptr_array_free(r->missed, TRUE);
	g_free(r->key);
	g_free(r->server);
	g_free(r->sender);
	g_free(r);
}

char *irc_undelivered_text(const char *const *nicks, const unsigned *counts, size_t n)
{
	GString *t = g_string_new("Not delivered to XMPP, the gateway is overloaded: ");
	unsigned rest = 0;
	for (size_t i = 0; i < n; i++) {
		if (i >= IRC_UNDELIVERED_NAMED_MAX) {
			rest += counts[i];
			continue;
		}
		g_string_append_printf(t, i ? ", %u to %s" : "%u of your messages to %s", counts[i],
				       nicks[i]);
	}
	if (rest)
		g_string_append_printf(t, ", and %u to %zu others", rest,
				       n - IRC_UNDELIVERED_NAMED_MAX);
	g_string_append(t, ". Please send them again later.");
	return g_string_free(t, FALSE);
}

static void fire(void *ud);

/* Sends r's NOTICE on the first recipient's connection that can. */
static void tell(struct report *r)
{
	size_t n = r->missed->len;
	const char **nicks = g_new(const char *, n);
	unsigned *counts = g_new(unsigned, n);
	for (size_t i = 0; i < n; i++) {
		struct missed *m = r->missed->pdata[i];
		nicks[i] = m->nick;
		counts[i] = m->count;
	}
	char *text = irc_undelivered_text(nicks, counts, n);
	bool sent = false;
	for (size_t i = 0; i < n && !sent; i++)
		sent = r->u->send(r->u->ud, ((struct missed *)r->missed->pdata[i])->jid, r->server,
				  r->sender, text);
	log_msg(LOG_WARN, "irc", "%s: %u messages from %s not delivered to %zu XMPP users "
		"(outbox full)%s", r->server, r->total, r->sender, n,
		sent ? ": told them in a NOTICE" : "; no connection could tell them");
	g_free(text);
	g_free(counts);
	g_free(nicks);
	g_ptr_array_set_size(r->missed, 0);
	r->total = 0;
}

static void fire(void *ud)
{
	struct report *r = ud;
	r->timer = 0;
	if (!r->total) { /* a quiet interval: the next loss is told at once */
		g_hash_table_remove(r->u->reports, r->key);
		return;
	}
	tell(r);
	r->timer = gw_timer_add(r->u->interval_ms, fire, r);
}

struct irc_undelivered *irc_undelivered_new(unsigned first_ms, unsigned interval_ms,
					    irc_undelivered_send_fn send, void *ud)
{
	struct irc_undelivered *u = g_new0(struct irc_undelivered, 1);
	u->first_ms = first_ms;
	u->interval_ms = interval_ms;
	u->send = send;
	u->ud = ud;
	u->reports = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, report_free);
	return u;
}

static gboolean log_unreported(gpointer key, gpointer value, gpointer ud)
{
	struct report *r = value;
	if (r->total)
		log_msg(LOG_WARN, "irc", "%s: %u messages from %s not delivered to XMPP (outbox "
			"full); stopping before telling them", r->server, r->total, r->sender);
	return TRUE;
}

void irc_undelivered_free(struct irc_undelivered *u)
{
	if (!u)
		return;
	g_hash_table_foreach_remove(u->reports, log_unreported, NULL);
	g_hash_table_destroy(u->reports);
	g_free(u);
}

void irc_undelivered_add(struct irc_undelivered *u, const char *server, const char *sender,
			 const char *jid, const char *nick)
{
	char *folded = g_ascii_strdown(sender, -1);
	size_t ls = strlen(server), lf = strlen(folded);
	char *key = g_malloc(ls + lf + 2);
	memcpy(key, server, ls);
	key[ls] = '\n'; /* neither a server name nor a nick holds one */
	memcpy(key + ls + 1, folded, lf + 1);
	g_free(folded);
	struct report *r = g_hash_table_lookup(u->reports, key);
	if (!r && g_hash_table_size(u->reports) >= IRC_UNDELIVERED_SENDERS_MAX) {
		log_msg(LOG_WARN, "irc", "%s: a message from %s not delivered to XMPP (outbox full); "
			"too many senders to tell", server, sender);
		g_free(key);
		return;
	}
	if (!r) {
		r = g_new0(struct report, 1);
		r->u = u;
		r->key = key;
		key = NULL;
		r->server = g_strdup(server);
		r->sender = g_strdup(sender);
		r->missed = g_ptr_array_new_with_free_func(missed_free);
		g_hash_table_insert(u->reports, r->key, r);
	}
	g_free(key);
	if (!r->timer) /* else the running interval's end tells it */
		r->timer = gw_timer_add(u->first_ms, fire, r);
	struct missed *m = NULL;
	for (guint i = 0; i < r->missed->len && !m; i++) {
		struct missed *x = r->missed->pdata[i];
		if (!strcmp(x->jid, jid))
			m = x;
	}
	if (!m) {
		m = g_new0(struct missed, 1);
		m->jid = g_strdup(jid);
		m->nick = g_strdup(nick);
		g_ptr_array_add(r->missed, m);
	}
	m->count++;
	r->total++;
}

/* ---- the backend's side ------------------------------------------------------ */

#define UNDELIVERED_FIRST_MS 500 /* what one read held goes in one NOTICE */

void irc_undelivered(struct link *l, const char *nick, enum irc_text_kind kind, enum gw_err err)
{
	struct irc_gw *g = gw_priv(gw_session_gw(l->s));
	if (err == GW_OK)
		return;
	if (err != GW_ERR_RESOURCE_CONSTRAINT || kind == IRC_TEXT_NOTICE || !nick) {
		log_msg(LOG_WARN, "irc", "%s: a %s from %s not delivered to XMPP: %s", l->server,
			kind == IRC_TEXT_NOTICE ? "notice" : "message", nick ? nick : "the server",
			err_text(err));
		return;
	}
	irc_undelivered_add(g->undelivered, l->server, nick, gw_session_jid(l->s),
			    irc_client_nick(l->cl));
}

/* From the connection of jid to server, when it is ready. */
static bool undelivered_notice(void *ud, const char *jid, const char *server, const char *sender,
			       const char *text)
{
	struct gw_session *s = gw_session_find(ud, jid);
	struct irc_session *is = s ? gw_session_priv(s) : NULL;
	struct link *l = is && is->links ? g_hash_table_lookup(is->links, server) : NULL;
	return l && l->cl && irc_client_ready(l->cl) &&
	       irc_client_cmd(l->cl, "NOTICE", sender, text, NULL) == GW_OK;
}

struct irc_undelivered *irc_undelivered_start(struct gw *gw, unsigned interval_s)
{
	return irc_undelivered_new(UNDELIVERED_FIRST_MS, interval_s * 1000, undelivered_notice, gw);
}

void irc_undelivered_stop(struct irc_undelivered *u)
{
	irc_undelivered_free(u);
}
