/* redact.h - what the debug log may show of a line sent to an IRC server:
 * the line itself, except the secrets some commands carry. Pure. */
#ifndef XMPPGW_IRC_REDACT_H
#define XMPPGW_IRC_REDACT_H

#include <stddef.h>

/* The loggable form of one outgoing line (len bytes, CR LF excluded).
 * Hidden, as "<hidden>": the parameters of PASS and OPER; AUTHENTICATE's
 * payload (a mechanism name, "*" and "+" are kept); everything after the
 * service command of a message to a services nick (NickServ, NS, ChanServ,
 * CS, HostServ, Q@CServe..., any nick ending in "Serv"), and the parameters
 * of the services aliases (NICKSERV, NS, CHANSERV, CS, IDENTIFY, LOGIN).
 * Returns new. */
char *irc_line_for_log(const char *line, size_t len);

#endif
