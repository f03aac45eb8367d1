"""Webhook -> XMPP: incoming texts POSTed to the gateway's webhook server,
received as <message/>s at the fake XMPP server.

Every request is built before the clock starts. Text seq goes to user
seq % U (their registered number) from one of 100 senders, with the body
"<tag> <seq>"; Kannel MO: POST /kannel/mo?token=..&from=..&to=..&id=..&charset=UTF-8
with the text as the body; Twilio: POST /twilio/sms, a form (MessageSid,
AccountSid, From, To, Body, NumMedia=0) with a valid X-Twilio-Signature
made with the user's auth token.

Two ways of posting, each on keep-alive connections opened before the clock
starts:
- closed loop (throughput): C connections, each posting its next text as
  soon as the previous one is answered. Texts/s = n / (first POST written ..
  last text received over XMPP).
- paced (latency at a given rate): texts are due at rate R (open loop);
  each is posted on the first of P connections that is free, and its
  latencies count from when it was due, so a gateway that falls behind
  shows it (no coordinated omission).
Latency of a text: from its POST (or its due time) to its <message/> at the
fake server; HTTP latency: to the end of the answer. Lost = texts that
never arrived, duplicates = extra copies, misrouted = arrived for another
user than the receiving number's, refused = answers other than 200.
"""
import asyncio
import os
import time
import urllib.parse
import zlib

from ircbench.procs import cpu_s

from .httpc import Conn, request_bytes
from .peers import TOKEN, twilio_signature
from .xmpp import Phase, ubare

SENDERS = 100


def user_number(i):
    return "+1555%07d" % (1000000 + i)


def sender_number(k):
    return "+1555%07d" % (2000000 + k)


def build(ctx, tag, n):
    """The n requests of a phase (bytes) and the bare JID each must reach."""
    reqs, want = [], []
    host = "127.0.0.1:%d" % ctx.gw.http_port
    users = ctx.users
    for seq in range(n):
        u = users[seq % len(users)]
        frm = sender_number(seq % SENDERS)
        body = "%s %d" % (tag, seq)
        if ctx.driver == "kannel":
            q = urllib.parse.urlencode([("token", TOKEN), ("from", frm), ("to", u.number),
                                        ("id", "%s-%d" % (tag, seq)), ("charset", "UTF-8")])
            reqs.append(request_bytes("POST", "/kannel/mo?" + q, host,
                                      [("Content-Type", "text/plain; charset=utf-8")],
                                      body.encode()))
        else:
            params = [("MessageSid", "SM%032x" % (zlib.crc32(tag.encode()) << 64 | seq)),
                      ("AccountSid", u.sid), ("From", frm), ("To", u.number),
                      ("Body", body), ("NumMedia", "0"), ("ApiVersion", "2010-04-01")]
            sig = twilio_signature(u.token, ctx.gw.public_url + "/twilio/sms", params)
            reqs.append(request_bytes("POST", "/twilio/sms", host, [
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("X-Twilio-Signature", sig)], urllib.parse.urlencode(params).encode()))
        want.append(ubare(u.i).encode())
    return reqs, want


async def open_conns(port, k):
    conns = [Conn(port) for _ in range(k)]
    await asyncio.gather(*(c.open() for c in conns))
    return conns


class Posting:
    """Per-text start and answer times and statuses of one phase."""

    def __init__(self, n):
        self.t0 = [0.0] * n
        self.t_ans = [0.0] * n
        self.status = [0] * n
        self.errors = []


async def post_one(conn, reqs, seq, p, t_start, timeout):
    p.t0[seq] = t_start
    try:
        status, _ = await conn.request(reqs[seq], timeout)
    except (OSError, EOFError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as e:
        conn.close()
        status = -1
        if len(p.errors) < 3:
            p.errors.append("%s: %s" % (type(e).__name__, e))
    p.t_ans[seq] = time.monotonic()
    p.status[seq] = status


async def closed_loop(conns, reqs, timeout):
    n = len(reqs)
    p = Posting(n)
    it = iter(range(n))

    async def worker(conn):
        for seq in it:
            await post_one(conn, reqs, seq, p, time.monotonic(), timeout)

    await asyncio.gather(*(worker(c) for c in conns))
    return p


async def paced(conns, reqs, rate, timeout):
    n = len(reqs)
    p = Posting(n)
    queue = asyncio.Queue()
    t_start = time.monotonic() + 0.01

    async def worker(conn):
        while True:
            seq = await queue.get()
            if seq is None:
                return
            await post_one(conn, reqs, seq, p, t_start + seq / rate, timeout)

    async def feeder():
        seq = 0
        while seq < n:
            due = int((time.monotonic() - t_start) * rate) + 1
            while seq < min(due, n):
                queue.put_nowait(seq)
                seq += 1
            await asyncio.sleep(0.0005)
        for _ in conns:
            queue.put_nowait(None)

    await asyncio.gather(feeder(), *(worker(c) for c in conns))
    return p


def pct(values, q):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


async def phase(ctx, key, tag, n, how):
    """One phase: builds, posts (how: "closed" or "paced"), waits for every
    text and returns its figures under key_*."""
    args, srv, pid = ctx.args, ctx.srv, ctx.proc.pid
    reqs, want = build(ctx, tag, n)
    conns = await open_conns(ctx.gw.http_port, args.conns if how == "closed" else args.paced_conns)
    ph = Phase(tag, n)
    srv.phase = ph
    c0, d0, w0 = cpu_s(pid), os.times(), time.monotonic()
    try:
        if how == "closed":
            p = await asyncio.wait_for(closed_loop(conns, reqs, args.http_timeout),
                                       args.phase_timeout)
        else:
            p = await asyncio.wait_for(paced(conns, reqs, args.rate, args.http_timeout),
                                       args.phase_timeout + n / args.rate)
    except asyncio.TimeoutError:
        for c in conns:
            c.close()
        raise RuntimeError("%s: posting %d texts took over %d s (%d arrived)"
                           % (key, n, args.phase_timeout, ph.arrived))
    for c in conns:
        c.close()
    await srv.until(lambda: ph.arrived >= n, args.phase_timeout)
    w1, c1, d1 = time.monotonic(), cpu_s(pid), os.times()
    await srv.quiet(0.3, 5)  # late duplicates
    srv.phase = None
    res = {}
    first = min(p.t0)
    last = max(ph.t) if ph.arrived else w1
    res[key + "_sent_s"] = n / (max(p.t_ans) - first)
    if ph.arrived == n:
        res[key + "_texts_s"] = n / (last - first)
    lat = [(ph.t[s] - p.t0[s]) * 1000 for s in range(n) if ph.count[s]]
    http = [(p.t_ans[s] - p.t0[s]) * 1000 for s in range(n)]
    res[key + "_p50_ms"], res[key + "_p99_ms"] = pct(lat, 0.5), pct(lat, 0.99)
    res[key + "_http_p50_ms"], res[key + "_http_p99_ms"] = pct(http, 0.5), pct(http, 0.99)
    res[key + "_lost"] = n - ph.arrived
    res[key + "_dups"] = ph.dups
    res[key + "_misrouted"] = sum(1 for s in range(n) if ph.count[s] and ph.to[s] != want[s])
    res[key + "_refused"] = sum(1 for st in p.status if st != 200)
    res[key + "_gw_cpu_us"] = (c1 - c0) / n * 1e6
    res[key + "_driver_cpu"] = ((d1.user - d0.user) + (d1.system - d0.system)) / (w1 - w0)
    notes = []
    if res[key + "_refused"]:
        codes = {}
        for st in p.status:
            if st != 200:
                codes[st] = codes.get(st, 0) + 1
        notes.append("%s: answers other than 200: %s%s" % (
            key, ", ".join("%s x%d" % (k if k > 0 else "no answer", v)
                           for k, v in sorted(codes.items())),
            (" (" + "; ".join(p.errors) + ")") if p.errors else ""))
    if ph.arrived < n:
        notes.append("%s: %d of %d texts never arrived" % (key, n - ph.arrived, n))
    return res, notes
