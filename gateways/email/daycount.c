/* daycount.c - the mails delivered today per account (daycount.h). */
#include "email/daycount.h"

#include <time.h>

struct day_count {
	int64_t day;   /* Unix days, UTC */
	unsigned n;
};

static int64_t today(void)
{
	return (int64_t)time(NULL) / 86400;
}

void email_daycount_init(struct email *em)
{
	em->delivered = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

void email_daycount_free(struct email *em)
{
	if (em->delivered)
		g_hash_table_destroy(em->delivered);
	em->delivered = NULL;
}

void email_count_delivered(struct email *em, const char *jid)
{
	if (!em->delivered)
		return;
	struct day_count *c = g_hash_table_lookup(em->delivered, jid);
	if (!c) {
		c = g_new0(struct day_count, 1);
		g_hash_table_insert(em->delivered, g_strdup(jid), c);
	}
	if (c->day != today()) {
		c->day = today();
		c->n = 0;
	}
	c->n++;
}

unsigned email_delivered_today(struct email *em, const char *jid)
{
	struct day_count *c = em->delivered ? g_hash_table_lookup(em->delivered, jid) : NULL;
	return c && c->day == today() ? c->n : 0;
}
