/* instance.c - what drivers read of the backend instance (driver.h). */
#include "sms/driver.h"
#include "sms/sms.h"

#include <assert.h>
#include <string.h>

struct gw *sms_gw(struct sms *sms) { return sms->gw; }
const char *sms_public_url(struct sms *sms) { return sms->public_url; }
const char *sms_secret(struct sms *sms) { return sms->secret; }
const char *sms_default_cc(struct sms *sms) { return sms->default_cc; }
void *sms_driver_priv(struct sms *sms) { return sms->drv_priv; }

char *sms_driver_conf_string(struct sms *sms, const char *key)
{
	const struct sms_driver *d = sms->drv;
	size_t i = 0;
	while (i < d->n_options && strcmp(d->options[i].key, key))
		i++;
	assert(i < d->n_options); /* one of the driver's own options */
	return gw_conf_string(sms->gw, key);
}
