/* kannel_map.c - Kannel's sendsms answers and report statuses (kannel.h). */
#include "sms/kannel.h"

#include <stdlib.h>
#include <string.h>

#define REASON_MAX 200

/* The first line of Kannel's answer, bounded. Returns new. */
static char *first_line(const char *body)
{
	size_t n = strcspn(body ? body : "", "\r\n");
	return g_strndup(body ? body : "", MIN(n, REASON_MAX));
}

void kannel_map_reply(unsigned status, const char *body, const char *retry_after,
		      struct sms_send_result *r, char **text)
{
	char *line = first_line(body);
	memset(r, 0, sizeof *r);
	*text = NULL;
	r->outcome = SMS_SEND_REFUSED;
	if (status >= 200 && status < 300) {
		r->outcome = SMS_SEND_OK;
	} else if (status == 429) {
		r->outcome = SMS_SEND_LATER;
		long s = retry_after ? strtol(retry_after, NULL, 10) : 0;
		r->retry_after_ms = (unsigned)(s > 0 && s < 3600 ? s * 1000 : 5000);
	} else if (status == 401 || status == 403) {
		r->err = GW_ERR_NOT_AUTHORIZED;
		*text = g_strdup("the SMS provider refused the gateway's credentials");
	} else if (status == 400 && strstr(line, "denied")) {
		r->err = GW_ERR_FORBIDDEN;
		*text = g_strdup("the SMS provider does not allow texts to this number");
	} else if (status == 400) {
		r->err = GW_ERR_NOT_ACCEPTABLE;
		*text = g_strdup_printf("the SMS provider refused the text: %s", line);
	} else if (status == 503) {
		r->err = GW_ERR_RESOURCE_CONSTRAINT;
		*text = g_strdup("the SMS provider is busy; try again later");
	} else {
		r->err = GW_ERR_SERVICE_UNAVAILABLE;
		*text = g_strdup_printf("the SMS provider answered HTTP %u: %s", status, line);
	}
	r->text = *text;
	g_free(line);
}

bool kannel_map_dlr(const char *status, enum sms_report *out, const char **detail)
{
	char *end;
	long s = status && *status ? strtol(status, &end, 10) : -1;
	*detail = NULL;
	if (s < 0 || *end)
		return false;
	switch (s) {
	case 1:
		*out = SMS_REPORT_DELIVERED;
		return true;
	case 2:
		*out = SMS_REPORT_FAILED;
		*detail = "the phone could not be reached";
		return true;
	case 16:
		*out = SMS_REPORT_FAILED;
		*detail = "the SMS centre rejected it";
		return true;
	case 8:
		*out = SMS_REPORT_SMSC;
		return true;
	case 4:
		*out = SMS_REPORT_PROGRESS;
		return true;
	default:
		return false;
	}
}
