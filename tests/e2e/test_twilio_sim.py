"""The Twilio-style provider simulator itself (the twilio driver's test
peer), with stdlib HTTP clients and no XMPP server or gateway: the
signature against Twilio's published example, account and number lookups
with Basic auth, sends and each error, forced errors and dropped
connections, the rate limit's 429 with Retry-After, signed status
callbacks (delivered, undelivered, failed) reaching a stdlib receiver
that checks the signature with its own code, and inbound webhooks with
valid, forged and missing signatures, duplicates, retries and media."""
import base64
import hashlib
import hmac
import http.client
import http.server
import json
import re
import secrets
import threading
import time
import urllib.parse

import pytest

from harness.twilio import TwilioSim, twilio_signature
from harness.util import free_port, wait_until

# Twilio's published example (the same one the C unit test checks).
EXAMPLE_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
EXAMPLE_PARAMS = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
                  "From": "+12349013030", "To": "+18005551212"}
EXAMPLE_TOKEN = "12345"
EXAMPLE_SIG = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def signature(token, url, pairs):
    """X-Twilio-Signature computed here, independently of the simulator."""
    data = url + "".join(k + v for k, v in sorted(pairs))
    mac = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


class Receiver:
    """A stdlib HTTP server on 127.0.0.1 standing in for the gateway's
    webhook server. It records every request, checks X-Twilio-Signature
    with `tokens` (account SID -> token) over `public` + path (default its
    own address) and answers 403 when it does not verify, else the next of
    `codes` (200 once they run out)."""

    def __init__(self):
        self.requests = []
        self.codes = []
        self.tokens = {}
        self.public = None
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                pairs = urllib.parse.parse_qsl(self.rfile.read(n).decode(),
                                               keep_blank_values=True)
                params = dict(pairs)
                url = (outer.public or outer.url("")) + self.path
                given = self.headers.get("X-Twilio-Signature")
                token = outer.tokens.get(params.get("AccountSid"))
                valid = bool(token) and given == signature(token, url, pairs)
                with outer.lock:
                    code = (outer.codes.pop(0) if outer.codes else 200) if valid else 403
                    outer.requests.append(dict(path=self.path, params=params, signature=given,
                                               valid=valid, code=code))
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def matching(self, path):
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def wait(self, path, count=1, timeout=10.0):
        return wait_until(lambda: self.matching(path) if len(self.matching(path)) >= count
                          else None, timeout, "%d request(s) to %s" % (count, path))

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def sim():
    s = TwilioSim(callback_delay=0.05).start()
    yield s
    s.cleanup()


@pytest.fixture(scope="module")
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(autouse=True)
def diagnostics_on_failure(request, sim):
    failed = request.session.testsfailed
    yield
    if request.session.testsfailed > failed:
        print(sim.diagnostics())


def number():
    """A fresh NANP-shaped number, so tests never see each other's texts."""
    return "+1555%07d" % secrets.randbelow(10 ** 7)


def path_id():
    return "/cb/" + secrets.token_hex(4)


@pytest.fixture
def account(sim, receiver):
    """A fresh account owning one number, its token known to the receiver."""
    acc = sim.add_account(numbers=[number()])
    receiver.tokens[acc.sid] = acc.token
    return acc


def api(sim, method, path, auth=None, form=None, query=None):
    """A provider API request: (status, headers, decoded JSON)."""
    conn = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=10)
    headers = {}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(
            ("%s:%s" % auth).encode()).decode()
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    url = "/2010-04-01" + path + ("?" + urllib.parse.urlencode(query) if query else "")
    try:
        conn.request(method, url, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, r.headers, json.loads(r.read())
    finally:
        conn.close()


def send(sim, acc, to, body="hello", auth=None, **more):
    form = [("To", to), ("From", more.pop("frm", acc.numbers[0])), ("Body", body)]
    for k, v in more.items():
        form += [(k, x) for x in (v if isinstance(v, list) else [v])]
    auth = acc.auth if auth is None else auth  # False: no Authorization header
    return api(sim, "POST", "/Accounts/%s/Messages.json" % acc.sid, auth, form)


def assert_error(result, status, code):
    st, headers, body = result
    assert (st, body["code"], body["status"]) == (status, code, status), body
    assert body["more_info"] == "https://www.twilio.com/docs/errors/%d" % code
    assert body["message"]
    return headers


# -- signature ---------------------------------------------------------------------

def test_signature_published_example():
    assert signature(EXAMPLE_TOKEN, EXAMPLE_URL, EXAMPLE_PARAMS.items()) == EXAMPLE_SIG
    shuffled = dict(reversed(list(EXAMPLE_PARAMS.items())))
    assert twilio_signature(EXAMPLE_TOKEN, EXAMPLE_URL, shuffled) == EXAMPLE_SIG
    assert twilio_signature(EXAMPLE_TOKEN, EXAMPLE_URL, list(EXAMPLE_PARAMS.items())) \
        == EXAMPLE_SIG
    assert twilio_signature("12346", EXAMPLE_URL, EXAMPLE_PARAMS) != EXAMPLE_SIG


# -- lookups -----------------------------------------------------------------------

def test_account_lookup(sim, account):
    st, _, body = api(sim, "GET", "/Accounts/%s.json" % account.sid, account.auth)
    assert st == 200
    assert (body["sid"], body["status"]) == (account.sid, "active")
    assert body["friendly_name"] == account.friendly_name
    other = sim.add_account()
    for auth in [(account.sid, account.token + "x"), (account.sid, ""), None,
                 other.auth, (other.sid, account.token)]:
        headers = assert_error(api(sim, "GET", "/Accounts/%s.json" % account.sid, auth),
                               401, 20003)
        assert headers["WWW-Authenticate"].startswith("Basic")
    unknown = "AC" + secrets.token_hex(16)
    assert_error(api(sim, "GET", "/Accounts/%s.json" % unknown, (unknown, "x")), 401, 20003)
    reqs = sim.requests(path="/2010-04-01/Accounts/%s.json" % account.sid)
    assert [r["auth_ok"] for r in reqs] == [True] + [False] * 5
    assert reqs[0]["auth_user"] == account.sid


def test_number_lookup(sim, account):
    mine = account.numbers[0]
    second = number()
    sim.add_account(sid=account.sid, numbers=[second])
    path = "/Accounts/%s/IncomingPhoneNumbers.json" % account.sid
    st, _, body = api(sim, "GET", path, account.auth, query={"PhoneNumber": mine})
    assert st == 200
    [n] = body["incoming_phone_numbers"]
    assert (n["phone_number"], n["account_sid"]) == (mine, account.sid)
    assert re.fullmatch(r"PN[0-9a-f]{32}", n["sid"]) and n["capabilities"]["sms"]
    # Not owned: someone else's, or nobody's.
    theirs = sim.add_account(numbers=[number()]).numbers[0]
    for other in (theirs, number()):
        assert api(sim, "GET", path, account.auth, query={"PhoneNumber": other})[2][
            "incoming_phone_numbers"] == []
    st, _, body = api(sim, "GET", path, account.auth)
    assert sorted(x["phone_number"] for x in body["incoming_phone_numbers"]) == sorted(
        [mine, second])
    assert_error(api(sim, "GET", path, (account.sid, "bad"), query={"PhoneNumber": mine}),
                 401, 20003)
    # A number's SmsUrl is set as at Twilio, and inbound texts go there.
    st, _, upd = api(sim, "POST", "/Accounts/%s/IncomingPhoneNumbers/%s.json"
                     % (account.sid, n["sid"]), account.auth, [("SmsUrl", "http://x.invalid/s")])
    assert (st, upd["sms_url"]) == (200, "http://x.invalid/s")


# -- sending -----------------------------------------------------------------------

def test_send_accepted(sim, account):
    to = number()
    st, _, m = send(sim, account, to, "Hello €", MediaUrl=["https://e.invalid/a.jpg",
                                                           "http://e.invalid/b.png"])
    assert st == 201
    assert re.fullmatch(r"SM[0-9a-f]{32}", m["sid"])
    assert (m["status"], m["to"], m["from"], m["body"]) == ("queued", to, account.numbers[0],
                                                          "Hello €")
    assert (m["num_segments"], m["num_media"], m["error_code"]) == ("1", "2", None)
    assert m["account_sid"] == account.sid and m["date_created"].endswith("+0000")
    [rec] = sim.messages(to=to)
    assert rec["sid"] == m["sid"] and rec["auth_user"] == account.sid
    assert rec["media_urls"] == ["https://e.invalid/a.jpg", "http://e.invalid/b.png"]
    assert ["MediaUrl", "http://e.invalid/b.png"] in rec["params"]
    # Without a StatusCallback the status still moves on.
    wait_until(lambda: sim.messages(to=to)[0]["status"] == "delivered", 10, "delivered")
    st, _, got = api(sim, "GET", "/Accounts/%s/Messages/%s.json" % (account.sid, m["sid"]),
                     account.auth)
    assert (st, got["status"]) == (200, "delivered")
    # Segments: GSM-7 153 per part, UCS-2 67 per part.
    assert send(sim, account, number(), "a" * 161)[2]["num_segments"] == "2"
    assert send(sim, account, number(), "ж" * 71)[2]["num_segments"] == "2"


@pytest.mark.parametrize("case", ["bad_token", "no_auth", "invalid_to", "short_code_to",
                                  "no_to", "from_not_owned", "no_from", "no_body",
                                  "too_long", "bad_media", "bad_callback", "opted_out"])
def test_send_errors(sim, account, case):
    to = number()
    other = sim.add_account(numbers=[number()])
    status, code, kw = {
        "bad_token": (401, 20003, dict(auth=(account.sid, "wrong"))),
        "no_auth": (401, 20003, dict(auth=False)),
        "invalid_to": (400, 21211, dict(to="15551234567")),
        "short_code_to": (400, 21211, dict(to="12345")),
        "no_to": (400, 21604, dict(to="")),
        "from_not_owned": (400, 21606, dict(frm=other.numbers[0])),
        "no_from": (400, 21603, dict(frm="")),
        "no_body": (400, 21602, dict(body="")),
        "too_long": (400, 21617, dict(body="x" * 1601)),
        "bad_media": (400, 21620, dict(MediaUrl="ftp://e.invalid/a")),
        "bad_callback": (400, 21609, dict(StatusCallback="not a url")),
        "opted_out": (400, 21610, {}),
    }[case]
    if case == "opted_out":
        sim.set_opt_out(to)
    to = kw.pop("to", to)
    assert_error(send(sim, account, to, **kw), status, code)
    assert sim.messages(account_sid=account.sid) == []
    [req] = sim.requests(path="/2010-04-01/Accounts/%s/Messages.json" % account.sid)
    assert (req["status"], req["code"], req["sid"]) == (status, code, None)
    if case == "opted_out":
        sim.set_opt_out(to, opted_out=False)
        assert send(sim, account, to)[0] == 201


def test_forced_errors(sim, account):
    sim.force(500, account=account.sid)
    sim.force(503, account=account.sid)
    assert_error(send(sim, account, number()), 500, 20500)
    assert_error(send(sim, account, number()), 503, 20503)
    assert send(sim, account, number())[0] == 201
    # Lookups can be forced to fail too; bad auth still comes first.
    sim.force(503, endpoint="account", account=account.sid)
    assert_error(api(sim, "GET", "/Accounts/%s.json" % account.sid, (account.sid, "x")),
                 401, 20003)
    assert_error(api(sim, "GET", "/Accounts/%s.json" % account.sid, account.auth), 503, 20503)
    assert api(sim, "GET", "/Accounts/%s.json" % account.sid, account.auth)[0] == 200


def test_dropped_connection(sim, account):
    """A closed connection: the text was either not taken or taken, and the
    client cannot tell which."""
    lost, taken = number(), number()
    sim.force("drop", account=account.sid)
    sim.force("drop", account=account.sid, accept=True)
    for to in (lost, taken):
        with pytest.raises((http.client.HTTPException, ConnectionError)):
            send(sim, account, to)
    assert sim.messages(to=lost) == []
    [m] = sim.messages(to=taken)
    assert [r["status"] for r in sim.requests(auth_user=account.sid)] == ["dropped", "dropped"]
    assert sim.requests(auth_user=account.sid)[1]["sid"] == m["sid"]


def test_rate_limit_429(sim, account):
    sim.set_rate_limit(1, burst=2, account=account.sid)
    assert [send(sim, account, number())[0] for _ in range(2)] == [201, 201]
    headers = assert_error(send(sim, account, number()), 429, 20429)
    wait = int(headers["Retry-After"])
    assert 1 <= wait <= 2
    time.sleep(wait)
    assert send(sim, account, number())[0] == 201
    # Other accounts keep the default (no limit).
    other = sim.add_account(numbers=[number()])
    assert [send(sim, other, number())[0] for _ in range(5)] == [201] * 5
    # A forced 429 carries the Retry-After it was given.
    sim.set_rate_limit(0, account=account.sid)
    sim.force(429, account=account.sid, retry_after=7)
    sim.force(429, account=account.sid)
    assert assert_error(send(sim, account, number()), 429, 20429)["Retry-After"] == "7"
    assert assert_error(send(sim, account, number()), 429, 20429)["Retry-After"] == "1"
    assert send(sim, account, number())[0] == 201


# -- status callbacks --------------------------------------------------------------

def test_status_callbacks_delivered(sim, account, receiver):
    path = path_id()
    to = number()
    st, _, m = send(sim, account, to, StatusCallback=receiver.url(path))
    assert st == 201
    got = receiver.wait(path, 2)
    assert [r["params"]["MessageStatus"] for r in got] == ["sent", "delivered"]
    assert all(r["valid"] for r in got), got
    p = got[1]["params"]
    assert (p["MessageSid"], p["SmsSid"], p["AccountSid"], p["From"], p["To"]) == (
        m["sid"], m["sid"], account.sid, account.numbers[0], to)
    assert "ErrorCode" not in p
    cbs = sim.wait_callbacks(2, message_sid=m["sid"])
    assert [(c["message_status"], c["status"]) for c in cbs] == [("sent", 200),
                                                                 ("delivered", 200)]
    assert cbs[0]["signature"] == got[0]["signature"]
    assert sim.messages(sid=m["sid"])[0]["statuses"] == ["queued", "sent", "delivered"]


@pytest.mark.parametrize("outcome,statuses,code", [
    ("undelivered", ["sent", "undelivered"], "30005"),
    ("failed", ["failed"], "30008")])
def test_status_callbacks_failure(sim, account, receiver, outcome, statuses, code):
    path = path_id()
    to = number()
    sim.set_outcome(to, outcome, error_code=30005 if outcome == "undelivered" else None)
    m = send(sim, account, to, StatusCallback=receiver.url(path))[2]
    got = receiver.wait(path, len(statuses))
    assert [r["params"]["MessageStatus"] for r in got] == statuses
    assert all(r["valid"] for r in got)
    assert got[-1]["params"]["ErrorCode"] == code
    wait_until(lambda: sim.messages(sid=m["sid"])[0]["status"] == outcome, 10, outcome)
    assert api(sim, "GET", "/Accounts/%s/Messages/%s.json" % (account.sid, m["sid"]),
               account.auth)[2]["error_code"] == int(code)


def test_callback_answers_recorded_not_retried(sim, account, receiver):
    path = path_id()
    to = number()
    receiver.codes[:] = [500]
    m = send(sim, account, to, StatusCallback=receiver.url(path))[2]
    cbs = sim.wait_callbacks(2, message_sid=m["sid"])
    assert [(c["message_status"], c["status"]) for c in cbs] == [("sent", 500),
                                                                 ("delivered", 200)]
    time.sleep(0.3)
    assert len(receiver.matching(path)) == 2
    # Nobody listening: recorded with no status and the error.
    m2 = send(sim, account, number(), StatusCallback="http://127.0.0.1:%d/gone" % free_port())[2]
    cbs = sim.wait_callbacks(2, message_sid=m2["sid"])
    assert all(c["status"] is None and c["error"] for c in cbs), cbs


def test_status_pushed_on_demand(sim, account, receiver):
    path = path_id()
    to = number()
    sim.set_outcome(to, "none")
    m = send(sim, account, to, StatusCallback=receiver.url(path))[2]
    time.sleep(0.3)
    assert receiver.matching(path) == [] and sim.callbacks(message_sid=m["sid"]) == []
    rec = sim.push_status(m["sid"], "undelivered", error_code=30006)
    assert rec["status"] == 200
    [r] = receiver.matching(path)
    assert (r["params"]["MessageStatus"], r["params"]["ErrorCode"], r["valid"]) == (
        "undelivered", "30006", True)


# -- inbound webhooks --------------------------------------------------------------

def test_inbound_valid_signature(sim, account, receiver):
    path = path_id()
    frm = number()
    rec = sim.inbound(frm, account.numbers[0], "Hi there ☺", url=receiver.url(path))
    [r] = receiver.matching(path)
    assert r["valid"]
    p = r["params"]
    assert re.fullmatch(r"SM[0-9a-f]{32}", p["MessageSid"])
    assert p["MessageSid"] == p["SmsSid"] == p["SmsMessageSid"] == rec["message_sid"]
    assert (p["AccountSid"], p["From"], p["To"], p["Body"]) == (
        account.sid, frm, account.numbers[0], "Hi there ☺")
    assert (p["NumMedia"], p["NumSegments"], p["SmsStatus"]) == ("0", "1", "received")
    assert [a["status"] for a in rec["attempts"]] == [200]
    assert sim.inbound_log(message_sid=rec["message_sid"])[0]["done"]


def test_inbound_default_url(sim, receiver):
    """Without a URL: the number's SmsUrl, else the account's."""
    on_number, on_account = path_id(), path_id()
    acc = sim.add_account(numbers=[number(), number()], sms_url=receiver.url(on_account))
    receiver.tokens[acc.sid] = acc.token
    pn = api(sim, "GET", "/Accounts/%s/IncomingPhoneNumbers.json" % acc.sid, acc.auth,
             query={"PhoneNumber": acc.numbers[0]})[2]["incoming_phone_numbers"][0]
    api(sim, "POST", "/Accounts/%s/IncomingPhoneNumbers/%s.json" % (acc.sid, pn["sid"]),
        acc.auth, [("SmsUrl", receiver.url(on_number))])
    sim.inbound(number(), acc.numbers[0], "one")
    sim.inbound(number(), acc.numbers[1], "two")
    assert [r["params"]["Body"] for r in receiver.matching(on_number)] == ["one"]
    assert [r["params"]["Body"] for r in receiver.matching(on_account)] == ["two"]


@pytest.mark.parametrize("mode", ["forged", "missing", "literal:AAAA"])
def test_inbound_bad_signature(sim, account, receiver, mode):
    path = path_id()
    rec = sim.inbound(number(), account.numbers[0], "x", url=receiver.url(path), signature=mode)
    [r] = receiver.matching(path)
    assert not r["valid"]
    if mode == "missing":
        assert r["signature"] is None
    else:
        assert r["signature"] == rec["signature"]
        assert r["signature"] != signature(account.token, receiver.url(path),
                                           r["params"].items())
    assert [a["status"] for a in rec["attempts"]] == [403]


def test_inbound_signed_url_differs(sim, account, receiver):
    """A signature over another URL than the one posted to does not verify
    there; with a rewrite the public URL is signed and the local one posted."""
    path = path_id()
    rec = sim.inbound(number(), account.numbers[0], "x", url=receiver.url(path),
                      sign_url="https://sms.example.invalid" + path)
    assert [a["status"] for a in rec["attempts"]] == [403]
    public = "https://sms.example.invalid"
    sim.set_rewrite({public: receiver.url("")})
    receiver.public = public
    try:
        rec = sim.inbound(number(), account.numbers[0], "y", url=public + path)
        assert rec["target"] == receiver.url(path) and rec["url"] == public + path
        assert [a["status"] for a in rec["attempts"]] == [200]
        assert receiver.matching(path)[-1]["valid"]
    finally:
        sim.set_rewrite({})
        receiver.public = None


def test_inbound_duplicates(sim, account, receiver):
    path = path_id()
    rec = sim.inbound(number(), account.numbers[0], "dup", url=receiver.url(path), repeat=3)
    got = receiver.matching(path)
    assert [r["params"]["MessageSid"] for r in got] == [rec["message_sid"]] * 3
    assert all(r["valid"] for r in got)
    assert [(a["copy"], a["status"]) for a in rec["attempts"]] == [(0, 200), (1, 200),
                                                                   (2, 200)]
    again = sim.inbound(number(), account.numbers[0], "dup", url=receiver.url(path),
                        message_sid=rec["message_sid"])
    assert again["message_sid"] == rec["message_sid"]
    assert len(receiver.matching(path)) == 4


def test_inbound_retries(sim, account, receiver):
    path = path_id()
    receiver.codes[:] = [500, 503]
    rec = sim.inbound(number(), account.numbers[0], "r", url=receiver.url(path), retries=3,
                      retry_delay=0.05)
    assert [a["status"] for a in rec["attempts"]] == [500, 503, 200]
    assert len({r["params"]["MessageSid"] for r in receiver.matching(path)}) == 1
    # Without retries a failure is final; without a listener there is no status.
    receiver.codes[:] = [500]
    rec = sim.inbound(number(), account.numbers[0], "r", url=receiver.url(path))
    assert [a["status"] for a in rec["attempts"]] == [500]
    rec = sim.inbound(number(), account.numbers[0], "r", url="http://127.0.0.1:%d/" % free_port(),
                      retries=1, retry_delay=0.05)
    assert [a["status"] for a in rec["attempts"]] == [None, None]
    assert rec["attempts"][0]["error"]


def test_inbound_media_and_background(sim, account, receiver):
    path = path_id()
    media = ["https://media.example.invalid/1", "https://media.example.invalid/2"]
    rec = sim.inbound(number(), account.numbers[0], "", url=receiver.url(path), media=media,
                      media_types=["image/png"], wait=False)
    rec = sim.wait_inbound_done(rec["id"])
    [r] = receiver.matching(path)
    p = r["params"]
    assert r["valid"] and p["NumMedia"] == "2" and p["Body"] == ""
    assert (p["MediaUrl0"], p["MediaUrl1"]) == tuple(media)
    assert (p["MediaContentType0"], p["MediaContentType1"]) == ("image/png", "image/jpeg")
    assert [a["status"] for a in rec["attempts"]] == [200]


# -- the process -------------------------------------------------------------------

def test_process_port_line_and_clean_stop():
    acc = dict(sid="AC" + secrets.token_hex(16), token="t" * 32, numbers=["+15550009999"])
    s = TwilioSim(accounts=[acc]).start()
    try:
        with open(s.proc.out_path) as f:
            assert f.readline().strip() == str(s.port)
        assert api(s, "GET", "/Accounts/%s.json" % acc["sid"],
                   (acc["sid"], acc["token"]))[0] == 200
        s.add_account(numbers=[number()])
        s.reset()
        assert [a["sid"] for a in s.accounts()] == [acc["sid"]]
        proc = s.proc.proc
        s.stop()
        assert proc.returncode == 0
    finally:
        s.cleanup()
