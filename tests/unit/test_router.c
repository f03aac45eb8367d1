/* test_router.c - the router's IQ table and disco derived from it.
 *
 * The whole IQ design rests on one property: what disco#info advertises is
 * exactly what the table handles for that target. Each case below puts a
 * request (get or set, a namespace, a target) through router_dispatch()
 * on an instance whose link is down, so that the answer lands in the
 * store's outbox, where the test reads it back. Table-driven: backends
 * with different capabilities, and every kind of target.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "component.h"
#include "iq.h"
#include "router.h"
#include "send.h"
#include "stanza.h"
#include "store.h"
#include "store_queue.h"

#define DOMAIN "gw.test"
#define USER "user@example.org/res"

/* ---- fake backends ---- */

static enum gw_err t_start(struct gw *gw) { return GW_OK; }
static void t_stop(struct gw *gw) {}
static void t_check(struct gw *gw, struct gw_request *req, const char *jid, GHashTable *v,
		    GHashTable *old) {}
static enum gw_err t_login(struct gw_session *s) { return GW_OK; }
static void t_logout(struct gw_session *s) {}
static enum gw_err t_send(struct gw_session *s, const char *to, const struct gw_message *m,
			  struct gw_reason *why)
{
	return GW_OK;
}
/* "#..." is a room; "srv..." holds rooms, as does the gateway itself. */
static bool t_is_room(struct gw *gw, const char *legacy) { return legacy[0] == '#'; }
static bool t_lists(struct gw *gw, const char *legacy)
{
	return !legacy || !strncmp(legacy, "srv", 3);
}
static void t_join(struct gw_session *s, const char *room, const char *nick, const char *pw) {}
static void t_leave(struct gw_session *s, const char *room, const char *reason) {}
static enum gw_err t_rmsg(struct gw_session *s, const char *room, const struct gw_message *m,
			  struct gw_reason *why)
{
	return GW_OK;
}
static enum gw_err t_rsubj(struct gw_session *s, const char *room, const char *subj,
			   struct gw_reason *why)
{
	return GW_OK;
}
static enum gw_err t_rnick(struct gw_session *s, const char *room, const char *nick,
			   struct gw_reason *why)
{
	return GW_OK;
}
static void t_rrole(struct gw_session *s, const char *room, const char *nick,
		    enum gw_role role, const char *reason, struct gw_request *req)
{
	gw_request_done(req, GW_OK, NULL);
}
static enum gw_err t_raff(struct gw_session *s, const char *room, const char *nick,
			  const char *legacy, enum gw_affiliation aff, const char *reason,
			  struct gw_reason *why)
{
	return GW_OK;
}
static enum gw_err t_rpriv(struct gw_session *s, const char *room, const char *nick,
			   const struct gw_message *m, struct gw_reason *why)
{
	return GW_OK;
}
static void t_occ(struct gw_session *s, const char *room,
		  void (*cb)(const struct gw_occupant *o, void *ud), void *ud) {}
static void t_list(struct gw_session *s, const char *legacy, struct gw_request *req) {}

#define BASE_OPS .start = t_start, .stop = t_stop, .register_check = t_check, \
	.login = t_login, .logout = t_logout, .send_message = t_send

static const struct gw_backend plain_be = {
	.name = "plain", .type = "test", .description = "Plain", .ops = { BASE_OPS },
};

static const char *const extra_features[] = { "urn:xmpp:receipts", NULL };

static const struct gw_backend rooms_be = {
	.name = "rooms", .type = "test", .description = "Rooms",
	.caps = GW_CAP_MUC | GW_CAP_ROOM_LIST,
	.contact_category = "client", .contact_type = "pc", .contact_features = extra_features,
	.ops = { BASE_OPS, .is_room = t_is_room, .room_join = t_join, .room_leave = t_leave,
		 .room_message = t_rmsg, .room_subject = t_rsubj, .room_nick = t_rnick,
		 .room_role = t_rrole, .room_affiliation = t_raff, .room_private = t_rpriv,
		 .room_occupants = t_occ, .lists_rooms = t_lists, .room_list = t_list },
};

/* ---- an instance whose answers land in the outbox ---- */

static const struct link_ops no_link_ops;

static struct gw *instance(const struct gw_backend *be)
{
	struct gw *gw = g_new0(struct gw, 1);
	gw->be = be;
	gw->domain = DOMAIN;
	gw->sessions = g_hash_table_new(g_str_hash, g_str_equal);
	struct link_params p = { .domain = DOMAIN, .secret = "s", .server = "127.0.0.1",
				 .port = 1, .queue_high = 100, .queue_low = 10,
				 .ack_window_stanzas = 1000, .ack_window_bytes = 1 << 20,
				 .ack_every_stanzas = 100, .ack_every_ms = 50, .ack_timeout_ms = 30000 };
	gw->link = link_new(send_ctx(), &p, &no_link_ops, gw);
	return gw;
}

static void instance_free(struct gw *gw)
{
	link_free(gw->link);
	g_hash_table_destroy(gw->sessions);
	g_free(gw);
}

static bool take_one(int64_t id, const char *stanza, void *ud)
{
	char **out = ud;
	g_free(*out);
	*out = g_strdup(stanza);
	return true;
}

/* Dispatches an iq and returns the one answer (new reference), or NULL. */
static xmpp_stanza_t *ask(struct gw *gw, const char *type, const char *to, const char *ns,
			  const char *payload_extra)
{
	char *xml = g_strdup_printf("<iq type='%s' id='q1' from='%s' to='%s'>"
				    "<query xmlns='%s'/>%s</iq>", type, USER, to, ns,
				    payload_extra ? payload_extra : "");
	xmpp_stanza_t *iq = xmpp_stanza_new_from_string(send_ctx(), xml);
	assert_non_null(iq);
	router_dispatch(gw, iq);
	xmpp_stanza_release(iq);
	g_free(xml);
	char *text = NULL;
	assert_int_equal(store_outbox_fetch(DOMAIN, 0, 1000, take_one, &text), GW_OK);
	assert_int_equal(store_outbox_ack(DOMAIN, INT64_MAX), GW_OK);
	xmpp_stanza_t *ans = text ? xmpp_stanza_new_from_string(send_ctx(), text) : NULL;
	g_free(text);
	return ans;
}

/* The error condition of an answer, or NULL for a result. */
static const char *condition(xmpp_stanza_t *ans)
{
	xmpp_stanza_t *e = xmpp_stanza_get_child_by_name(ans, "error");
	if (!e)
		return NULL;
	xmpp_stanza_t *c = xmpp_stanza_get_child_by_ns(e, NS_STANZAS);
	return c ? xmpp_stanza_get_name(c) : "?";
}

/* What the table says is served for a request to `to`, computed from the
 * table directly (not through router_features). */
static bool table_serves(struct gw *gw, const struct iq_handler *h, const char *to)
{
	char *at = strchr(to, '@');
	char *legacy = at ? g_strndup(to, (size_t)(at - to)) : NULL;
	struct iq_req r = { .gw = gw, .from = USER, .bare = (char *)"user@example.org",
			    .legacy = legacy, .target = legacy ? IQ_TO_CONTACT : IQ_TO_GATEWAY };
	bool yes = (h->targets & r.target) && (!h->applies || h->applies(&r));
	g_free(legacy);
	return yes;
}

static bool has_feature(xmpp_stanza_t *query, const char *ns)
{
	for (xmpp_stanza_t *c = xmpp_stanza_get_children(query); c; c = xmpp_stanza_get_next(c))
		if (!strcmp(xmpp_stanza_get_name(c), "feature") &&
		    !g_strcmp0(xmpp_stanza_get_attribute(c, "var"), ns))
			return true;
	return false;
}

struct target_case {
	const struct gw_backend *be;
	const char *to;
	bool room;           /* disco answers with the room's own features too */
};

static const struct target_case targets[] = {
	{ &plain_be, DOMAIN, false },
	{ &plain_be, "alice@" DOMAIN, false },
	{ &rooms_be, DOMAIN, false },
	{ &rooms_be, "alice@" DOMAIN, false },
	{ &rooms_be, "srv.example@" DOMAIN, false },
	{ &rooms_be, "#chan@" DOMAIN, true },
};

/* disco#info lists a table namespace exactly when the table serves it, and
 * every namespace the table does not serve answers service-unavailable to
 * a get and a set alike. */
static void test_disco_is_the_table(void **state)
{
	for (size_t t = 0; t < G_N_ELEMENTS(targets); t++) {
		struct gw *gw = instance(targets[t].be);
		xmpp_stanza_t *ans = ask(gw, "get", targets[t].to, NS_DISCO_INFO, NULL);
		assert_non_null(ans);
		assert_null(condition(ans));
		xmpp_stanza_t *q = xmpp_stanza_get_child_by_ns(ans, NS_DISCO_INFO);
		assert_non_null(q);
		for (size_t i = 0; i < router_n_iq_handlers; i++) {
			const struct iq_handler *h = &router_iq_handlers[i];
			bool served = table_serves(gw, h, targets[t].to);
			if (h->advertise && has_feature(q, h->ns) != served)
				fail_msg("%s on %s: disco says %d, the table %d", h->ns,
					 targets[t].to, !served, served);
			if (served || !strcmp(h->ns, NS_DISCO_INFO))
				continue;
			for (int set = 0; set < 2; set++) {
				xmpp_stanza_t *a = ask(gw, set ? "set" : "get", targets[t].to,
						       h->ns, NULL);
				assert_non_null(a);
				if (g_strcmp0(condition(a), "service-unavailable"))
					fail_msg("%s %s on %s: %s, not service-unavailable",
						 set ? "set" : "get", h->ns, targets[t].to,
						 condition(a) ? condition(a) : "a result");
				xmpp_stanza_release(a);
			}
		}
		/* The backend's own contact features, on contacts only. */
		bool contact = strchr(targets[t].to, '@') && !targets[t].room;
		assert_int_equal(has_feature(q, "urn:xmpp:receipts"),
				 contact && targets[t].be->contact_features != NULL);
		xmpp_stanza_release(ans);
		instance_free(gw);
	}
}

static void collect(const char *ns, void *ud)
{
	g_ptr_array_add(ud, (char *)ns);
}

/* router_features() yields exactly the table's advertised, served rows. */
static void test_features_follow_applies(void **state)
{
	for (size_t t = 0; t < G_N_ELEMENTS(targets); t++) {
		struct gw *gw = instance(targets[t].be);
		const char *to = targets[t].to;
		char *at = strchr(to, '@');
		char *legacy = at ? g_strndup(to, (size_t)(at - to)) : NULL;
		struct iq_req r = { .gw = gw, .from = USER, .bare = (char *)"user@example.org",
				    .legacy = legacy,
				    .target = legacy ? IQ_TO_CONTACT : IQ_TO_GATEWAY };
		GPtrArray *got = g_ptr_array_new();
		router_features(&r, collect, got);
		size_t want = 0;
		for (size_t i = 0; i < router_n_iq_handlers; i++) {
			const struct iq_handler *h = &router_iq_handlers[i];
			if (!h->advertise || !table_serves(gw, h, to))
				continue;
			assert_true(want < got->len);
			assert_string_equal(got->pdata[want], h->ns);
			want++;
		}
		assert_int_equal(got->len, want);
		g_ptr_array_free(got, TRUE);
		g_free(legacy);
		instance_free(gw);
	}
}

/* Every row names a namespace and a target, and handles something. */
static void test_table_rows_are_whole(void **state)
{
	assert_true(router_n_iq_handlers > 0);
	for (size_t i = 0; i < router_n_iq_handlers; i++) {
		const struct iq_handler *h = &router_iq_handlers[i];
		assert_non_null(h->ns);
		assert_int_not_equal(h->targets, 0);
		/* RSM is advertised for paging and handled inside disco#items. */
		if (strcmp(h->ns, "http://jabber.org/protocol/rsm"))
			assert_true(h->get || h->set);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(router_iq_handlers[j].ns, h->ns))
				assert_int_equal(router_iq_handlers[j].targets & h->targets, 0);
	}
}

struct bad_iq {
	const char *xml;
	const char *condition;
};

static const struct bad_iq bad_iqs[] = {
	{ "<iq type='get' from='" USER "' to='" DOMAIN "'><ping xmlns='urn:xmpp:ping'/></iq>",
	  "bad-request" },  /* no id */
	{ "<iq type='fetch' id='q1' from='" USER "' to='" DOMAIN "'><ping xmlns='urn:xmpp:ping'/></iq>",
	  "bad-request" },
	{ "<iq type='get' id='q1' from='" USER "' to='" DOMAIN "'><a xmlns='urn:xmpp:ping'/>"
	  "<b xmlns='urn:xmpp:ping'/></iq>", "bad-request" },
	{ "<iq type='get' id='q1' from='" USER "' to='" DOMAIN "'/>", "bad-request" },
	{ "<iq type='get' id='q1' from='" USER "' to='" DOMAIN "'><x xmlns='urn:example:none'/></iq>",
	  "service-unavailable" },
	{ "<iq type='set' id='q1' from='" USER "' to='" DOMAIN "'><ping xmlns='urn:xmpp:ping'/></iq>",
	  "service-unavailable" },  /* ping has no set */
	{ "<iq type='get' id='q1' from='" USER "' to='" DOMAIN "'><ping xmlns='urn:xmpp:ping'/></iq>",
	  NULL },
};

static void test_bad_iqs(void **state)
{
	struct gw *gw = instance(&plain_be);
	for (size_t i = 0; i < G_N_ELEMENTS(bad_iqs); i++) {
		xmpp_stanza_t *iq = xmpp_stanza_new_from_string(send_ctx(), bad_iqs[i].xml);
		assert_non_null(iq);
		router_dispatch(gw, iq);
		xmpp_stanza_release(iq);
		char *text = NULL;
		assert_int_equal(store_outbox_fetch(DOMAIN, 0, 1000, take_one, &text), GW_OK);
		assert_int_equal(store_outbox_ack(DOMAIN, INT64_MAX), GW_OK);
		if (!text)
			fail_msg("case %zu: no answer", i);
		xmpp_stanza_t *ans = xmpp_stanza_new_from_string(send_ctx(), text);
		if (g_strcmp0(condition(ans), bad_iqs[i].condition))
			fail_msg("case %zu: %s, not %s", i, condition(ans) ? condition(ans) : "result",
				 bad_iqs[i].condition ? bad_iqs[i].condition : "result");
		xmpp_stanza_release(ans);
		g_free(text);
	}
	/* Results and errors to requests of ours get no answer, nor does what is
	 * addressed outside the domain (an answer could not come from it). */
	static const char *const silent[] = {
		"<iq type='result' id='x' from='" USER "' to='" DOMAIN "'/>",
		"<iq type='error' id='x' from='" USER "' to='" DOMAIN "'/>",
		"<iq type='get' id='q1' from='" USER "' to='other.test'><ping xmlns='urn:xmpp:ping'/></iq>",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(silent); i++) {
		xmpp_stanza_t *st = xmpp_stanza_new_from_string(send_ctx(), silent[i]);
		router_dispatch(gw, st);
		xmpp_stanza_release(st);
		assert_int_equal(store_outbox_count(DOMAIN), 0);
	}
	instance_free(gw);
}

static int setup(void **state)
{
	char *err = NULL;
	assert_int_equal(store_open(":memory:", &err), GW_OK);
	xmpp_initialize();
	send_init();
	return 0;
}

static int teardown(void **state)
{
	send_fini();
	xmpp_shutdown();
	store_close();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_rows_are_whole),
		cmocka_unit_test(test_features_follow_applies),
		cmocka_unit_test(test_disco_is_the_table),
		cmocka_unit_test(test_bad_iqs),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
