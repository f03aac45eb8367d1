/* form.c - XEP-0004 data forms: building forms and reading submissions. */
#include "form.h"

#include <assert.h>
#include <string.h>

#include "text.h"

/* Adds <name>text</name> to parent; <name/> when text is NULL or empty. */
static void add_text_child(xmpp_stanza_t *parent, const char *name, const char *text)
{
	xmpp_ctx_t *ctx = xmpp_stanza_get_context(parent);
	xmpp_stanza_t *el = xmpp_stanza_new(ctx);

	xmpp_stanza_set_name(el, name);
	if (text && *text) {
		xmpp_stanza_t *t = xmpp_stanza_new(ctx);

		xmpp_stanza_set_text(t, text);
		xmpp_stanza_add_child(el, t);
		xmpp_stanza_release(t);
	}
	xmpp_stanza_add_child(parent, el);
	xmpp_stanza_release(el);
}

xmpp_stanza_t *form_new(xmpp_ctx_t *ctx, const char *type, const char *title,
			const char *instructions, const char *form_type)
{
	xmpp_stanza_t *x = xmpp_stanza_new(ctx);

	xmpp_stanza_set_name(x, "x");
	xmpp_stanza_set_ns(x, FORM_NS);
	xmpp_stanza_set_type(x, type);
	if (title)
		add_text_child(x, "title", title);
	if (instructions)
		add_text_child(x, "instructions", instructions);
	if (form_type)
		form_add_field(x, "FORM_TYPE", "hidden", NULL, form_type, false);
	return x;
}

/* Adds one <value/> per line of a text-multi value, else one <value/>. */
static void add_values(xmpp_stanza_t *field, const char *type, const char *value)
{
	char **lines;

	if (g_strcmp0(type, "text-multi") != 0) {
		add_text_child(field, "value", value);
		return;
	}
	lines = g_strsplit(value, "\n", 0);
	for (char **l = lines; *l != NULL; l++)
		add_text_child(field, "value", *l);
	g_strfreev(lines);
}

xmpp_stanza_t *form_add_field(xmpp_stanza_t *form, const char *var, const char *type,
			      const char *label, const char *value, bool required)
{
	xmpp_ctx_t *ctx = xmpp_stanza_get_context(form);
	xmpp_stanza_t *field = xmpp_stanza_new(ctx);

	xmpp_stanza_set_name(field, "field");
	if (var)
		xmpp_stanza_set_attribute(field, "var", var);
	if (type)
		xmpp_stanza_set_type(field, type);
	if (label)
		xmpp_stanza_set_attribute(field, "label", label);
	if (required) {
		xmpp_stanza_t *req = xmpp_stanza_new(ctx);

		xmpp_stanza_set_name(req, "required");
		xmpp_stanza_add_child(field, req);
		xmpp_stanza_release(req);
	}
	if (value)
		add_values(field, type, value);
	xmpp_stanza_add_child(form, field);
	/* form holds a reference now: field stays valid while form lives */
	xmpp_stanza_release(field);
	return field;
}

void form_add_option(xmpp_stanza_t *field, const char *label, const char *value)
{
	xmpp_stanza_t *opt = xmpp_stanza_new(xmpp_stanza_get_context(field));

	xmpp_stanza_set_name(opt, "option");
	if (label)
		xmpp_stanza_set_attribute(opt, "label", label);
	add_text_child(opt, "value", value);
	xmpp_stanza_add_child(field, opt);
	xmpp_stanza_release(opt);
}

static bool is_element(xmpp_stanza_t *st, const char *name)
{
	const char *n = xmpp_stanza_is_text(st) ? NULL : xmpp_stanza_get_name(st);

	return n != NULL && strcmp(n, name) == 0;
}

/* Appends the text of <value/> v to joined, after a '\n' unless first.
 * Returns NULL or the static reason the value is refused. */
static const char *read_value(xmpp_stanza_t *v, bool first, GString *joined)
{
	char *text = xmpp_stanza_get_text(v);
	const char *t = text ? text : "";
	const char *why = NULL;

	if (strlen(t) > FORM_MAX_VALUE_BYTES) {
		why = "value too long";
		goto out;
	}
	if (!text_is_clean(t)) {
		why = "value is not valid text";
		goto out;
	}
	if (!first)
		g_string_append_c(joined, '\n');
	g_string_append(joined, t);
out:
	if (text)
		xmpp_free(xmpp_stanza_get_context(v), text);
	return why;
}

/* Joins the <value/>s of field with '\n' into *out (new; caller frees), or
 * sets *out to NULL and returns the static reason the field is refused. */
static const char *read_values(xmpp_stanza_t *field, char **out)
{
	GString *joined = g_string_new(NULL);
	const char *why = NULL;
	int count = 0;

	for (xmpp_stanza_t *v = xmpp_stanza_get_children(field); v; v = xmpp_stanza_get_next(v)) {
		if (!is_element(v, "value"))
			continue;
		if (++count > FORM_MAX_VALUES) {
			why = "too many values in a field";
			break;
		}
		if ((why = read_value(v, count == 1, joined)) != NULL)
			break;
	}
	if (why) {
		g_string_free(joined, TRUE);
		*out = NULL;
	} else {
		*out = g_string_free(joined, FALSE);
	}
	return why;
}

/* Reads one <field/> into table. Returns NULL or the static reason. */
static const char *read_field(xmpp_stanza_t *field, GHashTable *table)
{
	const char *var = xmpp_stanza_get_attribute(field, "var");
	const char *why;
	char *value;

	if (var == NULL || *var == '\0')
		return "field without var";
	if (g_hash_table_contains(table, var))
		return "duplicate field";
	why = read_values(field, &value);
	if (why == NULL)
		g_hash_table_insert(table, g_strdup(var), value);
	return why;
}

enum gw_err form_parse_submit(xmpp_stanza_t *x, GHashTable **out, const char **why)
{
	const char *type;
	GHashTable *table = NULL;
	int fields = 0;

	assert(x != NULL && out != NULL && why != NULL);
	type = xmpp_stanza_get_type(x);
	*out = NULL;
	*why = NULL;
	if (!is_element(x, "x") || g_strcmp0(xmpp_stanza_get_ns(x), FORM_NS) != 0) {
		*why = "not a data form";
		goto out;
	}
	if (type != NULL && strcmp(type, "submit") != 0) {
		*why = "form type is not submit";
		goto out;
	}
	table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (xmpp_stanza_t *f = xmpp_stanza_get_children(x); f; f = xmpp_stanza_get_next(f)) {
		if (!is_element(f, "field"))
			continue;
		if (++fields > FORM_MAX_FIELDS) {
			*why = "too many fields";
			goto out;
		}
		if ((*why = read_field(f, table)) != NULL)
			goto out;
	}
	*out = table;
	table = NULL;
out:
	if (table)
		g_hash_table_destroy(table);
	return *why ? GW_ERR_BAD_REQUEST : GW_OK;
}

bool form_parse_bool(const char *s, bool *out)
{
	if (s == NULL)
		return false;
	if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0) {
		*out = true;
		return true;
	}
	if (*s == '\0' || strcmp(s, "0") == 0 || strcmp(s, "false") == 0) {
		*out = false;
		return true;
	}
	return false;
}
