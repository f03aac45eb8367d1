/* imap.h - the IMAP transport behind a small interface, so that it can be
 * swapped (libcurl now; a library with IDLE of its own later, say). Each
 * transport is a const table. */
#ifndef XMPPGW_EMAIL_IMAP_H
#define XMPPGW_EMAIL_IMAP_H

#include "email/probe.h"
#include "email/server.h"

struct imap_transport {
	const char *name;
	/* Logs in to srv (borrowed for the call) and out again, to check an
	 * account: cb once, never before returning. The handle stops it
	 * (mail_probe_cancel) until cb is called. */
	struct mail_probe *(*check)(struct mail_curl *mc, const struct mail_server *srv,
				    const struct mail_probe_opts *o, mail_probe_cb cb, void *ud);
};

/* IMAP over libcurl on the core's loop (curl_loop.h). */
extern const struct imap_transport imap_curl_transport;

#endif
