/* twilio_api.c - the Twilio-style REST API without I/O (twilio_api.h). */
#include "twilio_api.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_BYTES (256 * 1024) /* larger answers are not read */

bool twilio_sid_ok(const char *sid)
{
	if (!sid || strlen(sid) != 34 || strncmp(sid, "AC", 2))
		return false;
	for (const char *p = sid + 2; *p; p++)
		if (!g_ascii_isxdigit(*p))
			return false;
	return true;
}

static char *esc(const char *s)
{
	/* No reserved character passes: '+' must reach the provider as %2B. */
	return g_uri_escape_string(s ? s : "", NULL, FALSE);
}

char *twilio_account_path(const char *sid)
{
	char *e = esc(sid);
	char *p = g_strdup_printf("/" TWILIO_API_VERSION "/Accounts/%s.json", e);
	g_free(e);
	return p;
}

char *twilio_messages_path(const char *sid)
{
	char *e = esc(sid);
	char *p = g_strdup_printf("/" TWILIO_API_VERSION "/Accounts/%s/Messages.json", e);
	g_free(e);
	return p;
}

char *twilio_number_path(const char *sid, const char *number)
{
	char *e = esc(sid), *n = esc(number);
	char *p = g_strdup_printf("/" TWILIO_API_VERSION "/Accounts/%s/IncomingPhoneNumbers.json"
				  "?PhoneNumber=%s", e, n);
	g_free(e);
	g_free(n);
	return p;
}

char *twilio_basic_auth(const char *sid, const char *token)
{
	char *plain = g_strconcat(sid ? sid : "", ":", token ? token : "", NULL);
	char *b64 = g_base64_encode((const guchar *)plain, strlen(plain));
	char *h = g_strconcat("Basic ", b64, NULL);
	memset(plain, 0, strlen(plain)); /* the token */
	g_free(plain);
	g_free(b64);
	return h;
}

static void add_param(GString *b, const char *key, const char *value)
{
	char *v = esc(value);
	g_string_append_printf(b, "%s%s=%s", b->len ? "&" : "", key, v);
	g_free(v);
}

char *twilio_send_body(const struct twilio_send *m)
{
	GString *b = g_string_new(NULL);
	add_param(b, "To", m->to);
	add_param(b, "From", m->from);
	if (m->body)
		add_param(b, "Body", m->body);
	for (size_t i = 0; i < m->n_media && i < TWILIO_MEDIA_MAX; i++)
		add_param(b, "MediaUrl", m->media[i]);
	if (m->status_callback)
		add_param(b, "StatusCallback", m->status_callback);
	return g_string_free(b, FALSE);
}

void twilio_message_clear(struct twilio_message *m)
{
	g_free(m->sid);
	g_free(m->status);
	*m = (struct twilio_message){ 0 };
}

/* The JSON object of body, or NULL (the caller puts it). */
static json_object *parse_json(const char *body, size_t len)
{
	if (!body || !len || len > JSON_MAX_BYTES)
		return NULL;
	json_tokener *tok = json_tokener_new();
	json_object *o = json_tokener_parse_ex(tok, body, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	if (o && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

static const char *get_string(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* An integer that providers send as a number or as a string; -1 when
 * absent. */
static long get_int(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v))
		return -1;
	if (json_object_is_type(v, json_type_int))
		return (long)json_object_get_int64(v);
	const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
	char *end = NULL;
	long n = s && *s ? strtol(s, &end, 10) : -1;
	return end && !*end && n >= 0 ? n : -1;
}

static const struct {
	long code;
	enum gw_err err;
	const char *why;
} codes[] = {
	{ 20003, GW_ERR_NOT_AUTHORIZED, "the provider refused the account SID or auth token" },
	{ 20404, GW_ERR_NOT_FOUND, "the provider does not know this account or resource" },
	{ 20429, GW_ERR_RESOURCE_CONSTRAINT, "the provider is throttling texts; try again shortly" },
	{ 21211, GW_ERR_NOT_FOUND, "not a phone number the provider can text" },
	{ 21604, GW_ERR_NOT_FOUND, "not a phone number the provider can text" },
	{ 21612, GW_ERR_NOT_FOUND, "the provider cannot reach this number" },
	{ 21614, GW_ERR_NOT_FOUND, "this number cannot receive texts" },
	{ 21610, GW_ERR_FORBIDDEN,
	  "the recipient has opted out of texts from this number (they sent STOP)" },
	{ 21603, GW_ERR_FORBIDDEN, "the account cannot send from this number" },
	{ 21606, GW_ERR_FORBIDDEN, "the account cannot send from this number" },
	{ 21212, GW_ERR_FORBIDDEN, "the account cannot send from this number" },
	{ 21602, GW_ERR_NOT_ACCEPTABLE, "the message has no text" },
	{ 21617, GW_ERR_NOT_ACCEPTABLE, "the message is too long for the provider" },
	{ 21609, GW_ERR_NOT_ACCEPTABLE, "the provider refused the delivery report address" },
	{ 21620, GW_ERR_NOT_ACCEPTABLE, "the provider refused the media address" },
};

enum gw_err twilio_error(unsigned http_status, const char *body, size_t len, char **why)
{
	json_object *o = parse_json(body, len);
	long code = get_int(o, "code");
	json_object_put(o);
	for (size_t i = 0; i < G_N_ELEMENTS(codes); i++) {
		if (codes[i].code == code) {
			*why = g_strdup_printf("%s (provider error %ld)", codes[i].why, code);
			return codes[i].err;
		}
	}
	enum gw_err err;
	const char *what;
	if (http_status == 401) {
		err = GW_ERR_NOT_AUTHORIZED;
		what = "the provider refused the account SID or auth token";
	} else if (http_status == 403) {
		err = GW_ERR_FORBIDDEN;
		what = "the provider does not allow this";
	} else if (http_status == 404) {
		err = GW_ERR_NOT_FOUND;
		what = "the provider does not know this account or resource";
	} else if (http_status == 429) {
		err = GW_ERR_RESOURCE_CONSTRAINT;
		what = "the provider is throttling texts; try again shortly";
	} else if (http_status >= 400 && http_status < 500) {
		err = GW_ERR_NOT_ACCEPTABLE;
		what = "the provider refused the message";
	} else {
		err = GW_ERR_SERVICE_UNAVAILABLE;
		what = "the provider failed to answer properly";
	}
	*why = code >= 0 ? g_strdup_printf("%s (provider error %ld)", what, code)
			 : g_strdup_printf("%s (HTTP %u)", what, http_status);
	return err;
}

enum gw_err twilio_parse_send(unsigned http_status, const char *retry_after, const char *body,
			      size_t len, struct twilio_message *msg, unsigned *retry_after_s,
			      char **why)
{
	*msg = (struct twilio_message){ 0 };
	*retry_after_s = 0;
	*why = NULL;
	if (http_status < 200 || http_status >= 300) {
		if (http_status == 429 && retry_after) {
			char *end = NULL;
			unsigned long s = strtoul(retry_after, &end, 10);
			if (end != retry_after && !*end && s <= 3600)
				*retry_after_s = (unsigned)s;
		}
		return twilio_error(http_status, body, len, why);
	}
	json_object *o = parse_json(body, len);
	const char *sid = get_string(o, "sid");
	enum gw_err err = GW_OK;
	if (!sid || !*sid || strlen(sid) > 64) {
		/* It reached the provider: sent or not, it must not go twice. */
		*why = g_strdup("the provider's answer carried no message id");
		err = GW_ERR_SERVICE_UNAVAILABLE;
	} else {
		msg->sid = g_strdup(sid);
		msg->status = g_strdup(get_string(o, "status"));
		long n = get_int(o, "num_segments");
		msg->segments = n > 0 && n < 1000 ? (unsigned)n : 0;
	}
	json_object_put(o);
	return err;
}

bool twilio_number_listed(const char *body, size_t len, const char *number)
{
	json_object *o = parse_json(body, len), *list;
	bool found = false;
	if (o && number && json_object_object_get_ex(o, "incoming_phone_numbers", &list) &&
	    json_object_is_type(list, json_type_array)) {
		size_t n = json_object_array_length(list);
		for (size_t i = 0; i < n && !found; i++) {
			const char *p = get_string(json_object_array_get_idx(list, i), "phone_number");
			found = p && !strcmp(p, number);
		}
	}
	json_object_put(o);
	return found;
}

enum twilio_status twilio_status_parse(const char *s)
{
	static const struct {
		const char *name;
		enum twilio_status st;
	} names[] = {
		{ "accepted", TWILIO_STATUS_PENDING },  { "queued", TWILIO_STATUS_PENDING },
		{ "sending", TWILIO_STATUS_PENDING },   { "scheduled", TWILIO_STATUS_PENDING },
		{ "sent", TWILIO_STATUS_SENT },         { "delivered", TWILIO_STATUS_DELIVERED },
		{ "read", TWILIO_STATUS_DELIVERED },    { "failed", TWILIO_STATUS_FAILED },
		{ "undelivered", TWILIO_STATUS_FAILED }, { "canceled", TWILIO_STATUS_FAILED },
	};
	for (size_t i = 0; s && i < G_N_ELEMENTS(names); i++)
		if (!strcmp(s, names[i].name))
			return names[i].st;
	return TWILIO_STATUS_OTHER;
}

char *twilio_delivery_error(const char *error_code)
{
	static const struct {
		const char *code, *why;
	} reasons[] = {
		{ "30003", "the phone is switched off or unreachable" },
		{ "30004", "the message was blocked" },
		{ "30005", "the number is unknown or no longer in use" },
		{ "30006", "the number is a landline or its carrier cannot take texts" },
		{ "30007", "the carrier filtered the message" },
		{ "30008", "the carrier reported an unknown error" },
	};
	for (size_t i = 0; error_code && i < G_N_ELEMENTS(reasons); i++)
		if (!strcmp(error_code, reasons[i].code))
			return g_strdup_printf("not delivered: %s (error %s)", reasons[i].why,
					       error_code);
	if (error_code && *error_code && strlen(error_code) <= 16 &&
	    strspn(error_code, "0123456789") == strlen(error_code))
		return g_strdup_printf("not delivered (provider error %s)", error_code);
	return g_strdup("not delivered");
}
