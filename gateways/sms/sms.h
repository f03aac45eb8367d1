/* sms.h - the SMS backend's instance, shared by its files (not by
 * drivers: they see driver.h, http.h and the pure helpers).
 */
#ifndef XMPPGW_SMS_SMS_H
#define XMPPGW_SMS_SMS_H

#include "bucket.h"
#include "gateway.h"
#include "sms/driver.h"
#include "sms/job.h"

/* Row kinds in the store (gw_row_*). */
#define SMS_ROW_OUT "sms-out"       /* job id -> job (job.h) */
#define SMS_ROW_SEEN "sms-seen"     /* provider message id -> "" */
#define SMS_ROW_QUOTA "sms-quota"   /* "YYYY-MM-DD jid" -> count */
#define SMS_ROW_CODE "sms-code"     /* number -> a pending claim (claim.c) */

#define SMS_SEEN_KEEP_S (7 * 24 * 3600)  /* provider retries end well before */
#define SMS_QUOTA_KEEP_S (3 * 24 * 3600)
/* A text whose report never came is forgotten after this (queued and
 * sending ones end within minutes). */
#define SMS_OUT_KEEP_S (7 * 24 * 3600)

struct sms {
	struct gw *gw;
	const struct sms_driver *drv;
	/* settings */
	char *public_url;
	char *secret;
	char *default_cc;
	char *system_sender;
	int64_t max_segments;
	int64_t daily_quota;
	double send_rate;
	int64_t max_body;
	/* HTTP (http.c) */
	void *session;          /* SoupSession * */
	int64_t http_timeout_s; /* a provider call's total time at most */
	GHashTable *calls;      /* HTTP requests in flight (set) */
	/* the outbox (outbox.c) */
	struct rrq *ready;      /* struct sms_job * waiting for a token, by user:
				   users served in turns, each in order */
	GHashTable *buckets;    /* account -> struct bucket * */
	unsigned pump_timer;
	unsigned inflight;
	GHashTable *retrying;   /* struct retry * waiting on a timer (set) */
	unsigned expire_timer;
	/* the driver's own block (drv->priv_size bytes, sms_driver_priv()) */
	void *drv_priv;
	/* codes texted for claims (claim.c): all users, and per user */
	int64_t codes_per_hour, codes_per_user_per_hour;
	struct bucket codes_all;
	GHashTable *codes_by_user; /* jid -> struct bucket * */
	/* metrics (metrics.c) */
	struct gw_metric *m_sends, *m_latency, *m_incoming, *m_reports;
};

/* claim.c: the codes' buckets made and freed (sms_start, sms_stop). */
void sms_claim_limits_start(struct sms *sms);
void sms_claim_limits_stop(struct sms *sms);

/* metrics.c */
void sms_metrics_start(struct sms *sms);
/* The driver's send, timed and counted by outcome; as drv->send. */
void sms_provider_send(struct sms *sms, const struct sms_send *req, sms_send_cb cb, void *ud);
/* An incoming text: "ok", "duplicate", or an XMPP error condition. */
void sms_metrics_incoming(struct sms *sms, const char *outcome);
void sms_metrics_report(struct sms *sms, enum sms_report what);

/* outbox.c: jobs from stored to answered. */
void sms_outbox_start(struct sms *sms);
void sms_outbox_stop(struct sms *sms);
/* Stores a new job (with the quota count, in one transaction) and queues
 * it. Takes j. *why: a readable reason on error. */
enum gw_err sms_outbox_submit(struct sms *sms, struct sms_job *j, struct gw_reason *why);
/* Sends a text of the gateway's own (a claim code): not stored, never
 * retried. cb as for drivers. */
void sms_outbox_system(struct sms *sms, const char *to, const char *text, sms_send_cb cb,
		       void *ud);

/* quota.c */
#define SMS_REPORT_MAX_USERS 1000 /* lines of the admins' counts at most */
/* The admin command "counts": texts sent today (UTC) per number and user
 * (struct gw_command's run). */
enum gw_err sms_quota_report(struct gw *gw, const char *jid, GHashTable *values, char **report,
			     struct gw_reason *why);
/* Counts one more text of jid today, inside the caller's transaction:
 * GW_ERR_RESOURCE_CONSTRAINT with *why when the daily quota (if any) is
 * used up. */
enum gw_err sms_quota_take(struct sms *sms, const char *jid, struct gw_reason *why);

#endif
