/* send.c - mail from XMPP: the outbox (send.h). */
#include "email/account.h"
#include "email/bounce.h"
#include "email/compose.h"
#include "email/send.h"
#include "email/sent.h"
#include "email/submit.h"
#include "email/thread.h"
#include "random.h"

#include <string.h>

#define GROUP "mail"
#define RETRY_FIRST_MS 1000u
#define RETRY_CAP_MS 60000u

struct email_outbox {
	struct email *em;
	GHashTable *jobs;     /* id -> struct job, while it is in flight or waits */
	GHashTable *sents;    /* struct mail_sent * running */
	unsigned resume_timer;
	int64_t retry_max_s;
	long send_timeout_s;
	char *default_subject;
};

enum jstate { J_QUEUED, J_SENDING };

struct job {
	struct email_outbox *ob;   /* NULL: the outbox is gone (see committed) */
	char *id, *jid, *sender, *xmpp_id, *legacy, *rcpt, *from, *raw, *msgid;
	enum jstate state;
	int64_t first;             /* Unix s of the first attempt */
	unsigned attempts;         /* attempts that provably did not send */
	bool committing;
	struct mail_submit *sub;
	unsigned timer;
};

static void begin(struct job *j);

static void job_free(struct job *j)
{
	if (!j)
		return;
	mail_submit_cancel(j->sub);
	if (j->timer)
		gw_timer_remove(j->timer);
	g_free(j->id);
	g_free(j->jid);
	g_free(j->sender);
	g_free(j->xmpp_id);
	g_free(j->legacy);
	g_free(j->rcpt);
	g_free(j->from);
	g_free(j->raw);
	g_free(j->msgid);
	g_free(j);
}

/* ---- rows ----------------------------------------------------------------------- */

static void put_str(GKeyFile *kf, const char *k, const char *v)
{
	if (v)
		g_key_file_set_string(kf, GROUP, k, v);
}

static char *encode(const struct job *j)
{
	GKeyFile *kf = g_key_file_new();
	put_str(kf, "state", j->state == J_SENDING ? "sending" : "queued");
	put_str(kf, "jid", j->jid);
	put_str(kf, "sender", j->sender);
	put_str(kf, "id", j->xmpp_id);
	put_str(kf, "legacy", j->legacy);
	put_str(kf, "rcpt", j->rcpt);
	put_str(kf, "from", j->from);
	put_str(kf, "msgid", j->msgid);
	put_str(kf, "raw", j->raw);
	g_key_file_set_int64(kf, GROUP, "first", j->first);
	char *v = g_key_file_to_data(kf, NULL, NULL);
	g_key_file_free(kf);
	return v;
}

static struct job *decode(const char *key, const char *value)
{
	GKeyFile *kf = g_key_file_new();
	struct job *j = NULL;
	if (g_key_file_load_from_data(kf, value, (gsize)-1, G_KEY_FILE_NONE, NULL)) {
		j = g_new0(struct job, 1);
		j->id = g_strdup(key);
		char *st = g_key_file_get_string(kf, GROUP, "state", NULL);
		j->state = !g_strcmp0(st, "sending") ? J_SENDING : J_QUEUED;
		g_free(st);
		j->jid = g_key_file_get_string(kf, GROUP, "jid", NULL);
		j->sender = g_key_file_get_string(kf, GROUP, "sender", NULL);
		j->xmpp_id = g_key_file_get_string(kf, GROUP, "id", NULL);
		j->legacy = g_key_file_get_string(kf, GROUP, "legacy", NULL);
		j->rcpt = g_key_file_get_string(kf, GROUP, "rcpt", NULL);
		j->from = g_key_file_get_string(kf, GROUP, "from", NULL);
		j->msgid = g_key_file_get_string(kf, GROUP, "msgid", NULL);
		j->raw = g_key_file_get_string(kf, GROUP, "raw", NULL);
		j->first = g_key_file_get_int64(kf, GROUP, "first", NULL);
		if (!j->jid || !j->legacy || !j->rcpt || !j->from || !j->raw) {
			job_free(j);
			j = NULL;
		}
	}
	g_key_file_free(kf);
	return j;
}

static enum gw_err store(struct job *j)
{
	char *v = encode(j);
	enum gw_err err = gw_row_put(j->ob->em->gw, EMAIL_ROW_OUT, j->id, v);
	g_free(v);
	if (err != GW_OK)
		log_msg(LOG_ERROR, "email", "%s: mail %s: cannot store it: %s",
			gw_domain(j->ob->em->gw), j->id, err_text(err));
	return err;
}

/* ---- the end of a mail ------------------------------------------------------------ */

struct finish {
	struct job *job;
	enum gw_err err;
	const char *text;
};

static enum gw_err finish_tx(struct gw *gw, void *ud)
{
	struct finish *f = ud;
	struct job *j = f->job;
	enum gw_err err = GW_OK;
	if (f->err != GW_OK)
		err = gw_deliver_error_to(gw, j->jid, j->legacy, j->sender, j->xmpp_id, f->err,
					  f->text);
	if (err == GW_ERR_JID_MALFORMED || err == GW_ERR_BAD_REQUEST ||
	    err == GW_ERR_REGISTRATION_REQUIRED)
		err = GW_OK; /* no one to tell: still over */
	return err == GW_OK ? gw_row_delete(gw, EMAIL_ROW_OUT, j->id) : err;
}

/* The mail is over: an error for the user (unless err is GW_OK) and the
 * row goes, in one transaction; j is freed. */
static void finish(struct job *j, enum gw_err err, const char *text)
{
	struct email_outbox *ob = j->ob;
	struct finish f = { .job = j, .err = err, .text = text };
	log_msg(LOG_INFO, "email", "%s: mail %s from %s %s%s%s", gw_domain(ob->em->gw), j->id,
		j->jid, err == GW_OK ? "sent" : "failed", text ? ": " : "", text ? text : "");
	enum gw_err e = gw_atomic(ob->em->gw, finish_tx, &f);
	if (e != GW_OK)
		log_msg(LOG_ERROR, "email", "%s: mail %s: cannot record its end: %s",
			gw_domain(ob->em->gw), j->id, err_text(e));
	g_hash_table_remove(ob->jobs, j->id);
}

/* ---- the Sent copy --------------------------------------------------------------- */

static void sent_done(struct mail_sent *m, void *ud)
{
	struct email_outbox *ob = ud;
	g_hash_table_remove(ob->sents, m);
}

static void copy_to_sent(struct job *j, GHashTable *reg)
{
	struct email_outbox *ob = j->ob;
	struct mail_server srv;
	if (g_strcmp0(g_hash_table_lookup(reg, "save_sent"), "1"))
		return;
	if (!email_account_server(ob->em, reg, "imap", &srv)) {
		log_msg(LOG_WARN, "email", "%s: %s: no copy in Sent: the IMAP server is not usable",
			gw_domain(ob->em->gw), j->jid);
		return;
	}
	struct mail_probe_opts o = ob->em->probe;
	o.timeout_s = ob->send_timeout_s;
	struct mail_sent *m = mail_sent_start(ob->em->curl, &srv, &o, g_strdup(j->raw),
					      sent_done, ob);
	g_hash_table_add(ob->sents, m);
}

/* ---- sending ------------------------------------------------------------------------- */

static void retry_fire(void *ud)
{
	struct job *j = ud;
	j->timer = 0;
	begin(j);
}

static void submitted(const struct mail_submit_result *r, void *ud)
{
	struct job *j = ud;
	struct email_outbox *ob = j->ob;
	j->sub = NULL;
	if (r->outcome == MAIL_SUBMIT_OK) {
		GHashTable *reg = NULL;
		if (gw_reg_get(ob->em->gw, j->jid, &reg) == GW_OK) {
			copy_to_sent(j, reg);
			g_hash_table_unref(reg);
		}
		finish(j, GW_OK, NULL);
		return;
	}
	if (r->outcome != MAIL_SUBMIT_LATER) {
		finish(j, r->err, r->text);
		return;
	}
	int64_t now = g_get_real_time() / G_USEC_PER_SEC, left = j->first + ob->retry_max_s - now;
	if (left <= 0) {
		char *text = g_strdup_printf("%s; the mail was not sent (gave up after %" G_GINT64_FORMAT
					     " s)", r->text, ob->retry_max_s);
		finish(j, r->err, text);
		g_free(text);
		return;
	}
	unsigned ms = MIN(RETRY_CAP_MS, RETRY_FIRST_MS << MIN(j->attempts, 6u));
	ms = (unsigned)MIN((int64_t)ms, left * 1000);
	j->attempts++;
	j->state = J_QUEUED;
	store(j);
	log_msg(LOG_WARN, "email", "%s: mail %s not sent (%s); again in %u ms",
		gw_domain(ob->em->gw), j->id, r->text, ms);
	j->timer = gw_timer_add(ms, retry_fire, j);
}

/* The submission server sees a mail only once it is stored as "sending":
 * then a restart can never send it twice. */
static void committed(enum gw_err result, void *ud)
{
	struct job *j = ud;
	j->committing = false;
	if (!j->ob) {
		job_free(j); /* the outbox stopped meanwhile */
		return;
	}
	struct email_outbox *ob = j->ob;
	if (result != GW_OK) {
		log_msg(LOG_WARN, "email", "%s: mail %s: not sent, its state could not be stored; "
			"again in %u ms", gw_domain(ob->em->gw), j->id, RETRY_FIRST_MS);
		j->state = J_QUEUED;
		j->timer = gw_timer_add(RETRY_FIRST_MS, retry_fire, j);
		return;
	}
	GHashTable *reg = NULL;
	struct mail_server srv;
	if (gw_reg_get(ob->em->gw, j->jid, &reg) != GW_OK) {
		finish(j, GW_ERR_REGISTRATION_REQUIRED,
		       "you are no longer registered with the e-mail gateway: the mail was not sent");
		return;
	}
	bool ok = email_account_server(ob->em, reg, "smtp", &srv);
	g_hash_table_unref(reg);
	if (!ok) {
		finish(j, GW_ERR_NOT_ALLOWED, "the registered SMTP server cannot be used (it is "
		       "not allowed, or a value is missing): the mail was not sent");
		return;
	}
	struct mail_probe_opts o = ob->em->probe;
	o.timeout_s = ob->send_timeout_s;
	j->sub = mail_submit_start(ob->em->curl, &srv, &o, j->from, j->rcpt, j->raw, submitted, j);
	mail_server_clear(&srv);
}

static void begin(struct job *j)
{
	j->state = J_SENDING;
	if (store(j) != GW_OK) {
		finish(j, GW_ERR_INTERNAL, "the mail could not be stored; it was not sent");
		return;
	}
	j->committing = true;
	gw_after_commit(j->ob->em->gw, committed, j);
}

/* ---- submitting --------------------------------------------------------------------- */

static enum gw_err add_tx(struct gw *gw, void *ud)
{
	struct job *j = ud;
	char *v = encode(j);
	enum gw_err err = gw_row_add(gw, EMAIL_ROW_OUT, j->id, v);
	g_free(v);
	if (err == GW_OK) /* for its bounce (DSN), if one comes */
		err = email_bounce_note(gw, j->msgid, j->jid, j->legacy, j->sender, j->xmpp_id);
	return err;
}

enum gw_err email_outbox_submit(struct email_outbox *ob, struct gw_session *s,
				const char *legacy, const char *addr,
				const struct gw_message *msg, struct gw_reason *why)
{
	struct gw *gw = ob->em->gw;
	const char *jid = gw_session_jid(s), *bad = NULL;
	GHashTable *reg = NULL;
	if (gw_reg_get(gw, jid, &reg) != GW_OK) {
		gw_reason_set(why, "you are not registered with the e-mail gateway");
		return GW_ERR_REGISTRATION_REQUIRED;
	}
	struct email_thread t = { 0 };
	if (msg->thread && *msg->thread)
		email_thread_get(gw, jid, msg->thread, &t);
	const char *from = g_hash_table_lookup(reg, "address");
	struct email_compose c = {
		.from = from, .to = addr, .jid = jid, .subject = msg->subject,
		.thread_subject = t.subject, .default_subject = ob->default_subject,
		.body = msg->body, .in_reply_to = t.last_id, .references = t.references,
		.domain = gw_domain(gw), .date = g_get_real_time() / G_USEC_PER_SEC,
	};
	/* the time the user wrote it (XEP-0203), never one in the future */
	if (msg->delay > 0 && msg->delay < c.date)
		c.date = msg->delay;
	struct job *j = g_new0(struct job, 1);
	enum gw_err err = email_compose(&c, &j->raw, &j->msgid, &bad);
	email_thread_clear(&t);
	if (err != GW_OK) {
		gw_reason_set(why, "%s", bad);
		g_hash_table_unref(reg);
		job_free(j);
		return err;
	}
	j->ob = ob;
	j->id = random_hex(16);
	j->jid = g_strdup(jid);
	j->sender = g_strdup(msg->sender);
	j->xmpp_id = g_strdup(msg->id);
	j->legacy = g_strdup(legacy);
	j->rcpt = g_strdup(addr);
	j->from = g_strdup(from);
	j->first = g_get_real_time() / G_USEC_PER_SEC;
	g_hash_table_unref(reg);
	err = gw_atomic(gw, add_tx, j);
	if (err != GW_OK) {
		gw_reason_set(why, "the mail could not be stored; it was not sent");
		job_free(j);
		return err;
	}
	log_msg(LOG_INFO, "email", "%s: mail %s from %s queued (Message-ID <%s>)", gw_domain(gw),
		j->id, jid, j->msgid);
	g_hash_table_insert(ob->jobs, j->id, j);
	begin(j);
	return GW_OK;
}

/* ---- start and stop --------------------------------------------------------------------- */

static bool collect(const char *key, const char *value, int64_t created, void *ud)
{
	struct job *j = decode(key, value);
	if (j)
		g_ptr_array_add(ud, j);
	else
		log_msg(LOG_ERROR, "email", "unreadable mail %s in the store: left as it is", key);
	return true;
}

/* What a restart found, once the core has made the link. */
static void resume(void *ud)
{
	struct email_outbox *ob = ud;
	ob->resume_timer = 0;
	gw_row_expire(ob->em->gw, EMAIL_ROW_THREAD, EMAIL_THREAD_KEEP_S);
	GPtrArray *jobs = g_ptr_array_new();
	gw_row_foreach(ob->em->gw, EMAIL_ROW_OUT, collect, jobs);
	unsigned resumed = 0, lost = 0;
	for (guint i = 0; i < jobs->len; i++) {
		struct job *j = g_ptr_array_index(jobs, i);
		j->ob = ob;
		g_hash_table_insert(ob->jobs, j->id, j);
		if (j->state == J_QUEUED) {
			begin(j);
			resumed++;
		} else {
			finish(j, GW_ERR_SERVICE_UNAVAILABLE,
			       "the gateway restarted while this mail was being handed to the SMTP "
			       "server: it may not have been sent");
			lost++;
		}
	}
	g_ptr_array_free(jobs, TRUE);
	if (resumed || lost)
		log_msg(LOG_INFO, "email", "%s: %u stored mails to send, %u that may not have gone "
			"out", gw_domain(ob->em->gw), resumed, lost);
}

struct email_outbox *email_outbox_new(struct email *em)
{
	struct email_outbox *ob = g_new0(struct email_outbox, 1);
	ob->em = em;
	ob->jobs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)job_free);
	ob->sents = g_hash_table_new(NULL, NULL);
	ob->retry_max_s = gw_conf_int(em->gw, "retry_max_s");
	ob->send_timeout_s = (long)gw_conf_int(em->gw, "send_timeout_s");
	ob->default_subject = gw_conf_string(em->gw, "default_subject");
	ob->resume_timer = gw_timer_add(0, resume, ob);
	return ob;
}

static gboolean detach(gpointer key, gpointer value, gpointer ud)
{
	struct job *j = value;
	if (!j->committing)
		return FALSE;
	j->ob = NULL; /* committed() frees it */
	return TRUE;
}

void email_outbox_free(struct email_outbox *ob)
{
	if (!ob)
		return;
	if (ob->resume_timer)
		gw_timer_remove(ob->resume_timer);
	g_hash_table_foreach_steal(ob->jobs, detach, NULL);
	g_hash_table_destroy(ob->jobs);
	GHashTableIter it;
	gpointer m;
	g_hash_table_iter_init(&it, ob->sents);
	while (g_hash_table_iter_next(&it, &m, NULL))
		mail_sent_cancel(m);
	g_hash_table_destroy(ob->sents);
	g_free(ob->default_subject);
	g_free(ob);
}
