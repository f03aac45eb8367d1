/* conf.c - the declarative option table and its validation. */
#include "conf.h"
#include "jid.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* The core's sections, in the dialect of the backends' option tables
 * (struct gw_option): a type, a default, bounds, a check and a help line
 * each. conf_load() validates every section, core or backend, with the
 * same code (check_section), then fill() copies the core values into
 * struct conf. */

static const char *check_ip(const char *v)
{
	struct in6_addr a6;
	if (inet_pton(AF_INET, v, &a6) == 1 || inet_pton(AF_INET6, v, &a6) == 1)
		return NULL;
	return "an IP address (no DNS lookups at start-up)";
}

static const char *check_level(const char *v)
{
	enum log_level l;
	return log_parse_level(v, &l) ? NULL : "debug, info, warn or error";
}

static const struct gw_option xmpp_opts[] = {
	{ .key = "server", .type = GW_OPT_STRING, .deflt = "127.0.0.1", .check = check_ip,
	  .help = "address of the XMPP server's component listener (an IP address)" },
	{ .key = "port", .type = GW_OPT_INT, .deflt = "5347", .min = 1, .max = 65535,
	  .help = "port of the XMPP server's component listener" },
	{ .key = "outbox_max", .type = GW_OPT_INT, .deflt = "10000", .min = 0, .max = 100000000,
	  .help = "stanzas kept in the store per link while it is down (0: unbounded)" },
	{ .key = "send_queue_high", .type = GW_OPT_INT, .deflt = "2000", .min = 10,
	  .max = 1000000, .help = "stanzas queued on a link before backends pause reading" },
	{ .key = "send_queue_low", .type = GW_OPT_INT, .deflt = "200", .min = 1, .max = 1000000,
	  .help = "stanzas queued on a link below which backends read again" },
	{ .key = "reconnect_max_ms", .type = GW_OPT_INT, .deflt = "30000", .min = 100,
	  .max = 3600000, .help = "longest wait between reconnects of a link (jittered backoff)" },
	{ .key = "ack_window_stanzas", .type = GW_OPT_INT, .deflt = "10000", .min = 10,
	  .max = 1000000, .help = "stanzas sent on a link and kept in memory until the server "
	  "acknowledges them; at 3/4 of it backends pause" },
	{ .key = "ack_window_bytes", .type = GW_OPT_INT, .deflt = "8388608", .min = 65536,
	  .max = 1073741824, .help = "bytes of those stanzas at most (their serialised text)" },
	{ .key = "ack_every_stanzas", .type = GW_OPT_INT, .deflt = "500", .min = 1, .max = 1000000,
	  .help = "a ping to the server after this many stanzas sent (it acknowledges them)" },
	{ .key = "ack_every_ms", .type = GW_OPT_INT, .deflt = "50", .min = 1, .max = 60000,
	  .help = "and at most this long after the first stanza no ping covers yet" },
	{ .key = "ack_timeout_ms", .type = GW_OPT_INT, .deflt = "30000", .min = 1000,
	  .max = 3600000, .help = "a ping unanswered this long: the link is dead, reconnect" },
};

static const struct gw_option store_opts[] = {
	{ .key = "path", .type = GW_OPT_STRING, .deflt = "/var/lib/xmpp-gw/xmpp-gw.sqlite",
	  .help = "the SQLite store, created with mode 0600" },
};

static const struct gw_option policy_opts[] = {
	{ .key = "allow", .type = GW_OPT_STRING, .deflt = "",
	  .help = "JIDs and domains that may register, or *; empty: each backend's parent domain" },
	{ .key = "admins", .type = GW_OPT_STRING, .deflt = "",
	  .help = "bare JIDs of the admins (ad-hoc stats, users and backend admin commands)" },
};

static const char *check_url(const char *v)
{
	if (!*v || g_str_has_prefix(v, "http://") || g_str_has_prefix(v, "https://"))
		return NULL;
	return "an http:// or https:// URL";
}

static const struct gw_option http_opts[] = {
	{ .key = "listen", .type = GW_OPT_STRING, .deflt = "127.0.0.1", .check = check_ip,
	  .help = "the IP address the HTTP listener (webhooks, attachments) binds to" },
	{ .key = "port", .type = GW_OPT_INT, .deflt = "8380", .min = 1, .max = 65535,
	  .help = "its port" },
	{ .key = "public_url", .type = GW_OPT_STRING, .deflt = "", .check = check_url,
	  .help = "the base URL users and providers reach it at (empty: http://listen:port)" },
	{ .key = "read_timeout_s", .type = GW_OPT_INT, .deflt = "10", .min = 1, .max = 3600,
	  .help = "seconds a connection may take to send a whole request (idle ones too)" },
	{ .key = "max_connections", .type = GW_OPT_INT, .deflt = "512", .min = 1, .max = 100000,
	  .help = "connections waiting for their request at once; more are answered 503" },
	{ .key = "metrics", .type = GW_OPT_BOOL, .deflt = "true",
	  .help = "serve Prometheus metrics at /metrics on the listener" },
	{ .key = "metrics_token", .type = GW_OPT_STRING, .deflt = "", .secret = true,
	  .help = "a bearer token /metrics requires (empty: none; set one on a public listener)" },
};

static const struct gw_option log_opts[] = {
	{ .key = "level", .type = GW_OPT_STRING, .deflt = "info", .check = check_level,
	  .help = "debug, info, warn or error (message bodies only at debug; never secrets)" },
};

struct section {
	const char *name;
	const struct gw_option *opts;
	size_t n_opts;
};

#define SECTION(n, t) { .name = n, .opts = t, .n_opts = G_N_ELEMENTS(t) }
static const struct section core_sections[] = {
	SECTION("xmpp", xmpp_opts),
	SECTION("store", store_opts),
	SECTION("policy", policy_opts),
	SECTION("log", log_opts),
	SECTION("http", http_opts),
};

/* Keys every backend section has besides its own options. */
static const char *const backend_common[] = { "jid", "secret", "port", NULL };

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

static const struct gw_backend *backend_named(const char *name)
{
	for (const struct gw_backend *const *b = gw_backends; *b; b++)
		if (strcmp((*b)->name, name) == 0)
			return *b;
	return NULL;
}

static const struct gw_option *find_opt(const struct gw_option *opts, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(opts[i].key, key) == 0)
			return &opts[i];
	return NULL;
}

static const struct gw_option *backend_opt(const struct gw_backend *be, const char *key)
{
	return find_opt(be->options, be->n_options, key);
}

static bool check_value(const struct conf *c, const char *section, const struct gw_option *o,
			const char *v, char **errmsg)
{
	int64_t n;
	if (o->type == GW_OPT_INT && !parse_int(v, o->min, o->max, &n))
		return set_err(errmsg, c, "[%s] %s = %s: must be a whole number from %" G_GINT64_FORMAT
			       " to %" G_GINT64_FORMAT, section, o->key, v, o->min, o->max);
	if (o->type == GW_OPT_BOOL && g_ascii_strcasecmp(v, "true") && g_ascii_strcasecmp(v, "false")
	    && strcmp(v, "1") && strcmp(v, "0") && g_ascii_strcasecmp(v, "yes")
	    && g_ascii_strcasecmp(v, "no"))
		return set_err(errmsg, c, "[%s] %s = %s: must be true or false", section, o->key, v);
	const char *must = o->check ? o->check(v) : NULL;
	if (must)
		return set_err(errmsg, c, "[%s] %s = %s: must be %s", section, o->key, v, must);
	return true;
}

/* Every key of section is one of opts (or of extra, NULL-terminated), and
 * every value of opts passes its checks. */
static bool check_section(const struct conf *c, const char *section, const struct gw_option *opts,
			  size_t n_opts, const char *const *extra, char **errmsg)
{
	gsize n = 0;
	char **keys = g_key_file_get_keys(c->kf, section, &n, NULL);
	bool ok = true;
	for (gsize i = 0; ok && i < n; i++) {
		bool known = false;
		for (const char *const *e = extra; e && *e; e++)
			known |= !strcmp(keys[i], *e);
		const struct gw_option *o = find_opt(opts, n_opts, keys[i]);
		if (!known && !o) {
			ok = set_err(errmsg, c, "[%s] %s: unknown key", section, keys[i]);
			break;
		}
		if (o) {
			char *v = g_key_file_get_string(c->kf, section, keys[i], NULL);
			ok = check_value(c, section, o, g_strstrip(v), errmsg);
			g_free(v);
		}
	}
	g_strfreev(keys);
	return ok;
}

/* A value of a checked section: the file's, trimmed, or the default. */
static char *value_of(const struct conf *c, const char *section, const struct gw_option *o)
{
	char *v = g_key_file_get_string(c->kf, section, o->key, NULL);
	if (!v)
		return g_strdup(o->deflt ? o->deflt : "");
	return g_strstrip(v);
}

static char *core_string(const struct conf *c, const char *section, const char *key)
{
	for (size_t i = 0; i < G_N_ELEMENTS(core_sections); i++) {
		const struct section *sec = &core_sections[i];
		const struct gw_option *o = strcmp(sec->name, section) ? NULL
						: find_opt(sec->opts, sec->n_opts, key);
		if (o)
			return value_of(c, section, o);
	}
	g_assert_not_reached();
}

static int64_t core_int(const struct conf *c, const char *section, const char *key)
{
	char *v = core_string(c, section, key);
	int64_t n = g_ascii_strtoll(v, NULL, 10);
	g_free(v);
	return n;
}

/* The checked core values into c. */
static void fill(struct conf *c)
{
	c->xmpp_server = core_string(c, "xmpp", "server");
	c->xmpp_port = core_int(c, "xmpp", "port");
	c->outbox_max = core_int(c, "xmpp", "outbox_max");
	c->queue_high = core_int(c, "xmpp", "send_queue_high");
	c->queue_low = core_int(c, "xmpp", "send_queue_low");
	c->reconnect_max_ms = core_int(c, "xmpp", "reconnect_max_ms");
	c->ack_window_stanzas = core_int(c, "xmpp", "ack_window_stanzas");
	c->ack_window_bytes = core_int(c, "xmpp", "ack_window_bytes");
	c->ack_every_stanzas = core_int(c, "xmpp", "ack_every_stanzas");
	c->ack_every_ms = core_int(c, "xmpp", "ack_every_ms");
	c->ack_timeout_ms = core_int(c, "xmpp", "ack_timeout_ms");
	c->store_path = core_string(c, "store", "path");
	char *v = core_string(c, "policy", "allow");
	c->allow = parse_list(v);
	g_free(v);
	v = core_string(c, "policy", "admins");
	c->admins = parse_list(v);
	g_free(v);
	c->http_listen = core_string(c, "http", "listen");
	c->http_port = core_int(c, "http", "port");
	c->http_public_url = core_string(c, "http", "public_url");
	c->http_read_timeout_s = core_int(c, "http", "read_timeout_s");
	c->http_max_connections = core_int(c, "http", "max_connections");
	v = core_string(c, "http", "metrics");
	c->http_metrics = !g_ascii_strcasecmp(v, "true");
	g_free(v);
	c->http_metrics_token = core_string(c, "http", "metrics_token");
	c->http_section = g_key_file_has_group(c->kf, "http");
	c->http_addr_set = g_key_file_has_key(c->kf, "http", "listen", NULL) ||
			   g_key_file_has_key(c->kf, "http", "port", NULL);
	v = core_string(c, "log", "level");
	log_parse_level(v, &c->log_level);
	g_free(v);
}

static bool load_backend(struct conf *c, const struct gw_backend *be, char **errmsg)
{
	if (!check_section(c, be->name, be->options, be->n_options, backend_common, errmsg))
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
	/* A listener of its own per backend: ejabberd gives every host of one
	 * listener to each of its connections and picks one at random for
	 * every stanza, which reorders a user's burst. */
	cb->port = c->xmpp_port;
	char *port = g_key_file_get_string(c->kf, be->name, "port", NULL);
	bool port_ok = !port || parse_int(g_strstrip(port), 1, 65535, &cb->port);
	g_free(port);
	if (!port_ok)
		return set_err(errmsg, c, "[%s] port: must be a port (1-65535), the XMPP server's "
			       "component listener for %s", be->name, cb->jid);
	for (guint i = 0; i + 1 < c->backends->len; i++) {
		struct conf_backend *other = g_ptr_array_index(c->backends, i);
		if (strcmp(other->jid, cb->jid) == 0)
			return set_err(errmsg, c, "[%s] jid = %s: already used by [%s]", be->name,
				       cb->jid, other->be->name);
	}
	return true;
}

static bool check_sections(struct conf *c, char **errmsg)
{
	char **groups = g_key_file_get_groups(c->kf, NULL);
	bool ok = true;
	for (char **g = groups; ok && *g; g++) {
		if (backend_named(*g))
			continue;
		const struct section *sec = NULL;
		for (size_t i = 0; i < G_N_ELEMENTS(core_sections); i++)
			if (!strcmp(core_sections[i].name, *g))
				sec = &core_sections[i];
		if (!sec)
			ok = set_err(errmsg, c, "[%s]: unknown section", *g);
		else
			ok = check_section(c, sec->name, sec->opts, sec->n_opts, NULL, errmsg);
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
	fill(c);
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
	g_free(c->http_listen);
	g_free(c->http_public_url);
	g_free(c->http_metrics_token);
	g_strfreev(c->allow);
	g_strfreev(c->admins);
	g_free(c);
}

/* key = value, then its help line. */
static void describe_opts(const struct conf *c, FILE *f, const char *section,
			  const struct gw_option *opts, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		char *v = value_of(c, section, &opts[k]);
		if (opts[k].secret)
			fprintf(f, "  %s %s\n", opts[k].key, *v ? "is set (not shown)" : "is not set");
		else
			fprintf(f, "  %s = %s\n", opts[k].key, v);
		fprintf(f, "      %s\n", opts[k].help ? opts[k].help : "");
		g_free(v);
	}
}

void conf_describe(const struct conf *c, FILE *f)
{
	fprintf(f, "configuration %s is valid\n", c->path);
	fprintf(f, "backends built in:");
	for (const struct gw_backend *const *b = gw_backends; *b; b++)
		fprintf(f, " %s", (*b)->name);
	fprintf(f, "\n");
	fprintf(f, "XMPP server component port: %s:%" G_GINT64_FORMAT "\n", c->xmpp_server, c->xmpp_port);
	fprintf(f, "store: %s\n", c->store_path);
	char *allow = g_strjoinv(", ", c->allow);
	char *admins = g_strjoinv(", ", c->admins);
	fprintf(f, "may register: %s\n", *allow ? allow : "(nobody)");
	fprintf(f, "admins: %s\n", *admins ? admins : "(none)");
	g_free(allow);
	g_free(admins);
	for (size_t i = 0; i < G_N_ELEMENTS(core_sections); i++) {
		const struct section *sec = &core_sections[i];
		fprintf(f, "[%s]\n", sec->name);
		describe_opts(c, f, sec->name, sec->opts, sec->n_opts);
	}
	for (guint i = 0; i < c->backends->len; i++) {
		struct conf_backend *cb = g_ptr_array_index(c->backends, i);
		fprintf(f, "backend %s (%s) on %s, component port %" G_GINT64_FORMAT "\n",
			cb->be->name, cb->be->description, cb->jid, cb->port);
		describe_opts(c, f, cb->be->name, cb->be->options, cb->be->n_options);
	}
}

void conf_foreach_option(void (*cb)(const char *section, const char *about,
				    const struct gw_option *o, void *ud),
			 void *ud)
{
	for (size_t i = 0; i < G_N_ELEMENTS(core_sections); i++)
		for (size_t k = 0; k < core_sections[i].n_opts; k++)
			cb(core_sections[i].name, NULL, &core_sections[i].opts[k], ud);
	for (const struct gw_backend *const *b = gw_backends; *b; b++)
		for (size_t k = 0; k < (*b)->n_options; k++)
			cb((*b)->name, (*b)->description, &(*b)->options[k], ud);
}

static struct conf *current;

void conf_set_current(struct conf *c) { current = c; }
struct conf *conf_current(void) { return current; }

char *conf_backend_string(const struct conf *c, const struct gw_backend *be, const char *key)
{
	const struct gw_option *o = backend_opt(be, key);
	g_assert(o);
	return value_of(c, be->name, o);
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
