/* twilio_reg.c - registering with the twilio driver: the account SID, the
 * auth token and the user's number are checked with the provider before
 * the registration is stored.
 *
 *   1. the SID must look like one ("AC" and 32 hex digits): not-acceptable;
 *      the number must be +E.164 (stored normalised): not-acceptable;
 *      a number another JID registered: conflict;
 *   2. GET Accounts/{Sid}.json with Basic auth: 401 is not-authorized, and
 *      other refusals are mapped by twilio_error();
 *   3. GET Accounts/{Sid}/IncomingPhoneNumbers.json?PhoneNumber=... must
 *      list the number: forbidden otherwise;
 *   4. the conflict check again (another JID may have registered the number
 *      meanwhile), and the answer.
 * A provider that cannot be reached is remote-server-not-found, one that
 * does not answer in time remote-server-timeout.
 */
#include "sms/driver.h"
#include "sms/e164.h"
#include "sms/http.h"
#include "sms/twilio.h"
#include "sms/twilio_api.h"

#include <string.h>

struct verify {
	struct gw_request *req;
	char *jid;
	char *sid;
	char *token;
	char *number;
};

static void verify_free(struct verify *v)
{
	g_free(v->jid);
	g_free(v->sid);
	if (v->token)
		memset(v->token, 0, strlen(v->token));
	g_free(v->token);
	g_free(v->number);
	g_free(v);
}

/* GW_ERR_CONFLICT when another JID has number. */
static enum gw_err number_free(struct sms *sms, const char *jid, const char *number)
{
	char *owner = NULL;
	enum gw_err err = GW_OK;
	if (gw_reg_find(sms_gw(sms), "number", number, &owner) == GW_OK && strcmp(owner, jid))
		err = GW_ERR_CONFLICT;
	g_free(owner);
	return err;
}

/* Answers the registration and frees v. */
static void answer(struct sms *sms, struct verify *v, enum gw_err err, const char *text)
{
	if (err == GW_OK && number_free(sms, v->jid, v->number) != GW_OK) {
		err = GW_ERR_CONFLICT;
		text = "this number belongs to another user";
	}
	if (err == GW_OK)
		log_msg(LOG_INFO, "sms", "%s: %s verified %s on account %s", gw_domain(sms_gw(sms)),
			v->jid, v->number, v->sid);
	else
		log_msg(LOG_INFO, "sms", "%s: registration of %s refused: %s",
			gw_domain(sms_gw(sms)), v->jid, text ? text : err_text(err));
	gw_request_done(v->req, err, text);
	verify_free(v);
}

/* A call that got no answer; true when h is one. */
static bool no_answer(struct sms *sms, struct verify *v, const struct sms_http_result *h)
{
	if (!h->error)
		return false;
	char *text = NULL;
	if (h->cancelled) {
		answer(sms, v, GW_ERR_SERVICE_UNAVAILABLE, "the gateway is stopping");
	} else if (h->not_sent) {
		text = g_strdup_printf("the SMS provider could not be reached (%s)", h->error);
		answer(sms, v, GW_ERR_REMOTE_NOT_FOUND, text);
	} else {
		text = g_strdup_printf("the SMS provider did not answer (%s)", h->error);
		answer(sms, v, GW_ERR_REMOTE_TIMEOUT, text);
	}
	g_free(text);
	return true;
}

static void refused(struct sms *sms, struct verify *v, const struct sms_http_result *h)
{
	char *why = NULL;
	enum gw_err err = twilio_error(h->status, h->body, h->body_len, &why);
	answer(sms, v, err, why);
	g_free(why);
}

static void get(struct sms *sms, struct verify *v, char *path, sms_http_cb cb)
{
	char *url = twilio_url(sms, path);
	struct sms_http_call call = {
		.method = "GET", .url = url, .user = v->sid, .password = v->token,
	};
	sms_http_request(sms, &call, cb, v);
	g_free(url);
	g_free(path);
}

static void number_got(struct sms *sms, const struct sms_http_result *h, void *ud)
{
	struct verify *v = ud;
	if (no_answer(sms, v, h))
		return;
	if (h->status < 200 || h->status >= 300) {
		refused(sms, v, h);
	} else if (!twilio_number_listed(h->body, h->body_len, v->number)) {
		char *text = g_strdup_printf("%s is not one of this account's numbers at the "
					     "provider", v->number);
		answer(sms, v, GW_ERR_FORBIDDEN, text);
		g_free(text);
	} else {
		answer(sms, v, GW_OK, NULL);
	}
}

static void account_got(struct sms *sms, const struct sms_http_result *h, void *ud)
{
	struct verify *v = ud;
	if (no_answer(sms, v, h))
		return;
	if (h->status < 200 || h->status >= 300)
		refused(sms, v, h);
	else
		get(sms, v, twilio_number_path(v->sid, v->number), number_got);
}

void twilio_register_check(struct sms *sms, struct gw_request *req, const char *jid,
			   GHashTable *values, GHashTable *old)
{
	const char *sid = g_hash_table_lookup(values, TWILIO_F_ACCOUNT);
	const char *typed = g_hash_table_lookup(values, "number");
	const char *why = NULL;
	char *number = NULL;
	if (!twilio_sid_ok(sid)) {
		gw_request_done(req, GW_ERR_NOT_ACCEPTABLE,
				"the account SID is \"AC\" and 32 hexadecimal digits");
		return;
	}
	if (e164_normalize(typed ? typed : "", sms_default_cc(sms), &number, &why) != GW_OK) {
		gw_request_done(req, GW_ERR_NOT_ACCEPTABLE, why);
		return;
	}
	g_hash_table_replace(values, g_strdup("number"), g_strdup(number));
	if (number_free(sms, jid, number) != GW_OK) {
		gw_request_done(req, GW_ERR_CONFLICT, "this number belongs to another user");
		g_free(number);
		return;
	}
	struct verify *v = g_new0(struct verify, 1);
	v->req = req;
	v->jid = g_strdup(jid);
	v->sid = g_strdup(sid);
	v->token = g_strdup(g_hash_table_lookup(values, TWILIO_F_TOKEN));
	v->number = number;
	get(sms, v, twilio_account_path(sid), account_got);
}
