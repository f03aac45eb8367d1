/* register.c - registering a mailbox: the form is checked, then the
 * gateway logs in to the IMAP server and then to the SMTP server, and
 * answers only after both (nothing is stored before, or on a failure):
 *
 *   - a bad value (address, host, port, security, folder): not-acceptable;
 *   - a server the allowed_hosts policy refuses: not-allowed;
 *   - a refused login: not-authorized;
 *   - a host not found or not reachable, or a certificate that does not
 *     verify: remote-server-not-found; no answer in time:
 *     remote-server-timeout; each with a text naming the server.
 */
#include "email/address.h"
#include "email/email.h"
#include "email/smtp.h"

#include <string.h>

struct email_check {
	struct email *em;
	struct gw_request *req;
	char *jid;
	struct mail_server imap, smtp;
	struct mail_probe *probe;  /* the one running */
	GList *link;               /* in em->checks */
};

static void check_free(struct email_check *c)
{
	if (c->link)
		g_queue_delete_link(&c->em->checks, c->link);
	mail_probe_cancel(c->probe);
	mail_server_clear(&c->imap);
	mail_server_clear(&c->smtp);
	g_free(c->jid);
	g_free(c);
}

/* Answers and frees c. */
static void answer(struct email_check *c, enum gw_err err, const char *text)
{
	if (err == GW_OK)
		log_msg(LOG_INFO, "email", "%s: %s verified %s at %s:%d and %s:%d",
			gw_domain(c->em->gw), c->jid, c->imap.user, c->imap.host, c->imap.port,
			c->smtp.host, c->smtp.port);
	else
		log_msg(LOG_INFO, "email", "%s: registration of %s refused: %s",
			gw_domain(c->em->gw), c->jid, text ? text : err_text(err));
	gw_request_done(c->req, err, text);
	check_free(c);
}

static void smtp_done(enum gw_err err, const char *text, void *ud)
{
	struct email_check *c = ud;
	c->probe = NULL; /* it frees itself */
	answer(c, err, text);
}

static void imap_done(enum gw_err err, const char *text, void *ud)
{
	struct email_check *c = ud;
	c->probe = NULL; /* it frees itself */
	if (err != GW_OK) {
		answer(c, err, text);
		return;
	}
	c->probe = smtp_check(c->em->curl, &c->smtp, &c->em->probe, smtp_done, c);
}

/* Reads one server's host, port and security into srv. */
static enum gw_err read_server(struct email *em, GHashTable *values, const char *pre,
			       const char *fallback_host, struct mail_server *srv, char **why)
{
	char *k_host = g_strconcat(pre, "_host", NULL), *k_port = g_strconcat(pre, "_port", NULL);
	char *k_sec = g_strconcat(pre, "_security", NULL);
	const char *host = g_hash_table_lookup(values, k_host);
	const char *port = g_hash_table_lookup(values, k_port);
	const char *reason = NULL;
	enum gw_err err = GW_OK;
	guint64 n = 0;
	if ((!host || !*host) && fallback_host)
		host = fallback_host;
	if (email_host_parse(host, &srv->host, &reason) != GW_OK) {
		*why = g_strdup_printf("%s server: %s", srv->what, reason);
		err = GW_ERR_NOT_ACCEPTABLE;
	} else if (!g_ascii_string_to_unsigned(port, 10, 1, 65535, &n, NULL)) {
		*why = g_strdup_printf("the %s port is a number from 1 to 65535", srv->what);
		err = GW_ERR_NOT_ACCEPTABLE;
	} else if (!mail_security_parse(g_hash_table_lookup(values, k_sec), &srv->sec)) {
		*why = g_strdup_printf("the %s security is tls, starttls or none", srv->what);
		err = GW_ERR_NOT_ACCEPTABLE;
	} else {
		enum email_host_rule rule = email_policy_host(em->policy, srv->host);
		srv->port = (int)n;
		srv->public_only = rule == EMAIL_HOST_PUBLIC_ONLY;
		if (rule == EMAIL_HOST_REFUSED) {
			*why = g_strdup_printf("the %s server %s is not one this gateway may use",
					       srv->what, srv->host);
			err = GW_ERR_NOT_ALLOWED;
		}
	}
	if (err == GW_OK) {
		g_hash_table_replace(values, g_strdup(k_host), g_strdup(srv->host));
		g_hash_table_replace(values, g_strdup(k_port), g_strdup_printf("%d", srv->port));
		g_hash_table_replace(values, g_strdup(k_sec),
				     g_strdup(mail_security_name(srv->sec)));
	}
	g_free(k_host);
	g_free(k_port);
	g_free(k_sec);
	return err;
}

/* No control character (CR, LF, ...) can reach an IMAP or SMTP command. */
static bool one_line(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return false;
	return true;
}

/* The form's values checked and normalised in place; *why new. */
static enum gw_err read_form(struct email_check *c, GHashTable *values, char **why)
{
	const char *reason = NULL;
	char *addr = NULL;
	if (email_addr_from_typed(g_hash_table_lookup(values, "address"), &addr, &reason) !=
	    GW_OK) {
		*why = g_strdup_printf("the address: %s", reason);
		return GW_ERR_NOT_ACCEPTABLE;
	}
	g_hash_table_replace(values, g_strdup("address"), addr);
	const char *user = g_hash_table_lookup(values, "username");
	if (!user || !*user)
		g_hash_table_replace(values, g_strdup("username"), g_strdup(addr));
	user = g_hash_table_lookup(values, "username");
	const char *pw = g_hash_table_lookup(values, "password");
	const char *folder = g_hash_table_lookup(values, "folder");
	if (!one_line(user) || !one_line(pw)) {
		*why = g_strdup("the username and password cannot hold control characters");
		return GW_ERR_NOT_ACCEPTABLE;
	}
	if (!folder || !*folder || !one_line(folder)) {
		*why = g_strdup("the folder is a name on one line");
		return GW_ERR_NOT_ACCEPTABLE;
	}
	c->imap.what = "IMAP";
	c->smtp.what = "SMTP";
	enum gw_err err = read_server(c->em, values, "imap", NULL, &c->imap, why);
	if (err == GW_OK)
		err = read_server(c->em, values, "smtp", c->imap.host, &c->smtp, why);
	if (err != GW_OK)
		return err;
	c->imap.user = g_strdup(user);
	c->smtp.user = g_strdup(user);
	c->imap.password = g_strdup(pw);
	c->smtp.password = g_strdup(pw);
	return GW_OK;
}

void email_register_check(struct gw *gw, struct gw_request *req, const char *jid,
			  GHashTable *values, GHashTable *old)
{
	struct email *em = gw_priv(gw);
	struct email_check *c = g_new0(struct email_check, 1);
	char *why = NULL;
	c->em = em;
	c->req = req;
	c->jid = g_strdup(jid);
	enum gw_err err = read_form(c, values, &why);
	if (err != GW_OK) {
		answer(c, err, why);
		g_free(why);
		return;
	}
	g_queue_push_tail(&em->checks, c);
	c->link = em->checks.tail;
	c->probe = em->imap->check(em->curl, &c->imap, &em->probe, imap_done, c);
}

void email_register_stop(struct email *em)
{
	while (em->checks.head)
		answer(em->checks.head->data, GW_ERR_SERVICE_UNAVAILABLE,
		       "the gateway is stopping");
}
