#!/usr/bin/python3
"""A Twilio-style SMS provider (REST API 2010-04-01) for the tests of the
gateway's "twilio" driver. Python 3 standard library only.

    /usr/bin/python3 tests/sim/twilio_sim.py --port 0 --state-dir DIR \
        [--host 127.0.0.1] [--config FILE.json] [--account SID:TOKEN:+1555...,+1555...]

It listens on 127.0.0.1 (a free port with --port 0), prints the port alone
on the first line of stdout and writes it to DIR/port. SIGTERM or SIGINT
stop it with exit code 0. One line per request goes to stderr (never a
token or a message body).

The provider side (HTTP Basic auth: the account SID and its auth token):

    GET  /2010-04-01/Accounts/{Sid}.json
    GET  /2010-04-01/Accounts/{Sid}/IncomingPhoneNumbers.json[?PhoneNumber=%2B1...]
    GET  /2010-04-01/Accounts/{Sid}/IncomingPhoneNumbers/{PNSid}.json
    POST /2010-04-01/Accounts/{Sid}/IncomingPhoneNumbers/{PNSid}.json  (SmsUrl, FriendlyName)
    POST /2010-04-01/Accounts/{Sid}/Messages.json   (To, From, Body, MediaUrl*, StatusCallback)
    GET  /2010-04-01/Accounts/{Sid}/Messages/{SMSid}.json

Errors have Twilio's JSON shape {"code", "message", "more_info", "status"}.
Accepted messages get status callbacks (sent, then delivered, or the
outcome a test set for the recipient), signed with X-Twilio-Signature.
Everything under /_sim/ controls and inspects the simulator with JSON
(twilio_control.py); it needs no auth and only listens on loopback. The
state and the outgoing requests are in twilio_state.py. The whole API,
provider and control, is documented in tests/e2e/harness/twilio.py.
"""
import argparse
import base64
import hmac
import http.server
import json
import math
import os
import re
import signal
import sys
import time
import urllib.parse

from twilio_control import Control
from twilio_state import (API, E164, MAX_BODY, MAX_TEXT, STATUS_CODES, ApiError, Sim,
                          http_url, log, new_sid, rfc2822, segments)

# -- the provider API -------------------------------------------------------------

ROUTES = [
    (re.compile(r"^/2010-04-01/Accounts/([^/]+)\.json$"), "account"),
    (re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages\.json$"), "messages"),
    (re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages/([^/]+)\.json$"), "message"),
    (re.compile(r"^/2010-04-01/Accounts/([^/]+)/IncomingPhoneNumbers\.json$"), "numbers"),
    (re.compile(r"^/2010-04-01/Accounts/([^/]+)/IncomingPhoneNumbers/([^/]+)\.json$"), "number"),
]
METHODS = {"account": ("GET",), "messages": ("POST",), "message": ("GET",),
           "numbers": ("GET",), "number": ("GET", "POST")}
ENDPOINT_KIND = {"account": "account", "messages": "messages", "message": "message",
                 "numbers": "numbers", "number": "numbers"}


def message_view(m):
    return {
        "sid": m["sid"], "account_sid": m["account_sid"], "api_version": "2010-04-01",
        "to": m["to"], "from": m["from"], "body": m["body"], "status": m["status"],
        "direction": "outbound-api", "num_segments": str(m["num_segments"]),
        "num_media": str(len(m["media_urls"])), "error_code": m["error_code"],
        "error_message": None, "messaging_service_sid": None, "price": None,
        "price_unit": "USD", "date_created": rfc2822(m["date_created"]),
        "date_updated": rfc2822(m["date_updated"]),
        "date_sent": rfc2822(m["date_sent"]) if m["date_sent"] else None,
        "uri": "%s/Accounts/%s/Messages/%s.json" % (API, m["account_sid"], m["sid"]),
        "subresource_uris": {"media": "%s/Accounts/%s/Messages/%s/Media.json"
                             % (API, m["account_sid"], m["sid"])},
    }


def number_view(n):
    return {
        "sid": n["sid"], "account_sid": n["account_sid"], "phone_number": n["phone_number"],
        "friendly_name": n["friendly_name"], "sms_url": n["sms_url"],
        "sms_method": n["sms_method"], "status": "in-use", "api_version": "2010-04-01",
        "capabilities": {"sms": True, "mms": True, "voice": True, "fax": False},
        "date_created": rfc2822(n["date_created"]),
        "uri": "%s/Accounts/%s/IncomingPhoneNumbers/%s.json" % (API, n["account_sid"], n["sid"]),
    }


class Handler(Control, http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "TwilioSim/1.0"
    sim = None  # set by main()

    def log_message(self, fmt, *args):
        pass

    # -- plumbing ----------------------------------------------------------
    def _reply(self, status, body, headers=None):
        data = json.dumps(body, indent=1).encode() + b"\n"
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _read_body(self):
        n = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            raise ApiError(20001, "chunked bodies are not supported", status=411)
        n = int(n) if n and n.isdigit() else 0
        if n > MAX_BODY:
            self.close_connection = True
            raise ApiError(20001, "body over %d bytes" % MAX_BODY, status=413)
        return self.rfile.read(n) if n else b""

    def _drop(self):
        """Closes the connection without an answer."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(2)
        except OSError:
            pass

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def _dispatch(self):
        url = urllib.parse.urlsplit(self.path)
        try:
            raw = self._read_body()
        except ApiError as e:
            self._reply(e.status, e.body)
            return
        if url.path.startswith("/_sim/"):
            self._control(url, raw)
        else:
            self._api(url, raw)

    # -- provider API --------------------------------------------------------
    def _auth(self):
        """(user, password) from HTTP Basic auth, or (None, None)."""
        h = self.headers.get("Authorization", "")
        if not h.lower().startswith("basic "):
            return None, None
        try:
            user, _, pw = base64.b64decode(h[6:].strip(), validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None, None
        return user, pw

    def _api(self, url, raw):
        sim = self.sim
        rec = dict(time=time.time(), method=self.command, path=url.path, query=url.query,
                   params=[], auth_user=None, auth_ok=False, status=None, code=None, sid=None)
        headers = {}
        try:
            try:
                rec["params"] = urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True,
                                                       strict_parsing=bool(raw))
            except (UnicodeDecodeError, ValueError):
                raise ApiError(20001, "the body is not a UTF-8 form")
            query = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
            status, body = self._route(url.path, rec, dict(query))
        except ApiError as e:
            status, body, headers = e.status, e.body, e.headers
            rec["code"] = e.body["code"]
        except _Dropped:
            rec["status"] = "dropped"
            with sim.lock:
                sim.requests.append(rec)
            log("%s %s -> dropped" % (self.command, url.path))
            self._drop()
            return
        rec["status"] = status
        with sim.lock:
            sim.requests.append(rec)
        log("%s %s -> %d%s" % (self.command, url.path, status,
                               " (%d)" % rec["code"] if rec["code"] else ""))
        self._reply(status, body, headers)

    def _route(self, path, rec, query):
        sim = self.sim
        for rx, name in ROUTES:
            m = rx.match(path)
            if m:
                break
        else:
            raise ApiError(20404, path)
        if self.command not in METHODS[name]:
            raise ApiError(20004)
        sid = m.group(1)
        user, pw = self._auth()
        rec["auth_user"] = user
        with sim.lock:
            acc = sim.accounts.get(sid)
            ok = (acc is not None and user == sid
                  and hmac.compare_digest(pw.encode(), acc["token"].encode()))
        rec["auth_ok"] = ok
        if not ok:
            raise ApiError(20003, headers={"WWW-Authenticate": 'Basic realm="Twilio API"'})
        forced = sim.take_forced(ENDPOINT_KIND[name], sid)
        if forced and forced.get("delay"):
            time.sleep(float(forced["delay"]))
        if forced and forced.get("status") not in (None, "drop"):
            st = int(forced["status"])
            hdrs = {}
            after = forced.get("retry_after")
            if st == 429 or after is not None:
                hdrs["Retry-After"] = str(1 if after is None else after)
            raise ApiError(forced.get("code") or STATUS_CODES.get(st, 20500 if st >= 500
                                                                    else 20001),
                           "forced", status=st, message=forced.get("message"), headers=hdrs)
        drop = forced and forced.get("status") == "drop"
        if drop and not forced.get("accept"):
            raise _Dropped()
        if name == "messages":
            with sim.lock:
                b = sim.bucket(sid)
                wait = b.take() if b else 0
            if wait:
                raise ApiError(20429, headers={"Retry-After": str(max(1, math.ceil(wait)))})
            result = self._send(sid, rec)
        else:
            result = getattr(self, "_get_" + name)(sid, m, query, rec)
        if drop:
            raise _Dropped()
        return result

    def _get_account(self, sid, m, query, rec):
        with self.sim.lock:
            a = self.sim.accounts[sid]
            return 200, {"sid": sid, "friendly_name": a["friendly_name"], "status": a["status"],
                         "type": "Full", "owner_account_sid": sid,
                         "date_created": rfc2822(a["date_created"]),
                         "uri": "%s/Accounts/%s.json" % (API, sid)}

    def _get_numbers(self, sid, m, query, rec):
        want = query.get("PhoneNumber")
        with self.sim.lock:
            rows = [number_view(n) for p, n in sorted(self.sim.numbers.items())
                    if n["account_sid"] == sid and (want is None or p == want)]
        uri = "%s/Accounts/%s/IncomingPhoneNumbers.json" % (API, sid)
        return 200, {"incoming_phone_numbers": rows, "page": 0, "page_size": 50,
                     "start": 0, "end": max(0, len(rows) - 1), "uri": uri,
                     "first_page_uri": uri + "?Page=0&PageSize=50",
                     "next_page_uri": None, "previous_page_uri": None}

    def _get_number(self, sid, m, query, rec):
        with self.sim.lock:
            n = next((n for n in self.sim.numbers.values()
                      if n["sid"] == m.group(2) and n["account_sid"] == sid), None)
            if n is None:
                raise ApiError(20404, self.path)
            if self.command == "POST":
                for k, v in rec["params"]:
                    if k == "SmsUrl":
                        n["sms_url"] = v or None
                    elif k == "SmsMethod":
                        n["sms_method"] = v
                    elif k == "FriendlyName":
                        n["friendly_name"] = v
            return 200, number_view(n)

    def _get_message(self, sid, m, query, rec):
        with self.sim.lock:
            msg = self.sim.messages.get(m.group(2))
            if msg is None or msg["account_sid"] != sid:
                raise ApiError(20404, self.path)
            return 200, message_view(msg)

    def _send(self, sid, rec):
        sim = self.sim
        params = rec["params"]
        one = {}
        for k, v in params:
            one.setdefault(k, v)
        to, frm, body = one.get("To", ""), one.get("From", ""), one.get("Body", "")
        media = [v for k, v in params if k == "MediaUrl"]
        callback = one.get("StatusCallback") or None
        if not to:
            raise ApiError(21604)
        if not E164.match(to):
            raise ApiError(21211, to)
        if not frm:
            raise ApiError(21603)
        with sim.lock:
            owner = sim.numbers.get(frm)
            if not owner or owner["account_sid"] != sid:
                raise ApiError(21606, frm)
        if not body and not media:
            raise ApiError(21602)
        if len(body) > MAX_TEXT:
            raise ApiError(21617)
        if not all(http_url(u) for u in media) or len(media) > 10:
            raise ApiError(21620)
        if callback and not http_url(callback):
            raise ApiError(21609, callback)
        now = time.time()
        with sim.lock:
            if to in sim.opt_outs:
                raise ApiError(21610)
            msg = dict(sid=new_sid("SM"), account_sid=sid, to=to, body=body,
                       media_urls=media, status_callback=callback, params=params,
                       auth_user=rec["auth_user"], status="queued", statuses=["queued"],
                       error_code=None, num_segments=segments(body) if body else 1,
                       date_created=now, date_updated=now, date_sent=None)
            msg["from"] = frm
            sim.messages[msg["sid"]] = msg
            sim.message_order.append(msg["sid"])
            outcome = dict(sim.outcomes.get(to) or {})
            view = message_view(msg)
        rec["sid"] = msg["sid"]
        sim.schedule_statuses(msg, outcome)
        return 201, view

class _Dropped(Exception):
    """The connection is closed without an answer."""


# -- process ------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description="Twilio-style SMS provider simulator")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--state-dir", required=True, help="where the port file goes")
    p.add_argument("--config", help="a JSON file: accounts, opt_outs, rate, burst, "
                   "callback_delay, rewrite")
    p.add_argument("--account", action="append", default=[],
                   help="SID:TOKEN:+NUMBER[,+NUMBER...] (repeatable)")
    p.add_argument("--rate", type=float, help="messages per second per account (0: no limit)")
    p.add_argument("--burst", type=float)
    p.add_argument("--callback-delay", type=float)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    config = {}
    if args.config:
        with open(args.config) as f:
            config = json.load(f)
    config.setdefault("accounts", [])
    for a in args.account:
        sid, token, nums = (a.split(":", 2) + ["", ""])[:3]
        config["accounts"].append(dict(sid=sid, token=token,
                                       numbers=[n for n in nums.split(",") if n]))
    for k in ("rate", "burst", "callback_delay"):
        if getattr(args, k) is not None:
            config[k] = getattr(args, k)
    Handler.sim = Sim(config)
    server = http.server.ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    os.makedirs(args.state_dir, exist_ok=True)
    tmp = os.path.join(args.state_dir, "port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, os.path.join(args.state_dir, "port"))
    print(port, flush=True)
    log("listening on %s:%d" % (args.host, port))

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
