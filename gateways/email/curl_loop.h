/* curl_loop.h - libcurl on the core's loop: one multi handle whose sockets
 * go on the core's epoll source (gw_watch_fd) and whose one timeout is a
 * core timer (gw_timer_add), driven with curl_multi_socket_action. No call
 * here blocks: DNS is curl's threaded resolver, and a transfer is closed
 * without the protocol's goodbye (see mail_xfer_free).
 *
 * Every connection a transfer opens goes through a check of the address it
 * connects to (mail_xfer_public_only), so that a host name that resolves to
 * an internal address is refused at the connect, whatever DNS said before.
 */
#ifndef XMPPGW_EMAIL_CURL_LOOP_H
#define XMPPGW_EMAIL_CURL_LOOP_H

#include <curl/curl.h>
#include <stdbool.h>

struct mail_curl;   /* one multi handle on the loop */
struct mail_xfer;   /* one easy handle in it */

/* The transfer ended (rc CURLE_OK: it did what was asked; with
 * CURLOPT_CONNECT_ONLY, it is connected and logged in, and stays so until
 * mail_xfer_free). Called from the loop, never from inside a curl call;
 * the callback may free x. */
typedef void (*mail_xfer_done_cb)(struct mail_xfer *x, CURLcode rc, void *ud);

/* Returns new; free with mail_curl_free() once every transfer is freed. */
struct mail_curl *mail_curl_new(void);
void mail_curl_free(struct mail_curl *mc);

/* A transfer with its easy handle (configure it with mail_xfer_easy(),
 * then mail_xfer_start()). cb and ud are borrowed until it is freed. */
struct mail_xfer *mail_xfer_new(struct mail_curl *mc, mail_xfer_done_cb cb, void *ud);
/* The easy handle, borrowed: set the URL and options on it. CURLOPT_PRIVATE,
 * ERRORBUFFER, NOSIGNAL and OPENSOCKETFUNCTION are the loop's. */
CURL *mail_xfer_easy(struct mail_xfer *x);
/* Connections to loopback, private, link-local and other internal
 * addresses are refused (the connect fails, mail_xfer_refused() is true).
 * Default: off. Set before mail_xfer_start(). */
void mail_xfer_public_only(struct mail_xfer *x, bool on);
/* Adds the transfer to the multi handle; it runs on the loop from here. */
void mail_xfer_start(struct mail_xfer *x);
/* Whether a connect was refused for its address (mail_xfer_public_only). */
bool mail_xfer_refused(struct mail_xfer *x);
/* curl's error text of the transfer ("" when none). Borrowed. */
const char *mail_xfer_error(struct mail_xfer *x);
/* The socket of a CONNECT_ONLY transfer that is done (logged in), for the
 * caller to watch and use with curl_easy_send/recv; curl's own watch of
 * it, if any, is dropped. -1 when there is none. */
int mail_xfer_take_socket(struct mail_xfer *x);
/* Stops and frees x, at any point; cb is not called. Its socket is shut
 * down first: curl's disconnect would otherwise wait, blocking, for the
 * answer to its IMAP LOGOUT or SMTP QUIT. */
void mail_xfer_free(struct mail_xfer *x);

#endif
