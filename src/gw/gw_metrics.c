/* gw_metrics.c - metrics as backends see them (gateway.h, gw_metric_*),
 * the gauges of the instances and of the process, and /metrics on the
 * HTTP listener (gw_metrics.h). The counters of the link and the store are
 * theirs (util/metrics.h). */
#include "gw_metrics.h"
#include "component.h"
#include "conf.h"
#include "http.h"
#include "instance.h"
#include "log.h"
#include "metrics.h"
#include "random.h"
#include "store_reg.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define BACKEND_LABELS (METRIC_MAX_LABELS - 1)

struct gw_metric {
	struct gw *gw;
	struct metric_family *f;
	size_t n_labels; /* after gateway */
};

struct scrape_hook {
	struct gw *gw;
	void (*fn)(struct gw *gw, void *ud);
	void *ud;
};

static GPtrArray *handles;   /* struct gw_metric * */
static GArray *scrape_hooks; /* struct scrape_hook */
static GPtrArray *running;   /* struct gw *, borrowed */

/* ---- the backends' families ------------------------------------------------ */

static struct gw_metric *family(struct gw *gw, const char *name, const char *help,
				const char *labels, enum metric_type type, const double *bounds,
				size_t n_bounds)
{
	char *full = g_strdup_printf("xmpp_gw_%s_%s", gw->be->name, name);
	char *all = g_strconcat("gateway", labels && *labels ? "," : "", labels ? labels : "",
				NULL);
	struct gw_metric *m = g_new0(struct gw_metric, 1);
	m->gw = gw;
	m->f = metric_family(full, help, type, all, bounds, n_bounds);
	for (const char *p = labels; p && *p; p++)
		m->n_labels += *p == ',';
	m->n_labels += labels && *labels;
	g_assert(m->n_labels <= BACKEND_LABELS);
	g_free(full);
	g_free(all);
	if (!handles)
		handles = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(handles, m);
	return m;
}

struct gw_metric *gw_metric_counter(struct gw *gw, const char *name, const char *help,
				    const char *labels)
{
	return family(gw, name, help, labels, METRIC_COUNTER, NULL, 0);
}

struct gw_metric *gw_metric_gauge(struct gw *gw, const char *name, const char *help,
				  const char *labels)
{
	return family(gw, name, help, labels, METRIC_GAUGE, NULL, 0);
}

struct gw_metric *gw_metric_histogram(struct gw *gw, const char *name, const char *help,
				      const char *labels, const double *bounds, size_t n_bounds)
{
	return family(gw, name, help, labels, METRIC_HISTOGRAM, bounds, n_bounds);
}

/* fn on m's series: the gateway's domain, then the label values the call
 * passed (ap). */
static void record(struct gw_metric *m,
		   void (*fn)(struct metric_family *, const char *const *, double), double v,
		   va_list ap)
{
	if (!m) /* a backend's unit test, which did not start it */
		return;
	const char *vals[METRIC_MAX_LABELS];
	vals[0] = m->gw->domain;
	for (size_t i = 0; i < m->n_labels; i++)
		vals[i + 1] = va_arg(ap, const char *);
	fn(m->f, vals, v);
}

void gw_metric_add(struct gw_metric *m, double v, ...)
{
	va_list ap;
	va_start(ap, v);
	record(m, metric_add, v, ap);
	va_end(ap);
}

void gw_metric_set(struct gw_metric *m, double v, ...)
{
	va_list ap;
	va_start(ap, v);
	record(m, metric_set, v, ap);
	va_end(ap);
}

void gw_metric_observe(struct gw_metric *m, double v, ...)
{
	va_list ap;
	va_start(ap, v);
	record(m, metric_observe, v, ap);
	va_end(ap);
}

void gw_metrics_on_scrape(struct gw *gw, void (*fn)(struct gw *gw, void *ud), void *ud)
{
	if (!scrape_hooks)
		scrape_hooks = g_array_new(FALSE, FALSE, sizeof(struct scrape_hook));
	struct scrape_hook h = { .gw = gw, .fn = fn, .ud = ud };
	g_array_append_val(scrape_hooks, h);
}

/* ---- messages, every backend's ------------------------------------------ */

void gw_metrics_message(struct gw *gw, bool to_network, bool room, enum gw_err err)
{
	static struct metric_family *f;
	if (!f)
		f = metric_family("xmpp_gw_messages_total", "Messages through the gateway: "
				  "to_network from XMPP users, from_network to them; outcome "
				  "ok or the XMPP error condition", METRIC_COUNTER,
				  "gateway,direction,chat,outcome", NULL, 0);
	const char *v[] = { gw->domain, to_network ? "to_network" : "from_network",
			    room ? "room" : "direct", err == GW_OK ? "ok" : err_condition(err) };
	metric_add(f, v, 1);
}

/* ---- the core's gauges --------------------------------------------------- */

static struct metric_family *f_registered, *f_sessions, *f_link_up, *f_outbox, *f_unacked,
	*f_queue, *f_rss, *f_vsize, *f_cpu, *f_fds, *f_max_fds, *f_start;

/* /proc/self/stat's fields from the 14th (utime) on: utime, stime,
 * starttime, vsize and rss; false when it cannot be read. */
static bool proc_stat(double *cpu_s, double *start_s, double *vsize, double *rss)
{
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "re");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	const char *p = strrchr(buf, ')'); /* the name may hold spaces */
	if (!p)
		return false;
	unsigned long long utime, stime, start, vs;
	long long pages;
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime priority nice threads itreal
	 * starttime vsize rss */
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d "
		   "%*d %*d %*d %llu %llu %lld", &utime, &stime, &start, &vs, &pages) != 5)
		return false;
	double hz = (double)sysconf(_SC_CLK_TCK);
	double boot = 0;
	FILE *u = fopen("/proc/stat", "re");
	char line[256];
	while (u && fgets(line, sizeof line, u))
		if (sscanf(line, "btime %lf", &boot) == 1)
			break;
	if (u)
		fclose(u);
	*cpu_s = (double)(utime + stime) / hz;
	*start_s = boot + (double)start / hz;
	*vsize = (double)vs;
	*rss = (double)pages * (double)sysconf(_SC_PAGESIZE);
	return true;
}

static double open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 0;
	double n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own */
}

static void collect(void *ud)
{
	(void)ud;
	for (guint i = 0; running && i < running->len; i++) {
		struct gw *gw = g_ptr_array_index(running, i);
		const char *v[] = { gw->domain };
		int64_t reg = store_reg_count(gw->be->name);
		metric_set(f_registered, v, reg < 0 ? 0 : (double)reg);
		metric_set(f_sessions, v, g_hash_table_size(gw->sessions));
		metric_set(f_link_up, v, link_is_up(gw->link));
		metric_set(f_outbox, v, (double)link_outbox_len(gw->link));
		metric_set(f_unacked, v, link_unacked(gw->link));
		metric_set(f_queue, v, link_queue_len(gw->link));
	}
	double cpu, start, vsize, rss;
	if (proc_stat(&cpu, &start, &vsize, &rss)) {
		metric_set(f_cpu, NULL, cpu);
		metric_set(f_start, NULL, start);
		metric_set(f_vsize, NULL, vsize);
		metric_set(f_rss, NULL, rss);
	}
	metric_set(f_fds, NULL, open_fds());
	struct rlimit rl;
	if (!getrlimit(RLIMIT_NOFILE, &rl))
		metric_set(f_max_fds, NULL, rl.rlim_cur == RLIM_INFINITY ? -1 : (double)rl.rlim_cur);
	for (guint i = 0; scrape_hooks && i < scrape_hooks->len; i++) {
		struct scrape_hook *h = &g_array_index(scrape_hooks, struct scrape_hook, i);
		h->fn(h->gw, h->ud);
	}
}

static struct metric_family *gauge(const char *name, const char *help, const char *labels)
{
	return metric_family(name, help, METRIC_GAUGE, labels, NULL, 0);
}

static void core_families(void)
{
	f_registered = gauge("xmpp_gw_registered_users", "Users registered with the gateway",
			     "gateway");
	f_sessions = gauge("xmpp_gw_sessions", "Users with at least one resource online",
			   "gateway");
	f_link_up = gauge("xmpp_gw_link_up", "Whether the link to the XMPP server is up",
			  "gateway");
	f_outbox = gauge("xmpp_gw_outbox_stanzas", "Stanzas in the durable outbox (sent and "
			 "unacknowledged, or waiting)", "gateway");
	f_unacked = gauge("xmpp_gw_ack_window_stanzas", "Stanzas sent and not yet "
			  "acknowledged by the server", "gateway");
	f_queue = gauge("xmpp_gw_send_queue_stanzas", "Stanzas in libstrophe's send queue",
			"gateway");
	f_rss = gauge("process_resident_memory_bytes", "Resident memory size in bytes", NULL);
	f_vsize = gauge("process_virtual_memory_bytes", "Virtual memory size in bytes", NULL);
	f_cpu = metric_family("process_cpu_seconds_total", "User and system CPU time spent in "
			      "seconds", METRIC_COUNTER, NULL, NULL, 0);
	f_fds = gauge("process_open_fds", "Number of open file descriptors", NULL);
	f_max_fds = gauge("process_max_fds", "Maximum number of open file descriptors", NULL);
	f_start = gauge("process_start_time_seconds", "Start time of the process since the "
			"epoch in seconds", NULL);
}

/* ---- /metrics ------------------------------------------------------------ */

static void serve(const struct gw_http_req *req, struct gw_http_reply *out, void *ud)
{
	char **text = ud;
	const char *token = conf_current()->http_metrics_token;
	if (strcmp(req->path, "/metrics")) {
		out->status = 404;
		out->body = "not found\n";
		return;
	}
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
		out->status = 405;
		out->body = "GET only\n";
		return;
	}
	if (*token) {
		const char *auth = http_header(req, "Authorization");
		bool bearer = auth && !g_ascii_strncasecmp(auth, "Bearer ", 7);
		if (!bearer || !secret_equal(auth + 7, token)) {
			log_msg(LOG_DEBUG, "http", "/metrics: %s bearer token: answered 401",
				auth ? "a wrong" : "no");
			out->status = 401;
			out->body = "a bearer token is required\n";
			out->www_authenticate = "Bearer realm=\"xmpp-gw metrics\"";
			return;
		}
	}
	g_free(*text);
	*text = metrics_render();
	out->status = 200;
	out->content_type = "text/plain; version=0.0.4; charset=utf-8";
	out->body = *text;
}

static char *last_text; /* the last answer's body, kept for libsoup's copy */

void gw_metrics_start(GPtrArray *instances)
{
	const struct conf *c = conf_current();
	running = instances;
	core_families();
	metric_on_collect(collect, NULL);
	if (c->http_metrics && (http_has_mounts() || c->http_section))
		http_mount("/metrics", 0, serve, &last_text);
}

void gw_metrics_stop(struct gw *gw)
{
	for (guint i = 0; handles && i < handles->len;) {
		struct gw_metric *m = g_ptr_array_index(handles, i);
		if (m->gw == gw) {
			metric_forget(m->f, gw->domain);
			g_ptr_array_remove_index(handles, i);
		} else {
			i++;
		}
	}
	for (guint i = 0; scrape_hooks && i < scrape_hooks->len;) {
		if (g_array_index(scrape_hooks, struct scrape_hook, i).gw == gw)
			g_array_remove_index(scrape_hooks, i);
		else
			i++;
	}
}

void gw_metrics_fini(void)
{
	if (handles)
		g_ptr_array_free(handles, TRUE);
	handles = NULL;
	if (scrape_hooks)
		g_array_free(scrape_hooks, TRUE);
	scrape_hooks = NULL;
	running = NULL;
	g_free(last_text);
	last_text = NULL;
	/* The families stay: the link and the store keep theirs for the
	 * process's life. */
	metric_off_collect(collect, NULL);
}
