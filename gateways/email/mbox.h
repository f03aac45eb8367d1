/* mbox.h - what the store keeps of each watched mailbox: the folder's
 * UIDVALIDITY and the highest UID delivered (row kind "mailbox", key the
 * user's JID). It is written in the same gw_atomic as the delivery of that
 * UID, so a mail is delivered once across crashes and restarts. */
#ifndef XMPPGW_EMAIL_MBOX_H
#define XMPPGW_EMAIL_MBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "gateway.h"

struct mbox_state {
	uint32_t uidvalidity;
	uint32_t last_uid;
};

/* The stored state of jid's folder; false when none is stored for that
 * folder (a new registration, or another folder since). */
bool mbox_get(struct gw *gw, const char *jid, const char *folder, struct mbox_state *out);
enum gw_err mbox_put(struct gw *gw, const char *jid, const char *folder,
		     const struct mbox_state *st);
/* Forgets jid's mailbox (the user unregistered); GW_OK when none. */
enum gw_err mbox_delete(struct gw *gw, const char *jid);

/* The row's value for st and folder (new), and back; pure. */
char *mbox_format(const char *folder, const struct mbox_state *st);
bool mbox_parse(const char *value, const char *folder, struct mbox_state *out);

#endif
