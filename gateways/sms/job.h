/* job.h - one outgoing text ("job") as the SMS backend keeps it in the
 * store (row kind "sms-out", key: the job's id), its states, and how
 * provider answers and delivery reports move it on. Pure functions.
 *
 * The row is written before the provider is called, and again before each
 * step that can not be taken back, so that after a crash a job is either
 * still "queued" (never handed to the provider: send it) or "sending" (it
 * may have reached the provider: never send it again, tell the user).
 *
 *   queued --send--> sending --accepted--> sent --smsc--> accepted
 *      ^                |  \                 |               |
 *      +---not-sent-----+   +--refused--> failed <--failed---+
 *                       |                     ^
 *                       +--restart------------+
 *   sending/sent/accepted --delivered--> delivered (when every part is)
 *
 * "delivered" and "failed" are final: nothing moves a job out of them. A
 * report may come before the provider's answer to the send itself, so
 * reports also move a job that is still "sending". Reports count parts
 * only when the provider reports each part (SMS_JOB_PER_PART).
 */
#ifndef XMPPGW_SMS_JOB_H
#define XMPPGW_SMS_JOB_H

#include <glib.h>
#include <stdbool.h>

#include "err.h"

/* Bytes of an encoded job at most (the body is bounded by max_segments). */
#define SMS_JOB_MAX_BYTES (64 * 1024)
#define SMS_JOB_ID_BYTES 16 /* random bytes of a job id (hex: twice that) */

enum sms_job_state {
	SMS_JOB_QUEUED = 0,
	SMS_JOB_SENDING,
	SMS_JOB_SENT,
	SMS_JOB_ACCEPTED,   /* the SMS centre took it: not yet a delivery */
	SMS_JOB_DELIVERED,  /* final */
	SMS_JOB_FAILED,     /* final */
	SMS_JOB__COUNT
};

enum sms_job_event {
	SMS_EV_SEND,        /* handed to the provider */
	SMS_EV_NOT_SENT,    /* the request provably never reached it */
	SMS_EV_ACCEPTED,    /* the provider took the text */
	SMS_EV_REFUSED,     /* the provider refused it */
	SMS_EV_RESTART,     /* found after a restart */
	SMS_EV_SMSC,        /* report: the SMS centre accepted it */
	SMS_EV_DELIVERED,   /* report: delivered (one part, or all) */
	SMS_EV_FAILED,      /* report: not delivered, or rejected */
	SMS_EV_PROGRESS,    /* report: anything else on the way (buffered) */
};

struct sms_job {
	char *id;           /* the row key: hex, SMS_JOB_ID_BYTES random bytes */
	enum sms_job_state state;
	char *jid;          /* the user's bare JID */
	char *sender;       /* the full JID of the sending resource, or NULL */
	char *xmpp_id;      /* the message's id, or NULL */
	bool receipt;       /* the user asked for an XEP-0184 receipt */
	char *account;      /* the provider account the token bucket counts */
	char *from;         /* the user's number */
	char *to;           /* the recipient's number */
	char *body;         /* the text as it is sent (with any media link) */
	char *media;        /* an attachment URL for providers that take one, or NULL */
	bool ucs2;          /* coding: UCS-2 (else GSM-7) */
	unsigned parts;     /* segments the text takes */
	unsigned parts_done;/* parts reported delivered */
	char *provider_id;  /* the provider's id, once it took the text */
	unsigned attempts;  /* sends that provably never left (not stored) */
};

struct sms_job *sms_job_new(void);
void sms_job_free(struct sms_job *j);

/* A new random id (*out new). */
char *sms_job_new_id(void);

/* The job as a row value (x-www-form-urlencoded). Returns new. */
char *sms_job_encode(const struct sms_job *j);
/* The job from a row value, with id (both borrowed). GW_ERR_BAD_REQUEST
 * when value is not a job. */
enum gw_err sms_job_decode(const char *id, const char *value, struct sms_job **out);

/* State names for the row and logs ("queued", ...). */
const char *sms_job_state_name(enum sms_job_state s);

/* Applies ev to j (per_part: the provider reports each part). Returns
 * whether the state changed; j->parts_done counts delivered parts. A final
 * state never changes. */
bool sms_job_step(struct sms_job *j, enum sms_job_event ev, bool per_part);

static inline bool sms_job_final(enum sms_job_state s)
{
	return s == SMS_JOB_DELIVERED || s == SMS_JOB_FAILED;
}

#endif
