/* conf.h - the INI configuration, read with GKeyFile.
 *
 * One table (conf.c) declares every core option with its type, default and
 * bounds; each backend declares its own options in its struct gw_backend.
 * A backend runs when its section is present. Unknown sections and keys are
 * errors, so a typo never silently changes behaviour.
 */
#ifndef XMPPGW_CONF_H
#define XMPPGW_CONF_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "gateway.h"
#include "log.h"

struct conf_backend {
	const struct gw_backend *be;
	char *jid;     /* the backend's component domain */
	char *secret;  /* never logged */
	int64_t port;  /* its component listener: the section's port, else [xmpp] port */
};

struct conf {
	char *path;
	GKeyFile *kf;
	char *xmpp_server;   /* an IP literal: no blocking DNS */
	int64_t xmpp_port;
	int64_t outbox_max;
	int64_t queue_high, queue_low;
	int64_t reconnect_max_ms;
	int64_t ack_window_stanzas, ack_window_bytes;
	int64_t ack_every_stanzas, ack_every_ms, ack_timeout_ms;
	char *store_path;
	char *http_listen;   /* [http]: an IP literal */
	int64_t http_port;
	char *http_public_url; /* "" : http://listen:port */
	int64_t http_read_timeout_s;
	int64_t http_max_connections;
	bool http_metrics;   /* serve /metrics */
	char *http_metrics_token; /* "" : none */
	bool http_section;   /* [http] is in the file */
	bool http_addr_set;  /* it sets listen or port */
	char **allow;        /* NULL-terminated, lower-cased */
	char **admins;
	enum log_level log_level;
	GPtrArray *backends; /* struct conf_backend * */
};

/* Reads and validates path. GW_OK with *out new (conf_free), or an error
 * with *errmsg new, naming the file, section and key. */
enum gw_err conf_load(const char *path, struct conf **out, char **errmsg);
void conf_free(struct conf *c);
/* Prints what would run (backends, domains, store, policy), no secrets. */
void conf_describe(const struct conf *c, FILE *f);

/* Every option of every section, core sections first, then each backend
 * built in: cb(section, about, option) with about NULL for the core's and
 * the backend's description for its own. The keys every backend section
 * has (jid, secret, port) are not among them. For generating the
 * documentation (xmpp-gw.ini(5)). */
void conf_foreach_option(void (*cb)(const char *section, const char *about,
				    const struct gw_option *o, void *ud),
			 void *ud);

/* The configuration in force (core.c sets it at start; SIGHUP updates its
 * policy and log level in place). */
void conf_set_current(struct conf *c);
struct conf *conf_current(void);

/* Backend option values, validated by conf_load. */
char *conf_backend_string(const struct conf *c, const struct gw_backend *be,
			  const char *key);
int64_t conf_backend_int(const struct conf *c, const struct gw_backend *be, const char *key);
bool conf_backend_bool(const struct conf *c, const struct gw_backend *be, const char *key);


#endif
