/* watch.c - the IMAP IDLE watch (watch.h). */
#include "email/backoff.h"
#include "email/fetch.h"
#include "email/imap_parse.h"
#include "email/mbox.h"
#include "email/watch.h"

#include <inttypes.h>
#include <string.h>

#define REFETCH_MS (30u * 1000)

enum wstate {
	W_DOWN, W_CONNECTING, W_CAPA, W_SELECTING,
	/* selected, from here on: */
	W_IDLE_WAIT, W_IDLING, W_DONE_SENT, W_POLLING,
};

struct email_watch {
	struct email *em;
	char *jid, *folder;
	struct mail_server srv;
	bool mark_seen;
	enum wstate state;
	struct mail_xfer *conn;
	struct gw_watch *io;
	struct imap_lines lines;
	GString *out;
	unsigned tagn;
	char tag[16];
	uint32_t uidvalidity, uidnext;
	struct mbox_state st;
	bool have_st;
	struct email_fetch *fetch;
	bool fetch_again;
	const char *fail;      /* set by a line that ends the connection */
	int fail_kind;         /* enum down, with fail */
	bool has_idle;         /* the server's CAPABILITY lists IDLE */
	unsigned reidle_timer, poll_timer, retry_timer, refetch_timer;
	struct email_backoff backoff;
	bool up;               /* the folder is selected and watched */
	char *status;          /* why it is down, and until when */
	char *last_error;      /* the last failure, and when */
};

/* Why a watch is down, as its user's gateway JID shows it. */
enum down { DOWN_AUTH, DOWN_UNREACHABLE, DOWN_OTHER };
static const char *const down_text[] = {
	[DOWN_AUTH] = "authentication failed",
	[DOWN_UNREACHABLE] = "server unreachable",
	[DOWN_OTHER] = "IMAP watch failed",
};

static void reconnect_later(struct email_watch *w, enum down kind, const char *why);

/* The gateway JID's presence for the user, if online: online while the
 * watch is up, xa with the reason while it is down. */
static void show(struct email_watch *w)
{
	struct gw_session *s = gw_session_find(w->em->gw, w->jid);
	if (s)
		gw_deliver_presence(s, NULL, w->up ? GW_SHOW_ONLINE : GW_SHOW_XA,
				    w->up ? NULL : w->status);
}

static void close_conn(struct email_watch *w)
{
	if (w->io)
		gw_watch_remove(w->io);
	w->io = NULL;
	mail_xfer_free(w->conn);
	w->conn = NULL;
	if (w->reidle_timer)
		gw_timer_remove(w->reidle_timer);
	w->reidle_timer = 0;
	if (w->poll_timer)
		gw_timer_remove(w->poll_timer);
	w->poll_timer = 0;
	imap_lines_clear(&w->lines);
	g_string_truncate(w->out, 0);
	w->state = W_DOWN;
	w->fail = NULL;
}

/* Sends what is queued; false when the connection failed. */
static bool flush(struct email_watch *w)
{
	while (w->out->len) {
		size_t n = 0;
		CURLcode rc = curl_easy_send(mail_xfer_easy(w->conn), w->out->str, w->out->len, &n);
		if (rc == CURLE_AGAIN)
			break;
		if (rc != CURLE_OK)
			return false;
		g_string_erase(w->out, 0, (gssize)n);
	}
	gw_watch_modify(w->io, GW_IO_READ | (w->out->len ? GW_IO_WRITE : 0));
	return true;
}

static void command(struct email_watch *w, const char *cmd)
{
	g_snprintf(w->tag, sizeof w->tag, "W%u", ++w->tagn);
	g_string_append_printf(w->out, "%s %s\r\n", w->tag, cmd);
}

static void want_fetch(struct email_watch *w);

static void refetch(void *ud)
{
	struct email_watch *w = ud;
	w->refetch_timer = 0;
	want_fetch(w);
}

static void fetch_done(bool ok, const struct mbox_state *st, void *ud)
{
	struct email_watch *w = ud;
	w->fetch = NULL;
	w->st = *st;
	if (ok && w->st.reread) {
		/* read again to its end: from here on, new mail as usual */
		w->st.reread = 0;
		if (mbox_put(w->em->gw, w->jid, w->folder, &w->st) != GW_OK)
			log_msg(LOG_WARN, "email", "%s: %s: the folder's state cannot be stored",
				gw_domain(w->em->gw), w->jid);
	}
	if (!ok && !w->refetch_timer) {
		w->refetch_timer = gw_timer_add(REFETCH_MS, refetch, w);
	} else if (ok && w->fetch_again) {
		w->fetch_again = false;
		want_fetch(w);
	}
}

static void want_fetch(struct email_watch *w)
{
	if (w->fetch) {
		w->fetch_again = true;
		return;
	}
	w->fetch = email_fetch_start(w->em, w->jid, &w->srv, w->folder, w->mark_seen, &w->st,
				     fetch_done, w);
}

static void reidle(void *ud)
{
	struct email_watch *w = ud;
	w->reidle_timer = 0;
	if (w->state != W_IDLING)
		return;
	g_string_append(w->out, "DONE\r\n");
	w->state = W_DONE_SENT;
	if (!flush(w))
		reconnect_later(w, DOWN_UNREACHABLE, "the connection failed");
}

/* No IDLE: every poll_interval_s, a NOOP on the watch's connection (which
 * keeps it and notices when it drops) and a fetch round. */
static void poll_now(void *ud)
{
	struct email_watch *w = ud;
	w->poll_timer = 0;
	if (w->state != W_POLLING)
		return;
	command(w, "NOOP");
	want_fetch(w);
	w->poll_timer = gw_timer_add(w->em->poll_interval_s * 1000u, poll_now, w);
	if (!flush(w))
		reconnect_later(w, DOWN_UNREACHABLE, "the connection failed");
}

/* Where the selected folder starts, from its stored state: a new one
 * after its last mail, a renumbered one read again (seen.h), else where
 * it was; stored when that changed. Returns whether to fetch now. */
static bool start_state(struct email_watch *w)
{
	struct mbox_state stored = { 0 };
	int64_t now = g_get_real_time() / G_USEC_PER_SEC;
	bool have = mbox_get(w->em->gw, w->jid, w->folder, &stored);
	if (have && stored.uidvalidity != w->uidvalidity) {
		w->st = (struct mbox_state){ .uidvalidity = w->uidvalidity, .since = stored.since };
		w->st.reread = stored.since ? MAX(stored.since, now - w->em->seen_keep_s) : now;
		log_msg(LOG_INFO, "email", "%s: %s: the UIDVALIDITY of %s changed (%" PRIu32
			" to %" PRIu32 "): reading it again from %" G_GINT64_FORMAT,
			gw_domain(w->em->gw), w->jid, w->folder, stored.uidvalidity,
			w->uidvalidity, w->st.reread);
	} else if (!have) {
		w->st = (struct mbox_state){ .uidvalidity = w->uidvalidity, .since = now,
					     .last_uid = w->uidnext ? w->uidnext - 1 : 0 };
	} else {
		w->st = stored;
		if (!w->st.since)
			w->st.since = now; /* a row from before the time was kept */
	}
	bool same = have && w->st.uidvalidity == stored.uidvalidity &&
		    w->st.last_uid == stored.last_uid && w->st.since == stored.since &&
		    w->st.reread == stored.reread;
	if (!same && mbox_put(w->em->gw, w->jid, w->folder, &w->st) != GW_OK)
		log_msg(LOG_WARN, "email", "%s: %s: the folder's state cannot be stored",
			gw_domain(w->em->gw), w->jid);
	return w->st.reread || (have && (w->uidnext == 0 || w->uidnext - 1 > w->st.last_uid));
}

/* The folder is selected: where to start, then IDLE (or polling). */
static void selected(struct email_watch *w)
{
	if (start_state(w))
		want_fetch(w);
	log_msg(LOG_INFO, "email", "%s: %s: watching %s, mail after UID %" PRIu32,
		gw_domain(w->em->gw), w->jid, w->folder, w->st.last_uid);
	email_backoff_reset(&w->backoff);
	w->up = true;
	g_free(w->status);
	w->status = NULL;
	show(w);
	if (!w->has_idle) {
		log_msg(LOG_INFO, "email", "%s: %s: the IMAP server has no IDLE: polling every %u s",
			gw_domain(w->em->gw), w->jid, w->em->poll_interval_s);
		w->state = W_POLLING;
		w->poll_timer = gw_timer_add(w->em->poll_interval_s * 1000u, poll_now, w);
		return;
	}
	command(w, "IDLE");
	w->state = W_IDLE_WAIT;
}

static void select_folder(struct email_watch *w)
{
	GString *q = g_string_new("SELECT \"");
	for (const char *p = w->folder; *p; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_c(q, '\\');
		g_string_append_c(q, *p);
	}
	g_string_append_c(q, '"');
	command(w, q->str);
	g_string_free(q, TRUE);
	w->state = W_SELECTING;
}

static void on_line(const char *line, bool overlong, void *ud)
{
	struct email_watch *w = ud;
	struct imap_resp r;
	if (w->state == W_DOWN)
		return;
	if (w->fail)
		return;
	imap_parse_line(line, &r);
	if (r.idle)
		w->has_idle = true;
	if (r.kind == IMAP_RESP_STATUS && w->state == W_SELECTING) {
		if (r.uidvalidity)
			w->uidvalidity = r.uidvalidity;
		if (r.uidnext)
			w->uidnext = r.uidnext;
	} else if (r.kind == IMAP_RESP_EXISTS && w->state >= W_IDLE_WAIT) {
		want_fetch(w);
	} else if (r.kind == IMAP_RESP_BYE) {
		w->fail = "the server ended the connection";
		w->fail_kind = DOWN_UNREACHABLE;
	} else if (r.kind == IMAP_RESP_CONTINUE && w->state == W_IDLE_WAIT) {
		w->state = W_IDLING;
		w->reidle_timer = gw_timer_add(w->em->idle_reissue_s * 1000u, reidle, w);
	} else if (r.kind == IMAP_RESP_TAGGED && !strcmp(r.tag, w->tag)) {
		if (r.status != IMAP_STATUS_OK) {
			w->fail = w->state == W_SELECTING ? "the folder cannot be selected"
				  : w->state == W_CAPA    ? "the server refused CAPABILITY"
				  : w->state == W_POLLING ? "the server refused NOOP"
							  : "the server refused IDLE";
			w->fail_kind = DOWN_OTHER;
		} else if (w->state == W_CAPA) {
			select_folder(w);
		} else if (w->state == W_SELECTING) {
			selected(w);
		} else if (w->state == W_DONE_SENT) {
			log_msg(LOG_DEBUG, "email", "%s: %s: IDLE re-issued", gw_domain(w->em->gw),
				w->jid);
			command(w, "IDLE");
			w->state = W_IDLE_WAIT;
		}
	}
}

static void on_io(int fd, unsigned events, void *ud)
{
	struct email_watch *w = ud;
	if ((events & GW_IO_WRITE) && !flush(w)) {
		reconnect_later(w, DOWN_UNREACHABLE, "the connection failed");
		return;
	}
	if (!(events & GW_IO_READ))
		return;
	for (;;) {
		char buf[16384];
		size_t n = 0;
		CURLcode rc = curl_easy_recv(mail_xfer_easy(w->conn), buf, sizeof buf, &n);
		if (rc == CURLE_AGAIN)
			break;
		if (rc != CURLE_OK || n == 0) {
			reconnect_later(w, DOWN_UNREACHABLE, "the server closed the connection");
			return;
		}
		imap_lines_feed(&w->lines, buf, n, on_line, w);
		if (w->fail) {
			reconnect_later(w, w->fail_kind, w->fail);
			return;
		}
	}
	if (!flush(w))
		reconnect_later(w, DOWN_UNREACHABLE, "the connection failed");
}

static void connected(struct mail_xfer *x, CURLcode rc, void *ud)
{
	struct email_watch *w = ud;
	if (rc != CURLE_OK) {
		enum down kind = DOWN_OTHER;
		if (rc == CURLE_LOGIN_DENIED)
			kind = DOWN_AUTH;
		else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
			 rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_GOT_NOTHING ||
			 rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR)
			kind = DOWN_UNREACHABLE;
		reconnect_later(w, kind, *mail_xfer_error(x) ? mail_xfer_error(x)
							      : curl_easy_strerror(rc));
		return;
	}
	int fd = mail_xfer_take_socket(x);
	if (fd < 0) {
		reconnect_later(w, DOWN_OTHER, "no socket after the login");
		return;
	}
	imap_lines_init(&w->lines);
	w->io = gw_watch_fd(fd, GW_IO_READ, on_io, w);
	if (!w->io) {
		reconnect_later(w, DOWN_OTHER, "its socket cannot be watched");
		return;
	}
	w->uidvalidity = w->uidnext = 0;
	w->has_idle = false;
	command(w, "CAPABILITY");
	w->state = W_CAPA;
	if (!flush(w))
		reconnect_later(w, DOWN_UNREACHABLE, "the connection failed");
}

static void connect_now(void *ud)
{
	struct email_watch *w = ud;
	w->conn = mail_xfer_new(w->em->curl, connected, w);
	struct mail_probe_opts o = w->em->probe;
	o.timeout_s = 0; /* the connection lasts; only the connect is bounded */
	mail_easy_setup(w->conn, "imap", &w->srv, &o, NULL, NULL);
	curl_easy_setopt(mail_xfer_easy(w->conn), CURLOPT_CONNECT_ONLY, 1L);
	w->state = W_CONNECTING;
	mail_xfer_start(w->conn);
}

static void retry(void *ud)
{
	struct email_watch *w = ud;
	w->retry_timer = 0;
	email_pace(w->em, connect_now, w);
}

static void reconnect_later(struct email_watch *w, enum down kind, const char *why)
{
	close_conn(w);
	int64_t now = g_get_monotonic_time();
	int64_t wait_us = email_backoff_fail(&w->backoff, now, g_random_int() /* jitter */) - now;
	GDateTime *at = g_date_time_new_from_unix_utc((g_get_real_time() + wait_us) / 1000000);
	char *until = g_date_time_format(at, "%Y-%m-%dT%H:%M:%SZ");
	g_date_time_unref(at);
	g_free(w->status);
	w->status = g_strdup_printf("%s (%s); back-off until %s", down_text[kind], why, until);
	g_free(w->last_error);
	GDateTime *t = g_date_time_new_now_utc();
	char *when = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");
	g_date_time_unref(t);
	w->last_error = g_strdup_printf("%s (%s) at %s", down_text[kind], why, when);
	g_free(when);
	g_free(until);
	w->up = false;
	log_msg(LOG_INFO, "email", "%s: %s: IMAP watch down: %s", gw_domain(w->em->gw), w->jid,
		w->status);
	show(w);
	w->retry_timer = gw_timer_add((unsigned)(wait_us / 1000) + 1, retry, w);
}

bool email_watch_up(struct email_watch *w, const char **status)
{
	*status = w->status ? w->status : "connecting to the IMAP server";
	return w->up;
}

const char *email_watch_last_error(struct email_watch *w)
{
	return w->last_error;
}

bool email_watch_kick(struct email_watch *w)
{
	if (!w->retry_timer)
		return false;
	gw_timer_remove(w->retry_timer);
	w->retry_timer = 0;
	email_backoff_reset(&w->backoff);
	email_pace(w->em, connect_now, w);
	return true;
}

struct email_watch *email_watch_start(struct email *em, const char *jid, GHashTable *reg)
{
	struct email_watch *w = g_new0(struct email_watch, 1);
	guint64 port = 0;
	w->em = em;
	w->jid = g_strdup(jid);
	w->folder = g_strdup(g_hash_table_lookup(reg, "folder"));
	w->mark_seen = !g_strcmp0(g_hash_table_lookup(reg, "mark_seen"), "1");
	w->srv.what = "IMAP";
	w->srv.host = g_strdup(g_hash_table_lookup(reg, "imap_host"));
	w->srv.user = g_strdup(g_hash_table_lookup(reg, "username"));
	w->srv.password = g_strdup(g_hash_table_lookup(reg, "password"));
	w->out = g_string_new("");
	email_backoff_init(&w->backoff, em->backoff_min_s, em->backoff_max_s);
	enum email_host_rule rule = w->srv.host ? email_policy_host(em->policy, w->srv.host)
						: EMAIL_HOST_REFUSED;
	if (!w->folder || !*w->folder || !w->srv.user || !w->srv.password ||
	    !g_ascii_string_to_unsigned(g_hash_table_lookup(reg, "imap_port"), 10, 1, 65535,
					&port, NULL) ||
	    !mail_security_parse(g_hash_table_lookup(reg, "imap_security"), &w->srv.sec) ||
	    rule == EMAIL_HOST_REFUSED) {
		log_msg(LOG_WARN, "email", "%s: %s: the registration cannot be watched (its IMAP "
			"server is not allowed, or a value is missing)", gw_domain(em->gw), jid);
		email_watch_stop(w);
		return NULL;
	}
	w->srv.port = (int)port;
	w->srv.public_only = rule == EMAIL_HOST_PUBLIC_ONLY;
	email_pace(em, connect_now, w);
	return w;
}

void email_watch_stop(struct email_watch *w)
{
	if (!w)
		return;
	if (w->state != W_DOWN || w->retry_timer)
		log_msg(LOG_INFO, "email", "%s: %s: watch of %s stopped", gw_domain(w->em->gw),
			w->jid, w->folder);
	close_conn(w);
	email_pace_cancel(w->em, w);
	email_fetch_cancel(w->fetch);
	if (w->retry_timer)
		gw_timer_remove(w->retry_timer);
	if (w->refetch_timer)
		gw_timer_remove(w->refetch_timer);
	mail_server_clear(&w->srv);
	g_string_free(w->out, TRUE);
	g_free(w->status);
	g_free(w->last_error);
	g_free(w->folder);
	g_free(w->jid);
	g_free(w);
}
