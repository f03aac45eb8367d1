/* email.h - the e-mail backend's instance: each user's own mailbox, over
 * IMAP (imap.h) and SMTP submission (smtp.h), on the core's loop
 * (curl_loop.h): registration verified with both servers, and mail to the
 * user from an IMAP IDLE watch; mail from the user through the outbox
 * (send.h). */
#ifndef XMPPGW_EMAIL_EMAIL_H
#define XMPPGW_EMAIL_EMAIL_H

#include "email/curl_loop.h"
#include "email/imap.h"
#include "email/policy.h"
#include "email/probe.h"
#include "bucket.h"
#include "gateway.h"

struct email_outbox;

struct email {
	struct gw *gw;
	struct mail_curl *curl;
	struct email_policy *policy;
	const struct imap_transport *imap;
	struct mail_probe_opts probe;
	GQueue checks;             /* struct email_check * in flight */
	struct email_outbox *outbox; /* mail from XMPP (send.h) */
	GHashTable *watches;       /* bare JID -> struct email_watch * (accounts.c) */
	struct gw_metric *m_watches; /* up and down, at a scrape (accounts.c) */
	GQueue pending;            /* connects waiting for a token (pace.c) */
	struct bucket connects;    /* connects_per_second, across accounts */
	unsigned pace_timer;
	unsigned connects_per_second, backoff_min_s, backoff_max_s;
	unsigned idle_reissue_s, poll_interval_s;
	GHashTable *delivered;     /* bare JID -> mails delivered today (commands.c) */
	GQueue rechecks;           /* "Check my mailbox again" in flight (commands.c) */
	/* attachments (attach.c) */
	char *attach_dir;
	size_t attach_max;
	int64_t attach_retention_s;
	unsigned attach_timer;
	GPtrArray *attach_expired; /* tokens, during a sweep */
	char *serving, *serving_type, *serving_disp; /* the answer being made */
	int64_t seen_keep_s, sent_keep_s; /* seen.h, bounce.h */
	unsigned expire_timer;     /* those rows expired daily (backend.c) */
};

struct email_watch;

/* ---- accounts.c: a watch per registered account ---- */

/* Watches every registered mailbox (from start(): the options are read). */
void email_accounts_start(struct email *em);
/* Stops every watch. */
void email_accounts_stop(struct email *em);
/* ops.reg_changed: starts, restarts or stops jid's watch; removed: its
 * rows go too. */
void email_reg_changed(struct gw *gw, const char *jid, bool removed);
/* jid's watch, or NULL (none: the registration cannot be watched). */
struct email_watch *email_account_watch(struct email *em, const char *jid);

/* register_check of the backend (register.c). */
void email_register_check(struct gw *gw, struct gw_request *req, const char *jid,
			  GHashTable *values, GHashTable *old);
/* Answers every check still in flight (the gateway is stopping). */
void email_register_stop(struct email *em);

/* ---- pace.c: connects across all accounts ---- */

/* An empty queue and a full bucket of connects_per_second. */
void email_pace_init(struct email *em);
/* Drops what waits (none of it is called). */
void email_pace_stop(struct email *em);
/* Calls go(ud) in turn, at connects_per_second across all accounts,
 * possibly before this returns. */
void email_pace(struct email *em, void (*go)(void *ud), void *ud);
/* ud no longer wants its turn (it is stopping). */
void email_pace_cancel(struct email *em, void *ud);

#endif
