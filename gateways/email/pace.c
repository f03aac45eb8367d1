/* pace.c - the connects of all accounts, paced by one token bucket
 * (connects_per_second; email.h). */
#include "email/email.h"

struct pace_item {
	void (*go)(void *ud);
	void *ud;
};

void email_pace_init(struct email *em)
{
	g_queue_init(&em->pending);
	bucket_init(&em->connects, (double)em->connects_per_second,
		    (double)em->connects_per_second, g_get_monotonic_time());
}

void email_pace_stop(struct email *em)
{
	g_queue_clear_full(&em->pending, g_free);
	if (em->pace_timer)
		gw_timer_remove(em->pace_timer);
	em->pace_timer = 0;
}

static void pace_run(struct email *em);

static void pace_tick(void *ud)
{
	struct email *em = ud;
	em->pace_timer = 0;
	pace_run(em);
}

static void pace_run(struct email *em)
{
	while (!em->pace_timer && !g_queue_is_empty(&em->pending)) {
		int64_t wait_us = bucket_take(&em->connects, g_get_monotonic_time());
		if (wait_us > 0) {
			em->pace_timer = gw_timer_add((unsigned)(wait_us / 1000) + 1, pace_tick, em);
			return;
		}
		struct pace_item *it = g_queue_pop_head(&em->pending);
		void (*go)(void *) = it->go;
		void *ud = it->ud;
		g_free(it);
		go(ud);
	}
}

void email_pace(struct email *em, void (*go)(void *ud), void *ud)
{
	struct pace_item *it = g_new(struct pace_item, 1);
	it->go = go;
	it->ud = ud;
	g_queue_push_tail(&em->pending, it);
	pace_run(em);
}

void email_pace_cancel(struct email *em, void *ud)
{
	for (GList *l = em->pending.head; l; l = l->next) {
		struct pace_item *it = l->data;
		if (it->ud == ud) {
			g_queue_delete_link(&em->pending, l);
			g_free(it);
			return;
		}
	}
}
