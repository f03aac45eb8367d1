/* gw_loop.c - one epoll fd inside one GSource, so that thousands of backend
 * sockets cost GLib's poll a single fd (the timers are gw_timer.c's).
 *
 * Level-triggered; epoll_ctl is called only when a watch's interest changes.
 * Removal from inside a callback is safe: the watch is marked dead and freed
 * after the dispatch round.
 *
 * A watch set keeps the read interests of its watches in an epoll fd of its
 * own, nested in the main one (write interests stay in the main one), so
 * that pausing the reading of thousands of sockets is one epoll_ctl.
 */
#include "gw_loop.h"
#include "commit.h"
#include "gw_timer.h"
#include "gateway.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define LOOP_EVENTS_MAX 256

struct gw_watch {
	int fd;
	unsigned events;
	gw_io_cb cb;
	void *ud;
	bool dead;
	struct gw_watch_set *set; /* or NULL */
	bool in_set;              /* set: registered for reading in set->epfd */
	bool in_main;             /* set: registered for writing in the main epfd */
};

struct gw_watch_set {
	int epfd;            /* the read interests of the set's watches */
	struct gw_watch *w;  /* epfd in the main epoll; no interest while paused */
	bool paused;
	bool freed;          /* its owner let go: it goes with its last watch */
	unsigned n;          /* watches in the set */
};

static void set_destroy(struct gw_watch_set *s);

struct epoll_source {
	GSource source;
	int epfd;
	gpointer tag;
};

static struct epoll_source *esrc;
static GPtrArray *graveyard; /* watches removed during dispatch */
static unsigned n_watches;
static unsigned n_writers; /* watches with write interest */

static uint32_t to_epoll(unsigned events)
{
	uint32_t e = 0;
	if (events & GW_IO_READ)
		e |= EPOLLIN | EPOLLRDHUP;
	if (events & GW_IO_WRITE)
		e |= EPOLLOUT;
	return e;
}

/* Calls the callbacks of what epfd says is ready. */
static void dispatch_ready(int epfd)
{
	struct epoll_event evs[LOOP_EVENTS_MAX];
	int n = epoll_wait(epfd, evs, LOOP_EVENTS_MAX, 0);
	if (n < 0 && errno != EINTR)
		log_msg(LOG_ERROR, "loop", "epoll_wait: %s", strerror(errno));
	for (int i = 0; i < n; i++) {
		struct gw_watch *w = evs[i].data.ptr;
		if (w->dead)
			continue;
		unsigned ev = 0;
		if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
			ev |= GW_IO_READ;
		if (evs[i].events & EPOLLOUT)
			ev |= GW_IO_WRITE;
		w->cb(w->fd, ev, w->ud);
	}
}

static gboolean esrc_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
	struct epoll_source *s = (struct epoll_source *)source;
	dispatch_ready(s->epfd);
	/* Sets dispatch inside: their dead watches go here too. */
	g_ptr_array_set_size(graveyard, 0);
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs esrc_funcs = {
	.dispatch = esrc_dispatch,
};

static time_t started;

time_t loop_started(void) { return started; }

void loop_init(void)
{
	if (esrc)
		return;
	started = time(NULL);
	int epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		g_error("epoll_create1: %s", strerror(errno));
	esrc = (struct epoll_source *)g_source_new(&esrc_funcs, sizeof *esrc);
	esrc->epfd = epfd;
	esrc->tag = g_source_add_unix_fd(&esrc->source, epfd, G_IO_IN);
	g_source_set_name(&esrc->source, "gw-epoll");
	g_source_attach(&esrc->source, NULL);
	graveyard = g_ptr_array_new_with_free_func(g_free);
	commit_init();
}

void loop_fini(void)
{
	if (!esrc)
		return;
	commit_fini();
	timer_fini();
	close(esrc->epfd);
	g_source_destroy(&esrc->source);
	g_source_unref(&esrc->source);
	esrc = NULL;
	g_ptr_array_free(graveyard, TRUE);
	graveyard = NULL;
}

unsigned loop_watch_count(void) { return n_watches; }
unsigned loop_writer_count(void) { return n_writers; }

/* Keeps n_writers as w's interest goes from `from` to `to`. */
static void count_writer(unsigned from, unsigned to)
{
	n_writers += !!(to & GW_IO_WRITE) - !!(from & GW_IO_WRITE);
}

struct gw_watch *gw_watch_fd(int fd, unsigned events, gw_io_cb cb, void *ud)
{
	loop_init();
	struct gw_watch *w = g_new0(struct gw_watch, 1);
	w->fd = fd;
	w->events = events;
	w->cb = cb;
	w->ud = ud;
	struct epoll_event ev = { .events = to_epoll(events), .data.ptr = w };
	if (epoll_ctl(esrc->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		log_msg(LOG_ERROR, "loop", "epoll_ctl add fd %d: %s", fd, strerror(errno));
		g_free(w);
		return NULL;
	}
	n_watches++;
	count_writer(0, events);
	return w;
}

/* Registers (on) or drops w's fd in epfd for events; *in tracks it. */
static bool set_reg(int epfd, struct gw_watch *w, uint32_t events, bool on, bool *in)
{
	if (on == *in)
		return true;
	struct epoll_event ev = { .events = events, .data.ptr = w };
	if (epoll_ctl(epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, w->fd, on ? &ev : NULL) < 0) {
		log_msg(LOG_ERROR, "loop", "epoll_ctl fd %d: %s", w->fd, strerror(errno));
		return false;
	}
	*in = on;
	return true;
}

/* A watch of a set: reading in the set's epoll, writing in the main one. */
static bool set_interest(struct gw_watch *w, unsigned events)
{
	return set_reg(w->set->epfd, w, EPOLLIN | EPOLLRDHUP, events & GW_IO_READ, &w->in_set) &&
	       set_reg(esrc->epfd, w, EPOLLOUT, events & GW_IO_WRITE, &w->in_main);
}

void gw_watch_modify(struct gw_watch *w, unsigned events)
{
	if (!w || w->dead || w->events == events)
		return;
	count_writer(w->events, events);
	w->events = events;
	if (w->set) {
		set_interest(w, events);
		return;
	}
	struct epoll_event ev = { .events = to_epoll(events), .data.ptr = w };
	if (epoll_ctl(esrc->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
		log_msg(LOG_ERROR, "loop", "epoll_ctl mod fd %d: %s", w->fd, strerror(errno));
}

void gw_watch_remove(struct gw_watch *w)
{
	if (!w || w->dead)
		return;
	if (w->set) {
		set_interest(w, 0);
		if (--w->set->n == 0 && w->set->freed)
			set_destroy(w->set);
		w->set = NULL;
	} else {
		epoll_ctl(esrc->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	}
	w->dead = true;
	n_watches--;
	count_writer(w->events, 0);
	/* The event array of the current dispatch may still point at w. */
	g_ptr_array_add(graveyard, w);
}

/* ---- watch sets ---------------------------------------------------------- */

static void set_ready(int fd, unsigned events, void *ud)
{
	dispatch_ready(fd);
}

struct gw_watch_set *gw_watch_set_new(void)
{
	loop_init();
	struct gw_watch_set *s = g_new0(struct gw_watch_set, 1);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0)
		g_error("epoll_create1: %s", strerror(errno));
	s->w = gw_watch_fd(s->epfd, GW_IO_READ, set_ready, s);
	if (!s->w)
		g_error("cannot watch a watch set");
	n_watches--; /* the loop's own, not a backend's */
	return s;
}

static void set_destroy(struct gw_watch_set *s)
{
	n_watches++;
	gw_watch_remove(s->w);
	close(s->epfd);
	g_free(s);
}

void gw_watch_set_free(struct gw_watch_set *s)
{
	if (!s)
		return;
	/* Connections closing gracefully may outlive their owner. */
	s->freed = true;
	if (s->n == 0)
		set_destroy(s);
}

struct gw_watch *gw_watch_fd_in(struct gw_watch_set *s, int fd, unsigned events, gw_io_cb cb,
				void *ud)
{
	if (!s)
		return gw_watch_fd(fd, events, cb, ud);
	struct gw_watch *w = g_new0(struct gw_watch, 1);
	w->fd = fd;
	w->cb = cb;
	w->ud = ud;
	w->set = s;
	w->events = events;
	if (!set_interest(w, events)) {
		set_interest(w, 0);
		g_free(w);
		return NULL;
	}
	s->n++;
	n_watches++;
	count_writer(0, events);
	return w;
}

void gw_watch_set_pause(struct gw_watch_set *s, bool paused)
{
	if (!s || s->paused == paused)
		return;
	s->paused = paused;
	gw_watch_modify(s->w, paused ? 0 : GW_IO_READ);
}
