/* http.c - the webhook server and the provider client (http.h), on
 * libsoup 3 in the core's main loop.
 *
 * Server: a body whose Content-Length is over max_body_bytes is answered
 * 413 from its headers, before it is read; a chunked one is read and then
 * answered 413. A path no route has is 404, a method the route does not
 * take is 405. Handlers run after the body was read and never block.
 * A 2xx waits for the store's commit (driver.h, struct sms_http_reply):
 * the message is paused and answered from gw_after_commit, with the
 * handler's answer or, when the commit failed, 503.
 *
 * Client: one SoupSession with max-conns-per-host and timeout set from
 * the configuration (libsoup's defaults are 2 and 60 s). Every request
 * opens a new connection (SOUP_MESSAGE_NEW_CONNECTION): libsoup sends an
 * idempotent request again by itself when a reused connection turns out
 * closed, and a text must never go out twice.
 */
#include "sms/http.h"
#include "sms/sms.h"

#include <libsoup/soup.h>
#include <string.h>

#define CLIENT_MAX_CONNS 8

/* A 2xx waiting for the commit. */
struct held {
	SoupServerMessage *msg; /* a reference */
	gulong on_gone;
	bool gone;              /* the client went away meanwhile */
	unsigned status;
	char *content_type, *body;
	char *path;             /* for the log */
	char *domain;
};

struct call {
	struct sms *sms;
	SoupMessage *msg;
	GCancellable *cancel;
	sms_http_cb cb;
	void *ud;
};

/* ---- server ------------------------------------------------------------- */

static const char *req_header(const struct sms_http_req *req, const char *name)
{
	SoupServerMessage *msg = req->priv;
	return soup_message_headers_get_one(soup_server_message_get_request_headers(msg), name);
}

static void reply(SoupServerMessage *msg, unsigned status, const char *ctype, const char *body)
{
	soup_server_message_set_status(msg, status, NULL);
	body = body ? body : "";
	soup_server_message_set_response(msg, ctype ? ctype : "text/plain; charset=utf-8",
					 SOUP_MEMORY_COPY, body, strlen(body));
}

static void held_gone(SoupServerMessage *msg, gpointer ud)
{
	((struct held *)ud)->gone = true;
}

static void held_answer(enum gw_err result, void *ud)
{
	struct held *h = ud;
	if (result != GW_OK)
		log_msg(LOG_WARN, "sms", "%s: webhook %s: what it brought could not be stored: "
			"answered 503", h->domain, h->path);
	if (!h->gone) {
		if (result == GW_OK)
			reply(h->msg, h->status, h->content_type, h->body);
		else
			reply(h->msg, 503, NULL, "try again later\n");
		soup_server_message_unpause(h->msg);
	}
	g_signal_handler_disconnect(h->msg, h->on_gone);
	g_object_unref(h->msg);
	g_free(h->content_type);
	g_free(h->body);
	g_free(h->path);
	g_free(h->domain);
	g_free(h);
}

/* Answers out once the store has committed what the handler wrote. */
static void reply_committed(struct sms *sms, SoupServerMessage *msg, const char *path,
			    const struct sms_http_reply *out)
{
	struct held *h = g_new0(struct held, 1);
	h->msg = g_object_ref(msg);
	h->status = out->status;
	h->content_type = g_strdup(out->content_type);
	h->body = g_strdup(out->body);
	h->path = g_strdup(path);
	h->domain = g_strdup(gw_domain(sms->gw));
	h->on_gone = g_signal_connect(msg, "disconnected", G_CALLBACK(held_gone), h);
	soup_server_message_pause(msg);
	gw_after_commit(sms->gw, held_answer, h);
}

static void handle(SoupServer *srv, SoupServerMessage *msg, const char *path, GHashTable *query,
		   gpointer ud)
{
	struct sms *sms = ud;
	const struct sms_route *route = NULL;
	for (size_t i = 0; i < sms->drv->n_routes; i++)
		if (!strcmp(sms->drv->routes[i].path, path))
			route = &sms->drv->routes[i];
	const char *method = soup_server_message_get_method(msg);
	if (!route) {
		reply(msg, 404, NULL, "no such webhook\n");
		return;
	}
	if (route->method ? strcmp(route->method, method) != 0
			  : strcmp(method, "GET") && strcmp(method, "POST")) {
		reply(msg, 405, NULL, "method not allowed\n");
		return;
	}
	SoupMessageBody *b = soup_server_message_get_request_body(msg);
	GBytes *bytes = soup_message_body_flatten(b);
	gsize len = 0;
	const char *data = g_bytes_get_data(bytes, &len);
	if ((int64_t)len > sms->max_body) {
		log_msg(LOG_WARN, "sms", "%s: webhook %s: body of %zu bytes refused", gw_domain(sms->gw),
			path, (size_t)len);
		reply(msg, 413, NULL, "request body too large\n");
		g_bytes_unref(bytes);
		return;
	}
	GUri *uri = soup_server_message_get_uri(msg);
	const char *raw_query = g_uri_get_query(uri);
	char *url = raw_query ? g_strconcat(sms->public_url, path, "?", raw_query, NULL)
			      : g_strconcat(sms->public_url, path, NULL);
	char *body = g_strndup(data ? data : "", len);
	GHashTable *empty = query ? NULL : g_hash_table_new(g_str_hash, g_str_equal);
	struct sms_http_req req = {
		.method = method,
		.path = path,
		.url = url,
		.query = query ? query : empty,
		.content_type = soup_message_headers_get_one(
			soup_server_message_get_request_headers(msg), "Content-Type"),
		.body = body,
		.body_len = len,
		.header = req_header,
		.priv = msg,
	};
	struct sms_http_reply out = { 0 };
	route->handle(sms, &req, &out);
	g_assert(out.status);
	if (out.status >= 200 && out.status < 300)
		reply_committed(sms, msg, path, &out);
	else
		reply(msg, out.status, out.content_type, out.body);
	if (empty)
		g_hash_table_unref(empty);
	g_free(body);
	g_free(url);
	g_bytes_unref(bytes);
}

/* 413 from the headers, before a large body is read. */
static void got_headers(SoupServerMessage *msg, gpointer ud)
{
	struct sms *sms = ud;
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	if (soup_message_headers_get_encoding(h) == SOUP_ENCODING_CONTENT_LENGTH &&
	    (int64_t)soup_message_headers_get_content_length(h) > sms->max_body) {
		log_msg(LOG_WARN, "sms", "%s: webhook body of %" G_GINT64_FORMAT " bytes refused",
			gw_domain(sms->gw), (gint64)soup_message_headers_get_content_length(h));
		soup_message_headers_replace(soup_server_message_get_response_headers(msg),
					     "Connection", "close");
		reply(msg, 413, NULL, "request body too large\n");
	}
}

static void request_started(SoupServer *srv, SoupServerMessage *msg, gpointer ud)
{
	g_signal_connect(msg, "got-headers", G_CALLBACK(got_headers), ud);
}

enum gw_err sms_http_start(struct sms *sms, const char *listen, int64_t port, int64_t timeout_s)
{
	GError *error = NULL;
	SoupServer *srv = soup_server_new("server-header", "xmpp-gw", NULL);
	soup_server_add_handler(srv, NULL, handle, sms, NULL);
	g_signal_connect(srv, "request-started", G_CALLBACK(request_started), sms);
	GSocketAddress *addr = g_inet_socket_address_new_from_string(listen, (guint)port);
	if (!addr || !soup_server_listen(srv, addr, 0, &error)) {
		log_msg(LOG_ERROR, "sms", "%s: cannot listen on %s port %" G_GINT64_FORMAT ": %s",
			gw_domain(sms->gw), listen, port, error ? error->message : "bad address");
		g_clear_error(&error);
		if (addr)
			g_object_unref(addr);
		g_object_unref(srv);
		return GW_ERR_INTERNAL;
	}
	g_object_unref(addr);
	sms->server = srv;
	sms->session = soup_session_new_with_options("max-conns-per-host", CLIENT_MAX_CONNS,
						     "max-conns", CLIENT_MAX_CONNS * 4,
						     "timeout", (guint)timeout_s,
						     "user-agent", "xmpp-gw", NULL);
	sms->calls = g_hash_table_new(g_direct_hash, g_direct_equal);
	log_msg(LOG_INFO, "sms", "%s: webhooks on %s port %" G_GINT64_FORMAT, gw_domain(sms->gw),
		listen, port);
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
	if (sms->server) {
		soup_server_disconnect(sms->server);
		g_object_unref(sms->server);
		sms->server = NULL;
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

static void call_done(GObject *src, GAsyncResult *res, gpointer ud)
{
	struct call *c = ud;
	GError *error = NULL;
	GBytes *bytes = soup_session_send_and_read_finish(SOUP_SESSION(src), res, &error);
	struct sms_http_result r = { .body = "" };
	char *body = NULL;
	if (error) {
		r.cancelled = g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
		r.not_sent = never_sent(error);
		r.error = error->message;
	} else {
		gsize len = 0;
		const char *data = g_bytes_get_data(bytes, &len);
		if ((int64_t)len > c->sms->max_body)
			len = (gsize)c->sms->max_body;
		body = g_strndup(data ? data : "", len);
		r.body = body;
		r.body_len = len;
		r.status = soup_message_get_status(c->msg);
		r.retry_after = soup_message_headers_get_one(
			soup_message_get_response_headers(c->msg), "Retry-After");
	}
	if (c->sms->calls)
		g_hash_table_remove(c->sms->calls, c);
	c->cb(c->sms, &r, c->ud);
	g_free(body);
	if (bytes)
		g_bytes_unref(bytes);
	g_clear_error(&error);
	g_object_unref(c->msg);
	g_object_unref(c->cancel);
	g_free(c);
}

void sms_http_request(struct sms *sms, const struct sms_http_call *call, sms_http_cb cb,
		      void *ud)
{
	struct call *c = g_new0(struct call, 1);
	c->sms = sms;
	c->cb = cb;
	c->ud = ud;
	c->cancel = g_cancellable_new();
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
	soup_session_send_and_read_async(sms->session, c->msg, G_PRIORITY_DEFAULT, c->cancel,
					 call_done, c);
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
