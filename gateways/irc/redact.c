/* redact.c - the secrets a line to an IRC server must not take to the log.
 *
 * Passwords reach an IRC server in a handful of commands: PASS and OPER,
 * the SASL payload, and a message to a services bot (IDENTIFY, REGISTER,
 * GHOST, SET PASSWORD, ...), the last also from a raw line a user sends to
 * the server JID. The log keeps the command and the target, so a debug log
 * still shows what was sent, but not the words after them. Hiding a whole
 * message to services is deliberate: their commands put passwords in
 * different places, and nothing else said to them matters for debugging.
 */
#include "redact.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

#define HIDDEN "<hidden>"

/* Splits off the next space-separated word at *p; its length. */
static size_t word(const char **p, const char *end, const char **start)
{
	while (*p < end && **p == ' ')
		(*p)++;
	*start = *p;
	while (*p < end && **p != ' ')
		(*p)++;
	return (size_t)(*p - *start);
}

static bool word_is(const char *w, size_t n, const char *s)
{
	return strlen(s) == n && !g_ascii_strncasecmp(w, s, n);
}

/* A nick that is a services bot: NS, CS, Q, X, or any nick ending in
 * "serv", with an "@server" suffix allowed (Q@CServe.quakenet.org). */
static bool is_services(const char *w, size_t n)
{
	const char *at = memchr(w, '@', n);
	if (at)
		n = (size_t)(at - w);
	static const char *const short_names[] = { "NS", "CS", "Q", "X", "AuthServ", NULL };
	for (const char *const *s = short_names; *s; s++)
		if (word_is(w, n, *s))
			return true;
	return n > 4 && !g_ascii_strncasecmp(w + n - 4, "serv", 4);
}

/* AUTHENTICATE's parameters that are not the secret: mechanism names and
 * the protocol's markers. */
static bool is_auth_marker(const char *w, size_t n)
{
	if (word_is(w, n, "*") || word_is(w, n, "+"))
		return true;
	static const char *const mechs[] = { "PLAIN", "EXTERNAL", "SCRAM-SHA-1", "SCRAM-SHA-256",
					     "SCRAM-SHA-512", "ECDSA-NIST256P-CHALLENGE", NULL };
	for (const char *const *m = mechs; *m; m++)
		if (word_is(w, n, *m))
			return true;
	return false;
}

/* The line up to keep, then HIDDEN. */
static char *cut(const char *line, const char *keep_end)
{
	return g_strdup_printf("%.*s " HIDDEN, (int)(keep_end - line), line);
}

char *irc_line_for_log(const char *line, size_t len)
{
	const char *p = line, *end = line + len, *w;
	size_t n = word(&p, end, &w);
	if (n && (*w == '@' || *w == ':')) /* tags or a source: skip them */
		n = word(&p, end, &w);
	if (n && *w == ':')
		n = word(&p, end, &w);
	const char *after_cmd = p;
	const char *arg;
	size_t an = word(&p, end, &arg);
	if (!an)
		return g_strndup(line, len);
	if (word_is(w, n, "PASS") || word_is(w, n, "OPER"))
		return cut(line, after_cmd);
	if (word_is(w, n, "AUTHENTICATE"))
		return is_auth_marker(arg, an) ? g_strndup(line, len) : cut(line, after_cmd);
	static const char *const aliases[] = { "NICKSERV", "NS", "CHANSERV", "CS", "HOSTSERV",
					       "IDENTIFY", "LOGIN", NULL };
	for (const char *const *a = aliases; *a; a++)
		if (word_is(w, n, *a))
			return cut(line, after_cmd);
	if ((word_is(w, n, "PRIVMSG") || word_is(w, n, "NOTICE") || word_is(w, n, "SQUERY")) &&
	    is_services(arg, an))
		return cut(line, p);
	return g_strndup(line, len);
}
