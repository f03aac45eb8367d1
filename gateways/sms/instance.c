/* instance.c - what drivers read of the backend instance (driver.h). */
#include "sms/driver.h"
#include "sms/sms.h"

struct gw *sms_gw(struct sms *sms) { return sms->gw; }
const char *sms_public_url(struct sms *sms) { return sms->public_url; }
const char *sms_secret(struct sms *sms) { return sms->secret; }
