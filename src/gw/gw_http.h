/* gw_http.h - the core's side of the HTTP listener backends use
 * (gateway.h, gw_http_*): core.c starts it once every backend has started
 * (when one mounted something or [http] is configured), and stops it
 * before the backends stop.
 */
#ifndef XMPPGW_GW_HTTP_H
#define XMPPGW_GW_HTTP_H

#include "gateway.h"

/* GW_ERR_INTERNAL (logged) when the listener cannot listen. */
enum gw_err gw_http_start(void);
void gw_http_stop(void);

#endif
