/* twilio_hook.c - the twilio driver's webhooks. Both are POSTed forms
 * signed with X-Twilio-Signature (signature.h) over the URL as the
 * provider requested it and the POST parameters, with the auth token of
 * the user the request is for; a wrong or missing signature is 403 and
 * nothing else happens.
 *
 *   POST /twilio/sms      the number's incoming-message webhook: MessageSid,
 *     From, To, Body, NumMedia, MediaUrl0... Signed with the token of the
 *     user who registered To. The text (with each media URL on a line of
 *     its own) is stored, deduplicated by MessageSid, before the answer:
 *     200 with an empty TwiML <Response/>, so that the provider texts
 *     nothing back. Also 200 for a To no user has (dropped and logged: no
 *     retry could make the number known); 400 when malformed; 503 when the
 *     text cannot be stored.
 *   POST /twilio/status?job=J  the StatusCallback given with each text:
 *     MessageSid, MessageStatus, ErrorCode. Signed with the token of the
 *     user who sent text J. 200 once stored (also for a text that is
 *     over), 503 when it cannot be.
 */
#include "sms/driver.h"
#include "sms/http.h"
#include "sms/signature.h"
#include "sms/twilio.h"
#include "sms/twilio_api.h"
#include "sms/urlform.h"

#include <stdlib.h>
#include <string.h>

#define TWIML_EMPTY "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>"

/* The POST parameters (new), or NULL with a 400 in out. */
static GPtrArray *params_of(struct sms *sms, const struct sms_http_req *req,
			    struct sms_http_reply *out)
{
	GPtrArray *params = NULL;
	const char *why;
	if (urlform_parse(req->body, req->body_len, &params, &why) == GW_OK)
		return params;
	log_msg(LOG_WARN, "sms", "%s: webhook %s: malformed form refused: %s",
		gw_domain(sms_gw(sms)), req->path, why);
	out->status = 400;
	out->body = why;
	return NULL;
}

/* The answer to a request not signed by a registered user, the same for a
 * number nobody has and for a wrong signature: the webhook must not tell
 * strangers which numbers are registered. */
static void forbid(struct sms_http_reply *out)
{
	out->status = 403;
	out->body = "forbidden\n";
}

bool twilio_signature_present(struct sms *sms, const struct sms_http_req *req)
{
	const char *sig = req->header(req, "X-Twilio-Signature");
	if (sig && *sig)
		return true;
	log_msg(LOG_WARN, "sms", "%s: webhook %s with a wrong or missing signature refused",
		gw_domain(sms_gw(sms)), req->path);
	return false;
}

/* Whether the request is signed with jid's auth token; a 403 in out when
 * not. */
static bool signed_by(struct sms *sms, const struct sms_http_req *req, const GPtrArray *params,
		      const char *jid, struct sms_http_reply *out)
{
	GHashTable *reg = NULL;
	bool ok = false;
	if (gw_reg_get(sms_gw(sms), jid, &reg) == GW_OK) {
		const char *token = g_hash_table_lookup(reg, TWILIO_F_TOKEN);
		ok = token && *token &&
		     signature_twilio_verify(token, req->url, params,
					     req->header(req, "X-Twilio-Signature"));
		g_hash_table_unref(reg);
	}
	if (!ok) {
		log_msg(LOG_WARN, "sms", "%s: webhook %s with a wrong or missing signature refused",
			gw_domain(sms_gw(sms)), req->path);
		forbid(out);
	}
	return ok;
}

/* ---- incoming texts ------------------------------------------------------------- */

/* The body, and each media URL on a line of its own. Returns new. */
static char *text_of(const GPtrArray *params)
{
	const char *body = urlform_get(params, "Body");
	const char *n_media = urlform_get(params, "NumMedia");
	long n = n_media ? strtol(n_media, NULL, 10) : 0;
	GString *t = g_string_new(body ? body : "");
	for (long i = 0; i < MIN(n, (long)TWILIO_MEDIA_MAX); i++) {
		char key[32];
		g_snprintf(key, sizeof key, "MediaUrl%ld", i);
		const char *url = urlform_get(params, key);
		if (!url || !*url)
			continue;
		if (t->len)
			g_string_append_c(t, '\n');
		g_string_append(t, url);
	}
	return g_string_free(t, FALSE);
}

/* sms_incoming_reply, with an empty TwiML document for a 200: no text
 * back. */
static void reply_incoming(struct sms *sms, enum gw_err err, const char *why,
			   struct sms_http_reply *out)
{
	sms_incoming_reply(sms, err, why, out);
	if (out->status == 200) {
		out->content_type = "text/xml";
		out->body = TWIML_EMPTY;
	}
}

void twilio_on_sms(struct sms *sms, const struct sms_http_req *req, struct sms_http_reply *out)
{
	GPtrArray *params = params_of(sms, req, out);
	char *jid = NULL, *text = NULL;
	if (!params)
		return;
	const char *to = urlform_get(params, "To"), *from = urlform_get(params, "From");
	const char *sid = urlform_get(params, "MessageSid");
	const char *why = "MessageSid, From and To are required";
	enum gw_err err = GW_ERR_BAD_REQUEST;
	if (!to || !from || !sid) {
		reply_incoming(sms, err, why, out);
		goto out;
	}
	if (gw_reg_find(sms_gw(sms), "number", to, &jid) != GW_OK) {
		/* Nobody's token to check the signature with, and nothing to do;
		 * answered as a wrong signature is. */
		log_msg(LOG_WARN, "sms", "%s: text %s to %s: no user has that number; dropped",
			gw_domain(sms_gw(sms)), sid, to);
		forbid(out);
		goto out;
	}
	if (!signed_by(sms, req, params, jid, out))
		goto out;
	text = text_of(params);
	err = sms_incoming(sms, from, to, text, sid, &why);
	reply_incoming(sms, err, why, out);
out:
	g_free(text);
	g_free(jid);
	g_ptr_array_unref(params);
}

/* ---- status callbacks ----------------------------------------------------------- */

/* The readable detail of a failed delivery for sms_report(), which says
 * "not delivered" itself. Returns new, or NULL. */
static char *failure_detail(const char *error_code)
{
	char *full = twilio_delivery_error(error_code), *d = NULL;
	if (g_str_has_prefix(full, "not delivered: "))
		d = g_strdup(full + strlen("not delivered: "));
	else if (g_str_has_prefix(full, "not delivered (") && g_str_has_suffix(full, ")"))
		d = g_strndup(full + strlen("not delivered ("),
			      strlen(full) - strlen("not delivered (") - 1);
	g_free(full);
	return d;
}

/* GW_OK, or the store's error: the report could not be stored. */
static enum gw_err report(struct sms *sms, const char *job, const GPtrArray *params)
{
	const char *status = urlform_get(params, "MessageStatus");
	char *detail = NULL;
	enum sms_report what;
	switch (twilio_status_parse(status)) {
	case TWILIO_STATUS_PENDING:
		what = SMS_REPORT_PROGRESS;
		break;
	case TWILIO_STATUS_SENT:
		what = SMS_REPORT_SMSC; /* at the carrier: not yet a delivery */
		break;
	case TWILIO_STATUS_DELIVERED:
		what = SMS_REPORT_DELIVERED;
		break;
	case TWILIO_STATUS_FAILED:
		what = SMS_REPORT_FAILED;
		detail = failure_detail(urlform_get(params, "ErrorCode"));
		break;
	default:
		log_msg(LOG_DEBUG, "sms", "%s: text %s: status %s ignored", gw_domain(sms_gw(sms)),
			job, status ? status : "(none)");
		return GW_OK;
	}
	enum gw_err err = sms_report(sms, job, what, detail);
	g_free(detail);
	return err == GW_ERR_NOT_FOUND ? GW_OK : err;
}

void twilio_on_status(struct sms *sms, const struct sms_http_req *req,
		      struct sms_http_reply *out)
{
	const char *job = sms_http_arg(req, "job");
	GPtrArray *params = params_of(sms, req, out);
	char *jid = NULL, *pid = NULL;
	if (!params)
		return;
	const char *sid = urlform_get(params, "MessageSid");
	if (!job || !sid || !urlform_get(params, "MessageStatus")) {
		log_msg(LOG_WARN, "sms", "%s: malformed status callback refused",
			gw_domain(sms_gw(sms)));
		out->status = 400;
		out->body = "job, MessageSid and MessageStatus are required\n";
		goto out;
	}
	if (sms_job_owner(sms, job, &jid, &pid) != GW_OK) {
		log_msg(LOG_DEBUG, "sms", "%s: status for text %s, which is over",
			gw_domain(sms_gw(sms)), job);
		out->status = 200;
		goto out;
	}
	if (!signed_by(sms, req, params, jid, out))
		goto out;
	out->status = 200;
	if (pid && strcmp(pid, sid)) {
		log_msg(LOG_WARN, "sms", "%s: status of message %s for text %s, which is %s: ignored",
			gw_domain(sms_gw(sms)), sid, job, pid);
	} else if (report(sms, job, params) != GW_OK) {
		out->status = 503; /* not stored: a retry may be */
		out->body = "try again later\n";
	}
out:
	g_free(jid);
	g_free(pid);
	g_ptr_array_unref(params);
}
