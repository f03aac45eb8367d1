/* kannel.h - the Kannel driver's table and options, and how it reads
 * Kannel's answers (pure functions, so they are tested on their own).
 *
 * Kannel's sendsms answers 202 "0: Accepted for delivery" (or "3: Queued
 * for later delivery"); 403 for bad credentials; 400 for a request it
 * refuses (a missing or bad number, "denied" by its white/black lists);
 * 503 when it cannot take more. Its delivery-report statuses (%d) are 1
 * delivered to the phone, 2 not delivered, 4 queued at the SMS centre, 8
 * accepted by the SMS centre (not a delivery), 16 rejected by the SMS
 * centre.
 */
#ifndef XMPPGW_SMS_KANNEL_H
#define XMPPGW_SMS_KANNEL_H

#include "sms/driver.h"

/* The driver (kannel.c). */
extern const struct sms_driver sms_kannel_driver;

/* The driver's options (struct gw_option rows), for its own table and for
 * the backend's (driver.h). */
#define KANNEL_OPTIONS \
	{ .key = "kannel_sendsms_url", .type = GW_OPT_STRING, \
	  .deflt = "http://127.0.0.1:13013/cgi-bin/sendsms", \
	  .help = "kannel: Kannel's sendsms URL" }, \
	{ .key = "kannel_username", .type = GW_OPT_STRING, .deflt = "", \
	  .help = "kannel: the sendsms-user's username" }, \
	{ .key = "kannel_password", .type = GW_OPT_STRING, .deflt = "", .secret = true, \
	  .help = "kannel: the sendsms-user's password" }, \
	{ .key = "kannel_smsc", .type = GW_OPT_STRING, .deflt = "", \
	  .help = "kannel: the smsc-id texts are routed to (empty: Kannel's routing)" }

/* What a sendsms answer means: r->outcome, r->err, and *text a readable
 * reason (new, or NULL). retry_after: the Retry-After header or NULL. */
void kannel_map_reply(unsigned status, const char *body, const char *retry_after,
		      struct sms_send_result *r, char **text);

/* What a report status means: false when it is not one of Kannel's. *detail
 * a static readable text for failures (or NULL). */
bool kannel_map_dlr(const char *status, enum sms_report *out, const char **detail);

#endif
