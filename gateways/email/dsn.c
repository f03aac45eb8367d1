/* dsn.c - reading delivery status notifications (dsn.h). */
#include "email/dsn.h"
#include "email/mime.h"

#include <gmime/gmime.h>
#include <string.h>

void email_dsn_init(struct email_dsn *d)
{
	memset(d, 0, sizeof *d);
	d->ids = g_ptr_array_new_with_free_func(g_free);
}

void email_dsn_clear(struct email_dsn *d)
{
	if (d->ids)
		g_ptr_array_free(d->ids, TRUE);
	g_free(d->recipient);
	g_free(d->action);
	g_free(d->status);
	g_free(d->diagnostic);
	memset(d, 0, sizeof *d);
}

/* value without its "type;" prefix, control characters as spaces,
 * spaces squeezed, trimmed, cut at DSN_TEXT_MAX on a character boundary;
 * NULL when nothing is left. */
static char *clean_value(const char *value, bool typed)
{
	const char *semi = typed ? strchr(value, ';') : NULL;
	char *valid = g_utf8_make_valid(semi ? semi + 1 : value, -1);
	GString *s = g_string_new(NULL);
	for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		size_t n = (size_t)(g_utf8_next_char(p) - p);
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == ' ') {
			if (s->len && s->str[s->len - 1] != ' ')
				g_string_append_c(s, ' ');
			continue;
		}
		if (s->len + n > DSN_TEXT_MAX)
			break;
		g_string_append_len(s, p, (gssize)n);
	}
	g_free(valid);
	g_strstrip(s->str);
	s->len = strlen(s->str);
	return s->len ? g_string_free(s, FALSE) : (g_string_free(s, TRUE), NULL);
}

#define FIELD_LINE_MAX (DSN_TEXT_MAX * 4)

/* One group of fields (a block between blank lines), unfolded. */
struct group {
	char *final_rcpt, *orig_rcpt, *action, *status, *diag, *message_id;
};

static void group_clear(struct group *g)
{
	g_free(g->final_rcpt);
	g_free(g->orig_rcpt);
	g_free(g->action);
	g_free(g->status);
	g_free(g->diag);
	g_free(g->message_id);
	memset(g, 0, sizeof *g);
}

static void set_once(char **slot, const char *value, bool typed)
{
	if (!*slot)
		*slot = clean_value(value, typed);
}

static void field(struct group *g, const char *line)
{
	const char *colon = strchr(line, ':');
	if (!colon)
		return;
	char *name = g_ascii_strdown(line, colon - line);
	g_strstrip(name);
	const char *v = colon + 1;
	if (!strcmp(name, "final-recipient"))
		set_once(&g->final_rcpt, v, true);
	else if (!strcmp(name, "original-recipient"))
		set_once(&g->orig_rcpt, v, true);
	else if (!strcmp(name, "action"))
		set_once(&g->action, v, false);
	else if (!strcmp(name, "status"))
		set_once(&g->status, v, false);
	else if (!strcmp(name, "diagnostic-code"))
		set_once(&g->diag, v, true);
	else if (!strcmp(name, "message-id"))
		set_once(&g->message_id, v, false);
	g_free(name);
}

/* Calls cb for each group of fields in text: lines "Name: value", folded
 * lines (starting with a space or a tab) joined to the one before, groups
 * ending at a blank line. */
static void groups(const char *text, size_t len, void (*cb)(struct group *g, void *ud),
		   void *ud)
{
	struct group g = { 0 };
	if (!text) { /* an empty part's bytes */
		text = "";
		len = 0;
	}
	GString *line = g_string_new(NULL);
	bool any = false;
	const char *p = text, *end = text + len;
	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - p);
		if (n && p[n - 1] == '\r')
			n--;
		bool folded = n && (p[0] == ' ' || p[0] == '\t');
		if (!folded && line->len) {
			field(&g, line->str);
			g_string_truncate(line, 0);
		}
		if (n == 0 || memchr(p, '\0', n)) {
			if (any)
				cb(&g, ud);
			group_clear(&g);
			any = false;
		} else {
			/* a field's first FIELD_LINE_MAX bytes: more is cut in clean_value anyway */
			if (line->len < FIELD_LINE_MAX)
				g_string_append_len(line, p, (gssize)MIN(n, FIELD_LINE_MAX - line->len));
			any = true;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (line->len)
		field(&g, line->str);
	if (any)
		cb(&g, ud);
	group_clear(&g);
	g_string_free(line, TRUE);
}

static bool status_failed(const char *status)
{
	return status && status[0] == '5' && status[1] == '.';
}

static void take(char **slot, char **from)
{
	g_free(*slot);
	*slot = *from;
	*from = NULL;
}

static void recipient(struct group *g, void *ud)
{
	struct email_dsn *d = ud;
	char *rcpt = g->final_rcpt ? g->final_rcpt : g->orig_rcpt;
	if (!rcpt && !g->action && !g->status)
		return; /* the per-message group */
	if (g->status) {
		char *sp = strchr(g->status, ' ');
		if (sp)
			*sp = '\0'; /* "5.1.1 (comment)" */
	}
	bool failed = (g->action && !g_ascii_strcasecmp(g->action, "failed")) ||
		      status_failed(g->status);
	bool first = !d->recipient && !d->action && !d->status;
	if (d->failed || (!failed && !first))
		return;
	d->failed = failed;
	if (g->final_rcpt)
		take(&d->recipient, &g->final_rcpt);
	else
		take(&d->recipient, &g->orig_rcpt);
	take(&d->status, &g->status);
	take(&d->diagnostic, &g->diag);
	if (g->action) {
		char *low = g_ascii_strdown(g->action, -1);
		g_free(g->action);
		g->action = NULL;
		g_free(d->action);
		d->action = low;
	} else {
		g_free(d->action);
		d->action = NULL;
	}
}

void email_dsn_fields(const char *text, size_t len, struct email_dsn *out)
{
	groups(text, len, recipient, out);
}

static void add_id(struct email_dsn *d, const char *id)
{
	if (!id || !*id || strlen(id) > DSN_TEXT_MAX || d->ids->len >= DSN_IDS_MAX)
		return;
	for (guint i = 0; i < d->ids->len; i++)
		if (!strcmp(g_ptr_array_index(d->ids, i), id))
			return;
	g_ptr_array_add(d->ids, g_strdup(id));
}

static void add_refs(struct email_dsn *d, const char *value)
{
	GMimeReferences *refs = value ? g_mime_references_parse(NULL, value) : NULL;
	for (int i = 0; refs && i < g_mime_references_length(refs); i++)
		add_id(d, g_mime_references_get_message_id(refs, i));
	if (refs)
		g_mime_references_free(refs);
}

/* The decoded content of a leaf part, at most DSN_STATUS_MAX bytes. */
static GByteArray *content_of(GMimePart *part)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	if (!dw)
		return NULL;
	GMimeStream *mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(dw, mem);
	GByteArray *ba = g_byte_array_new();
	GByteArray *all = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_byte_array_append(ba, all->data, MIN(all->len, (guint)DSN_STATUS_MAX));
	g_object_unref(mem);
	return ba;
}

static void headers_id(struct group *g, void *ud)
{
	struct email_dsn *d = ud;
	if (g->message_id && d->ids->len == 0) {
		char *id = g_mime_utils_decode_message_id(g->message_id);
		add_id(d, id);
		g_free(id);
	}
}

static void report_part(GMimeObject *part, struct email_dsn *d, bool *status_seen)
{
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	if (GMIME_IS_MESSAGE_PART(part)) {
		GMimeMessage *orig = g_mime_message_part_get_message(GMIME_MESSAGE_PART(part));
		if (orig)
			add_id(d, g_mime_message_get_message_id(orig));
		return;
	}
	if (!GMIME_IS_PART(part))
		return;
	bool status = g_mime_content_type_is_type(ct, "message", "delivery-status") ||
		      g_mime_content_type_is_type(ct, "message", "global-delivery-status");
	bool headers = g_mime_content_type_is_type(ct, "text", "rfc822-headers") ||
		       g_mime_content_type_is_type(ct, "message", "global-headers");
	if ((!status || *status_seen) && !headers)
		return;
	GByteArray *ba = content_of(GMIME_PART(part));
	if (!ba)
		return;
	if (status) {
		*status_seen = true;
		email_dsn_fields((const char *)ba->data, ba->len, d);
	} else {
		groups((const char *)ba->data, ba->len, headers_id, d);
	}
	g_byte_array_unref(ba);
}

static bool is_report(GMimeObject *top)
{
	GMimeContentType *ct = g_mime_object_get_content_type(top);
	if (!GMIME_IS_MULTIPART(top) || !g_mime_content_type_is_type(ct, "multipart", "report"))
		return false;
	const char *rt = g_mime_content_type_get_parameter(ct, "report-type");
	return rt && (!g_ascii_strcasecmp(rt, "delivery-status") ||
		      !g_ascii_strcasecmp(rt, "global-delivery-status"));
}

bool email_dsn_parse(const char *raw, size_t len, struct email_dsn *out)
{
	email_dsn_init(out);
	const char *why = NULL;
	GMimeMessage *msg = email_mime_message(raw, len, &why);
	GMimeObject *top = msg ? g_mime_message_get_mime_part(msg) : NULL;
	bool ok = top && is_report(top);
	if (ok) {
		GMimeMultipart *mp = GMIME_MULTIPART(top);
		bool status_seen = false;
		int n = MIN(g_mime_multipart_get_count(mp), DSN_PARTS_MAX);
		for (int i = 0; i < n; i++)
			report_part(g_mime_multipart_get_part(mp, i), out, &status_seen);
		GMimeObject *o = GMIME_OBJECT(msg);
		add_refs(out, g_mime_object_get_header(o, "In-Reply-To"));
		add_refs(out, g_mime_object_get_header(o, "References"));
		ok = status_seen;
	}
	if (msg)
		g_object_unref(msg);
	if (!ok) {
		email_dsn_clear(out);
		email_dsn_init(out);
	}
	return ok;
}

enum gw_err email_dsn_error(const struct email_dsn *d)
{
	const char *s = d->status;
	return s && s[0] == '5' && !strncmp(s + 1, ".1.", 3) ? GW_ERR_RECIPIENT_REFUSED
							    : GW_ERR_SERVICE_UNAVAILABLE;
}

char *email_dsn_text(const struct email_dsn *d)
{
	const char *who = d->recipient ? d->recipient : "the recipient";
	const char *what = d->failed ? "could not be delivered" : "is not delivered yet";
	if (d->diagnostic)
		return g_strdup_printf("The mail to %s %s: %s", who, what, d->diagnostic);
	if (d->status)
		return g_strdup_printf("The mail to %s %s (status %s)", who, what, d->status);
	return g_strdup_printf("The mail to %s %s", who, what);
}
