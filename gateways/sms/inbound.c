/* inbound.c - texts from phones to users (driver.h, sms_incoming).
 *
 * The receiving number picks the user (the "number" field of the
 * registrations). The delivery is durable and is committed in one
 * transaction with a "seen" row for the provider's message id, so that a
 * provider posting the same text again (Kannel retries until it gets 200
 * or 202) delivers it once, and a crash between the two cannot lose it or
 * deliver it twice.
 */
#include "sms/e164.h"
#include "sms/sms.h"

#include <string.h>

#define PID_MAX 256

struct mo {
	const char *jid;
	const char *legacy;
	const char *text;
	const char *pid;
};

static enum gw_err mo_tx(struct gw *gw, void *ud)
{
	struct mo *m = ud;
	enum gw_err err = gw_row_add(gw, SMS_ROW_SEEN, m->pid, "");
	if (err != GW_OK)
		return err;
	struct gw_message msg = { .type = GW_MSG_CHAT, .body = m->text, .durable = true };
	return gw_deliver_message_to(gw, m->jid, m->legacy, &msg);
}

void sms_incoming_reply(struct sms *sms, enum gw_err err, const char *why,
			struct sms_http_reply *out)
{
	switch (err) {
	case GW_OK:
	case GW_ERR_NOT_FOUND:
		out->status = 200;
		break;
	case GW_ERR_BAD_REQUEST:
		log_msg(LOG_WARN, "sms", "%s: malformed incoming text refused: %s",
			gw_domain(sms->gw), why);
		out->status = 400;
		out->body = why;
		break;
	default:
		out->status = 503;
		out->body = "try again later\n";
		break;
	}
}

enum gw_err sms_incoming(struct sms *sms, const char *sender, const char *receiver,
			 const char *text, const char *pid, const char **why)
{
	struct gw *gw = sms->gw;
	char *legacy = NULL, *number = NULL, *jid = NULL;
	bool dup = false;
	enum gw_err err;
	if (!pid || !*pid || strlen(pid) > PID_MAX) {
		*why = "no usable message id";
		err = GW_ERR_BAD_REQUEST;
		goto out;
	}
	err = e164_from_sender(sender ? sender : "", sms->default_cc, gw_domain(gw), &legacy, why);
	if (err != GW_OK) {
		err = GW_ERR_BAD_REQUEST;
		goto out;
	}
	err = e164_from_sender(receiver ? receiver : "", sms->default_cc, gw_domain(gw), &number,
			       why);
	if (err != GW_OK || number[0] != '+') {
		*why = "the receiving number is not a phone number";
		err = GW_ERR_BAD_REQUEST;
		goto out;
	}
	err = gw_reg_find(gw, "number", number, &jid);
	if (err != GW_OK) {
		log_msg(LOG_WARN, "sms", "%s: text %s to %s: no user has that number; dropped",
			gw_domain(gw), pid, number);
		*why = "no user has the receiving number";
		goto out;
	}
	struct mo m = { .jid = jid, .legacy = legacy, .text = text ? text : "", .pid = pid };
	err = gw_atomic(gw, mo_tx, &m);
	if (err == GW_ERR_CONFLICT) {
		log_msg(LOG_INFO, "sms", "%s: text %s again: delivered before, dropped", gw_domain(gw),
			pid);
		dup = true;
		err = GW_OK;
	} else if (err == GW_OK) {
		log_msg(LOG_INFO, "sms", "%s: text %s for %s stored", gw_domain(gw), pid, jid);
		log_msg(LOG_DEBUG, "sms", "%s: text %s: %s", gw_domain(gw), pid, m.text);
	} else {
		*why = "the text could not be stored; try again";
	}
out:
	sms_metrics_incoming(sms, dup ? "duplicate" : err == GW_OK ? "ok" : err_condition(err));
	g_free(legacy);
	g_free(number);
	g_free(jid);
	return err;
}
