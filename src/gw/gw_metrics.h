/* gw_metrics.h - the core's side of the metrics (gateway.h, gw_metric_*;
 * util/metrics.h): the instances' gauges and the process's, and the
 * /metrics handler on the HTTP listener. core.c starts it once every
 * backend has started, and stops it with them.
 */
#ifndef XMPPGW_GW_METRICS_H
#define XMPPGW_GW_METRICS_H

#include <glib.h>

#include "gateway.h"

/* The instances' gauges (instances: struct gw *, borrowed until
 * gw_metrics_fini) and, when the HTTP listener will run and [http]
 * metrics is on, /metrics mounted on it. Before gw_http_start(). */
void gw_metrics_start(GPtrArray *instances);
/* One message through gw: to the other network (from a user) or from it
 * (to a user), in a room or not, and how it went. */
void gw_metrics_message(struct gw *gw, bool to_network, bool room, enum gw_err err);
/* gw's handles and scrape hooks freed, its series forgotten. */
void gw_metrics_stop(struct gw *gw);
/* Everything freed, every family forgotten. */
void gw_metrics_fini(void);

#endif
