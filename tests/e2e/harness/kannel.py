"""Kannel 1.4.5 (bearerbox + smsbox) run privately on 127.0.0.1, with the
fake SMS centre from kannel-extras, for the SMS backend's tests.

Layout (all ports free ones picked at run time, never Debian's 13000,
13001 and 13013; a taken port is refused):

- bearerbox: admin port (status page), smsbox port, and two `smsc = fake`
  listeners, both bound to 127.0.0.1 with `our-host`:
  - "sink": a persistent fakesmsc client receives every outgoing message
    and prints it as `Got message N: <sender receiver type payload>`;
  - "inject": `allowed-smsc-id = inject`, so nothing is routed to it; a
    short-lived fakesmsc is started per incoming message, which it sends
    as if from a phone, and stopped once bearerbox counted it.
- smsbox: /cgi-bin/sendsms for the sendsms-user (concatenation on, up to
  MAX_PARTS parts), and the default sms-service that POSTs every incoming
  message to the caller's URL (`mo_url` + MO_QUERY, with a secret token),
  never answers by SMS (`max-messages = 0`), and retries failed callbacks
  (`http-request-retry`, `http-queue-delay`). `mo-recode = true` turns
  incoming UCS-2 into UTF-8.

Callbacks (incoming messages and delivery reports alike) count as done
only on HTTP 200 or 202. Anything else - 201, 204, 3xx, 4xx, 5xx, a
refused connection - is retried, `retries` more times at most,
`retry_delay` seconds apart, and then dropped.

Every process is started by us and stopped by its PID. Kannel's other
behaviours the tests rely on are written down where they matter below.
"""
import os
import re
import secrets
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from .ircd import Daemon
from .util import free_port, missing, refuse_if_taken, require_tool, tail, wait_until

FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
DEBIAN_PORTS = {13000, 13001, 13013}
MAX_PARTS = 10

# The query the incoming-message callback gets (Kannel escape codes): the
# text also arrives as the POST body, as text/plain; charset="UTF-8", with
# X-Kannel-To/-SMSC/-Coding/-Time headers (but no X-Kannel-From).
MO_QUERY = ("from=%p&to=%P&text=%b&id=%I&smsc=%i&coding=%c&charset=%C&time=%T")
# The delivery-report callback (always a GET). In a report Kannel's %p is
# the handset the text went to and %P the original sender; %A is the SMSC's
# reply ("ACK/" with status 8), %F its message id (empty with status 8).
DLR_QUERY = "status=%d&number=%p&sender=%P&reply=%A&fid=%F&smsc=%i&time=%T"


def _ports(n):
    """n distinct free ports, none of Debian's Kannel defaults."""
    out = []
    while len(out) < n:
        p = free_port()
        if p not in DEBIAN_PORTS and p not in out:
            out.append(p)
    return out


def _with_query(url, query):
    return url + ("&" if "?" in url else "?") + query


@dataclass
class SinkMessage:
    """One message the sink fakesmsc printed."""
    n: int
    sender: str
    receiver: str
    kind: str          # "text", "ucs-2" or "data" (parts of concatenated messages)
    udh: bytes         # b"" unless concatenated: 05 00 03 ref total seq
    payload: bytes     # the text as bytes: UTF-8 (text), UTF-16BE (ucs-2), raw (data)

    @property
    def text(self):
        if self.kind == "ucs-2":
            return self.payload.decode("utf-16-be")
        return self.payload.decode("utf-8")

    @property
    def part(self):
        """(ref, total, seq) of a concatenated part, or None."""
        if len(self.udh) >= 6 and self.udh[:3] == b"\x05\x00\x03":
            return self.udh[3], self.udh[4], self.udh[5]
        return None


_GOT = re.compile(r"Got message (\d+): <(.*)>$", re.M)


def parse_sink(output):
    """Every message in a sink fakesmsc's output, in order.

    Kannel 1.4.5 prints `sender receiver text <text>` for GSM text, `...
    ucs-2 <url-encoded UTF-16BE>` for coding=2, and for each part of a
    concatenated message `... udh <url-encoded UDH> data <url-encoded
    bytes>`, whatever the coding (UTF-8 for text, UTF-16BE for UCS-2; it
    splits UCS-2 at 134 bytes, even inside a surrogate pair).

    The fake SMSC's protocol is one line per message and sends GSM text as
    it is: a text with a newline reaches the sink as two messages (the
    second with no sender). With coding=2 the payload is URL-encoded and
    arrives whole."""
    out = []
    for m in _GOT.finditer(output):
        fields = m.group(2).split(" ", 2)
        if len(fields) < 3:
            continue  # the rest of a GSM text cut at a newline (see above)
        sender, receiver, rest = fields
        udh = b""
        if rest.startswith("udh "):
            _, enc, rest = rest.split(" ", 2)
            udh = urllib.parse.unquote_to_bytes(enc)
        kind, _, payload = rest.partition(" ")
        if kind == "text":
            data = payload.encode("utf-8")
        else:
            data = urllib.parse.unquote_to_bytes(payload.replace("+", " "))
        out.append(SinkMessage(int(m.group(1)), sender, receiver, kind, udh, data))
    return out


def join_parts(parts, encoding="utf-8"):
    """The text of a concatenated message from its parts (any order)."""
    assert parts and all(p.part for p in parts), "not parts of a concatenated message"
    assert len({p.part[0] for p in parts}) == 1, "parts of more than one message"
    total = parts[0].part[1]
    seqs = sorted(p.part[2] for p in parts)
    assert seqs == list(range(1, total + 1)), "parts %s of %d" % (seqs, total)
    data = b"".join(p.payload for p in sorted(parts, key=lambda p: p.part[2]))
    return data.decode(encoding)


class _Box(Daemon):
    """bearerbox or smsbox on the shared configuration file."""

    def __init__(self, dir_, name, exe, config):
        self.name = name
        self.exe = exe
        self.config = config
        super().__init__(dir_)

    def command(self):
        # -v 2: warnings and worse on stderr; the debug log is the log-file.
        return [self.exe, "-v", "2", self.config]


class _Fakesmsc(Daemon):
    def __init__(self, dir_, name, port, line, count):
        self.name = name
        self.port = port
        self.line = line
        self.count = count
        super().__init__(dir_)

    def command(self):
        # -m 0: send nothing, only print what arrives. Either way fakesmsc
        # stays connected until it is stopped.
        return [FAKESMSC, "-H", "127.0.0.1", "-r", str(self.port), "-i", "0",
                "-m", str(self.count), self.line]


class Kannel:
    """bearerbox + smsbox + a sink fakesmsc. `mo_url`: where incoming
    messages are POSTed (MO_QUERY and the token are appended)."""

    def __init__(self, mo_url, retries=5, retry_delay=1, base=None):
        for tool in ("bearerbox", "smsbox"):
            require_tool(tool)
        if not os.access(FAKESMSC, os.X_OK):
            missing("%s (Debian package kannel-extras)" % FAKESMSC)
        self.bearerbox_exe = shutil.which("bearerbox")
        self.smsbox_exe = shutil.which("smsbox")
        self.dir = base or tempfile.mkdtemp(prefix="xgw-kannel-")
        (self.admin_port, self.smsbox_port, self.sink_port, self.inject_port,
         self.sendsms_port) = _ports(5)
        self.admin_password = secrets.token_hex(8)
        self.user = "gw"
        self.password = secrets.token_hex(8)
        self.token = secrets.token_hex(12)
        self.mo_url = _with_query(mo_url, "token=%s&%s" % (self.token, MO_QUERY))
        self.config = os.path.join(self.dir, "kannel.conf")
        self._write_config(retries, retry_delay)
        self.bearerbox = _Box(self.dir, "bearerbox", self.bearerbox_exe, self.config)
        self.smsbox = _Box(self.dir, "smsbox", self.smsbox_exe, self.config)
        self.sink = _Fakesmsc(self.dir, "sink", self.sink_port, "0 0 text -", 0)
        self.injected = 0

    def _write_config(self, retries, retry_delay):
        d = self.dir
        with open(self.config, "w") as f:
            f.write("""# private test Kannel
group = core
admin-port = %(admin)d
admin-interface = 127.0.0.1
admin-password = %(apw)s
status-password = %(apw)s
admin-allow-ip = 127.0.0.1
smsbox-port = %(smsbox)d
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "%(d)s/bearerbox.log"
log-level = 0
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = sink
our-host = 127.0.0.1
port = %(sink)d
connect-allow-ip = 127.0.0.1

group = smsc
smsc = fake
smsc-id = inject
our-host = 127.0.0.1
port = %(inject)d
connect-allow-ip = 127.0.0.1
allowed-smsc-id = inject

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = %(smsbox)d
sendsms-port = %(sendsms)d
sendsms-interface = 127.0.0.1
log-file = "%(d)s/smsbox.log"
log-level = 0
mo-recode = true
http-request-retry = %(retries)d
http-queue-delay = %(delay)d

group = sendsms-user
username = %(user)s
password = %(pw)s
user-allow-ip = 127.0.0.1
concatenation = true
max-messages = %(parts)d

group = sms-service
keyword = default
catch-all = true
max-messages = 0
post-url = "%(mo)s"
""" % dict(d=d, admin=self.admin_port, apw=self.admin_password, smsbox=self.smsbox_port,
           sink=self.sink_port, inject=self.inject_port, sendsms=self.sendsms_port,
           user=self.user, pw=self.password, parts=MAX_PARTS, retries=retries,
           delay=retry_delay, mo=self.mo_url))

    # -- life cycle -----------------------------------------------------
    def start(self, timeout=20.0):
        refuse_if_taken(self.admin_port, self.smsbox_port, self.sink_port, self.inject_port,
                        self.sendsms_port)
        try:
            self.bearerbox.spawn()
            for p in (self.admin_port, self.smsbox_port, self.sink_port, self.inject_port):
                self.bearerbox.wait_port(p, timeout)
            self.smsbox.spawn()
            self.smsbox.wait_port(self.sendsms_port, timeout)
            self.sink.spawn()
            wait_until(lambda: re.search(r"smsbox:.*\(on-line", self.status())
                       and self._smsc_state("sink") == "online", timeout,
                       "Kannel: smsbox and the sink fakesmsc connected")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        # smsbox and the fake SMS centres first, then bearerbox.
        for d in (self.sink, self.smsbox, self.bearerbox):
            d.stop()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _log_tail(self, name, lines=30):
        """The end of a box's debug log without its hex dumps."""
        text = tail(os.path.join(self.dir, name), 2000).split("\n")
        return "\n".join([t for t in text if "DEBUG:   " not in t
                          and "Octet string" not in t][-lines:])

    def diagnostics(self):
        return "\n".join([
            "-- bearerbox.log", self._log_tail("bearerbox.log"),
            "-- smsbox.log", self._log_tail("smsbox.log"),
            "-- bearerbox/smsbox stderr", self.bearerbox.diagnostics(),
            self.smsbox.diagnostics(),
            "-- sink", tail(self.sink.out_path, 20)])

    # -- status ---------------------------------------------------------
    def status(self):
        url = "http://127.0.0.1:%d/status.txt?password=%s" % (self.admin_port,
                                                               self.admin_password)
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.read().decode("utf-8", "replace")
        except (OSError, urllib.error.URLError):
            return ""

    def _smsc_line(self, smsc_id):
        m = re.search(r"^\s*%s\[%s\]\s+FAKE:\d+ \((.*)$" % (smsc_id, smsc_id), self.status(),
                      re.M)
        return m.group(1) if m else ""

    def _smsc_state(self, smsc_id):
        """"online", "connecting" or "re-connecting" (no fakesmsc attached),
        ... or "" when bearerbox does not answer."""
        return self._smsc_line(smsc_id).split(" ", 1)[0].rstrip(",")

    def _received(self, smsc_id):
        m = re.search(r"rcvd: sms (\d+)", self._smsc_line(smsc_id))
        return int(m.group(1)) if m else -1

    # -- outgoing -------------------------------------------------------
    def send_sms(self, sender, receiver, text, coding=None, dlr_url=None, dlr_mask=None,
                 **extra):
        """GET /cgi-bin/sendsms. Returns (HTTP status, body). Success is 202
        "0: Accepted for delivery", for concatenated texts too."""
        q = dict(username=self.user, password=self.password, to=receiver, text=text,
                 charset="UTF-8", **extra)
        if sender is not None:
            q["from"] = sender
        if coding is not None:
            q["coding"] = str(coding)
        if dlr_url is not None:
            q["dlr-url"] = dlr_url
            q["dlr-mask"] = str(dlr_mask if dlr_mask is not None else 31)
        url = "http://127.0.0.1:%d/cgi-bin/sendsms?%s" % (self.sendsms_port,
                                                         urllib.parse.urlencode(q))
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")

    def dlr_url(self, base, ref):
        """A dlr-url for send_sms: base + our reference and the token, and
        DLR_QUERY."""
        return _with_query(base, "token=%s&ref=%s&%s" % (
            self.token, urllib.parse.quote(ref, safe=""), DLR_QUERY))

    def dlr_started(self, ref):
        """The statuses of ref's delivery reports in the order smsbox
        started their callbacks (from its debug log). smsbox runs callbacks
        concurrently, so they may reach the server in another order: the 1
        sometimes arrives before the 8 that Kannel issued first."""
        try:
            with open(os.path.join(self.dir, "smsbox.log"), "rb") as f:
                log = f.read().decode("utf-8", "replace")
        except OSError:
            return []
        pat = r"Parsing URL `[^`']*[?&]ref=%s&status=(\d+)" % re.escape(
            urllib.parse.quote(ref, safe=""))
        return [int(s) for s in re.findall(pat, log)]

    def sink_messages(self):
        return parse_sink(self.sink.log_text())

    def wait_sink(self, count=1, receiver=None, after=0, timeout=10.0):
        """The first `count` messages numbered above `after` (to `receiver`
        when given), once the sink has printed them."""
        def ready():
            got = [m for m in self.sink_messages() if m.n > after
                   and (receiver is None or m.receiver == receiver)]
            return got[:count] if len(got) >= count else None
        return wait_until(ready, timeout, "%d message(s) at the sink fakesmsc" % count)

    # -- incoming -------------------------------------------------------
    def inject(self, sender, receiver, text, kind="text", udh=None, timeout=10.0):
        """An incoming message from `sender` to `receiver`, through a
        fakesmsc on the "inject" SMSC, stopped once bearerbox counted it.
        kind "text": plain text (no newlines; fakesmsc reads one line);
        "ucs2": text sent as UCS-2; "udh-text": one part of a concatenated
        message, udh = (ref, total, seq). Bearerbox reassembles parts,
        even out of order, before smsbox posts the whole text."""
        if kind == "ucs2":
            body = urllib.parse.quote(text.encode("utf-16-be"), safe="")
        else:
            assert "\n" not in text, "fakesmsc sends one line per message"
            body = text
        if udh is not None:
            ref, total, seq = udh
            body = urllib.parse.quote(bytes([5, 0, 3, ref, total, seq]), safe="") + " " + body
        line = "%s %s %s %s" % (sender, receiver, kind, body)
        # Free: "connecting" before the first client, "re-connecting" after.
        wait_until(lambda: self._smsc_state("inject") in ("connecting", "re-connecting"),
                   timeout, "the inject SMSC to be free for a new fakesmsc")
        before = self._received("inject")
        self.injected += 1
        inj = _Fakesmsc(self.dir, "inject%d" % self.injected, self.inject_port, line, 1)
        inj.spawn()
        try:
            wait_until(lambda: self._received("inject") > before, timeout,
                       "bearerbox to receive the injected message")
        except AssertionError:
            print(tail(inj.out_path, 20))
            raise
        finally:
            inj.stop()
