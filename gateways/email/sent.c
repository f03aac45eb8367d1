/* sent.c - a copy of a sent mail in Sent (sent.h). */
#include "email/sent.h"
#include "email/submit.h"
#include "gateway.h"

#include <string.h>

struct mail_sent {
	struct mail_curl *mc;
	struct mail_server srv;
	struct mail_probe_opts o;
	struct mail_xfer *x;
	char *raw;
	struct mail_upload up;
	bool created;   /* CREATE tried: the next failure is the last */
	bool creating;  /* the transfer running is the CREATE */
	void (*done)(struct mail_sent *m, void *ud);
	void *ud;
};

static void step(struct mail_sent *m, bool create);

static void finish(struct mail_sent *m)
{
	if (m->done)
		m->done(m, m->ud);
	m->done = NULL;
	mail_sent_cancel(m);
}

static void on_done(struct mail_xfer *x, CURLcode rc, void *ud)
{
	struct mail_sent *m = ud;
	bool creating = m->creating;
	mail_xfer_free(m->x);
	m->x = NULL;
	if (creating) {
		step(m, false); /* created (or there all along): append again */
		return;
	}
	if (rc == CURLE_OK) {
		log_msg(LOG_DEBUG, "email", "a copy is in %s", EMAIL_SENT_FOLDER);
		finish(m);
		return;
	}
	if (!m->created) {
		m->created = true;
		step(m, true);
		return;
	}
	log_msg(LOG_WARN, "email", "the copy of a sent mail could not be stored in %s on %s: %s",
		EMAIL_SENT_FOLDER, m->srv.host, curl_easy_strerror(rc));
	finish(m);
}

static void step(struct mail_sent *m, bool create)
{
	m->creating = create;
	m->x = mail_xfer_new(m->mc, on_done, m);
	CURL *e = mail_xfer_easy(m->x);
	if (create) {
		mail_easy_setup(m->x, "imap", &m->srv, &m->o, NULL, NULL);
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "CREATE " EMAIL_SENT_FOLDER);
		curl_easy_setopt(e, CURLOPT_NOBODY, 0L);
	} else {
		mail_easy_setup(m->x, "imap", &m->srv, &m->o, EMAIL_SENT_FOLDER, NULL);
		mail_upload_setup(e, &m->up, m->raw, strlen(m->raw));
	}
	mail_xfer_start(m->x);
}

struct mail_sent *mail_sent_start(struct mail_curl *mc, struct mail_server *srv,
				  const struct mail_probe_opts *o, char *raw,
				  void (*done)(struct mail_sent *m, void *ud), void *ud)
{
	struct mail_sent *m = g_new0(struct mail_sent, 1);
	m->mc = mc;
	m->srv = *srv;
	memset(srv, 0, sizeof *srv);
	m->o = *o;
	m->raw = raw;
	m->done = done;
	m->ud = ud;
	step(m, false);
	return m;
}

void mail_sent_cancel(struct mail_sent *m)
{
	if (!m)
		return;
	mail_xfer_free(m->x);
	mail_server_clear(&m->srv);
	g_free(m->raw);
	g_free(m);
}
