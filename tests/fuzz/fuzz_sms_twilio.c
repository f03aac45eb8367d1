/* fuzz_sms_twilio.c - libFuzzer target for what a Twilio-style provider
 * answers: the input is taken as the JSON body of an answer to a send with
 * a few HTTP statuses (and its first bytes as Retry-After), as an error
 * answer, and as a phone-number listing.
 *
 * An answer is either a message with an id or an error with a reason; a
 * 429's wait is bounded; nothing crashes or leaks.
 */
#include <assert.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "sms/twilio_api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned statuses[] = { 200, 201, 400, 401, 429, 500 };
	const char *body = (const char *)data;
	char *retry = g_strndup(body, size < 8 ? size : 8);
	for (size_t i = 0; i < G_N_ELEMENTS(statuses); i++) {
		struct twilio_message msg;
		unsigned ra;
		char *why = NULL;
		enum gw_err err = twilio_parse_send(statuses[i], retry, body, size, &msg, &ra, &why);
		if (err == GW_OK)
			assert(msg.sid && *msg.sid && !why);
		else
			assert(!msg.sid && why && *why);
		assert(ra <= 3600);
		twilio_message_clear(&msg);
		g_free(why);
	}
	char *why = NULL;
	enum gw_err err = twilio_error(400, body, size, &why);
	assert(err != GW_OK && why);
	g_free(why);
	(void)twilio_number_listed(body, size, "+15551234567");
	char *code = g_strndup(body, size < 32 ? size : 32);
	char *reason = twilio_delivery_error(code);
	assert(reason && g_str_has_prefix(reason, "not delivered"));
	g_free(reason);
	g_free(code);
	g_free(retry);
	return 0;
}
