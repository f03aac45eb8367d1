/* e164.c - typed numbers to E.164, senders to legacy addresses, and the
 * check of legacy addresses from JIDs. */
#include "sms/e164.h"

#include <assert.h>
#include <glib.h>
#include <string.h>

#include "sms/gsm7.h"

#define PHONE_CONTEXT ";phone-context="
/* digits collected from typed input: "011" plus 15 digits, with room to
 * tell "too long" from "just right" */
#define DIGITS_CAP (3 + E164_MAX_DIGITS + 1)

static bool all_ascii_digits(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!g_ascii_isdigit(s[i]))
			return false;
	return true;
}

bool e164_cc_valid(const char *cc)
{
	size_t n = cc ? strlen(cc) : 0;

	return n >= 1 && n <= 3 && all_ascii_digits(cc, n) && cc[0] != '0';
}

/* Why digits are not a valid E.164 number, or NULL when they are. */
static const char *digits_problem(const char *d)
{
	size_t n = strlen(d);

	if (n == 0)
		return "no digits in that phone number";
	if (!all_ascii_digits(d, n))
		return "a phone number has only digits after the +";
	if (d[0] == '0')
		return "a country code cannot start with 0";
	if (n < E164_MIN_DIGITS)
		return "too few digits for an international phone number";
	if (n > E164_MAX_DIGITS)
		return "too many digits for a phone number (E.164 allows 15)";
	if (d[0] == '1') {
		if (n != 11)
			return "a North American (+1) number has ten digits after the 1";
		if (d[1] < '2')
			return "a North American area code cannot start with 0 or 1";
	}
	return NULL;
}

bool e164_digits_valid(const char *digits)
{
	return digits != NULL && digits_problem(digits) == NULL;
}

/* Countries where a national number's leading 0 is part of the number. */
static bool keeps_zero(const char *cc)
{
	return strcmp(cc, "39") == 0 || strcmp(cc, "378") == 0 || strcmp(cc, "225") == 0;
}

static bool is_nanp(const char *cc)
{
	return strcmp(cc, "1") == 0;
}

/* "+" + digits when valid (*out new), else the reason. */
static enum gw_err finish(const char *digits, char **out, const char **why)
{
	const char *problem = digits_problem(digits);

	if (problem) {
		*why = problem;
		return GW_ERR_NOT_FOUND;
	}
	*out = g_strconcat("+", digits, NULL);
	return GW_OK;
}

/* A national number (digits without any international prefix) in the
 * country cc, into E.164. */
static enum gw_err national(const char *d, const char *cc, char **out, const char **why)
{
	size_t n = strlen(d);
	char *full;
	enum gw_err err;

	if (is_nanp(cc)) {
		if (n == 11 && d[0] == '1')
			return finish(d, out, why);
		if (n != 10) {
			*why = "a North American number has ten digits (or +1 and ten digits)";
			return GW_ERR_NOT_FOUND;
		}
		full = g_strconcat("1", d, NULL);
	} else {
		if (d[0] == '0' && !keeps_zero(cc))
			d++;
		full = g_strconcat(cc, d, NULL);
	}
	err = finish(full, out, why);
	g_free(full);
	return err;
}

static bool is_separator(gunichar c)
{
	switch (c) {
	case ' ': case '\t': case '-': case '.': case '/':
	case '(': case ')': case '[': case ']':
	case 0x00A0: case 0x2007: case 0x2009: case 0x202F: /* spaces */
	case 0x2010: case 0x2011: case 0x2012: case 0x2013: /* dashes */
	case 0x2014: case 0x2015: case 0x2212:
		return true;
	default:
		return false;
	}
}

/* Collects the digits of s[0..len) into digits (DIGITS_CAP bytes), with
 * separators skipped, one '+' allowed before the first digit, and a "(0)"
 * after the country code dropped. */
static enum gw_err collect(const char *s, size_t len, char *digits, bool *plus,
			   const char **why)
{
	size_t n = 0;

	*plus = false;
	for (const char *p = s; p < s + len; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		int v = g_unichar_digit_value(c);

		if (*plus && n > 0 && strncmp(p, "(0)", 3) == 0) {
			p += 2; /* "+44 (0)20 ...": the trunk prefix shown for locals */
			continue;
		}
		if (v >= 0) {
			if (n + 1 >= DIGITS_CAP) {
				*why = "too many digits for a phone number (E.164 allows 15)";
				return GW_ERR_NOT_FOUND;
			}
			digits[n++] = (char)('0' + v);
		} else if (c == '+' && n == 0 && !*plus) {
			*plus = true;
		} else if (!is_separator(c)) {
			*why = c == '+' ? "a + can only start a phone number"
			     : g_unichar_isalpha(c) ? "letters are not allowed in a phone number"
			     : "unexpected character in a phone number";
			return GW_ERR_NOT_FOUND;
		}
	}
	digits[n] = '\0';
	if (n == 0) {
		*why = "no digits in that phone number";
		return GW_ERR_NOT_FOUND;
	}
	return GW_OK;
}

/* The value of parameter name in ";a=b;c=d" params, or NULL (new). A
 * parameter present without a value gives "". */
static char *tel_param(const char *params, const char *name)
{
	char **parts = g_strsplit(params, ";", -1);
	char *found = NULL;
	size_t nl = strlen(name);

	for (size_t i = 0; parts[i] && !found; i++) {
		if (g_ascii_strncasecmp(parts[i], name, nl) == 0
		    && (parts[i][nl] == '=' || parts[i][nl] == '\0'))
			found = g_strdup(parts[i][nl] == '=' ? parts[i] + nl + 1 : "");
	}
	g_strfreev(parts);
	return found;
}

/* A tel: URI's number (after "tel:") into the global number text, +
 * included, with separators left in for collect() (*global new). */
static enum gw_err tel_global(const char *uri, char **global, const char **why)
{
	const char *semi = strchr(uri, ';');
	const char *params = semi ? semi : "";
	char *number = semi ? g_strndup(uri, (size_t)(semi - uri)) : g_strdup(uri);
	char *ext = tel_param(params, "ext"), *isub = tel_param(params, "isub");
	char *context = tel_param(params, "phone-context");
	enum gw_err err = GW_OK;

	if (ext || isub) {
		*why = "a text cannot reach an extension or subaddress";
		err = GW_ERR_NOT_FOUND;
	} else if (number[0] == '+') {
		*global = g_strdup(number);
	} else if (context && context[0] == '+') {
		*global = g_strconcat(context, number, NULL);
	} else {
		*why = "a local tel: number needs a phone-context that is a +number prefix";
		err = GW_ERR_NOT_FOUND;
	}
	g_free(number);
	g_free(ext);
	g_free(isub);
	g_free(context);
	return err;
}

enum gw_err e164_normalize(const char *typed, const char *default_cc, char **out,
			   const char **why)
{
	char digits[DIGITS_CAP], *global = NULL;
	const char *s = typed ? typed : "", *d = digits;
	bool plus, has_cc = default_cc && *default_cc;
	enum gw_err err;

	*out = NULL;
	if (strlen(s) > E164_MAX_INPUT || !g_utf8_validate(s, -1, NULL)) {
		*why = "that is too long for a phone number";
		return GW_ERR_NOT_FOUND;
	}
	assert(!has_cc || e164_cc_valid(default_cc));
	while (*s == ' ' || *s == '\t')
		s++;
	if (g_ascii_strncasecmp(s, "tel:", 4) == 0) {
		err = tel_global(s + 4, &global, why);
		if (err != GW_OK)
			return err;
		s = global;
	}
	err = collect(s, strlen(s), digits, &plus, why);
	if (err != GW_OK)
		goto out;
	if (plus) {
		err = finish(d, out, why);
	} else if (strncmp(d, "00", 2) == 0) {
		err = finish(d + 2, out, why);
	} else if (has_cc && is_nanp(default_cc) && strncmp(d, "011", 3) == 0) {
		err = finish(d + 3, out, why);
	} else if (has_cc) {
		err = national(d, default_cc, out, why);
	} else {
		*why = "no country code: write the number as +<country code><number>";
		err = GW_ERR_NOT_FOUND;
	}
out:
	g_free(global);
	return err;
}

/* Whether s (trimmed, NUL-terminated) is an alphanumeric sender. */
static bool is_alnum_sender(const char *s)
{
	size_t n = strlen(s), septets = 0;
	bool non_digit = false;

	if (n == 0 || n > E164_MAX_INPUT || !g_utf8_validate(s, -1, NULL)
	    || s[0] == ' ' || s[n - 1] == ' ')
		return false;
	if (s[0] == '+' && e164_digits_valid(s + 1))
		return false; /* a number; it has its own form */
	for (const char *p = s; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		unsigned w = gsm7_septets(c);

		if (w == 0 || c < 0x20)
			return false;
		septets += w;
		if (!g_ascii_isdigit(*p))
			non_digit = true;
	}
	return non_digit && septets <= E164_ALNUM_MAX_SEPTETS;
}

/* A digits-only sender of more than E164_SHORT_MAX digits into E.164. */
static enum gw_err sender_number(const char *d, const char *cc, char **legacy,
				 const char **why)
{
	size_t n = strlen(d);

	if (strncmp(d, "00", 2) == 0)
		return finish(d + 2, legacy, why);
	if (cc && *cc && is_nanp(cc) && (n == 10 || (n == 11 && d[0] == '1')))
		return national(d, cc, legacy, why);
	if (cc && *cc && !is_nanp(cc) && d[0] == '0')
		return national(d, cc, legacy, why);
	return finish(d, legacy, why);
}

enum gw_err e164_from_sender(const char *sender, const char *default_cc, const char *domain,
			     char **legacy, const char **why)
{
	char *s;
	size_t n;
	enum gw_err err = GW_OK;

	*legacy = NULL;
	assert(domain != NULL && *domain);
	if (!sender || strlen(sender) > E164_MAX_INPUT) {
		*why = sender ? "sender address too long" : "no sender address";
		return GW_ERR_NOT_FOUND;
	}
	s = g_strstrip(g_strdup(sender));
	n = strlen(s);
	if (s[0] == '+' && e164_digits_valid(s + 1)) {
		*legacy = g_strdup(s);
	} else if (all_ascii_digits(s, n) && n > E164_SHORT_MAX) {
		err = sender_number(s, default_cc, legacy, why);
	} else if (all_ascii_digits(s, n) && n >= E164_SHORT_MIN) {
		*legacy = g_strconcat(s, PHONE_CONTEXT, domain, NULL);
	} else if (is_alnum_sender(s)) {
		*legacy = g_strconcat(s, PHONE_CONTEXT, domain, NULL);
	} else {
		*why = n == 0 ? "no sender address"
		     : "sender is not a phone number, short code or alphanumeric name";
		err = GW_ERR_NOT_FOUND;
	}
	g_free(s);
	return err;
}

enum gw_err e164_check_legacy(const char *legacy, const char *domain, enum e164_kind *kind,
			      const char **why)
{
	const char *ctx = legacy ? g_strrstr(legacy, PHONE_CONTEXT) : NULL;
	enum e164_kind k;

	if (!legacy || !*legacy || strlen(legacy) > E164_MAX_LEGACY) {
		*why = "not a phone number";
		return GW_ERR_NOT_FOUND;
	}
	if (!ctx) {
		if (legacy[0] != '+' || !e164_digits_valid(legacy + 1)) {
			*why = "not a phone number: write it as + and 7 to 15 digits";
			return GW_ERR_NOT_FOUND;
		}
		k = E164_KIND_NUMBER;
	} else {
		size_t n = (size_t)(ctx - legacy);
		char *name = g_strndup(legacy, n);
		bool short_code = all_ascii_digits(name, n) && n >= E164_SHORT_MIN
				  && n <= E164_SHORT_MAX;
		bool alnum = !short_code && is_alnum_sender(name);

		g_free(name);
		if (g_ascii_strcasecmp(ctx + strlen(PHONE_CONTEXT), domain) != 0) {
			*why = "phone-context is not this gateway";
			return GW_ERR_NOT_FOUND;
		}
		if (!short_code && !alnum) {
			*why = "not a short code or alphanumeric sender";
			return GW_ERR_NOT_FOUND;
		}
		k = short_code ? E164_KIND_SHORT : E164_KIND_ALNUM;
	}
	if (kind)
		*kind = k;
	return GW_OK;
}
