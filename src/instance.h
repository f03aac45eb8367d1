/* instance.h - one running backend instance (struct gw, opaque to
 * backends). core.c makes and frees it and alone writes its fields; the
 * other core modules read them. A type only: no functions live here.
 */
#ifndef XMPPGW_INSTANCE_H
#define XMPPGW_INSTANCE_H

#include <glib.h>

#include "conf.h"
#include "gateway.h"

struct link;

struct gw {
	const struct gw_backend *be;
	const struct conf_backend *cb; /* jid and secret */
	const char *domain;            /* == cb->jid */
	void *priv;
	const struct gw_field *fields; /* be->fields unless gw_set_fields() */
	size_t n_fields;
	struct link *link;
	GHashTable *sessions;          /* bare jid -> struct gw_session * (session.c) */
	unsigned probe_grace_timer;
	GPtrArray *probe_queue;        /* bare JIDs still to probe */
	guint probe_next;
	bool congested;                /* the link's send queue is over its mark */
	bool link_down;                /* the link went down and is not back */
	bool paused;                   /* backends told to stop reading (either) */
};

#endif
