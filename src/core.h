/* core.h - the running backend instances: start-up, the links' events,
 * the probes after a link comes up, and shutdown. main.c drives it and
 * hands it the router, which gets every stanza a link receives.
 */
#ifndef XMPPGW_CORE_H
#define XMPPGW_CORE_H

#include <glib.h>
#include <strophe.h>

#include "conf.h"

struct gw;

/* What gets every stanza (borrowed) a link receives, addressed to gw. */
typedef void (*core_stanza_fn)(struct gw *gw, xmpp_stanza_t *st);

/* The running instances (struct gw *). */
GPtrArray *core_instances(void);
/* Starts every configured backend and its link; c becomes the conf in
 * force (conf_current) until core_free. */
enum gw_err core_start(struct conf *c, core_stanza_fn on_stanza);
/* Sends unavailable presences, logs out every session, stops backends.
 * done is called once every link's queue has drained (or timed out). */
void core_shutdown(void (*done)(void));
/* Runs loop until a shutdown or a fatal link error; returns the exit code. */
int core_run(GMainLoop *loop);
/* Stops backends, closes links, frees everything core_start made. */
void core_free(void);

#endif
