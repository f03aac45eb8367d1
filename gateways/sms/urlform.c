/* urlform.c - application/x-www-form-urlencoded parsing. */
#include "sms/urlform.h"

#include <string.h>

static void pair_free(gpointer p)
{
	struct urlform_pair *pair = p;

	g_free(pair->key);
	g_free(pair->value);
	g_free(pair);
}

/* Decodes s[0..len) ('+' and %XX) into a new string, or NULL with *why. */
static char *decode(const char *s, size_t len, const char **why)
{
	char *out = g_malloc(len + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] == '\0') {
			*why = "NUL byte in form data";
			goto fail;
		}
		if (s[i] != '%') {
			out[n++] = s[i] == '+' ? ' ' : s[i];
			continue;
		}
		hi = i + 2 < len ? g_ascii_xdigit_value(s[i + 1]) : -1;
		lo = i + 2 < len ? g_ascii_xdigit_value(s[i + 2]) : -1;
		if (hi < 0 || lo < 0) {
			*why = "bad percent escape in form data";
			goto fail;
		}
		if (hi == 0 && lo == 0) {
			*why = "NUL byte in form data";
			goto fail;
		}
		out[n++] = (char)(hi << 4 | lo);
		i += 2;
	}
	out[n] = '\0';
	return out;
fail:
	g_free(out);
	return NULL;
}

enum gw_err urlform_parse(const char *body, size_t len, GPtrArray **pairs, const char **why)
{
	GPtrArray *a;
	size_t start = 0;

	*pairs = NULL;
	if (len > URLFORM_MAX_BYTES) {
		*why = "form data too large";
		return GW_ERR_BAD_REQUEST;
	}
	a = g_ptr_array_new_with_free_func(pair_free);
	while (start < len) {
		const char *piece = body + start;
		const char *amp = memchr(piece, '&', len - start);
		size_t plen = amp ? (size_t)(amp - piece) : len - start;
		const char *eq = memchr(piece, '=', plen);
		size_t klen = eq ? (size_t)(eq - piece) : plen;
		struct urlform_pair *pair;
		char *key, *value;

		start += plen + 1;
		if (plen == 0)
			continue;
		if (a->len >= URLFORM_MAX_PAIRS) {
			*why = "too many fields in form data";
			goto fail;
		}
		key = decode(piece, klen, why);
		if (!key)
			goto fail;
		value = eq ? decode(eq + 1, plen - klen - 1, why) : g_strdup("");
		if (!value) {
			g_free(key);
			goto fail;
		}
		pair = g_new(struct urlform_pair, 1);
		pair->key = key;
		pair->value = value;
		g_ptr_array_add(a, pair);
	}
	*pairs = a;
	return GW_OK;
fail:
	g_ptr_array_unref(a);
	return GW_ERR_BAD_REQUEST;
}

const char *urlform_get(const GPtrArray *pairs, const char *key)
{
	for (guint i = 0; i < pairs->len; i++) {
		const struct urlform_pair *p = g_ptr_array_index(pairs, i);

		if (strcmp(p->key, key) == 0)
			return p->value;
	}
	return NULL;
}

size_t urlform_count(const GPtrArray *pairs, const char *key)
{
	size_t n = 0;

	for (guint i = 0; i < pairs->len; i++) {
		const struct urlform_pair *p = g_ptr_array_index(pairs, i);

		if (strcmp(p->key, key) == 0)
			n++;
	}
	return n;
}
