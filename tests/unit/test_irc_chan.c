/* test_irc_chan.c - the pure channel rules: NAMES entries, prefix modes as
 * MUC roles, MODE walking by CHANMODES type, and the member table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "irc/chan.h"

/* An isupport after one 005 with tokens (NULL: the defaults). */
static void isupport(struct irc_isupport *is, const char *tokens)
{
	irc_isupport_init(is);
	if (!tokens)
		return;
	char *line = g_strdup_printf(":srv 005 me %s :are supported", tokens);
	struct irc_msg m;
	assert_true(irc_parse(line, strlen(line), &m));
	irc_isupport_apply(is, &m);
	irc_msg_clear(&m);
	g_free(line);
}

#define NGIRCD "PREFIX=(qaohv)~&@%+ CHANMODES=beI,k,l,imMnOPQRstVz CHANTYPES=#&+"

static void test_names_entries(void **state)
{
	static const struct {
		const char *tokens, *entry, *nick, *modes;
	} cases[] = {
		{ NULL, "bob", "bob", "" },
		{ NULL, "@bob", "bob", "o" },
		{ NULL, "+@bob", "bob", "ov" },          /* multi-prefix, any order */
		{ NULL, "%bob", "%bob", "" },            /* not a prefix by default */
		{ NGIRCD, "%bob", "bob", "h" },
		{ NGIRCD, "~&@%+bob", "bob", "qaohv" },
		{ NGIRCD, "+~bob", "bob", "qv" },
		{ NGIRCD, "@bob!u@host", "bob", "o" },   /* userhost-in-names */
		{ NULL, "@", NULL, "o" },
		{ NULL, "", NULL, "" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct irc_isupport is;
		isupport(&is, cases[i].tokens);
		char *nick = NULL, modes[IRC_MODES_MAX + 1];
		bool ok = irc_names_entry(&is, cases[i].entry, &nick, modes);
		assert_int_equal(ok, cases[i].nick != NULL);
		if (ok)
			assert_string_equal(nick, cases[i].nick);
		assert_string_equal(modes, cases[i].modes);
		g_free(nick);
		irc_isupport_clear(&is);
	}
}

static void test_roles(void **state)
{
	static const struct {
		const char *tokens, *modes;
		enum gw_role role;
		enum gw_affiliation aff;
	} cases[] = {
		{ NULL, "", GW_ROLE_PARTICIPANT, GW_AFF_NONE },
		{ NULL, "v", GW_ROLE_PARTICIPANT, GW_AFF_MEMBER },
		{ NULL, "o", GW_ROLE_MODERATOR, GW_AFF_ADMIN },
		{ NULL, "ov", GW_ROLE_MODERATOR, GW_AFF_ADMIN },
		{ NGIRCD, "q", GW_ROLE_MODERATOR, GW_AFF_OWNER },
		{ NGIRCD, "qaohv", GW_ROLE_MODERATOR, GW_AFF_OWNER },
		{ NGIRCD, "a", GW_ROLE_MODERATOR, GW_AFF_ADMIN },
		{ NGIRCD, "hv", GW_ROLE_MODERATOR, GW_AFF_MEMBER },
		{ "PREFIX=(Yov)!@+", "Y", GW_ROLE_MODERATOR, GW_AFF_ADMIN }, /* above op */
		{ "PREFIX=(ovX)@+^", "X", GW_ROLE_PARTICIPANT, GW_AFF_NONE },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct irc_isupport is;
		isupport(&is, cases[i].tokens);
		enum gw_role role;
		enum gw_affiliation aff;
		irc_modes_role(&is, cases[i].modes, &role, &aff);
		assert_int_equal(role, cases[i].role);
		assert_int_equal(aff, cases[i].aff);
		irc_isupport_clear(&is);
	}
}

static void test_modes_set(void **state)
{
	struct irc_isupport is;
	isupport(&is, NGIRCD);
	char modes[IRC_MODES_MAX + 1] = "";
	assert_true(irc_modes_set(&is, modes, 'v', true));
	assert_string_equal(modes, "v");
	assert_true(irc_modes_set(&is, modes, 'q', true));
	assert_string_equal(modes, "qv");
	assert_true(irc_modes_set(&is, modes, 'o', true));
	assert_string_equal(modes, "qov");
	assert_false(irc_modes_set(&is, modes, 'o', true));
	assert_false(irc_modes_set(&is, modes, 'b', true)); /* no prefix mode */
	assert_true(irc_modes_set(&is, modes, 'q', false));
	assert_string_equal(modes, "ov");
	assert_false(irc_modes_set(&is, modes, 'h', false));
	assert_true(irc_modes_set(&is, modes, 'v', false));
	assert_true(irc_modes_set(&is, modes, 'o', false));
	assert_string_equal(modes, "");
	irc_isupport_clear(&is);
}

static void collect(char mode, bool add, const char *nick, void *ud)
{
	g_string_append_printf(ud, "%c%c%s ", add ? '+' : '-', mode, nick);
}

static void test_mode_walk(void **state)
{
	static const struct {
		const char *tokens, *modes, *args, *want;
	} cases[] = {
		{ NULL, "+o", "bob", "+obob " },
		{ NULL, "+ov-o", "bob carol dave", "+obob +vcarol -odave " },
		/* b (A), k (B) always take one; l (C) only when set */
		{ NULL, "+bkl+v", "m!*@* key 10 bob", "+vbob " },
		{ NULL, "-bkl+v", "m!*@* key bob", "+vbob " },
		{ NULL, "+imnt+o", "bob", "+obob " },
		{ NGIRCD, "+eIh-q", "a!*@* b!*@* bob carol", "+hbob -qcarol " },
		{ NGIRCD, "+zq", "bob", "+qbob " },
		{ "CHANMODES=,,,", "+bo", "bob", "+obob " },   /* b unknown: no argument */
		{ NULL, "+oo", "bob", "+obob " },                /* arguments ran out */
		{ NULL, "ov", "bob carol", "+obob +vcarol " },   /* no sign: adding */
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct irc_isupport is;
		isupport(&is, cases[i].tokens);
		char **args = g_strsplit(cases[i].args, " ", -1);
		GString *got = g_string_new(NULL);
		irc_mode_walk(&is, cases[i].modes, (const char *const *)args, g_strv_length(args),
			      collect, got);
		assert_string_equal(got->str, cases[i].want);
		g_string_free(got, TRUE);
		g_strfreev(args);
		irc_isupport_clear(&is);
	}
}

static void test_chanmodes_isupport(void **state)
{
	struct irc_isupport is;
	isupport(&is, NULL);
	assert_string_equal(is.chanmodes, "b,k,l,imnpst");
	assert_int_equal(irc_isupport_mode_type(&is, 'b'), 'A');
	assert_int_equal(irc_isupport_mode_type(&is, 'k'), 'B');
	assert_int_equal(irc_isupport_mode_type(&is, 'l'), 'C');
	assert_int_equal(irc_isupport_mode_type(&is, 'n'), 'D');
	assert_int_equal(irc_isupport_mode_type(&is, 'o'), 'P');
	assert_int_equal(irc_isupport_mode_type(&is, 'Z'), 'D');
	assert_true(irc_isupport_is_channel(&is, "#a"));
	assert_true(irc_isupport_is_channel(&is, "&a"));
	assert_false(irc_isupport_is_channel(&is, "+a"));
	assert_false(irc_isupport_is_channel(&is, ""));
	irc_isupport_clear(&is);

	isupport(&is, NGIRCD);
	assert_string_equal(is.chanmodes, "beI,k,l,imMnOPQRstVz");
	assert_int_equal(irc_isupport_mode_type(&is, 'I'), 'A');
	assert_int_equal(irc_isupport_mode_type(&is, 'h'), 'P');
	assert_true(irc_isupport_is_channel(&is, "+a"));
	irc_isupport_clear(&is);

	/* malformed values keep the previous one; -CHANMODES restores */
	isupport(&is, "CHANMODES=b,k");
	assert_string_equal(is.chanmodes, "b,k,l,imnpst");
	irc_isupport_clear(&is);
	isupport(&is, "CHANMODES=b,k,l,i+");
	assert_string_equal(is.chanmodes, "b,k,l,imnpst");
	irc_isupport_clear(&is);
}

static void test_members(void **state)
{
	struct irc_isupport is;
	isupport(&is, NULL); /* rfc1459: [ ] fold to { } */
	struct irc_chan *ch = irc_chan_new("#Chan", "#chan%irc.example.net", "", "me");
	assert_null(ch->key);
	GPtrArray *chans = g_ptr_array_new();
	g_ptr_array_add(chans, ch);
	assert_ptr_equal(irc_chan_find(chans, is.casemap, "#CHAN"), ch);
	assert_null(irc_chan_find(chans, is.casemap, "#other"));
	assert_null(irc_chan_find(chans, is.casemap, NULL));

	/* Detached (not on IRC yet): no members can be added. */
	assert_null(irc_view_add(&ch->view, is.casemap, "x", NULL));
	GHashTable *rosters = irc_rosters_new();
	irc_view_attach(&ch->view, rosters, "irc.example.net", is.casemap, ch->name);
	assert_non_null(irc_view_add(&ch->view, is.casemap, "B[ob]", "o"));
	struct irc_member *m = irc_view_get(&ch->view, is.casemap, "b{OB}");
	assert_non_null(m);
	assert_string_equal(m->nick, "B[ob]");
	assert_string_equal(m->modes, "o");
	assert_true(irc_view_remove(&ch->view, is.casemap, "b{ob}"));
	assert_false(irc_view_remove(&ch->view, is.casemap, "b{ob}"));
	assert_non_null(irc_view_add(&ch->view, is.casemap, "kept", NULL));

	irc_chan_names(ch, &is, "@alice +bob carol  @");
	irc_chan_names(ch, &is, "dave");
	assert_int_equal(g_hash_table_size(ch->names), 4);
	m = g_hash_table_lookup(ch->names, "bob");
	assert_string_equal(m->modes, "v");
	g_ptr_array_free(chans, TRUE);
	/* Freeing the channel detaches its view: the roster goes with it. */
	assert_int_equal(g_hash_table_size(rosters), 1);
	irc_chan_free(ch);
	assert_int_equal(g_hash_table_size(rosters), 0);
	g_hash_table_destroy(rosters);
	irc_isupport_clear(&is);
}

/* A MUC role asked for an occupant, as the MODE letters that give it. */
static void test_role_modes(void **state)
{
	static const struct {
		const char *held;
		enum gw_role role;
		const char *modes; /* "" : no MODE */
	} cases[] = {
		{ "", GW_ROLE_MODERATOR, "+o" },
		{ "v", GW_ROLE_MODERATOR, "+o" },
		{ "o", GW_ROLE_MODERATOR, "+o" },        /* already: harmless */
		{ "o", GW_ROLE_PARTICIPANT, "-o" },
		{ "ov", GW_ROLE_PARTICIPANT, "-o" },
		{ "h", GW_ROLE_PARTICIPANT, "-h" },      /* halfops moderate too */
		{ "ohv", GW_ROLE_PARTICIPANT, "-oh" },
		{ "", GW_ROLE_PARTICIPANT, "+v" },
		{ "v", GW_ROLE_PARTICIPANT, "+v" },
		{ "", GW_ROLE_VISITOR, "-v" },
		{ "v", GW_ROLE_VISITOR, "-v" },
		{ "o", GW_ROLE_VISITOR, "-ov" },
		{ "qaohv", GW_ROLE_VISITOR, "-ohv" },
		{ NULL, GW_ROLE_VISITOR, "-v" },
		{ "o", GW_ROLE_NONE, "" },               /* a KICK */
		{ "", (enum gw_role)42, "" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char out[IRC_ROLE_MODES_MAX];
		memset(out, 'x', sizeof out);
		size_t n = irc_role_modes(cases[i].held, cases[i].role, out);
		assert_string_equal(out, cases[i].modes);
		assert_int_equal(n, *out ? strlen(out) - 1 : 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_entries),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_modes_set),
		cmocka_unit_test(test_mode_walk),
		cmocka_unit_test(test_chanmodes_isupport),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_role_modes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
