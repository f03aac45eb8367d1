/* kannel.c - the Kannel driver: one gateway-wide Kannel (a sendsms-user
 * for texts out, an sms-service post-url for texts in, dlr-url for
 * reports). Users claim numbers with a texted code (sms_claim_check).
 *
 * Webhooks (the token is the `secret` setting; a wrong or missing one is
 * 403 and nothing else happens):
 *   POST /kannel/mo?token=T&from=%p&to=%P&id=%I[&charset=%C]   body: the text
 *     (mo-recode = true makes it UTF-8). 200 when stored, for a duplicate
 *     (%I is the same on Kannel's retries) and for a receiving number no
 *     user has (dropped on purpose: Kannel would retry anything else, and
 *     no retry can make the number known); 400 when malformed; 503 when
 *     the gateway cannot store it (Kannel retries).
 *   GET /kannel/dlr?token=T&job=J&status=%d[&reply=%A]
 *     the dlr-url the driver gives with each text. 200 once stored (also
 *     for a text that is over), 503 when it cannot be (Kannel retries).
 */
#include "sms/driver.h"
#include "sms/http.h"
#include "sms/kannel.h"
#include "sms/signature.h"
#include "random.h"

#include <string.h>

#define DLR_MASK "27" /* 1 delivered | 2 failed | 8 SMSC accepted | 16 rejected */

struct kannel {
	char *url;
	char *user;
	char *password;
	char *smsc;
};

static enum gw_err kannel_start(struct sms *sms)
{
	struct gw *gw = sms_gw(sms);
	struct kannel *k = sms_driver_priv(sms);
	k->url = sms_driver_conf_string(sms, "kannel_sendsms_url");
	k->user = sms_driver_conf_string(sms, "kannel_username");
	k->password = sms_driver_conf_string(sms, "kannel_password");
	k->smsc = sms_driver_conf_string(sms, "kannel_smsc");
	if (!g_str_has_prefix(k->url, "http://") && !g_str_has_prefix(k->url, "https://")) {
		log_msg(LOG_ERROR, "sms", "%s: kannel_sendsms_url must be an http(s) URL",
			gw_domain(gw));
		return GW_ERR_BAD_REQUEST;
	}
	if (!*sms_secret(sms)) {
		log_msg(LOG_ERROR, "sms", "%s: provider kannel needs a secret (webhook token)",
			gw_domain(gw));
		return GW_ERR_BAD_REQUEST;
	}
	return GW_OK;
}

static void kannel_stop(struct sms *sms)
{
	struct kannel *k = sms_driver_priv(sms);
	g_free(k->url);
	g_free(k->user);
	g_free(k->password);
	g_free(k->smsc);
}

static char *kannel_account_of(struct sms *sms, GHashTable *reg)
{
	return g_strdup("kannel");
}

/* ---- sending --------------------------------------------------------------- */

struct send_ctx {
	sms_send_cb cb;
	void *ud;
};

static void add(GString *q, const char *key, const char *value)
{
	g_string_append_c(q, q->len ? '&' : '?');
	g_string_append(q, key);
	g_string_append_c(q, '=');
	g_string_append_uri_escaped(q, value, NULL, FALSE);
}

static void send_done(struct sms *sms, const struct sms_http_result *h, void *ud)
{
	struct send_ctx *c = ud;
	struct sms_send_result r = { 0 };
	char *text = NULL;
	if (!sms_http_send_failed(h, &r, &text)) {
		kannel_map_reply(h->status, h->body, h->retry_after, &r, &text);
		if (r.outcome != SMS_SEND_OK)
			log_msg(LOG_WARN, "sms", "%s: Kannel answered %u to a send",
				gw_domain(sms_gw(sms)), h->status);
	}
	c->cb(sms, &r, c->ud);
	g_free(text);
	g_free(c);
}

static void kannel_send(struct sms *sms, const struct sms_send *req, sms_send_cb cb, void *ud)
{
	struct kannel *k = sms_driver_priv(sms);
	const struct sms_job *j = req->job;
	GString *q = g_string_new(NULL);
	add(q, "username", k->user);
	add(q, "password", k->password);
	if (j->from && *j->from)
		add(q, "from", j->from);
	add(q, "to", j->to);
	add(q, "text", j->body);
	add(q, "charset", "UTF-8");
	if (j->ucs2)
		add(q, "coding", "2");
	if (*k->smsc)
		add(q, "smsc", k->smsc);
	if (req->reports) {
		char *dlr = g_strdup_printf("%s/kannel/dlr?token=%s&job=%s&status=%%d",
					    sms_public_url(sms), sms_secret(sms), j->id);
		add(q, "dlr-mask", DLR_MASK);
		add(q, "dlr-url", dlr);
		g_free(dlr);
	}
	char *url = g_strconcat(k->url, q->str, NULL);
	struct send_ctx *c = g_new0(struct send_ctx, 1);
	c->cb = cb;
	c->ud = ud;
	struct sms_http_call call = { .method = "GET", .url = url };
	sms_http_request(sms, &call, send_done, c);
	g_free(url);
	g_string_free(q, TRUE);
}

/* ---- webhooks ----------------------------------------------------------------- */

/* The token is in the query: checked from the headers, before a body. */
static bool token_guard(struct sms *sms, const struct sms_http_req *req)
{
	if (secret_equal(sms_http_arg(req, "token"), sms_secret(sms)))
		return true;
	log_msg(LOG_WARN, "sms", "%s: webhook %s with a wrong or missing token refused",
		gw_domain(sms_gw(sms)), req->path);
	return false;
}

static bool token_ok(struct sms *sms, const struct sms_http_req *req,
		     struct sms_http_reply *out)
{
	if (token_guard(sms, req))
		return true;
	out->status = 403;
	out->body = "forbidden\n";
	return false;
}

/* The text of an incoming message as UTF-8 (new), or NULL. */
static char *mo_text(const struct sms_http_req *req)
{
	const char *charset = sms_http_arg(req, "charset");
	const char *text = req->body_len || !strcmp(req->method, "POST")
				   ? req->body : sms_http_arg(req, "text");
	size_t len = text == req->body ? req->body_len : (text ? strlen(text) : 0);
	if (!text)
		return NULL;
	if (!charset || !*charset || !g_ascii_strcasecmp(charset, "UTF-8"))
		return g_strndup(text, len);
	return g_convert(text, (gssize)len, "UTF-8", charset, NULL, NULL, NULL);
}

static void kannel_mo(struct sms *sms, const struct sms_http_req *req,
		      struct sms_http_reply *out)
{
	if (!token_ok(sms, req, out))
		return;
	const char *why = "from, to and id are required";
	char *text = mo_text(req);
	const char *from = sms_http_arg(req, "from"), *to = sms_http_arg(req, "to");
	const char *id = sms_http_arg(req, "id");
	enum gw_err err = GW_ERR_BAD_REQUEST;
	if (!text)
		why = "the text is missing or not in its charset";
	else if (from && to && id)
		err = sms_incoming(sms, from, to, text, id, &why);
	sms_incoming_reply(sms, err, why, out);
	g_free(text);
}

static void kannel_dlr(struct sms *sms, const struct sms_http_req *req,
		       struct sms_http_reply *out)
{
	if (!token_ok(sms, req, out))
		return;
	enum sms_report what;
	const char *detail, *job = sms_http_arg(req, "job");
	if (!job || !kannel_map_dlr(sms_http_arg(req, "status"), &what, &detail)) {
		log_msg(LOG_WARN, "sms", "%s: malformed delivery report refused",
			gw_domain(sms_gw(sms)));
		out->status = 400;
		out->body = "job and a Kannel status are required\n";
		return;
	}
	enum gw_err err = sms_report(sms, job, what, detail);
	if (err == GW_ERR_NOT_FOUND)
		log_msg(LOG_DEBUG, "sms", "%s: report for text %s, which is over",
			gw_domain(sms_gw(sms)), job);
	if (err == GW_OK || err == GW_ERR_NOT_FOUND) {
		out->status = 200;
	} else {
		out->status = 503; /* not stored: Kannel sends it again */
		out->body = "try again later\n";
	}
}

static const struct sms_route kannel_routes[] = {
	{ .path = "/kannel/mo", .method = NULL, .handle = kannel_mo, .guard = token_guard },
	{ .path = "/kannel/dlr", .method = NULL, .handle = kannel_dlr, .guard = token_guard },
};

static const struct gw_option kannel_options[] = { KANNEL_OPTIONS };

static const struct gw_field kannel_fields[] = {
	{ .var = "number", .label = "Phone number (+E.164)", .type = GW_FIELD_TEXT,
	  .required = true, .max_bytes = 64 },
	{ .var = "code", .label = "Code", .type = GW_FIELD_TEXT, .max_bytes = 16 },
};

const struct sms_driver sms_kannel_driver = {
	.name = "kannel",
	.per_user = false,
	.reports_per_part = false,
	.sends_media = false,
	.fields = kannel_fields,
	.n_fields = G_N_ELEMENTS(kannel_fields),
	.priv_size = sizeof(struct kannel),
	.options = kannel_options,
	.n_options = G_N_ELEMENTS(kannel_options),
	.start = kannel_start,
	.stop = kannel_stop,
	.register_check = sms_claim_check,
	.account_of = kannel_account_of,
	.send = kannel_send,
	.routes = kannel_routes,
	.n_routes = G_N_ELEMENTS(kannel_routes),
};
