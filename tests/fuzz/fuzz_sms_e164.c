/* fuzz_sms_e164.c - libFuzzer target for the SMS address rules.
 *
 * The first byte picks a default country (none, 1, 44, 39); the rest, up to
 * its first NUL, is what a user typed or a provider reported. Whatever
 * e164_normalize() accepts must be a valid legacy number, and whatever
 * e164_from_sender() accepts must check back as a legacy address; any text
 * may be handed to e164_check_legacy().
 */
#include <assert.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "sms/e164.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const countries[] = { NULL, "1", "44", "39" };
#define DOMAIN "sms.example.org"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *cc, *why = NULL;
	char *s, *out = NULL;
	enum e164_kind kind;

	if (size < 1)
		return 0;
	cc = countries[data[0] % G_N_ELEMENTS(countries)];
	s = g_strndup((const char *)data + 1, size - 1);
	/* backends only ever get valid UTF-8 */
	if (!g_utf8_validate(s, -1, NULL))
		goto out;
	if (e164_normalize(s, cc, &out, &why) == GW_OK) {
		assert(e164_check_legacy(out, DOMAIN, &kind, &why) == GW_OK);
		assert(kind == E164_KIND_NUMBER);
		g_free(out);
	} else {
		assert(out == NULL && why != NULL);
	}
	if (e164_from_sender(s, cc, DOMAIN, &out, &why) == GW_OK) {
		assert(e164_check_legacy(out, DOMAIN, &kind, &why) == GW_OK);
		g_free(out);
	} else {
		assert(out == NULL && why != NULL);
	}
	if (e164_check_legacy(s, DOMAIN, &kind, &why) != GW_OK)
		assert(why != NULL);
out:
	g_free(s);
	return 0;
}
