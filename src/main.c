/* main.c - arguments, signals, start-up and shutdown. */
#include "adhoc.h"
#include "conf.h"
#include "core.h"
#include "fdlimit.h"
#include "gw_loop.h"
#include "router.h"
#include "store.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strophe.h>

static GMainLoop *loop;
static char *conf_path;

static void shutdown_done(void)
{
	g_main_loop_quit(loop);
}

static gboolean on_term(gpointer data)
{
	log_msg(LOG_INFO, "main", "signal %s received", (const char *)data);
	core_shutdown(shutdown_done);
	return G_SOURCE_CONTINUE;
}

/* SIGHUP: the policy and the log level are read again. Everything else
 * needs a restart. */
static gboolean on_hup(gpointer data)
{
	struct conf *fresh = NULL;
	char *err = NULL;
	if (conf_load(conf_path, &fresh, &err) != GW_OK) {
		log_msg(LOG_ERROR, "main", "reload refused, keeping the running configuration: %s", err);
		g_free(err);
		return G_SOURCE_CONTINUE;
	}
	struct conf *now = conf_current();
	char **t = now->allow;
	now->allow = fresh->allow;
	fresh->allow = t;
	t = now->admins;
	now->admins = fresh->admins;
	fresh->admins = t;
	now->log_level = fresh->log_level;
	log_set_level(fresh->log_level);
	conf_free(fresh);
	log_msg(LOG_INFO, "main", "reloaded the policy and the log level from %s", conf_path);
	return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
	gboolean check = FALSE, version = FALSE;
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &conf_path, "configuration file", "FILE" },
		{ "check-config", 0, 0, G_OPTION_ARG_NONE, &check,
		  "validate the configuration, print what would run, and exit", NULL },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &version, "print the version and exit", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *oc = g_option_context_new("- XMPP gateway component");
	g_option_context_add_main_entries(oc, entries, NULL);
	GError *e = NULL;
	if (!g_option_context_parse(oc, &argc, &argv, &e)) {
		fprintf(stderr, "xmpp-gw: %s\n", e->message);
		g_error_free(e);
		g_option_context_free(oc);
		return 64;
	}
	g_option_context_free(oc);
	if (version) {
		printf("xmpp-gw %s\n", XMPPGW_VERSION);
		g_free(conf_path);
		return 0;
	}
	if (!conf_path) {
		fprintf(stderr, "xmpp-gw: -c FILE is required (see --help)\n");
		return 64;
	}
	struct conf *c = NULL;
	char *err = NULL;
	if (conf_load(conf_path, &c, &err) != GW_OK) {
		fprintf(stderr, "xmpp-gw: %s\n", err);
		g_free(err);
		g_free(conf_path);
		return 78;
	}
	if (check) {
		conf_describe(c, stdout);
		conf_free(c);
		g_free(conf_path);
		return 0;
	}
	log_set_level(c->log_level);
	if (store_open(c->store_path, &err) != GW_OK) {
		log_msg(LOG_ERROR, "main", "%s", err);
		g_free(err);
		conf_free(c);
		g_free(conf_path);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	xmpp_initialize();
	loop = g_main_loop_new(NULL, FALSE);
	loop_init();
	g_unix_signal_add(SIGTERM, on_term, "TERM");
	g_unix_signal_add(SIGINT, on_term, "INT");
	g_unix_signal_add(SIGHUP, on_hup, NULL);
	log_msg(LOG_INFO, "main", "xmpp-gw %s starting", XMPPGW_VERSION);
	fdlimit_raise();
	int rc = core_start(c, router_dispatch) == GW_OK ? core_run(loop) : 1;
	core_free();
	adhoc_fini();
	loop_fini();
	store_close();
	xmpp_shutdown();
	conf_free(c);
	g_main_loop_unref(loop);
	g_free(conf_path);
	log_msg(LOG_INFO, "main", "stopped");
	return rc;
}
