#!/usr/bin/python3
"""IRC rooms under load: xmpp-gw (or biboumi) between a fake XMPP server and ngIRCd.

The driver plays the XMPP server itself: it listens on a component port,
accepts the gateway's XEP-0114 stream (the handshake is checked:
sha1(stream id + secret)), and injects stanzas as if they came from local
users uN@localhost. A private ngIRCd runs on loopback with its penalty off
(MaxPenaltyTime = 0) and no connection or join limits.

For each N (--users) and each run (--runs), with a fresh gateway, store and
ngIRCd:
  1. N registrations (jabber:iq:register set with <nick/>), all results
     awaited; then N available presences to the gateway JID.
  2. N joins of #bench%localhost@<gw>/uN, each user on its own IRC
     connection. Joins/s = N / (first join sent .. last self-presence with
     status 110 received). RSS per session = (gateway VmRSS once the room is
     quiet - VmRSS right after the component handshake) / N.
  3. Fan-out: a raw IRC client posts M messages to #bench; groupchat
     messages from its occupant JID are counted for all N users.
     Stanzas/s = delivered / (first PRIVMSG sent .. last one delivered);
     also gateway CPU per delivered stanza, and the driver's own CPU share.
  4. XMPP->IRC: each user sends K chat messages to sink%localhost@<gw>; a
     raw IRC client counts the PRIVMSGs it gets. Messages/s as above.
  5. Round trip: u1 and u2 in #rtt; u1 sends a groupchat message, timed
     until u2 receives it from #rtt%localhost@<gw>/u1 (through IRC). One at
     a time, --rtt-count times; p50 and p99.
Every wait is bounded in time; a phase that times out reports what it got.
Prints medians over the runs. Not a test: nothing passes or fails on a figure.

  --users 100,1000,5000   user counts (default 100,1000)
  --runs 3                runs per N (medians)
  --gateway biboumi       the same workload against biboumi (--bin: its binary)
  --compare               both, and the xmpp-gw/biboumi ratios
  --selftest              how many stanzas/s the driver ingests on its own
"""
import argparse
import asyncio
import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from harness.ircd import Ngircd  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
DOMAIN = "localhost"
GW = "irc.localhost"
SECRET = "secret"
CHAN = "#bench"
IRC_SERVER = "localhost"


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_s(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except OSError:
        return 0.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;")


# -- a fast byte scanner for the gateway's stream -------------------------------
START_TAG = re.compile(rb"<([A-Za-z][\w:.-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(/?)>")
ATTR = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
BODY = re.compile(rb"<body(?:\s[^>]*)?>(.*?)</body>", re.S)


def attrs(raw):
    return {m.group(1): (m.group(2) if m.group(2) is not None else m.group(3))
            for m in ATTR.finditer(raw)}


class Scanner:
    """Splits a component stream into top-level stanzas (bytes) after the
    stream header. Raises EOFError at </stream:stream>."""

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


# -- the fake XMPP server ---------------------------------------------------------
class Server:
    """One component link; counters and waiters fed by every stanza received."""

    def __init__(self, users, domain=GW):
        self.domain = domain
        self.room = "%s%%%s@%s" % (CHAN, IRC_SERVER, domain)
        self.users = users
        self.writer = None
        self.linked = asyncio.get_running_loop().create_future()
        self.stanzas = 0
        self.last_rx = time.monotonic()
        self.errors = {}
        self.reg_ok = set()
        self.reg_err = 0
        self.logged_in = set()
        self.joined = set()
        self.t_joined = 0.0
        self.fan = 0
        self.fan_from = ("%s/poster" % self.room).encode()
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
                          "from='%s' id='%s'>" % (self.domain, sid)).encode())
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
        for name, raw_attrs, raw in stanzas:
            # hot path: a groupchat message from the poster
            if name == b"message" and fan_from in raw_attrs:
                self.fan += 1
                self.t_fan = now
                continue
            a = attrs(raw_attrs)
            typ = a.get(b"type")
            if typ == b"error":
                key = (name.decode(), (a.get(b"from") or b"").decode()[:60])
                self.errors[key] = self.errors.get(key, 0) + 1
            if name == b"iq":
                iid = a.get(b"id", b"")
                if iid.startswith(b"reg"):
                    if typ == b"result":
                        self.reg_ok.add(iid)
                    elif typ == b"error":
                        self.reg_err += 1
                elif typ in (b"get", b"set"):
                    self.send("<iq type='error' id='%s' from='%s' to='%s'><service-unavailable "
                              "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></iq>"
                              % (xml_escape(iid.decode()), (a.get(b"to") or b"").decode(),
                                 (a.get(b"from") or b"").decode()))
            elif name == b"presence":
                frm = a.get(b"from") or b""
                to = (a.get(b"to") or b"").split(b"/")[0]
                if typ is None and frm == self.domain.encode():
                    self.logged_in.add(to)
                elif typ is None and (b"code='110'" in raw or b'code="110"' in raw):
                    if frm.startswith(self.room.encode() + b"/"):
                        self.joined.add(to)
                        self.t_joined = now
                elif typ == b"subscribe":
                    self.send("<presence type='subscribed' from='%s' to='%s'/>"
                              % (to.decode(), frm.decode()))
            for w in self.waiters:
                pred, fut = w
                if not fut.done() and pred(name, a, raw):
                    fut.set_result((now, raw))

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


def ujid(i):
    return "u%d@%s/r" % (i, DOMAIN)


# -- a raw IRC client -------------------------------------------------------------
class RawIrc:
    def __init__(self, port, nick):
        self.port = port
        self.nick = nick
        self.privmsgs = 0
        self.t_last = 0.0
        self.ready = None

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
                elif len(parts) > 1 and parts[1] == b"433":
                    raise RuntimeError("nick %s taken on ngircd" % self.nick)
                elif len(parts) > 1 and parts[1] == b"366" and not self.joined.done():
                    self.joined.set_result(True)

    def close(self):
        try:
            self.send("QUIT :done")
            self.writer.close()
        except Exception:
            pass
        self.task.cancel()


# -- the gateways -----------------------------------------------------------------
def start_xmpp_gw(args, work, comp_port, irc_port):
    conf = os.path.join(work, "gw.ini")
    with open(conf, "w") as f:
        f.write("""[xmpp]
server = 127.0.0.1
port = %d

[store]
path = %s

[policy]
allow = %s

[log]
level = warn

[irc]
jid = %s
secret = %s
allowed_servers = %s
tls_ports =
plain_ports = %d
flood_interval_ms = 0
""" % (comp_port, os.path.join(work, "gw.sqlite"), DOMAIN, GW, SECRET, IRC_SERVER, irc_port))
        for opt in args.irc_option:
            key, _, value = opt.partition("=")
            f.write("%s = %s\n" % (key.strip(), value.strip()))
    out = open(os.path.join(work, "gw.log"), "wb")
    return subprocess.Popen([args.bin, "-c", conf], stdin=subprocess.DEVNULL, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True)


def start_biboumi(args, work, comp_port, irc_port):
    conf = os.path.join(work, "biboumi.cfg")
    with open(conf, "w") as f:
        f.write("hostname=%s\npassword=%s\nxmpp_server_ip=127.0.0.1\nport=%d\n"
                "db_name=%s\nlog_level=2\nidentd_port=0\nrealname_customization=true\n"
                "policy_directory=%s\n"
                % (GW, SECRET, comp_port, os.path.join(work, "biboumi.sqlite"), work))
    out = open(os.path.join(work, "gw.log"), "wb")
    return subprocess.Popen([args.bin, conf], stdin=subprocess.DEVNULL, stdout=out,
                            stderr=subprocess.STDOUT, start_new_session=True, cwd=work)


def stop_proc(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(10)


# -- one run ----------------------------------------------------------------------
async def one_run(args, n, work):
    res = {}
    notes = []
    os.makedirs(os.path.join(work, "ngircd"))
    ircd = Ngircd(port=args.irc_port or None, base=os.path.join(work, "ngircd"))
    ircd.start()
    srv = Server(n)
    if args.trace:
        srv.trace = open(os.path.join(work, "received.xml"), "wb")
    comp_port = free_port()
    listener = await asyncio.start_server(srv.handle, "127.0.0.1", comp_port)
    start = start_biboumi if args.gateway == "biboumi" else start_xmpp_gw
    gw = start(args, work, comp_port, ircd.port)
    clients = []
    try:
        try:
            await asyncio.wait_for(srv.linked, 15)
        except asyncio.TimeoutError:
            raise RuntimeError("the gateway did not connect within 15 s; log:\n%s"
                               % open(os.path.join(work, "gw.log"), errors="replace").read()[-3000:])
        await asyncio.sleep(0.3)
        rss0 = rss_kib(gw.pid)
        poster = RawIrc(ircd.port, "poster")
        sink = RawIrc(ircd.port, "sink")
        clients += [poster, sink]
        await poster.start()
        await sink.start()
        await poster.join(CHAN)

        # 1. registrations, then logins
        if args.gateway == "xmpp-gw":
            t0 = time.monotonic()
            for i in range(1, n + 1):
                srv.send("<iq type='set' id='reg%d' from='%s' to='%s'><query xmlns="
                         "'jabber:iq:register'><nick>u%d</nick></query></iq>" % (i, ujid(i), GW, i))
            await srv.drain()
            ok = await srv.until(lambda: len(srv.reg_ok) + srv.reg_err >= n, 60 + n * 0.05)
            if not ok or srv.reg_err:
                raise RuntimeError("registrations: %d ok, %d errors of %d"
                                   % (len(srv.reg_ok), srv.reg_err, n))
            res["reg_s"] = n / (time.monotonic() - t0)
        for i in range(1, n + 1):
            srv.send("<presence from='%s' to='%s'/>" % (ujid(i), GW))
        await srv.drain()
        if args.gateway == "xmpp-gw":
            if not await srv.until(lambda: len(srv.logged_in) >= n, 30 + n * 0.02):
                notes.append("logins: %d of %d" % (len(srv.logged_in), n))
        await srv.quiet(0.3, 10)

        # 2. joins
        c0 = cpu_s(gw.pid)
        t0 = time.monotonic()
        for i in range(1, n + 1):
            srv.send("<presence from='%s' to='%s/u%d'><x xmlns='http://jabber.org/protocol/muc'>"
                     "<history maxstanzas='0'/></x></presence>" % (ujid(i), srv.room, i))
        await srv.drain()
        if not await srv.until(lambda: len(srv.joined) >= n, args.join_timeout):
            notes.append("joins: %d of %d within %d s" % (len(srv.joined), n, args.join_timeout))
        if srv.joined:
            res["joins_s"] = len(srv.joined) / max(1e-6, srv.t_joined - t0)
        await srv.quiet(0.5, 120)
        res["join_cpu_s"] = cpu_s(gw.pid) - c0
        res["rss_kib_per_session"] = (rss_kib(gw.pid) - rss0) / n
        res["rss_kib_total"] = rss_kib(gw.pid)

        # 3. fan-out IRC -> XMPP
        m = args.fan_messages or max(5, args.fan_total // n)
        target = m * n
        c0, d0 = cpu_s(gw.pid), time.process_time()
        srv.fan = 0
        t0 = time.monotonic()
        for k in range(m):
            poster.send("PRIVMSG %s :fan %d" % (CHAN, k))
        await poster.writer.drain()
        done = await srv.until(lambda: srv.fan >= target, args.phase_timeout)
        d1 = time.process_time()
        if not done:
            notes.append("fan-out: %d of %d delivered" % (srv.fan, target))
        wall = max(1e-6, srv.t_fan - t0)
        res["fan_s"] = srv.fan / wall
        res["fan_cpu_us"] = (cpu_s(gw.pid) - c0) / max(1, srv.fan) * 1e6
        if done:
            res["driver_cpu_share_fan"] = (d1 - d0) / wall
        res["fan_m"] = m
        await srv.quiet(0.3, 30)

        # 4. XMPP -> IRC private messages
        k = args.pm_per_user or max(1, args.pm_total // n)
        target = k * n
        to = "sink%%%s@%s" % (IRC_SERVER, GW)
        c0, d0 = cpu_s(gw.pid), time.process_time()
        t0 = time.monotonic()
        for j in range(k):
            for i in range(1, n + 1):
                srv.send("<message type='chat' from='%s' to='%s' id='p%d.%d'><body>pm %d</body>"
                         "</message>" % (ujid(i), to, i, j, j))
            await srv.drain()
        done = await srv.until(lambda: sink.privmsgs >= target, args.phase_timeout)
        d1 = time.process_time()
        if not done:
            notes.append("XMPP->IRC: %d of %d PRIVMSGs" % (sink.privmsgs, target))
        wall = max(1e-6, sink.t_last - t0)
        res["pm_s"] = sink.privmsgs / wall
        res["pm_k"] = k
        if done:
            res["driver_cpu_share_pm"] = (d1 - d0) / wall
        await srv.quiet(0.3, 30)

        # 5. round trip in a 2-user room
        rtt_room = "#rtt%%%s@%s" % (IRC_SERVER, GW)
        for i in (1, 2):
            want = ("%s/u%d" % (rtt_room, i)).encode()
            to_u = ("u%d@%s" % (i, DOMAIN)).encode()
            w = asyncio.ensure_future(srv.wait_for(
                lambda nm, a, raw, want=want, to_u=to_u: nm == b"presence"
                and a.get(b"from") == want and (a.get(b"to") or b"").startswith(to_u)
                and b"110" in raw, 15))
            await asyncio.sleep(0)
            srv.send("<presence from='%s' to='%s/u%d'><x xmlns='http://jabber.org/protocol/muc'/>"
                     "</presence>" % (ujid(i), rtt_room, i))
            await w
        await srv.quiet(0.3, 10)
        samples = []
        src = ("%s/u1" % rtt_room).encode()
        to2 = ("u2@%s" % DOMAIN).encode()
        for j in range(args.rtt_count):
            body = ("rtt %d" % j).encode()
            w = asyncio.ensure_future(srv.wait_for(
                lambda nm, a, raw, body=body: nm == b"message" and a.get(b"from") == src
                and (a.get(b"to") or b"").startswith(to2) and b">" + body + b"<" in raw, 5))
            await asyncio.sleep(0)
            t0 = time.monotonic()
            srv.send("<message type='groupchat' from='%s' to='%s' id='r%d'><body>rtt %d</body>"
                     "</message>" % (ujid(1), rtt_room, j, j))
            try:
                t1, _ = await w
                samples.append((t1 - t0) * 1000)
            except asyncio.TimeoutError:
                notes.append("round trip %d: no delivery within 5 s" % j)
                break
        if samples:
            samples.sort()
            res["rtt_p50_ms"] = statistics.median(samples)
            res["rtt_p99_ms"] = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
        if srv.errors:
            top = sorted(srv.errors.items(), key=lambda kv: -kv[1])[:5]
            notes.append("error stanzas: " + ", ".join("%s from %s x%d" % (k[0], k[1], v)
                                                        for k, v in top))
        res["stanzas"] = srv.stanzas
        if gw.poll() is not None:
            notes.append("the gateway exited with %s" % gw.returncode)
    except Exception as e:
        e.partial = (res, notes)
        raise
    finally:
        for c in clients:
            c.close()
        stop_proc(gw)
        listener.close()
        ircd.stop()
    return res, notes


COLS = [("joins_s", "Joins per second", "%.1f"),
        ("rss_kib_per_session", "RSS per session (KiB)", "%.1f"),
        ("fan_s", "IRC->XMPP fan-out (stanzas/s)", "%.0f"),
        ("fan_cpu_us", "Gateway CPU per delivered stanza (us)", "%.1f"),
        ("pm_s", "XMPP->IRC private messages/s", "%.0f"),
        ("rtt_p50_ms", "Round trip, 2-user room, p50 (ms)", "%.2f"),
        ("rtt_p99_ms", "Round trip, 2-user room, p99 (ms)", "%.2f"),
        ("driver_cpu_share_fan", "Driver CPU / wall, fan-out", "%.2f"),
        ("driver_cpu_share_pm", "Driver CPU / wall, XMPP->IRC", "%.2f")]


def medians(runs):
    keys = set().union(*runs) if runs else set()
    return {k: statistics.median(r[k] for r in runs if k in r) for k in keys}


def print_table(title, per_n):
    ns = sorted(per_n)
    print("\n## %s" % title)
    print("| Figure | " + " | ".join("N=%d" % n for n in ns) + " |")
    print("|---|" + "---|" * len(ns))
    for key, label, fmt in COLS:
        cells = [(fmt % per_n[n][key]) if key in per_n[n] else "-" for n in ns]
        print("| %s | %s |" % (label, " | ".join(cells)))


async def bench(args, gateway, binary):
    args.gateway, args.bin = gateway, binary
    per_n = {}
    for n in args.users:
        if n > args.max_users:
            print("N=%d skipped: above --max-users %d (N^2 presences in one room)"
                  % (n, args.max_users), flush=True)
            continue
        runs = []
        for r in range(args.runs if n <= args.full_runs_upto else 1):
            work = tempfile.mkdtemp(prefix="xgw-ircbench-")
            try:
                res, notes = await one_run(args, n, work)
            except Exception as e:
                print("%s N=%d run %d failed: %r" % (gateway, n, r + 1, e), flush=True)
                if getattr(e, "partial", None):
                    print("  so far: %s\n  notes: %s" % (
                        " ".join("%s=%.4g" % kv for kv in sorted(e.partial[0].items())),
                        "; ".join(e.partial[1])), flush=True)
                if args.keep:
                    import traceback
                    traceback.print_exc()
                if args.keep:
                    print("  kept %s" % work)
                else:
                    shutil.rmtree(work, ignore_errors=True)
                continue
            runs.append(res)
            print("%s N=%d run %d: %s%s" % (
                gateway, n, r + 1,
                " ".join("%s=%.4g" % kv for kv in sorted(res.items())),
                ("\n  notes: " + "; ".join(notes)) if notes else ""), flush=True)
            if args.keep:
                print("  kept %s" % work)
            else:
                shutil.rmtree(work, ignore_errors=True)
        if runs:
            per_n[n] = medians(runs)
            per_n[n]["_runs"] = len(runs)
    if per_n:
        print_table("%s: medians (runs per N: %s)" % (
            gateway, ", ".join("N=%d: %d" % (n, per_n[n]["_runs"]) for n in sorted(per_n))),
            per_n)
    return per_n


def selftest(seconds=2.0):
    """Stanzas/s the driver's scanner and dispatcher take on their own."""
    class Null:
        def write(self, data):
            pass
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    srv = loop.run_until_complete(_mk_server())
    srv.writer = Null()
    one = ("<message type='groupchat' from='%s/poster' to='u17@localhost/r' id='x'>"
           "<body>fan 12</body><stanza-id xmlns='urn:xmpp:sid:0' id='abc' by='%s'/></message>"
           % (srv.room, srv.room)).encode()
    pres = ("<presence from='%s/u9' to='u17@localhost/r'><x xmlns='http://jabber.org/"
            "protocol/muc#user'><item affiliation='none' role='participant'/></x></presence>"
            % srv.room).encode()
    chunk = (one * 9 + pres) * 100
    sc = Scanner()
    n = 0
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        for piece in (chunk[:70000], chunk[70000:]):
            srv.dispatch(sc.feed(piece))
        n += 1000
    rate = n / (time.monotonic() - t0)
    loop.close()
    return rate


async def _mk_server():
    return Server(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=None, help="the gateway binary (default build/xmpp-gw, "
                    "or biboumi on PATH with --gateway biboumi)")
    ap.add_argument("--gateway", choices=("xmpp-gw", "biboumi"), default="xmpp-gw")
    ap.add_argument("--compare", action="store_true",
                    help="run xmpp-gw (--bin) and biboumi (--biboumi) and print ratios")
    ap.add_argument("--biboumi", default=shutil.which("biboumi") or "/usr/bin/biboumi")
    ap.add_argument("--users", default="100,1000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--full-runs-upto", type=int, default=1000,
                    help="N above this get one run only (default 1000)")
    ap.add_argument("--max-users", type=int, default=5000)
    ap.add_argument("--fan-total", type=int, default=10000,
                    help="fan-out stanzas aimed at (M = this / N, at least 5)")
    ap.add_argument("--fan-messages", type=int, default=0, help="M, overriding --fan-total")
    ap.add_argument("--pm-total", type=int, default=20000,
                    help="XMPP->IRC messages aimed at (K = this / N per user, at least 1)")
    ap.add_argument("--pm-per-user", type=int, default=0, help="K, overriding --pm-total")
    ap.add_argument("--rtt-count", type=int, default=200)
    ap.add_argument("--join-timeout", type=int, default=300)
    ap.add_argument("--phase-timeout", type=int, default=120)
    ap.add_argument("--irc-port", type=int, default=0,
                    help="ngircd's port (default: a free one; biboumi needs 6667)")
    ap.add_argument("--irc-option", action="append", default=[], metavar="KEY=VALUE",
                    help="another key of xmpp-gw's [irc] section, e.g. connects_per_second=200")
    ap.add_argument("--keep", action="store_true", help="keep the work dir of failed runs")
    ap.add_argument("--trace", action="store_true",
                    help="write every received stanza to received.xml in the work dir")
    ap.add_argument("--selftest", action="store_true")
    args = ap.parse_args()
    args.users = [int(u) for u in args.users.split(",") if u.strip()]
    if args.selftest:
        print("driver ingests %.0f stanzas/s on its own (scanner + dispatch, one core)"
              % selftest())
        return 0
    gw_bin = args.bin or os.path.join(ROOT, "build", "xmpp-gw")
    print("irc_bench: %d cores, load average %s; ngircd with MaxPenaltyTime=0"
          % (os.cpu_count(), " ".join("%.2f" % x for x in os.getloadavg())), flush=True)
    if args.compare or args.gateway == "biboumi":
        if not (args.biboumi and os.access(args.biboumi, os.X_OK)):
            print("biboumi is not installed: no comparison", file=sys.stderr)
            return 2
        if not args.irc_port:
            args.irc_port = 6667  # biboumi's default plaintext port
    if args.compare:
        ours = asyncio.run(bench(args, "xmpp-gw", gw_bin))
        theirs = asyncio.run(bench(args, "biboumi", args.biboumi))
        ns = sorted(set(ours) & set(theirs))
        print("\n## xmpp-gw / biboumi (higher is better for rates; lower for RSS, CPU, "
              "round trip)")
        print("| Figure | " + " | ".join("N=%d" % n for n in ns) + " |")
        print("|---|" + "---|" * len(ns))
        for key, label, _ in COLS[:7]:
            cells = []
            for n in ns:
                a, b = ours[n].get(key), theirs[n].get(key)
                cells.append("%.2f" % (a / b) if a is not None and b else "-")
            print("| %s | %s |" % (label, " | ".join(cells)))
        print("\nINCOMPLETE: biboumi's per-connection throttle (its per-server ad-hoc option) "
              "is not turned off by this driver, and the biboumi side has not been validated; "
              "treat these ratios as provisional.", file=sys.stderr)
        return 3
    binary = gw_bin if args.gateway == "xmpp-gw" else (args.bin or args.biboumi)
    per_n = asyncio.run(bench(args, args.gateway, binary))
    return 0 if per_n else 1


if __name__ == "__main__":
    sys.exit(main())
