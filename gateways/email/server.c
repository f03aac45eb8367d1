/* server.c - a mail server of an account (server.h). */
#include "email/server.h"

#include <glib.h>
#include <string.h>

static const char *const names[] = {
	[MAIL_SEC_TLS] = "tls", [MAIL_SEC_STARTTLS] = "starttls", [MAIL_SEC_NONE] = "none",
};

bool mail_security_parse(const char *s, enum mail_security *out)
{
	for (size_t i = 0; s && i < G_N_ELEMENTS(names); i++)
		if (!g_ascii_strcasecmp(s, names[i])) {
			*out = (enum mail_security)i;
			return true;
		}
	return false;
}

const char *mail_security_name(enum mail_security sec)
{
	return names[sec];
}

void mail_server_clear(struct mail_server *srv)
{
	g_free(srv->host);
	g_free(srv->user);
	if (srv->password)
		memset(srv->password, 0, strlen(srv->password));
	g_free(srv->password);
	srv->host = srv->user = srv->password = NULL;
}
