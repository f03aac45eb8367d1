/* fuzz_email_html.c - libFuzzer target for the HTML-to-text converter.
 *
 * Any bytes are HTML (the first byte also picks the bound). The text stays
 * within its bound, and is valid UTF-8 whenever the input is (and has no
 * NUL).
 */
#include <assert.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "email/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t max = size ? data[0] * 16u : 0;
	char *t = email_html_to_text((const char *)data, size, max);
	assert(strlen(t) <= max);
	if (g_utf8_validate((const char *)data, (gssize)size, NULL) && !memchr(data, 0, size))
		assert(g_utf8_validate(t, -1, NULL));
	g_free(t);
	t = email_html_to_text((const char *)data, size, 1u << 20);
	assert(strlen(t) <= 1u << 20);
	g_free(t);
	return 0;
}
