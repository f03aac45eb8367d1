/* muc.h - XEP-0045 rooms for backends with group chats (GW_CAP_MUC): the
 * stanzas users send to rooms. What backends report goes through
 * gw_room.c, on the room state in muc_room.h. */
#ifndef XMPPGW_MUC_H
#define XMPPGW_MUC_H

#include <strophe.h>

#include "iq.h"

/* Whether legacy is a room on gw (GW_CAP_MUC and the backend says so). */
bool muc_is_room(struct gw *gw, const char *legacy);
void muc_presence(struct iq_req *r, xmpp_stanza_t *st);
void muc_message(struct iq_req *r, xmpp_stanza_t *st);
enum gw_err muc_ping(struct iq_req *r);
enum gw_err muc_admin_set(struct iq_req *r);
bool muc_applies(struct iq_req *r);
/* The room's identity, features and muc#roominfo into the disco#info
 * query. */
enum gw_err muc_disco_info(struct iq_req *r, xmpp_stanza_t *query);

#endif
