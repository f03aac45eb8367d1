/* http.c - the webhooks and the provider client (http.h), on libsoup 3 in
 * the core's main loop.
 *
 * Webhooks: each driver route is mounted on the core's HTTP listener
 * (gateway.h, gw_http_mount), which refuses a body over max_body_bytes
 * before reading it (Content-Length or chunked) and closes connections
 * that do not send a whole request in time. A path no route has is 404, a
 * method the route does not take is 405. A 2xx waits for the store's
 * commit (driver.h, struct sms_http_reply; the core answers 503 when the
 * commit failed).
 *
 * Client: one SoupSession with max-conns-per-host and timeout set from
 * the configuration (libsoup's defaults are 2 and 60 s). Every request
 * opens a new connection (SOUP_MESSAGE_NEW_CONNECTION): libsoup sends an
 * idempotent request again by itself when a reused connection turns out
 * closed, and a text must never go out twice. libsoup's timeout is per
 * read, so a server trickling a byte at a time would hold a call forever:
 * each call also has a total deadline of http_timeout_s, and its answer is
 * read in chunks and dropped once past max_body_bytes, never kept whole.
 */
#include "sms/http.h"
#include "sms/sms.h"

#include <libsoup/soup.h>
#include <string.h>

#define CLIENT_MAX_CONNS 8
#define READ_CHUNK 16384

struct call {
	struct sms *sms;
	SoupMessage *msg;
	GCancellable *cancel;
	sms_http_cb cb;
	void *ud;
	GInputStream *in;   /* the answer's body, once the headers are in */
	GByteArray *body;   /* read so far, at most max_body_bytes */
	unsigned deadline;  /* gw_timer: the call's total time is up */
	bool timed_out, too_large;
};

/* ---- webhooks, on the core's listener ------------------------------------ */

static const char *req_header(const struct sms_http_req *req, const char *name)
{
	return gw_http_header(req->priv, name);
}

/* The driver's view of a request (url: new, freed by the caller). */
static struct sms_http_req driver_req(struct sms *sms, const struct gw_http_req *hr, char **url)
{
	*url = hr->query ? g_strconcat(sms->public_url, hr->path, "?", hr->query, NULL)
			 : g_strconcat(sms->public_url, hr->path, NULL);
	struct sms_http_req req = {
		.method = hr->method,
		.path = hr->path,
		.url = *url,
		.query = hr->args,
		.content_type = hr->content_type,
		.body = hr->body,
		.body_len = hr->body_len,
		.header = req_header,
		.priv = (void *)hr,
	};
	return req;
}

static bool method_ok(const struct sms_route *route, const char *method)
{
	return route->method ? !strcmp(route->method, method)
			     : !strcmp(method, "GET") || !strcmp(method, "POST");
}

/* One mount per route: the path must be the route's exactly. */
static void handle(struct gw *gw, const struct gw_http_req *hr, struct gw_http_reply *hout,
		   void *ud)
{
	struct sms *sms = gw_priv(gw);
	const struct sms_route *route = ud;
	if (strcmp(route->path, hr->path)) {
		hout->status = 404;
		hout->body = "no such webhook\n";
		return;
	}
	if (!method_ok(route, hr->method)) {
		hout->status = 405;
		hout->body = "method not allowed\n";
		return;
	}
	char *url;
	struct sms_http_req req = driver_req(sms, hr, &url);
	struct sms_http_reply out = { 0 };
	route->handle(sms, &req, &out);
	g_assert(out.status);
	hout->status = out.status;
	hout->content_type = out.content_type;
	hout->body = out.body;
	hout->after_commit = true; /* a 2xx waits for the commit */
	g_free(url);
}

static bool guard(struct gw *gw, const struct gw_http_req *hr, void *ud)
{
	struct sms *sms = gw_priv(gw);
	const struct sms_route *route = ud;
	if (strcmp(route->path, hr->path) || !method_ok(route, hr->method))
		return true; /* 404 or 405 from the handler */
	char *url;
	struct sms_http_req req = driver_req(sms, hr, &url);
	bool ok = route->guard(sms, &req);
	g_free(url);
	return ok;
}

enum gw_err sms_http_start(struct sms *sms, int64_t timeout_s)
{
	for (size_t i = 0; i < sms->drv->n_routes; i++) {
		const struct sms_route *route = &sms->drv->routes[i];
		enum gw_err err = gw_http_mount(sms->gw, route->path, (size_t)sms->max_body, handle,
						(void *)route);
		if (err == GW_OK && route->guard)
			err = gw_http_guard(sms->gw, route->path, guard);
		if (err != GW_OK)
			return err;
	}
	sms->session = soup_session_new_with_options("max-conns-per-host", CLIENT_MAX_CONNS,
						     "max-conns", CLIENT_MAX_CONNS * 4,
						     "timeout", (guint)timeout_s,
						     "user-agent", "xmpp-gw", NULL);
	sms->http_timeout_s = timeout_s;
	sms->calls = g_hash_table_new(g_direct_hash, g_direct_equal);
	return GW_OK;
}

void sms_http_stop(struct sms *sms)
{
	if (sms->calls) {
		GList *all = g_hash_table_get_keys(sms->calls);
		for (GList *i = all; i; i = i->next)
			g_cancellable_cancel(((struct call *)i->data)->cancel);
		g_list_free(all);
		/* Let the cancelled requests call back, so nothing is left. */
		gint64 deadline = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;
		while (g_hash_table_size(sms->calls) && g_get_monotonic_time() < deadline)
			g_main_context_iteration(NULL, FALSE);
		g_hash_table_destroy(sms->calls);
		sms->calls = NULL;
	}
	if (sms->session) {
		soup_session_abort(sms->session);
		g_object_unref(sms->session);
		sms->session = NULL;
	}
}

/* ---- client ------------------------------------------------------------- */

/* Errors that prove the request never left: nothing was connected. */
static bool never_sent(const GError *e)
{
	if (e->domain == G_RESOLVER_ERROR)
		return true;
	return e->domain == G_IO_ERROR &&
	       (e->code == G_IO_ERROR_CONNECTION_REFUSED || e->code == G_IO_ERROR_HOST_UNREACHABLE ||
		e->code == G_IO_ERROR_NETWORK_UNREACHABLE || e->code == G_IO_ERROR_HOST_NOT_FOUND);
}

/* The call is over: error (owned, may be NULL) or the body read. */
static void finish(struct call *c, GError *error)
{
	struct sms_http_result r = { .body = "" };
	char *body = NULL;
	gw_timer_remove(c->deadline);
	if (c->timed_out || c->too_large) {
		r.error = c->timed_out ? "no whole answer within http_timeout_s"
				       : "an answer larger than max_body_bytes";
	} else if (error) {
		r.cancelled = g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
		r.not_sent = never_sent(error);
		r.error = error->message;
	} else {
		body = g_strndup((const char *)c->body->data, c->body->len);
		r.body = body;
		r.body_len = c->body->len;
		r.status = soup_message_get_status(c->msg);
		r.retry_after = soup_message_headers_get_one(
			soup_message_get_response_headers(c->msg), "Retry-After");
	}
	if (c->sms->calls)
		g_hash_table_remove(c->sms->calls, c);
	c->cb(c->sms, &r, c->ud);
	g_free(body);
	g_clear_error(&error);
	if (c->in)
		g_object_unref(c->in);
	g_byte_array_unref(c->body);
	g_object_unref(c->msg);
	g_object_unref(c->cancel);
	g_free(c);
}

static void read_more(struct call *c);

static void got_chunk(GObject *src, GAsyncResult *res, gpointer ud)
{
	struct call *c = ud;
	GError *error = NULL;
	GBytes *chunk = g_input_stream_read_bytes_finish(G_INPUT_STREAM(src), res, &error);
	if (!chunk) {
		finish(c, error);
		return;
	}
	gsize n = 0;
	const guint8 *data = g_bytes_get_data(chunk, &n);
	if (n && c->body->len + n > (gsize)c->sms->max_body) {
		c->too_large = true;
		g_bytes_unref(chunk);
		finish(c, NULL);
		return;
	}
	g_byte_array_append(c->body, data, (guint)n);
	g_bytes_unref(chunk);
	if (!n)
		finish(c, NULL);
	else
		read_more(c);
}

static void read_more(struct call *c)
{
	g_input_stream_read_bytes_async(c->in, READ_CHUNK, G_PRIORITY_DEFAULT, c->cancel, got_chunk,
					c);
}

static void got_headers(GObject *src, GAsyncResult *res, gpointer ud)
{
	struct call *c = ud;
	GError *error = NULL;
	c->in = soup_session_send_finish(SOUP_SESSION(src), res, &error);
	if (!c->in) {
		finish(c, error);
		return;
	}
	read_more(c);
}

/* The call's total time is up: it ends (cancelled, then finished as
 * timed out from the callback the cancel brings). */
static void deadline_up(void *ud)
{
	struct call *c = ud;
	c->deadline = 0;
	c->timed_out = true;
	g_cancellable_cancel(c->cancel);
}

void sms_http_request(struct sms *sms, const struct sms_http_call *call, sms_http_cb cb,
		      void *ud)
{
	struct call *c = g_new0(struct call, 1);
	c->sms = sms;
	c->cb = cb;
	c->ud = ud;
	c->cancel = g_cancellable_new();
	c->body = g_byte_array_new();
	c->msg = soup_message_new(call->method, call->url);
	g_assert(c->msg); /* drivers build URLs from validated settings */
	soup_message_add_flags(c->msg, SOUP_MESSAGE_NEW_CONNECTION);
	SoupMessageHeaders *h = soup_message_get_request_headers(c->msg);
	if (call->body) {
		GBytes *b = g_bytes_new(call->body, strlen(call->body));
		soup_message_set_request_body_from_bytes(c->msg, call->content_type, b);
		g_bytes_unref(b);
	}
	if (call->user) {
		char *pair = g_strconcat(call->user, ":", call->password ? call->password : "", NULL);
		char *b64 = g_base64_encode((const guchar *)pair, strlen(pair));
		char *auth = g_strconcat("Basic ", b64, NULL);
		soup_message_headers_replace(h, "Authorization", auth);
		g_free(auth);
		g_free(b64);
		g_free(pair);
	}
	g_hash_table_add(sms->calls, c);
	c->deadline = gw_timer_add((unsigned)(sms->http_timeout_s * 1000), deadline_up, c);
	soup_session_send_async(sms->session, c->msg, G_PRIORITY_DEFAULT, c->cancel, got_headers, c);
}

bool sms_http_send_failed(const struct sms_http_result *h, struct sms_send_result *r,
			  char **text)
{
	if (h->cancelled) {
		r->outcome = SMS_SEND_CANCELLED;
	} else if (h->error && h->not_sent) {
		r->outcome = SMS_SEND_NOT_SENT;
		r->text = h->error;
	} else if (h->error) {
		r->outcome = SMS_SEND_UNKNOWN;
		r->err = GW_ERR_REMOTE_TIMEOUT;
		*text = g_strdup_printf("the SMS provider did not answer (%s): the text may not "
					"have been sent", h->error);
		r->text = *text;
	}
	return h->cancelled || h->error;
}

const char *sms_http_arg(const struct sms_http_req *req, const char *key)
{
	return g_hash_table_lookup(req->query, key);
}
