/* text.h - IRC text: formatting codes, CTCP, case mapping, and splitting
 * XMPP bodies into IRC lines. Pure functions. */
#ifndef XMPPGW_IRC_TEXT_H
#define XMPPGW_IRC_TEXT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Removes mIRC formatting: \x02 bold, \x03 colour (with up to two digits
 * of foreground and ",bg" of up to two digits), \x04 hex colour (six hex
 * digits, optional ",RRGGBB"), \x0f reset, \x11 monospace, \x16 reverse,
 * \x1d italic, \x1e strike-through, \x1f underline. Works on bytes, so it
 * is safe before decoding. Returns new. */
char *irc_strip_format(const char *s);
/* IRC takes one line: line breaks become spaces. Returns new. */
char *irc_one_line(const char *s);

/* CTCP: text starting with \x01. On true, *cmd is the upper-cased command
 * and *args the rest (both new; args "" when none); a missing closing \x01
 * is tolerated. */
bool irc_ctcp_parse(const char *text, char **cmd, char **args);
/* "\x01CMD args\x01" (args may be NULL). Returns new. */
char *irc_ctcp_build(const char *cmd, const char *args);

enum irc_casemap {
	IRC_CASEMAP_RFC1459 = 0,   /* the default: A-Z [ \ ] ^ fold to a-z { | } ~ */
	IRC_CASEMAP_STRICT_RFC1459,/* the same without ^ ~ */
	IRC_CASEMAP_ASCII,         /* A-Z only */
};
/* Parses an ISUPPORT CASEMAPPING value; false (and *out unchanged) when
 * unknown. */
bool irc_casemap_parse(const char *name, enum irc_casemap *out);
/* The folded form of s (new). */
char *irc_casefold(enum irc_casemap map, const char *s);
bool irc_caseeq(enum irc_casemap map, const char *a, const char *b);

/* Splits an XMPP body into IRC message payloads of at most max_bytes bytes
 * each: at line breaks first (CR, CR LF, LF), dropping NUL and empty lines,
 * then long lines at the last space that fits, else at a UTF-8 character
 * boundary. Returns a new array of new strings; NULL, with *lines set to how
 * many lines it would take, when that is more than max_lines (0: no
 * limit). A body with nothing to send gives an empty array. max_bytes
 * must hold one UTF-8 character (>= 4); less is a programmer error. */
GPtrArray *irc_split(const char *body, size_t max_bytes, size_t max_lines, size_t *lines);

#endif
