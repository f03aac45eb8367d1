/* tls.c - OpenSSL for the IRC transport: the shared client context and the
 * non-blocking steps (see tls.h). */
#include "tls.h"

#include <errno.h>
#include <glib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <string.h>

static SSL_CTX *shared_ctx;

/* One context for every connection: the verify mode and the names to check
 * are set per SSL. Created on first use and kept for the process. */
static SSL_CTX *ctx_get(char **detail)
{
	if (shared_ctx)
		return shared_ctx;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		*detail = g_strdup("cannot create the TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_set_default_verify_paths(ctx) != 1)
		ERR_clear_error(); /* verification will fail and say why */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
				      SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	/* Many IRC servers close without close_notify; lines are framed, so a
	 * truncated one is dropped anyway. */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
	shared_ctx = ctx;
	return ctx;
}

/* The text of the last OpenSSL error, or fallback. Returns new. */
static char *last_error(const char *what, const char *fallback)
{
	unsigned long e = ERR_peek_last_error();
	char buf[256];
	if (!e)
		return g_strdup_printf("%s: %s", what, fallback);
	const char *reason = ERR_reason_error_string(e);
	if (!reason) {
		ERR_error_string_n(e, buf, sizeof buf);
		reason = buf;
	}
	char *s = g_strdup_printf("%s: %s", what, reason);
	ERR_clear_error();
	return s;
}

struct ssl_st *irc_tls_new(int fd, const char *host, bool verify, char **detail)
{
	SSL_CTX *ctx = ctx_get(detail);
	if (!ctx)
		return NULL;
	ERR_clear_error();
	SSL *ssl = SSL_new(ctx);
	if (!ssl) {
		*detail = last_error("cannot create a TLS session", "out of memory");
		return NULL;
	}
	bool ip = g_hostname_is_ip_address(host);
	bool ok = SSL_set_fd(ssl, fd) == 1;
	if (ok && !ip)
		ok = SSL_set_tlsext_host_name(ssl, host) == 1;
	if (ok && verify) {
		SSL_set_verify(ssl, SSL_VERIFY_PEER, NULL);
		SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (ip)
			ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1;
		else
			ok = SSL_set1_host(ssl, host) == 1;
	} else if (ok) {
		SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
	}
	if (!ok) {
		*detail = last_error("cannot set up the TLS session", "bad host name");
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_connect_state(ssl);
	return ssl;
}

/* Folds SSL_get_error() of a failed call into an irc_tls_rc. */
static int fold(SSL *ssl, int ret, const char *what, char **detail)
{
	int err = SSL_get_error(ssl, ret);
	switch (err) {
	case SSL_ERROR_WANT_READ:
		return IRC_TLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		return IRC_TLS_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		return IRC_TLS_EOF;
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_last_error())
			break;
		if (errno == 0)
			return IRC_TLS_EOF;
		*detail = g_strdup_printf("%s: %s", what, g_strerror(errno));
		return IRC_TLS_ERROR;
	default:
		break;
	}
	long vr = SSL_get_verify_result(ssl);
	if (vr != X509_V_OK && SSL_get_verify_mode(ssl) != SSL_VERIFY_NONE) {
		*detail = g_strdup_printf("certificate verification failed: %s",
					  X509_verify_cert_error_string(vr));
		ERR_clear_error();
		return IRC_TLS_ERROR;
	}
	*detail = last_error(what, "protocol error");
	return IRC_TLS_ERROR;
}

int irc_tls_handshake(struct ssl_st *ssl, char **detail)
{
	ERR_clear_error();
	errno = 0;
	int ret = SSL_do_handshake(ssl);
	if (ret == 1)
		return IRC_TLS_OK;
	int rc = fold(ssl, ret, "TLS handshake failed", detail);
	if (rc == IRC_TLS_EOF) {
		*detail = g_strdup("TLS handshake failed: the server closed the connection");
		rc = IRC_TLS_ERROR;
	}
	return rc;
}

ssize_t irc_tls_read(struct ssl_st *ssl, void *buf, size_t n, char **detail)
{
	ERR_clear_error();
	errno = 0;
	size_t got = 0;
	int ret = SSL_read_ex(ssl, buf, n, &got);
	if (ret == 1)
		return (ssize_t)got;
	return fold(ssl, ret, "TLS read failed", detail);
}

ssize_t irc_tls_write(struct ssl_st *ssl, const void *buf, size_t n, char **detail)
{
	ERR_clear_error();
	errno = 0;
	size_t put = 0;
	int ret = SSL_write_ex(ssl, buf, n, &put);
	if (ret == 1)
		return (ssize_t)put;
	return fold(ssl, ret, "TLS write failed", detail);
}

bool irc_tls_pending(struct ssl_st *ssl) { return SSL_pending(ssl) > 0 || SSL_has_pending(ssl); }

void irc_tls_shutdown(struct ssl_st *ssl)
{
	ERR_clear_error();
	if (SSL_is_init_finished(ssl))
		SSL_shutdown(ssl);
	ERR_clear_error();
}

const char *irc_tls_version(struct ssl_st *ssl) { return SSL_get_version(ssl); }

const char *irc_tls_cipher(struct ssl_st *ssl) { return SSL_get_cipher_name(ssl); }

void irc_tls_free(struct ssl_st *ssl) { SSL_free(ssl); }
