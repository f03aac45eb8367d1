/* html.h - HTML to readable plain text, for mail that has no text/plain
 * part. Pure: no I/O, no allocation but the result.
 *
 * - Tags are dropped; the content of <script>, <style>, <title> and
 *   <head>-only elements like them is dropped with them, as are comments.
 * - Block elements (p, div, li, tr, h1-h6, blockquote, ...) and <br>
 *   become line breaks: at most one blank line in a row; an <li> starts
 *   with "- ". Other runs of white space become one space; <pre> keeps its
 *   own.
 * - Entities are decoded: the common named ones and every numeric one (a
 *   code point that cannot be a character becomes U+FFFD); an unknown one
 *   stays as written.
 * - A link keeps its target as text: "label (url)", once when the label is
 *   the url itself (or its address, for mailto:).
 * - The result holds at most max bytes (cut at a character boundary).
 *   Bytes pass as they are: valid UTF-8 in gives valid UTF-8 out.
 */
#ifndef XMPPGW_EMAIL_HTML_H
#define XMPPGW_EMAIL_HTML_H

#include <stddef.h>

#define HTML_URL_MAX 2048 /* bytes of a link target kept; longer ones are dropped */

/* The text of html (len bytes, NULs allowed: taken as spaces). Never
 * NULL; g_free() it. */
char *email_html_to_text(const char *html, size_t len, size_t max);

#endif
