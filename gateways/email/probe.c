/* probe.c - a login check of one mail server (probe.h). */
#include "email/probe.h"
#include "gateway.h"

#include <string.h>

struct mail_probe {
	struct mail_xfer *x;
	char *what, *host;
	int port;
	mail_probe_cb cb;
	void *ud;
};

static void probe_free(struct mail_probe *p)
{
	mail_xfer_free(p->x);
	g_free(p->what);
	g_free(p->host);
	g_free(p);
}

static const char *or_code(const char *detail, CURLcode rc)
{
	return detail && *detail ? detail : curl_easy_strerror(rc);
}

enum gw_err mail_probe_error(CURLcode rc, bool refused, const char *what, const char *host,
			     int port, const char *detail, char **text)
{
	const char *d = or_code(detail, rc);
	switch (rc) {
	case CURLE_OK:
		*text = NULL;
		return GW_OK;
	case CURLE_LOGIN_DENIED:
	case CURLE_REMOTE_ACCESS_DENIED:
		*text = g_strdup_printf("the %s server %s refused the username or password",
					what, host);
		return GW_ERR_NOT_AUTHORIZED;
	case CURLE_COULDNT_RESOLVE_HOST:
		*text = g_strdup_printf("the %s server %s was not found in the DNS", what, host);
		return GW_ERR_REMOTE_NOT_FOUND;
	case CURLE_COULDNT_CONNECT:
		if (refused) {
			*text = g_strdup_printf("the %s server %s is at an internal address, which "
						"this gateway does not connect to", what, host);
			return GW_ERR_NOT_ALLOWED;
		}
		*text = g_strdup_printf("the %s server %s could not be reached on port %d (%s)",
					what, host, port, d);
		return GW_ERR_REMOTE_NOT_FOUND;
	case CURLE_OPERATION_TIMEDOUT:
		*text = g_strdup_printf("the %s server %s did not answer in time on port %d",
					what, host, port);
		return GW_ERR_REMOTE_TIMEOUT;
	case CURLE_PEER_FAILED_VERIFICATION:
		*text = g_strdup_printf("the certificate of the %s server %s could not be "
					"verified (%s)", what, host, d);
		return GW_ERR_REMOTE_NOT_FOUND;
	case CURLE_USE_SSL_FAILED:
		*text = g_strdup_printf("the %s server %s does not offer STARTTLS on port %d",
					what, host, port);
		return GW_ERR_NOT_ACCEPTABLE;
	case CURLE_SSL_CONNECT_ERROR:
		*text = g_strdup_printf("the TLS handshake with the %s server %s on port %d "
					"failed (%s)", what, host, port, d);
		return GW_ERR_REMOTE_NOT_FOUND;
	default:
		*text = g_strdup_printf("the %s server %s on port %d did not answer as a %s server "
					"(%s): check the port and the security", what, host, port,
					what, d);
		return GW_ERR_REMOTE_NOT_FOUND;
	}
}

static void done(struct mail_xfer *x, CURLcode rc, void *ud)
{
	struct mail_probe *p = ud;
	char *text = NULL;
	enum gw_err err = mail_probe_error(rc, mail_xfer_refused(x), p->what, p->host, p->port,
					   mail_xfer_error(x), &text);
	mail_probe_cb cb = p->cb;
	void *cb_ud = p->ud;
	probe_free(p);
	cb(err, text, cb_ud);
	g_free(text);
}

void mail_easy_setup(struct mail_xfer *x, const char *scheme, const struct mail_server *srv,
		     const struct mail_probe_opts *o, const char *folder, const char *suffix)
{
	CURL *e = mail_xfer_easy(x);
	bool tls = srv->sec == MAIL_SEC_TLS;
	bool v6 = strchr(srv->host, ':') != NULL;
	char *proto = g_strconcat(scheme, tls ? "s" : "", NULL);
	char *path = folder ? g_uri_escape_string(folder, NULL, FALSE) : g_strdup("");
	char *url = g_strdup_printf("%s://%s%s%s:%d/%s%s", proto, v6 ? "[" : "", srv->host,
				    v6 ? "]" : "", srv->port, path, suffix ? suffix : "");
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, proto);
	curl_easy_setopt(e, CURLOPT_USERNAME, srv->user);
	curl_easy_setopt(e, CURLOPT_PASSWORD, srv->password);
	if (!tls)
		curl_easy_setopt(e, CURLOPT_USE_SSL, srv->sec == MAIL_SEC_STARTTLS
							 ? (long)CURLUSESSL_ALL
							 : (long)CURLUSESSL_NONE);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, o->tls_verify ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, o->tls_verify ? 2L : 0L);
	/* libcurl has its own built-in CA paths; the same trust as OpenSSL's
	 * default verify paths (the IRC backend's) when these are set. The CA
	 * file alone: libcurl then parses it once for the multi handle and
	 * shares the store (CURLOPT_CA_CACHE_TIMEOUT); with a CA path (Debian's
	 * build sets /etc/ssl/certs) every connection kept its own copy of the
	 * whole bundle, some 870 KiB per watched account. */
	const char *ca_file = g_getenv("SSL_CERT_FILE"), *ca_dir = g_getenv("SSL_CERT_DIR");
	if (ca_file && *ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, ca_file);
	curl_easy_setopt(e, CURLOPT_CAPATH, ca_dir && *ca_dir ? ca_dir : NULL);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, o->timeout_s);
	mail_xfer_public_only(x, srv->public_only);
	g_free(url);
	g_free(path);
	g_free(proto);
}

struct mail_probe *mail_probe_start(struct mail_curl *mc, const char *scheme,
				    const struct mail_server *srv,
				    const struct mail_probe_opts *o, mail_probe_cb cb, void *ud)
{
	struct mail_probe *p = g_new0(struct mail_probe, 1);
	p->what = g_strdup(srv->what);
	p->host = g_strdup(srv->host);
	p->port = srv->port;
	p->cb = cb;
	p->ud = ud;
	p->x = mail_xfer_new(mc, done, p);
	mail_easy_setup(p->x, scheme, srv, o, NULL, NULL);
	curl_easy_setopt(mail_xfer_easy(p->x), CURLOPT_CONNECT_ONLY, 1L);
	mail_xfer_start(p->x);
	return p;
}

void mail_probe_cancel(struct mail_probe *p)
{
	if (p)
		probe_free(p);
}
