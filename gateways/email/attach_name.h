/* attach_name.h - the names an attachment is served under: its file name
 * made safe for a URL path and a header, its token, its URL path, its
 * Content-Type and Content-Disposition. Pure, no I/O.
 */
#ifndef XMPPGW_EMAIL_ATTACH_NAME_H
#define XMPPGW_EMAIL_ATTACH_NAME_H

#include <stdbool.h>
#include <stddef.h>

#define ATTACH_PREFIX "/email/att/"  /* the mount on the core's listener */
#define ATTACH_TOKEN_BYTES 16         /* 128 bits from a CSPRNG */
#define ATTACH_TOKEN_LEN (2 * ATTACH_TOKEN_BYTES)
#define ATTACH_NAME_MAX 100           /* bytes of a safe name */

/* The last path element of name (after '/' or '\'), with every byte
 * outside [A-Za-z0-9._-] replaced by '_' (a run of them by one), leading
 * dots and '_' dropped, at most ATTACH_NAME_MAX bytes with its extension
 * kept; "attachment" when nothing is left (or name is NULL). New. */
char *attach_safe_name(const char *name);

/* Whether s is ATTACH_TOKEN_LEN lower-case hex digits. */
bool attach_token_valid(const char *s, size_t len);

/* ATTACH_PREFIX token "/" safe_name. New. */
char *attach_url_path(const char *token, const char *safe_name);
/* Splits a requested path ATTACH_PREFIX token "/" name: false when it is not
 * one (a bad token, no name, more elements). *token and *name point into
 * path; *token_len is ATTACH_TOKEN_LEN. */
bool attach_parse_path(const char *path, const char **token, const char **name);

/* type if it is a plain "type/subtype" of token characters (lower case),
 * else application/octet-stream. New. */
char *attach_content_type(const char *type);
/* attachment; filename="safe_name". New. */
char *attach_disposition(const char *safe_name);

#endif
