/* fuzz_sms_urlform.c - libFuzzer target for the webhook body parser (the
 * form a provider posts, urlform.h): any bytes give pairs or a reason,
 * never a crash or a leak; the pairs are bounded in number, every key and
 * value is a NUL-terminated string no longer than the input, and looking a
 * key up finds the first of its pairs.
 */
#include <assert.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "sms/urlform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GPtrArray *pairs = NULL;
	const char *why = NULL;
	if (urlform_parse((const char *)data, size, &pairs, &why) != GW_OK) {
		assert(why && !pairs);
		return 0;
	}
	assert(pairs->len <= URLFORM_MAX_PAIRS);
	for (guint i = 0; i < pairs->len; i++) {
		const struct urlform_pair *p = g_ptr_array_index(pairs, i);
		assert(p->key && p->value);
		assert(strlen(p->key) <= size && strlen(p->value) <= size);
		assert(urlform_get(pairs, p->key) != NULL);
		assert(urlform_count(pairs, p->key) >= 1);
	}
	g_ptr_array_unref(pairs);
	return 0;
}
