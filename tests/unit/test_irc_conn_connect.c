/* test_irc_conn_connect.c - the IRC transport's connecting: refused, a
 * name that does not resolve, a conn freed while its lookup runs, the
 * fallback from ::1 to 127.0.0.1 for "localhost", and TLS (no verification,
 * a self-signed certificate refused, a handshake that never ends) against
 * a certificate made by the openssl CLI at start-up. The peer and the loop
 * are in irc_conn_peer.h.
 */
#include "irc_conn_peer.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>

static char *tmpdir, *cert_path, *key_path;

/* ---- connecting ----------------------------------------------------- */

static void test_refused(void **state)
{
	unsigned short port;
	int fd = listen_on("127.0.0.1", &port);
	close(fd); /* nobody listens there now */
	struct irc_conn_params p = params_for(port);
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	assert_true(run_until(is_closed, &cl, 5000, NULL));
	assert_int_equal(cl.err, IRC_CONN_REFUSED);
	assert_non_null(strstr(cl.detail, g_strerror(ECONNREFUSED)));
	assert_int_equal(cl.connected, 0);
	assert_int_equal(cl.closed, 1);
	client_clear(&cl);
}

static void test_dns_failure(void **state)
{
	struct irc_conn_params p = params_for(6667);
	p.host = "no-such-host.invalid";
	p.connect_timeout_ms = 20000;
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	assert_true(run_until(is_closed, &cl, 20000, NULL));
	assert_int_equal(cl.err, IRC_CONN_DNS);
	assert_non_null(strstr(cl.detail, "no-such-host.invalid"));
	client_clear(&cl);
}

/* A resolver the test answers by hand: it holds the lookup it is given
 * until the test completes it, and counts the lookups finished (the
 * caller's callback has run by then). */
typedef struct {
	GResolver parent;
	GTask *held;
	int finished;
} HeldResolver;
typedef struct {
	GResolverClass parent_class;
} HeldResolverClass;
G_DEFINE_TYPE(HeldResolver, held_resolver, G_TYPE_RESOLVER)

static void held_lookup_async(GResolver *r, const gchar *host, GCancellable *cancel,
			      GAsyncReadyCallback cb, gpointer ud)
{
	HeldResolver *h = (HeldResolver *)r;
	g_assert(!h->held);
	h->held = g_task_new(r, cancel, cb, ud);
	/* The answer comes even after a cancel: the race a real lookup has. */
	g_task_set_check_cancellable(h->held, FALSE);
}

static GList *held_lookup_finish(GResolver *r, GAsyncResult *res, GError **e)
{
	((HeldResolver *)r)->finished++;
	return g_task_propagate_pointer(G_TASK(res), e);
}

static void held_resolver_class_init(HeldResolverClass *k)
{
	GResolverClass *rk = G_RESOLVER_CLASS(k);
	rk->lookup_by_name_async = held_lookup_async;
	rk->lookup_by_name_finish = held_lookup_finish;
}

static void held_resolver_init(HeldResolver *h) {}

static bool lookup_held(void *ud) { return ((HeldResolver *)ud)->held != NULL; }
static bool lookup_finished(void *ud) { return ((HeldResolver *)ud)->finished > 0; }

/* A lookup in flight when the conn is freed must not call back, even when
 * its answer (an address) comes after all. */
static void test_free_while_resolving(void **state)
{
	GResolver *real = g_resolver_get_default();
	HeldResolver *h = g_object_new(held_resolver_get_type(), NULL);
	g_resolver_set_default(G_RESOLVER(h));
	struct irc_conn_params p = params_for(6667);
	p.host = "irc.example.org"; /* GLib answers "localhost" itself */
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	assert_true(run_until(lookup_held, h, 5000, NULL));
	irc_conn_free(cl.c);
	cl.c = NULL;
	GList *addrs = g_list_append(NULL, g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4));
	g_task_return_pointer(h->held, addrs, (GDestroyNotify)g_resolver_free_addresses);
	g_clear_object(&h->held);
	assert_true(run_until(lookup_finished, h, 5000, NULL));
	assert_int_equal(cl.connected + cl.closed, 0);
	assert_int_equal(loop_watch_count(), 0);
	g_resolver_set_default(real);
	g_object_unref(real);
	g_object_unref(h);
	client_clear(&cl);
}

static void test_localhost_fallback(void **state)
{
	GResolver *r = g_resolver_get_default();
	GList *addrs = g_resolver_lookup_by_name(r, "localhost", NULL, NULL);
	bool v6_first = addrs && g_inet_address_get_family(addrs->data) == G_SOCKET_FAMILY_IPV6;
	g_resolver_free_addresses(addrs);
	g_object_unref(r);
	if (!v6_first)
		print_message("note: localhost does not resolve to ::1 first here\n");

	struct server s = { 0 };
	server_start(&s, script_echo); /* 127.0.0.1 only */
	struct irc_conn_params p = params_for(s.port);
	p.host = "localhost";
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	struct want w = { .cl = &cl, .n = 1 };
	assert_true(run_until(cl_has_n, &w, 5000, NULL));
	assert_int_equal(cl.connected, 1);
	assert_string_equal(cl_line_at(&cl, 0, NULL), "hello");
	client_clear(&cl);
	server_join(&s);

	if (v6_first) { /* the ::1 leg alone is refused */
		p.host = "::1";
		client_init(&cl, &p);
		irc_conn_start(cl.c);
		assert_true(run_until(is_closed, &cl, 5000, NULL));
		assert_int_equal(cl.err, IRC_CONN_REFUSED);
		client_clear(&cl);
	}
}

/* ---- TLS -------------------------------------------------------------- */

static SSL_CTX *server_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(ctx);
	assert_int_equal(SSL_CTX_use_certificate_file(ctx, cert_path, SSL_FILETYPE_PEM), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey_file(ctx, key_path, SSL_FILETYPE_PEM), 1);
	return ctx;
}

static void test_tls_no_verify(void **state)
{
	struct server s = { .tls = server_ctx() };
	server_start(&s, script_echo);
	struct irc_conn_params p = params_for(s.port);
	p.tls = true;
	p.tls_verify = false;
	p.sendq_max = 4 << 20;
	struct client cl;
	client_init(&cl, &p);
	cl.on_connect_send = "NICK t\r\n";
	irc_conn_start(cl.c);
	struct want w = { .cl = &cl, .n = 2 };
	assert_true(run_until(cl_has_n, &w, 5000, NULL));
	assert_true(irc_conn_is_tls(cl.c));
	assert_string_equal(cl_line_at(&cl, 0, NULL), "hello");
	assert_string_equal(cl_line_at(&cl, 1, NULL), "ECHO NICK t");

	/* Many records at once (pending bytes drained), and many lines out
	 * (partial writes). */
	assert_int_equal(irc_conn_send(cl.c, "BULK\r\n", false), GW_OK);
	w.n = 302;
	assert_true(run_until(cl_has_n, &w, 10000, NULL));
	size_t len;
	assert_memory_equal(cl_line_at(&cl, 301, &len), "B299 zzz", 8);
	assert_int_equal(len, 1000);
	char l[512];
	memset(l, 'q', sizeof l);
	for (int i = 0; i < 2000; i++) {
		int n = snprintf(l, sizeof l, "M%d ", i);
		l[n] = 'q';
		memcpy(l + 500, "\r\n", 3);
		assert_int_equal(irc_conn_send(cl.c, l, false), GW_OK);
	}
	w.n = 2302;
	assert_true(run_until(cl_has_n, &w, 20000, NULL));
	assert_memory_equal(cl_line_at(&cl, 2301, NULL), "ECHO M1999 q", 12);
	assert_int_equal(cl.closed, 0);
	client_clear(&cl);
	assert_true(run_until(srv_eof_cond, &s, 5000, NULL));
	server_join(&s);
	SSL_CTX_free(s.tls);
}

static void test_tls_verify_fails(void **state)
{
	struct server s = { .tls = server_ctx() };
	server_start(&s, script_echo);
	struct irc_conn_params p = params_for(s.port);
	p.host = "localhost";
	p.tls = true;
	p.tls_verify = true;
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	assert_true(run_until(is_closed, &cl, 5000, NULL));
	assert_int_equal(cl.connected, 0);
	assert_int_equal(cl.err, IRC_CONN_TLS);
	print_message("detail: %s\n", cl.detail);
	const char *why = X509_verify_cert_error_string(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
	assert_non_null(strstr(cl.detail, why));
	client_clear(&cl);
	server_join(&s);
	SSL_CTX_free(s.tls);
}

/* A plain server that never answers the ClientHello. */
static void test_tls_handshake_timeout(void **state)
{
	struct server s = { 0 };
	server_start(&s, script_collect);
	struct irc_conn_params p = params_for(s.port);
	p.tls = true;
	p.connect_timeout_ms = 500;
	struct client cl;
	client_init(&cl, &p);
	irc_conn_start(cl.c);
	assert_true(run_until(is_closed, &cl, 5000, NULL));
	assert_int_equal(cl.err, IRC_CONN_TIMEOUT);
	assert_non_null(strstr(cl.detail, "TLS"));
	client_clear(&cl);
	server_join(&s);
}

static int make_cert(void **state)
{
	tmpdir = g_dir_make_tmp("irc-conn-XXXXXX", NULL);
	assert_non_null(tmpdir);
	cert_path = g_build_filename(tmpdir, "cert.pem", NULL);
	key_path = g_build_filename(tmpdir, "key.pem", NULL);
	char *cmd = g_strdup_printf(
		"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		"-days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 "
		"-keyout %s -out %s",
		key_path, cert_path);
	gint status = -1;
	gboolean ok = g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL);
	g_free(cmd);
	return ok && status == 0 ? 0 : -1;
}

static int drop_cert(void **state)
{
	g_unlink(cert_path);
	g_unlink(key_path);
	g_rmdir(tmpdir);
	g_free(cert_path);
	g_free(key_path);
	g_free(tmpdir);
	return 0;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	log_set_level(g_getenv("TEST_LOG_DEBUG") ? LOG_DEBUG : LOG_ERROR);
	loop_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_dns_failure),
		cmocka_unit_test(test_free_while_resolving),
		cmocka_unit_test(test_localhost_fallback),
		cmocka_unit_test(test_tls_no_verify),
		cmocka_unit_test(test_tls_verify_fails),
		cmocka_unit_test(test_tls_handshake_timeout),
	};
	int rc = cmocka_run_group_tests(tests, make_cert, drop_cert);
	loop_fini();
	return rc;
}
