/* random.h - unguessable values: claim codes, tokens, session ids, stanza
 * ids and URLs, from the kernel's CSPRNG (getrandom(2)). GLib's g_random_*
 * is a Mersenne Twister whose state can be recovered from its output, so
 * it is kept for jitter only. */
#ifndef XMPPGW_RANDOM_H
#define XMPPGW_RANDOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fills buf with n random bytes. The kernel's pool is ready once the
 * system has booted; should getrandom fail for another reason the process
 * aborts rather than hand out a guessable value. */
void random_bytes(void *buf, size_t n);

/* New: 2 * bytes lower-case hex digits. */
char *random_hex(size_t bytes);

/* Uniform in [0, n), n > 0 (no modulo bias). */
uint32_t random_below(uint32_t n);

/* New: an RFC 4122 version 4 UUID, lower case. */
char *random_uuid(void);

/* Whether two secrets (tokens, signatures, code hashes) are equal, in a
 * time that depends on their lengths only, never on where they differ.
 * NULL equals nothing. */
bool secret_equal(const char *a, const char *b);

#endif
