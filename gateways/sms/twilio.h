/* twilio.h - the twilio driver's files (twilio.c: the driver and
 * sending; twilio_reg.c: registration; twilio_hook.c: webhooks). The rest
 * of the backend uses only the driver table and TWILIO_OPTIONS.
 */
#ifndef XMPPGW_SMS_TWILIO_H
#define XMPPGW_SMS_TWILIO_H

#include "sms/driver.h"

/* The driver (twilio.c). */
extern const struct sms_driver sms_twilio_driver;

/* The driver's options (struct gw_option rows), for its own table and for
 * the backend's (driver.h). */
#define TWILIO_OPTIONS \
	{ .key = "twilio_api_url", .type = GW_OPT_STRING, .deflt = "https://api.twilio.com", \
	  .help = "twilio: the base URL of the provider's REST API" }

/* The webhook routes, under public_url. */
#define TWILIO_SMS_PATH "/twilio/sms"       /* the number's incoming-message URL */
#define TWILIO_STATUS_PATH "/twilio/status" /* each text's StatusCallback */

/* Registration fields (driver.h's creds). */
#define TWILIO_F_ACCOUNT "account"
#define TWILIO_F_TOKEN "token"

/* The driver's private block (sms_driver_priv). */
struct twilio {
	char *api; /* the API base URL (twilio_api_url), no trailing slash */
};

/* A full URL at the provider's API for path (new). Inline, so that the
 * driver's files need not call each other both ways. */
static inline char *twilio_url(struct sms *sms, const char *path)
{
	const struct twilio *t = sms_driver_priv(sms);
	return g_strconcat(t->api, path, NULL);
}

/* twilio_reg.c: verifies the account, the token and the number with the
 * provider (gw_ops.register_check). */
void twilio_register_check(struct sms *sms, struct gw_request *req, const char *jid,
			   GHashTable *values, GHashTable *old);

/* twilio_hook.c: the routes. */
void twilio_on_sms(struct sms *sms, const struct sms_http_req *req, struct sms_http_reply *out);
/* From the headers: a request with no signature is refused before its
 * body (the signature itself covers the body, checked by the handlers). */
bool twilio_signature_present(struct sms *sms, const struct sms_http_req *req);
void twilio_on_status(struct sms *sms, const struct sms_http_req *req,
		      struct sms_http_reply *out);

#endif
