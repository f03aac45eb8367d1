/* twilio.c - the twilio driver: each user registers their own account at
 * a provider with Twilio's REST API (2010-04-01), which most commercial
 * providers copy. The requests and answers themselves are twilio_api.h;
 * this file sends texts, twilio_reg.c verifies registrations, and
 * twilio_hook.c takes the provider's webhooks.
 *
 * Sending: POST {twilio_api_url}/2010-04-01/Accounts/{Sid}/Messages.json
 * with Basic auth (the SID and the auth token), To, From (the user's
 * number), Body, MediaUrl (the XEP-0066 attachment), and a StatusCallback
 * of public_url + /twilio/status?job=<job id>. Any HTTP answer means the
 * request reached the provider: only a connection that was never made is
 * tried again (by the outbox), and a timeout or a connection cut before
 * the answer is reported as maybe sent, never sent twice.
 */
#include "sms/driver.h"
#include "sms/http.h"
#include "sms/twilio.h"
#include "sms/twilio_api.h"

#include <string.h>

#define RETRY_AFTER_DEFAULT_MS 1000 /* a 429 without a usable Retry-After */

static enum gw_err twilio_start(struct sms *sms)
{
	struct gw *gw = sms_gw(sms);
	struct twilio *t = sms_driver_priv(sms);
	t->api = sms_driver_conf_string(sms, "twilio_api_url");
	while (g_str_has_suffix(t->api, "/"))
		t->api[strlen(t->api) - 1] = 0;
	if (!g_str_has_prefix(t->api, "http://") && !g_str_has_prefix(t->api, "https://")) {
		log_msg(LOG_ERROR, "sms", "%s: twilio_api_url must be an http(s) URL", gw_domain(gw));
		return GW_ERR_BAD_REQUEST;
	}
	return GW_OK;
}

static void twilio_stop(struct sms *sms)
{
	struct twilio *t = sms_driver_priv(sms);
	g_free(t->api);
}

static char *twilio_account_of(struct sms *sms, GHashTable *reg)
{
	const char *sid = reg ? g_hash_table_lookup(reg, TWILIO_F_ACCOUNT) : NULL;
	return g_strdup(sid ? sid : "");
}

/* ---- sending ------------------------------------------------------------------ */

struct send_ctx {
	sms_send_cb cb;
	void *ud;
};

/* What the provider's answer to a send means (r's strings in *text and
 * *sid, new). */
static void map_answer(struct sms *sms, const struct sms_http_result *h,
		       struct sms_send_result *r, char **text, char **sid)
{
	struct twilio_message m;
	unsigned retry_s = 0;
	enum gw_err err = twilio_parse_send(h->status, h->retry_after, h->body, h->body_len, &m,
					    &retry_s, text);
	if (err == GW_OK) {
		r->outcome = SMS_SEND_OK;
		*sid = g_strdup(m.sid);
		r->provider_id = *sid;
		r->parts = m.segments;
	} else if (h->status == 429) {
		r->outcome = SMS_SEND_LATER;
		r->retry_after_ms = retry_s ? retry_s * 1000 : RETRY_AFTER_DEFAULT_MS;
	} else if (h->status >= 200 && h->status < 300) {
		/* Taken, as far as anyone can tell, but not readable. */
		r->outcome = SMS_SEND_UNKNOWN;
		r->err = err;
		g_free(*text);
		*text = g_strdup("the SMS provider's answer could not be read: the text may not "
				 "have been sent");
	} else {
		r->outcome = SMS_SEND_REFUSED;
		r->err = err;
	}
	if (r->outcome != SMS_SEND_OK)
		log_msg(LOG_WARN, "sms", "%s: the provider answered %u to a send: %s",
			gw_domain(sms_gw(sms)), h->status, *text ? *text : "");
	r->text = *text;
	twilio_message_clear(&m);
}

static void send_done(struct sms *sms, const struct sms_http_result *h, void *ud)
{
	struct send_ctx *c = ud;
	struct sms_send_result r = { 0 };
	char *text = NULL, *sid = NULL;
	if (!sms_http_send_failed(h, &r, &text))
		map_answer(sms, h, &r, &text, &sid);
	c->cb(sms, &r, c->ud);
	g_free(text);
	g_free(sid);
	g_free(c);
}

static const char *cred(GHashTable *creds, const char *key)
{
	const char *v = creds ? g_hash_table_lookup(creds, key) : NULL;
	return v ? v : "";
}

/* The text to send: none when there is an attachment and the body is
 * empty or only its URL (as clients write the body of an XEP-0066
 * message), so that the phone does not get the URL twice. */
static const char *body_of(const struct sms_job *j)
{
	if (j->media && *j->media && (!j->body || !*j->body || !strcmp(j->body, j->media)))
		return NULL;
	return j->body;
}

/* Without credentials (none registered) the provider answers 401: the
 * text is refused like any other the account may not send. */
static void twilio_send(struct sms *sms, const struct sms_send *req, sms_send_cb cb, void *ud)
{
	const struct sms_job *j = req->job;
	const char *sid = cred(req->creds, TWILIO_F_ACCOUNT);
	const char *media[] = { j->media };
	char *callback = req->reports ? g_strdup_printf("%s" TWILIO_STATUS_PATH "?job=%s",
							 sms_public_url(sms), j->id)
				      : NULL;
	struct twilio_send m = {
		.to = j->to,
		.from = j->from,
		.body = body_of(j),
		.media = media,
		.n_media = j->media && *j->media ? 1 : 0,
		.status_callback = callback,
	};
	char *body = twilio_send_body(&m);
	char *path = twilio_messages_path(sid);
	char *url = twilio_url(sms, path);
	struct send_ctx *c = g_new0(struct send_ctx, 1);
	c->cb = cb;
	c->ud = ud;
	struct sms_http_call call = {
		.method = "POST",
		.url = url,
		.content_type = "application/x-www-form-urlencoded",
		.body = body,
		.user = sid,
		.password = cred(req->creds, TWILIO_F_TOKEN),
	};
	sms_http_request(sms, &call, send_done, c);
	g_free(url);
	g_free(path);
	g_free(body);
	g_free(callback);
}

static const struct sms_route twilio_routes[] = {
	{ .path = TWILIO_SMS_PATH, .method = "POST", .handle = twilio_on_sms,
	  .guard = twilio_signature_present },
	{ .path = TWILIO_STATUS_PATH, .method = "POST", .handle = twilio_on_status,
	  .guard = twilio_signature_present },
};

static const struct gw_option twilio_options[] = { TWILIO_OPTIONS };

static const struct gw_field twilio_fields[] = {
	{ .var = TWILIO_F_ACCOUNT, .label = "Account SID", .type = GW_FIELD_TEXT,
	  .required = true, .max_bytes = 64 },
	{ .var = TWILIO_F_TOKEN, .label = "Auth token", .type = GW_FIELD_PRIVATE,
	  .required = true, .max_bytes = 128 },
	{ .var = "number", .label = "Your number at the provider (+E.164)",
	  .type = GW_FIELD_TEXT, .required = true, .max_bytes = 64 },
};

const struct sms_driver sms_twilio_driver = {
	.name = "twilio",
	.per_user = true,
	.reports_per_part = false, /* one status callback per message */
	.sends_media = true,
	.fields = twilio_fields,
	.n_fields = G_N_ELEMENTS(twilio_fields),
	.priv_size = sizeof(struct twilio),
	.options = twilio_options,
	.n_options = G_N_ELEMENTS(twilio_options),
	.start = twilio_start,
	.stop = twilio_stop,
	.register_check = twilio_register_check,
	.account_of = twilio_account_of,
	.send = twilio_send,
	.routes = twilio_routes,
	.n_routes = G_N_ELEMENTS(twilio_routes),
};
