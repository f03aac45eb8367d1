/* fuzz_email_dsn.c - libFuzzer target for the DSN reader (dsn.h).
 *
 * The input is read as a whole mail and as the body of a status part
 * alone. Whatever it holds: no more ids than DSN_IDS_MAX, every value
 * within DSN_TEXT_MAX bytes, valid UTF-8 with no control character, the
 * text for the user built, and a mail that is not a report leaves nothing.
 */
#include <assert.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>

#include "email/dsn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_value(const char *v)
{
	if (!v)
		return;
	assert(strlen(v) <= DSN_TEXT_MAX && *v);
	assert(g_utf8_validate(v, -1, NULL));
	for (const char *p = v; *p; p++)
		assert((unsigned char)*p >= 0x20 && *p != 0x7f);
}

static void check(const struct email_dsn *d)
{
	assert(d->ids && d->ids->len <= DSN_IDS_MAX);
	check_value(d->recipient);
	check_value(d->action);
	check_value(d->diagnostic);
	check_value(d->status);
	char *text = email_dsn_text(d);
	assert(text && g_utf8_validate(text, -1, NULL));
	g_free(text);
	enum gw_err e = email_dsn_error(d);
	assert(e == GW_ERR_RECIPIENT_REFUSED || e == GW_ERR_SERVICE_UNAVAILABLE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct email_dsn d;
	if (email_dsn_parse((const char *)data, size, &d))
		check(&d);
	else
		assert(d.ids->len == 0 && !d.recipient && !d.diagnostic);
	email_dsn_clear(&d);
	email_dsn_init(&d);
	email_dsn_fields((const char *)data, size, &d);
	check(&d);
	email_dsn_clear(&d);
	return 0;
}
