/* http_server.c - the core's HTTP listener (http.h) on libsoup 3.
 *
 * Every request gets a struct exchange when libsoup starts reading it (at
 * the accept, and again on a kept-alive connection): from then until its
 * body is read, the sweep closes it once read_timeout_s have passed. The
 * body is never accumulated by libsoup: got-chunk copies it here, up to
 * the mount's bound; past the bound the socket is shut down, so the rest
 * is never read. A Content-Length over the bound is answered 413 from the
 * headers, and libsoup then skips the body.
 */
#include "http.h"
#include "store.h"

#include <libsoup/soup.h>
#include <string.h>

#define SWEEP_MS 500

struct mount {
	char *prefix;
	size_t max_body;
	http_fn fn;
	http_guard_fn guard; /* or NULL */
	void *ud;
};

struct exchange {
	SoupServerMessage *msg;  /* not a reference: the exchange lives as its data */
	const struct mount *mount;
	GByteArray *body;
	gint64 deadline;         /* monotonic; 0 once the request is read */
	bool too_large;          /* refused and closed (413, 403, 503) */
	unsigned refused;        /* its status */
};

/* A 2xx waiting for the store's commit. */
struct held {
	SoupServerMessage *msg;  /* a reference */
	gulong on_gone;
	bool gone;
	unsigned status;
	char *content_type, *body, *disposition;
	size_t body_len;
	char *path;              /* for the log */
};

static GPtrArray *mounts;        /* struct mount * */
static SoupServer *server;
static GHashTable *exchanges;    /* struct exchange * (set) */
static guint sweep_timer;
static gint64 read_timeout_us;
static guint max_connections;
static gint64 refused_logged_us; /* the last "too many connections" line */

enum gw_err http_mount(const char *prefix, size_t max_body, http_fn fn, void *ud)
{
	if (!mounts)
		mounts = g_ptr_array_new();
	for (guint i = 0; i < mounts->len; i++)
		if (!strcmp(((struct mount *)g_ptr_array_index(mounts, i))->prefix, prefix))
			return GW_ERR_CONFLICT;
	struct mount *m = g_new0(struct mount, 1);
	m->prefix = g_strdup(prefix);
	m->max_body = max_body;
	m->fn = fn;
	m->ud = ud;
	g_ptr_array_add(mounts, m);
	return GW_OK;
}

enum gw_err http_guard(const char *prefix, http_guard_fn fn)
{
	for (guint i = 0; mounts && i < mounts->len; i++) {
		struct mount *m = g_ptr_array_index(mounts, i);
		if (!strcmp(m->prefix, prefix)) {
			m->guard = fn;
			return GW_OK;
		}
	}
	return GW_ERR_NOT_FOUND;
}

bool http_has_mounts(void) { return mounts && mounts->len; }
bool http_running(void) { return server != NULL; }

static const struct mount *mount_for(const char *path)
{
	const struct mount *best = NULL;
	for (guint i = 0; mounts && i < mounts->len; i++) {
		const struct mount *m = g_ptr_array_index(mounts, i);
		if (g_str_has_prefix(path, m->prefix) &&
		    (!best || strlen(m->prefix) > strlen(best->prefix)))
			best = m;
	}
	return best;
}

/* ---- answers -------------------------------------------------------------- */

static void reply_text(SoupServerMessage *msg, unsigned status, const char *ctype,
		       const char *body, size_t len)
{
	soup_server_message_set_status(msg, status, NULL);
	soup_server_message_set_response(msg, ctype ? ctype : "text/plain; charset=utf-8",
					 SOUP_MEMORY_COPY, body ? body : "", body ? len : 0);
}

static void reply_plain(SoupServerMessage *msg, unsigned status, const char *text)
{
	reply_text(msg, status, NULL, text, strlen(text));
}

static void set_disposition(SoupServerMessage *msg, const char *disposition)
{
	if (disposition)
		soup_message_headers_replace(soup_server_message_get_response_headers(msg),
					     "Content-Disposition", disposition);
}

/* The file's bytes, mapped; 404 when it cannot be read. */
static void reply_file(SoupServerMessage *msg, const struct gw_http_reply *out)
{
	GError *error = NULL;
	GMappedFile *f = g_mapped_file_new(out->file, FALSE, &error);
	if (!f) {
		log_msg(LOG_DEBUG, "http", "cannot read %s: %s", out->file, error->message);
		g_error_free(error);
		reply_plain(msg, 404, "not found\n");
		return;
	}
	GBytes *bytes = g_mapped_file_get_bytes(f);
	g_mapped_file_unref(f);
	soup_server_message_set_status(msg, out->status, NULL);
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Content-Type",
				     out->content_type ? out->content_type
						       : "application/octet-stream");
	soup_message_body_append_bytes(soup_server_message_get_response_body(msg), bytes);
	g_bytes_unref(bytes);
	set_disposition(msg, out->disposition);
}

static void held_gone(SoupServerMessage *msg, gpointer ud)
{
	((struct held *)ud)->gone = true;
}

static void held_answer(enum gw_err result, void *ud)
{
	struct held *h = ud;
	if (result != GW_OK)
		log_msg(LOG_WARN, "http", "%s: what the request brought could not be stored: "
			"answered 503", h->path);
	if (!h->gone) {
		if (result == GW_OK) {
			reply_text(h->msg, h->status, h->content_type, h->body, h->body_len);
			set_disposition(h->msg, h->disposition);
		} else {
			reply_plain(h->msg, 503, "try again later\n");
		}
		soup_server_message_unpause(h->msg);
	}
	g_signal_handler_disconnect(h->msg, h->on_gone);
	g_object_unref(h->msg);
	g_free(h->content_type);
	g_free(h->body);
	g_free(h->disposition);
	g_free(h->path);
	g_free(h);
}

static void reply_after_commit(SoupServerMessage *msg, const char *path,
			       const struct gw_http_reply *out, size_t len)
{
	struct held *h = g_new0(struct held, 1);
	h->msg = g_object_ref(msg);
	h->status = out->status;
	h->content_type = g_strdup(out->content_type);
	h->body = g_memdup2(out->body ? out->body : "", len + 1);
	h->body_len = len;
	h->disposition = g_strdup(out->disposition);
	h->path = g_strdup(path);
	h->on_gone = g_signal_connect(msg, "disconnected", G_CALLBACK(held_gone), h);
	soup_server_message_pause(msg);
	store_after_commit(held_answer, h);
}

/* ---- requests ------------------------------------------------------------- */

const char *http_header(const struct gw_http_req *req, const char *name)
{
	SoupServerMessage *msg = req->priv;
	return soup_message_headers_get_one(soup_server_message_get_request_headers(msg), name);
}

static void handle(SoupServer *srv, SoupServerMessage *msg, const char *path, GHashTable *query,
		   gpointer ud)
{
	struct exchange *ex = g_object_get_data(G_OBJECT(msg), "xmpp-gw-exchange");
	const struct mount *m = ex ? ex->mount : NULL;
	soup_message_headers_replace(soup_server_message_get_response_headers(msg),
				     "X-Content-Type-Options", "nosniff");
	if (!m) {
		reply_plain(msg, 404, "not found\n");
		return;
	}
	if (ex->too_large) { /* answered and closed already */
		reply_plain(msg, ex->refused, "refused\n");
		return;
	}
	GHashTable *empty = query ? NULL : g_hash_table_new(g_str_hash, g_str_equal);
	g_byte_array_append(ex->body, (const guint8 *)"", 1); /* NUL-terminated */
	struct gw_http_req req = {
		.method = soup_server_message_get_method(msg),
		.path = path,
		.query = g_uri_get_query(soup_server_message_get_uri(msg)),
		.args = query ? query : empty,
		.content_type = soup_message_headers_get_one(
			soup_server_message_get_request_headers(msg), "Content-Type"),
		.body = (const char *)ex->body->data,
		.body_len = ex->body->len - 1,
		.priv = msg,
	};
	struct gw_http_reply out = { 0 };
	m->fn(&req, &out, m->ud);
	g_assert(out.status);
	size_t len = out.body ? (out.body_len ? out.body_len : strlen(out.body)) : 0;
	if (out.file)
		reply_file(msg, &out);
	else if (out.after_commit && out.status >= 200 && out.status < 300)
		reply_after_commit(msg, path, &out, len);
	else {
		reply_text(msg, out.status, out.content_type, out.body, len);
		set_disposition(msg, out.disposition);
		if (out.www_authenticate)
			soup_message_headers_replace(soup_server_message_get_response_headers(msg),
						     "WWW-Authenticate", out.www_authenticate);
	}
	if (empty)
		g_hash_table_unref(empty);
}

/* Closes the connection under msg: reads see its end, libsoup lets it go. */
static void cut(SoupServerMessage *msg)
{
	GSocket *sock = soup_server_message_get_socket(msg);
	if (sock)
		g_socket_shutdown(sock, TRUE, TRUE, NULL);
}

/* Answers status_line itself and closes the connection: libsoup would
 * read (and drop) the whole body before it answered. */
static void refuse(struct exchange *ex, const char *status_line)
{
	ex->too_large = true;
	ex->refused = (unsigned)g_ascii_strtoull(status_line, NULL, 10);
	ex->deadline = 0;
	char *raw = g_strdup_printf("HTTP/1.1 %s\r\nConnection: close\r\nContent-Length: 0\r\n"
				    "X-Content-Type-Options: nosniff\r\n\r\n", status_line);
	GSocket *sock = soup_server_message_get_socket(ex->msg);
	if (sock)
		g_socket_send_with_blocking(sock, raw, strlen(raw), FALSE, NULL, NULL);
	g_free(raw);
	cut(ex->msg);
}

/* The mount's guard on what the headers say (the body not read yet). */
static bool guard_passes(SoupServerMessage *msg, const struct mount *m, const char *path)
{
	GUri *uri = soup_server_message_get_uri(msg);
	const char *query = g_uri_get_query(uri);
	GHashTable *args = query ? soup_form_decode(query) : NULL;
	GHashTable *empty = args ? NULL : g_hash_table_new(g_str_hash, g_str_equal);
	struct gw_http_req req = {
		.method = soup_server_message_get_method(msg),
		.path = path,
		.query = query,
		.args = args ? args : empty,
		.content_type = soup_message_headers_get_one(
			soup_server_message_get_request_headers(msg), "Content-Type"),
		.body = NULL,
		.priv = msg,
	};
	bool ok = m->guard(&req, m->ud);
	if (args)
		g_hash_table_unref(args);
	if (empty)
		g_hash_table_unref(empty);
	return ok;
}

static void got_headers(SoupServerMessage *msg, gpointer ud)
{
	struct exchange *ex = ud;
	const char *path = g_uri_get_path(soup_server_message_get_uri(msg));
	ex->mount = mount_for(path ? path : "/");
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	SoupEncoding enc = soup_message_headers_get_encoding(h);
	gint64 len = enc == SOUP_ENCODING_CONTENT_LENGTH
		? (gint64)soup_message_headers_get_content_length(h) : -1;
	bool has_body = enc == SOUP_ENCODING_CHUNKED || len > 0;
	if (!ex->mount && has_body) {
		refuse(ex, "404 Not Found");
	} else if (ex->mount && len >= 0 && (guint64)len > ex->mount->max_body) {
		log_msg(LOG_WARN, "http", "%s: a body of %" G_GINT64_FORMAT " bytes refused "
			"(at most %zu)", path, len, ex->mount->max_body);
		refuse(ex, "413 Request Entity Too Large");
	} else if (ex->mount && ex->mount->guard && !guard_passes(msg, ex->mount, path)) {
		refuse(ex, "403 Forbidden");
	}
}

static void got_chunk(SoupServerMessage *msg, GBytes *chunk, gpointer ud)
{
	struct exchange *ex = ud;
	gsize n = g_bytes_get_size(chunk);
	if (ex->too_large)
		return;
	if (!ex->mount || ex->body->len + n > ex->mount->max_body) {
		log_msg(LOG_WARN, "http", "a body over %zu bytes refused as it came: connection "
			"closed", ex->mount ? ex->mount->max_body : 0);
		refuse(ex, "413 Request Entity Too Large");
		return;
	}
	g_byte_array_append(ex->body, g_bytes_get_data(chunk, NULL), (guint)n);
}

static void got_body(SoupServerMessage *msg, gpointer ud)
{
	((struct exchange *)ud)->deadline = 0;
}

static void exchange_free(gpointer data)
{
	struct exchange *ex = data;
	if (exchanges)
		g_hash_table_remove(exchanges, ex);
	g_byte_array_unref(ex->body);
	g_free(ex);
}

static void request_started(SoupServer *srv, SoupServerMessage *msg, gpointer ud)
{
	struct exchange *ex = g_new0(struct exchange, 1);
	ex->msg = msg;
	ex->body = g_byte_array_new();
	ex->deadline = g_get_monotonic_time() + read_timeout_us;
	g_object_set_data_full(G_OBJECT(msg), "xmpp-gw-exchange", ex, exchange_free);
	if (g_hash_table_size(exchanges) >= max_connections) {
		gint64 now = g_get_monotonic_time();
		if (now - refused_logged_us > G_USEC_PER_SEC) {
			log_msg(LOG_WARN, "http", "%u connections wait for their request: a new one "
				"is answered 503", max_connections);
			refused_logged_us = now;
		}
		refuse(ex, "503 Service Unavailable");
		return;
	}
	g_hash_table_add(exchanges, ex);
	soup_message_body_set_accumulate(soup_server_message_get_request_body(msg), FALSE);
	g_signal_connect(msg, "got-headers", G_CALLBACK(got_headers), ex);
	g_signal_connect(msg, "got-chunk", G_CALLBACK(got_chunk), ex);
	g_signal_connect(msg, "got-body", G_CALLBACK(got_body), ex);
}

/* Requests not read in time: their connections are closed. */
static gboolean sweep(gpointer data)
{
	gint64 now = g_get_monotonic_time();
	GHashTableIter it;
	gpointer key;
	GPtrArray *late = g_ptr_array_new();
	g_hash_table_iter_init(&it, exchanges);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		struct exchange *ex = key;
		if (ex->deadline && now > ex->deadline) {
			ex->deadline = 0;
			g_ptr_array_add(late, ex->msg);
		}
	}
	for (guint i = 0; i < late->len; i++)
		cut(g_ptr_array_index(late, i));
	if (late->len)
		log_msg(LOG_DEBUG, "http", "%u connections closed: no whole request within the "
			"read timeout", late->len);
	g_ptr_array_free(late, TRUE);
	return G_SOURCE_CONTINUE;
}

enum gw_err http_start(const struct http_params *p)
{
	GError *error = NULL;
	read_timeout_us = p->read_timeout_s * G_USEC_PER_SEC;
	max_connections = (guint)p->max_connections;
	exchanges = g_hash_table_new(g_direct_hash, g_direct_equal);
	SoupServer *srv = soup_server_new("server-header", "xmpp-gw", NULL);
	soup_server_add_handler(srv, NULL, handle, NULL, NULL);
	g_signal_connect(srv, "request-started", G_CALLBACK(request_started), NULL);
	GSocketAddress *addr = g_inet_socket_address_new_from_string(p->listen, (guint)p->port);
	if (!addr || !soup_server_listen(srv, addr, 0, &error)) {
		log_msg(LOG_ERROR, "http", "cannot listen on %s port %" G_GINT64_FORMAT ": %s",
			p->listen, p->port, error ? error->message : "bad address");
		g_clear_error(&error);
		if (addr)
			g_object_unref(addr);
		g_object_unref(srv);
		g_hash_table_destroy(exchanges);
		exchanges = NULL;
		return GW_ERR_INTERNAL;
	}
	g_object_unref(addr);
	server = srv;
	sweep_timer = g_timeout_add(SWEEP_MS, sweep, NULL);
	log_msg(LOG_INFO, "http", "listening on %s port %" G_GINT64_FORMAT, p->listen, p->port);
	return GW_OK;
}

static void mount_free(gpointer data)
{
	struct mount *m = data;
	g_free(m->prefix);
	g_free(m);
}

void http_stop(void)
{
	if (sweep_timer)
		g_source_remove(sweep_timer);
	sweep_timer = 0;
	if (server) {
		soup_server_disconnect(server);
		g_object_unref(server);
		server = NULL;
	}
	if (exchanges) {
		GHashTable *t = exchanges;
		exchanges = NULL; /* exchanges freed later do not touch it */
		g_hash_table_destroy(t);
	}
	if (mounts) {
		g_ptr_array_set_free_func(mounts, mount_free);
		g_ptr_array_free(mounts, TRUE);
		mounts = NULL;
	}
}
