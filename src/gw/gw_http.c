/* gw_http.c - the HTTP listener as backends see it (gateway.h): mounts
 * on behalf of an instance, the listener's address from [http] or a
 * backend's deprecated keys, public URLs. core.c starts and stops it. */
#include "conf.h"
#include "gw_http.h"
#include "http.h"
#include "instance.h"

#include <string.h>

struct gw_mount {
	struct gw *gw;
	char *prefix;
	gw_http_fn fn;
	gw_http_guard_fn guard;
	void *ud;
};

static void mount_free(gpointer p)
{
	struct gw_mount *m = p;
	g_free(m->prefix);
	g_free(m);
}

static GPtrArray *gw_mounts;     /* struct gw_mount * */
static char *legacy_listen;      /* the first backend's deprecated keys */
static int64_t legacy_port;

static void call(const struct gw_http_req *req, struct gw_http_reply *out, void *ud)
{
	struct gw_mount *m = ud;
	m->fn(m->gw, req, out, m->ud);
}

enum gw_err gw_http_mount(struct gw *gw, const char *prefix, size_t max_body, gw_http_fn fn,
			  void *ud)
{
	g_assert(prefix[0] == '/');
	struct gw_mount *m = g_new0(struct gw_mount, 1);
	m->gw = gw;
	m->prefix = g_strdup(prefix);
	m->fn = fn;
	m->ud = ud;
	enum gw_err err = http_mount(prefix, max_body, call, m);
	if (err != GW_OK) {
		log_msg(LOG_ERROR, "http", "%s: %s is taken by another backend", gw->domain, prefix);
		mount_free(m);
		return err;
	}
	if (!gw_mounts)
		gw_mounts = g_ptr_array_new_with_free_func(mount_free);
	g_ptr_array_add(gw_mounts, m);
	return GW_OK;
}

static bool guard_call(const struct gw_http_req *req, void *ud)
{
	struct gw_mount *m = ud;
	return m->guard(m->gw, req, m->ud);
}

enum gw_err gw_http_guard(struct gw *gw, const char *prefix, gw_http_guard_fn fn)
{
	for (guint i = 0; gw_mounts && i < gw_mounts->len; i++) {
		struct gw_mount *m = g_ptr_array_index(gw_mounts, i);
		if (m->gw == gw && !strcmp(m->prefix, prefix)) {
			m->guard = fn;
			return http_guard(prefix, guard_call);
		}
	}
	return GW_ERR_NOT_FOUND;
}

void gw_http_listen_at(struct gw *gw, const char *listen, int64_t port)
{
	const struct conf *c = conf_current();
	bool given = (listen && *listen) || port;
	if (!given)
		return;
	if (c->http_addr_set) {
		log_msg(LOG_WARN, "http", "%s: [%s] names the HTTP listener's address, which "
			"[http] sets: [%s]'s is ignored", gw->domain, gw->be->name, gw->be->name);
		return;
	}
	log_msg(LOG_WARN, "http", "%s: [%s]'s address keys for the HTTP listener are "
		"deprecated: use [http] listen and port", gw->domain, gw->be->name);
	if (legacy_listen || legacy_port)
		return;
	legacy_listen = g_strdup(listen && *listen ? listen : c->http_listen);
	legacy_port = port ? port : c->http_port;
}

static const char *listen_addr(void)
{
	return legacy_listen ? legacy_listen : conf_current()->http_listen;
}

static int64_t listen_port(void)
{
	return legacy_port ? legacy_port : conf_current()->http_port;
}

const char *gw_http_header(const struct gw_http_req *req, const char *name)
{
	return http_header(req, name);
}

char *gw_http_url(struct gw *gw, const char *path)
{
	const struct conf *c = conf_current();
	char *base = *c->http_public_url
		? g_strdup(c->http_public_url)
		: g_strdup_printf(strchr(listen_addr(), ':') ? "http://[%s]:%" G_GINT64_FORMAT
							     : "http://%s:%" G_GINT64_FORMAT,
				  listen_addr(), listen_port());
	while (g_str_has_suffix(base, "/"))
		base[strlen(base) - 1] = 0;
	char *url = g_strconcat(base, path, NULL);
	g_free(base);
	return url;
}

char *gw_store_dir(struct gw *gw)
{
	return g_path_get_dirname(conf_current()->store_path);
}

enum gw_err gw_http_start(void)
{
	const struct conf *c = conf_current();
	if (!http_has_mounts() && !c->http_section)
		return GW_OK;
	struct http_params p = {
		.listen = listen_addr(),
		.port = listen_port(),
		.read_timeout_s = c->http_read_timeout_s,
		.max_connections = c->http_max_connections,
	};
	enum gw_err err = http_start(&p);
	/* Say whom it stops: each backend that mounted something. */
	for (guint i = 0; err != GW_OK && gw_mounts && i < gw_mounts->len; i++) {
		struct gw *gw = ((struct gw_mount *)g_ptr_array_index(gw_mounts, i))->gw;
		bool said = false;
		for (guint j = 0; j < i; j++)
			said |= ((struct gw_mount *)g_ptr_array_index(gw_mounts, j))->gw == gw;
		if (!said)
			log_msg(LOG_ERROR, "core", "backend %s did not start: the HTTP listener it "
				"needs cannot listen", gw->be->name);
	}
	return err;
}

void gw_http_stop(void)
{
	http_stop();
	if (gw_mounts)
		g_ptr_array_free(gw_mounts, TRUE);
	gw_mounts = NULL;
	g_free(legacy_listen);
	legacy_listen = NULL;
	legacy_port = 0;
}
