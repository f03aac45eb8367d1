/* room_ops.c - what a user does to others in an IRC channel room: changing
 * nick (on IRC, per connection: every room on the server follows), roles
 * as KICK and prefix MODEs, and private messages to occupants, both ways.
 *
 * None of these is confirmed here: the server's echo (NICK, MODE, KICK)
 * comes back through room.c as occupant reports, and its refusals as room
 * messages from the room itself (482 and a refused nick, through
 * room.c), except a KICK's: its request waits in the channel for the echo
 * or the 482 (room.c answers it). */
#include "irc_int.h"

#include <string.h>

#define KICK_REASON_MAX 300 /* bytes: the rest of the line is the channel and nick */

static enum irc_casemap casemap(struct link *l)
{
	return irc_client_isupport(l->cl)->casemap;
}

/* The channel of room when the user is in it on IRC now. */
static struct irc_chan *joined(struct gw_session *s, const char *room, struct link **lp,
			       struct gw_reason *why)
{
	struct irc_chan *ch = irc_room_lookup(s, room, lp);
	if (ch && ch->synced && irc_client_ready((*lp)->cl))
		return ch;
	gw_reason_set(why, "not in this channel on IRC right now");
	return NULL;
}

/* What a failed send means to the user. */
static enum gw_err sent(enum gw_err err, struct gw_reason *why, const char *too_long)
{
	if (err == GW_ERR_BAD_REQUEST)
		gw_reason_set(why, "%s", too_long);
	else if (err == GW_ERR_RESOURCE_CONSTRAINT)
		gw_reason_set(why, "too much is waiting to be sent to the IRC server; try again shortly");
	else if (err == GW_ERR_SERVICE_UNAVAILABLE && !why->text)
		gw_reason_set(why, "not connected to the IRC server right now");
	return err;
}

/* ---- nick ------------------------------------------------------------------- */

enum gw_err irc_room_nick(struct gw_session *s, const char *room, const char *nick,
			  struct gw_reason *why)
{
	struct link *l = NULL;
	if (!irc_nick_ok(nick)) {
		gw_reason_set(why, "an IRC nick has no spaces or , * ? ! @ . and does not start with a "
		       "digit, - or a channel character");
		return GW_ERR_NOT_ACCEPTABLE;
	}
	struct irc_chan *ch = joined(s, room, &l, why);
	if (!ch)
		return GW_ERR_SERVICE_UNAVAILABLE;
	if (!strcmp(nick, irc_client_nick(l->cl))) {
		irc_room_tell_self(l, ch, 0, NULL); /* no NICK echo would come */
		return GW_OK;
	}
	return sent(irc_client_nick_change(l->cl, nick), why, "not a nick IRC can carry");
}


/* ---- roles ------------------------------------------------------------------ */

/* reason on one line and short enough for a KICK. Returns new. */
static char *kick_reason(const char *reason)
{
	char *r = irc_one_line(reason);
	if (strlen(r) > KICK_REASON_MAX) {
		/* The core hands valid UTF-8: cut before a character. */
		char *end = g_utf8_find_prev_char(r, r + KICK_REASON_MAX + 1);
		*(end ? end : r) = 0;
	}
	return r;
}

/* A KICK is answered when the server echoes it or refuses it (482, room.c);
 * a MODE once it is sent (a refusal comes as a room message). */
void irc_room_role(struct gw_session *s, const char *room, const char *nick,
		   enum gw_role role, const char *reason, struct gw_request *req)
{
	struct link *l = NULL;
	struct gw_reason why = { 0 };
	struct irc_chan *ch = joined(s, room, &l, &why);
	struct irc_member *m = ch ? irc_view_get(&ch->view, casemap(l), nick) : NULL;
	enum gw_err err = GW_OK;
	if (!ch) {
		err = GW_ERR_SERVICE_UNAVAILABLE;
	} else if (!m) {
		gw_reason_set(&why, "no one with that nick is in the channel");
		err = GW_ERR_NOT_FOUND;
	} else if (role == GW_ROLE_NONE) {
		char *r = kick_reason(reason);
		err = sent(irc_client_cmd(l->cl, "KICK", ch->name, m->nick, r, NULL), &why,
			   "the nick or reason cannot be sent to IRC");
		g_free(r);
		if (err == GW_OK) {
			irc_room_kick_wait(ch, m->nick, req);
			req = NULL;
		}
	} else {
		char modes[IRC_ROLE_MODES_MAX];
		size_t n = irc_role_modes(m->modes, role, modes);
		/* Each letter takes the nick; the list ends at the first NULL. */
		if (n)
			err = sent(irc_client_cmd(l->cl, "MODE", ch->name, modes, m->nick,
						  n > 1 ? m->nick : NULL, n > 2 ? m->nick : NULL,
						  NULL),
				   &why, "the nick or reason cannot be sent to IRC");
	}
	if (req)
		gw_request_done(req, err, why.text);
	g_free(why.text);
}

/* ---- affiliations: bans and prefix modes ------------------------------------------ */

/* One MODE letter (signed: "+b") on arg: one command each, so no server's
 * MODES limit is passed. */
static enum gw_err mode1(struct link *l, struct irc_chan *ch, const char *letter, const char *arg)
{
	return irc_client_cmd(l->cl, "MODE", ch->name, letter, arg, NULL);
}

/* Takes every prefix mode m holds but keep (a letter, or 0). */
static enum gw_err strip_modes(struct link *l, struct irc_chan *ch, const struct irc_member *m,
			       char keep)
{
	enum gw_err err = GW_OK;
	for (const char *p = m->modes; err == GW_OK && *p; p++) {
		char letter[3] = { '-', *p, 0 };
		if (*p != keep)
			err = mode1(l, ch, letter, m->nick);
	}
	return err;
}

/* The nick an affiliation is for: nick, or the nick of legacy (a JID given),
 * which must be on the room's server. Returns new, or NULL with *why. */
static char *affiliation_nick(struct link *l, const char *nick, const char *legacy,
			      struct gw_reason *why)
{
	if (nick)
		return g_strdup(nick);
	char *n = NULL, *server = NULL;
	bool ok = irc_split_address(gw_priv(gw_session_gw(l->s)), legacy, &n, &server) && n &&
		  !strcmp(server, l->server);
	g_free(server);
	if (!ok) {
		g_free(n);
		gw_reason_set(why, "that address is not a nick on this channel's IRC server");
		return NULL;
	}
	return n;
}

enum gw_err irc_room_affiliation(struct gw_session *s, const char *room, const char *nick,
				 const char *legacy, enum gw_affiliation aff, const char *reason,
				 struct gw_reason *why)
{
	struct link *l = NULL;
	struct irc_chan *ch = joined(s, room, &l, why);
	if (!ch)
		return GW_ERR_SERVICE_UNAVAILABLE;
	char *who = affiliation_nick(l, nick, legacy, why);
	if (!who)
		return GW_ERR_NOT_ACCEPTABLE;
	enum gw_err err = GW_OK;
	if (!irc_nick_ok(who)) {
		gw_reason_set(why, "not an IRC nick");
		err = GW_ERR_NOT_FOUND;
		goto out;
	}
	struct irc_member *m = irc_view_get(&ch->view, casemap(l), who);
	char *mask = g_strdup_printf("%s!*@*", who);
	const char *prefixes = irc_client_isupport(l->cl)->prefix_modes;
	switch (aff) {
	case GW_AFF_OUTCAST: /* a ban, and out of the room */
		err = mode1(l, ch, "+b", mask);
		if (err == GW_OK && m) {
			char *r = kick_reason(reason);
			err = irc_client_cmd(l->cl, "KICK", ch->name, m->nick, r, NULL);
			g_free(r);
			g_free(ch->banning);
			ch->banning = err == GW_OK ? g_strdup(m->nick) : NULL;
		}
		break;
	case GW_AFF_NONE: /* no ban, no prefix mode */
		err = mode1(l, ch, "-b", mask);
		if (err == GW_OK && m)
			err = strip_modes(l, ch, m, 0);
		break;
	default: {
		char letter = aff == GW_AFF_MEMBER ? 'v' : aff == GW_AFF_ADMIN ? 'o' : 'q';
		if (!prefixes || !strchr(prefixes, letter)) {
			gw_reason_set(why, "this IRC server has no channel mode for that affiliation");
			err = GW_ERR_NOT_ALLOWED;
		} else if (!m) {
			gw_reason_set(why, "no one with that nick is in the channel");
			err = GW_ERR_NOT_FOUND;
		} else {
			/* Given first, the others taken after: the occupant
			 * goes straight to its new role. */
			char plus[3] = { '+', letter, 0 };
			if (!strchr(m->modes, letter))
				err = mode1(l, ch, plus, m->nick);
			if (err == GW_OK)
				err = strip_modes(l, ch, m, letter);
		}
	}
	}
	g_free(mask);
	err = sent(err, why, "the nick or reason cannot be sent to IRC");
out:
	g_free(who);
	return err;
}

/* ---- private messages ----------------------------------------------------------- */

enum gw_err irc_room_private(struct gw_session *s, const char *room, const char *nick,
			     const struct gw_message *msg, struct gw_reason *why)
{
	struct irc_gw *g = gw_priv(gw_session_gw(s));
	struct link *l = NULL;
	struct irc_chan *ch = joined(s, room, &l, why);
	if (!ch)
		return GW_ERR_SERVICE_UNAVAILABLE;
	/* Not only to occupants: whoever it is, the IRC server knows (or
	 * answers 401 No such nick as server text). */
	if (!irc_nick_ok(nick)) {
		gw_reason_set(why, "not an IRC nick");
		return GW_ERR_NOT_FOUND;
	}
	const char *body = msg->body;
	bool action = !strncmp(body, "/me ", 4);
	if (action)
		body += 4;
	irc_link_private(l);
	return sent(irc_say(l->cl, nick, body, action, g->max_lines, why), why,
		    "the message cannot be sent to IRC");
}

struct irc_chan *irc_room_of_nick(struct link *l, const char *nick, const char **occ)
{
	for (guint i = 0; l->chans && i < l->chans->len; i++) {
		struct irc_chan *ch = l->chans->pdata[i];
		struct irc_member *m = ch->synced ? irc_view_get(&ch->view, casemap(l), nick) : NULL;
		if (m) {
			*occ = m->nick;
			return ch;
		}
	}
	return NULL;
}
