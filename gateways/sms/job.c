/* job.c - outgoing texts as store rows, and their states (job.h). */
#include "sms/job.h"
#include "sms/urlform.h"
#include "random.h"

#include <stdlib.h>
#include <string.h>

static const char *const state_names[SMS_JOB__COUNT] = {
	[SMS_JOB_QUEUED] = "queued",     [SMS_JOB_SENDING] = "sending",
	[SMS_JOB_SENT] = "sent",         [SMS_JOB_ACCEPTED] = "accepted",
	[SMS_JOB_DELIVERED] = "delivered", [SMS_JOB_FAILED] = "failed",
};

const char *sms_job_state_name(enum sms_job_state s)
{
	return s < SMS_JOB__COUNT ? state_names[s] : "?";
}

struct sms_job *sms_job_new(void)
{
	return g_new0(struct sms_job, 1);
}

void sms_job_free(struct sms_job *j)
{
	if (!j)
		return;
	g_free(j->id);
	g_free(j->jid);
	g_free(j->sender);
	g_free(j->xmpp_id);
	g_free(j->account);
	g_free(j->from);
	g_free(j->to);
	g_free(j->body);
	g_free(j->media);
	g_free(j->provider_id);
	g_free(j);
}

char *sms_job_new_id(void)
{
	return random_hex(SMS_JOB_ID_BYTES);
}

static void put(GString *s, const char *key, const char *value)
{
	if (!value)
		return;
	if (s->len)
		g_string_append_c(s, '&');
	g_string_append(s, key);
	g_string_append_c(s, '=');
	g_string_append_uri_escaped(s, value, NULL, FALSE);
}

static void put_uint(GString *s, const char *key, unsigned v)
{
	char buf[16];
	g_snprintf(buf, sizeof buf, "%u", v);
	put(s, key, buf);
}

char *sms_job_encode(const struct sms_job *j)
{
	GString *s = g_string_new(NULL);
	put(s, "state", sms_job_state_name(j->state));
	put(s, "jid", j->jid);
	put(s, "sender", j->sender);
	put(s, "id", j->xmpp_id);
	put(s, "receipt", j->receipt ? "1" : "0");
	put(s, "account", j->account);
	put(s, "from", j->from);
	put(s, "to", j->to);
	put(s, "body", j->body);
	put(s, "media", j->media);
	put(s, "coding", j->ucs2 ? "2" : "0");
	put_uint(s, "parts", j->parts);
	put_uint(s, "done", j->parts_done);
	put(s, "pid", j->provider_id);
	return g_string_free(s, FALSE);
}

static char *dup_or_null(const GPtrArray *pairs, const char *key)
{
	const char *v = urlform_get(pairs, key);
	return v ? g_strdup(v) : NULL;
}

static bool get_uint(const GPtrArray *pairs, const char *key, unsigned *out)
{
	const char *v = urlform_get(pairs, key);
	char *end;
	if (!v || !*v)
		return false;
	unsigned long n = strtoul(v, &end, 10);
	if (*end || n > 1000)
		return false;
	*out = (unsigned)n;
	return true;
}

enum gw_err sms_job_decode(const char *id, const char *value, struct sms_job **out)
{
	GPtrArray *pairs = NULL;
	const char *why;
	if (strlen(value) > SMS_JOB_MAX_BYTES ||
	    urlform_parse(value, strlen(value), &pairs, &why) != GW_OK)
		return GW_ERR_BAD_REQUEST;
	struct sms_job *j = sms_job_new();
	enum gw_err err = GW_ERR_BAD_REQUEST;
	const char *state = urlform_get(pairs, "state");
	int st = -1;
	for (int i = 0; state && i < SMS_JOB__COUNT; i++)
		if (!strcmp(state, state_names[i]))
			st = i;
	j->id = g_strdup(id);
	j->jid = dup_or_null(pairs, "jid");
	j->sender = dup_or_null(pairs, "sender");
	j->xmpp_id = dup_or_null(pairs, "id");
	j->receipt = g_strcmp0(urlform_get(pairs, "receipt"), "1") == 0;
	j->account = dup_or_null(pairs, "account");
	j->from = dup_or_null(pairs, "from");
	j->to = dup_or_null(pairs, "to");
	j->body = dup_or_null(pairs, "body");
	j->media = dup_or_null(pairs, "media");
	j->ucs2 = g_strcmp0(urlform_get(pairs, "coding"), "2") == 0;
	j->provider_id = dup_or_null(pairs, "pid");
	if (st < 0 || !j->jid || !j->from || !j->to || !j->body ||
	    !get_uint(pairs, "parts", &j->parts) || !get_uint(pairs, "done", &j->parts_done))
		goto out;
	j->state = (enum sms_job_state)st;
	*out = j;
	j = NULL;
	err = GW_OK;
out:
	sms_job_free(j);
	g_ptr_array_unref(pairs);
	return err;
}

/* A delivered report: the whole text, or one more part of it. */
static enum sms_job_state delivered(struct sms_job *j, bool per_part)
{
	if (!per_part || j->parts_done + 1 >= j->parts) {
		j->parts_done = j->parts;
		return SMS_JOB_DELIVERED;
	}
	j->parts_done++;
	return j->state == SMS_JOB_SENDING ? SMS_JOB_SENT : j->state;
}

bool sms_job_step(struct sms_job *j, enum sms_job_event ev, bool per_part)
{
	enum sms_job_state s = j->state, n = s;
	if (sms_job_final(s))
		return false;
	switch (ev) {
	case SMS_EV_SEND:
		if (s == SMS_JOB_QUEUED)
			n = SMS_JOB_SENDING;
		break;
	case SMS_EV_NOT_SENT:
		if (s == SMS_JOB_SENDING)
			n = SMS_JOB_QUEUED;
		break;
	case SMS_EV_ACCEPTED:
		if (s == SMS_JOB_SENDING)
			n = SMS_JOB_SENT;
		break;
	case SMS_EV_REFUSED:
	case SMS_EV_RESTART:
		if (s == SMS_JOB_SENDING)
			n = SMS_JOB_FAILED;
		break;
	case SMS_EV_SMSC:
		if (s == SMS_JOB_SENDING || s == SMS_JOB_SENT)
			n = SMS_JOB_ACCEPTED;
		break;
	case SMS_EV_DELIVERED:
		if (s != SMS_JOB_QUEUED) {
			unsigned before = j->parts_done;
			n = delivered(j, per_part);
			if (n == s && before != j->parts_done)
				return true;
		}
		break;
	case SMS_EV_FAILED:
		if (s != SMS_JOB_QUEUED)
			n = SMS_JOB_FAILED;
		break;
	case SMS_EV_PROGRESS:
		if (s == SMS_JOB_SENDING)
			n = SMS_JOB_SENT;
		break;
	}
	j->state = n;
	return n != s;
}
