/* accounts.c - one IMAP watch per registered account (email.h), whether
 * its user is online or not: every registration from the gateway's start,
 * each new one as it is stored, until it is removed (then its watch stops
 * and the backend's rows for it go). Reconnects of all the accounts are
 * paced by one token bucket (connects_per_second, pace.c).
 */
#include "email/bounce.h"
#include "email/mbox.h"
#include "email/seen.h"
#include "email/watch.h"

static void start_one(struct email *em, const char *jid)
{
	GHashTable *reg = NULL;
	if (gw_reg_get(em->gw, jid, &reg) != GW_OK)
		return;
	struct email_watch *w = email_watch_start(em, jid, reg);
	g_hash_table_unref(reg);
	if (w)
		g_hash_table_replace(em->watches, g_strdup(jid), w);
}

static bool collect(const char *jid, void *ud)
{
	g_ptr_array_add(ud, g_strdup(jid));
	return true;
}

/* At a scrape: the watches up and down. */
static void count_watches(struct gw *gw, void *ud)
{
	struct email *em = ud;
	unsigned up = 0, n = em->watches ? g_hash_table_size(em->watches) : 0;
	GHashTableIter it;
	gpointer w;
	if (em->watches) {
		g_hash_table_iter_init(&it, em->watches);
		while (g_hash_table_iter_next(&it, NULL, &w)) {
			const char *status;
			up += email_watch_up(w, &status);
		}
	}
	gw_metric_set(em->m_watches, up, "up");
	gw_metric_set(em->m_watches, n - up, "down");
}

void email_accounts_start(struct email *em)
{
	em->m_watches = gw_metric_gauge(em->gw, "watches", "IMAP watches of the registered "
					"mailboxes, up (IDLE or polling) or down (reconnecting)",
					"state");
	gw_metrics_on_scrape(em->gw, count_watches, em);
	em->watches = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					    (GDestroyNotify)email_watch_stop);
	email_pace_init(em);
	GPtrArray *jids = g_ptr_array_new_with_free_func(g_free);
	if (gw_reg_foreach(em->gw, collect, jids) != GW_OK)
		log_msg(LOG_ERROR, "email", "%s: the registrations cannot be listed; their "
			"mailboxes are watched from their next registration", gw_domain(em->gw));
	for (guint i = 0; i < jids->len; i++)
		start_one(em, g_ptr_array_index(jids, i));
	log_msg(LOG_INFO, "email", "%s: %u of %u registered mailboxes watched", gw_domain(em->gw),
		g_hash_table_size(em->watches), jids->len);
	g_ptr_array_free(jids, TRUE);
}

void email_accounts_stop(struct email *em)
{
	if (!em->watches)
		return;
	g_hash_table_destroy(em->watches); /* each watch leaves the queue */
	em->watches = NULL;
	email_pace_stop(em);
}

void email_reg_changed(struct gw *gw, const char *jid, bool removed)
{
	struct email *em = gw_priv(gw);
	g_hash_table_remove(em->watches, jid);
	if (!removed) {
		start_one(em, jid);
		return;
	}
	email_seen_forget(gw, jid);
	email_bounce_forget(gw, jid);
	if (mbox_delete(gw, jid) != GW_OK)
		log_msg(LOG_WARN, "email", "%s: %s: the mailbox state cannot be deleted",
			gw_domain(gw), jid);
}

struct email_watch *email_account_watch(struct email *em, const char *jid)
{
	return em->watches ? g_hash_table_lookup(em->watches, jid) : NULL;
}
