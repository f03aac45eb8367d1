/* watch.h - the IMAP IDLE watch of one account's folder.
 *
 * libcurl has no IDLE, so the watch is a CONNECT_ONLY transfer (libcurl
 * does the greeting, STARTTLS and the login, on the loop) whose socket the
 * watch then reads and writes itself with curl_easy_recv/curl_easy_send
 * (TLS still by libcurl): CAPABILITY, SELECT, then IDLE, re-issued every
 * idle_reissue_s (29 minutes, RFC 2177). A server whose capabilities lack
 * IDLE is polled instead: every poll_interval_s a NOOP on the watch's
 * connection and a fetch round. The transfer stays in the multi handle while it is used.
 * "* n EXISTS" starts a fetch round on a second connection (fetch.h);
 * mail that came while there was no watch is fetched once the folder is
 * selected. A new folder (no stored state, or another UIDVALIDITY) starts
 * from its UIDNEXT: mail already there is not delivered.
 *
 * When the connection fails or the server ends it, the watch reconnects
 * after a jittered backoff (backoff.h: reconnect_min_s doubling to
 * reconnect_max_s), its connects paced with every other account's
 * (email_pace, pace.c). It runs for as long as the registration does (accounts.c),
 * whether the user is online or not. Its state is the gateway JID's
 * presence for the user: online while it is up, xa with the reason (and
 * until when it waits) while it is down.
 */
#ifndef XMPPGW_EMAIL_WATCH_H
#define XMPPGW_EMAIL_WATCH_H

#include "email/email.h"

struct email_watch;

/* Starts watching for jid, whose registration is reg (borrowed for the
 * call). NULL, logged, when reg cannot be watched (a server the policy no
 * longer allows). */
struct email_watch *email_watch_start(struct email *em, const char *jid, GHashTable *reg);
void email_watch_stop(struct email_watch *w);
/* Whether w is up; *status (borrowed until w changes) says why not. */
bool email_watch_up(struct email_watch *w, const char **status);
/* The last failure, in words with its time (borrowed until w changes), or
 * NULL when there was none since the watch started. */
const char *email_watch_last_error(struct email_watch *w);
/* A watch waiting in its back-off connects now (paced); false when it is
 * not waiting (up, or connecting). */
bool email_watch_kick(struct email_watch *w);

#endif
