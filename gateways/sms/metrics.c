/* metrics.c - the SMS backend's metrics (sms.h): every provider call,
 * timed and counted by outcome, incoming texts and delivery reports, each
 * labelled with the driver. */
#include "sms/driver.h"
#include "sms/sms.h"

static const char *const outcome_name[] = {
	[SMS_SEND_OK] = "ok", [SMS_SEND_REFUSED] = "refused", [SMS_SEND_NOT_SENT] = "not_sent",
	[SMS_SEND_LATER] = "later", [SMS_SEND_UNKNOWN] = "unknown",
	[SMS_SEND_CANCELLED] = "cancelled",
};

static const char *const report_name[] = {
	[SMS_REPORT_DELIVERED] = "delivered", [SMS_REPORT_FAILED] = "failed",
	[SMS_REPORT_SMSC] = "smsc", [SMS_REPORT_PROGRESS] = "progress",
};

void sms_metrics_start(struct sms *sms)
{
	static const double secs[] = { 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30 };
	sms->m_sends = gw_metric_counter(sms->gw, "sends_total", "Texts handed to the SMS "
					 "provider (each attempt), by how the call ended",
					 "driver,outcome");
	sms->m_latency = gw_metric_histogram(sms->gw, "provider_seconds", "Time from a "
					     "send to the provider's answer", "driver", secs,
					     G_N_ELEMENTS(secs));
	sms->m_incoming = gw_metric_counter(sms->gw, "received_total", "Texts the provider "
					    "posted, by what became of them", "driver,outcome");
	sms->m_reports = gw_metric_counter(sms->gw, "reports_total", "Delivery reports the "
					   "provider posted for our texts", "driver,report");
}

struct timed {
	struct sms *sms;
	sms_send_cb cb;
	void *ud;
	gint64 t0;
};

static void answered(struct sms *sms, const struct sms_send_result *r, void *ud)
{
	struct timed *t = ud;
	if (r->outcome != SMS_SEND_CANCELLED)
		gw_metric_observe(sms->m_latency, (double)(g_get_monotonic_time() - t->t0) / 1e6,
				  sms->drv->name);
	gw_metric_add(sms->m_sends, 1, sms->drv->name, outcome_name[r->outcome]);
	sms_send_cb cb = t->cb;
	void *cb_ud = t->ud;
	g_free(t);
	cb(sms, r, cb_ud);
}

void sms_provider_send(struct sms *sms, const struct sms_send *req, sms_send_cb cb, void *ud)
{
	struct timed *t = g_new(struct timed, 1);
	t->sms = sms;
	t->cb = cb;
	t->ud = ud;
	t->t0 = g_get_monotonic_time();
	sms->drv->send(sms, req, answered, t);
}

void sms_metrics_incoming(struct sms *sms, const char *outcome)
{
	gw_metric_add(sms->m_incoming, 1, sms->drv->name, outcome);
}

void sms_metrics_report(struct sms *sms, enum sms_report what)
{
	gw_metric_add(sms->m_reports, 1, sms->drv->name, report_name[what]);
}
