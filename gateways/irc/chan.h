/* chan.h - what one IRC connection knows about one channel: its view of
 * the members (roster.h: held once per server and channel, with their
 * prefix modes), its topic, and how far the join has got. Plus
 * the pure rules: NAMES entries, MODE changes, and prefix modes as MUC
 * roles and affiliations. No I/O and no gw_* calls: the glue (room.c)
 * tells the core. */
#ifndef XMPPGW_IRC_CHAN_H
#define XMPPGW_IRC_CHAN_H

#include "gateway.h"
#include "isupport.h"
#include "roster.h"

#define IRC_CHANS_MAX 100        /* channels one connection tracks */
#define IRC_CHAN_NAME_MAX 200    /* RFC 2812 */

struct irc_chan {
	char *name;        /* as the server spells it once joined, else as asked */
	char *room;        /* the room's legacy address, as the core gave it */
	char *key;         /* the join key, kept for rejoining; or NULL */
	char *want_nick;   /* the nick the user asked for */
	char *topic, *topic_by;
	char *old_topic;   /* the topic before a rejoin, to tell a change */
	struct irc_view view;/* the members, while on_irc */
	GHashTable *names;   /* a NAMES reply being collected, or NULL */
	char *banning;       /* the nick the user just banned: its KICK is a ban */
	GQueue *kicks;       /* KICKs sent by the user, waiting for the echo or a 482,
			      * oldest first (room.c answers them; empty when freed) */
	bool pending;      /* the core waits for the answer to room_join */
	bool sent;         /* JOIN sent on the current connection */
	bool on_irc;       /* our JOIN came back: we are in it on IRC */
	bool synced;       /* the core has the members (since the last 366) */
};

/* Returns new. key may be NULL. */
struct irc_chan *irc_chan_new(const char *name, const char *room, const char *key,
			      const char *want_nick);
void irc_chan_free(struct irc_chan *ch);
/* The channel named name in chans (struct irc_chan *), or NULL. */
struct irc_chan *irc_chan_find(GPtrArray *chans, enum irc_casemap map, const char *name);

/* A new empty NAMES table (folded nick -> struct irc_member *). */
GHashTable *irc_chan_members_new(void);

/* Adds the entries of one 353 list ("@+alice bob") to ch->names, which
 * it creates when needed. */
void irc_chan_names(struct irc_chan *ch, const struct irc_isupport *is, const char *list);

/* One NAMES entry: "@+nick" or "@nick!user@host" into *nick (new) and its
 * prefix modes (letters in PREFIX order, at most IRC_MODES_MAX). false for
 * an entry with no nick. */
bool irc_names_entry(const struct irc_isupport *is, const char *entry, char **nick,
		     char modes[IRC_MODES_MAX + 1]);

/* Sets (add) or clears one prefix mode letter in modes, keeping PREFIX
 * order. Returns whether modes changed. */
bool irc_modes_set(const struct irc_isupport *is, char modes[IRC_MODES_MAX + 1], char mode,
		   bool add);

/* The MUC role and affiliation of prefix modes: the highest counts.
 * q owner, a admin, o admin (moderators); h moderator and member; v
 * participant and member; none participant. */
void irc_modes_role(const struct irc_isupport *is, const char *modes, enum gw_role *role,
		    enum gw_affiliation *aff);

/* The MODE change that gives a member holding modes the MUC role, as
 * signed letters ("+o", "-o", "+v", "-ov") into out; each letter takes the
 * nick as its argument. moderator: +o; participant: the op modes held
 * (o, h) taken away, or else +v; visitor: the same and -v. GW_ROLE_NONE is
 * a KICK, no mode: "". Returns the number of letters. */
#define IRC_ROLE_MODES_MAX 8
size_t irc_role_modes(const char *modes, enum gw_role role, char out[IRC_ROLE_MODES_MAX]);

/* Walks a channel MODE change: modes ("+o-v+l") and its arguments.
 * Calls cb for each PREFIX mode change with the nick it applies to;
 * other modes consume their arguments by their CHANMODES type. */
typedef void (*irc_mode_cb)(char mode, bool add, const char *nick, void *ud);
void irc_mode_walk(const struct irc_isupport *is, const char *modes, const char *const *args,
		   size_t n_args, irc_mode_cb cb, void *ud);

#endif
