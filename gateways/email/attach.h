/* attach.h - e-mail attachments kept on disk and served by the core's
 * HTTP listener (gateway.h, gw_http_mount) under ATTACH_PREFIX.
 *
 * Each attachment within attachment_max_bytes is written to its own file
 * in attachment_dir (mode 0700; files 0600), named by a token of 128
 * random bits from OpenSSL's CSPRNG, and fsync'ed, before the delivery
 * that names it is stored: its row (kind EMAIL_ROW_ATTACH: token -> expiry,
 * type, name) is written in the delivery's own transaction. A crash
 * between the two leaves at most a file with no row, which the sweep
 * removes once it is older than the retention. After the retention, the
 * sweep deletes file and row, and the URL answers 410 (404 once the row is
 * gone, as for any token never given out).
 */
#ifndef XMPPGW_EMAIL_ATTACH_H
#define XMPPGW_EMAIL_ATTACH_H

#include "email/mime.h"
#include "gateway.h"

#define EMAIL_ROW_ATTACH "email-att"

struct email;

/* One attachment of a mail being delivered. */
struct attach_saved {
	char *name;      /* as the mail gives it (or the safe name) */
	char *safe;      /* attach_safe_name() */
	char *token;     /* NULL: not kept (too big, or the write failed) */
	char *url;       /* with token */
	char *type;
	size_t size;
	bool too_big;
};

/* Makes the folder and mounts the handler; arms the sweep. From start(). */
enum gw_err email_attach_start(struct email *em);
void email_attach_stop(struct email *em);

/* Writes each attachment of m within the bound to its file (fsync'ed).
 * Returns new: struct attach_saved * (g_ptr_array_unref). */
GPtrArray *email_attach_save(struct email *em, const struct email_mail *m);
/* The rows of the kept ones, in the caller's transaction. */
enum gw_err email_attach_commit(struct email *em, GPtrArray *saved);
/* A line per attachment for the body: its name, size and URL, or why it
 * was not kept. New ("" for none). */
char *email_attach_lines(struct email *em, GPtrArray *saved, unsigned dropped);
/* Removes what expired now (the sweep's work; for tests too). */
void email_attach_sweep(struct email *em);

#endif
