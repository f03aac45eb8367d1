/* roster.c - channel members held once per (server, channel), with a bit
 * per member for each connection's view (roster.h). */
#include "roster.h"
#include "log.h"

#include <string.h>

struct irc_roster {
	char *key;           /* in its table */
	char *server;
	GHashTable *table;   /* the table it is in */
	GHashTable *index;   /* folded nick -> struct irc_member * */
	GPtrArray *slots;    /* struct irc_member *, NULL where free */
	GArray *free;        /* free slot numbers (guint) */
	guint views;
};

/* Members kept per server, all channels: server -> count (GUINT_TO_POINTER). */
static GHashTable *per_server;
static guint server_max = IRC_SERVER_MEMBERS_MAX;

void irc_rosters_server_max(guint n)
{
	server_max = n;
}

static guint server_members(const char *server)
{
	return per_server ? GPOINTER_TO_UINT(g_hash_table_lookup(per_server, server)) : 0;
}

static void server_count(const char *server, int by)
{
	if (!per_server)
		per_server = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	guint n = server_members(server) + (guint)by;
	if (n)
		g_hash_table_replace(per_server, g_strdup(server), GUINT_TO_POINTER(n));
	else
		g_hash_table_remove(per_server, server);
	if (!g_hash_table_size(per_server))
		g_clear_pointer(&per_server, g_hash_table_destroy);
}

void irc_member_free(struct irc_member *m)
{
	if (!m)
		return;
	g_free(m->nick);
	g_free(m->key);
	g_free(m->away);
	g_free(m);
}

GHashTable *irc_rosters_new(void)
{
	return g_hash_table_new(g_str_hash, g_str_equal);
}

static void roster_free(struct irc_roster *r)
{
	g_hash_table_remove(r->table, r->key);
	g_hash_table_destroy(r->index);
	g_ptr_array_free(r->slots, TRUE);
	g_array_free(r->free, TRUE);
	g_free(r->key);
	g_free(r->server);
	g_free(r);
}

void irc_view_attach(struct irc_view *v, GHashTable *rosters, const char *server,
		     enum irc_casemap map, const char *chan)
{
	char *folded = irc_casefold(map, chan);
	char *key = g_strconcat(server, "\n", folded, NULL);
	g_free(folded);
	struct irc_roster *r = g_hash_table_lookup(rosters, key);
	if (!r) {
		r = g_new0(struct irc_roster, 1);
		r->key = key;
		key = NULL;
		r->server = g_strdup(server);
		r->table = rosters;
		/* Keyed by each member's own folded nick (m->key). */
		r->index = g_hash_table_new(g_str_hash, g_str_equal);
		r->slots = g_ptr_array_new();
		r->free = g_array_new(FALSE, FALSE, sizeof(guint));
		g_hash_table_insert(rosters, r->key, r);
	}
	g_free(key);
	r->views++;
	*v = (struct irc_view){ .r = r };
}

static bool has_bit(const struct irc_view *v, guint slot)
{
	return slot / 8 < v->n_bytes && (v->bits[slot / 8] >> (slot % 8) & 1);
}

static void set_bit(struct irc_view *v, guint slot)
{
	guint need = slot / 8 + 1;
	if (need > v->n_bytes) {
		/* Grow by half again: a view follows its roster's slot count. */
		guint n = MAX(need, v->n_bytes + v->n_bytes / 2);
		v->bits = g_realloc(v->bits, n);
		memset(v->bits + v->n_bytes, 0, n - v->n_bytes);
		v->n_bytes = n;
	}
	v->bits[slot / 8] |= (guint8)(1u << (slot % 8));
	v->count++;
}

/* Clears m's bit in v; frees m when no view has it any more. */
static void drop(struct irc_view *v, struct irc_member *m)
{
	struct irc_roster *r = v->r;
	v->bits[m->slot / 8] &= (guint8)~(1u << (m->slot % 8));
	v->count--;
	if (--m->refs)
		return;
	g_hash_table_remove(r->index, m->key);
	r->slots->pdata[m->slot] = NULL;
	g_array_append_val(r->free, m->slot);
	irc_member_free(m);
	server_count(r->server, -1);
}

void irc_view_detach(struct irc_view *v)
{
	struct irc_roster *r = v->r;
	if (!r)
		return;
	for (guint i = 0; v->count && i < v->n_bytes * 8; i++)
		if (has_bit(v, i))
			drop(v, r->slots->pdata[i]);
	g_free(v->bits);
	*v = (struct irc_view){ 0 };
	if (--r->views == 0)
		roster_free(r);
}

struct irc_member *irc_view_get(struct irc_view *v, enum irc_casemap map, const char *nick)
{
	if (!v->r || !nick)
		return NULL;
	char *f = irc_casefold(map, nick);
	struct irc_member *m = g_hash_table_lookup(v->r->index, f);
	g_free(f);
	return m && has_bit(v, m->slot) ? m : NULL;
}

struct irc_member *irc_view_add(struct irc_view *v, enum irc_casemap map, const char *nick,
				const char *modes)
{
	struct irc_roster *r = v->r;
	if (!r || !nick)
		return NULL;
	char *f = irc_casefold(map, nick);
	struct irc_member *m = g_hash_table_lookup(r->index, f);
	if (!m) {
		if (g_hash_table_size(r->index) >= IRC_MEMBERS_MAX ||
		    server_members(r->server) >= server_max) {
			static gint64 said_us; /* one line a minute, all servers */
			gint64 now = g_get_monotonic_time();
			if (now - said_us > 60 * G_USEC_PER_SEC) {
				log_msg(LOG_WARN, "irc", "%s: members past the bound (%u in a channel, "
					"%u on a server) are not kept", r->server, IRC_MEMBERS_MAX,
					server_max);
				said_us = now;
			}
			g_free(f);
			return NULL;
		}
		server_count(r->server, 1);
		m = g_new0(struct irc_member, 1);
		m->key = f;
		f = NULL;
		if (r->free->len) {
			m->slot = g_array_index(r->free, guint, r->free->len - 1);
			g_array_set_size(r->free, r->free->len - 1);
			r->slots->pdata[m->slot] = m;
		} else {
			m->slot = r->slots->len;
			g_ptr_array_add(r->slots, m);
		}
		g_hash_table_insert(r->index, m->key, m);
	}
	g_free(f);
	bool had = has_bit(v, m->slot);
	if (!had) {
		set_bit(v, m->slot);
		m->refs++;
	}
	/* The spelling of the latest event: NICK may change only the case. */
	if (strcmp(m->nick ? m->nick : "", nick)) {
		g_free(m->nick);
		m->nick = g_strdup(nick);
	}
	if (modes)
		g_strlcpy(m->modes, modes, sizeof m->modes);
	else if (!had)
		m->modes[0] = 0; /* joined anew: no modes yet, whatever others last read */
	return m;
}

bool irc_view_remove(struct irc_view *v, enum irc_casemap map, const char *nick)
{
	struct irc_member *m = irc_view_get(v, map, nick);
	if (m)
		drop(v, m);
	return m != NULL;
}

struct irc_member *irc_view_next(const struct irc_view *v, guint *i)
{
	for (; v->r && *i < v->n_bytes * 8; (*i)++) {
		if (!v->bits[*i / 8]) { /* a whole byte clear: skip it */
			*i |= 7;
			continue;
		}
		if (has_bit(v, *i))
			return v->r->slots->pdata[(*i)++];
	}
	return NULL;
}

guint irc_roster_members(const struct irc_view *v)
{
	return v->r ? g_hash_table_size(v->r->index) : 0;
}

guint irc_roster_views(const struct irc_view *v)
{
	return v->r ? v->r->views : 0;
}
