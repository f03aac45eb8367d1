/* client_flight.c - connects in flight, per IRC server: at most
 * connects_in_flight connections of all clients together between the dial
 * and the welcome; the others wait in line, in order.
 *
 * Pacing alone (connects_per_second) does not know how fast the server
 * accepts: ngIRCd's listen backlog is 10, and a server busy telling 5,000
 * members of one channel about each join accepts slowly, so connects paced
 * at a fixed rate time out in its accept queue. A bound on those in flight
 * follows the server's own speed.
 */
#include "client_core.h"

#define CONNECTS_IN_FLIGHT 8 /* default, per server */

struct flight {
	unsigned n;      /* clients holding a slot */
	GQueue waiting;  /* struct irc_client *, in line for one */
};

static GHashTable *flights; /* server name -> struct flight * */

static void flight_free(gpointer p)
{
	struct flight *f = p;
	g_queue_clear(&f->waiting);
	g_free(f);
}

static struct flight *flight_of(const char *server, bool make)
{
	if (!flights && make)
		flights = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, flight_free);
	struct flight *f = flights ? g_hash_table_lookup(flights, server) : NULL;
	if (!f && make) {
		f = g_new0(struct flight, 1);
		g_queue_init(&f->waiting);
		g_hash_table_insert(flights, g_strdup(server), f);
	}
	return f;
}

static void flight_drop_if_idle(const char *server, struct flight *f)
{
	if (f->n || f->waiting.length)
		return;
	g_hash_table_remove(flights, server);
	if (g_hash_table_size(flights) == 0)
		g_clear_pointer(&flights, g_hash_table_destroy);
}

bool client_flight_take(struct irc_client *c)
{
	if (c->in_flight)
		return true;
	struct flight *f = flight_of(c->p.server, true);
	unsigned max = c->p.connects_in_flight ? c->p.connects_in_flight : CONNECTS_IN_FLIGHT;
	if (f->n >= max) {
		if (!c->queued)
			g_queue_push_tail(&f->waiting, c);
		c->queued = true;
		return false;
	}
	f->n++;
	c->in_flight = true;
	return true;
}

struct irc_client *client_flight_end(struct irc_client *c)
{
	struct irc_client *next = NULL;
	struct flight *f = flight_of(c->p.server, false);
	if (!f)
		return NULL;
	if (c->queued) {
		g_queue_remove(&f->waiting, c);
		c->queued = false;
	}
	if (c->in_flight) {
		c->in_flight = false;
		f->n--;
		/* The slot goes to the first in line, held for it until its
		 * connect runs. */
		next = g_queue_pop_head(&f->waiting);
		if (next) {
			next->queued = false;
			next->in_flight = true;
			f->n++;
		}
	}
	flight_drop_if_idle(c->p.server, f);
	return next;
}

unsigned irc_client_connects_waiting(const char *server)
{
	struct flight *f = flight_of(server, false);
	return f ? f->waiting.length : 0;
}
