/* text.h - the one sanitiser for text that comes from another network.
 *
 * Every string a backend hands the core (message bodies, subjects, status
 * texts, nicks, display names, legacy addresses) passes through
 * text_sanitize() before it enters a stanza. A control character or a stray
 * Latin-1 byte in a stanza makes the XMPP server close the whole component
 * link, for every user.
 */
#ifndef XMPPGW_TEXT_H
#define XMPPGW_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Returns new valid UTF-8 that XML 1.0 accepts; caller frees.
 * - in is len bytes (len < 0: NUL-terminated). A NUL byte inside is dropped.
 * - Valid UTF-8 sequences are kept. Each byte that is not part of a valid
 *   sequence is decoded as Windows-1252 (Latin-1 where CP1252 leaves a hole).
 * - Characters XML 1.0 forbids are dropped: C0 controls other than TAB, LF
 *   and CR, U+FFFE, U+FFFF, and surrogates. CR LF becomes LF; a lone CR
 *   becomes LF.
 * - The result is cut to at most max_bytes bytes on a character boundary
 *   (max_bytes 0: no limit). NULL in gives NULL out. */
char *text_sanitize(const char *in, ssize_t len, size_t max_bytes);

/* true when s is valid UTF-8 holding no character that XML 1.0 forbids. Used
 * to validate what XMPP users submit. */
bool text_is_clean(const char *s);

/* Number of Unicode characters in valid UTF-8 s. */
size_t text_char_count(const char *s);

#endif
