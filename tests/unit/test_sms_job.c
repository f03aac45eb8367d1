/* test_sms_job.c - outgoing texts as rows and their states: round trips,
 * refused rows, and every transition, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "sms/job.h"

static struct sms_job *sample(void)
{
	struct sms_job *j = sms_job_new();
	j->id = sms_job_new_id();
	j->jid = g_strdup("a@example.org");
	j->sender = g_strdup("a@example.org/phone & co");
	j->xmpp_id = g_strdup("id=1&x");
	j->receipt = true;
	j->account = g_strdup("kannel");
	j->from = g_strdup("+15550001111");
	j->to = g_strdup("+15550002222");
	j->body = g_strdup("Привет 100% +more\nline two");
	j->media = g_strdup("https://example.org/a.jpg?x=1&y=2");
	j->ucs2 = true;
	j->parts = 3;
	j->parts_done = 1;
	j->state = SMS_JOB_ACCEPTED;
	return j;
}

static void test_round_trip(void **state)
{
	struct sms_job *j = sample(), *k = NULL;
	assert_int_equal(strlen(j->id), SMS_JOB_ID_BYTES * 2);
	char *v = sms_job_encode(j);
	assert_int_equal(sms_job_decode(j->id, v, &k), GW_OK);
	assert_string_equal(k->id, j->id);
	assert_string_equal(k->jid, j->jid);
	assert_string_equal(k->sender, j->sender);
	assert_string_equal(k->xmpp_id, j->xmpp_id);
	assert_string_equal(k->body, j->body);
	assert_string_equal(k->media, j->media);
	assert_string_equal(k->to, j->to);
	assert_true(k->receipt && k->ucs2);
	assert_int_equal(k->parts, 3);
	assert_int_equal(k->parts_done, 1);
	assert_int_equal(k->state, SMS_JOB_ACCEPTED);
	assert_null(k->provider_id);
	g_free(v);
	sms_job_free(k);
	/* optional fields missing */
	g_clear_pointer(&j->sender, g_free);
	g_clear_pointer(&j->xmpp_id, g_free);
	g_clear_pointer(&j->media, g_free);
	v = sms_job_encode(j);
	assert_int_equal(sms_job_decode(j->id, v, &k), GW_OK);
	assert_null(k->sender);
	assert_null(k->xmpp_id);
	assert_null(k->media);
	g_free(v);
	sms_job_free(k);
	sms_job_free(j);
}

static void test_refused_rows(void **state)
{
	static const char *const bad[] = {
		"", "state=nonsense&jid=a&from=b&to=c&body=d&parts=1&done=0",
		"state=queued&from=b&to=c&body=d&parts=1&done=0",
		"state=queued&jid=a&from=b&to=c&body=d&parts=x&done=0",
		"state=queued&jid=a&from=b&to=c&body=d&parts=1",
		"state=queued&jid=a&from=b&to=c&body=%zz&parts=1&done=0",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct sms_job *j = NULL;
		assert_int_equal(sms_job_decode("k", bad[i], &j), GW_ERR_BAD_REQUEST);
		assert_null(j);
	}
}

struct step_case {
	enum sms_job_state from;
	enum sms_job_event ev;
	bool per_part;
	unsigned parts, done;
	enum sms_job_state to;
	bool changed;
	unsigned done_after;
};

#define Q SMS_JOB_QUEUED
#define SG SMS_JOB_SENDING
#define ST SMS_JOB_SENT
#define AC SMS_JOB_ACCEPTED
#define DL SMS_JOB_DELIVERED
#define FL SMS_JOB_FAILED

static const struct step_case steps[] = {
	{ Q, SMS_EV_SEND, false, 1, 0, SG, true, 0 },
	{ SG, SMS_EV_SEND, false, 1, 0, SG, false, 0 },
	{ SG, SMS_EV_NOT_SENT, false, 1, 0, Q, true, 0 },
	{ ST, SMS_EV_NOT_SENT, false, 1, 0, ST, false, 0 },
	{ SG, SMS_EV_ACCEPTED, false, 1, 0, ST, true, 0 },
	{ AC, SMS_EV_ACCEPTED, false, 1, 0, AC, false, 0 },  /* a report came first */
	{ SG, SMS_EV_REFUSED, false, 1, 0, FL, true, 0 },
	{ SG, SMS_EV_RESTART, false, 1, 0, FL, true, 0 },     /* maybe sent: never again */
	{ Q, SMS_EV_RESTART, false, 1, 0, Q, false, 0 },      /* never sent: send it */
	{ ST, SMS_EV_SMSC, false, 1, 0, AC, true, 0 },
	{ SG, SMS_EV_SMSC, false, 1, 0, AC, true, 0 },
	{ AC, SMS_EV_SMSC, false, 1, 0, AC, false, 0 },
	{ ST, SMS_EV_DELIVERED, false, 3, 0, DL, true, 3 },   /* one report per text */
	{ AC, SMS_EV_DELIVERED, false, 1, 0, DL, true, 1 },
	{ SG, SMS_EV_DELIVERED, false, 1, 0, DL, true, 1 },
	{ Q, SMS_EV_DELIVERED, false, 1, 0, Q, false, 0 },
	{ ST, SMS_EV_DELIVERED, true, 3, 0, ST, true, 1 },    /* per part: 1 of 3 */
	{ AC, SMS_EV_DELIVERED, true, 3, 1, AC, true, 2 },
	{ AC, SMS_EV_DELIVERED, true, 3, 2, DL, true, 3 },
	{ SG, SMS_EV_DELIVERED, true, 2, 0, ST, true, 1 },
	{ DL, SMS_EV_SMSC, false, 1, 1, DL, false, 1 },       /* never back from delivered */
	{ DL, SMS_EV_FAILED, false, 1, 1, DL, false, 1 },
	{ DL, SMS_EV_DELIVERED, false, 1, 1, DL, false, 1 },
	{ AC, SMS_EV_FAILED, false, 1, 0, FL, true, 0 },
	{ ST, SMS_EV_FAILED, false, 1, 0, FL, true, 0 },
	{ FL, SMS_EV_DELIVERED, false, 1, 0, FL, false, 0 },
	{ SG, SMS_EV_PROGRESS, false, 1, 0, ST, true, 0 },
	{ AC, SMS_EV_PROGRESS, false, 1, 0, AC, false, 0 },
};

static void test_steps(void **state)
{
	for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
		const struct step_case *c = &steps[i];
		struct sms_job j = { .state = c->from, .parts = c->parts, .parts_done = c->done };
		bool changed = sms_job_step(&j, c->ev, c->per_part);
		if (changed != c->changed || j.state != c->to || j.parts_done != c->done_after)
			fail_msg("case %zu: %s + event %d -> %s (changed %d, done %u)", i,
				 sms_job_state_name(c->from), (int)c->ev, sms_job_state_name(j.state),
				 changed, j.parts_done);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refused_rows),
		cmocka_unit_test(test_steps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
