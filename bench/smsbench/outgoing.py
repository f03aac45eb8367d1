"""XMPP -> provider: the fake XMPP server sends K chat messages from the
registered users (round robin) to 100 +E.164 number JIDs, all at once (in
writes of 500); the gateway stores each, takes a token of the user's
account's bucket (send_rate) and calls the provider, at most 8 calls in
flight, each on a new connection (gateways/sms/outbox.c, http.c).

Counted at the provider: the simulator's accepted messages (twilio; it then
sends its status callbacks, sent and delivered, to the gateway), or the
requests at the fake Kannel sendsms endpoint (kannel, answered 202).
Texts/s = K / (first message written .. last text at the provider); lost
and duplicated by the "<tag> <seq>" body; also when the first text reached
the provider (a gateway that takes in the whole burst before it sends shows
there).

ceiling(): the simulator alone, K sends POSTed straight to it by the
driver with 8 in flight and a new connection each, as the gateway sends
(no StatusCallback): what the simulator can take at all.
"""
import asyncio
import base64
import os
import time
import urllib.parse

from ircbench.procs import cpu_s

from .httpc import Conn, request_bytes
from .xmpp import number_jid, ujid

RECIPIENTS = 100


def recipient(r):
    return "+1555%07d" % (4000000 + r)


def count_seqs(bodies, tag, k):
    """(arrived, duplicates) of the tag's seqs among bodies."""
    seen = bytearray(k)
    dups = 0
    prefix = tag + " "
    for b in bodies:
        if b and b.startswith(prefix):
            try:
                s = int(b[len(prefix):])
            except ValueError:
                continue
            if 0 <= s < k:
                if seen[s]:
                    dups += 1
                seen[s] = 1
    return sum(seen), dups


async def wait_sink(sink, tag, k, timeout):
    deadline = time.monotonic() + timeout
    prefix = tag + " "
    n, i = 0, 0
    while time.monotonic() < deadline:
        got = sink.got
        while i < len(got):
            if got[i][1].get("text", "").startswith(prefix):
                n += 1
            i += 1
        if n >= k:
            return True
        await asyncio.sleep(0.01)
    return False


async def wait_sim(sim, base, k, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        st = await sim.acontrol("GET", "/_sim/state")
        if st["counts"]["messages"] - base >= k:
            return True
        await asyncio.sleep(0.05)
    return False


async def phase(ctx, key, tag, k):
    args, srv, pid, users = ctx.args, ctx.srv, ctx.proc.pid, ctx.users
    stanzas = ["<message type='chat' id='%s%d' from='%s' to='%s'><body>%s %d</body></message>"
               % (tag, seq, ujid(users[seq % len(users)].i),
                  number_jid(recipient(seq % RECIPIENTS)), tag, seq) for seq in range(k)]
    base = 0
    if ctx.driver == "twilio":
        base = (await ctx.sim.acontrol("GET", "/_sim/state"))["counts"]["messages"]
    else:
        sink_from = len(ctx.sink.got)
    errors0 = sum(srv.errors.values())
    c0, d0 = cpu_s(pid), os.times()
    t0, w0 = time.monotonic(), time.time()
    for i in range(0, k, 500):
        srv.send("".join(stanzas[i:i + 500]))
        await srv.drain()
    if ctx.driver == "twilio":
        done = await wait_sim(ctx.sim, base, k, args.phase_timeout)
    else:
        done = await wait_sink(ctx.sink, tag, k, args.phase_timeout)
    t1, c1, d1 = time.monotonic(), cpu_s(pid), os.times()
    await asyncio.sleep(0.5)  # late duplicates
    res, notes = {}, []
    if ctx.driver == "twilio":
        msgs = await ctx.sim.acontrol("GET", "/_sim/messages")
        mine = [m for m in msgs if (m.get("body") or "").startswith(tag + " ")]
        arrived, dups = count_seqs([m["body"] for m in mine], tag, k)
        times = [m["date_created"] - w0 for m in mine]
    else:
        mine = [(t, q) for t, q in ctx.sink.got[sink_from:]
                if q.get("text", "").startswith(tag + " ")]
        arrived, dups = count_seqs([q["text"] for _, q in mine], tag, k)
        times = [t - t0 for t, _ in mine]
    if times:
        res[key + "_first_ms"] = min(times) * 1000
    if done and arrived == k:
        res[key + "_texts_s"] = k / max(times)
    res[key + "_lost"] = k - arrived
    res[key + "_dups"] = dups
    res[key + "_xmpp_errors"] = sum(srv.errors.values()) - errors0
    res[key + "_gw_cpu_us"] = (c1 - c0) / k * 1e6
    res[key + "_driver_cpu"] = ((d1.user - d0.user) + (d1.system - d0.system)) / (t1 - t0)
    if not done:
        notes.append("%s: %d of %d texts reached the provider within %d s"
                     % (key, arrived, k, args.phase_timeout))
    if res[key + "_xmpp_errors"]:
        notes.append("%s: %d error stanzas back to the senders, first: %s"
                     % (key, res[key + "_xmpp_errors"], srv.error_samples[:1]))
    return res, notes


async def ceiling(ctx, key, k, inflight=8):
    """Sends per second the simulator takes from the driver alone."""
    u = ctx.users[0]
    auth = base64.b64encode(("%s:%s" % (u.sid, u.token)).encode()).decode()
    host = "127.0.0.1:%d" % ctx.sim.port
    path = "/2010-04-01/Accounts/%s/Messages.json" % u.sid
    reqs = [request_bytes("POST", path, host, [
        ("Authorization", "Basic " + auth),
        ("Content-Type", "application/x-www-form-urlencoded")],
        urllib.parse.urlencode([("To", recipient(seq % RECIPIENTS)), ("From", u.number),
                                ("Body", "ceiling %d" % seq)]).encode()) for seq in range(k)]
    it = iter(range(k))
    bad = []

    async def worker():
        for seq in it:
            c = Conn(ctx.sim.port)
            try:
                status, _ = await c.request(reqs[seq], ctx.args.http_timeout)
            except (OSError, EOFError, asyncio.TimeoutError, asyncio.IncompleteReadError) as e:
                status = repr(e)
            finally:
                c.close()
            if status != 201:
                bad.append(status)

    t0 = time.monotonic()
    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(inflight))),
                           ctx.args.phase_timeout)
    res = {key + "_texts_s": k / (time.monotonic() - t0)}
    notes = ["%s: %d sends not answered 201, first %s" % (key, len(bad), bad[0])] if bad else []
    return res, notes
