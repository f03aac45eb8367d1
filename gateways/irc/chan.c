/* chan.c - channel state of one IRC connection, and the pure rules for
 * NAMES entries, MODE changes and roles. */
#include "chan.h"

#include <assert.h>
#include <string.h>

static void member_free(gpointer p)
{
	irc_member_free(p);
}

GHashTable *irc_chan_members_new(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, member_free);
}

struct irc_chan *irc_chan_new(const char *name, const char *room, const char *key,
			      const char *want_nick)
{
	struct irc_chan *ch = g_new0(struct irc_chan, 1);
	ch->name = g_strdup(name);
	ch->room = g_strdup(room);
	ch->key = key && *key ? g_strdup(key) : NULL;
	ch->want_nick = g_strdup(want_nick);
	return ch;
}

void irc_chan_free(struct irc_chan *ch)
{
	if (!ch)
		return;
	g_free(ch->name);
	g_free(ch->room);
	if (ch->key)
		memset(ch->key, 0, strlen(ch->key));
	g_free(ch->key);
	g_free(ch->want_nick);
	g_free(ch->banning);
	assert(!ch->kicks || g_queue_is_empty(ch->kicks));
	if (ch->kicks)
		g_queue_free(ch->kicks);
	g_free(ch->topic);
	g_free(ch->topic_by);
	g_free(ch->old_topic);
	irc_view_detach(&ch->view);
	if (ch->names)
		g_hash_table_destroy(ch->names);
	g_free(ch);
}

struct irc_chan *irc_chan_find(GPtrArray *chans, enum irc_casemap map, const char *name)
{
	/* A connection tracks few channels (IRC_CHANS_MAX): a scan is enough. */
	for (guint i = 0; name && i < chans->len; i++) {
		struct irc_chan *ch = chans->pdata[i];
		if (irc_caseeq(map, ch->name, name))
			return ch;
	}
	return NULL;
}

static struct irc_member *table_add(GHashTable *t, enum irc_casemap map, const char *nick,
				    const char *modes)
{
	char *f = irc_casefold(map, nick);
	if (!g_hash_table_contains(t, f) && g_hash_table_size(t) >= IRC_MEMBERS_MAX) {
		g_free(f);
		return NULL;
	}
	struct irc_member *m = g_new0(struct irc_member, 1);
	m->nick = g_strdup(nick);
	g_strlcpy(m->modes, modes ? modes : "", sizeof m->modes);
	g_hash_table_insert(t, f, m);
	return m;
}

/* ---- NAMES ----------------------------------------------------------------- */

bool irc_modes_set(const struct irc_isupport *is, char modes[IRC_MODES_MAX + 1], char mode,
		   bool add)
{
	const char *order = is->prefix_modes ? is->prefix_modes : "";
	bool has = mode && strchr(modes, mode);
	if (!mode || has == add || (add && !strchr(order, mode)))
		return false;
	char out[IRC_MODES_MAX + 1];
	size_t n = 0;
	/* Rebuilt in PREFIX order: the highest first. */
	for (const char *o = order; *o && n < IRC_MODES_MAX; o++)
		if ((*o == mode && add) || (*o != mode && strchr(modes, *o)))
			out[n++] = *o;
	out[n] = 0;
	memcpy(modes, out, n + 1);
	return true;
}

bool irc_names_entry(const struct irc_isupport *is, const char *entry, char **nick,
		     char modes[IRC_MODES_MAX + 1])
{
	const char *chars = is->prefix_chars ? is->prefix_chars : "";
	const char *p = entry;
	modes[0] = 0;
	*nick = NULL;
	for (; *p && strchr(chars, *p); p++) {
		size_t i = (size_t)(strchr(chars, *p) - chars);
		irc_modes_set(is, modes, is->prefix_modes[i], true);
	}
	size_t len = strcspn(p, "!@ ");
	if (!len)
		return false;
	*nick = g_strndup(p, len);
	return true;
}

void irc_chan_names(struct irc_chan *ch, const struct irc_isupport *is, const char *list)
{
	if (!ch->names)
		ch->names = irc_chan_members_new();
	char **entries = g_strsplit(list ? list : "", " ", -1);
	for (char **e = entries; *e; e++) {
		char *nick, modes[IRC_MODES_MAX + 1];
		if (irc_names_entry(is, *e, &nick, modes))
			table_add(ch->names, is->casemap, nick, modes);
		g_free(nick);
	}
	g_strfreev(entries);
}

/* ---- roles and MODE ------------------------------------------------------------ */

void irc_modes_role(const struct irc_isupport *is, const char *modes, enum gw_role *role,
		    enum gw_affiliation *aff)
{
	static const struct {
		char mode;
		enum gw_role role;
		enum gw_affiliation aff;
	} map[] = {
		{ 'q', GW_ROLE_MODERATOR, GW_AFF_OWNER },
		{ 'a', GW_ROLE_MODERATOR, GW_AFF_ADMIN },
		{ 'o', GW_ROLE_MODERATOR, GW_AFF_ADMIN },
		{ 'h', GW_ROLE_MODERATOR, GW_AFF_MEMBER },
		{ 'v', GW_ROLE_PARTICIPANT, GW_AFF_MEMBER },
	};
	*role = GW_ROLE_PARTICIPANT;
	*aff = GW_AFF_NONE;
	const char *order = is->prefix_modes ? is->prefix_modes : "";
	const char *op = strchr(order, 'o');
	/* modes is in PREFIX order: the first known letter is the highest. */
	for (const char *m = modes ? modes : ""; *m; m++) {
		for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
			if (map[i].mode == *m) {
				*role = map[i].role;
				*aff = map[i].aff;
				return;
			}
		}
		/* A letter of this server's own, ranked above op: like op. */
		const char *at = strchr(order, *m);
		if (op && at && at < op) {
			*role = GW_ROLE_MODERATOR;
			*aff = GW_AFF_ADMIN;
			return;
		}
	}
}

size_t irc_role_modes(const char *modes, enum gw_role role, char out[IRC_ROLE_MODES_MAX])
{
	const char *held = modes ? modes : "";
	size_t n = 0;
	out[0] = 0;
	if (role == GW_ROLE_MODERATOR) {
		g_strlcpy(out, "+o", IRC_ROLE_MODES_MAX);
		return 1;
	}
	if (role != GW_ROLE_PARTICIPANT && role != GW_ROLE_VISITOR)
		return 0;
	out[n++] = '-';
	for (const char *m = "oh"; *m; m++)
		if (strchr(held, *m))
			out[n++] = *m;
	if (role == GW_ROLE_VISITOR) {
		out[n++] = 'v';
	} else if (n == 1) { /* no op mode to take: a participant by voice */
		out[0] = '+';
		out[n++] = 'v';
	}
	out[n] = 0;
	return n - 1;
}

void irc_mode_walk(const struct irc_isupport *is, const char *modes, const char *const *args,
		   size_t n_args, irc_mode_cb cb, void *ud)
{
	bool add = true;
	size_t a = 0;
	for (const char *m = modes ? modes : ""; *m; m++) {
		if (*m == '+' || *m == '-') {
			add = *m == '+';
			continue;
		}
		char type = irc_isupport_mode_type(is, *m);
		bool takes = type == 'A' || type == 'B' || type == 'P' || (type == 'C' && add);
		if (!takes)
			continue;
		if (a >= n_args)
			return; /* malformed: arguments ran out */
		const char *arg = args[a++];
		if (type == 'P' && *arg)
			cb(*m, add, arg, ud);
	}
}
