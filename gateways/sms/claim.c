/* claim.c - claiming a number with a texted code (claim.h). */
#include "sms/claim.h"
#include "sms/e164.h"
#include "sms/signature.h"
#include "sms/sms.h"
#include "sms/urlform.h"
#include "random.h"

#include <stdlib.h>
#include <string.h>

/* ---- the stored claim (pure) ---------------------------------------------- */

char *sms_claim_hash(const char *salt, const char *code)
{
	char *in = g_strconcat(salt, ":", code, NULL);
	char *h = g_compute_checksum_for_string(G_CHECKSUM_SHA256, in, -1);
	g_free(in);
	return h;
}

char *sms_claim_encode(const struct sms_claim *c)
{
	GString *s = g_string_new("jid=");
	g_string_append_uri_escaped(s, c->jid, NULL, FALSE);
	g_string_append_printf(s, "&salt=%s&hash=%s&expires=%" G_GINT64_FORMAT
			       "&tries=%u&sends=%u&window=%" G_GINT64_FORMAT,
			       c->salt, c->hash, c->expires, c->tries, c->sends, c->window);
	return g_string_free(s, FALSE);
}

static bool num(const GPtrArray *p, const char *key, int64_t *out)
{
	const char *v = urlform_get(p, key);
	char *end;
	if (!v || !*v)
		return false;
	*out = g_ascii_strtoll(v, &end, 10);
	return !*end && *out >= 0;
}

bool sms_claim_decode(const char *value, struct sms_claim *out)
{
	GPtrArray *p = NULL;
	const char *why;
	int64_t tries, sends;
	memset(out, 0, sizeof *out);
	if (urlform_parse(value, strlen(value), &p, &why) != GW_OK)
		return false;
	bool ok = urlform_get(p, "jid") && urlform_get(p, "salt") && urlform_get(p, "hash") &&
		  num(p, "expires", &out->expires) && num(p, "tries", &tries) &&
		  num(p, "sends", &sends) && num(p, "window", &out->window);
	if (ok) {
		out->jid = g_strdup(urlform_get(p, "jid"));
		out->salt = g_strdup(urlform_get(p, "salt"));
		out->hash = g_strdup(urlform_get(p, "hash"));
		out->tries = (unsigned)MIN(tries, 1000);
		out->sends = (unsigned)MIN(sends, 1000);
	}
	g_ptr_array_unref(p);
	return ok;
}

void sms_claim_clear(struct sms_claim *c)
{
	g_free(c->jid);
	g_free(c->salt);
	g_free(c->hash);
	memset(c, 0, sizeof *c);
}

bool sms_claim_pending(const struct sms_claim *c, const char *jid, int64_t now)
{
	return c->jid && !strcmp(c->jid, jid) && now < c->expires;
}

bool sms_claim_start(struct sms_claim *out, const char *jid, const struct sms_claim *prev,
		     int64_t now)
{
	bool same_window = prev->jid && now - prev->window < CLAIM_WINDOW_S;
	if (same_window && prev->sends >= CLAIM_SENDS_MAX)
		return false;
	*out = (struct sms_claim){
		.jid = g_strdup(jid), .expires = now + CLAIM_TTL_S,
		.sends = same_window ? prev->sends + 1 : 1, .window = same_window ? prev->window : now,
	};
	return true;
}

bool sms_claim_wrong(struct sms_claim *c)
{
	c->tries++;
	if (c->tries < CLAIM_TRIES)
		return false;
	c->expires = 0; /* over: the next submission texts a new code */
	return true;
}

/* ---- the check ------------------------------------------------------------- */

struct code_send {
	struct gw_request *req;
	char *number;
};

static void code_sent(struct sms *sms, const struct sms_send_result *r, void *ud)
{
	struct code_send *cs = ud;
	if (r->outcome == SMS_SEND_OK) {
		char *text = g_strdup_printf("A code was texted to %s; register again with it in "
					     "the Code field", cs->number);
		gw_request_done(cs->req, GW_ERR_NOT_ACCEPTABLE, text);
		g_free(text);
	} else if (r->outcome == SMS_SEND_CANCELLED) {
		gw_request_done(cs->req, GW_ERR_SERVICE_UNAVAILABLE, "the gateway is stopping");
	} else {
		char *text = g_strdup_printf("the code could not be texted to %s: %s", cs->number,
					     r->text ? r->text : "the SMS provider failed");
		gw_request_done(cs->req, r->err ? r->err : GW_ERR_SERVICE_UNAVAILABLE, text);
		g_free(text);
	}
	g_free(cs->number);
	g_free(cs);
}

/* ---- codes per hour: all users, and each ----------------------------------- */

#define CODE_USERS_MAX 10000 /* buckets kept before the full ones are dropped */

static void bucket_per_hour(struct bucket *b, int64_t per_hour)
{
	bucket_init(b, (double)per_hour / 3600.0, (double)per_hour, g_get_monotonic_time());
}

void sms_claim_limits_start(struct sms *sms)
{
	bucket_per_hour(&sms->codes_all, sms->codes_per_hour);
	sms->codes_by_user = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

void sms_claim_limits_stop(struct sms *sms)
{
	if (sms->codes_by_user)
		g_hash_table_destroy(sms->codes_by_user);
	sms->codes_by_user = NULL;
}

/* A bucket that has filled up again holds nothing to remember. */
static gboolean is_full(gpointer key, gpointer value, gpointer ud)
{
	const struct bucket *b = value;
	int64_t now = *(int64_t *)ud;
	double since = now > b->last_us ? (double)(now - b->last_us) : 0;
	return b->tokens + since * b->rate / 1e6 >= b->burst;
}

/* One code more for jid, if its bucket and everyone's allow; else *why. */
static bool code_allowed(struct sms *sms, const char *jid, const char **why)
{
	int64_t now = g_get_monotonic_time();
	struct bucket *b = g_hash_table_lookup(sms->codes_by_user, jid);
	if (!b) {
		if (g_hash_table_size(sms->codes_by_user) >= CODE_USERS_MAX)
			g_hash_table_foreach_remove(sms->codes_by_user, is_full, &now);
		b = g_new(struct bucket, 1);
		bucket_per_hour(b, sms->codes_per_user_per_hour);
		g_hash_table_insert(sms->codes_by_user, g_strdup(jid), b);
	}
	if (bucket_take(b, now)) {
		*why = "too many codes were texted for your account; try again in an hour";
		return false;
	}
	if (bucket_take(&sms->codes_all, now)) {
		log_msg(LOG_WARN, "sms", "%s: codes_per_hour (%" G_GINT64_FORMAT ") reached: a "
			"code for %s refused", gw_domain(sms->gw), sms->codes_per_hour, jid);
		*why = "the gateway is texting too many codes right now; try again later";
		return false;
	}
	return true;
}

/* A new code for jid, stored, then texted; answers req when it is out. */
static void send_code(struct sms *sms, struct gw_request *req, const char *jid,
		      const char *number, struct sms_claim *prev, int64_t now)
{
	struct sms_claim c;
	const char *why = NULL;
	if (!sms_claim_start(&c, jid, prev, now)) {
		gw_request_done(req, GW_ERR_RESOURCE_CONSTRAINT,
				"too many codes were texted to this number; try again in an hour");
		return;
	}
	if (!code_allowed(sms, jid, &why)) {
		sms_claim_clear(&c);
		gw_request_done(req, GW_ERR_RESOURCE_CONSTRAINT, why);
		return;
	}
	char code[CLAIM_CODE_DIGITS + 1];
	g_snprintf(code, sizeof code, "%06u", random_below(1000000));
	c.salt = random_hex(16);
	c.hash = sms_claim_hash(c.salt, code);
	char *v = sms_claim_encode(&c);
	enum gw_err err = gw_row_put(sms->gw, SMS_ROW_CODE, number, v);
	g_free(v);
	sms_claim_clear(&c);
	if (err != GW_OK) {
		gw_request_done(req, err, "the code could not be stored");
		return;
	}
	log_msg(LOG_INFO, "sms", "%s: texting a registration code to %s for %s",
		gw_domain(sms->gw), number, jid);
	struct code_send *cs = g_new0(struct code_send, 1);
	cs->req = req;
	cs->number = g_strdup(number);
	char *text = g_strdup_printf("Your code for %s is %s. It expires in %d minutes.",
				     gw_domain(sms->gw), code, CLAIM_TTL_S / 60);
	sms_outbox_system(sms, number, text, code_sent, cs);
	g_free(text);
}

/* A code was entered: accepted, or refused (and the claim maybe over). */
static enum gw_err check_code(struct sms *sms, const char *number, struct sms_claim *c,
			      const char *code, const char **why)
{
	char *h = sms_claim_hash(c->salt, code);
	bool ok = secret_equal(h, c->hash);
	g_free(h);
	if (ok) {
		gw_row_delete(sms->gw, SMS_ROW_CODE, number);
		return GW_OK;
	}
	if (sms_claim_wrong(c))
		*why = "wrong code, too many times: register again without a code for a new one";
	else
		*why = "wrong code: enter the code texted to the number";
	char *v = sms_claim_encode(c);
	gw_row_put(sms->gw, SMS_ROW_CODE, number, v);
	g_free(v);
	return GW_ERR_NOT_ACCEPTABLE;
}

void sms_claim_check(struct sms *sms, struct gw_request *req, const char *jid,
		     GHashTable *values, GHashTable *old)
{
	const char *typed = g_hash_table_lookup(values, "number");
	char *code = g_strdup(g_hash_table_lookup(values, "code"));
	char *number = NULL, *owner = NULL, *row = NULL;
	const char *why = NULL;
	struct sms_claim c = { 0 };
	int64_t now = (int64_t)time(NULL);
	enum gw_err err = e164_normalize(typed ? typed : "", sms->default_cc, &number, &why);
	if (err != GW_OK) {
		gw_request_done(req, GW_ERR_NOT_ACCEPTABLE, why);
		goto out;
	}
	g_hash_table_replace(values, g_strdup("number"), g_strdup(number));
	g_hash_table_replace(values, g_strdup("code"), g_strdup("")); /* never stored */
	if (gw_reg_find(sms->gw, "number", number, &owner) == GW_OK && strcmp(owner, jid)) {
		gw_request_done(req, GW_ERR_CONFLICT, "this number belongs to another user");
		goto out;
	}
	if (old && !g_strcmp0(g_hash_table_lookup(old, "number"), number)) {
		gw_request_done(req, GW_OK, NULL);
		goto out;
	}
	if (gw_row_get(sms->gw, SMS_ROW_CODE, number, &row) == GW_OK && !sms_claim_decode(row, &c))
		sms_claim_clear(&c);
	if (sms_claim_pending(&c, jid, now) && code && *code) {
		err = check_code(sms, number, &c, code, &why);
		gw_request_done(req, err, why);
		goto out;
	}
	send_code(sms, req, jid, number, &c, now);
out:
	sms_claim_clear(&c);
	g_free(row);
	g_free(number);
	g_free(owner);
	g_free(code);
}

/* ---- numbers assigned by an admin -------------------------------------------- */

const struct gw_field sms_assign_fields[] = {
	{ .var = "jid", .label = "The user's JID", .type = GW_FIELD_TEXT, .required = true,
	  .max_bytes = 3071 },
	{ .var = "number", .label = "Phone number (+E.164)", .type = GW_FIELD_TEXT,
	  .required = true, .max_bytes = 64 },
};
const size_t sms_assign_n_fields = G_N_ELEMENTS(sms_assign_fields);

enum gw_err sms_claim_assign(struct gw *gw, const char *admin, GHashTable *values, char **report,
			     struct gw_reason *why)
{
	struct sms *sms = gw_priv(gw);
	const char *jid = g_hash_table_lookup(values, "jid");
	char *number = NULL, *owner = NULL, *bad = NULL;
	if (sms->drv->per_user) {
		gw_reason_set(why, "users of this provider register their own account and number");
		return GW_ERR_NOT_ALLOWED;
	}
	const char *bad_number = NULL;
	enum gw_err err = e164_normalize(g_hash_table_lookup(values, "number"), sms->default_cc,
					 &number, &bad_number);
	if (err != GW_OK) {
		gw_reason_set(why, "%s", bad_number);
		return GW_ERR_NOT_ACCEPTABLE;
	}
	char *bare = gw_bare_jid(jid);
	if (gw_reg_find(gw, "number", number, &owner) == GW_OK && g_strcmp0(owner, bare)) {
		gw_reason_set(why, "this number belongs to another user");
		err = GW_ERR_CONFLICT;
		goto out;
	}
	GHashTable *reg = g_hash_table_new(g_str_hash, g_str_equal);
	g_hash_table_insert(reg, "number", number);
	g_hash_table_insert(reg, "code", "");
	err = gw_reg_put(gw, jid, reg, &bad);
	g_hash_table_unref(reg);
	if (err == GW_OK) {
		gw_row_delete(gw, SMS_ROW_CODE, number); /* a pending claim by code ends */
		*report = g_strdup_printf("%s now has %s.", bare ? bare : jid, number);
		log_msg(LOG_INFO, "sms", "%s assigned %s to %s", admin, number, bare);
	} else if (err == GW_ERR_JID_MALFORMED) {
		gw_reason_set(why, "not a JID");
	} else if (err == GW_ERR_NOT_ALLOWED) {
		gw_reason_set(why, "the gateway's policy does not let that JID register");
	} else {
		gw_reason_set(why, "the registration could not be stored");
	}
out:
	g_free(bad);
	g_free(bare);
	g_free(number);
	g_free(owner);
	return err;
}
