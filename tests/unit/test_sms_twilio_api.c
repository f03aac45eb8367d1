/* test_sms_twilio_api.c - the Twilio-style REST API without I/O: paths,
 * auth, send bodies, answers to sends (with every mapped error code), the
 * number lookup, statuses and delivery errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "sms/twilio_api.h"

#define SID "AC0123456789abcdef0123456789abcdef"

static void test_sid_paths_auth(void **state)
{
	assert_true(twilio_sid_ok(SID));
	assert_false(twilio_sid_ok("AC0123"));
	assert_false(twilio_sid_ok("XX0123456789abcdef0123456789abcdef"));
	assert_false(twilio_sid_ok("AC0123456789abcdef0123456789abcdeg"));
	assert_false(twilio_sid_ok(NULL));
	char *p = twilio_messages_path(SID);
	assert_string_equal(p, "/2010-04-01/Accounts/" SID "/Messages.json");
	g_free(p);
	p = twilio_account_path(SID);
	assert_string_equal(p, "/2010-04-01/Accounts/" SID ".json");
	g_free(p);
	p = twilio_number_path(SID, "+15551234567");
	/* a raw '+' would decode to a space */
	assert_string_equal(p, "/2010-04-01/Accounts/" SID
			       "/IncomingPhoneNumbers.json?PhoneNumber=%2B15551234567");
	g_free(p);
	p = twilio_basic_auth("AC1", "tok:en");
	gsize n;
	guchar *raw = g_base64_decode(p + strlen("Basic "), &n);
	assert_true(g_str_has_prefix(p, "Basic "));
	assert_int_equal(n, strlen("AC1:tok:en"));
	assert_memory_equal(raw, "AC1:tok:en", n);
	g_free(raw);
	g_free(p);
}

static void test_send_body(void **state)
{
	const char *media[] = { "https://x.example/a.jpg?s=1&t=2", "https://x.example/b.png" };
	struct twilio_send m = { .to = "+15551234567", .from = "+15557654321",
				 .body = "hi & bye = 100% \xe2\x82\xac", .media = media,
				 .n_media = 2, .status_callback = "https://gw.example/cb?k=1" };
	char *b = twilio_send_body(&m);
	assert_string_equal(b, "To=%2B15551234567&From=%2B15557654321"
			       "&Body=hi%20%26%20bye%20%3D%20100%25%20%E2%82%AC"
			       "&MediaUrl=https%3A%2F%2Fx.example%2Fa.jpg%3Fs%3D1%26t%3D2"
			       "&MediaUrl=https%3A%2F%2Fx.example%2Fb.png"
			       "&StatusCallback=https%3A%2F%2Fgw.example%2Fcb%3Fk%3D1");
	g_free(b);
	struct twilio_send bare = { .to = "+1", .from = "+2" };
	b = twilio_send_body(&bare);
	assert_string_equal(b, "To=%2B1&From=%2B2");
	g_free(b);
}

static void test_parse_send_ok(void **state)
{
	struct twilio_message msg;
	unsigned ra;
	char *why;
	const char *ok = "{\"sid\":\"SM0123\",\"status\":\"queued\",\"num_segments\":\"3\"}";
	assert_int_equal(twilio_parse_send(201, NULL, ok, strlen(ok), &msg, &ra, &why), GW_OK);
	assert_string_equal(msg.sid, "SM0123");
	assert_string_equal(msg.status, "queued");
	assert_int_equal(msg.segments, 3);
	assert_null(why);
	twilio_message_clear(&msg);
	const char *num = "{\"sid\":\"SM9\",\"num_segments\":2}";
	assert_int_equal(twilio_parse_send(200, NULL, num, strlen(num), &msg, &ra, &why), GW_OK);
	assert_int_equal(msg.segments, 2);
	assert_null(msg.status);
	twilio_message_clear(&msg);
	/* 2xx without an id: it reached the provider, so an error, never a resend */
	const char *bad[] = { "{}", "not json", "[1]", "{\"sid\":5}", "" };
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		assert_int_equal(twilio_parse_send(201, NULL, bad[i], strlen(bad[i]), &msg, &ra,
						   &why), GW_ERR_SERVICE_UNAVAILABLE);
		assert_non_null(why);
		assert_null(msg.sid);
		g_free(why);
	}
}

static void test_parse_send_errors(void **state)
{
	static const struct {
		unsigned http;
		const char *retry_after, *body;
		enum gw_err err;
		const char *why_has;
		unsigned retry;
	} cases[] = {
		{ 401, NULL, "{\"code\":20003,\"message\":\"Authenticate\"}", GW_ERR_NOT_AUTHORIZED,
		  "20003", 0 },
		{ 400, NULL, "{\"code\":21211,\"message\":\"Invalid To\"}", GW_ERR_NOT_FOUND,
		  "phone number", 0 },
		{ 400, NULL, "{\"code\":21610}", GW_ERR_FORBIDDEN, "opted out", 0 },
		{ 400, NULL, "{\"code\":21606}", GW_ERR_FORBIDDEN, "from this number", 0 },
		{ 400, NULL, "{\"code\":21617}", GW_ERR_NOT_ACCEPTABLE, "too long", 0 },
		{ 429, "7", "{\"code\":20429}", GW_ERR_RESOURCE_CONSTRAINT, "throttling", 7 },
		{ 429, "soon", "", GW_ERR_RESOURCE_CONSTRAINT, "HTTP 429", 0 },
		{ 429, "99999", "x", GW_ERR_RESOURCE_CONSTRAINT, "throttling", 0 },
		{ 400, NULL, "{\"code\":29999}", GW_ERR_NOT_ACCEPTABLE, "29999", 0 },
		{ 400, NULL, "{\"code\":\"21610\"}", GW_ERR_FORBIDDEN, "opted out", 0 },
		{ 404, NULL, "nope", GW_ERR_NOT_FOUND, "HTTP 404", 0 },
		{ 403, NULL, NULL, GW_ERR_FORBIDDEN, "HTTP 403", 0 },
		{ 500, NULL, "{\"code\":20500}", GW_ERR_SERVICE_UNAVAILABLE, "20500", 0 },
		{ 503, NULL, "<html>", GW_ERR_SERVICE_UNAVAILABLE, "HTTP 503", 0 },
		{ 302, NULL, "", GW_ERR_SERVICE_UNAVAILABLE, "HTTP 302", 0 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct twilio_message msg;
		unsigned ra = 42;
		char *why = NULL;
		const char *b = cases[i].body;
		enum gw_err err = twilio_parse_send(cases[i].http, cases[i].retry_after, b,
						    b ? strlen(b) : 0, &msg, &ra, &why);
		if (err != cases[i].err || !why || !strstr(why, cases[i].why_has) ||
		    ra != cases[i].retry)
			fail_msg("case %zu: err %d why %s retry %u", i, err, why ? why : "(null)",
				 ra);
		assert_null(msg.sid);
		g_free(why);
	}
}

static void test_number_listed(void **state)
{
	const char *list = "{\"incoming_phone_numbers\":[{\"phone_number\":\"+15550000000\"},"
			   "{\"phone_number\":\"+15551234567\"}],\"page\":0}";
	assert_true(twilio_number_listed(list, strlen(list), "+15551234567"));
	assert_false(twilio_number_listed(list, strlen(list), "+15559999999"));
	const char *none = "{\"incoming_phone_numbers\":[]}";
	assert_false(twilio_number_listed(none, strlen(none), "+15551234567"));
	const char *odd[] = { "{\"incoming_phone_numbers\":{}}", "[]", "",
			      "{\"incoming_phone_numbers\":[1,\"x\",{\"phone_number\":5}]}" };
	for (size_t i = 0; i < G_N_ELEMENTS(odd); i++)
		assert_false(twilio_number_listed(odd[i], strlen(odd[i]), "+15551234567"));
	/* only the given length is read */
	assert_false(twilio_number_listed(list, 10, "+15551234567"));
}

static void test_statuses(void **state)
{
	assert_int_equal(twilio_status_parse("queued"), TWILIO_STATUS_PENDING);
	assert_int_equal(twilio_status_parse("sent"), TWILIO_STATUS_SENT);
	assert_int_equal(twilio_status_parse("delivered"), TWILIO_STATUS_DELIVERED);
	assert_int_equal(twilio_status_parse("read"), TWILIO_STATUS_DELIVERED);
	assert_int_equal(twilio_status_parse("undelivered"), TWILIO_STATUS_FAILED);
	assert_int_equal(twilio_status_parse("failed"), TWILIO_STATUS_FAILED);
	assert_int_equal(twilio_status_parse("Delivered"), TWILIO_STATUS_OTHER);
	assert_int_equal(twilio_status_parse(NULL), TWILIO_STATUS_OTHER);
	char *w = twilio_delivery_error("30003");
	assert_non_null(strstr(w, "unreachable"));
	g_free(w);
	w = twilio_delivery_error("31234");
	assert_string_equal(w, "not delivered (provider error 31234)");
	g_free(w);
	w = twilio_delivery_error("<b>x</b>");
	assert_string_equal(w, "not delivered");
	g_free(w);
	w = twilio_delivery_error(NULL);
	assert_string_equal(w, "not delivered");
	g_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sid_paths_auth),
		cmocka_unit_test(test_send_body),
		cmocka_unit_test(test_parse_send_ok),
		cmocka_unit_test(test_parse_send_errors),
		cmocka_unit_test(test_number_listed),
		cmocka_unit_test(test_statuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
