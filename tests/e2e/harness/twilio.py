"""The Twilio-style provider simulator (tests/sim/twilio_sim.py) as a test
peer: started by us with Debian's /usr/bin/python3 on a free port of
127.0.0.1 with a private state dir, stopped by its PID, and driven over
its JSON control endpoints (/_sim/...) with the stdlib.

    sim = TwilioSim(callback_delay=0.05).start()
    acc = sim.add_account(numbers=["+15550001111"])   # Account(sid, token, numbers)
    sim.api_url                                       # http://127.0.0.1:PORT/2010-04-01
    ...
    sim.messages(to="+15551234567")                   # what the driver sent
    sim.cleanup()

The provider side (HTTP Basic auth, user = account SID, password = token;
another account's credentials, or none, get 401 with code 20003; request
bodies over 1 MiB get 413, chunked ones 411):

- GET  /2010-04-01/Accounts/{Sid}.json -> 200 {"sid", "friendly_name",
  "status": "active", "type", "date_created", "uri"}, or 401.
- GET  /2010-04-01/Accounts/{Sid}/IncomingPhoneNumbers.json?PhoneNumber=%2B1...
  -> 200 {"incoming_phone_numbers": [{"sid": "PN...", "phone_number",
  "sms_url", "capabilities", ...}], "page", ...}: the number when the
  account owns it, else an empty list (no PhoneNumber: all its numbers).
  A "+" must be sent as %2B: a raw "+" decodes to a space and matches nothing.
- GET/POST /2010-04-01/Accounts/{Sid}/IncomingPhoneNumbers/{PNSid}.json:
  the number; POST sets SmsUrl, SmsMethod, FriendlyName.
- POST /2010-04-01/Accounts/{Sid}/Messages.json, form-encoded To, From,
  Body, MediaUrl (repeatable, at most 10), StatusCallback -> 201 with the
  message resource: "sid" (SM + 32 hex), "status": "queued", "to", "from",
  "body", "num_segments" and "num_media" (strings, as Twilio sends them),
  "error_code": null, "date_created" (RFC 2822), "uri", ...
- GET  /2010-04-01/Accounts/{Sid}/Messages/{SMSid}.json: its current state.

Checks of a send, in order: auth (401, 20003, WWW-Authenticate), a forced
behaviour (force()), the rate limit (429, 20429, Retry-After in whole
seconds; every authenticated send takes a token, accepted or not), then
To missing 21604, To not E.164 21211, From missing 21603, From not the
account's 21606, no Body nor media 21602, Body over 1,600 characters
21617, a media URL not http(s) 21620, StatusCallback not http(s) 21609,
To opted out 21610 (all 400). Errors are {"code", "message", "more_info",
"status"}. Other paths get 404 (20404), other methods 405 (20004).

After a 201 the message's status callbacks are POSTed to its
StatusCallback from a worker thread, `callback_delay` seconds apart (the
first one that long after the message is stored, just before the 201 is
written: a delay of 0 may race the 201): sent then delivered, unless
set_outcome() says otherwise for the recipient. Params: MessageSid,
SmsSid, MessageStatus, SmsStatus, AccountSid, From, To, ApiVersion, and
ErrorCode for failed (30008) and undelivered (30003) unless configured.
Header X-Twilio-Signature = base64(HMAC-SHA1(token, URL + each key and
value sorted)), the URL being the StatusCallback as given. No retries:
each attempt and the status answered is recorded (callbacks()).

Control endpoints (JSON bodies and answers; TwilioSim wraps each one):

    GET  /_sim/health                 {"ok": true, "port"}
    GET  /_sim/state                  configuration and counts
    GET  /_sim/accounts               [{"sid", "token", "numbers", "friendly_name",
                                        "sms_url", "status"}]
    POST /_sim/accounts               add_account()
    POST /_sim/reset                  reset(); {"keep_accounts": bool}
    POST /_sim/optout                 {"numbers": [...], "opted_out": bool}
    POST /_sim/outcome                set_outcome(); {"to", "clear": true} clears
    POST /_sim/ratelimit              set_rate_limit()
    POST /_sim/force                  force()
    POST /_sim/config                 {"callback_delay": s, "rewrite": {...}}
    POST /_sim/inbound                inbound(): 200 with the record, 202 with wait=false
    POST /_sim/status                 push_status(): {"sid", "status", "error_code", "url"}
    GET  /_sim/messages, /_sim/requests, /_sim/callbacks, /_sim/inbound
                                      the records, oldest first; ?field=value filters

URL rewriting (`rewrite`, set_rewrite()): {"https://public.example": "http://127.0.0.1:8080"}
POSTs callbacks and webhooks for URLs under the first prefix to the second,
and still signs the URL as configured, as a proxy in front of the gateway
would make it see.
"""
import json
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from .ircd import Daemon
from .util import REPO, missing, tail, wait_until

PYTHON = "/usr/bin/python3"
SIM_DIR = os.path.join(REPO, "tests", "sim")
SIM = os.path.join(SIM_DIR, "twilio_sim.py")

sys.path.insert(0, SIM_DIR)
# twilio_signature(token, url, params): the simulator's signing, params a
# dict or (key, value) pairs; new_sid("AC"): a fresh SID; segments(text):
# the SMS parts a text takes.
from twilio_state import new_sid, segments, twilio_signature  # noqa: E402,F401

__all__ = ["Account", "TwilioSim", "new_sid", "segments", "twilio_signature"]

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass
class Account:
    sid: str
    token: str
    numbers: list = field(default_factory=list)
    friendly_name: str = ""
    sms_url: str = None

    @property
    def auth(self):
        return (self.sid, self.token)


class _Process(Daemon):
    name = "twilio-sim"

    def __init__(self, dir_, config):
        self.config = config
        super().__init__(dir_)

    def command(self):
        return [PYTHON, SIM, "--port", "0", "--state-dir", self.dir, "--config", self.config]


class TwilioSim:
    """The simulator process. accounts: dicts as for add_account(), made
    at start (and again after reset()); rate/burst: the default rate limit
    of every account (messages per second, 0: none); callback_delay:
    seconds before each status callback; rewrite: see the module doc."""

    def __init__(self, accounts=(), rate=0, burst=None, callback_delay=0.05, rewrite=None,
                 opt_outs=(), base=None):
        if not os.access(PYTHON, os.X_OK):
            missing(PYTHON)
        self.dir = base or tempfile.mkdtemp(prefix="xgw-twilio-")
        cfg = os.path.join(self.dir, "config.json")
        with open(cfg, "w") as f:
            json.dump(dict(accounts=list(accounts), rate=rate, burst=burst,
                           callback_delay=callback_delay, rewrite=rewrite or {},
                           opt_outs=list(opt_outs)), f)
        self.proc = _Process(self.dir, cfg)
        self.port = None

    # -- life cycle -------------------------------------------------------
    def start(self, timeout=10.0):
        port_file = os.path.join(self.dir, "port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        self.proc.spawn()
        try:
            def ready():
                if not self.proc.running():
                    raise RuntimeError("twilio_sim exited during start-up:\n%s"
                                       % self.diagnostics())
                return os.path.exists(port_file)
            wait_until(ready, timeout, "twilio_sim to write its port")
            with open(port_file) as f:
                self.port = int(f.read())
            wait_until(lambda: self._health(), timeout, "twilio_sim to answer /_sim/health")
        except BaseException:
            self.proc.stop()
            raise
        return self

    def _health(self):
        try:
            return self.control("GET", "/_sim/health")["ok"]
        except (OSError, ValueError):
            return False

    def stop(self):
        self.proc.stop()

    def running(self):
        return self.proc.running()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def diagnostics(self):
        """The end of the simulator's log (a line per request and callback)."""
        return tail(self.proc.out_path, 40)

    # -- addresses --------------------------------------------------------
    @property
    def url(self):
        """http://127.0.0.1:PORT, the base the driver is configured with."""
        return "http://127.0.0.1:%d" % self.port

    @property
    def api_url(self):
        return self.url + "/2010-04-01"

    # -- control ----------------------------------------------------------
    def control(self, method, path, body=None, query=None):
        """A control request; returns the decoded JSON answer. A control
        error (400, 404) raises AssertionError with its message."""
        url = self.url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with _opener.open(req, timeout=60) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as e:
            raise AssertionError("twilio_sim %s %s: %d %s" % (
                method, path, e.code, e.read().decode("utf-8", "replace"))) from None

    def add_account(self, sid=None, token=None, numbers=(), friendly_name=None, sms_url=None,
                    status=None):
        """Creates (fresh SID and token unless given) or updates an account;
        numbers are added to it (one number, one account). Returns Account."""
        a = self.control("POST", "/_sim/accounts", dict(
            sid=sid, token=token, numbers=list(numbers), friendly_name=friendly_name,
            sms_url=sms_url, status=status))
        return Account(a["sid"], a["token"], a["numbers"], a["friendly_name"], a["sms_url"])

    def accounts(self):
        return self.control("GET", "/_sim/accounts")

    def state(self):
        """Accounts, opt-outs, outcomes, pending forced behaviours, rate
        limits, callback delay, rewrites, and counts of what was recorded."""
        return self.control("GET", "/_sim/state")

    def reset(self, keep_accounts=False):
        """Forgets messages, requests, callbacks, inbound deliveries,
        opt-outs, outcomes, forced behaviours, rate limits and rewrites
        (back to the start-up ones), and the accounts made since the start
        unless keep_accounts."""
        self.control("POST", "/_sim/reset", dict(keep_accounts=keep_accounts))

    def set_opt_out(self, *numbers, opted_out=True):
        """Sends to these recipients get 400 / 21610 (any account)."""
        return self.control("POST", "/_sim/optout", dict(numbers=list(numbers),
                                                         opted_out=opted_out))

    def set_outcome(self, to, outcome="delivered", error_code=None, delay=None, statuses=None):
        """What status callbacks a message to `to` gets: "delivered" (sent,
        delivered), "undelivered" (sent, undelivered), "failed" (failed),
        "sent" (sent only), "none"; or an explicit list of statuses.
        error_code: the ErrorCode of failed/undelivered; delay: seconds
        before each callback (default: the global callback delay)."""
        return self.control("POST", "/_sim/outcome", dict(
            to=to, outcome=outcome, error_code=error_code, delay=delay, statuses=statuses))

    def clear_outcome(self, to):
        return self.control("POST", "/_sim/outcome", dict(to=to, clear=True))

    def set_rate_limit(self, rate, burst=None, account=None):
        """A token bucket of `rate` sends a second and `burst` (default
        max(1, rate)) per account; for one account, or the default of all.
        rate 0: no limit."""
        return self.control("POST", "/_sim/ratelimit", dict(rate=rate, burst=burst,
                                                            account=account))

    def force(self, status, count=1, endpoint="messages", account=None, retry_after=None,
              code=None, message=None, accept=False, delay=None):
        """The next `count` authenticated requests to `endpoint`
        ("messages": sends, "message": message fetches, "account",
        "numbers", "any"), of `account` or any, get:
        - status 4xx/5xx: that error, with Twilio code `code` (default:
          429 20429, 500 20500, 503 20503, 400 20001, 401 20003, 404
          20404), `message`, and Retry-After (`retry_after`, always on a
          429, default 1);
        - status "drop": the connection closed without an answer; with
          accept=True a send is accepted first (the message exists and
          gets its callbacks), else nothing happens;
        - status None: normal handling.
        delay: seconds to wait before doing that (for client timeouts)."""
        return self.control("POST", "/_sim/force", dict(
            status=status, count=count, endpoint=endpoint, account=account,
            retry_after=retry_after, code=code, message=message, accept=accept, delay=delay))

    def set_callback_delay(self, seconds):
        return self.control("POST", "/_sim/config", dict(callback_delay=seconds))

    def set_rewrite(self, mapping):
        return self.control("POST", "/_sim/config", dict(rewrite=mapping))

    def inbound(self, frm, to, body="", url=None, media=(), media_types=(), account=None,
                message_sid=None, signature="valid", sign_url=None, repeat=1, retries=0,
                retry_delay=0.2, extra=None, num_segments=None, wait=True):
        """An incoming SMS POSTed, signed, to `url` (default: the To
        number's sms_url, else its account's sms_url), with MessageSid,
        SmsSid, SmsMessageSid, AccountSid, From, To, Body, NumMedia,
        NumSegments, SmsStatus=received, ApiVersion, MediaUrlN and
        MediaContentTypeN (default image/jpeg), plus `extra` params.
        account: default the owner of `to`. signature: "valid", "forged"
        (signed with a wrong token), "missing", or "literal:<value>";
        sign_url: the URL signed (default `url`). repeat: POST the same
        MessageSid that many times; retries: re-POST each up to that many
        times while the answer is not 2xx (or no answer), retry_delay
        apart. wait=False: return at once, deliver from a worker thread.
        Returns the record: {"id", "message_sid", "url", "target",
        "params", "signature", "signature_mode", "done", "attempts":
        [{"copy", "attempt", "status" (None: no answer), "error",
        "answer" (first 1,000 characters), "time", "duration"}]}."""
        return self.control("POST", "/_sim/inbound", dict(
            url=url, **{"from": frm}, to=to, body=body, media=list(media),
            media_types=list(media_types), account=account, message_sid=message_sid,
            signature=signature, sign_url=sign_url, repeat=repeat, retries=retries,
            retry_delay=retry_delay, extra=extra, num_segments=num_segments, wait=wait))

    def push_status(self, sid, status, error_code=None, url=None):
        """One status callback for message `sid` now (to `url`, default its
        StatusCallback), the message taking that status. Returns the
        callback's record (see callbacks()), or {"sent": false} without URL."""
        body = dict(sid=sid, status=status, url=url)
        if error_code is not None:
            body["error_code"] = error_code
        return self.control("POST", "/_sim/status", body)

    # -- inspection -------------------------------------------------------
    # Filters compare a record's field, as a string, with the value given.
    def messages(self, **where):
        """Accepted messages, oldest first: {"sid", "account_sid", "to",
        "from", "body", "media_urls", "status_callback", "params" ([key,
        value] pairs as posted), "auth_user", "status", "statuses" (every
        status so far, "queued" first), "error_code", "num_segments",
        "date_created" (epoch seconds), ...}."""
        return self.control("GET", "/_sim/messages", query=where)

    def requests(self, **where):
        """Every provider API request, oldest first: {"time", "method",
        "path", "query", "params", "auth_user", "auth_ok", "status" (HTTP
        status, or "dropped"), "code" (Twilio error code or None), "sid"
        (of an accepted message)}."""
        return self.control("GET", "/_sim/requests", query=where)

    def callbacks(self, **where):
        """Every status callback attempt, in order: {"message_sid",
        "message_status", "url" (signed), "target" (posted to), "params",
        "signature", "status" (the HTTP status answered, None: no answer),
        "error", "answer", "time", "duration"}."""
        return self.control("GET", "/_sim/callbacks", query=where)

    def inbound_log(self, **where):
        """Every inbound delivery's record (see inbound())."""
        return self.control("GET", "/_sim/inbound", query=where)

    def wait_messages(self, count=1, timeout=10.0, **where):
        """The first `count` accepted messages matching `where`, once there."""
        def ready():
            got = self.messages(**where)
            return got[:count] if len(got) >= count else None
        return wait_until(ready, timeout, "%d message(s) at twilio_sim with %s" % (count, where))

    def wait_callbacks(self, count=1, timeout=10.0, **where):
        """The first `count` status callback attempts matching `where`."""
        def ready():
            got = self.callbacks(**where)
            return got[:count] if len(got) >= count else None
        return wait_until(ready, timeout, "%d callback(s) from twilio_sim with %s"
                          % (count, where))

    def wait_inbound_done(self, rec_id, timeout=30.0):
        """The record of inbound delivery `rec_id` (from inbound(wait=False))
        once every attempt is made."""
        def ready():
            got = [r for r in self.inbound_log() if r["id"] == rec_id and r["done"]]
            return got[0] if got else None
        return wait_until(ready, timeout, "inbound delivery %d to finish" % rec_id)

    def __repr__(self):
        return "<twilio_sim port=%s>" % self.port
