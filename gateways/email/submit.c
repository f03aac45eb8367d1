/* submit.c - a mail to a submission server (submit.h). */
#include "email/submit.h"
#include "gateway.h"

/* curl before 8.2 spells it with three Ls (the same option) */
#if CURL_AT_LEAST_VERSION(8, 2, 0)
#define RCPT_ALLOWFAILS CURLOPT_MAIL_RCPT_ALLOWFAILS
#else
#define RCPT_ALLOWFAILS CURLOPT_MAIL_RCPT_ALLLOWFAILS
#endif

#include <stdlib.h>
#include <string.h>

struct mail_submit {
	struct mail_xfer *x;
	struct curl_slist *rcpt;
	char *host;
	struct mail_upload up;
	struct mail_submit_trace trace;
	mail_submit_cb cb;
	void *ud;
};

void mail_submit_trace_add(struct mail_submit_trace *t, bool in, const char *data, size_t len)
{
	/* one line or several; only the last complete one counts */
	const char *end = data + len;
	while (end > data && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	const char *start = end;
	while (start > data && start[-1] != '\n')
		start--;
	size_t n = (size_t)(end - start);
	if (!n)
		return;
	if (!in) {
		/* never more than the verb: AUTH lines carry the login */
		size_t i = 0;
		for (; i < n && i < sizeof t->cmd - 1 && g_ascii_isalpha(start[i]); i++)
			t->cmd[i] = g_ascii_toupper(start[i]);
		t->cmd[i] = 0;
		return;
	}
	if (n >= sizeof t->reply)
		n = sizeof t->reply - 1;
	for (size_t i = 0; i < n; i++)
		t->reply[i] = (unsigned char)start[i] < ' ' ? ' ' : start[i];
	t->reply[n] = 0;
	t->code = n >= 3 && g_ascii_isdigit(start[0]) && g_ascii_isdigit(start[1]) &&
				  g_ascii_isdigit(start[2])
			  ? (start[0] - '0') * 100 + (start[1] - '0') * 10 + (start[2] - '0')
			  : 0;
	if (t->code == 354 && !strcmp(t->cmd, "DATA"))
		t->invited = true;
	if (t->code >= 400 && !t->fail_code) {
		t->fail_code = t->code;
		memcpy(t->fail_cmd, t->cmd, sizeof t->cmd);
		memcpy(t->fail_reply, t->reply, sizeof t->reply);
	}
}

enum mail_submit_outcome mail_submit_judge(CURLcode rc, bool refused,
					   const struct mail_submit_trace *t, const char *host,
					   enum gw_err *err, char **text)
{
	int code = t->fail_code ? t->fail_code : t->code;
	const char *cmd = t->fail_code ? t->fail_cmd : t->cmd;
	const char *reply = t->fail_code ? t->fail_reply : t->reply[0] ? t->reply : "no answer";
	*text = NULL;
	if (rc == CURLE_OK) {
		*err = GW_OK;
		return MAIL_SUBMIT_OK;
	}
	if (rc == CURLE_LOGIN_DENIED) {
		*err = GW_ERR_NOT_AUTHORIZED;
		*text = g_strdup_printf("the SMTP server %s refused the username or password: %s",
					host, reply);
		return MAIL_SUBMIT_REFUSED;
	}
	if (code >= 500 && code < 600) {
		bool rcpt = !strcmp(cmd, "RCPT");
		*err = rcpt ? GW_ERR_RECIPIENT_UNAVAILABLE : GW_ERR_SERVICE_UNAVAILABLE;
		*text = g_strdup_printf("the SMTP server %s refused the %s: %s", host,
					rcpt ? "recipient" : "mail", reply);
		return MAIL_SUBMIT_REFUSED;
	}
	if (code >= 400 && code < 500) {
		*err = GW_ERR_REMOTE_TIMEOUT;
		*text = g_strdup_printf("the SMTP server %s could not take the mail for now: %s",
					host, reply);
		return MAIL_SUBMIT_LATER;
	}
	if (refused) {
		*err = GW_ERR_NOT_ALLOWED;
		*text = g_strdup_printf("the SMTP server %s is at an internal address, which this "
					"gateway does not connect to", host);
		return MAIL_SUBMIT_REFUSED;
	}
	if (t->invited) {
		*err = GW_ERR_SERVICE_UNAVAILABLE;
		*text = g_strdup_printf("the connection to the SMTP server %s ended while the mail "
					"was being sent (%s): it may not have been sent", host,
					curl_easy_strerror(rc));
		return MAIL_SUBMIT_UNKNOWN;
	}
	*err = GW_ERR_REMOTE_TIMEOUT;
	*text = g_strdup_printf("the SMTP server %s could not be reached (%s)", host,
				curl_easy_strerror(rc));
	return MAIL_SUBMIT_LATER;
}

static size_t read_cb(char *buf, size_t size, size_t n, void *ud)
{
	struct mail_upload *u = ud;
	size_t want = MIN(size * n, u->len - u->off);
	memcpy(buf, u->data + u->off, want);
	u->off += want;
	return want;
}

void mail_upload_setup(CURL *e, struct mail_upload *u, const char *data, size_t len)
{
	u->data = data;
	u->len = len;
	u->off = 0;
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(e, CURLOPT_READDATA, u);
	curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
}

static int debug_cb(CURL *e, curl_infotype type, char *data, size_t size, void *ud)
{
	struct mail_submit *s = ud;
	if (type == CURLINFO_HEADER_IN || type == CURLINFO_HEADER_OUT)
		mail_submit_trace_add(&s->trace, type == CURLINFO_HEADER_IN, data, size);
	return 0;
}

static void submit_free(struct mail_submit *s)
{
	mail_xfer_free(s->x);
	curl_slist_free_all(s->rcpt);
	g_free(s->host);
	g_free(s);
}

static void done(struct mail_xfer *x, CURLcode rc, void *ud)
{
	struct mail_submit *s = ud;
	struct mail_submit_result r = { 0 };
	char *text = NULL;
	r.outcome = mail_submit_judge(rc, mail_xfer_refused(x), &s->trace, s->host, &r.err, &text);
	r.text = text;
	if (rc != CURLE_OK)
		log_msg(LOG_DEBUG, "email", "submission to %s ended: %s (%s)", s->host,
			curl_easy_strerror(rc), mail_xfer_error(x));
	mail_submit_cb cb = s->cb;
	void *cb_ud = s->ud;
	submit_free(s);
	cb(&r, cb_ud);
	g_free(text);
}

struct mail_submit *mail_submit_start(struct mail_curl *mc, const struct mail_server *srv,
				      const struct mail_probe_opts *o, const char *from,
				      const char *rcpt, const char *raw, mail_submit_cb cb,
				      void *ud)
{
	struct mail_submit *s = g_new0(struct mail_submit, 1);
	s->host = g_strdup(srv->host);
	s->cb = cb;
	s->ud = ud;
	s->x = mail_xfer_new(mc, done, s);
	mail_easy_setup(s->x, "smtp", srv, o, NULL, NULL);
	CURL *e = mail_xfer_easy(s->x);
	char *f = g_strdup_printf("<%s>", from), *t = g_strdup_printf("<%s>", rcpt);
	s->rcpt = curl_slist_append(NULL, t);
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, f);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, s->rcpt);
	curl_easy_setopt(e, RCPT_ALLOWFAILS, 1L);
	mail_upload_setup(e, &s->up, raw, strlen(raw));
	curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(e, CURLOPT_DEBUGDATA, s);
	curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
	g_free(f);
	g_free(t);
	mail_xfer_start(s->x);
	return s;
}

void mail_submit_cancel(struct mail_submit *s)
{
	if (s)
		submit_free(s);
}
