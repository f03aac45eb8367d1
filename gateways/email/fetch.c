/* fetch.c - fetching and delivering new mail (fetch.h). */
#include "email/address.h"
#include "email/attach.h"
#include "email/bounce.h"
#include "email/compose.h"
#include "email/daycount.h"
#include "email/fetch.h"
#include "email/imap_parse.h"
#include "email/mime.h"
#include "email/seen.h"
#include "email/thread.h"

#include <inttypes.h>
#include <string.h>

struct email_fetch {
	struct email *em;
	char *jid, *folder;
	struct mail_server srv;
	bool mark_seen;
	struct mbox_state st;
	GArray *uids;          /* to fetch, ascending */
	GHashTable *unseen;    /* of uids: not \Seen before the fetch */
	guint next;            /* index into uids */
	struct mail_xfer *x;   /* the transfer running */
	GString *buf;
	size_t max;
	bool too_big;
	email_fetch_cb cb;
	void *ud;
};

static void fetch_free(struct email_fetch *f)
{
	mail_xfer_free(f->x);
	mail_server_clear(&f->srv);
	if (f->uids)
		g_array_unref(f->uids);
	if (f->unseen)
		g_hash_table_destroy(f->unseen);
	if (f->buf)
		g_string_free(f->buf, TRUE);
	g_free(f->jid);
	g_free(f->folder);
	g_free(f);
}

static void finish(struct email_fetch *f, bool ok)
{
	email_fetch_cb cb = f->cb;
	void *ud = f->ud;
	struct mbox_state st = f->st;
	fetch_free(f);
	cb(ok, &st, ud);
}

static size_t on_data(char *data, size_t size, size_t n, void *ud)
{
	struct email_fetch *f = ud;
	if (f->buf->len + size * n > f->max) {
		f->too_big = true;
		return 0; /* aborts the transfer */
	}
	g_string_append_len(f->buf, data, (gssize)(size * n));
	return size * n;
}

/* A transfer on the folder: command a custom request, or NULL with
 * suffix (";UID=n": libcurl's own UID FETCH of the whole mail, whose
 * literal it hands over as it is; a custom FETCH would lose the literal's
 * lines). */
static void request(struct email_fetch *f, const char *command, const char *suffix,
		    size_t max, mail_xfer_done_cb done)
{
	mail_xfer_free(f->x);
	f->x = mail_xfer_new(f->em->curl, done, f);
	struct mail_probe_opts o = f->em->probe;
	o.timeout_s = 300;
	mail_easy_setup(f->x, "imap", &f->srv, &o, f->folder, suffix);
	CURL *e = mail_xfer_easy(f->x);
	if (command)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, command);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, f);
	g_string_truncate(f->buf, 0);
	f->max = max;
	f->too_big = false;
	mail_xfer_start(f->x);
}

struct delivery {
	struct email_fetch *f;
	uint32_t uid;
	const struct email_mail *mail; /* or NULL: note instead */
	const char *note;              /* why the mail cannot be shown */
	GPtrArray *saved;              /* its attachments (attach.h), written already */
	bool delivered;                /* to the user, not held back by the loop guard */
};

#define DELAY_MIN_S 60 /* a Date older than this gives an XEP-0203 delay */

/* The Date as an XEP-0203 stamp when it is old enough, else NULL. */
static char *stamp_of(int64_t date)
{
	int64_t now = g_get_real_time() / G_USEC_PER_SEC;
	if (date <= 0 || now - date <= DELAY_MIN_S)
		return NULL;
	GDateTime *t = g_date_time_new_from_unix_utc(date);
	char *s = t ? g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ") : NULL;
	if (t)
		g_date_time_unref(t);
	return s;
}

/* A mail that cannot be shown: the user hears of it from the gateway. */
static enum gw_err note_in_tx(struct gw *gw, struct delivery *d)
{
	struct email_fetch *f = d->f;
	char *body = g_strdup_printf("A mail in your %s (UID %" PRIu32 ") cannot be shown here: "
				     "%s. Read it with your mail program.", f->folder, d->uid,
				     d->note);
	struct gw_message msg = { .type = GW_MSG_NORMAL, .body = body, .durable = true };
	enum gw_err err = gw_deliver_message_to(gw, f->jid, NULL, &msg);
	g_free(body);
	return err;
}

static enum gw_err deliver_in_tx(struct gw *gw, void *ud)
{
	struct delivery *d = ud;
	struct email_fetch *f = d->f;
	const struct email_mail *m = d->mail;
	struct mbox_state st = f->st;
	st.last_uid = d->uid;
	if (!m) {
		enum gw_err err = note_in_tx(gw, d);
		return err == GW_OK ? mbox_put(gw, f->jid, f->folder, &st) : err;
	}
	/* read again after a UIDVALIDITY change, or a bounce of ours: no mail */
	bool skip = st.reread && email_seen_reread_skip(gw, f->jid, m, st.reread);
	enum gw_err e = skip ? GW_OK : email_bounce_in_tx(gw, f->jid, f->buf->str, f->buf->len,
							  &skip);
	if (e == GW_OK && skip)
		e = email_seen_note(gw, f->jid, m);
	if (e != GW_OK || skip)
		return e == GW_OK ? mbox_put(gw, f->jid, f->folder, &st) : e;
	char *legacy = NULL, *body = NULL;
	const char *why = NULL;
	size_t max = (size_t)gw_conf_int(gw, "max_body_bytes");
	char *cut = email_body_cut(m->body, max);
	if (!m->from_addr || email_addr_from_typed(m->from_addr, &legacy, &why) != GW_OK)
		body = g_strdup_printf("A mail from %s:\n\n%s",
				       m->from_addr ? m->from_addr : "an unknown sender", cut);
	char *stamp = stamp_of(m->date);
	char *own = m->message_id ? g_strdup_printf("<%s>", m->message_id) : NULL;
	char *thread = email_thread_id(m->references, m->in_reply_to, own);
	g_free(own);
	char *lines = email_attach_lines(f->em, d->saved, m->attachments_dropped);
	char *text = g_strconcat(body ? body : cut, *lines ? "\n" : "", lines, NULL);
	struct gw_oob *oob = g_new0(struct gw_oob, d->saved->len + 1);
	size_t n_oob = 0;
	for (guint i = 0; i < d->saved->len; i++) {
		const struct attach_saved *a = g_ptr_array_index(d->saved, i);
		if (a->token)
			oob[n_oob++] = (struct gw_oob){ .url = a->url, .desc = a->name };
	}
	struct gw_message msg = {
		.type = GW_MSG_NORMAL,
		.body = text,
		.subject = m->subject,
		.thread = thread,
		.durable = true,
		.stamp = stamp,
		.oob = oob,
		.n_oob = n_oob,
	};
	enum gw_err err = GW_OK;
	bool ours = m->message_id && email_msgid_is_ours(m->message_id, gw_domain(gw));
	if (ours)
		/* the loop guard: a mail we sent (a copy to the user, Bcc, a list)
		 * is never delivered back; the high-water mark moves past it */
		log_msg(LOG_DEBUG, "email", "%s: %s: UID %" PRIu32 " is a mail of ours: not "
			"delivered", gw_domain(gw), f->jid, d->uid);
	else
		err = gw_deliver_message_to(gw, f->jid, legacy, &msg);
	d->delivered = !ours && err == GW_OK;
	if (err == GW_OK && !ours)
		err = email_seen_note(gw, f->jid, m);
	if (err == GW_OK && thread && !ours)
		err = email_thread_note(gw, f->jid, thread, m->message_id, m->references,
					m->subject);
	if (err == GW_OK && !ours)
		err = email_attach_commit(f->em, d->saved);
	if (err == GW_OK)
		err = mbox_put(gw, f->jid, f->folder, &st);
	g_free(oob);
	g_free(text);
	g_free(lines);
	g_free(thread);
	g_free(legacy);
	g_free(body);
	g_free(cut);
	g_free(stamp);
	return err;
}

static void next_mail(struct email_fetch *f);

static void unseen_again(struct mail_xfer *x, CURLcode rc, void *ud)
{
	struct email_fetch *f = ud;
	if (rc != CURLE_OK)
		log_msg(LOG_WARN, "email", "%s: %s: UID %" PRIu32 " stays \\Seen: %s",
			gw_domain(f->em->gw), f->jid, g_array_index(f->uids, uint32_t, f->next),
			curl_easy_strerror(rc));
	f->next++;
	next_mail(f);
}

static void fetched(struct mail_xfer *x, CURLcode rc, void *ud)
{
	struct email_fetch *f = ud;
	uint32_t want = g_array_index(f->uids, uint32_t, f->next);
	const char *domain = gw_domain(f->em->gw);
	if (rc != CURLE_OK && !f->too_big) {
		log_msg(LOG_WARN, "email", "%s: %s: fetching UID %" PRIu32 " failed: %s", domain,
			f->jid, want, *mail_xfer_error(x) ? mail_xfer_error(x) : curl_easy_strerror(rc));
		finish(f, false);
		return;
	}
	struct email_mail m = { 0 };
	struct delivery d = { .f = f, .uid = want, .mail = &m };
	char *limit = NULL;
	if (f->too_big || !f->buf->len || !email_mail_parse(f->buf->str, f->buf->len, &m)) {
		if (f->too_big)
			d.note = limit = g_strdup_printf("it is bigger than the gateway's limit of "
							 "%zu bytes", f->max);
		else
			d.note = f->buf->len ? m.why : "the server sent no mail";
		log_msg(LOG_WARN, "email", "%s: %s: UID %" PRIu32 " not shown: %s", domain,
			f->jid, want, d.note);
		d.mail = NULL;
	}
	/* the files first, fsync'ed: the delivery that names them commits after */
	if (d.mail && m.message_id && email_msgid_is_ours(m.message_id, domain))
		d.saved = g_ptr_array_new();
	else if (d.mail)
		d.saved = email_attach_save(f->em, &m);
	enum gw_err err = gw_atomic(f->em->gw, deliver_in_tx, &d);
	email_mail_clear(&m);
	if (d.saved)
		g_ptr_array_unref(d.saved);
	g_free(limit);
	if (err != GW_OK) {
		log_msg(LOG_WARN, "email", "%s: %s: UID %" PRIu32 " not delivered (%s); "
			"tried again later", domain, f->jid, want, err_text(err));
		finish(f, false);
		return;
	}
	log_msg(LOG_DEBUG, "email", "%s: %s: UID %" PRIu32 " delivered", domain, f->jid,
		want);
	if (d.delivered)
		email_count_delivered(f->em, f->jid);
	f->st.last_uid = want;
	if (!f->mark_seen && g_hash_table_contains(f->unseen, GUINT_TO_POINTER(want))) {
		/* the fetch set \Seen: it was not, and the user wants it so */
		char *cmd = g_strdup_printf("UID STORE %" PRIu32 " -FLAGS.SILENT (\\Seen)", want);
		request(f, cmd, NULL, FETCH_SEARCH_MAX, unseen_again);
		g_free(cmd);
		return;
	}
	f->next++;
	next_mail(f);
}

static void next_mail(struct email_fetch *f)
{
	if (f->next >= f->uids->len) {
		finish(f, true);
		return;
	}
	char *suffix = g_strdup_printf("/;UID=%" PRIu32, g_array_index(f->uids, uint32_t, f->next));
	request(f, NULL, suffix, (size_t)gw_conf_int(f->em->gw, "fetch_max_bytes"), fetched);
	g_free(suffix);
}

static gint uid_cmp(gconstpointer a, gconstpointer b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void searched_unseen(struct mail_xfer *x, CURLcode rc, void *ud)
{
	struct email_fetch *f = ud;
	if (rc != CURLE_OK) {
		log_msg(LOG_WARN, "email", "%s: %s: UID SEARCH UNSEEN failed: %s",
			gw_domain(f->em->gw), f->jid, curl_easy_strerror(rc));
		finish(f, false);
		return;
	}
	struct imap_search s;
	imap_parse_search(f->buf->str, f->buf->len, &s);
	for (guint i = 0; i < s.uids->len; i++)
		g_hash_table_add(f->unseen, GUINT_TO_POINTER(g_array_index(s.uids, uint32_t, i)));
	imap_search_free(&s);
	next_mail(f);
}

static void searched(struct mail_xfer *x, CURLcode rc, void *ud)
{
	struct email_fetch *f = ud;
	if (rc != CURLE_OK) {
		log_msg(LOG_WARN, "email", "%s: %s: UID SEARCH failed: %s", gw_domain(f->em->gw),
			f->jid, *mail_xfer_error(x) ? mail_xfer_error(x) : curl_easy_strerror(rc));
		finish(f, false);
		return;
	}
	struct imap_search s;
	imap_parse_search(f->buf->str, f->buf->len, &s);
	f->uids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	for (guint i = 0; i < s.uids->len; i++) {
		uint32_t uid = g_array_index(s.uids, uint32_t, i);
		if (uid > f->st.last_uid) /* "n:*" also names the last mail when it is below n */
			g_array_append_val(f->uids, uid);
	}
	imap_search_free(&s);
	g_array_sort(f->uids, uid_cmp);
	if (f->mark_seen || f->uids->len == 0) {
		next_mail(f);
		return;
	}
	char *cmd = g_strdup_printf("UID SEARCH UID %" PRIu32 ":* UNSEEN",
				    g_array_index(f->uids, uint32_t, 0));
	request(f, cmd, NULL, FETCH_SEARCH_MAX, searched_unseen);
	g_free(cmd);
}

struct email_fetch *email_fetch_start(struct email *em, const char *jid,
				      const struct mail_server *srv, const char *folder,
				      bool mark_seen, const struct mbox_state *st,
				      email_fetch_cb cb, void *ud)
{
	struct email_fetch *f = g_new0(struct email_fetch, 1);
	f->em = em;
	f->jid = g_strdup(jid);
	f->folder = g_strdup(folder);
	f->srv = *srv;
	f->srv.host = g_strdup(srv->host);
	f->srv.user = g_strdup(srv->user);
	f->srv.password = g_strdup(srv->password);
	f->mark_seen = mark_seen;
	f->st = *st;
	f->cb = cb;
	f->ud = ud;
	f->buf = g_string_new("");
	f->unseen = g_hash_table_new(NULL, NULL);
	/* at UINT32_MAX nothing can follow; the search then finds nothing above it */
	uint32_t from = st->last_uid == UINT32_MAX ? UINT32_MAX : st->last_uid + 1;
	char *cmd = g_strdup_printf("UID SEARCH UID %" PRIu32 ":*", from);
	if (st->reread) /* and only what came in from then on (the day: IMAP's grain) */
		email_search_since(&cmd, st->reread);
	request(f, cmd, NULL, FETCH_SEARCH_MAX, searched);
	g_free(cmd);
	return f;
}

void email_fetch_cancel(struct email_fetch *f)
{
	if (f)
		fetch_free(f);
}
