"""The state of the Twilio-style provider simulator (twilio_sim.py): its
accounts and numbers, accepted messages, every API request, status
callbacks and inbound webhooks it made, and what tests configured (opt-outs,
outcomes, forced errors, rate limits, URL rewrites), behind one lock; and
the pure helpers: the signature, SMS segments, Twilio's errors.

Status callbacks and webhooks are POSTed from worker threads: a timer
thread hands due jobs to a small pool.
"""
import base64
import concurrent.futures
import datetime
import email.utils
import hashlib
import heapq
import hmac
import json
import math
import re
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

API = "/2010-04-01"
E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
MAX_BODY = 1 << 20          # request bodies larger than this get 413
MAX_TEXT = 1600             # Twilio's limit on Body, in characters
HTTP_TIMEOUT = 10.0         # each outgoing callback or webhook POST

# Twilio's errors the simulator gives: code -> (HTTP status, message).
ERRORS = {
    20001: (400, "Invalid parameter: %s"),
    20003: (401, "Authenticate"),
    20004: (405, "Method not allowed"),
    20404: (404, "The requested resource %s was not found"),
    20429: (429, "Too Many Requests"),
    20500: (500, "Internal Server Error"),
    20503: (503, "Service Unavailable"),
    21211: (400, "The 'To' number %s is not a valid phone number."),
    21602: (400, "Message body is required."),
    21603: (400, "A 'From' phone number is required."),
    21604: (400, "A 'To' phone number is required."),
    21606: (400, "The From phone number %s is not a valid, SMS-capable inbound phone number "
                 "or short code for your account."),
    21609: (400, "Invalid StatusCallback url: %s"),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21617: (400, "The concatenated message body exceeds the 1600 character limit."),
    21620: (400, "Invalid media URL(s)"),
}
# The code of a forced error with only an HTTP status.
STATUS_CODES = {400: 20001, 401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503}
# Default ErrorCode of each final status that is a failure.
FAIL_CODES = {"failed": 30008, "undelivered": 30003}
# The status callbacks each outcome sends, in order.
OUTCOMES = {
    "delivered": ["sent", "delivered"],
    "undelivered": ["sent", "undelivered"],
    "failed": ["failed"],
    "sent": ["sent"],
    "none": [],
}

# -- pure helpers ---------------------------------------------------------------

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXT = set("\f^{}\\[~]|€")


def segments(text):
    """SMS parts text takes: GSM-7 (160, or 153 per part) when it fits,
    else UCS-2 in UTF-16 units (70, or 67 per part)."""
    if all(c in GSM7_BASIC or c in GSM7_EXT for c in text):
        units = sum(2 if c in GSM7_EXT else 1 for c in text)
        single, part = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
    return 1 if units <= single else math.ceil(units / part)


def twilio_signature(token, url, params):
    """X-Twilio-Signature: base64(HMAC-SHA1(token, url + key value ...)),
    params as (key, value) pairs (or a dict) sorted by key then value,
    identical pairs counted once (as Twilio's libraries do)."""
    pairs = params.items() if isinstance(params, dict) else params
    data = url + "".join(k + v for k, v in sorted(set(pairs)))
    mac = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


def new_sid(prefix):
    return prefix + secrets.token_hex(16)


def rfc2822(t):
    """Twilio's dates: "Wed, 18 Aug 2010 20:01:40 +0000"."""
    return email.utils.format_datetime(datetime.datetime.fromtimestamp(t, datetime.timezone.utc))


def twilio_error(code, arg=None, status=None, message=None):
    """(HTTP status, Twilio's JSON error) for code."""
    st, text = ERRORS.get(code, (status or 400, "Error"))
    if message is None:
        message = text % arg if "%s" in text else text
    st = status or st
    return st, {"code": code, "message": message, "status": st,
                "more_info": "https://www.twilio.com/docs/errors/%d" % code}


def http_url(u):
    p = urllib.parse.urlsplit(u or "")
    return p.scheme in ("http", "https") and bool(p.netloc)


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post_form(url, pairs, headers):
    """POST pairs form-encoded. Returns (HTTP status or None, error text or
    None, the first 1,000 characters of the answer)."""
    data = urllib.parse.urlencode(pairs).encode()
    req = urllib.request.Request(url, data=data, method="POST", headers=dict(
        headers, **{"Content-Type": "application/x-www-form-urlencoded",
                    "User-Agent": "TwilioProxy/1.1"}))
    try:
        with _opener.open(req, timeout=HTTP_TIMEOUT) as r:
            return r.status, None, r.read(1000).decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, None, e.read(1000).decode("utf-8", "replace")
    except (OSError, urllib.error.URLError) as e:
        return None, "%s: %s" % (type(e).__name__, e), ""


class ApiError(Exception):
    def __init__(self, code, arg=None, status=None, message=None, headers=None):
        super().__init__(code)
        self.status, self.body = twilio_error(code, arg, status, message)
        self.headers = headers or {}


class ControlError(Exception):
    pass


# -- state ----------------------------------------------------------------------

class Bucket:
    """A token bucket: `rate` tokens a second, at most `burst`."""

    def __init__(self, rate, burst):
        self.rate, self.burst = float(rate), float(burst)
        self.tokens, self.at = self.burst, time.monotonic()

    def take(self):
        """0 when a token was taken, else the seconds until there is one."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0
        return (1 - self.tokens) / self.rate


class Sim:
    """Everything the simulator knows, behind one lock."""

    def __init__(self, config):
        self.lock = threading.RLock()
        self.start_config = config
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=8)
        self.timers = []            # heap of (due, seq, fn)
        self.timer_cv = threading.Condition(self.lock)
        self.seq = 0
        threading.Thread(target=self._timer_loop, daemon=True).start()
        self.reset(keep_accounts=False)

    # -- configuration -----------------------------------------------------
    def reset(self, keep_accounts=False):
        c = self.start_config
        with self.lock:
            if not keep_accounts:
                self.accounts = {}
                self.numbers = {}   # E.164 -> number record
                for a in c.get("accounts", []):
                    self.add_account(a)
            self.messages = {}
            self.message_order = []
            self.requests = []
            self.callbacks = []
            self.inbound = []
            self.opt_outs = set(c.get("opt_outs", []))
            self.outcomes = {}
            self.forced = []
            self.rate = c.get("rate", 0)
            self.burst = c.get("burst")
            self.account_rates = {}
            self.buckets = {}
            self.callback_delay = float(c.get("callback_delay", 0.05))
            self.rewrite = dict(c.get("rewrite", {}))

    def add_account(self, a):
        """Creates or updates an account from {sid, token, numbers,
        friendly_name, sms_url, status}. Returns its public view."""
        sid = a.get("sid") or new_sid("AC")
        if not re.match(r"^AC[0-9a-f]{32}$", sid):
            raise ControlError("account sid must be AC and 32 lower-case hex digits: %r" % sid)
        with self.lock:
            acc = self.accounts.setdefault(sid, dict(
                sid=sid, token=secrets.token_hex(16), friendly_name="Test account " + sid[-6:],
                status="active", sms_url=None, date_created=time.time()))
            for k in ("token", "friendly_name", "status", "sms_url"):
                if a.get(k) is not None:
                    acc[k] = a[k]
            for n in a.get("numbers", []):
                if not E164.match(n):
                    raise ControlError("not an E.164 number: %r" % n)
                owner = self.numbers.get(n)
                if owner and owner["account_sid"] != sid:
                    raise ControlError("%s already belongs to %s" % (n, owner["account_sid"]))
                if not owner:
                    self.numbers[n] = dict(sid=new_sid("PN"), account_sid=sid, phone_number=n,
                                           friendly_name=n, sms_url=None, sms_method="POST",
                                           date_created=time.time())
            return self.account_view(acc)

    def account_view(self, acc):
        return dict(sid=acc["sid"], token=acc["token"], friendly_name=acc["friendly_name"],
                    status=acc["status"], sms_url=acc["sms_url"],
                    numbers=sorted(n for n, r in self.numbers.items()
                                   if r["account_sid"] == acc["sid"]))

    def bucket(self, sid):
        """The account's token bucket, or None when it is not limited."""
        rate, burst = self.account_rates.get(sid, (self.rate, self.burst))
        if not rate:
            return None
        b = self.buckets.get(sid)
        want = (float(rate), float(burst or max(1, rate)))
        if b is None or (b.rate, b.burst) != want:
            b = self.buckets[sid] = Bucket(*want)
        return b

    def take_forced(self, endpoint, sid):
        """The first forced behaviour matching this request, consumed."""
        with self.lock:
            for f in self.forced:
                if f["endpoint"] in (endpoint, "any") and f.get("account") in (None, sid):
                    f["count"] -= 1
                    if f["count"] <= 0:
                        self.forced.remove(f)
                    return dict(f)
        return None

    def target(self, url):
        """Where to POST a URL that is signed as it is (the rewrite map)."""
        for prefix, to in sorted(self.rewrite.items(), key=lambda kv: -len(kv[0])):
            if url.startswith(prefix):
                return to + url[len(prefix):]
        return url

    # -- timers --------------------------------------------------------------
    def later(self, delay, fn):
        with self.lock:
            self.seq += 1
            heapq.heappush(self.timers, (time.monotonic() + delay, self.seq, fn))
            self.timer_cv.notify()

    def _timer_loop(self):
        with self.lock:
            while True:
                now = time.monotonic()
                if self.timers and self.timers[0][0] <= now:
                    fn = heapq.heappop(self.timers)[2]
                    self.pool.submit(fn)
                    continue
                self.timer_cv.wait(self.timers[0][0] - now if self.timers else None)

    # -- status callbacks ----------------------------------------------------
    def schedule_statuses(self, msg, outcome):
        statuses = list(outcome.get("statuses") or OUTCOMES[outcome.get("outcome", "delivered")])
        delay = outcome.get("delay")
        delay = self.callback_delay if delay is None else float(delay)

        def step():
            if not statuses:
                return
            st = statuses.pop(0)
            code = (outcome.get("error_code") or FAIL_CODES[st]) if st in FAIL_CODES else None
            if not self.set_status(msg["sid"], st, code):
                return  # forgotten by a reset
            if msg["status_callback"]:
                self.status_callback(msg, st, code)
            if statuses:
                self.later(delay, step)
        if statuses:
            self.later(delay, step)

    def set_status(self, sid, status, error_code):
        """Whether message sid (still) exists; it takes that status."""
        with self.lock:
            m = self.messages.get(sid)
            if m is None:
                return False
            m["status"] = status
            m["error_code"] = error_code
            m["statuses"].append(status)
            m["date_updated"] = time.time()
            if status == "sent" and not m["date_sent"]:
                m["date_sent"] = time.time()
            return True

    def status_callback(self, msg, status, error_code, url=None):
        """POSTs one signed status callback now; returns its record."""
        url = url or msg["status_callback"]
        params = dict(MessageSid=msg["sid"], SmsSid=msg["sid"], MessageStatus=status,
                      SmsStatus=status, AccountSid=msg["account_sid"], From=msg["from"],
                      To=msg["to"], ApiVersion="2010-04-01")
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        with self.lock:
            token = self.accounts[msg["account_sid"]]["token"]
            target = self.target(url)
        sig = twilio_signature(token, url, params)
        t0 = time.time()
        st, err, answer = post_form(target, params, {"X-Twilio-Signature": sig})
        rec = dict(message_sid=msg["sid"], message_status=status, url=url, target=target,
                   params=params, signature=sig, status=st, error=err, answer=answer,
                   time=t0, duration=time.time() - t0)
        with self.lock:
            self.callbacks.append(rec)
        log("callback %s %s -> %s" % (msg["sid"], status, st or err))
        return rec

    # -- inbound webhooks ----------------------------------------------------
    def make_inbound(self, o):
        """The record of an inbound delivery from the options of POST
        /_sim/inbound (documented in tests/e2e/harness/twilio.py)."""
        for k in ("from", "to"):
            if not o.get(k):
                raise ControlError("inbound: '%s' is required" % k)
        with self.lock:
            num = self.numbers.get(o["to"])
            sid = o.get("account") or (num and num["account_sid"])
            if sid not in self.accounts:
                raise ControlError("inbound: no account (give 'account', or 'to' an owned number)")
            acc = self.accounts[sid]
            url = o.get("url") or (num and num["sms_url"]) or acc["sms_url"]
            if not url:
                raise ControlError("inbound: no URL (give 'url', or set an sms_url)")
            token = acc["token"]
            target = self.target(url)
        media = list(o.get("media") or [])
        types = list(o.get("media_types") or [])
        body = o.get("body", "")
        msid = o.get("message_sid") or new_sid("SM")
        params = dict(MessageSid=msid, SmsSid=msid, SmsMessageSid=msid, AccountSid=sid,
                      From=o["from"], To=o["to"], Body=body, NumMedia=str(len(media)),
                      NumSegments=str(o.get("num_segments") or segments(body)),
                      SmsStatus="received", ApiVersion="2010-04-01")
        for i, m in enumerate(media):
            params["MediaUrl%d" % i] = m
            params["MediaContentType%d" % i] = types[i] if i < len(types) else "image/jpeg"
        params.update({k: str(v) for k, v in (o.get("extra") or {}).items()})
        mode = o.get("signature", "valid")
        sign_url = o.get("sign_url") or url
        if mode == "valid":
            sig = twilio_signature(token, sign_url, params)
        elif mode == "forged":
            sig = twilio_signature(token + "-forged", sign_url, params)
        elif mode == "missing":
            sig = None
        elif isinstance(mode, str) and mode.startswith("literal:"):
            sig = mode[len("literal:"):]
        else:
            raise ControlError("inbound: signature is valid, forged, missing or literal:<value>")
        rec = dict(id=None, message_sid=msid, url=url, target=target, params=params,
                   signature_mode=mode, signature=sig, attempts=[], done=False,
                   repeat=int(o.get("repeat", 1)), retries=int(o.get("retries", 0)),
                   retry_delay=float(o.get("retry_delay", 0.2)))
        with self.lock:
            rec["id"] = len(self.inbound)
            self.inbound.append(rec)
        return rec

    def deliver_inbound(self, rec):
        headers = {"X-Twilio-Signature": rec["signature"]} if rec["signature"] is not None else {}
        for copy in range(rec["repeat"]):
            for attempt in range(rec["retries"] + 1):
                t0 = time.time()
                st, err, answer = post_form(rec["target"], rec["params"], headers)
                with self.lock:
                    rec["attempts"].append(dict(copy=copy, attempt=attempt, status=st, error=err,
                                                answer=answer, time=t0,
                                                duration=time.time() - t0))
                log("inbound %s copy %d attempt %d -> %s" % (rec["message_sid"], copy, attempt,
                                                             st or err))
                if st is not None and 200 <= st < 300:
                    break
                if attempt < rec["retries"]:
                    time.sleep(rec["retry_delay"])
        with self.lock:
            rec["done"] = True
        return rec


def log(line):
    sys.stderr.write("%s %s\n" % (time.strftime("%H:%M:%S"), line))
    sys.stderr.flush()


def jsonable(rec):
    return json.loads(json.dumps(rec, default=str))
