/* http.h - the core's one HTTP listener (libsoup 3 on the main loop),
 * shared by every backend that mounts a handler under a path prefix
 * (gateway.h, gw_http_mount). It knows no backend: gw_http.c adapts it.
 *
 * Bounds. Each mount declares the largest request body it takes: a larger
 * Content-Length is answered 413 from the headers, before the body is
 * read; a chunked body is counted as it arrives, never kept beyond the
 * bound, and the connection is closed once it passes it. A connection
 * whose request is not fully read within read_timeout_s of its start
 * (idle keep-alive connections included) is closed, and past
 * max_connections of those at once a new one is answered 503 and closed,
 * so that slow clients cannot take every fd. Every answer carries
 * X-Content-Type-Options: nosniff.
 */
#ifndef XMPPGW_HTTP_H
#define XMPPGW_HTTP_H

#include "gateway.h"

struct http_params {
	const char *listen;   /* an IP literal */
	int64_t port;
	int64_t read_timeout_s;
	int64_t max_connections; /* waiting for their request at once */
};

/* The handler of a mount; as gw_http_fn without the instance. */
typedef void (*http_fn)(const struct gw_http_req *req, struct gw_http_reply *out, void *ud);

/* Adds a handler for paths beginning with prefix (copied; the longest
 * matching prefix wins). GW_ERR_CONFLICT when prefix is mounted already. */
enum gw_err http_mount(const char *prefix, size_t max_body, http_fn fn, void *ud);
/* A mount's check of a request once its headers are in, before its body
 * is read (req->body is NULL; ud: the mount's): false answers 403 and
 * closes the connection at once. */
typedef bool (*http_guard_fn)(const struct gw_http_req *req, void *ud);
/* Sets the guard of the mount at prefix; GW_ERR_NOT_FOUND when none. */
enum gw_err http_guard(const char *prefix, http_guard_fn fn);
/* Whether anything is mounted. */
bool http_has_mounts(void);
/* Listens. GW_ERR_INTERNAL (logged) when it cannot. */
enum gw_err http_start(const struct http_params *p);
bool http_running(void);
/* Closes the listener and every connection, forgets the mounts. */
void http_stop(void);
/* The header of a request being handled, or NULL. */
const char *http_header(const struct gw_http_req *req, const char *name);

#endif
