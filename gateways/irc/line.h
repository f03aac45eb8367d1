/* line.h - IRC message parsing and serialising (RFC 1459/2812 framing with
 * IRCv3 message tags). Pure functions, no I/O, no fixed parameter count. */
#ifndef XMPPGW_IRC_LINE_H
#define XMPPGW_IRC_LINE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Longest received line accepted, tags included, CRLF excluded. */
#define IRC_LINE_MAX 16384
/* RFC 1459 line length without tags, CRLF included, unless ISUPPORT says
 * LINELEN. */
#define IRC_LINELEN_DEFAULT 512

struct irc_msg {
	char *tags;        /* raw tag section without the '@', or NULL */
	char *source;      /* whole prefix without ':', or NULL */
	char *nick;        /* prefix parts; a server prefix has only nick */
	char *user;
	char *host;
	char *command;     /* upper-cased ASCII; numerics as 3 digits */
	GPtrArray *params; /* char *, the trailing one last, never NULL */
};

/* Parses one line (no CR/LF; len bytes; may hold any other byte). Returns
 * false on a line with no command, or longer than IRC_LINE_MAX. out is
 * always initialised; clear it with irc_msg_clear(). */
bool irc_parse(const char *line, size_t len, struct irc_msg *out);
void irc_msg_clear(struct irc_msg *m);
/* Parameter i, or NULL when absent. Borrowed. */
const char *irc_param(const struct irc_msg *m, guint i);
/* The unescaped value of tag key (IRCv3 escaping), "" for a tag without
 * value, or NULL when absent. Returns new; caller frees. */
char *irc_tag(const struct irc_msg *m, const char *key);

/* Serialises COMMAND with n params into a new "COMMAND p1 p2 :last\r\n".
 * Returns NULL (nothing is sent) when a parameter holds CR, LF or NUL, when
 * a parameter other than the last is empty, starts with ':' or holds a
 * space, or when the line would exceed max bytes with CRLF (max 0:
 * IRC_LINELEN_DEFAULT). The last parameter gets a ':' when it needs one. */
char *irc_build(size_t max, const char *command, const char *const *params, size_t n);
/* The same with a NULL-terminated list of parameters. */
char *irc_buildl(size_t max, const char *command, ...) G_GNUC_NULL_TERMINATED;

#endif
