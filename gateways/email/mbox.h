/* mbox.h - what the store keeps of each watched mailbox: the folder's
 * UIDVALIDITY, the highest UID delivered, since when it is watched and
 * whether it is being read again (row kind "mailbox", key the user's JID;
 * "UIDVALIDITY LAST[:SINCE:REREAD] FOLDER"). It is written in the same gw_atomic as the delivery of that
 * UID, so a mail is delivered once across crashes and restarts. */
#ifndef XMPPGW_EMAIL_MBOX_H
#define XMPPGW_EMAIL_MBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "gateway.h"

struct mbox_state {
	uint32_t uidvalidity;
	uint32_t last_uid;
	int64_t since;  /* Unix s the gateway began watching the folder; 0: unknown */
	/* 0, or the folder is being read again after its UIDVALIDITY
	 * changed: mail from this time on (Unix s) not delivered before
	 * (seen.h) is delivered */
	int64_t reread;
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
