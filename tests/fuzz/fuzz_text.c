/* fuzz_text.c - libFuzzer target for text_sanitize().
 *
 * The first two bytes choose max_bytes (0: no limit); the rest is the text.
 * The output must be clean XML text no longer than max_bytes, and
 * sanitising it again must change nothing but CR.
 */
#include <assert.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t max_bytes;
	char *out, *again;

	if (size < 2)
		return 0;
	max_bytes = ((size_t)data[0] << 8 | data[1]) % 1024;
	out = text_sanitize((const char *)data + 2, (ssize_t)(size - 2), max_bytes);
	assert(out != NULL);
	assert(text_is_clean(out));
	assert(max_bytes == 0 || strlen(out) <= max_bytes);
	assert(strchr(out, '\r') == NULL);
	again = text_sanitize(out, -1, 0);
	assert(strcmp(out, again) == 0);
	assert(text_char_count(out) <= strlen(out));
	g_free(again);
	g_free(out);
	return 0;
}
