/* driver.h - an SMS provider behind the SMS backend.
 *
 * The backend (backend.c and friends) owns everything that is the same for
 * every provider: addressing, the outbox of jobs (job.h) and its restart
 * rules, the token bucket and the daily quota, XMPP errors and receipts,
 * the one HTTP server and the one HTTP client session. A driver only
 * speaks its provider's HTTP: it sends a text when asked, and turns the
 * provider's webhooks into the backend's sms_incoming() and sms_report().
 * One driver runs per instance, chosen by the `provider` option.
 *
 * A driver is one const struct sms_driver, with the size of its private
 * block (which the backend allocates) and its options (which the backend
 * shows the core as its own). All its calls run on the main loop and must
 * not block; it makes HTTP requests through sms_http_request() (http.h) so
 * that the backend can cancel them when it stops.
 *
 * A driver's files include this header, http.h and the pure helpers
 * (e164.h, signature.h, urlform.h, ...), never sms.h or claim.h: what a
 * driver needs of the backend is declared below, under "what drivers
 * call", and implemented on the backend's side.
 */
#ifndef XMPPGW_SMS_DRIVER_H
#define XMPPGW_SMS_DRIVER_H

#include "gateway.h"
#include "sms/job.h"

struct sms; /* the backend instance (sms.h) */

/* ---- sending ------------------------------------------------------------ */

enum sms_outcome {
	/* The provider took the text. */
	SMS_SEND_OK = 0,
	/* The provider answered and refused it (bad number, opted out, bad
	 * credentials, ...): err and text say why. Not retried. */
	SMS_SEND_REFUSED,
	/* The request provably never reached the provider (connection
	 * refused, the name did not resolve): the backend retries later. */
	SMS_SEND_NOT_SENT,
	/* The provider asked to wait (HTTP 429, Retry-After): not sent; the
	 * backend retries after retry_after_ms and slows the account down. */
	SMS_SEND_LATER,
	/* It may have reached the provider (a timeout, a connection cut
	 * before the answer, an answer that cannot be read): never retried;
	 * the user is told it may not have been sent. */
	SMS_SEND_UNKNOWN,
	/* The backend is stopping: the request was cancelled. Touch nothing. */
	SMS_SEND_CANCELLED,
};

struct sms_send_result {
	enum sms_outcome outcome;
	const char *provider_id;  /* OK: the provider's message id, or NULL
				     (the job id stands for it) */
	unsigned parts;           /* OK: segments the provider counted, 0:
				     unknown (the backend's count stands) */
	enum gw_err err;          /* REFUSED, UNKNOWN: the XMPP error */
	const char *text;         /* REFUSED, UNKNOWN: a readable reason */
	unsigned retry_after_ms;  /* LATER */
};

/* Called exactly once per send, never before send() returns. r and its
 * strings are borrowed for the call. */
typedef void (*sms_send_cb)(struct sms *sms, const struct sms_send_result *r, void *ud);

struct sms_send {
	/* The text: job->id (for report URLs), from, to, body (with any media
	 * link for providers without media), media (a URL for providers that
	 * fetch it, e.g. Twilio's MediaUrl), ucs2, parts. Borrowed for the
	 * call only: copy what the request needs. */
	const struct sms_job *job;
	/* Per-user drivers: the user's registration (field var -> value:
	 * account, token, number); NULL for gateway-wide drivers and for the
	 * gateway's own texts. Borrowed for the call. */
	GHashTable *creds;
	/* Ask for delivery reports (to be posted to the driver's routes). */
	bool reports;
};

/* ---- webhooks ----------------------------------------------------------- */

/* One request to the backend's HTTP server, read whole (the server answers
 * 413 itself to a body over max_body_bytes). Everything is borrowed for
 * the handler's call. */
struct sms_http_req {
	const char *method;       /* "GET", "POST", ... */
	const char *path;         /* the route's path */
	const char *url;          /* the URL the provider requested, as it
				     signs it: public_url + path + "?" + the
				     query exactly as sent (no "?" without one) */
	GHashTable *query;        /* decoded query (key -> value), never NULL */
	const char *content_type; /* may be NULL */
	const char *body;         /* NUL-terminated copy of the body */
	size_t body_len;
	/* A request header (NULL when missing). */
	const char *(*header)(const struct sms_http_req *req, const char *name);
	void *priv;               /* the server's */
};

/* A handler's answer: status 0 is a programmer error. body may be NULL
 * (empty); both strings are static or live until the handler returns. A
 * 2xx is sent once every store write made so far is committed (the store
 * commits in groups, gateway.h's gw_row_put), or turned into a 503 when
 * the commit fails: a 2xx tells the provider it need not send again. */
struct sms_http_reply {
	unsigned status;
	const char *content_type; /* NULL: text/plain */
	const char *body;
};

struct sms_route {
	const char *path;   /* under the server's root, e.g. "/kannel/mo" */
	const char *method; /* "GET", "POST", or NULL for either; others get 405 */
	void (*handle)(struct sms *sms, const struct sms_http_req *req,
		       struct sms_http_reply *out);
	/* Optional: checked once the headers are in, before the body is read
	 * (req->body is NULL): false answers 403 at once and closes the
	 * connection (a wrong token in the query: the body never comes). */
	bool (*guard)(struct sms *sms, const struct sms_http_req *req);
};

/* ---- the driver ---------------------------------------------------------- */

struct sms_driver {
	const char *name;         /* the `provider` option's value */
	/* true: each user registers their own provider account (fields
	 * below, e.g. account SID, auth token, number) and texts are sent
	 * with sms_send.creds; false: one gateway-wide account from the
	 * configuration, and users claim numbers on it. */
	bool per_user;
	/* true: delivery reports come per part, and a text counts as
	 * delivered when every part is (Kannel: false, one per text). */
	bool reports_per_part;
	/* true: the provider fetches an attachment itself (Twilio's MediaUrl):
	 * job->media carries the XEP-0066 URL and the body is the user's
	 * text; false: the URL is added to the body on a line of its own. */
	bool sends_media;
	/* Registration fields (XEP-0077); "number" must be one of them: the
	 * user's +E.164 number, which incoming texts are routed by. */
	const struct gw_field *fields;
	size_t n_fields;
	/* Bytes of the driver's private block (sms_driver_priv()): the
	 * backend allocates it zeroed before start and frees it after stop. */
	size_t priv_size;
	/* The driver's options, in the backend's section: each key starts
	 * with the driver's name and each help line with the name and ": "
	 * (e.g. "kannel: Kannel's sendsms URL"). The core validates the
	 * backend's table only, so the same rows are in it too: the driver's
	 * header lists them in one macro (KANNEL_OPTIONS), which both tables
	 * use. Read with sms_driver_conf_string(). */
	const struct gw_option *options;
	size_t n_options;
	/* Called from the backend's start, after the backend's own settings
	 * are read; non-GW_OK aborts start-up (with a log line). May be NULL. */
	enum gw_err (*start)(struct sms *sms);
	/* Frees what start made. May be NULL. */
	void (*stop)(struct sms *sms);
	/* Checks a registration, as gw_ops.register_check (gateway.h): a
	 * gateway-wide driver uses sms_claim_check() (below), the texted
	 * code; a per-user one verifies the credentials with an API call. */
	void (*register_check)(struct sms *sms, struct gw_request *req, const char *jid,
			       GHashTable *values, GHashTable *old);
	/* The account a user's texts count against for the token bucket
	 * (reg: the user's registration). Returns new. */
	char *(*account_of)(struct sms *sms, GHashTable *reg);
	/* Sends one text; answers cb exactly once (see sms_send_cb). */
	void (*send)(struct sms *sms, const struct sms_send *req, sms_send_cb cb, void *ud);
	/* The webhooks, under the backend's HTTP server. */
	const struct sms_route *routes;
	size_t n_routes;
};

/* The drivers this build carries (backend.c), NULL-terminated. */
extern const struct sms_driver *const sms_drivers[];

/* ---- what drivers call ------------------------------------------------- */

/* An incoming text from `sender` (as the provider wrote it) to `receiver`
 * (the user's number), with the provider's message id `pid` (the
 * duplicate check: the same id is delivered once however often the
 * provider posts it). The text is written to the store when this returns
 * GW_OK: answer the provider 2xx then (the server sends a 2xx only once
 * the write is committed, and 503 if the commit fails). GW_ERR_NOT_FOUND: no user has that number
 * (dropped on purpose, logged); GW_ERR_BAD_REQUEST: an address that is not
 * one (*why); GW_ERR_RESOURCE_CONSTRAINT: the outbox is full (answer so
 * that the provider retries). A duplicate is GW_OK. */
enum gw_err sms_incoming(struct sms *sms, const char *sender, const char *receiver,
			 const char *text, const char *pid, const char **why);

/* The webhook's answer to what sms_incoming() returned: 200 (stored, a
 * duplicate, or a number no user has: no retry could make it known), 400
 * with why (logged), or 503 (the provider retries). why is borrowed until
 * the handler returns. */
void sms_incoming_reply(struct sms *sms, enum gw_err err, const char *why,
			struct sms_http_reply *out);

/* What a delivery report says. */
enum sms_report { SMS_REPORT_DELIVERED, SMS_REPORT_FAILED, SMS_REPORT_SMSC,
		  SMS_REPORT_PROGRESS };

/* A delivery report for job id (from the report URL the driver built)
 * with a readable detail for failures (may be NULL). GW_ERR_NOT_FOUND: no
 * such job (done already, or never ours: answer 2xx all the same); any
 * other error: the report could not be stored (answer 503, so that the
 * provider sends it again). */
enum gw_err sms_report(struct sms *sms, const char *job_id, enum sms_report what,
		       const char *detail);

/* The user who sent text job_id and the provider's message id for it
 * (both new; *provider_id NULL while the provider has not answered), for
 * a report that must be checked against them. GW_ERR_NOT_FOUND: no such
 * text (done already, or never ours), and both stay NULL. */
enum gw_err sms_job_owner(struct sms *sms, const char *job_id, char **jid, char **provider_id);

/* The registration check of a gateway-wide driver (its register_check):
 * the user claims the number with a code texted to it (claim.h). */
void sms_claim_check(struct sms *sms, struct gw_request *req, const char *jid,
		     GHashTable *values, GHashTable *old);

/* The backend's settings drivers read (borrowed). */
const char *sms_public_url(struct sms *sms);
const char *sms_secret(struct sms *sms);
/* default_country: a country calling code for national numbers, or "". */
const char *sms_default_cc(struct sms *sms);
struct gw *sms_gw(struct sms *sms);

/* The driver's private block: priv_size bytes, zeroed before start, freed
 * by the backend after stop (stop frees only what the block points to).
 * Never NULL once the driver is chosen. */
void *sms_driver_priv(struct sms *sms);
/* The value of one of the driver's own options. key must be in the
 * driver's options table (asserted: not another driver's, not the
 * backend's). Returns new. */
char *sms_driver_conf_string(struct sms *sms, const char *key);

#endif
