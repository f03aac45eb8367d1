/* probe.h - a login check of one mail server: connect, secure the
 * connection as the account says, log in, and close, all on the loop
 * (libcurl with CURLOPT_CONNECT_ONLY). Used by the registration check
 * through the IMAP transport (imap.h) and the SMTP side (smtp.h). */
#ifndef XMPPGW_EMAIL_PROBE_H
#define XMPPGW_EMAIL_PROBE_H

#include "email/curl_loop.h"
#include "email/server.h"
#include "err.h"

struct mail_probe;

struct mail_probe_opts {
	bool tls_verify;        /* certificate chain and host name */
	long connect_timeout_s; /* the TCP and TLS connect */
	long timeout_s;         /* the whole check */
};

/* Called once: GW_OK, or the error and a readable text (borrowed for the
 * call). Never before mail_probe_start returns. */
typedef void (*mail_probe_cb)(enum gw_err err, const char *text, void *ud);

/* Starts the check of srv (borrowed for the call) with scheme ("imap",
 * "smtp"; with TLS from the first byte, scheme + "s"). Returns the probe,
 * which frees itself after cb. */
struct mail_probe *mail_probe_start(struct mail_curl *mc, const char *scheme,
				    const struct mail_server *srv,
				    const struct mail_probe_opts *o, mail_probe_cb cb, void *ud);
/* Sets up x for srv: the URL (scheme, + "s" for TLS from the first byte;
 * folder, URL-escaped, or NULL; then suffix as it is, e.g. "/;UID=5", or
 * NULL), only that protocol, the login, the
 * security, the certificate checks and timeouts of o, and the policy's
 * address check. The caller adds what the transfer does. */
void mail_easy_setup(struct mail_xfer *x, const char *scheme, const struct mail_server *srv,
		     const struct mail_probe_opts *o, const char *folder, const char *suffix);

/* Stops a probe whose cb has not been called; cb will not be. */
void mail_probe_cancel(struct mail_probe *p);

/* The error and text (*text new) for a check of what ("IMAP") at
 * host:port that ended with rc. refused: the connect was refused by the
 * policy. detail: curl's error text (may be ""). Pure. */
enum gw_err mail_probe_error(CURLcode rc, bool refused, const char *what, const char *host,
			     int port, const char *detail, char **text);

#endif
