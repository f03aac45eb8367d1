/* roomlist.c - disco#items on a JID that holds rooms (GW_CAP_ROOM_LIST), such
 * as an IRC server: the backend lists the rooms once (gw_ops room_list), and the
 * core sorts the list by JID, keeps it for a short while per session and
 * address, and answers each disco#items with one XEP-0059 page of it. Every
 * disco#items that arrives while the backend is still listing waits for the
 * same answer, so paging never makes the backend list again.
 */
#include "roomlist.h"
#include "backend.h"
#include "gw_request.h"
#include "register.h"
#include "rsm.h"
#include "send.h"
#include "session.h"
#include "session_life.h"
#include "stanza.h"

#include <string.h>

#define LISTING_TTL_S 60        /* how long a list answers pages */
#define LISTINGS_MAX 8          /* lists kept per session */
#define LISTING_WAIT_MS 60000   /* the longest a disco#items waits for the backend */
#define LISTING_WAITERS_MAX 20  /* disco#items waiting for one list */
#define PAGE_MAX 100            /* items per page, whatever <max/> asks */

struct listing {
	struct gw_session *s;
	char *key;                  /* the legacy address; "" for the gateway JID */
	GPtrArray *items;           /* struct request_item *, sorted by jid; NULL: none yet */
	const char **keys;          /* the items' jids, for rsm_page() */
	gint64 at;                  /* monotonic µs of the backend's answer */
	bool truncated;
	struct gw_request *pending; /* the backend is listing; or NULL */
	GPtrArray *waiters;         /* xmpp_stanza_t *: the disco#items waiting */
	unsigned timer;             /* LISTING_WAIT_MS for the waiters; or 0 */
};

static void drop_items(struct listing *l)
{
	if (l->items)
		g_ptr_array_free(l->items, TRUE);
	l->items = NULL;
	g_free(l->keys);
	l->keys = NULL;
}

/* Answers every waiter with err and text. */
static void fail_waiters(struct listing *l, enum gw_err err, const char *text)
{
	for (guint i = 0; i < l->waiters->len; i++) {
		send_error(session_gw(l->s), l->waiters->pdata[i], err, text);
		xmpp_stanza_release(l->waiters->pdata[i]);
	}
	g_ptr_array_set_size(l->waiters, 0);
	if (l->timer)
		gw_timer_remove(l->timer);
	l->timer = 0;
}

static void listing_free(gpointer p)
{
	struct listing *l = p;
	/* The session ends: its requests were answered already (session_life.c). */
	fail_waiters(l, GW_ERR_SERVICE_UNAVAILABLE, "logged out of the other network");
	g_ptr_array_free(l->waiters, TRUE);
	drop_items(l);
	g_free(l->key);
	g_free(l);
}

static void listings_free(void *data)
{
	g_hash_table_destroy(data);
}

static const struct session_part_ops listings_part = { .free = listings_free };

bool roomlist_applies(struct iq_req *r)
{
	return backend_has(r->gw, GW_CAP_ROOM_LIST) && !r->resource &&
	       backend_lists_rooms(r->gw, r->legacy);
}

bool roomlist_serves(struct iq_req *r)
{
	/* Service discovery of the gateway itself works before registering:
	 * its own list stays plain for those who cannot list rooms yet. */
	return roomlist_applies(r) &&
	       (r->target == IQ_TO_CONTACT || register_serves(r->gw, r->bare));
}

/* ---- answering ----------------------------------------------------------------- */

/* One page of l's items for the disco#items iq. */
static void answer(struct listing *l, xmpp_stanza_t *iq)
{
	struct gw *gw = session_gw(l->s);
	xmpp_stanza_t *query = xmpp_stanza_get_child_by_ns(iq, NS_DISCO_ITEMS);
	struct rsm_query rq;
	struct rsm_page page;
	enum gw_err err = rsm_parse(xmpp_stanza_get_child_by_ns(query, NS_RSM), &rq);
	if (err == GW_OK)
		err = rsm_page(l->keys, l->items->len, &rq, PAGE_MAX, &page);
	if (err != GW_OK) {
		send_error(gw, iq, err, err == GW_ERR_NOT_FOUND ? "no item at that index" : NULL);
		return;
	}
	xmpp_stanza_t *res = stanza_iq_result(iq);
	xmpp_stanza_t *q = stanza_child(res, "query", NS_DISCO_ITEMS);
	for (size_t i = page.first; i < page.first + page.n; i++) {
		struct request_item *it = l->items->pdata[i];
		xmpp_stanza_t *item = stanza_child(q, "item", NULL);
		xmpp_stanza_set_attribute(item, "jid", it->jid);
		if (it->name && *it->name)
			xmpp_stanza_set_attribute(item, "name", it->name);
	}
	rsm_add_set(q, l->keys, l->items->len, &page);
	send_stanza(gw, res);
}

static gint by_jid(gconstpointer a, gconstpointer b)
{
	const struct request_item *x = *(struct request_item *const *)a;
	const struct request_item *y = *(struct request_item *const *)b;
	return strcmp(x->jid, y->jid);
}

/* Sorts items by JID and drops repeated JIDs: RSM keys are unique. */
static void keep_items(struct listing *l, GPtrArray *items)
{
	g_ptr_array_sort(items, by_jid);
	guint out = 0;
	for (guint i = 0; i < items->len; i++) {
		struct request_item *it = items->pdata[i];
		if (out && !strcmp(it->jid, ((struct request_item *)items->pdata[out - 1])->jid))
			request_item_free(it);
		else
			items->pdata[out++] = it;
	}
	g_ptr_array_set_free_func(items, NULL); /* the slots past out are moved or freed */
	g_ptr_array_set_size(items, out);
	g_ptr_array_set_free_func(items, request_item_free);
	l->items = items;
	l->keys = g_new(const char *, out ? out : 1);
	for (guint i = 0; i < out; i++)
		l->keys[i] = ((struct request_item *)items->pdata[i])->jid;
}

/* The backend's answer to room_list. */
static void listed(struct gw_request *req, enum gw_err err, const char *text)
{
	struct listing *l = request_ud(req);
	l->pending = NULL;
	if (err != GW_OK) {
		log_msg(LOG_INFO, "roomlist", "%s: listing %s for %s failed: %s", session_gw(l->s)->domain,
			*l->key ? l->key : "the gateway", session_jid(l->s), text ? text : err_text(err));
		fail_waiters(l, err, text);
		g_hash_table_remove(session_part(l->s, SESSION_PART_LISTINGS), l->key); /* frees l */
		return;
	}
	GPtrArray *items = request_take_items(req);
	keep_items(l, items ? items : g_ptr_array_new());
	l->truncated = request_truncated(req);
	l->at = g_get_monotonic_time();
	log_msg(LOG_INFO, "roomlist", "%s: %s has %u rooms for %s%s", session_gw(l->s)->domain,
		*l->key ? l->key : "the gateway", l->items->len, session_jid(l->s),
		l->truncated ? " (list cut: too many)" : "");
	for (guint i = 0; i < l->waiters->len; i++) {
		answer(l, l->waiters->pdata[i]);
		xmpp_stanza_release(l->waiters->pdata[i]);
	}
	g_ptr_array_set_size(l->waiters, 0);
	if (l->timer)
		gw_timer_remove(l->timer);
	l->timer = 0;
}

static void wait_over(void *ud)
{
	struct listing *l = ud;
	l->timer = 0;
	fail_waiters(l, GW_ERR_REMOTE_TIMEOUT, "the other network did not send the list in time");
}

/* ---- the handler ------------------------------------------------------------------- */

static bool fresh(struct listing *l)
{
	return l->items && g_get_monotonic_time() - l->at < (gint64)LISTING_TTL_S * G_USEC_PER_SEC;
}

/* Makes room for one more list: drops an idle one, the oldest first. */
static bool make_room(GHashTable *listings)
{
	if (g_hash_table_size(listings) < LISTINGS_MAX)
		return true;
	struct listing *oldest = NULL;
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, listings);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct listing *l = v;
		if (!l->pending && !l->waiters->len && (!oldest || l->at < oldest->at))
			oldest = l;
	}
	if (oldest)
		g_hash_table_remove(listings, oldest->key);
	return oldest != NULL;
}

static struct listing *listing_get(struct gw_session *s, const char *legacy)
{
	const char *key = legacy ? legacy : "";
	GHashTable *listings = session_part(s, SESSION_PART_LISTINGS);
	if (!listings) {
		listings = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, listing_free);
		session_part_set(s, SESSION_PART_LISTINGS, listings, &listings_part);
	}
	struct listing *l = g_hash_table_lookup(listings, key);
	if (l || !make_room(listings))
		return l;
	l = g_new0(struct listing, 1);
	l->s = s;
	l->key = g_strdup(key);
	l->waiters = g_ptr_array_new();
	g_hash_table_insert(listings, l->key, l);
	return l;
}

enum gw_err roomlist_items(struct iq_req *r)
{
	struct gw *gw = r->gw;
	struct rsm_query rq;
	xmpp_stanza_t *set = xmpp_stanza_get_child_by_ns(r->payload, NS_RSM);
	if (rsm_parse(set, &rq) != GW_OK) {
		send_error(gw, r->iq, GW_ERR_BAD_REQUEST, "<max/> and <index/> are numbers");
		return GW_OK;
	}
	if (!register_serves(gw, r->bare))
		return GW_ERR_REGISTRATION_REQUIRED;
	struct gw_session *s = session_get(gw, r->bare, true);
	if (session_login(s) != GW_OK) {
		send_error(gw, r->iq, GW_ERR_SERVICE_UNAVAILABLE,
			     "could not log in to the other network");
		return GW_OK;
	}
	struct listing *l = listing_get(s, r->legacy);
	if (!l) {
		send_error(gw, r->iq, GW_ERR_RESOURCE_CONSTRAINT, "too many lists under way");
		return GW_OK;
	}
	if (fresh(l)) {
		answer(l, r->iq);
		return GW_OK;
	}
	if (l->waiters->len >= LISTING_WAITERS_MAX) {
		send_error(gw, r->iq, GW_ERR_RESOURCE_CONSTRAINT, "too many requests for this list");
		return GW_OK;
	}
	g_ptr_array_add(l->waiters, xmpp_stanza_clone(r->iq));
	if (!l->timer)
		l->timer = gw_timer_add(LISTING_WAIT_MS, wait_over, l);
	if (l->pending)
		return GW_OK; /* the backend is listing already */
	drop_items(l);
	l->pending = request_new(gw, s, listed, l);
	/* The backend may answer at once; l may be gone after this. */
	backend_room_list(s, r->legacy, l->pending);
	return GW_OK;
}
