/* http.h - the SMS backend's HTTP: every driver's webhooks on the core's
 * listener, and one client session for calls to providers.
 */
#ifndef XMPPGW_SMS_HTTP_H
#define XMPPGW_SMS_HTTP_H

#include "sms/driver.h"

/* Mounts the driver's routes and makes the client session. */
enum gw_err sms_http_start(struct sms *sms, int64_t timeout_s);
/* Cancels every request in flight (their callbacks run with cancelled
 * set before this returns). */
void sms_http_stop(struct sms *sms);

struct sms_http_result {
	bool cancelled;         /* the backend is stopping: touch nothing */
	bool not_sent;          /* provably never reached the server */
	const char *error;      /* a transport error (NULL: an answer came) */
	unsigned status;        /* HTTP status of the answer */
	const char *body;       /* NUL-terminated, "" when empty */
	size_t body_len;
	const char *retry_after;/* the Retry-After header, or NULL */
};

typedef void (*sms_http_cb)(struct sms *sms, const struct sms_http_result *r, void *ud);

struct sms_http_call {
	const char *method;       /* "GET" or "POST" */
	const char *url;
	const char *content_type; /* POST */
	const char *body;         /* POST; NULL: empty */
	const char *user;         /* HTTP basic authentication, or NULL */
	const char *password;
};

/* Makes the request on a new connection (a reused one that the server
 * closed could make libsoup send it twice); cb runs exactly once, never
 * before this returns. The answer's body is bounded by max_body_bytes. */
void sms_http_request(struct sms *sms, const struct sms_http_call *call, sms_http_cb cb,
		      void *ud);

/* A send's outcome when its call got no answer, as every driver reports
 * it: cancelled, never sent (the outbox retries), or maybe sent (never
 * retried; *text new, a readable reason). Returns false when h is an
 * answer, which the driver reads itself. */
bool sms_http_send_failed(const struct sms_http_result *h, struct sms_send_result *r,
			  char **text);

/* The value of key in a form (query string) as sms_http_req.query. */
const char *sms_http_arg(const struct sms_http_req *req, const char *key);

#endif
