/* conf.c - the declarative option table and its validation. */
#include "conf.h"
#include "jid.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

enum opt_kind { OPT_STRING, OPT_INT, OPT_LIST, OPT_LEVEL, OPT_IP };

struct core_opt {
	const char *section;
	const char *key;
	enum opt_kind kind;
	const char *deflt;  /* NULL: required */
	int64_t min, max;
	size_t offset;      /* into struct conf */
};

#define OFF(f) offsetof(struct conf, f)

static const struct core_opt core_opts[] = {
	{ "xmpp", "server", OPT_IP, "127.0.0.1", 0, 0, OFF(xmpp_server) },
	{ "xmpp", "port", OPT_INT, "5347", 1, 65535, OFF(xmpp_port) },
	{ "xmpp", "outbox_max", OPT_INT, "10000", 0, 100000000, OFF(outbox_max) },
	{ "xmpp", "send_queue_high", OPT_INT, "2000", 10, 1000000, OFF(queue_high) },
	{ "xmpp", "send_queue_low", OPT_INT, "200", 1, 1000000, OFF(queue_low) },
	{ "xmpp", "reconnect_max_ms", OPT_INT, "30000", 100, 3600000, OFF(reconnect_max_ms) },
	{ "store", "path", OPT_STRING, "/var/lib/xmpp-gw/xmpp-gw.sqlite", 0, 0, OFF(store_path) },
	{ "policy", "allow", OPT_LIST, "", 0, 0, OFF(allow) },
	{ "policy", "admins", OPT_LIST, "", 0, 0, OFF(admins) },
	{ "log", "level", OPT_LEVEL, "info", 0, 0, OFF(log_level) },
};

/* Keys every backend section has besides its own options. */
static const char *const backend_common[] = { "jid", "secret" };

static bool set_err(char **errmsg, const struct conf *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool set_err(char **errmsg, const struct conf *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	*errmsg = g_strdup_printf("%s: %s", c->path, m);
	g_free(m);
	return false;
}

static char **parse_list(const char *s)
{
	char **parts = g_strsplit_set(s, ",; \t", -1);
	GPtrArray *out = g_ptr_array_new();
	for (char **p = parts; *p; p++) {
		if (**p)
			g_ptr_array_add(out, g_utf8_strdown(*p, -1));
	}
	g_ptr_array_add(out, NULL);
	g_strfreev(parts);
	return (char **)g_ptr_array_free(out, FALSE);
}

static bool parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	gint64 v = g_ascii_strtoll(s, &end, 10);
	if (!*s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool load_core(struct conf *c, const struct core_opt *o, char **errmsg)
{
	char *raw = g_key_file_get_string(c->kf, o->section, o->key, NULL);
	const char *v = raw ? g_strstrip(raw) : o->deflt;
	bool ok = true;
	char *base = (char *)c + o->offset;
	int64_t n;
	struct in6_addr a6;
	switch (o->kind) {
	case OPT_STRING:
		*(char **)base = g_strdup(v);
		break;
	case OPT_IP:
		if (inet_pton(AF_INET, v, &a6) != 1 && inet_pton(AF_INET6, v, &a6) != 1)
			ok = set_err(errmsg, c, "[%s] %s = %s: must be an IP address (no DNS lookups at start-up)",
				     o->section, o->key, v);
		else
			*(char **)base = g_strdup(v);
		break;
	case OPT_INT:
		if (!parse_int(v, o->min, o->max, &n))
			ok = set_err(errmsg, c, "[%s] %s = %s: must be a whole number from %" G_GINT64_FORMAT
				     " to %" G_GINT64_FORMAT, o->section, o->key, v, o->min, o->max);
		else
			*(int64_t *)base = n;
		break;
	case OPT_LIST:
		*(char ***)base = parse_list(v);
		break;
	case OPT_LEVEL:
		if (!log_parse_level(v, &c->log_level))
			ok = set_err(errmsg, c, "[%s] %s = %s: must be debug, info, warn or error",
				     o->section, o->key, v);
		break;
	}
	g_free(raw);
	return ok;
}

static const struct gw_backend *backend_named(const char *name)
{
	for (const struct gw_backend *const *b = gw_backends; *b; b++)
		if (strcmp((*b)->name, name) == 0)
			return *b;
	return NULL;
}

static const struct gw_option *backend_opt(const struct gw_backend *be, const char *key)
{
	for (size_t i = 0; i < be->n_options; i++)
		if (strcmp(be->options[i].key, key) == 0)
			return &be->options[i];
	return NULL;
}

static bool check_backend_value(const struct conf *c, const struct gw_backend *be,
				const struct gw_option *o, const char *v, char **errmsg)
{
	int64_t n;
	if (o->type == GW_OPT_INT && !parse_int(v, o->min, o->max, &n))
		return set_err(errmsg, c, "[%s] %s = %s: must be a whole number from %" G_GINT64_FORMAT
			       " to %" G_GINT64_FORMAT, be->name, o->key, v, o->min, o->max);
	if (o->type == GW_OPT_BOOL && g_ascii_strcasecmp(v, "true") && g_ascii_strcasecmp(v, "false")
	    && strcmp(v, "1") && strcmp(v, "0") && g_ascii_strcasecmp(v, "yes")
	    && g_ascii_strcasecmp(v, "no"))
		return set_err(errmsg, c, "[%s] %s = %s: must be true or false", be->name, o->key, v);
	return true;
}

static bool load_backend(struct conf *c, const struct gw_backend *be, char **errmsg)
{
	gsize n = 0;
	char **keys = g_key_file_get_keys(c->kf, be->name, &n, NULL);
	bool ok = true;
	for (gsize i = 0; ok && i < n; i++) {
		bool common = !strcmp(keys[i], backend_common[0]) || !strcmp(keys[i], backend_common[1]);
		const struct gw_option *o = backend_opt(be, keys[i]);
		if (!common && !o) {
			ok = set_err(errmsg, c, "[%s] %s: unknown key", be->name, keys[i]);
			break;
		}
		if (o) {
			char *v = g_key_file_get_string(c->kf, be->name, keys[i], NULL);
			ok = check_backend_value(c, be, o, g_strstrip(v), errmsg);
			g_free(v);
		}
	}
	g_strfreev(keys);
	if (!ok)
		return false;

	struct conf_backend *cb = g_new0(struct conf_backend, 1);
	cb->be = be;
	char *jid = g_key_file_get_string(c->kf, be->name, "jid", NULL);
	cb->secret = g_key_file_get_string(c->kf, be->name, "secret", NULL);
	g_ptr_array_add(c->backends, cb);
	if (jid) {
		cb->jid = jid_bare(g_strstrip(jid));
		g_free(jid);
	}
	if (!cb->jid || strchr(cb->jid, '@'))
		return set_err(errmsg, c, "[%s] jid: must be the backend's domain, like %s.example.org",
			       be->name, be->name);
	if (!cb->secret || !*g_strstrip(cb->secret))
		return set_err(errmsg, c, "[%s] secret: required (the component secret of %s)",
			       be->name, cb->jid);
	for (guint i = 0; i + 1 < c->backends->len; i++) {
		struct conf_backend *other = g_ptr_array_index(c->backends, i);
		if (strcmp(other->jid, cb->jid) == 0)
			return set_err(errmsg, c, "[%s] jid = %s: already used by [%s]", be->name,
				       cb->jid, other->be->name);
	}
	return true;
}

static bool core_section(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(core_opts); i++)
		if (strcmp(core_opts[i].section, name) == 0)
			return true;
	return false;
}

static bool core_key(const char *section, const char *key)
{
	for (size_t i = 0; i < G_N_ELEMENTS(core_opts); i++)
		if (!strcmp(core_opts[i].section, section) && !strcmp(core_opts[i].key, key))
			return true;
	return false;
}

static bool check_sections(struct conf *c, char **errmsg)
{
	char **groups = g_key_file_get_groups(c->kf, NULL);
	bool ok = true;
	for (char **g = groups; ok && *g; g++) {
		if (backend_named(*g))
			continue;
		if (!core_section(*g)) {
			ok = set_err(errmsg, c, "[%s]: unknown section", *g);
			break;
		}
		char **keys = g_key_file_get_keys(c->kf, *g, NULL, NULL);
		for (char **k = keys; ok && *k; k++)
			if (!core_key(*g, *k))
				ok = set_err(errmsg, c, "[%s] %s: unknown key", *g, *k);
		g_strfreev(keys);
	}
	g_strfreev(groups);
	return ok;
}

enum gw_err conf_load(const char *path, struct conf **out, char **errmsg)
{
	struct conf *c = g_new0(struct conf, 1);
	c->path = g_strdup(path);
	c->kf = g_key_file_new();
	c->backends = g_ptr_array_new();
	GError *e = NULL;
	*out = NULL;
	if (!g_key_file_load_from_file(c->kf, path, G_KEY_FILE_NONE, &e)) {
		*errmsg = g_strdup_printf("%s: %s", path, e->message);
		g_error_free(e);
		goto fail;
	}
	if (!check_sections(c, errmsg))
		goto fail;
	for (size_t i = 0; i < G_N_ELEMENTS(core_opts); i++)
		if (!load_core(c, &core_opts[i], errmsg))
			goto fail;
	if (c->queue_low >= c->queue_high) {
		set_err(errmsg, c, "[xmpp] send_queue_low must be below send_queue_high");
		goto fail;
	}
	for (const struct gw_backend *const *b = gw_backends; *b; b++)
		if (g_key_file_has_group(c->kf, (*b)->name) && !load_backend(c, *b, errmsg))
			goto fail;
	if (c->backends->len == 0) {
		set_err(errmsg, c, "no backend section: add one of");
		char *m = *errmsg;
		GString *s = g_string_new(m);
		for (const struct gw_backend *const *b = gw_backends; *b; b++)
			g_string_append_printf(s, " [%s]", (*b)->name);
		g_free(m);
		*errmsg = g_string_free(s, FALSE);
		goto fail;
	}
	if (!c->allow[0]) {
		/* Default policy: the parent domain of each backend's domain. */
		g_strfreev(c->allow);
		GPtrArray *a = g_ptr_array_new();
		for (guint i = 0; i < c->backends->len; i++) {
			struct conf_backend *cb = g_ptr_array_index(c->backends, i);
			g_ptr_array_add(a, jid_parent_domain(cb->jid));
		}
		g_ptr_array_add(a, NULL);
		c->allow = (char **)g_ptr_array_free(a, FALSE);
	}
	*out = c;
	return GW_OK;
fail:
	conf_free(c);
	return GW_ERR_BAD_REQUEST;
}

void conf_free(struct conf *c)
{
	if (!c)
		return;
	for (guint i = 0; i < c->backends->len; i++) {
		struct conf_backend *cb = g_ptr_array_index(c->backends, i);
		g_free(cb->jid);
		if (cb->secret)
			memset(cb->secret, 0, strlen(cb->secret));
		g_free(cb->secret);
		g_free(cb);
	}
	g_ptr_array_free(c->backends, TRUE);
	g_key_file_free(c->kf);
	g_free(c->path);
	g_free(c->xmpp_server);
	g_free(c->store_path);
	g_strfreev(c->allow);
	g_strfreev(c->admins);
	g_free(c);
}

void conf_describe(const struct conf *c, FILE *f)
{
	fprintf(f, "configuration %s is valid\n", c->path);
	fprintf(f, "XMPP server component port: %s:%" G_GINT64_FORMAT "\n", c->xmpp_server, c->xmpp_port);
	fprintf(f, "store: %s\n", c->store_path);
	char *allow = g_strjoinv(", ", c->allow);
	char *admins = g_strjoinv(", ", c->admins);
	fprintf(f, "may register: %s\n", *allow ? allow : "(nobody)");
	fprintf(f, "admins: %s\n", *admins ? admins : "(none)");
	g_free(allow);
	g_free(admins);
	for (guint i = 0; i < c->backends->len; i++) {
		struct conf_backend *cb = g_ptr_array_index(c->backends, i);
		fprintf(f, "backend %s (%s) on %s\n", cb->be->name, cb->be->description, cb->jid);
		for (size_t k = 0; k < cb->be->n_options; k++) {
			const struct gw_option *o = &cb->be->options[k];
			char *v = conf_backend_string(c, cb->be, o->key);
			fprintf(f, "  %s = %s\n", o->key, v);
			g_free(v);
		}
	}
}

static struct conf *current;

void conf_set_current(struct conf *c) { current = c; }
struct conf *conf_current(void) { return current; }

char *conf_backend_string(const struct conf *c, const struct gw_backend *be, const char *key)
{
	const struct gw_option *o = backend_opt(be, key);
	g_assert(o);
	char *v = g_key_file_get_string(c->kf, be->name, key, NULL);
	if (!v)
		return g_strdup(o->deflt ? o->deflt : "");
	return g_strstrip(v);
}

int64_t conf_backend_int(const struct conf *c, const struct gw_backend *be, const char *key)
{
	char *v = conf_backend_string(c, be, key);
	int64_t n = g_ascii_strtoll(v, NULL, 10);
	g_free(v);
	return n;
}

bool conf_backend_bool(const struct conf *c, const struct gw_backend *be, const char *key)
{
	char *v = conf_backend_string(c, be, key);
	bool b = !g_ascii_strcasecmp(v, "true") || !strcmp(v, "1") || !g_ascii_strcasecmp(v, "yes");
	g_free(v);
	return b;
}
