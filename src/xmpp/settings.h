/* settings.h - settings users keep per contact (GW_CAP_CONTACT_SETTINGS),
 * stored with the registration under "contact:<legacy>/<var>". */
#ifndef XMPPGW_SETTINGS_H
#define XMPPGW_SETTINGS_H

#include "instance.h"

/* The store key of var for legacy. Returns new. */
char *settings_key(const char *legacy, const char *var);
/* Whether legacy on gw has settings. */
bool settings_available(struct gw *gw, const char *legacy);
/* jid's stored values for legacy: a new table var -> value (only set ones). */
GHashTable *settings_values(struct gw *gw, const char *jid, const char *legacy);
/* Validates submitted values, lets the backend check them, stores them in one
 * transaction and tells the backend. An error comes with *why (new). */
enum gw_err settings_save(struct gw *gw, const char *jid, const char *legacy,
			  GHashTable *submitted, char **why);

#endif
