/* gsm7.h - how a text travels as SMS: the GSM 03.38 7-bit default
 * alphabet or UCS-2, and how many segments it takes. Pure functions.
 *
 * A text fits GSM-7 when every character is in the default alphabet's basic
 * table (one septet) or its extension table (two septets: an escape and the
 * character: form feed ^ { } \ [ ~ ] | and the euro sign). Anything else
 * needs UCS-2, counted in UTF-16 code units (a character outside the Basic
 * Multilingual Plane, like most emoji, takes two).
 *
 * Segments: one SMS holds 160 septets or 70 UCS-2 units. A longer text is
 * concatenated, and the user data header then leaves 153 septets or 67 units
 * per part. The count never splits an escape sequence or a surrogate pair
 * across two parts, so it is never lower than what a provider that splits
 * anywhere would bill (Kannel 1.4.5 splits a surrogate pair).
 *
 * Strings are valid UTF-8 (the core sanitises them before backends see
 * them); anything else is a programmer error.
 */
#ifndef XMPPGW_SMS_GSM7_H
#define XMPPGW_SMS_GSM7_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#define GSM7_SINGLE_SEPTETS 160
#define GSM7_PART_SEPTETS 153
#define GSM7_SINGLE_UCS2 70
#define GSM7_PART_UCS2 67

enum gsm7_coding {
	GSM7_CODING_GSM7 = 0, /* the 7-bit default alphabet (Kannel coding=0) */
	GSM7_CODING_UCS2,     /* UTF-16 (Kannel coding=2) */
};

struct gsm7_measure {
	enum gsm7_coding coding;
	size_t chars;    /* Unicode characters */
	size_t units;    /* septets (GSM-7) or UTF-16 code units (UCS-2) */
	size_t segments; /* SMS parts: 1 for a text that fits one (even ""). */
};

/* Septets c takes in GSM-7: 1 (basic table), 2 (extension table) or 0 when
 * it is not in the alphabet. */
unsigned gsm7_septets(gunichar c);

/* Whether every character of utf8 (borrowed) is in the GSM-7 alphabet. */
bool gsm7_fits(const char *utf8);

/* Septets utf8 takes in GSM-7, or (size_t)-1 when it does not fit. */
size_t gsm7_count_septets(const char *utf8);

/* Chooses the coding for utf8 (GSM-7 when it fits, else UCS-2) and counts
 * its units and segments into *out. */
void gsm7_measure(const char *utf8, struct gsm7_measure *out);

#endif
