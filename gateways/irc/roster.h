/* roster.h - the members of one channel on one server, held once for all
 * the bridged users in it, and each connection's own view of them.
 *
 * Every bridged user has a connection of their own, and each connection
 * sees every member: N users in one channel kept per connection would be
 * N² members. A roster holds each member once per (server, channel); a
 * connection's view is one bit per roster slot, set while that connection
 * has seen the member join and not yet leave. Connections read the same
 * events at different moments (one may have read a PART that another has
 * not read yet), so each view is exact for its own connection.
 *
 * Prefix modes are shared: they are what the latest connection to read a
 * change made them. A connection that reads a MODE line after another one
 * may see the modes of a later change of the same line already (told
 * twice as the final state), and the shared modes can lag behind briefly
 * while connections catch up; the next NAMES reply of a (re)join sets them
 * from the server again. Keeping modes per connection would cost N² again.
 *
 * Invariant: a member's refs is the number of views with its bit set; a
 * member whose refs falls to 0 is freed and its slot reused. */
#ifndef XMPPGW_IRC_ROSTER_H
#define XMPPGW_IRC_ROSTER_H

#include "text.h"

#include <glib.h>
#include <stdbool.h>

#define IRC_MEMBERS_MAX 100000   /* members of one channel kept */
/* members kept of all channels of one server together: a hostile server
 * filling each of many channels to IRC_MEMBERS_MAX cannot take more */
#define IRC_SERVER_MEMBERS_MAX 1000000
#define IRC_MODES_MAX 16         /* prefix modes one member holds */

struct irc_member {
	char *nick;                   /* as the server spells it */
	char modes[IRC_MODES_MAX + 1];/* prefix mode letters, in PREFIX order */
	char *away;                   /* its AWAY text (away-notify), or NULL: here */
	/* In a roster only (NULL and 0 in a NAMES table): */
	char *key;                    /* the folded nick it is indexed under */
	guint slot;
	guint refs;                   /* views that have it */
};

void irc_member_free(struct irc_member *m);

struct irc_roster;

/* One connection's view of one roster; all zero: attached to none. */
struct irc_view {
	struct irc_roster *r;
	guint8 *bits;   /* one bit per roster slot */
	guint n_bytes;
	guint count;    /* bits set */
};

/* The table of every roster of a backend: "server\n" + folded channel ->
 * struct irc_roster *. Rosters remove themselves when their last view
 * detaches; destroy the table only once every view has. */
GHashTable *irc_rosters_new(void);

/* The bound of members kept per server (IRC_SERVER_MEMBERS_MAX; tests
 * set a small one). */
void irc_rosters_server_max(guint n);

/* Attaches v (detached) to the roster of chan on server, made when
 * needed. chan is folded with map. */
void irc_view_attach(struct irc_view *v, GHashTable *rosters, const char *server,
		     enum irc_casemap map, const char *chan);
/* Forgets every member of v and detaches it; the roster goes with its
 * last view. Safe on a detached view. */
void irc_view_detach(struct irc_view *v);

/* The member nick when v has it, else NULL. Borrowed. */
struct irc_member *irc_view_get(struct irc_view *v, enum irc_casemap map, const char *nick);
/* Puts nick in v. modes NULL: a member v already has keeps its modes, a
 * new one has none; else modes are set. Returns the member (borrowed), or
 * NULL when v is detached or the roster is full (IRC_MEMBERS_MAX). */
struct irc_member *irc_view_add(struct irc_view *v, enum irc_casemap map, const char *nick,
				const char *modes);
/* Takes nick out of v; false when v did not have it. */
bool irc_view_remove(struct irc_view *v, enum irc_casemap map, const char *nick);
/* Iterates v: start with *i = 0; NULL at the end. v must not change
 * during the walk. */
struct irc_member *irc_view_next(const struct irc_view *v, guint *i);

/* For tests and statistics: the members held by v's roster, and its
 * views. */
guint irc_roster_members(const struct irc_view *v);
guint irc_roster_views(const struct irc_view *v);

#endif
