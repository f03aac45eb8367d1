/* smtp.c - SMTP submission (smtp.h). */
#include "email/smtp.h"

struct mail_probe *smtp_check(struct mail_curl *mc, const struct mail_server *srv,
			      const struct mail_probe_opts *o, mail_probe_cb cb, void *ud)
{
	return mail_probe_start(mc, "smtp", srv, o, cb, ud);
}
