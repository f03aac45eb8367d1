/* backend.c - the e-mail backend: each user registers their own mailbox
 * (IMAP and SMTP submission, verified by logging in to both before the
 * registration is stored: register.c). Addresses are contacts
 * ("john.doe\40example.com@email.example.org", address.h).
 *
 * Every registered account's folder is watched with IMAP IDLE (watch.c,
 * accounts.c), whether its user is online or not, and new mail is
 * delivered as durable messages to the user's bare JID (fetch.c): the
 * XMPP server keeps it for an offline user. The gateway JID shows the
 * watch's state: online while it is up, xa with the reason while not. A
 * message to a contact is sent as a mail through the outbox (send.c).
 */
#include "email/address.h"
#include "email/attach.h"
#include "email/bounce.h"
#include "email/commands.h"
#include "email/email.h"
#include "email/fetch.h"
#include "email/mime.h"
#include "email/seen.h"
#include "email/send.h"
#include "email/watch.h"

#include <string.h>

#define EXPIRE_EVERY_MS (24u * 3600 * 1000)

/* The rows of mails delivered (seen.h) and sent (bounce.h) past their
 * days: now, and once a day. */
static void expire_rows(void *ud)
{
	struct email *em = ud;
	if (gw_row_expire(em->gw, EMAIL_ROW_SEEN, em->seen_keep_s) != GW_OK ||
	    gw_row_expire(em->gw, EMAIL_ROW_SENT, em->sent_keep_s) != GW_OK)
		log_msg(LOG_WARN, "email", "%s: old rows cannot be expired", gw_domain(em->gw));
	em->expire_timer = gw_timer_add(EXPIRE_EVERY_MS, expire_rows, em);
}

static enum gw_err email_start(struct gw *gw)
{
	struct email *em = gw_priv(gw);
	const char *why = NULL;
	em->gw = gw;
	char *allowed = gw_conf_string(gw, "allowed_hosts");
	em->policy = email_policy_new(allowed, &why);
	g_free(allowed);
	if (!em->policy) {
		log_msg(LOG_ERROR, "email", "%s: allowed_hosts: %s", gw_domain(gw), why);
		return GW_ERR_BAD_REQUEST;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_msg(LOG_ERROR, "email", "%s: libcurl does not start", gw_domain(gw));
		return GW_ERR_INTERNAL;
	}
	email_mime_init();
	em->imap = &imap_curl_transport;
	em->curl = mail_curl_new();
	em->probe.tls_verify = gw_conf_bool(gw, "tls_verify");
	em->probe.connect_timeout_s = (long)gw_conf_int(gw, "connect_timeout_s");
	em->probe.timeout_s = (long)gw_conf_int(gw, "verify_timeout_s");
	g_queue_init(&em->checks);
	em->outbox = email_outbox_new(em);
	em->connects_per_second = (unsigned)gw_conf_int(gw, "connects_per_second");
	em->backoff_min_s = (unsigned)gw_conf_int(gw, "reconnect_min_s");
	em->backoff_max_s = (unsigned)gw_conf_int(gw, "reconnect_max_s");
	em->idle_reissue_s = (unsigned)gw_conf_int(gw, "idle_reissue_s");
	em->poll_interval_s = (unsigned)gw_conf_int(gw, "poll_interval_s");
	if (!em->probe.tls_verify)
		log_msg(LOG_WARN, "email", "%s: tls_verify is off: mail servers' certificates "
			"are not checked", gw_domain(gw));
	enum gw_err err = email_attach_start(em);
	if (err != GW_OK)
		return err;
	em->seen_keep_s = gw_conf_int(gw, "seen_keep_days") * 86400;
	em->sent_keep_s = gw_conf_int(gw, "sent_keep_days") * 86400;
	expire_rows(em);
	email_commands_init(em);
	email_accounts_start(em);
	return GW_OK;
}

static void email_stop(struct gw *gw)
{
	struct email *em = gw_priv(gw);
	if (em->expire_timer)
		gw_timer_remove(em->expire_timer);
	em->expire_timer = 0;
	if (em->curl) {
		email_outbox_free(em->outbox);
		em->outbox = NULL;
		email_accounts_stop(em);
		email_register_stop(em);
		email_commands_stop(em);
		mail_curl_free(em->curl);
		em->curl = NULL;
		curl_global_cleanup();
	}
	email_attach_stop(em);
	email_policy_free(em->policy);
	em->policy = NULL;
}

struct email_session {
	unsigned show_timer;
};

/* After the core's own presence at login: the watch's state, if down. */
static void show_watch(void *ud)
{
	struct gw_session *s = ud;
	struct email_session *es = gw_session_priv(s);
	es->show_timer = 0;
	struct email_watch *w = email_account_watch(gw_priv(gw_session_gw(s)), gw_session_jid(s));
	const char *status = "no IMAP watch: the registration names a server that is not "
			     "allowed, or lacks a value";
	if (!w || !email_watch_up(w, &status))
		gw_deliver_presence(s, NULL, GW_SHOW_XA, status);
}

static enum gw_err email_login(struct gw_session *s)
{
	struct email_session *es = gw_session_priv(s);
	es->show_timer = gw_timer_add(0, show_watch, s);
	return GW_OK;
}

static void email_logout(struct gw_session *s)
{
	struct email_session *es = gw_session_priv(s);
	if (es->show_timer)
		gw_timer_remove(es->show_timer);
	es->show_timer = 0;
}

static enum gw_err email_send_message(struct gw_session *s, const char *to,
				      const struct gw_message *msg, struct gw_reason *why)
{
	if (!to) {
		gw_notify(s, "This is the e-mail gateway. New mail in your mailbox comes to you "
			     "here; a message to a contact is sent as a mail.");
		return GW_OK;
	}
	char *addr = NULL;
	const char *bad = NULL;
	if (email_addr_from_legacy(to, &addr, &bad) != GW_OK) {
		gw_reason_set(why, "%s", bad);
		return GW_ERR_NOT_FOUND;
	}
	struct email *em = gw_priv(gw_session_gw(s));
	enum gw_err err = email_outbox_submit(em->outbox, s, to, addr, msg, why);
	g_free(addr);
	return err;
}

static enum gw_err email_contact_add(struct gw_session *s, const char *legacy)
{
	char *addr = NULL;
	const char *why = NULL;
	enum gw_err err = email_addr_from_legacy(legacy, &addr, &why);
	g_free(addr);
	return err;
}

static void email_contact_remove(struct gw_session *s, const char *legacy)
{
}

static enum gw_err email_translate(struct gw *gw, const char *typed, char **legacy)
{
	const char *why = NULL;
	return email_addr_from_typed(typed, legacy, &why);
}

static const struct gw_field email_fields[] = {
	{ .var = "address", .label = "Your e-mail address", .type = GW_FIELD_TEXT,
	  .required = true, .max_bytes = EMAIL_INPUT_MAX },
	{ .var = "imap_host", .label = "IMAP server", .type = GW_FIELD_TEXT, .required = true,
	  .max_bytes = 300 },
	{ .var = "imap_port", .label = "IMAP port", .type = GW_FIELD_TEXT, .deflt = "993",
	  .max_bytes = 5 },
	{ .var = "imap_security", .label = "IMAP security: tls, starttls or none",
	  .type = GW_FIELD_TEXT, .deflt = "tls", .max_bytes = 8 },
	{ .var = "smtp_host", .label = "SMTP submission server (empty: the IMAP server)",
	  .type = GW_FIELD_TEXT, .max_bytes = 300 },
	{ .var = "smtp_port", .label = "SMTP port", .type = GW_FIELD_TEXT, .deflt = "587",
	  .max_bytes = 5 },
	{ .var = "smtp_security", .label = "SMTP security: tls, starttls or none",
	  .type = GW_FIELD_TEXT, .deflt = "starttls", .max_bytes = 8 },
	{ .var = "username", .label = "Username (empty: your address)", .type = GW_FIELD_TEXT,
	  .max_bytes = 320 },
	{ .var = "password", .label = "Password", .type = GW_FIELD_PRIVATE, .required = true,
	  .max_bytes = 1024 },
	{ .var = "folder", .label = "Folder to watch", .type = GW_FIELD_TEXT, .deflt = "INBOX",
	  .max_bytes = 200 },
	{ .var = "mark_seen", .label = "Mark delivered mail as read", .type = GW_FIELD_BOOLEAN,
	  .deflt = "0" },
	{ .var = "save_sent", .label = "Keep a copy of sent mail in Sent",
	  .type = GW_FIELD_BOOLEAN, .deflt = "1" },
};

static const struct gw_option email_options[] = {
	{ .key = "allowed_hosts", .type = GW_OPT_STRING, .deflt = "",
	  .help = "mail servers users may name: host names and IP addresses (comma list), or *; "
		  "empty: any host at a public address",
	  .check = email_policy_check },
	{ .key = "tls_verify", .type = GW_OPT_BOOL, .deflt = "true",
	  .help = "verify the mail servers' certificates and names" },
	{ .key = "connect_timeout_s", .type = GW_OPT_INT, .deflt = "10", .min = 1, .max = 300,
	  .help = "seconds a connection to a mail server may take (TCP and TLS)" },
	{ .key = "verify_timeout_s", .type = GW_OPT_INT, .deflt = "30", .min = 1, .max = 600,
	  .help = "seconds the login check of one mail server at registration may take" },
	{ .key = "send_timeout_s", .type = GW_OPT_INT, .deflt = "60", .min = 1, .max = 3600,
	  .help = "seconds the submission of one mail to the SMTP server may take" },
	{ .key = "retry_max_s", .type = GW_OPT_INT, .deflt = "600", .min = 0, .max = 7 * 86400,
	  .help = "seconds a mail that the SMTP server could not take for now (4xx, no "
		  "connection) is tried again, with a growing delay, before the user gets an error" },
	{ .key = "default_subject", .type = GW_OPT_STRING, .deflt = "",
	  .help = "the Subject of a mail from a message with no subject outside a thread; "
		  "empty: no Subject" },
	{ .key = "connects_per_second", .type = GW_OPT_INT, .deflt = "10", .min = 1, .max = 1000,
	  .help = "IMAP watch connects per second, across all accounts (start-up, reconnects)" },
	{ .key = "reconnect_min_s", .type = GW_OPT_INT, .deflt = "5", .min = 1, .max = 3600,
	  .help = "seconds before a failed IMAP watch tries again the first time (jittered, "
		  "doubling)" },
	{ .key = "reconnect_max_s", .type = GW_OPT_INT, .deflt = "300", .min = 1, .max = 86400,
	  .help = "the longest wait between two tries of a failed IMAP watch" },
	{ .key = "idle_reissue_s", .type = GW_OPT_INT, .deflt = "1740", .min = 1, .max = 1740,
	  .help = "seconds after which the IMAP watch ends its IDLE and starts it again "
		  "(RFC 2177: at most 29 minutes)" },
	{ .key = "attachment_dir", .type = GW_OPT_STRING, .deflt = "",
	  .help = "the folder attachments are kept in (mode 0700; empty: email-attachments "
		  "next to the store file)" },
	{ .key = "attachment_max_bytes", .type = GW_OPT_INT, .deflt = "10485760", .min = 0,
	  .max = 1073741824,
	  .help = "largest attachment kept and served; a larger one is named in the body, "
		  "not kept" },
	{ .key = "attachment_retention_days", .type = GW_OPT_INT, .deflt = "30", .min = 1,
	  .max = 3650, .help = "days an attachment is served, then deleted" },
	{ .key = "attachment_retention_s", .type = GW_OPT_INT, .deflt = "0", .min = 0,
	  .max = 315360000,
	  .help = "the retention in seconds instead, when not 0 (for tests)" },
	{ .key = "max_body_bytes", .type = GW_OPT_INT, .deflt = "65536", .min = 256,
	  .max = 1024 * 1024,
	  .help = "bytes of a mail's text delivered; a longer one is cut, with a note saying "
		  "how much" },
	{ .key = "fetch_max_bytes", .type = GW_OPT_INT, .deflt = "33554432", .min = 1024,
	  .max = FETCH_MAIL_MAX,
	  .help = "bytes of the largest mail fetched (with its attachments); the user gets a "
		  "note instead of a bigger one" },
	{ .key = "sent_keep_days", .type = GW_OPT_INT, .deflt = "30", .min = 1, .max = 3650,
	  .help = "days the gateway remembers a mail it sent (its Message-ID, sender and "
		  "stanza id), so that a bounce (DSN) comes back as an error to that message" },
	{ .key = "seen_keep_days", .type = GW_OPT_INT, .deflt = "30", .min = 1, .max = 3650,
	  .help = "days the gateway remembers a mail it delivered (its Message-ID), so that a "
		  "folder read again after its UIDVALIDITY changed delivers none twice" },
	{ .key = "poll_interval_s", .type = GW_OPT_INT, .deflt = "60", .min = 1, .max = 86400,
	  .help = "seconds between two checks for new mail on an IMAP server without IDLE" },
};

const struct gw_backend email_backend = {
	.name = "email",
	.type = "smtp",
	.description = "E-mail gateway",
	.caps = GW_CAP_TRANSLATE | GW_CAP_CONTACTS | GW_CAP_ACCOUNTS,
	.priv_size = sizeof(struct email),
	.session_size = sizeof(struct email_session),
	.fields = email_fields,
	.n_fields = G_N_ELEMENTS(email_fields),
	.options = email_options,
	.n_options = G_N_ELEMENTS(email_options),
	.instructions = "Enter your e-mail address, your mail servers and your password. The "
			"gateway logs in to both servers before it accepts the registration.",
	.prompt = "E-mail address",
	.contact_category = "client",
	.contact_type = "pc",
	.commands = email_commands,
	.n_commands = EMAIL_N_COMMANDS,
	.ops = {
		.start = email_start,
		.stop = email_stop,
		.register_check = email_register_check,
		.login = email_login,
		.logout = email_logout,
		.send_message = email_send_message,
		.contact_add = email_contact_add,
		.contact_remove = email_contact_remove,
		.translate = email_translate,
		.reg_changed = email_reg_changed,
	},
};
