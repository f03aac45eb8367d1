/* rrq.c - a round-robin queue by owner (rrq.h). */
#include "rrq.h"

#include <glib.h>

struct lane {
	char *owner;
	GQueue items;  /* void *, oldest first */
	GList *turn;   /* its link in q->turns */
};

struct rrq {
	GHashTable *lanes; /* owner -> struct lane *, only owners with items */
	GQueue turns;      /* struct lane *, whose turn first */
	size_t len;
};

static void lane_free(gpointer p)
{
	struct lane *l = p;
	g_queue_clear(&l->items);
	g_free(l->owner);
	g_free(l);
}

struct rrq *rrq_new(void)
{
	struct rrq *q = g_new0(struct rrq, 1);
	q->lanes = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, lane_free);
	g_queue_init(&q->turns);
	return q;
}

void rrq_free(struct rrq *q)
{
	if (!q)
		return;
	g_queue_clear(&q->turns);
	g_hash_table_destroy(q->lanes);
	g_free(q);
}

static struct lane *lane_of(struct rrq *q, const char *owner)
{
	struct lane *l = g_hash_table_lookup(q->lanes, owner);
	if (!l) {
		l = g_new0(struct lane, 1);
		l->owner = g_strdup(owner);
		g_queue_init(&l->items);
		g_queue_push_tail(&q->turns, l);
		l->turn = q->turns.tail;
		g_hash_table_insert(q->lanes, l->owner, l);
	}
	return l;
}

void rrq_push(struct rrq *q, const char *owner, void *item)
{
	g_queue_push_tail(&lane_of(q, owner)->items, item);
	q->len++;
}

void rrq_push_head(struct rrq *q, const char *owner, void *item)
{
	g_queue_push_head(&lane_of(q, owner)->items, item);
	q->len++;
}

/* l has no item left: out of the turns and the table. */
static void lane_drop(struct rrq *q, struct lane *l)
{
	g_queue_delete_link(&q->turns, l->turn);
	g_hash_table_remove(q->lanes, l->owner);
}

/* Pops l's oldest item; l goes to the end of the turns, or out when it
 * has no item left. */
static void *take(struct rrq *q, struct lane *l)
{
	void *item = g_queue_pop_head(&l->items);
	q->len--;
	if (g_queue_is_empty(&l->items)) {
		lane_drop(q, l);
	} else {
		g_queue_unlink(&q->turns, l->turn);
		g_queue_push_tail_link(&q->turns, l->turn);
	}
	return item;
}

void *rrq_pop(struct rrq *q)
{
	struct lane *l = g_queue_peek_head(&q->turns);
	return l ? take(q, l) : NULL;
}

void *rrq_pop_if(struct rrq *q, bool (*ok)(void *item, void *ud), void *ud)
{
	for (GList *t = q->turns.head; t; t = t->next) {
		struct lane *l = t->data;
		if (ok(g_queue_peek_head(&l->items), ud))
			return take(q, l);
	}
	return NULL;
}

bool rrq_remove(struct rrq *q, const char *owner, void *item)
{
	struct lane *l = g_hash_table_lookup(q->lanes, owner);
	if (!l || !g_queue_remove(&l->items, item))
		return false;
	q->len--;
	if (g_queue_is_empty(&l->items))
		lane_drop(q, l);
	return true;
}

size_t rrq_len(const struct rrq *q)
{
	return q ? q->len : 0;
}
