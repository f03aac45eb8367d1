/* backend.c - the SMS backend: phone numbers as JIDs, texts through an SMS
 * provider over HTTP (driver.h), webhooks for incoming texts and delivery
 * reports (http.c), an outbox that never sends a text twice (outbox.c).
 *
 * Addressing (e164.h): "+15551234567@sms.example.org" is a phone number;
 * "12345;phone-context=sms.example.org@sms.example.org" a short code or
 * alphanumeric sender, which can text users but cannot be texted.
 */
#include "sms/claim.h"
#include "sms/e164.h"
#include "sms/gsm7.h"
#include "sms/http.h"
#include "sms/kannel.h"
#include "sms/sms.h"
#include "sms/twilio.h"

#include <string.h>

const struct sms_driver *const sms_drivers[] = {
	&sms_kannel_driver,
	&sms_twilio_driver,
	NULL,
};

static const struct sms_driver *driver_named(const char *name)
{
	for (const struct sms_driver *const *d = sms_drivers; *d; d++)
		if (!strcmp((*d)->name, name))
			return *d;
	return NULL;
}

static enum gw_err sms_start(struct gw *gw)
{
	struct sms *sms = gw_priv(gw);
	sms->gw = gw;
	char *provider = gw_conf_string(gw, "provider");
	sms->drv = driver_named(provider);
	if (!sms->drv) {
		log_msg(LOG_ERROR, "sms", "%s: provider %s is not one this build knows (kannel, twilio)",
			gw_domain(gw), provider);
		g_free(provider);
		return GW_ERR_BAD_REQUEST;
	}
	g_free(provider);
	sms->drv_priv = g_malloc0(sms->drv->priv_size ? sms->drv->priv_size : 1);
	gw_set_fields(gw, sms->drv->fields, sms->drv->n_fields);
	/* deprecated: the core's [http] listen and port */
	char *listen = gw_conf_string(gw, "http_listen");
	gw_http_listen_at(gw, listen, gw_conf_int(gw, "http_port"));
	g_free(listen);
	char *pub = gw_conf_string(gw, "public_url");
	if (!*pub) {
		g_free(pub);
		pub = gw_http_url(gw, "");
	}
	while (g_str_has_suffix(pub, "/"))
		pub[strlen(pub) - 1] = 0;
	sms->public_url = pub;
	sms->secret = gw_conf_string(gw, "webhook_token");
	sms->default_cc = gw_conf_string(gw, "default_country");
	sms->system_sender = gw_conf_string(gw, "system_sender");
	sms->max_segments = gw_conf_int(gw, "max_segments");
	sms->daily_quota = gw_conf_int(gw, "daily_quota");
	sms->codes_per_hour = gw_conf_int(gw, "codes_per_hour");
	sms->codes_per_user_per_hour = gw_conf_int(gw, "codes_per_user_per_hour");
	sms_claim_limits_start(sms);
	sms->send_rate = (double)gw_conf_int(gw, "send_rate");
	sms->max_body = gw_conf_int(gw, "max_body_bytes");
	sms_metrics_start(sms);
	enum gw_err err = GW_OK;
	if (*sms->default_cc && !e164_cc_valid(sms->default_cc)) {
		log_msg(LOG_ERROR, "sms", "%s: default_country %s is not a country calling code",
			gw_domain(gw), sms->default_cc);
		err = GW_ERR_BAD_REQUEST;
	}
	if (err == GW_OK && sms->drv->start)
		err = sms->drv->start(sms);
	if (err == GW_OK)
		err = sms_http_start(sms, gw_conf_int(gw, "http_timeout_s"));
	if (err == GW_OK)
		sms_outbox_start(sms);
	return err;
}

static void sms_stop(struct gw *gw)
{
	struct sms *sms = gw_priv(gw);
	sms_http_stop(sms);
	if (sms->ready)
		sms_outbox_stop(sms);
	if (sms->drv && sms->drv->stop)
		sms->drv->stop(sms);
	g_free(sms->drv_priv);
	sms->drv_priv = NULL;
	sms_claim_limits_stop(sms);
	g_free(sms->public_url);
	g_free(sms->secret);
	g_free(sms->default_cc);
	g_free(sms->system_sender);
}

static void sms_register_check(struct gw *gw, struct gw_request *req, const char *jid,
			       GHashTable *values, GHashTable *old)
{
	struct sms *sms = gw_priv(gw);
	sms->drv->register_check(sms, req, jid, values, old);
}

static enum gw_err sms_login(struct gw_session *s)
{
	return GW_OK;
}

static void sms_logout(struct gw_session *s)
{
}

/* ---- texts from the user -------------------------------------------------------- */

/* The text as it goes out: the body, and an attachment's URL on a line of
 * its own unless the body holds that URL already or the provider takes
 * the URL itself (job->media). Returns new. */
static char *text_with_media(struct sms *sms, const struct gw_message *msg)
{
	if (sms->drv->sends_media || !msg->oob_url || strstr(msg->body, msg->oob_url))
		return g_strdup(msg->body);
	return g_strconcat(msg->body, "\n", msg->oob_url, NULL);
}

static enum gw_err check_address(struct sms *sms, const char *to, const char **text)
{
	enum e164_kind kind;
	if (e164_check_legacy(to, gw_domain(sms->gw), &kind, text) != GW_OK)
		return GW_ERR_NOT_FOUND;
	if (kind != E164_KIND_NUMBER) {
		*text = "this sender can text you, but cannot be texted back";
		return GW_ERR_NOT_ALLOWED;
	}
	return GW_OK;
}

static enum gw_err sms_send_message(struct gw_session *s, const char *to,
				    const struct gw_message *msg, struct gw_reason *why)
{
	struct sms *sms = gw_priv(gw_session_gw(s));
	if (!to) {
		gw_notify(s, "This is the SMS gateway: write to +<country code><number> at this "
			     "domain to send a text.");
		return GW_OK;
	}
	const char *bad_address = NULL;
	enum gw_err err = check_address(sms, to, &bad_address);
	if (err != GW_OK) {
		gw_reason_set(why, "%s", bad_address);
		return err;
	}
	char *number = gw_session_get(s, "number");
	if (!number || !*number) {
		g_free(number);
		gw_reason_set(why, "register a phone number with the SMS gateway first");
		return GW_ERR_REGISTRATION_REQUIRED;
	}
	struct sms_job *j = sms_job_new();
	struct gsm7_measure m;
	j->body = text_with_media(sms, msg);
	gsm7_measure(j->body, &m);
	if ((int64_t)m.segments > sms->max_segments) {
		gw_reason_set(why,
			      "the text is too long: it takes %zu SMS parts, and at most %" G_GINT64_FORMAT
			      " are allowed (%s)", m.segments, sms->max_segments,
			      m.coding == GSM7_CODING_UCS2 ? "it needs UCS-2: 67 characters a part"
							   : "153 characters a part");
		g_free(number);
		sms_job_free(j);
		return GW_ERR_NOT_ACCEPTABLE;
	}
	GHashTable *reg = NULL;
	gw_reg_get(sms->gw, gw_session_jid(s), &reg);
	j->jid = g_strdup(gw_session_jid(s));
	j->sender = g_strdup(msg->sender);
	j->xmpp_id = g_strdup(msg->id);
	j->receipt = msg->receipt;
	j->account = sms->drv->account_of(sms, reg);
	j->from = number;
	j->to = g_strdup(to);
	j->media = g_strdup(msg->oob_url);
	j->ucs2 = m.coding == GSM7_CODING_UCS2;
	j->parts = (unsigned)m.segments;
	if (reg)
		g_hash_table_unref(reg);
	return sms_outbox_submit(sms, j, why);
}

/* ---- contacts and addresses -------------------------------------------------------- */

static enum gw_err sms_contact_add(struct gw_session *s, const char *legacy)
{
	const char *why;
	return e164_check_legacy(legacy, gw_domain(gw_session_gw(s)), NULL, &why);
}

static void sms_contact_remove(struct gw_session *s, const char *legacy)
{
}

static enum gw_err sms_translate(struct gw *gw, const char *typed, char **legacy)
{
	struct sms *sms = gw_priv(gw);
	const char *why;
	return e164_normalize(typed, sms->default_cc, legacy, &why) == GW_OK ? GW_OK
									       : GW_ERR_NOT_FOUND;
}

/* The backend's options and, from the macros in their headers, every
 * driver's (driver.h): the core validates this table only. */
static const struct gw_option sms_options[] = {
	{ .key = "provider", .type = GW_OPT_STRING, .deflt = "kannel",
	  .help = "the SMS provider's driver: kannel or twilio" },
	{ .key = "http_listen", .type = GW_OPT_STRING, .deflt = "",
	  .help = "deprecated: [http] listen (used when [http] sets neither listen nor port)" },
	{ .key = "http_port", .type = GW_OPT_INT, .deflt = "0", .min = 0, .max = 65535,
	  .help = "deprecated: [http] port (the same; 0: not set)" },
	{ .key = "public_url", .type = GW_OPT_STRING, .deflt = "",
	  .help = "the base URL the provider posts to (empty: [http] public_url)" },
	{ .key = "webhook_token", .type = GW_OPT_STRING, .deflt = "", .secret = true,
	  .help = "the token in the provider's webhook URLs (Kannel: token=)" },
	KANNEL_OPTIONS,
	TWILIO_OPTIONS,
	{ .key = "system_sender", .type = GW_OPT_STRING, .deflt = "",
	  .help = "the sender of the gateway's own texts (codes); empty: the provider's default" },
	{ .key = "default_country", .type = GW_OPT_STRING, .deflt = "",
	  .help = "country calling code for national numbers users type (e.g. 1, 44)" },
	{ .key = "max_segments", .type = GW_OPT_INT, .deflt = "6", .min = 1, .max = 255,
	  .help = "most SMS parts one text may take" },
	{ .key = "codes_per_hour", .type = GW_OPT_INT, .deflt = "100", .min = 1, .max = 1000000,
	  .help = "registration codes texted per hour at most, all users together" },
	{ .key = "codes_per_user_per_hour", .type = GW_OPT_INT, .deflt = "5", .min = 1,
	  .max = 1000, .help = "registration codes texted per hour at most for one user" },
	{ .key = "daily_quota", .type = GW_OPT_INT, .deflt = "200", .min = 0, .max = 1000000,
	  .help = "texts a user may send per UTC day (0: no limit)" },
	{ .key = "send_rate", .type = GW_OPT_INT, .deflt = "10", .min = 1, .max = 10000,
	  .help = "texts per second per provider account (token bucket)" },
	{ .key = "http_timeout_s", .type = GW_OPT_INT, .deflt = "30", .min = 1, .max = 600,
	  .help = "seconds a call to the provider may take" },
	{ .key = "max_body_bytes", .type = GW_OPT_INT, .deflt = "65536", .min = 1024,
	  .max = 1048576, .help = "largest webhook request body (413 beyond, before it is read)" },
};

static const struct gw_command sms_commands[] = {
	{ .node = "counts", .name = "Texts sent today per number", .admin = true,
	  .run = sms_quota_report },
	{ .node = "assign", .name = "Assign a number to a user", .admin = true,
	  .instructions = "The user gets the number without a texted code (gateway-wide "
			  "providers only).",
	  .fields = sms_assign_fields, .n_fields = 2, .run = sms_claim_assign },
};

const struct gw_backend sms_backend = {
	.name = "sms",
	.type = "sms",
	.description = "SMS gateway",
	.caps = GW_CAP_TRANSLATE | GW_CAP_CONTACTS,
	.priv_size = sizeof(struct sms),
	.session_size = 0,
	.fields = NULL, /* the driver's (gw_set_fields at start) */
	.n_fields = 0,
	.options = sms_options,
	.n_options = G_N_ELEMENTS(sms_options),
	.instructions = "Enter your phone number (+ and country code). If the form asks only for "
			"the number, a code is texted to it: register again with that code to "
			"confirm the number. If it asks for your provider account, its SID and "
			"token are checked with the provider.",
	.prompt = "Phone number",
	.contact_category = "client",
	.contact_type = "sms",
	.contact_features = (const char *const[]){ "urn:xmpp:receipts", NULL },
	.commands = sms_commands,
	.n_commands = G_N_ELEMENTS(sms_commands),
	.ops = {
		.start = sms_start,
		.stop = sms_stop,
		.register_check = sms_register_check,
		.login = sms_login,
		.logout = sms_logout,
		.send_message = sms_send_message,
		.contact_add = sms_contact_add,
		.contact_remove = sms_contact_remove,
		.translate = sms_translate,
	},
};
