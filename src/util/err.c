/* err.c - the table that maps enum gw_err to XMPP error type and condition. */
#include "err.h"

#include <assert.h>

struct err_entry {
	const char *type;
	const char *condition;
	const char *text;
};

static const struct err_entry table[GW_ERR__COUNT] = {
	[GW_OK] = { "cancel", "undefined-condition", "no error" },
	[GW_ERR_BAD_REQUEST] = { "modify", "bad-request", "bad request" },
	[GW_ERR_NOT_ACCEPTABLE] = { "modify", "not-acceptable", "not acceptable" },
	[GW_ERR_JID_MALFORMED] = { "modify", "jid-malformed", "malformed address" },
	[GW_ERR_CONFLICT] = { "cancel", "conflict", "already in use" },
	[GW_ERR_NOT_ALLOWED] = { "cancel", "not-allowed", "not allowed" },
	[GW_ERR_FORBIDDEN] = { "auth", "forbidden", "forbidden" },
	[GW_ERR_NOT_AUTHORIZED] = { "auth", "not-authorized", "not authorized" },
	[GW_ERR_REGISTRATION_REQUIRED] = { "auth", "registration-required",
					   "register with the gateway first" },
	[GW_ERR_NOT_FOUND] = { "cancel", "item-not-found", "not found" },
	[GW_ERR_SERVICE_UNAVAILABLE] = { "cancel", "service-unavailable",
					 "service unavailable" },
	[GW_ERR_FEATURE_NOT_IMPLEMENTED] = { "cancel", "feature-not-implemented",
					     "not implemented" },
	[GW_ERR_RECIPIENT_UNAVAILABLE] = { "wait", "recipient-unavailable",
					   "recipient unavailable" },
	[GW_ERR_REMOTE_NOT_FOUND] = { "cancel", "remote-server-not-found",
				      "remote server not found" },
	[GW_ERR_REMOTE_TIMEOUT] = { "wait", "remote-server-timeout",
				    "remote server timed out" },
	[GW_ERR_RESOURCE_CONSTRAINT] = { "wait", "resource-constraint",
					 "queue full, try again later" },
	[GW_ERR_POLICY_VIOLATION] = { "modify", "policy-violation", "policy violation" },
	[GW_ERR_INTERNAL] = { "cancel", "internal-server-error", "internal error" },
	[GW_ERR_RECIPIENT_REFUSED] = { "cancel", "recipient-unavailable",
				       "the recipient was refused" },
};

static const struct err_entry *entry(enum gw_err err)
{
	assert(err >= 0 && err < GW_ERR__COUNT);
	return &table[err];
}

const char *err_type(enum gw_err err) { return entry(err)->type; }
const char *err_condition(enum gw_err err) { return entry(err)->condition; }
const char *err_text(enum gw_err err) { return entry(err)->text; }
