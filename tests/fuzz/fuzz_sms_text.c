/* fuzz_sms_text.c - libFuzzer target for the SMS text codecs: form bodies
 * (urlform_parse, then a signature over what it parsed) and the GSM-7 /
 * UCS-2 measure of the input when it is valid UTF-8.
 *
 * Parsed pairs never outnumber the bound; the segment count is never below
 * units divided by the per-part size, and one segment holds a text that
 * fits the single-SMS size.
 */
#include <assert.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "sms/gsm7.h"
#include "sms/signature.h"
#include "sms/urlform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_measure(const char *s)
{
	struct gsm7_measure m;
	size_t single, part;

	gsm7_measure(s, &m);
	single = m.coding == GSM7_CODING_GSM7 ? GSM7_SINGLE_SEPTETS : GSM7_SINGLE_UCS2;
	part = m.coding == GSM7_CODING_GSM7 ? GSM7_PART_SEPTETS : GSM7_PART_UCS2;
	assert(m.units >= m.chars && m.units <= 2 * m.chars);
	if (m.units <= single)
		assert(m.segments == 1);
	else
		assert(m.segments >= (m.units + part - 1) / part && m.segments <= m.units);
	assert((m.coding == GSM7_CODING_GSM7) == gsm7_fits(s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GPtrArray *pairs = NULL;
	const char *why = NULL;
	char *s;

	if (urlform_parse((const char *)data, size, &pairs, &why) == GW_OK) {
		char *sig;

		assert(pairs->len <= URLFORM_MAX_PAIRS);
		sig = signature_twilio("token", "https://gw.example/sms", pairs);
		assert(strlen(sig) == 28);
		assert(signature_twilio_verify("token", "https://gw.example/sms", pairs, sig));
		g_free(sig);
		g_ptr_array_unref(pairs);
	} else {
		assert(pairs == NULL && why != NULL);
	}
	s = g_strndup((const char *)data, size);
	if (g_utf8_validate(s, -1, NULL))
		check_measure(s);
	g_free(s);
	return 0;
}
