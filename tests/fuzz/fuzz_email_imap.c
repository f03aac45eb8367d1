/* fuzz_email_imap.c - libFuzzer target for the IMAP response parser.
 *
 * The input is a byte stream from an IMAP server: it is split into lines
 * in two uneven pieces (the first byte picks where), each line is parsed,
 * and the whole is read as a SEARCH answer. Every parsed field must stay
 * within its bounds; a line never passes IMAP_LINE_MAX bytes.
 */
#include <assert.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "email/imap_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_line(const char *line, bool overlong, void *ud)
{
	struct imap_resp r;
	assert(strlen(line) <= IMAP_LINE_MAX);
	imap_parse_line(line, &r);
	assert(r.kind <= IMAP_RESP_SEARCH && r.status <= IMAP_STATUS_BAD);
	assert(r.text >= line && r.text <= line + strlen(line));
	assert(strlen(r.tag) < sizeof r.tag);
	if (r.kind == IMAP_RESP_TAGGED)
		assert(r.tag[0] && !strncmp(line, r.tag, strlen(r.tag)));
	(*(size_t *)ud)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_lines l;
	size_t lines = 0;
	if (size < 1)
		return 0;
	size_t cut = data[0] % size;
	imap_lines_init(&l);
	imap_lines_feed(&l, (const char *)data + 1, cut, on_line, &lines);
	imap_lines_feed(&l, (const char *)data + 1 + cut, size - 1 - cut, on_line, &lines);
	assert(lines <= size);
	imap_lines_clear(&l);
	struct imap_search s;
	imap_parse_search((const char *)data, size, &s);
	assert(s.uids->len <= IMAP_SEARCH_MAX);
	for (guint i = 0; i < s.uids->len; i++)
		assert(g_array_index(s.uids, uint32_t, i) != 0);
	imap_search_free(&s);
	return 0;
}
