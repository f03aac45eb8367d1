#!/usr/bin/python3
"""The cost of a link cut: from the reconnect until the window and the
outbox are flushed, for 10,000 queued stanzas.

The driver plays the XMPP server on the component port (XEP-0114, the
handshake checked, every XEP-0199 ping of the gateway answered at once, as
the server it stands in for would) and one local user, u1@localhost,
registered with the echo backend. Every run gets a fresh gateway and store
(in --tmpdir, default the system's temp dir). Two workloads:

  cut     the user asks for /flood N; the driver stops reading the link
          first, so nothing is acknowledged, waits until the gateway has
          queued all N (in the link's window of unacknowledged stanzas or in
          the store's outbox), then resets the connection (RST). The
          gateway reconnects and sends the window again, then the outbox.
  down    the user sends N "/delay 2 ..." messages; the driver then resets
          the link and refuses every reconnect (accept, then RST) while the
          N echoes fire and go to the outbox; then it lets the gateway in.

Measured from the moment the driver answers the handshake of the new
connection: flush_s until the N-th distinct echo has arrived (received by
the server), acked_s until the outbox table of the store is empty
(acknowledged and deleted: polled every 5 ms, read-only); stanzas/s = N /
flush_s. Also reported: how many stanzas the gateway sent again from its
window (its log), the outbox rows at the reconnect, and repeats (echoes
received more than once on the new connection, which is expected for the
window's stanzas the old connection had delivered; none here, since the
driver read nothing of it). Medians of --runs (3).

  --stanzas 10000   --runs 3   --workloads cut,down   --tmpdir DIR   --keep

Every wait is bounded; a run that fails says why and the others go on.
The gateway is stopped by its PID whatever happens. Not a test: nothing
passes or fails on a figure.
"""
import argparse
import asyncio
import os
import re
import secrets
import shutil
import socket
import sqlite3
import struct
import sys
import tempfile
import time
import hashlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ircbench import procs, report  # noqa: E402
from ircbench.link import Scanner, attrs  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GW = "echo.localhost"
SECRET = "secret"
USER = "u1@localhost/r"
BOB = "bob@" + GW
FLOOD = re.compile(rb"<body>(?:flood|late) (\d+)")
RESENT = re.compile(r"sending (\d+) unacknowledged stanzas again")


class Link:
    """The fake server's side of one component connection."""

    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer
        self.reading = True
        self.linked_at = None
        self.seen = {}          # echo number -> times received
        self.t_all = None
        self.want = 0
        self.iq_waits = {}
        self.available = asyncio.get_running_loop().create_future()
        self.closed = False

    def send(self, data):
        self.writer.write(data.encode() if isinstance(data, str) else data)

    def reset(self):
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()

    async def handshake(self):
        head = b""
        while b">" not in head.split(b"<stream:stream", 1)[-1]:
            chunk = await asyncio.wait_for(self.reader.read(4096), 10)
            if not chunk:
                raise EOFError("no stream header")
            head += chunk
        sid = secrets.token_hex(8)
        self.send("<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/"
                  "streams' xmlns='jabber:component:accept' from='%s' id='%s'>" % (GW, sid))
        rest = head.split(b"<stream:stream", 1)[1].split(b">", 1)[1]
        while b"</handshake>" not in rest:
            chunk = await asyncio.wait_for(self.reader.read(4096), 10)
            if not chunk:
                raise EOFError("no handshake")
            rest += chunk
        got = re.search(rb"<handshake[^>]*>([^<]*)</handshake>", rest).group(1).strip()
        if got.lower() != hashlib.sha1((sid + SECRET).encode()).hexdigest().encode():
            raise RuntimeError("bad handshake")
        self.send("<handshake/>")
        self.linked_at = time.monotonic()
        return rest.split(b"</handshake>", 1)[1]

    async def run(self):
        try:
            sc = Scanner()
            self.dispatch(sc.feed(await self.handshake()))
            while True:
                while not self.reading:
                    await asyncio.sleep(0.01)
                data = await self.reader.read(1 << 18)
                if not data:
                    break
                self.dispatch(sc.feed(data))
        except (EOFError, ConnectionError, asyncio.TimeoutError, asyncio.CancelledError):
            pass
        finally:
            self.closed = True

    def dispatch(self, stanzas):
        now = time.monotonic()
        for name, raw_attrs, raw in stanzas:
            if name == b"message":
                m = FLOOD.search(raw)
                if m:
                    k = int(m.group(1))
                    self.seen[k] = self.seen.get(k, 0) + 1
                    if self.want and self.t_all is None and len(self.seen) >= self.want:
                        self.t_all = now
                continue
            a = attrs(raw_attrs)
            typ = a.get(b"type")
            if name == b"iq":
                iid = a.get(b"id", b"")
                if typ in (b"get", b"set"):    # pings and anything else: a result
                    self.send("<iq type='result' id='%s' from='%s' to='%s'/>"
                              % (iid.decode(), a.get(b"to", b"").decode(),
                                 a.get(b"from", b"").decode()))
                elif iid in self.iq_waits and not self.iq_waits[iid].done():
                    self.iq_waits.pop(iid).set_result((typ, raw))
            elif name == b"presence":
                frm = a.get(b"from", b"")
                if typ == b"subscribe":
                    self.send("<presence type='subscribed' from='%s' to='%s'/>"
                              % (a.get(b"to", b"").decode(), frm.decode()))
                elif typ == b"probe":
                    self.send("<presence from='%s' to='%s'/>" % (USER, frm.decode()))
                elif typ is None and frm == GW.encode() and not self.available.done():
                    self.available.set_result(now)

    def iq(self, xml, iid):
        fut = asyncio.get_running_loop().create_future()
        self.iq_waits[iid.encode()] = fut
        self.send(xml)
        return fut


class Server:
    """The component listener: the current Link; while refusing, every new
    connection is accepted and reset at once."""

    def __init__(self):
        self.link = None
        self.refusing = False
        self.refused = 0
        self.new_link = asyncio.Event()

    async def handle(self, reader, writer):
        link = Link(reader, writer)
        if self.refusing:
            self.refused += 1
            link.reset()
            return
        self.link = link
        self.new_link.set()
        await link.run()

    async def next_link(self, timeout):
        self.new_link.clear()
        await asyncio.wait_for(self.new_link.wait(), timeout)
        link = self.link
        deadline = time.monotonic() + timeout
        while link.linked_at is None:
            if link.closed or time.monotonic() > deadline:
                raise RuntimeError("the reconnect did not complete its handshake")
            await asyncio.sleep(0.001)
        return link


def outbox_rows(store):
    """Rows in the store's outbox (read-only, another process writes it)."""
    try:
        db = sqlite3.connect("file:%s?mode=ro" % store, uri=True, timeout=1)
        try:
            return db.execute("SELECT count(*) FROM outbox").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return -1


async def until(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out after %.0f s waiting for %s" % (timeout, what))
        await asyncio.sleep(0.005)


async def settled(value, quiet, timeout):
    """Until value() has not changed for quiet s; returns it."""
    deadline = time.monotonic() + timeout
    last, since = value(), time.monotonic()
    while time.monotonic() - since < quiet and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        v = value()
        if v != last:
            last, since = v, time.monotonic()
    return last


async def login(srv):
    link = srv.link
    typ, raw = await asyncio.wait_for(link.iq(
        "<iq type='set' id='reg1' from='%s' to='%s'><query xmlns='jabber:iq:register'>"
        "<username>bench</username><password>pw</password></query></iq>" % (USER, GW), "reg1"),
        15)
    if typ != b"result":
        raise RuntimeError("registration: %r" % raw[:300])
    link.send("<presence from='%s' to='%s'/>" % (USER, GW))
    await asyncio.wait_for(link.available, 15)


def chat(link, body):
    link.send("<message type='chat' from='%s' to='%s'><body>%s</body></message>"
              % (USER, BOB, body))


async def queue_cut(srv, gw, n):
    """/flood n with the link not read, then an RST: window + outbox."""
    link = srv.link
    link.reading = False
    chat(link, "/flood %d" % n)
    # The window grows until congestion, the rest goes to the outbox.
    await settled(lambda: (outbox_rows(gw.store), gw.log_size()), 1.0, 120)
    link.reset()


async def queue_down(srv, gw, n):
    """n delayed echoes that fire while every reconnect is refused."""
    link = srv.link
    for i in range(1, n + 1):
        chat(link, "/delay 2 late %d" % i)
        if i % 500 == 0:
            await link.writer.drain()
    await link.writer.drain()
    await asyncio.sleep(0.5)        # the gateway read them all
    srv.refusing = True
    link.reset()
    await until(lambda: outbox_rows(gw.store) >= n, 60, "%d rows in the outbox" % n)
    await settled(lambda: outbox_rows(gw.store), 0.5, 30)


class Gateway:
    def __init__(self, args, work, comp_port):
        self.bin, self.work = args.bin, work
        self.store = os.path.join(work, "gw.sqlite")
        self.log = os.path.join(work, "gw.log")
        self.conf = os.path.join(work, "gw.ini")
        with open(self.conf, "w") as f:
            f.write("[xmpp]\nserver = 127.0.0.1\nport = %d\nreconnect_max_ms = 1000\n\n"
                    "[store]\npath = %s\n\n[policy]\nallow = localhost\n\n[log]\nlevel = info\n\n"
                    "[echo]\njid = %s\nsecret = %s\nflood_max = %d\n"
                    % (comp_port, self.store, GW, SECRET, max(args.stanzas, 1)))
        self.proc = None

    def start(self):
        self.proc = procs.spawn([self.bin, "-c", self.conf], self.log, cwd=self.work)

    def log_size(self):
        try:
            return os.path.getsize(self.log)
        except OSError:
            return 0

    def resent(self):
        with open(self.log, errors="replace") as f:
            found = RESENT.findall(f.read())
        return int(found[-1]) if found else 0


async def run_one(args, workload, work):
    srv = Server()
    comp_port = procs.free_port()
    listener = await asyncio.start_server(srv.handle, "127.0.0.1", comp_port)
    gw = Gateway(args, work, comp_port)
    n = args.stanzas
    try:
        gw.start()
        await srv.next_link(15)
        await login(srv)
        await (queue_cut if workload == "cut" else queue_down)(srv, gw, n)
        queued = outbox_rows(gw.store)
        srv.refusing = False
        link = await srv.next_link(30)
        t0 = link.linked_at
        link.want = n
        t_acked = None
        deadline = t0 + args.timeout
        while link.t_all is None or t_acked is None:
            if time.monotonic() > deadline:
                raise RuntimeError("not flushed within %.0f s: %d of %d received, %d rows left"
                                   % (args.timeout, len(link.seen), n, outbox_rows(gw.store)))
            if t_acked is None and link.t_all is not None and outbox_rows(gw.store) == 0:
                t_acked = time.monotonic()
            await asyncio.sleep(0.005)
        flush = link.t_all - t0
        return {"flush_s": flush, "acked_s": t_acked - t0, "stanzas_per_s": n / flush,
                "window_resent": gw.resent(), "outbox_rows_at_reconnect": queued,
                "repeats": sum(v - 1 for v in link.seen.values())}
    finally:
        procs.stop(gw.proc)
        listener.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "xmpp-gw"))
    ap.add_argument("--stanzas", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workloads", default="cut,down")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--tmpdir", default=tempfile.gettempdir())
    ap.add_argument("--keep", action="store_true", help="keep each run's directory")
    args = ap.parse_args()
    print("link cut: %d stanzas queued, then the time from the reconnect until flushed "
          "(medians of %d; load %s)" % (args.stanzas, args.runs,
                                        " ".join("%.2f" % x for x in os.getloadavg())),
          flush=True)
    out = {}
    for w in args.workloads.split(","):
        runs = []
        for r in range(1, args.runs + 1):
            work = tempfile.mkdtemp(prefix="xgw-cutbench-", dir=args.tmpdir)
            try:
                res = asyncio.run(run_one(args, w, work))
            except Exception as e:
                print("%s run %d FAILED: %s (kept %s)" % (w, r, e, work), flush=True)
                continue
            print("%s run %d: %s" % (w, r, " ".join("%s=%.4g" % kv for kv in sorted(res.items()))),
                  flush=True)
            runs.append(res)
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
        if runs:
            out[w] = report.medians(runs)
    for w, med in out.items():
        print("%-5s median: flush %.3f s (%.0f stanzas/s), acknowledged and deleted %.3f s; "
              "window resent %d, outbox rows at reconnect %d (the window's included), repeats %d"
              % (w, med["flush_s"], med["stanzas_per_s"], med["acked_s"], med["window_resent"],
                 med["outbox_rows_at_reconnect"], med["repeats"]))
    return 0 if out else 1


if __name__ == "__main__":
    sys.exit(main())
