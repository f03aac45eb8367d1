/* form.h - XEP-0004 data forms: building forms and reading submissions.
 *
 * Core-internal: backends never see forms, they see fields (gateway.h).
 */
#ifndef XMPPGW_FORM_H
#define XMPPGW_FORM_H

#include <glib.h>
#include <stdbool.h>
#include <strophe.h>

#include "err.h"

#define FORM_NS "jabber:x:data"
#define FORM_MAX_FIELDS 64
#define FORM_MAX_VALUES 64      /* values in one list-multi/text-multi field */
#define FORM_MAX_VALUE_BYTES 4096

/* Returns a new <x xmlns='jabber:x:data' type=type> (type "form", "result",
 * "submit", "cancel"). title and instructions may be NULL. When form_type
 * is not NULL a hidden FORM_TYPE field carrying it is added first. */
xmpp_stanza_t *form_new(xmpp_ctx_t *ctx, const char *type, const char *title,
			const char *instructions, const char *form_type);

/* Adds a <field>. type is the XEP-0004 field type ("text-single",
 * "text-private", "boolean", "fixed", "hidden", "jid-single", "list-single",
 * "text-multi"...); label and value may be NULL. For text-multi, value is
 * split at '\n' into several <value/>. Returns the field (borrowed) so
 * callers can add <option/>s with form_add_option(). */
xmpp_stanza_t *form_add_field(xmpp_stanza_t *form, const char *var, const char *type,
			      const char *label, const char *value, bool required);
void form_add_option(xmpp_stanza_t *field, const char *label, const char *value);

/* Reads a submitted form. x must be an <x xmlns='jabber:x:data'> whose type
 * is "submit" (or absent). On GW_OK *out is a new table var -> value (both
 * g_free'd strings; several <value/>s are joined with '\n'; a field with no
 * value maps to ""). FORM_TYPE is included like any field.
 * Errors: GW_ERR_BAD_REQUEST with *why set to a static text for a form of the
 * wrong type, a field without var, a duplicate var, more than
 * FORM_MAX_FIELDS fields or FORM_MAX_VALUES values, a value longer than
 * FORM_MAX_VALUE_BYTES, or a value that is not clean text (text_is_clean). */
enum gw_err form_parse_submit(xmpp_stanza_t *x, GHashTable **out, const char **why);

/* XEP-0004 boolean: "1"/"true" -> true, "0"/"false"/"" -> false. Returns false
 * and leaves *out alone for anything else. */
bool form_parse_bool(const char *s, bool *out);

#endif
