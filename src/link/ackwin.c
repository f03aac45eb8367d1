/* ackwin.c - the acknowledgement window (ackwin.h).
 *
 * Entries carry a sequence number, counted from 1 since the window was
 * made; a barrier is the sequence number of the newest entry when its ping
 * was sent. Both queues are oldest first, so a pong pops from the heads.
 */
#include "ackwin.h"

#include <glib.h>
#include <string.h>

struct entry {
	uint64_t seq;
	int64_t outbox_id;
	size_t len;
	char text[];    /* len bytes and a NUL */
};

struct barrier {
	uint64_t ping;
	uint64_t upto;  /* the newest entry's seq when the ping was sent */
	int64_t sent_us;
};

struct ackwin {
	unsigned max_stanzas;
	size_t max_bytes;
	GQueue entries;         /* struct entry * */
	GQueue barriers;        /* struct barrier * */
	size_t bytes;
	uint64_t last_seq;      /* of the newest entry ever pushed */
	uint64_t pinged_upto;   /* entries up to this seq are behind a barrier or gone */
	uint64_t last_ping;
};

struct ackwin *ackwin_new(unsigned max_stanzas, size_t max_bytes)
{
	g_assert(max_stanzas >= 1 && max_bytes >= 1);
	struct ackwin *w = g_new0(struct ackwin, 1);
	w->max_stanzas = max_stanzas;
	w->max_bytes = max_bytes;
	g_queue_init(&w->entries);
	g_queue_init(&w->barriers);
	return w;
}

void ackwin_clear(struct ackwin *w)
{
	g_queue_clear_full(&w->entries, g_free);
	g_queue_clear_full(&w->barriers, g_free);
	w->bytes = 0;
	w->pinged_upto = w->last_seq;
}

void ackwin_free(struct ackwin *w)
{
	if (!w)
		return;
	ackwin_clear(w);
	g_free(w);
}

bool ackwin_fits(const struct ackwin *w, size_t len)
{
	if (w->entries.length == 0)
		return true;
	return w->entries.length < w->max_stanzas && len <= w->max_bytes - MIN(w->bytes, w->max_bytes);
}

unsigned ackwin_fill(const struct ackwin *w)
{
	uint64_t by_count = (uint64_t)w->entries.length * 100 / w->max_stanzas;
	uint64_t by_bytes = (uint64_t)w->bytes * 100 / w->max_bytes;
	return (unsigned)MIN(MAX(by_count, by_bytes), 1000);
}

void ackwin_push(struct ackwin *w, const char *text, size_t len, int64_t outbox_id)
{
	struct entry *e = g_malloc(sizeof *e + len + 1);
	e->seq = ++w->last_seq;
	e->outbox_id = outbox_id;
	e->len = len;
	memcpy(e->text, text, len);
	e->text[len] = '\0';
	g_queue_push_tail(&w->entries, e);
	w->bytes += len;
}

unsigned ackwin_count(const struct ackwin *w) { return w->entries.length; }
size_t ackwin_bytes(const struct ackwin *w) { return w->bytes; }
unsigned ackwin_unpinged(const struct ackwin *w) { return (unsigned)(w->last_seq - w->pinged_upto); }
unsigned ackwin_pings(const struct ackwin *w) { return w->barriers.length; }

uint64_t ackwin_ping(struct ackwin *w, int64_t now_us)
{
	struct barrier *b = g_new(struct barrier, 1);
	b->ping = ++w->last_ping;
	b->upto = w->last_seq;
	b->sent_us = now_us;
	g_queue_push_tail(&w->barriers, b);
	w->pinged_upto = w->last_seq;
	return b->ping;
}

bool ackwin_pong(struct ackwin *w, uint64_t ping, struct ackwin_ack *ack)
{
	memset(ack, 0, sizeof *ack);
	struct barrier *b = NULL;
	for (GList *i = w->barriers.head; i && !b; i = i->next)
		if (((struct barrier *)i->data)->ping == ping)
			b = i->data;
	if (!b)
		return false;
	uint64_t upto = b->upto;
	struct barrier *old;
	while ((old = g_queue_pop_head(&w->barriers)) != b)
		g_free(old);
	g_free(b);
	struct entry *e;
	while ((e = g_queue_peek_head(&w->entries)) && e->seq <= upto) {
		g_queue_pop_head(&w->entries);
		ack->stanzas++;
		ack->bytes += e->len;
		if (e->outbox_id) {
			ack->outbox_rows++;
			ack->outbox_upto = e->outbox_id;
		}
		w->bytes -= e->len;
		g_free(e);
	}
	return true;
}

int64_t ackwin_oldest_ping_us(const struct ackwin *w)
{
	const struct barrier *b = w->barriers.head ? w->barriers.head->data : NULL;
	return b ? b->sent_us : -1;
}

void ackwin_unsend(struct ackwin *w)
{
	g_queue_clear_full(&w->barriers, g_free);
	const struct entry *e = g_queue_peek_head(&w->entries);
	w->pinged_upto = e ? e->seq - 1 : w->last_seq;
}

void ackwin_foreach(const struct ackwin *w, ackwin_cb cb, void *ud)
{
	for (GList *i = w->entries.head; i; i = i->next) {
		const struct entry *e = i->data;
		cb(e->text, e->len, e->outbox_id, ud);
	}
}
