/* server.h - one mail server of an account, as registered: where it is,
 * how the connection is secured, and the login. */
#ifndef XMPPGW_EMAIL_SERVER_H
#define XMPPGW_EMAIL_SERVER_H

#include <stdbool.h>

enum mail_security {
	MAIL_SEC_TLS = 0,   /* TLS from the first byte (imaps, smtps) */
	MAIL_SEC_STARTTLS,  /* plaintext, then STARTTLS, required */
	MAIL_SEC_NONE,      /* plaintext all along */
};

struct mail_server {
	const char *what;       /* "IMAP" or "SMTP", for texts */
	char *host;             /* normalised (email_host_parse) */
	int port;
	enum mail_security sec;
	char *user;
	char *password;         /* never logged */
	bool public_only;       /* refuse internal addresses (policy.h) */
};

/* "tls", "starttls" or "none" (ASCII case-insensitive). */
bool mail_security_parse(const char *s, enum mail_security *out);
const char *mail_security_name(enum mail_security sec);

/* Frees the strings of srv (the password wiped first), not srv itself. */
void mail_server_clear(struct mail_server *srv);

#endif
