/* commands.c - the e-mail backend's ad-hoc commands (commands.h). */
#include "email/commands.h"
#include "email/daycount.h"
#include "email/send.h"
#include "email/smtp.h"
#include "email/watch.h"

#include <string.h>

/* Accounts listed by "Mail accounts" at most (the totals count all). */
#define ACCOUNTS_REPORT_MAX 200u
/* The group of an outbox row (send.c stores each mail as a key file). */
#define OUT_GROUP "mail"

/* A "Check my mailbox again" in flight. */
struct recheck {
	struct email *em;
	char *jid;
	struct mail_server imap, smtp;
	struct mail_probe *probe;  /* the one running */
	char *imap_text;           /* the IMAP result, in words */
	GList *link;               /* in em->rechecks */
};

/* ---- the outbox's depth, from its rows --------------------------------------- */

static bool count_out(const char *key, const char *value, int64_t created, void *ud)
{
	GHashTable *per_jid = ud;
	GKeyFile *kf = g_key_file_new();
	char *jid = NULL;
	if (g_key_file_load_from_data(kf, value, (gsize)-1, G_KEY_FILE_NONE, NULL))
		jid = g_key_file_get_string(kf, OUT_GROUP, "jid", NULL);
	g_key_file_free(kf);
	if (!jid)
		jid = g_strdup("");
	guint n = GPOINTER_TO_UINT(g_hash_table_lookup(per_jid, jid));
	g_hash_table_replace(per_jid, jid, GUINT_TO_POINTER(n + 1));
	return true;
}

/* bare JID -> the number of its mails waiting to be sent; new. */
static GHashTable *outbox_depths(struct gw *gw, enum gw_err *err)
{
	GHashTable *per_jid = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	*err = gw_row_foreach(gw, EMAIL_ROW_OUT, count_out, per_jid);
	return per_jid;
}

/* jid's registration (new; unref it), or NULL with why set. */
static GHashTable *registration(struct gw *gw, const char *jid, struct gw_reason *why)
{
	GHashTable *reg = NULL;
	if (gw_reg_get(gw, jid, &reg) != GW_OK) {
		gw_reason_set(why, "you have no mailbox registered with this gateway");
		return NULL;
	}
	return reg;
}

/* ---- Mailbox status ------------------------------------------------------------- */

static enum gw_err cmd_status(struct gw *gw, const char *jid, GHashTable *values,
			      char **report, struct gw_reason *why)
{
	struct email *em = gw_priv(gw);
	GHashTable *reg = registration(gw, jid, why);
	if (!reg)
		return GW_ERR_REGISTRATION_REQUIRED;
	GString *out = g_string_new(NULL);
	g_string_append_printf(out, "Mailbox: %s\n",
			       (const char *)g_hash_table_lookup(reg, "address"));
	struct email_watch *w = email_account_watch(em, jid);
	const char *status = NULL;
	if (!w)
		g_string_append(out, "Watch: down: the registration names a server that is not "
				     "allowed, or lacks a value\n");
	else if (email_watch_up(w, &status))
		g_string_append_printf(out, "Watch: up (IMAP IDLE on %s)\n",
				       (const char *)g_hash_table_lookup(reg, "folder"));
	else
		g_string_append_printf(out, "Watch: down: %s\n", status);
	const char *last = w ? email_watch_last_error(w) : NULL;
	g_string_append_printf(out, "Last error: %s\n", last ? last : "none");
	g_string_append_printf(out, "Mails delivered today (UTC, since the gateway started): %u\n",
			       email_delivered_today(em, jid));
	enum gw_err err;
	GHashTable *depths = outbox_depths(gw, &err);
	if (err == GW_OK)
		g_string_append_printf(out, "Mails waiting to be sent: %u",
				       GPOINTER_TO_UINT(g_hash_table_lookup(depths, jid)));
	else
		g_string_append(out, "Mails waiting to be sent: unknown (the outbox cannot be read)");
	g_hash_table_destroy(depths);
	g_hash_table_unref(reg);
	*report = g_string_free(out, FALSE);
	return GW_OK;
}

/* ---- Check my mailbox again -------------------------------------------------------- */

static void recheck_free(struct recheck *c)
{
	if (c->link)
		g_queue_delete_link(&c->em->rechecks, c->link);
	mail_probe_cancel(c->probe);
	mail_server_clear(&c->imap);
	mail_server_clear(&c->smtp);
	g_free(c->imap_text);
	g_free(c->jid);
	g_free(c);
}

static char *result_text(const struct mail_server *srv, enum gw_err err, const char *text)
{
	if (err == GW_OK)
		return g_strdup_printf("%s %s:%d: logged in", srv->what, srv->host, srv->port);
	return g_strdup_printf("%s %s:%d: %s", srv->what, srv->host, srv->port,
			       text ? text : err_text(err));
}

static void smtp_done(enum gw_err err, const char *text, void *ud)
{
	struct recheck *c = ud;
	c->probe = NULL; /* it frees itself */
	char *smtp = result_text(&c->smtp, err, text);
	char *body = g_strdup_printf("Mailbox check:\n%s\n%s", c->imap_text, smtp);
	struct gw_message m = { .type = GW_MSG_CHAT, .body = body };
	if (gw_deliver_message_to(c->em->gw, c->jid, NULL, &m) != GW_OK)
		log_msg(LOG_WARN, "email", "%s: %s: the mailbox check's result cannot be sent",
			gw_domain(c->em->gw), c->jid);
	g_free(body);
	g_free(smtp);
	recheck_free(c);
}

static void imap_done(enum gw_err err, const char *text, void *ud)
{
	struct recheck *c = ud;
	c->probe = NULL; /* it frees itself */
	c->imap_text = result_text(&c->imap, err, text);
	c->probe = smtp_check(c->em->curl, &c->smtp, &c->em->probe, smtp_done, c);
}

/* One server of the stored registration reg; false when a value is bad or
 * the policy no longer allows the host. */
static bool server_from_reg(struct email *em, GHashTable *reg, const char *pre,
			    struct mail_server *srv)
{
	char *k_host = g_strconcat(pre, "_host", NULL), *k_port = g_strconcat(pre, "_port", NULL);
	char *k_sec = g_strconcat(pre, "_security", NULL);
	const char *host = g_hash_table_lookup(reg, k_host);
	guint64 port = 0;
	bool ok = host && *host &&
		  g_ascii_string_to_unsigned(g_hash_table_lookup(reg, k_port), 10, 1, 65535, &port,
					     NULL) &&
		  mail_security_parse(g_hash_table_lookup(reg, k_sec), &srv->sec);
	enum email_host_rule rule = ok ? email_policy_host(em->policy, host) : EMAIL_HOST_REFUSED;
	if (rule != EMAIL_HOST_REFUSED) {
		srv->host = g_strdup(host);
		srv->port = (int)port;
		srv->public_only = rule == EMAIL_HOST_PUBLIC_ONLY;
		srv->user = g_strdup(g_hash_table_lookup(reg, "username"));
		srv->password = g_strdup(g_hash_table_lookup(reg, "password"));
	}
	g_free(k_host);
	g_free(k_port);
	g_free(k_sec);
	return rule != EMAIL_HOST_REFUSED && srv->user && srv->password;
}

static enum gw_err cmd_recheck(struct gw *gw, const char *jid, GHashTable *values,
			       char **report, struct gw_reason *why)
{
	struct email *em = gw_priv(gw);
	for (GList *l = em->rechecks.head; l; l = l->next)
		if (!strcmp(((struct recheck *)l->data)->jid, jid)) {
			gw_reason_set(why, "a check of your mailbox is already running");
			return GW_ERR_RESOURCE_CONSTRAINT;
		}
	GHashTable *reg = registration(gw, jid, why);
	if (!reg)
		return GW_ERR_REGISTRATION_REQUIRED;
	struct recheck *c = g_new0(struct recheck, 1);
	c->em = em;
	c->jid = g_strdup(jid);
	c->imap.what = "IMAP";
	c->smtp.what = "SMTP";
	bool ok = server_from_reg(em, reg, "imap", &c->imap) &&
		  server_from_reg(em, reg, "smtp", &c->smtp);
	g_hash_table_unref(reg);
	if (!ok) {
		recheck_free(c);
		gw_reason_set(why, "the registration names a server this gateway may not use, or "
				   "lacks a value: register again");
		return GW_ERR_NOT_ACCEPTABLE;
	}
	struct email_watch *w = email_account_watch(em, jid);
	bool kicked = w && email_watch_kick(w);
	g_queue_push_tail(&em->rechecks, c);
	c->link = em->rechecks.tail;
	c->probe = em->imap->check(em->curl, &c->imap, &em->probe, imap_done, c);
	*report = g_strdup_printf("Logging in to %s:%d (IMAP) and %s:%d (SMTP) again: the result "
				  "comes in a message.%s",
				  c->imap.host, c->imap.port, c->smtp.host, c->smtp.port,
				  kicked ? "\nThe IMAP watch, which was waiting, tries again now." : "");
	return GW_OK;
}

/* ---- Mail accounts (admins) ------------------------------------------------------- */

struct accounts {
	struct email *em;
	GHashTable *depths;
	GString *out;
	unsigned n, up, down, listed;
};

static bool account_line(const char *jid, void *ud)
{
	struct accounts *a = ud;
	struct email_watch *w = email_account_watch(a->em, jid);
	const char *status = "not watched: a server that is not allowed, or a missing value";
	bool up = w && email_watch_up(w, &status);
	a->n++;
	if (up)
		a->up++;
	else
		a->down++;
	if (a->listed++ < ACCOUNTS_REPORT_MAX)
		g_string_append_printf(a->out, "\n%s: watch %s; outbox %u", jid,
				       up ? "up" : "down", GPOINTER_TO_UINT(g_hash_table_lookup(
							   a->depths, jid)));
	if (!up && a->listed <= ACCOUNTS_REPORT_MAX)
		g_string_append_printf(a->out, " (%s)", status);
	return true;
}

static enum gw_err cmd_accounts(struct gw *gw, const char *jid, GHashTable *values,
				char **report, struct gw_reason *why)
{
	enum gw_err err;
	struct accounts a = { .em = gw_priv(gw), .out = g_string_new(NULL) };
	a.depths = outbox_depths(gw, &err);
	if (err == GW_OK)
		err = gw_reg_foreach(gw, account_line, &a);
	guint depth = 0;
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, a.depths);
	while (g_hash_table_iter_next(&it, &k, &v))
		depth += GPOINTER_TO_UINT(v);
	g_hash_table_destroy(a.depths);
	if (err != GW_OK) {
		g_string_free(a.out, TRUE);
		gw_reason_set(why, "the accounts could not be read");
		return err;
	}
	char *head = g_strdup_printf("Accounts: %u\nWatches up: %u\nWatches down: %u\n"
				     "Outbox: %u mails waiting to be sent",
				     a.n, a.up, a.down, depth);
	g_string_prepend(a.out, head);
	g_free(head);
	if (a.listed > ACCOUNTS_REPORT_MAX)
		g_string_append_printf(a.out, "\n(cut: %u accounts more)",
				       a.listed - ACCOUNTS_REPORT_MAX);
	*report = g_string_free(a.out, FALSE);
	return GW_OK;
}

const struct gw_command email_commands[EMAIL_N_COMMANDS] = {
	{ .node = "status", .name = "Mailbox status", .run = cmd_status },
	{ .node = "recheck", .name = "Check my mailbox again",
	  .instructions = "The gateway logs in to your IMAP and SMTP servers again; the result "
			  "comes in a message.",
	  .run = cmd_recheck },
	{ .node = "accounts", .name = "Mail accounts", .admin = true, .run = cmd_accounts },
};
G_STATIC_ASSERT(G_N_ELEMENTS(email_commands) == EMAIL_N_COMMANDS);

void email_commands_init(struct email *em)
{
	email_daycount_init(em);
	g_queue_init(&em->rechecks);
}

void email_commands_stop(struct email *em)
{
	while (em->rechecks.head)
		recheck_free(em->rechecks.head->data);
	email_daycount_free(em);
}
