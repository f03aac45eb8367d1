/* registry.c - the backends this build of xmpp-gw carries. A backend runs
 * when its configuration section is present. */
#include "gateway.h"

extern const struct gw_backend echo_backend;
extern const struct gw_backend email_backend;
extern const struct gw_backend irc_backend;
extern const struct gw_backend sms_backend;

const struct gw_backend *const gw_backends[] = {
	&echo_backend,
	&email_backend,
	&irc_backend,
	&sms_backend,
	NULL,
};
