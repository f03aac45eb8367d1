/* gw_request.c - asynchronous answers from backends (gw_request.h,
 * gateway.h). */
#include "gw_request.h"
#include "send.h"
#include "session.h"
#include "text.h"

#define REQUEST_TEXT_MAX 1024   /* bytes of a backend's reason */
#define REQUEST_NAME_MAX 512    /* bytes of an item's name */

struct gw_request {
	struct gw *gw;
	struct gw_session *s;      /* NULL: not tied to a session */
	request_finish_fn finish;
	void *ud;
	GPtrArray *items;          /* struct request_item *, made on first use */
	bool truncated;
};

void request_item_free(gpointer p)
{
	struct request_item *it = p;
	g_free(it->jid);
	g_free(it->name);
	g_free(it);
}

static void answer_all(struct gw_session *s, void *data);

static void set_free(void *data)
{
	g_hash_table_destroy(data);
}

static const struct session_part_ops requests_part = { .logged_out = answer_all, .free = set_free };

/* The requests of s still open (a set), made on first use. */
static GHashTable *open_of(struct gw_session *s)
{
	GHashTable *set = session_part(s, SESSION_PART_REQUESTS);
	if (!set) {
		set = g_hash_table_new(g_direct_hash, g_direct_equal);
		session_part_set(s, SESSION_PART_REQUESTS, set, &requests_part);
	}
	return set;
}

struct gw_request *request_new(struct gw *gw, struct gw_session *s, request_finish_fn finish,
			       void *ud)
{
	struct gw_request *req = g_new0(struct gw_request, 1);
	req->gw = gw;
	req->s = s;
	req->finish = finish;
	req->ud = ud;
	if (s)
		g_hash_table_add(open_of(s), req);
	return req;
}

void *request_ud(struct gw_request *req) { return req->ud; }
struct gw *request_gw(struct gw_request *req) { return req->gw; }
struct gw_session *request_session(struct gw_request *req) { return req->s; }
bool request_truncated(struct gw_request *req) { return req->truncated; }

GPtrArray *request_items(struct gw_request *req)
{
	if (!req->items)
		req->items = g_ptr_array_new_with_free_func(request_item_free);
	return req->items;
}

GPtrArray *request_take_items(struct gw_request *req)
{
	GPtrArray *items = req->items;
	req->items = NULL;
	return items;
}

enum gw_err gw_request_add_item(struct gw_request *req, const char *legacy, const char *name)
{
	GPtrArray *items = request_items(req);
	if (items->len >= GW_REQUEST_ITEMS_MAX) {
		req->truncated = true;
		return GW_ERR_RESOURCE_CONSTRAINT;
	}
	char *jid = legacy ? send_contact_jid(req->gw, legacy) : NULL;
	if (!jid)
		return GW_ERR_JID_MALFORMED;
	struct request_item *it = g_new0(struct request_item, 1);
	it->jid = jid;
	it->name = name ? text_sanitize(name, -1, REQUEST_NAME_MAX) : NULL;
	g_ptr_array_add(items, it);
	return GW_OK;
}

void gw_request_done(struct gw_request *req, enum gw_err err, const char *text)
{
	char *clean = text ? text_sanitize(text, -1, REQUEST_TEXT_MAX) : NULL;
	if (req->s)
		g_hash_table_remove(open_of(req->s), req);
	req->finish(req, err, clean);
	g_free(clean);
	if (req->items)
		g_ptr_array_free(req->items, TRUE);
	g_free(req);
}

/* The backend has logged s out: every request of s it has not answered is
 * answered with service-unavailable (the backend must hold none of them
 * any more, gateway.h). */
static void answer_all(struct gw_session *s, void *data)
{
	GHashTableIter it;
	gpointer k;
	for (;;) {
		g_hash_table_iter_init(&it, data);
		if (!g_hash_table_iter_next(&it, &k, NULL))
			break;
		log_msg(LOG_WARN, "core", "%s: the backend left a request of %s unanswered at logout",
			session_gw(s)->domain, session_jid(s));
		gw_request_done(k, GW_ERR_SERVICE_UNAVAILABLE, "logged out of the other network");
	}
}
