/* isupport.h - what the server says about itself in RPL_ISUPPORT (005). */
#ifndef XMPPGW_IRC_ISUPPORT_H
#define XMPPGW_IRC_ISUPPORT_H

#include "line.h"
#include "text.h"

struct irc_isupport {
	char *prefix_modes;   /* "ov" */
	char *prefix_chars;   /* "@+" */
	char *chantypes;      /* "#&" */
	char *chanmodes;      /* CHANMODES "A,B,C,D": "b,k,l,imnpst" */
	char *network;        /* NETWORK, or NULL */
	enum irc_casemap casemap;
	int nicklen;          /* 0: unknown */
	int linelen;          /* bytes with CRLF; IRC_LINELEN_DEFAULT */
	int monitor;          /* -1: no MONITOR; 0: no limit; n: limit */
	bool whox;
};

/* The defaults before any 005: PREFIX=(ov)@+, CHANTYPES=#&,
 * CHANMODES=b,k,l,imnpst, rfc1459. */
void irc_isupport_init(struct irc_isupport *is);
void irc_isupport_clear(struct irc_isupport *is);
/* Applies the tokens of one 005 message (params 1..n-1; the last is the
 * human text). "-TOKEN" restores the default. Unknown tokens are ignored;
 * malformed values keep the previous value. */
void irc_isupport_apply(struct irc_isupport *is, const struct irc_msg *m);
/* The prefix character of a mode ('o' -> '@'), or 0. */
char irc_isupport_prefix_of(const struct irc_isupport *is, char mode);

/* Whether name is a channel: it starts with one of CHANTYPES. */
bool irc_isupport_is_channel(const struct irc_isupport *is, const char *name);
/* The CHANMODES type of a channel mode: 'A' (a list: always a parameter),
 * 'B' (always one), 'C' (one when set), 'D' (never), 'P' for a PREFIX
 * mode (always one); 'D' for a mode the server did not name. */
char irc_isupport_mode_type(const struct irc_isupport *is, char mode);

#endif
