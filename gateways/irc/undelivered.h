/* undelivered.h - telling IRC users that what they said did not reach the
 * XMPP users it was for (the gateway's outbox was full), with one NOTICE
 * per sender and server at most every interval, which counts what was
 * missed meanwhile.
 *
 * A failed delivery is added with the sender, the recipient's JID and its
 * IRC nick. The first report waits first_ms, so that what one read of a
 * connection held (and what the fan-out of one channel line to several
 * bridged users missed) is in one NOTICE; later ones come at most every
 * interval_ms. A NOTICE lists each recipient's count:
 *   "... 7 of your messages to alice, 3 to carol. ..."
 * It goes out on the connection of one of the recipients (send). Every
 * report is logged once, with its count; what could not be reported is
 * logged too. */
#ifndef XMPPGW_IRC_UNDELIVERED_H
#define XMPPGW_IRC_UNDELIVERED_H

#include "gateway.h"

/* Senders with a report pending or within their interval, at most; a
 * sender beyond is logged only. */
#define IRC_UNDELIVERED_SENDERS_MAX 1000
/* Recipients a NOTICE names; more are summed up as "N to M others". */
#define IRC_UNDELIVERED_NAMED_MAX 10

struct irc_undelivered;

/* Sends text (one line) as a NOTICE to sender on server from the IRC
 * connection of the XMPP user jid. false: that connection cannot send now
 * (the next recipient's is tried). */
typedef bool (*irc_undelivered_send_fn)(void *ud, const char *jid, const char *server,
					const char *sender, const char *text);

/* Returns new; free with irc_undelivered_free(). */
struct irc_undelivered *irc_undelivered_new(unsigned first_ms, unsigned interval_ms,
					    irc_undelivered_send_fn send, void *ud);
/* Drops what was not reported yet (logged). */
void irc_undelivered_free(struct irc_undelivered *u);
/* One message from sender on server did not reach jid, whose nick there is
 * nick. Borrows all. */
void irc_undelivered_add(struct irc_undelivered *u, const char *server, const char *sender,
			 const char *jid, const char *nick);
/* The text of a NOTICE for these counts (nicks[i] missed counts[i]
 * messages, n of them). Returns new; caller frees. */
char *irc_undelivered_text(const char *const *nicks, const unsigned *counts, size_t n);

#endif
