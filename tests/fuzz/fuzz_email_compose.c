/* fuzz_email_compose.c - libFuzzer target for the mail header builder.
 *
 * The input is split at NUL bytes into the values an XMPP user or a
 * received mail controls: subject, thread subject, In-Reply-To,
 * References, body, recipient, JID. Whatever email_compose() builds must
 * have a header block of known fields only, each line a field or a folded
 * continuation, with no bare CR or LF: no value can add a header.
 */
#include <assert.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "email/compose.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const known[] = {
	"from", "to", "subject", "date", "message-id", "x-originating-jid", "in-reply-to",
	"references", "mime-version", "content-type", "content-transfer-encoding",
};

static void check_headers(const char *raw)
{
	const char *end = strstr(raw, "\r\n\r\n");
	assert(end);
	for (const char *p = raw; p < end; p++) {
		if (*p == '\r')
			assert(p[1] == '\n');
		if (*p == '\n')
			assert(p > raw && p[-1] == '\r');
	}
	char *block = g_strndup(raw, (size_t)(end - raw));
	char **lines = g_strsplit(block, "\r\n", -1);
	for (char **l = lines; *l; l++) {
		if (**l == ' ' || **l == '\t')
			continue;
		const char *colon = strchr(*l, ':');
		assert(colon);
		char *name = g_ascii_strdown(*l, colon - *l);
		bool ok = false;
		for (size_t i = 0; i < G_N_ELEMENTS(known) && !ok; i++)
			ok = !strcmp(name, known[i]);
		assert(ok);
		g_free(name);
	}
	g_strfreev(lines);
	g_free(block);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *v[7] = { NULL };
	char *copy = g_malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = 0;
	size_t n = 0;
	const char *p = copy;
	while (n < G_N_ELEMENTS(v) && p <= copy + size) {
		v[n++] = p;
		p += strlen(p) + 1;
	}
	struct email_compose c = {
		.from = "alice@example.test", .to = "bob@example.com", .jid = "alice@xmpp.test",
		.domain = "email.example.org", .date = 1700000000, .default_subject = "x",
		.subject = v[0], .thread_subject = v[1], .in_reply_to = v[2], .references = v[3],
		.body = v[4] ? v[4] : "",
	};
	if (v[5] && *v[5])
		c.to = v[5];
	if (v[6] && *v[6])
		c.jid = v[6];
	char *raw = NULL, *id = NULL;
	const char *why = NULL;
	if (email_compose(&c, &raw, &id, &why) == GW_OK) {
		check_headers(raw);
		assert(email_msgid_is_ours(id, c.domain));
	} else {
		assert(!raw && why);
	}
	g_free(raw);
	g_free(id);
	char *t = email_thread_id(v[3], v[2], v[0]);
	if (t)
		assert(!strpbrk(t, "\r\n <>"));
	g_free(t);
	g_free(copy);
	return 0;
}
