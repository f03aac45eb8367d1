"""The driver's two faces: the XMPP server the gateway links to (XEP-0114,
handshake checked), and raw IRC clients on ngIRCd."""
import asyncio
import hashlib
import re
import secrets
import socket
import sys
import time

DOMAIN = "localhost"        # the local users' domain: uN@localhost/r
GW = "irc.localhost"        # the gateway's component domain
SECRET = "secret"
IRC_SERVER = "localhost"    # the IRC server's name in room JIDs: #chan%localhost@GW
CHAN = "#bench"


def ujid(i):
    return "u%d@%s/r" % (i, DOMAIN)


def room_jid(chan):
    return "%s%%%s@%s" % (chan, IRC_SERVER, GW)


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;")


# -- a fast byte scanner for the gateway's stream -------------------------------
START_TAG = re.compile(rb"<([A-Za-z][\w:.-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(/?)>")
ATTR = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def attrs(raw):
    return {m.group(1): (m.group(2) if m.group(2) is not None else m.group(3))
            for m in ATTR.finditer(raw)}


class Scanner:
    """Splits a component stream into top-level stanzas (name, raw attributes,
    whole stanza; all bytes) after the stream header. Raises EOFError at
    </stream:stream>."""

    def __init__(self):
        self.buf = b""

    def feed(self, data):
        buf = self.buf + data if self.buf else data
        out = []
        i = 0
        n = len(buf)
        while i < n:
            j = buf.find(b"<", i)
            if j < 0:
                i = n
                break
            if buf.startswith(b"</stream:stream", j):
                raise EOFError("the gateway closed its stream")
            m = START_TAG.match(buf, j)
            if not m:
                if buf.find(b">", j) < 0:
                    break  # incomplete start tag
                raise ValueError("unparsable stream data: %r" % buf[j:j + 200])
            name = m.group(1)
            if m.group(3):
                out.append((name, m.group(2), buf[j:m.end()]))
                i = m.end()
                continue
            end = buf.find(b"</" + name + b">", m.end())
            if end < 0:
                break
            e = end + len(name) + 3
            out.append((name, m.group(2), buf[j:e]))
            i = e
        self.buf = buf[i:]
        return out


def is_self_presence(raw):
    return b"code='110'" in raw or b'code="110"' in raw


# -- the fake XMPP server ---------------------------------------------------------
class Server:
    """One component link; counters and waiters fed by every stanza received.

    - joined / t_joined: users whose self-presence (110) came from `room`;
      join_errors: users who got an error presence from it;
    - join_waits: room bare JID -> future, resolved with (time, None) on the
      self-presence from that room or (time, raw) on an error presence;
    - iq_waits: id -> future, resolved with (type, raw) on the answer;
    - fan / t_fan: groupchat messages from `fan_from` (the hot path)."""

    def __init__(self, room=None):
        self.room = (room or room_jid(CHAN)).encode()
        self.room_slash = self.room + b"/"
        self.writer = None
        self.linked = asyncio.get_running_loop().create_future()
        self.stanzas = 0
        self.presences = 0
        self.last_rx = time.monotonic()
        self.errors = {}
        self.error_samples = []
        self.reg_ok = set()
        self.reg_err = 0
        self.logged_in = set()
        self.joined = set()
        self.join_errors = set()
        self.t_joined = 0.0
        self.join_waits = {}
        self.iq_waits = {}
        self.fan = 0
        self.fan_from = self.room + b"/poster"
        self.t_fan = 0.0
        self.waiters = []  # (predicate, future)
        self.closed = False
        self.trace = None

    async def handle(self, reader, writer):
        if self.writer is not None:
            writer.close()
            return
        self.writer = writer
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            head = b""
            while b">" not in head.split(b"<stream:stream", 1)[-1]:
                chunk = await asyncio.wait_for(reader.read(4096), 10)
                if not chunk:
                    raise EOFError("no stream header")
                head += chunk
            sid = secrets.token_hex(8)
            writer.write(("<?xml version='1.0'?><stream:stream xmlns:stream="
                          "'http://etherx.jabber.org/streams' xmlns='jabber:component:accept' "
                          "from='%s' id='%s'>" % (GW, sid)).encode())
            rest = head.split(b"<stream:stream", 1)[1].split(b">", 1)[1]
            while b"</handshake>" not in rest:
                chunk = await asyncio.wait_for(reader.read(4096), 10)
                if not chunk:
                    raise EOFError("no handshake")
                rest += chunk
            m = re.search(rb"<handshake[^>]*>([^<]*)</handshake>", rest)
            if not m:
                raise RuntimeError("no handshake in %r" % rest[:300])
            got = m.group(1).strip()
            want = hashlib.sha1((sid + SECRET).encode()).hexdigest().encode()
            if got.lower() != want:
                writer.write(b"<stream:error><not-authorized xmlns="
                             b"'urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>")
                raise RuntimeError("bad component handshake %r (want %r)" % (got, want))
            writer.write(b"<handshake/>")
            self.linked.set_result(True)
            sc = Scanner()
            tail = rest.split(b"</handshake>", 1)[1]
            if tail:
                self.dispatch(sc.feed(tail))
            while True:
                data = await reader.read(1 << 18)
                if not data:
                    break
                self.dispatch(sc.feed(data))
        except (EOFError, ConnectionError, asyncio.TimeoutError) as e:
            if not self.linked.done():
                self.linked.set_exception(RuntimeError("component link failed: %s" % e))
        except Exception as e:
            if not self.linked.done():
                self.linked.set_exception(e)
            else:
                print("driver: link reader failed: %r" % e, file=sys.stderr)
        finally:
            self.closed = True

    def send(self, data):
        self.writer.write(data.encode() if isinstance(data, str) else data)

    async def drain(self):
        await self.writer.drain()

    def dispatch(self, stanzas):
        now = time.monotonic()
        self.last_rx = now
        self.stanzas += len(stanzas)
        fan_from = self.fan_from
        if self.trace:
            self.trace.write(b"\n".join(s[2] for s in stanzas) + b"\n")
        waiters = self.waiters
        for name, raw_attrs, raw in stanzas:
            # hot paths: a groupchat message from the poster; another occupant's presence
            if name == b"message" and fan_from in raw_attrs:
                self.fan += 1
                self.t_fan = now
                continue
            if (name == b"presence" and not waiters and b"type=" not in raw_attrs
                    and not is_self_presence(raw) and self.room_slash in raw_attrs):
                self.presences += 1
                continue
            a = attrs(raw_attrs)
            typ = a.get(b"type")
            if typ == b"error":
                key = (name.decode(), (a.get(b"from") or b"").decode()[:60])
                self.errors[key] = self.errors.get(key, 0) + 1
                if len(self.error_samples) < 3:
                    self.error_samples.append(raw[:400].decode("utf-8", "replace"))
            if name == b"iq":
                self._iq(a, typ, raw)
            elif name == b"presence":
                self._presence(a, typ, raw, now)
            for pred, fut in waiters:
                if not fut.done() and pred(name, a, raw):
                    fut.set_result((now, raw))

    def _iq(self, a, typ, raw):
        iid = a.get(b"id", b"")
        fut = self.iq_waits.pop(iid, None)
        if fut is not None and typ in (b"result", b"error"):
            if not fut.done():
                fut.set_result((typ, raw))
        elif iid.startswith(b"reg"):
            if typ == b"result":
                self.reg_ok.add(iid)
            elif typ == b"error":
                self.reg_err += 1
        elif typ in (b"get", b"set"):
            self.send("<iq type='error' id='%s' from='%s' to='%s'><service-unavailable "
                      "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></iq>"
                      % (xml_escape(iid.decode()), (a.get(b"to") or b"").decode(),
                         (a.get(b"from") or b"").decode()))

    def _presence(self, a, typ, raw, now):
        frm = a.get(b"from") or b""
        to = (a.get(b"to") or b"").split(b"/")[0]
        if typ is None and frm == GW.encode():
            self.logged_in.add(to)
        elif typ is None and is_self_presence(raw):
            room = frm.split(b"/")[0]
            self.presences += 1
            if room == self.room:
                self.joined.add(to)
                self.t_joined = now
            fut = self.join_waits.pop(room, None)
            if fut is not None and not fut.done():
                fut.set_result((now, None))
        elif typ == b"error":
            if frm.startswith(self.room_slash):
                self.join_errors.add(to)
            fut = self.join_waits.pop(frm.split(b"/")[0], None)
            if fut is not None and not fut.done():
                fut.set_result((now, raw))
        elif typ == b"subscribe":
            self.send("<presence type='subscribed' from='%s' to='%s'/>"
                      % (to.decode(), frm.decode()))
        elif typ is None:
            self.presences += 1

    def iq(self, xml, iid):
        """Sends an IQ; returns a future for its (type, raw) answer."""
        fut = asyncio.get_running_loop().create_future()
        self.iq_waits[iid.encode()] = fut
        self.send(xml)
        return fut

    def expect_join(self, room):
        fut = asyncio.get_running_loop().create_future()
        self.join_waits[room.encode()] = fut
        return fut

    async def wait_for(self, pred, timeout):
        fut = asyncio.get_running_loop().create_future()
        w = (pred, fut)
        self.waiters.append(w)
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            self.waiters.remove(w)

    async def until(self, cond, timeout):
        """Polls cond() until true or timeout; returns cond()."""
        deadline = time.monotonic() + timeout
        while not cond() and time.monotonic() < deadline and not self.closed:
            await asyncio.sleep(0.002)
        return cond()

    async def quiet(self, seconds, timeout):
        """Until nothing has arrived for `seconds` (at most timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and time.monotonic() - self.last_rx < seconds:
            await asyncio.sleep(0.05)


# -- a raw IRC client -------------------------------------------------------------
class RawIrc:
    """A plain IRC client on ngIRCd that counts the PRIVMSGs sent to its nick."""

    def __init__(self, port, nick):
        self.port = port
        self.nick = nick
        self.privmsgs = 0
        self.t_last = 0.0
        self.task = None

    async def start(self, timeout=15):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP,
                                                        socket.TCP_NODELAY, 1)
        self.ready = asyncio.get_running_loop().create_future()
        self.joined = asyncio.get_running_loop().create_future()
        self.task = asyncio.ensure_future(self.run())
        self.send("NICK %s" % self.nick)
        self.send("USER %s 0 * :bench" % self.nick)
        await asyncio.wait_for(self.ready, timeout)

    def send(self, line):
        self.writer.write(line.encode() + b"\r\n")

    async def join(self, chan, timeout=10):
        self.send("JOIN %s" % chan)
        await asyncio.wait_for(self.joined, timeout)

    async def run(self):
        buf = b""
        marker = (" PRIVMSG %s :" % self.nick).encode()
        while True:
            data = await self.reader.read(1 << 18)
            if not data:
                return
            buf += data
            lines = buf.split(b"\r\n")
            buf = lines.pop()
            for line in lines:
                if marker in line:
                    self.privmsgs += 1
                    self.t_last = time.monotonic()
                    continue
                parts = line.split(b" ")
                if parts[0] == b"PING":
                    self.send("PONG %s" % parts[1].decode())
                elif len(parts) > 1 and parts[1] == b"001" and not self.ready.done():
                    self.ready.set_result(True)
                elif len(parts) > 1 and parts[1] == b"433" and not self.ready.done():
                    self.ready.set_exception(RuntimeError("nick %s taken on ngircd" % self.nick))
                elif len(parts) > 1 and parts[1] == b"366" and not self.joined.done():
                    self.joined.set_result(True)

    def close(self):
        try:
            self.send("QUIT :done")
            self.writer.close()
        except Exception:
            pass
        if self.task:
            self.task.cancel()
