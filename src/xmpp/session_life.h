/* session_life.h - a session's life: the backend logs the user in on the
 * first resource (or message), out on the last, and the session ends. */
#ifndef XMPPGW_SESSION_LIFE_H
#define XMPPGW_SESSION_LIFE_H

#include "session.h"

/* Logs the session in if it is not yet. */
enum gw_err session_login(struct gw_session *s);
/* Logs out and in again (changed registration values take effect). */
void session_relogin(struct gw_session *s);
/* Logs out and frees. */
void session_end(struct gw_session *s);
/* Ends every session of gw; announce: first the unavailable presences of
 * every online contact and of the gateway. */
void session_end_all(struct gw *gw, bool announce);
/* Ends the sessions whose resources all stayed stale (session_mark_stale). */
void session_end_stale(struct gw *gw);

#endif
