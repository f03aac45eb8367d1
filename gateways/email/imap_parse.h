/* imap_parse.h - the IMAP responses the gateway reads itself (RFC 9051,
 * RFC 3501): on the IDLE connection, which speaks raw IMAP over
 * curl_easy_send/recv, and in the text libcurl hands back for custom
 * requests (UID SEARCH). Pure functions, no I/O.
 *
 * Only what the watch needs is understood; anything else parses as
 * IMAP_RESP_OTHER. Literals ({n}) are not followed: no response read here
 * carries one that matters, and a line with one is OTHER.
 */
#ifndef XMPPGW_EMAIL_IMAP_PARSE_H
#define XMPPGW_EMAIL_IMAP_PARSE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest response line kept; a longer one is cut there and marked
 * (struct imap_lines.overlong): it parses as OTHER. */
#define IMAP_LINE_MAX 8192
/* The most UIDs one SEARCH answer yields; more are dropped (the answer is
 * known to be cut: imap_search.cut). */
#define IMAP_SEARCH_MAX 100000

enum imap_resp_kind {
	IMAP_RESP_OTHER = 0,
	IMAP_RESP_TAGGED,       /* "<tag> OK|NO|BAD ..." */
	IMAP_RESP_CONTINUE,     /* "+ ..." (IDLE accepted) */
	IMAP_RESP_EXISTS,       /* "* <n> EXISTS" */
	IMAP_RESP_EXPUNGE,      /* "* <n> EXPUNGE" */
	IMAP_RESP_STATUS,       /* "* OK|NO|BAD ..." (with a code, maybe) */
	IMAP_RESP_BYE,          /* "* BYE ..." */
	IMAP_RESP_CAPABILITY,   /* "* CAPABILITY ..." */
	IMAP_RESP_SEARCH,       /* "* SEARCH ..." */
};

enum imap_status { IMAP_STATUS_NONE = 0, IMAP_STATUS_OK, IMAP_STATUS_NO, IMAP_STATUS_BAD };

struct imap_resp {
	enum imap_resp_kind kind;
	char tag[32];             /* TAGGED: the tag */
	enum imap_status status;  /* TAGGED and STATUS */
	uint32_t number;          /* EXISTS, EXPUNGE: the message number */
	/* STATUS and TAGGED: a response code that carries a number, or 0 */
	uint32_t uidvalidity, uidnext;
	bool idle;                /* CAPABILITY (or a [CAPABILITY ...] code): IDLE */
	const char *text;         /* the rest of the line (borrowed from it) */
};

/* Parses one response line (no CRLF). Never fails: what it does not know
 * is OTHER. */
void imap_parse_line(const char *line, struct imap_resp *out);

/* The UIDs of "* SEARCH ..." lines in text (a whole custom-request
 * answer, CRLF-separated), in the order given. */
struct imap_search {
	GArray *uids;  /* uint32_t; new, free with imap_search_free() */
	bool cut;      /* more than IMAP_SEARCH_MAX */
};
void imap_parse_search(const char *text, size_t len, struct imap_search *out);
void imap_search_free(struct imap_search *s);

/* Splits a byte stream into response lines. */
struct imap_lines {
	GString *buf;
	bool overlong;  /* the line being read passed IMAP_LINE_MAX */
};
void imap_lines_init(struct imap_lines *l);
void imap_lines_clear(struct imap_lines *l);
/* Adds bytes read; calls cb for each complete line (CRLF or LF dropped,
 * NUL bytes replaced by spaces, at most IMAP_LINE_MAX bytes; the line is
 * borrowed for the call). A partial line stays buffered. */
void imap_lines_feed(struct imap_lines *l, const char *data, size_t len,
		     void (*cb)(const char *line, bool overlong, void *ud), void *ud);

#endif
