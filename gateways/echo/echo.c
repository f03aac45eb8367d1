/* echo.c - the reference backend: a pretend network that answers every
 * message with its own text. The core's end-to-end tests use it, and it is
 * the template for new backends.
 *
 * Commands, sent as a message body to any contact:
 *   /delay N text      the echo comes after N seconds (1..delay_max)
 *   /presence SHOW [status]   the contact changes presence
 *                      (online, chat, away, xa, dnd, offline)
 *   /hostile           the echo holds bytes no XML stream may carry, to
 *                      show the core's sanitiser at work
 *   /flood N           N numbered echoes at once (1..flood_max), to load
 *                      the component link
 *
 * Each contact has a setting (the ad-hoc command "configure" on its JID):
 * a prefix put before its echoes.
 */
#include "gateway.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ECHO_CHECK_MS 10 /* pretend the network takes a moment to answer */

struct echo {
	GHashTable *pending; /* struct pending * set: delayed echoes and checks */
	int64_t echoed;      /* messages echoed since start */
};

struct pending {
	struct gw *gw;
	unsigned timer;
	char *jid;
	char *legacy;
	char *body;
	struct gw_request *req; /* a registration check, or NULL */
	enum gw_err verdict;
	const char *why;
};

static void pending_free(gpointer p)
{
	struct pending *d = p;
	g_free(d->jid);
	g_free(d->legacy);
	g_free(d->body);
	g_free(d);
}

static struct pending *pending_new(struct gw *gw, const char *jid, const char *legacy,
				   const char *body)
{
	struct pending *d = g_new0(struct pending, 1);
	d->gw = gw;
	d->jid = g_strdup(jid);
	d->legacy = g_strdup(legacy);
	d->body = g_strdup(body);
	g_hash_table_add(((struct echo *)gw_priv(gw))->pending, d);
	return d;
}

static void pending_done(struct pending *d)
{
	g_hash_table_remove(((struct echo *)gw_priv(d->gw))->pending, d);
}

static enum gw_err echo_start(struct gw *gw)
{
	struct echo *e = gw_priv(gw);
	e->pending = g_hash_table_new_full(g_direct_hash, g_direct_equal, pending_free, NULL);
	return GW_OK;
}

static void echo_stop(struct gw *gw)
{
	struct echo *e = gw_priv(gw);
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, e->pending);
	while (g_hash_table_iter_next(&it, &k, NULL)) {
		struct pending *d = k;
		gw_timer_remove(d->timer);
		if (d->req)
			gw_request_done(d->req, GW_ERR_SERVICE_UNAVAILABLE, "the gateway is stopping");
	}
	g_hash_table_destroy(e->pending);
}

/* ---- registration ----------------------------------------------------- */

static bool username_ok(const char *u)
{
	size_t n = strlen(u);
	if (n < 1 || n > 64)
		return false;
	return strspn(u, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static void check_fire(void *ud)
{
	struct pending *d = ud;
	gw_request_done(d->req, d->verdict, d->why);
	pending_done(d);
}

static void echo_register_check(struct gw *gw, struct gw_request *req, const char *jid,
				GHashTable *values, GHashTable *old)
{
	const char *user = g_hash_table_lookup(values, "username");
	const char *pass = g_hash_table_lookup(values, "password");
	char *owner = NULL;
	struct pending *d = pending_new(gw, jid, NULL, NULL);
	d->req = req;
	if (!username_ok(user)) {
		d->verdict = GW_ERR_NOT_ACCEPTABLE;
		d->why = "a username holds 1 to 64 of a-z, 0-9, dot, dash and underscore";
	} else if (!strcmp(pass, "wrong")) {
		d->verdict = GW_ERR_FORBIDDEN;
		d->why = "the echo network refused these credentials";
	} else if (gw_reg_find(gw, "username", user, &owner) == GW_OK && strcmp(owner, jid)) {
		d->verdict = GW_ERR_CONFLICT;
		d->why = "this username is registered by somebody else";
	}
	g_free(owner);
	d->timer = gw_timer_add(ECHO_CHECK_MS, check_fire, d);
}

/* ---- sessions and messages ---------------------------------------------- */

static bool contact_online(const char *legacy, const char *name, void *ud)
{
	gw_deliver_presence(ud, legacy, GW_SHOW_ONLINE, NULL);
	return true;
}

static enum gw_err echo_login(struct gw_session *s)
{
	gw_contact_foreach(s, contact_online, s);
	return GW_OK;
}

static void echo_logout(struct gw_session *s)
{
}

/* Fires a delayed echo, or a contact's presence after a subscription. */
static void deliver_fire(void *ud)
{
	struct pending *d = ud;
	if (d->body) {
		/* Delivered even when the user went offline meanwhile. */
		struct gw_message m = { .type = GW_MSG_CHAT, .body = d->body };
		enum gw_err err = gw_deliver_message_to(d->gw, d->jid, d->legacy, &m);
		if (err != GW_OK)
			log_msg(LOG_WARN, "echo", "delayed echo for %s not delivered: %s", d->jid,
				err_text(err));
	} else {
		struct gw_session *s = gw_session_find(d->gw, d->jid);
		if (s)
			gw_deliver_presence(s, d->legacy, GW_SHOW_ONLINE, NULL);
	}
	pending_done(d);
}

static const char *const show_words[] = {
	[GW_SHOW_OFFLINE] = "offline", [GW_SHOW_ONLINE] = "online", [GW_SHOW_CHAT] = "chat",
	[GW_SHOW_AWAY] = "away", [GW_SHOW_XA] = "xa", [GW_SHOW_DND] = "dnd",
};

static enum gw_err command_presence(struct gw_session *s, const char *to, const char *args,
				    struct gw_reason *why)
{
	char word[16] = "";
	int n = 0;
	sscanf(args, "%15s %n", word, &n);
	for (size_t i = 0; i < G_N_ELEMENTS(show_words); i++) {
		if (!strcmp(word, show_words[i])) {
			return gw_deliver_presence(s, to, (enum gw_show)i,
						   n > 0 && args[n] ? args + n : NULL);
		}
	}
	gw_reason_set(why, "usage: /presence online|chat|away|xa|dnd|offline [status]");
	return GW_ERR_BAD_REQUEST;
}

static enum gw_err command_delay(struct gw_session *s, const char *to, const char *args,
				 struct gw_reason *why)
{
	struct gw *gw = gw_session_gw(s);
	char *end;
	long secs = strtol(args, &end, 10);
	if (end == args || secs < 1 || secs > gw_conf_int(gw, "delay_max") || *end != ' ') {
		gw_reason_set(why, "usage: /delay SECONDS text (SECONDS up to the delay_max setting)");
		return GW_ERR_BAD_REQUEST;
	}
	struct pending *d = pending_new(gw, gw_session_jid(s), to, end + 1);
	d->timer = gw_timer_add((unsigned)secs * 1000, deliver_fire, d);
	return GW_OK;
}

static enum gw_err command_flood(struct gw_session *s, const char *to, const char *args,
				 struct gw_reason *why)
{
	char *end;
	long n = strtol(args, &end, 10);
	if (end == args || *end || n < 1 || n > gw_conf_int(gw_session_gw(s), "flood_max")) {
		gw_reason_set(why, "usage: /flood N (N up to the flood_max setting)");
		return GW_ERR_BAD_REQUEST;
	}
	for (long i = 1; i <= n; i++) {
		char body[64];
		g_snprintf(body, sizeof body, "flood %ld/%ld", i, n);
		struct gw_message m = { .type = GW_MSG_CHAT, .body = body };
		enum gw_err err = gw_deliver_message(s, to, &m);
		if (err != GW_OK) {
			/* The gateway's queues are full: stop, and say how far it got. */
			gw_reason_set(why, "only %ld of %ld echoes could be queued", i - 1, n);
			log_msg(LOG_WARN, "echo", "flood for %s stopped: %s", gw_session_jid(s),
				why->text);
			return err;
		}
	}
	return GW_OK;
}

static enum gw_err echo_send_message(struct gw_session *s, const char *to,
				     const struct gw_message *msg, struct gw_reason *why)
{
	const char *b = msg->body;
	if (!to) {
		struct gw_message help = {
			.type = GW_MSG_CHAT,
			.body = "This is the echo gateway: write to anything@ this domain and the "
				"message comes back. Commands: /delay N text, /presence SHOW [status], "
				"/hostile.",
		};
		return gw_deliver_message(s, NULL, &help);
	}
	if (!strncmp(b, "/delay ", 7))
		return command_delay(s, to, b + 7, why);
	if (!strncmp(b, "/flood ", 7))
		return command_flood(s, to, b + 7, why);
	if (!strncmp(b, "/presence ", 10))
		return command_presence(s, to, b + 10, why);
	char *prefix = gw_session_get_for(s, to, "prefix");
	char *prefixed = prefix ? g_strconcat(prefix, b, NULL) : NULL;
	/* Durable, as a webhook's messages would be: the echo is in the store
	 * before the user's message counts as handled. */
	struct gw_message m = { .type = msg->type, .body = prefixed ? prefixed : b,
				.durable = true };
	if (!strcmp(b, "/hostile"))
		m.body = "caf\xe9 \x03" "04red\x03 \x01" "ACTION waves\x01 \x02" "bold\x02 "
			 "\xff\xfe end \xe2\x82\xac";
	enum gw_err err = gw_deliver_message(s, to, &m);
	if (err == GW_OK)
		((struct echo *)gw_priv(gw_session_gw(s)))->echoed++;
	/* The echo network "delivered" it: an XEP-0184 receipt when asked. */
	if (err == GW_OK && msg->receipt && msg->sender && msg->id)
		gw_deliver_receipt(gw_session_gw(s), msg->sender, to, msg->id);
	g_free(prefix);
	g_free(prefixed);
	return err;
}

static void echo_send_presence(struct gw_session *s, enum gw_show show, const char *status)
{
	log_msg(LOG_DEBUG, "echo", "%s is now %s", gw_session_jid(s), show_words[show]);
}

static enum gw_err echo_contact_add(struct gw_session *s, const char *legacy)
{
	/* The contact's presence follows the core's "subscribed". */
	struct pending *d = pending_new(gw_session_gw(s), gw_session_jid(s), legacy, NULL);
	d->timer = gw_timer_add(ECHO_CHECK_MS, deliver_fire, d);
	return GW_OK;
}

static void echo_contact_remove(struct gw_session *s, const char *legacy)
{
}

static bool echo_settings_apply(struct gw *gw, const char *legacy)
{
	return true;
}

static enum gw_err echo_settings_check(struct gw *gw, const char *legacy, GHashTable *values,
				       struct gw_reason *why)
{
	const char *p = g_hash_table_lookup(values, "prefix");
	if (p && strchr(p, '/')) {
		gw_reason_set(why, "a prefix may not hold a slash");
		return GW_ERR_NOT_ACCEPTABLE;
	}
	return GW_OK;
}

static void echo_settings_changed(struct gw *gw, struct gw_session *s, const char *legacy)
{
	log_msg(LOG_DEBUG, "echo", "new settings for a contact");
}

static const struct gw_field contact_fields[] = {
	{ .var = "prefix", .label = "Prefix of this contact's echoes", .type = GW_FIELD_TEXT,
	  .max_bytes = 32 },
};

static const struct gw_contact_settings contact_settings = {
	.node = "configure",
	.name = "Configure this contact",
	.instructions = "Text put before every echo of this contact.",
	.fields = contact_fields,
	.n_fields = G_N_ELEMENTS(contact_fields),
};

static const struct gw_field echo_fields[] = {
	{ .var = "username", .label = "Username", .type = GW_FIELD_TEXT, .required = true,
	  .max_bytes = 64 },
	{ .var = "password", .label = "Password", .type = GW_FIELD_PRIVATE, .required = true,
	  .max_bytes = 256 },
};

static const struct gw_option echo_options[] = {
	{ .key = "delay_max", .type = GW_OPT_INT, .deflt = "60", .min = 1, .max = 3600,
	  .help = "longest /delay in seconds" },
	{ .key = "flood_max", .type = GW_OPT_INT, .deflt = "10000", .min = 1, .max = 1000000,
	  .help = "most echoes one /flood may ask for" },
};

/* ---- ad-hoc commands of the backend's own ------------------------------------ */

static enum gw_err cmd_reverse(struct gw *gw, const char *jid, GHashTable *values, char **report,
			       struct gw_reason *why)
{
	const char *text = g_hash_table_lookup(values, "text");
	*report = g_utf8_strreverse(text, -1);
	return GW_OK;
}

static enum gw_err cmd_counts(struct gw *gw, const char *jid, GHashTable *values, char **report,
			      struct gw_reason *why)
{
	struct echo *e = gw_priv(gw);
	*report = g_strdup_printf("messages echoed: %" G_GINT64_FORMAT "\npending: %u", e->echoed,
				  g_hash_table_size(e->pending));
	return GW_OK;
}

static const struct gw_field reverse_fields[] = {
	{ .var = "text", .label = "Text to reverse", .type = GW_FIELD_TEXT, .required = true,
	  .max_bytes = 1024 },
};

static const struct gw_command echo_commands[] = {
	{ .node = "reverse", .name = "Reverse a text", .fields = reverse_fields,
	  .n_fields = G_N_ELEMENTS(reverse_fields), .run = cmd_reverse },
	{ .node = "counts", .name = "Echo counts", .admin = true, .run = cmd_counts },
};

const struct gw_backend echo_backend = {
	.name = "echo",
	.type = "echo",
	.description = "Echo gateway",
	.caps = GW_CAP_CONTACTS | GW_CAP_PRESENCE | GW_CAP_CONTACT_SETTINGS,
	.priv_size = sizeof(struct echo),
	.session_size = 0,
	.fields = echo_fields,
	.n_fields = G_N_ELEMENTS(echo_fields),
	.options = echo_options,
	.n_options = G_N_ELEMENTS(echo_options),
	.instructions = "Choose a username and a password for the echo network.",
	.prompt = "Name",
	.contact_category = "client",
	.contact_type = "pc",
	.contact_features = (const char *const[]){ "urn:xmpp:receipts", NULL },
	.commands = echo_commands,
	.n_commands = G_N_ELEMENTS(echo_commands),
	.contact_settings = &contact_settings,
	.ops = {
		.start = echo_start,
		.stop = echo_stop,
		.register_check = echo_register_check,
		.login = echo_login,
		.logout = echo_logout,
		.send_message = echo_send_message,
		.send_presence = echo_send_presence,
		.contact_add = echo_contact_add,
		.contact_remove = echo_contact_remove,
		.settings_apply = echo_settings_apply,
		.settings_check = echo_settings_check,
		.settings_changed = echo_settings_changed,
	},
};
