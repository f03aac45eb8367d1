/* metrics.h - the process's metrics, rendered in Prometheus' text
 * exposition format (version 0.0.4) for the HTTP listener's /metrics.
 *
 * One registry per process. A family is a name, a help text, a type and
 * its label names; a series is one set of label values and its value.
 * Every layer may record (a counter's add is a hash lookup and an
 * addition, nothing else), so that the link, the store and the backends
 * count where things happen; gauges that are cheaper to compute when
 * asked are set from a collect hook, which runs before each rendering.
 *
 * Label values must come from a small fixed set the code names (a kind,
 * a direction, a driver, a gateway's domain): never a JID, an address or
 * any text from a network, which would grow the registry without bound.
 * Names follow Prometheus' rules ([a-zA-Z_:][a-zA-Z0-9_:]*, base units,
 * counters ending in _total); a bad name or a wrong label count is a
 * programming error and aborts (g_assert).
 */
#ifndef XMPPGW_METRICS_H
#define XMPPGW_METRICS_H

#include <glib.h>
#include <stddef.h>

enum metric_type { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

#define METRIC_MAX_LABELS 4
#define METRIC_MAX_BUCKETS 16

struct metric_family;

/* The family called name, made on first use: help, type, the label names
 * ("gateway,kind": comma-separated, at most METRIC_MAX_LABELS; NULL or ""
 * for none) and, for a histogram, its upper bounds (ascending, at most
 * METRIC_MAX_BUCKETS; +Inf is added). A second call with the same name
 * returns the same family and must agree on the type and the labels. */
struct metric_family *metric_family(const char *name, const char *help, enum metric_type type,
				    const char *labels, const double *bounds, size_t n_bounds);

/* A counter's series (label values in the family's order, as many as it
 * has label names) grows by v (>= 0). */
void metric_add(struct metric_family *f, const char *const *values, double v);
/* A gauge's series is v; or a counter's, when what it counts is read
 * from elsewhere (the kernel's CPU time), which must only grow. */
void metric_set(struct metric_family *f, const char *const *values, double v);
/* A histogram's series counts one observation of v. */
void metric_observe(struct metric_family *f, const char *const *values, double v);
/* Drops every series of the family whose first label value is v0 (a
 * gateway that stops), or all of them when v0 is NULL. */
void metric_forget(struct metric_family *f, const char *v0);

/* fn runs before each rendering (in the order added) to set gauges. */
typedef void (*metric_collect_fn)(void *ud);
void metric_on_collect(metric_collect_fn fn, void *ud);
void metric_off_collect(metric_collect_fn fn, void *ud);

/* Every family, in the order they were made, each series sorted by its
 * label values; returns new. */
char *metrics_render(void);

/* Forgets every family and hook (at exit; tests). */
void metrics_reset(void);

#endif
