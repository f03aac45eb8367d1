/* curl_loop.c - libcurl's multi socket API on the core's loop
 * (curl_loop.h). */
#include "email/curl_loop.h"
#include "email/policy.h"
#include "gateway.h"

#include <string.h>
#include <sys/socket.h>

struct mail_curl {
	CURLM *multi;
	unsigned timer;     /* 0: none */
	unsigned xfers;     /* transfers not yet freed */
	GHashTable *watches; /* fd -> struct gw_watch *, the sockets curl watches */
};

struct mail_xfer {
	struct mail_curl *mc;
	CURL *easy;
	mail_xfer_done_cb cb;
	void *ud;
	bool started, public_only, refused;
	char error[CURL_ERROR_SIZE];
};

static void check_done(struct mail_curl *mc)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(mc->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct mail_xfer *x = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		CURLcode rc = m->data.result;
		/* m is void once the callback touches the multi handle */
		x->cb(x, rc, x->ud);
	}
}

static void on_io(int fd, unsigned events, void *ud)
{
	struct mail_curl *mc = ud;
	int flags = 0, running;
	if (events & GW_IO_READ)
		flags |= CURL_CSELECT_IN;
	if (events & GW_IO_WRITE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(mc->multi, fd, flags, &running);
	check_done(mc);
}

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct mail_curl *mc = userp;
	struct gw_watch *w = socketp;
	if (what == CURL_POLL_REMOVE) {
		if (w)
			gw_watch_remove(w);
		curl_multi_assign(mc->multi, s, NULL);
		g_hash_table_remove(mc->watches, GINT_TO_POINTER(s));
		return 0;
	}
	unsigned ev = (what & CURL_POLL_IN ? GW_IO_READ : 0) |
		      (what & CURL_POLL_OUT ? GW_IO_WRITE : 0);
	if (w) {
		gw_watch_modify(w, ev);
	} else {
		w = gw_watch_fd(s, ev, on_io, mc);
		curl_multi_assign(mc->multi, s, w);
		if (w)
			g_hash_table_replace(mc->watches, GINT_TO_POINTER(s), w);
	}
	return 0;
}

static void on_timer(void *ud)
{
	struct mail_curl *mc = ud;
	int running;
	mc->timer = 0;
	curl_multi_socket_action(mc->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(mc);
}

static int on_timeout(CURLM *multi, long ms, void *userp)
{
	struct mail_curl *mc = userp;
	if (mc->timer)
		gw_timer_remove(mc->timer);
	mc->timer = ms < 0 ? 0 : gw_timer_add((unsigned)ms, on_timer, mc);
	return 0;
}

struct mail_curl *mail_curl_new(void)
{
	struct mail_curl *mc = g_new0(struct mail_curl, 1);
	mc->multi = curl_multi_init();
	mc->watches = g_hash_table_new(NULL, NULL);
	curl_multi_setopt(mc->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(mc->multi, CURLMOPT_SOCKETDATA, mc);
	curl_multi_setopt(mc->multi, CURLMOPT_TIMERFUNCTION, on_timeout);
	curl_multi_setopt(mc->multi, CURLMOPT_TIMERDATA, mc);
	return mc;
}

void mail_curl_free(struct mail_curl *mc)
{
	if (!mc)
		return;
	g_assert(mc->xfers == 0);
	curl_multi_cleanup(mc->multi);
	if (mc->timer)
		gw_timer_remove(mc->timer);
	g_hash_table_destroy(mc->watches);
	g_free(mc);
}

static curl_socket_t open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct mail_xfer *x = ud;
	if (x->public_only && email_sockaddr_internal(&a->addr, a->addrlen)) {
		x->refused = true;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

struct mail_xfer *mail_xfer_new(struct mail_curl *mc, mail_xfer_done_cb cb, void *ud)
{
	struct mail_xfer *x = g_new0(struct mail_xfer, 1);
	x->mc = mc;
	x->cb = cb;
	x->ud = ud;
	x->easy = curl_easy_init();
	mc->xfers++;
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->error);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(x->easy, CURLOPT_OPENSOCKETDATA, x);
	return x;
}

CURL *mail_xfer_easy(struct mail_xfer *x) { return x->easy; }
void mail_xfer_public_only(struct mail_xfer *x, bool on) { x->public_only = on; }
bool mail_xfer_refused(struct mail_xfer *x) { return x->refused; }
const char *mail_xfer_error(struct mail_xfer *x) { return x->error; }

void mail_xfer_start(struct mail_xfer *x)
{
	g_assert(!x->started);
	x->started = true;
	curl_multi_add_handle(x->mc->multi, x->easy);
}

int mail_xfer_take_socket(struct mail_xfer *x)
{
	curl_socket_t fd = CURL_SOCKET_BAD;
	if (curl_easy_getinfo(x->easy, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK ||
	    fd == CURL_SOCKET_BAD)
		return -1;
	struct gw_watch *w = g_hash_table_lookup(x->mc->watches, GINT_TO_POINTER(fd));
	if (w) {
		gw_watch_remove(w);
		curl_multi_assign(x->mc->multi, fd, NULL);
		g_hash_table_remove(x->mc->watches, GINT_TO_POINTER(fd));
	}
	return fd;
}

void mail_xfer_free(struct mail_xfer *x)
{
	if (!x)
		return;
	curl_socket_t fd = CURL_SOCKET_BAD;
	if (curl_easy_getinfo(x->easy, CURLINFO_ACTIVESOCKET, &fd) == CURLE_OK &&
	    fd != CURL_SOCKET_BAD)
		shutdown(fd, SHUT_RDWR);
	if (x->started)
		curl_multi_remove_handle(x->mc->multi, x->easy);
	curl_easy_cleanup(x->easy);
	x->mc->xfers--;
	g_free(x);
}
