/* err.h - the one error enum of xmpp-gw.
 *
 * Every expected failure in the core and in backends is one of these values.
 * err.c holds the single table that maps each to an XMPP error type and
 * defined condition (RFC 6120 section 8.3), so replies never drift apart.
 */
#ifndef XMPPGW_ERR_H
#define XMPPGW_ERR_H

enum gw_err {
	GW_OK = 0,
	GW_ERR_BAD_REQUEST,          /* modify/bad-request */
	GW_ERR_NOT_ACCEPTABLE,       /* modify/not-acceptable: a bad field value */
	GW_ERR_JID_MALFORMED,        /* modify/jid-malformed */
	GW_ERR_CONFLICT,             /* cancel/conflict: already taken */
	GW_ERR_NOT_ALLOWED,          /* cancel/not-allowed: policy refuses this JID */
	GW_ERR_FORBIDDEN,            /* auth/forbidden: credentials or rights refused */
	GW_ERR_NOT_AUTHORIZED,       /* auth/not-authorized */
	GW_ERR_REGISTRATION_REQUIRED,/* auth/registration-required */
	GW_ERR_NOT_FOUND,            /* cancel/item-not-found */
	GW_ERR_SERVICE_UNAVAILABLE,  /* cancel/service-unavailable */
	GW_ERR_FEATURE_NOT_IMPLEMENTED, /* cancel/feature-not-implemented */
	GW_ERR_RECIPIENT_UNAVAILABLE,/* wait/recipient-unavailable */
	GW_ERR_REMOTE_NOT_FOUND,     /* cancel/remote-server-not-found */
	GW_ERR_REMOTE_TIMEOUT,       /* wait/remote-server-timeout */
	GW_ERR_RESOURCE_CONSTRAINT,  /* wait/resource-constraint: a queue is full */
	GW_ERR_POLICY_VIOLATION,     /* modify/policy-violation */
	GW_ERR_INTERNAL,             /* cancel/internal-server-error */
	/* cancel/recipient-unavailable: the other network refused the
	 * recipient for good (a mail bounced with 5.1.x) */
	GW_ERR_RECIPIENT_REFUSED,
	GW_ERR__COUNT
};

/* The XMPP error type ("cancel", "modify", ...) for err. Never NULL. */
const char *err_type(enum gw_err err);
/* The defined condition element name ("item-not-found", ...). Never NULL. */
const char *err_condition(enum gw_err err);
/* A short English text for logs and for replies that carry no other text. */
const char *err_text(enum gw_err err);

#endif
