/* outbox.c - outgoing texts from the store to the provider and back to
 * the user (job.h has the states).
 *
 * A job is stored "queued" with the user's quota count, then waits for a
 * token of its account's bucket (send_rate), is stored "sending" and only
 * then handed to the driver. Each answer and delivery report is applied to
 * the job as it is in the store (a report may overtake the answer to the
 * send). A send that provably never reached the provider goes back to
 * "queued" and is tried again with a growing delay, RETRY_MAX times. At
 * start-up, "queued" jobs are sent and "sending" ones are failed with an
 * error that says the text may not have gone out: they are never sent
 * twice.
 */
#include "sms/http.h"
#include "sms/gsm7.h"
#include "sms/limits.h"
#include "sms/sms.h"
#include "rrq.h"

#include <string.h>

#define INFLIGHT_MAX 8       /* sends waiting for the provider at once */
#define RETRY_MAX 8          /* retries of a send that never left */
#define RETRY_FIRST_MS 1000
#define RETRY_CAP_MS 60000
#define EXPIRE_EVERY_MS (3600 * 1000)

struct retry {
	struct sms *sms;
	struct sms_job *job;
	unsigned timer;
};

static void pump(struct sms *sms);
static struct bucket *bucket_of(struct sms *sms, const char *account);

/* ---- the end of a job ------------------------------------------------------- */

struct finish {
	struct sms_job *job;
	enum gw_err err;     /* GW_OK: delivered */
	const char *text;
};

static enum gw_err finish_tx(struct gw *gw, void *ud)
{
	struct finish *f = ud;
	struct sms_job *j = f->job;
	enum gw_err err = GW_OK;
	if (f->err == GW_OK) {
		if (j->receipt && j->sender && j->xmpp_id)
			err = gw_deliver_receipt(gw, j->sender, j->to, j->xmpp_id);
	} else {
		err = gw_deliver_error_to(gw, j->jid, j->to, j->sender, j->xmpp_id, f->err, f->text);
	}
	if (err == GW_ERR_JID_MALFORMED || err == GW_ERR_BAD_REQUEST)
		err = GW_OK; /* nothing to tell: still done */
	return err == GW_OK ? gw_row_delete(gw, SMS_ROW_OUT, j->id) : err;
}

/* The job is over: a receipt (if asked for) or an error, and the row goes,
 * in one transaction. Returns the store's error (logged). */
static enum gw_err finish(struct sms *sms, struct sms_job *j, enum gw_err err, const char *text)
{
	struct finish f = { .job = j, .err = err, .text = text };
	log_msg(LOG_INFO, "sms", "%s: text %s for %s %s%s%s", gw_domain(sms->gw), j->id, j->jid,
		err == GW_OK ? "delivered" : "failed", text ? ": " : "", text ? text : "");
	enum gw_err e = gw_atomic(sms->gw, finish_tx, &f);
	if (e != GW_OK)
		log_msg(LOG_ERROR, "sms", "%s: text %s: cannot record its end: %s",
			gw_domain(sms->gw), j->id, err_text(e));
	return e;
}

static enum gw_err store_job(struct sms *sms, const struct sms_job *j)
{
	char *v = sms_job_encode(j);
	enum gw_err err = gw_row_put(sms->gw, SMS_ROW_OUT, j->id, v);
	g_free(v);
	if (err != GW_OK)
		log_msg(LOG_ERROR, "sms", "%s: text %s: cannot store it: %s", gw_domain(sms->gw), j->id,
			err_text(err));
	return err;
}

/* The job as it is in the store, or NULL when it is over. */
static struct sms_job *load(struct sms *sms, const char *id)
{
	char *v = NULL;
	struct sms_job *j = NULL;
	if (gw_row_get(sms->gw, SMS_ROW_OUT, id, &v) == GW_OK &&
	    sms_job_decode(id, v, &j) != GW_OK)
		log_msg(LOG_ERROR, "sms", "%s: text %s: unreadable row", gw_domain(sms->gw), id);
	g_free(v);
	return j;
}

/* Moves the stored job on by ev; ends it in a final state. Returns the
 * store's error (logged): GW_OK when ev changes nothing. */
static enum gw_err apply(struct sms *sms, struct sms_job *j, enum sms_job_event ev,
			 enum gw_err err, const char *text)
{
	if (!sms_job_step(j, ev, sms->drv->reports_per_part))
		return GW_OK;
	if (j->state == SMS_JOB_DELIVERED)
		return finish(sms, j, GW_OK, NULL);
	if (j->state == SMS_JOB_FAILED)
		return finish(sms, j, err, text);
	return store_job(sms, j);
}

/* ---- retries ------------------------------------------------------------------ */

static void retry_fire(void *ud)
{
	struct retry *r = ud;
	struct sms *sms = r->sms;
	g_hash_table_remove(sms->retrying, r);
	rrq_push(sms->ready, r->job->jid, r->job);
	g_free(r);
	pump(sms);
}

static void retry_later(struct sms *sms, struct sms_job *j, unsigned ms)
{
	struct retry *r = g_new0(struct retry, 1);
	r->sms = sms;
	r->job = j;
	r->timer = gw_timer_add(ms, retry_fire, r);
	g_hash_table_add(sms->retrying, r);
}

/* ---- sending -------------------------------------------------------------------- */

static void sent(struct sms *sms, const struct sms_send_result *r, void *ud)
{
	struct sms_job *mem = ud;
	if (r->outcome == SMS_SEND_CANCELLED) {
		sms_job_free(mem);
		return;
	}
	sms->inflight--;
	struct sms_job *j = load(sms, mem->id);
	if (!j) {
		/* A report ended it before the answer came. */
		sms_job_free(mem);
		pump(sms);
		return;
	}
	switch (r->outcome) {
	case SMS_SEND_OK:
		if (r->provider_id && !j->provider_id)
			j->provider_id = g_strdup(r->provider_id);
		if (r->parts)
			j->parts = r->parts;
		sms_job_step(j, SMS_EV_ACCEPTED, false);
		store_job(sms, j);
		log_msg(LOG_INFO, "sms", "%s: text %s for %s taken by the provider (%u parts)",
			gw_domain(sms->gw), j->id, j->jid, j->parts);
		break;
	case SMS_SEND_REFUSED:
	case SMS_SEND_UNKNOWN:
		apply(sms, j, SMS_EV_REFUSED, r->err, r->text);
		break;
	case SMS_SEND_NOT_SENT:
	case SMS_SEND_LATER:
		if (mem->attempts >= RETRY_MAX) {
			apply(sms, j, SMS_EV_REFUSED, GW_ERR_REMOTE_TIMEOUT,
			      "the SMS provider could not be reached; the text was not sent");
			break;
		}
		apply(sms, j, SMS_EV_NOT_SENT, GW_OK, NULL);
		unsigned ms = r->outcome == SMS_SEND_LATER && r->retry_after_ms
				      ? r->retry_after_ms
				      : MIN((unsigned)RETRY_CAP_MS, (unsigned)RETRY_FIRST_MS << MIN(mem->attempts, 6u));
		log_msg(LOG_WARN, "sms", "%s: text %s not sent (%s); again in %u ms",
			gw_domain(sms->gw), j->id, r->text ? r->text : "provider not reached", ms);
		mem->state = SMS_JOB_QUEUED;
		mem->attempts++;
		if (r->outcome == SMS_SEND_LATER) {
			/* The whole account waits, and this text goes first when
			 * it may send again: the user's texts keep their order. */
			bucket_hold(bucket_of(sms, j->account), g_get_monotonic_time(),
					(int64_t)ms * 1000);
			rrq_push_head(sms->ready, mem->jid, mem);
		} else {
			retry_later(sms, mem, ms);
		}
		mem = NULL;
		break;
	case SMS_SEND_CANCELLED:
		break;
	}
	sms_job_free(j);
	sms_job_free(mem);
	pump(sms);
}

struct committed_send {
	struct sms *sms;
	struct sms_job *job;
};

/* The provider sees a text only once it is stored as "sending": then a
 * restart can never send it twice. */
static void send_committed(enum gw_err result, void *ud)
{
	struct committed_send *c = ud;
	struct sms *sms = c->sms;
	struct sms_job *j = c->job, *stored;
	g_free(c);
	if (result != GW_OK) {
		sms->inflight--;
		stored = load(sms, j->id); /* as it was before: queued, or nothing */
		if (!stored) {
			log_msg(LOG_ERROR, "sms", "%s: text %s: lost with its store commit, not sent",
				gw_domain(sms->gw), j->id);
			sms_job_free(j);
			return;
		}
		sms_job_free(stored);
		log_msg(LOG_WARN, "sms", "%s: text %s: not sent, its state could not be stored; "
			"again in %u ms", gw_domain(sms->gw), j->id, RETRY_FIRST_MS);
		j->state = SMS_JOB_QUEUED;
		retry_later(sms, j, RETRY_FIRST_MS);
		return;
	}
	GHashTable *creds = NULL;
	if (sms->drv->per_user && gw_reg_get(sms->gw, j->jid, &creds) != GW_OK) {
		sms->inflight--;
		apply(sms, j, SMS_EV_REFUSED, GW_ERR_REGISTRATION_REQUIRED,
		      "you are no longer registered with the SMS gateway");
		sms_job_free(j);
		pump(sms);
		return;
	}
	struct sms_send req = { .job = j, .creds = creds, .reports = true };
	sms_provider_send(sms, &req, sent, j);
	if (creds)
		g_hash_table_unref(creds);
}

static void start_send(struct sms *sms, struct sms_job *j)
{
	/* Stored as "sending" before the provider may see it. */
	if (!sms_job_step(j, SMS_EV_SEND, false) || store_job(sms, j) != GW_OK) {
		sms_job_free(j);
		return;
	}
	struct committed_send *c = g_new(struct committed_send, 1);
	c->sms = sms;
	c->job = j;
	sms->inflight++;
	gw_after_commit(sms->gw, send_committed, c);
}

static struct bucket *bucket_of(struct sms *sms, const char *account)
{
	const char *key = account ? account : "";
	struct bucket *b = g_hash_table_lookup(sms->buckets, key);
	if (!b) {
		b = g_new0(struct bucket, 1);
		bucket_init(b, sms->send_rate, MAX(1.0, sms->send_rate),
				g_get_monotonic_time());
		g_hash_table_insert(sms->buckets, g_strdup(key), b);
	}
	return b;
}

static void pump_fire(void *ud)
{
	struct sms *sms = ud;
	sms->pump_timer = 0;
	pump(sms);
}

struct pump_pass {
	struct sms *sms;
	GHashTable *dry;  /* accounts with no token now */
	int64_t wait_min; /* µs until the first of them has one */
};

static bool has_token(void *item, void *ud)
{
	struct sms_job *j = item;
	struct pump_pass *p = ud;
	const char *account = j->account ? j->account : "";
	if (g_hash_table_contains(p->dry, account))
		return false;
	int64_t wait = bucket_take(bucket_of(p->sms, j->account), g_get_monotonic_time());
	if (!wait)
		return true;
	p->wait_min = p->wait_min ? MIN(p->wait_min, wait) : wait;
	g_hash_table_add(p->dry, (gpointer)account);
	return false;
}

/* Sends what has a token: the users in turns (a user's hundred texts do
 * not hold up another's one on a shared account), each user's in order. */
static void pump(struct sms *sms)
{
	struct pump_pass p = { .sms = sms, .dry = g_hash_table_new(g_str_hash, g_str_equal) };
	struct sms_job *j;
	while (sms->inflight < INFLIGHT_MAX && (j = rrq_pop_if(sms->ready, has_token, &p)))
		start_send(sms, j);
	g_hash_table_destroy(p.dry);
	if (p.wait_min && !sms->pump_timer)
		sms->pump_timer = gw_timer_add((unsigned)(p.wait_min / 1000) + 1, pump_fire, sms);
}

/* ---- submitting ------------------------------------------------------------------- */

struct submit {
	struct sms *sms;
	struct sms_job *job;
	struct gw_reason *why;
};

static enum gw_err submit_tx(struct gw *gw, void *ud)
{
	struct submit *s = ud;
	enum gw_err err = sms_quota_take(s->sms, s->job->jid, s->why);
	if (err != GW_OK)
		return err;
	char *v = sms_job_encode(s->job);
	err = gw_row_add(gw, SMS_ROW_OUT, s->job->id, v);
	g_free(v);
	return err;
}

enum gw_err sms_outbox_submit(struct sms *sms, struct sms_job *j, struct gw_reason *why)
{
	struct submit s = { .sms = sms, .job = j, .why = why };
	j->id = sms_job_new_id();
	j->state = SMS_JOB_QUEUED;
	enum gw_err err = gw_atomic(sms->gw, submit_tx, &s);
	if (err != GW_OK) {
		if (!why->text)
			gw_reason_set(why, "the text could not be stored");
		sms_job_free(j);
		return err;
	}
	log_msg(LOG_INFO, "sms", "%s: text %s from %s queued", gw_domain(sms->gw), j->id, j->jid);
	rrq_push(sms->ready, j->jid, j);
	pump(sms);
	return GW_OK;
}

struct system_send {
	sms_send_cb cb;
	void *ud;
	struct sms_job *job;
};

static void system_sent(struct sms *sms, const struct sms_send_result *r, void *ud)
{
	struct system_send *s = ud;
	s->cb(sms, r, s->ud);
	sms_job_free(s->job);
	g_free(s);
}

void sms_outbox_system(struct sms *sms, const char *to, const char *text, sms_send_cb cb,
		       void *ud)
{
	struct system_send *s = g_new0(struct system_send, 1);
	struct gsm7_measure m;
	s->cb = cb;
	s->ud = ud;
	s->job = sms_job_new();
	s->job->id = sms_job_new_id();
	s->job->jid = g_strdup("");
	s->job->from = g_strdup(sms->system_sender);
	s->job->to = g_strdup(to);
	s->job->body = g_strdup(text);
	gsm7_measure(text, &m);
	s->job->ucs2 = m.coding == GSM7_CODING_UCS2;
	s->job->parts = (unsigned)m.segments;
	struct sms_send req = { .job = s->job };
	sms_provider_send(sms, &req, system_sent, s);
}

/* ---- reports ------------------------------------------------------------------------ */

enum gw_err sms_report(struct sms *sms, const char *job_id, enum sms_report what,
		       const char *detail)
{
	struct sms_job *j = load(sms, job_id);
	if (!j)
		return GW_ERR_NOT_FOUND;
	sms_metrics_report(sms, what);
	static const enum sms_job_event ev[] = {
		[SMS_REPORT_DELIVERED] = SMS_EV_DELIVERED, [SMS_REPORT_FAILED] = SMS_EV_FAILED,
		[SMS_REPORT_SMSC] = SMS_EV_SMSC, [SMS_REPORT_PROGRESS] = SMS_EV_PROGRESS,
	};
	char *text = g_strdup_printf("the text was not delivered%s%s", detail ? ": " : "",
				     detail ? detail : "");
	log_msg(LOG_DEBUG, "sms", "%s: text %s: report %d in state %s", gw_domain(sms->gw), j->id,
		(int)what, sms_job_state_name(j->state));
	enum gw_err err = apply(sms, j, ev[what], GW_ERR_SERVICE_UNAVAILABLE, text);
	g_free(text);
	sms_job_free(j);
	return err;
}

enum gw_err sms_job_owner(struct sms *sms, const char *job_id, char **jid, char **provider_id)
{
	struct sms_job *j = load(sms, job_id);
	*jid = NULL;
	*provider_id = NULL;
	if (!j)
		return GW_ERR_NOT_FOUND;
	*jid = g_strdup(j->jid);
	*provider_id = g_strdup(j->provider_id);
	sms_job_free(j);
	return GW_OK;
}

/* ---- start and stop ------------------------------------------------------------------- */

static bool collect(const char *key, const char *value, int64_t created, void *ud)
{
	struct sms_job *j = NULL;
	if (sms_job_decode(key, value, &j) == GW_OK)
		g_ptr_array_add(ud, j);
	else
		log_msg(LOG_ERROR, "sms", "unreadable text %s in the store: left as it is", key);
	return true;
}

static void expire(void *ud)
{
	struct sms *sms = ud;
	gw_row_expire(sms->gw, SMS_ROW_SEEN, SMS_SEEN_KEEP_S);
	gw_row_expire(sms->gw, SMS_ROW_QUOTA, SMS_QUOTA_KEEP_S);
	gw_row_expire(sms->gw, SMS_ROW_CODE, 24 * 3600);
	gw_row_expire(sms->gw, SMS_ROW_OUT, SMS_OUT_KEEP_S);
	sms->expire_timer = gw_timer_add(EXPIRE_EVERY_MS, expire, sms);
}

/* What a restart found, once the core has made the link (start() runs
 * before it: errors for the user cannot be queued until then). */
static void resume(void *ud)
{
	struct sms *sms = ud;
	sms->pump_timer = 0;
	GPtrArray *jobs = g_ptr_array_new();
	gw_row_foreach(sms->gw, SMS_ROW_OUT, collect, jobs);
	unsigned resumed = 0, lost = 0;
	for (guint i = 0; i < jobs->len; i++) {
		struct sms_job *j = g_ptr_array_index(jobs, i);
		if (j->state == SMS_JOB_QUEUED) {
			rrq_push(sms->ready, j->jid, j);
			resumed++;
			continue;
		}
		if (j->state == SMS_JOB_SENDING) {
			apply(sms, j, SMS_EV_RESTART, GW_ERR_SERVICE_UNAVAILABLE,
			      "the gateway restarted while this text was being handed to the SMS "
			      "provider: it may not have been sent");
			lost++;
		}
		sms_job_free(j);
	}
	g_ptr_array_free(jobs, TRUE);
	if (resumed || lost)
		log_msg(LOG_INFO, "sms", "%s: %u stored texts to send, %u that may not have gone out",
			gw_domain(sms->gw), resumed, lost);
	expire(sms);
	pump(sms);
}

void sms_outbox_start(struct sms *sms)
{
	sms->ready = rrq_new();
	sms->buckets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	sms->retrying = g_hash_table_new(g_direct_hash, g_direct_equal);
	sms->pump_timer = gw_timer_add(0, resume, sms);
}

void sms_outbox_stop(struct sms *sms)
{
	if (sms->pump_timer)
		gw_timer_remove(sms->pump_timer);
	if (sms->expire_timer)
		gw_timer_remove(sms->expire_timer);
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, sms->retrying);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		struct retry *r = k;
		gw_timer_remove(r->timer);
		sms_job_free(r->job);
		g_free(r);
	}
	g_hash_table_destroy(sms->retrying);
	for (struct sms_job *j; (j = rrq_pop(sms->ready));)
		sms_job_free(j);
	rrq_free(sms->ready);
	g_hash_table_destroy(sms->buckets);
}
