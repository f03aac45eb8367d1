/* imap_curl.c - the IMAP transport on libcurl (imap.h): the login check
 * is a CONNECT_ONLY transfer, which does the greeting, CAPABILITY,
 * STARTTLS and LOGIN (or AUTHENTICATE) and stops there. */
#include "email/imap.h"

static struct mail_probe *imap_check(struct mail_curl *mc, const struct mail_server *srv,
				     const struct mail_probe_opts *o, mail_probe_cb cb, void *ud)
{
	return mail_probe_start(mc, "imap", srv, o, cb, ud);
}

const struct imap_transport imap_curl_transport = {
	.name = "curl",
	.check = imap_check,
};
