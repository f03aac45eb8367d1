/* submit.h - one mail handed to a submission server (SMTP with the
 * user's login, libcurl on the core's loop): MAIL FROM, RCPT TO and DATA
 * of a built mail, and what the server's answers mean for a retry.
 *
 * Whether a failed submission may be tried again is decided from the
 * conversation itself: before the server invited the data (354), or when
 * it answered the data with a 4xx, the mail was provably not taken; after
 * the invitation and without an answer to the data (a timeout, a cut
 * connection), it may have been, and must never be sent again on its
 * own. */
#ifndef XMPPGW_EMAIL_SUBMIT_H
#define XMPPGW_EMAIL_SUBMIT_H

#include "email/probe.h"
#include "email/server.h"

#define MAIL_REPLY_MAX 512 /* bytes of the server's last answer kept */

enum mail_submit_outcome {
	MAIL_SUBMIT_OK = 0,   /* the server took the mail (250 to the data) */
	MAIL_SUBMIT_REFUSED,  /* refused for good (5xx, login, policy) */
	MAIL_SUBMIT_LATER,    /* provably not taken, temporary: may be tried again */
	MAIL_SUBMIT_UNKNOWN,  /* may have been taken: never sent again */
};

struct mail_submit_result {
	enum mail_submit_outcome outcome;
	enum gw_err err;      /* for an error reply (not for OK) */
	const char *text;     /* readable, with the server's answer; borrowed */
};

/* An upload of a buffer with a transfer (SMTP DATA, IMAP APPEND). */
struct mail_upload {
	const char *data;   /* borrowed while the transfer runs */
	size_t len, off;
};
/* Sets e to upload data (borrowed, len bytes) through u, from its start. */
void mail_upload_setup(CURL *e, struct mail_upload *u, const char *data, size_t len);

struct mail_submit;
/* Called once, never from inside mail_submit_start; the submission frees
 * itself after it. */
typedef void (*mail_submit_cb)(const struct mail_submit_result *r, void *ud);

/* Sends raw (borrowed until cb, or mail_submit_cancel) from the envelope
 * sender from to rcpt through srv (borrowed for the call). timeout_s
 * bounds the whole submission. */
struct mail_submit *mail_submit_start(struct mail_curl *mc, const struct mail_server *srv,
				      const struct mail_probe_opts *o, const char *from,
				      const char *rcpt, const char *raw, mail_submit_cb cb,
				      void *ud);
/* Stops a submission whose cb has not been called; cb will not be. */
void mail_submit_cancel(struct mail_submit *s);

/* The conversation as far as it went, for mail_submit_judge. */
struct mail_submit_trace {
	char cmd[8];              /* the last command sent ("RCPT", "DATA", ...) */
	int code;                 /* the last reply's code, 0 before any */
	char reply[MAIL_REPLY_MAX];/* the last reply line, without CRLF */
	bool invited;             /* the server answered DATA with 354 */
	/* the first answer that refused something (4xx, 5xx), kept past
	 * the QUIT that follows it */
	char fail_cmd[8];
	int fail_code;
	char fail_reply[MAIL_REPLY_MAX];
};

/* What an ended submission means: its outcome and error, and the text
 * (*text new). Pure. */
enum mail_submit_outcome mail_submit_judge(CURLcode rc, bool refused,
					   const struct mail_submit_trace *t, const char *host,
					   enum gw_err *err, char **text);

/* Records the lines curl's debug callback hands over (in: from the
 * server, else to it). Pure. */
void mail_submit_trace_add(struct mail_submit_trace *t, bool in, const char *data, size_t len);

#endif
