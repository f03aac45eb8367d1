/* signature.c - X-Twilio-Signature: HMAC-SHA1 over the URL and the sorted
 * POST parameters, and its constant-time verification. */
#include "sms/signature.h"
#include "random.h"

#include <assert.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sms/urlform.h"

static int pair_cmp(gconstpointer a, gconstpointer b)
{
	const struct urlform_pair *x = *(const struct urlform_pair *const *)a;
	const struct urlform_pair *y = *(const struct urlform_pair *const *)b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : strcmp(x->value, y->value);
}

/* The signed data: url, then key value for each distinct pair in order. */
static GString *signed_data(const char *url, const GPtrArray *params)
{
	GString *data = g_string_new(url);
	GPtrArray *sorted;

	if (!params || params->len == 0)
		return data;
	sorted = g_ptr_array_sized_new(params->len);
	for (guint i = 0; i < params->len; i++)
		g_ptr_array_add(sorted, g_ptr_array_index(params, i));
	g_ptr_array_sort(sorted, pair_cmp);
	for (guint i = 0; i < sorted->len; i++) {
		const struct urlform_pair *p = g_ptr_array_index(sorted, i);

		if (i > 0 && pair_cmp(&sorted->pdata[i - 1], &sorted->pdata[i]) == 0)
			continue; /* a repeated identical pair counts once */
		g_string_append(data, p->key);
		g_string_append(data, p->value);
	}
	g_ptr_array_free(sorted, TRUE);
	return data;
}

char *signature_twilio(const char *auth_token, const char *url, const GPtrArray *params)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	GString *data;
	char *sig;

	assert(auth_token && url && strlen(url) <= SIGNATURE_MAX_URL);
	data = signed_data(url, params);
	if (!HMAC(EVP_sha1(), auth_token, (int)strlen(auth_token), (const unsigned char *)data->str,
		  data->len, md, &md_len))
		g_error("HMAC-SHA1 failed"); /* only when OpenSSL itself is broken */
	sig = g_base64_encode(md, md_len);
	OPENSSL_cleanse(md, sizeof md);
	g_string_free(data, TRUE);
	return sig;
}

bool signature_twilio_verify(const char *auth_token, const char *url, const GPtrArray *params,
			     const char *given)
{
	char *want;
	bool ok;

	if (!given || !auth_token || !*auth_token || !url || strlen(url) > SIGNATURE_MAX_URL)
		return false;
	want = signature_twilio(auth_token, url, params);
	ok = secret_equal(want, given);
	g_free(want);
	return ok;
}
