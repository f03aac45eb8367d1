/* tls.h - the OpenSSL side of an IRC transport (conn.c): one shared client
 * SSL_CTX (TLS 1.2 or newer, the system's trust store), one SSL per
 * connection, and non-blocking handshake, read and write steps that fold
 * OpenSSL's error codes into a few results.
 *
 * The socket I/O of OpenSSL uses write(2), so the process must ignore
 * SIGPIPE (main.c does).
 */
#ifndef XMPPGW_IRC_TLS_H
#define XMPPGW_IRC_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct ssl_st;

/* Results of the steps below; a read or write returns a byte count > 0
 * instead of IRC_TLS_OK when it moved data. */
enum irc_tls_rc {
	IRC_TLS_OK = 0,
	IRC_TLS_WANT_READ = -1,  /* retry the same call when readable */
	IRC_TLS_WANT_WRITE = -2, /* retry the same call when writable */
	IRC_TLS_EOF = -3,        /* the peer closed (close_notify or TCP) */
	IRC_TLS_ERROR = -4,      /* *detail is set */
};

/* A client session on the connected socket fd. host (borrowed) is sent as
 * SNI when it is a name; with verify, the chain and host (a name or an IP
 * literal) are checked. Returns NULL with *detail new on failure. */
struct ssl_st *irc_tls_new(int fd, const char *host, bool verify, char **detail);
/* One handshake step: IRC_TLS_OK when done, WANT_*, or ERROR with *detail
 * new (for a refused certificate it holds X509_verify_cert_error_string). */
int irc_tls_handshake(struct ssl_st *ssl, char **detail);
/* Bytes read (> 0), WANT_*, EOF, or ERROR with *detail new. */
ssize_t irc_tls_read(struct ssl_st *ssl, void *buf, size_t n, char **detail);
/* Bytes written (> 0, possibly fewer than n), WANT_*, EOF or ERROR. After a
 * WANT_* the next call must pass the same bytes again (the buffer may have
 * moved) and at least the same length. */
ssize_t irc_tls_write(struct ssl_st *ssl, const void *buf, size_t n, char **detail);
/* Whether decrypted or still undecrypted bytes wait inside the SSL. */
bool irc_tls_pending(struct ssl_st *ssl);
/* Sends close_notify once, without waiting for the peer's. */
void irc_tls_shutdown(struct ssl_st *ssl);
/* The negotiated protocol and cipher, for logs. Borrowed. */
const char *irc_tls_version(struct ssl_st *ssl);
const char *irc_tls_cipher(struct ssl_st *ssl);
/* Frees the session (not the fd). NULL is fine. */
void irc_tls_free(struct ssl_st *ssl);

#endif
