"""One run of one driver: a fresh fake XMPP server, provider (the fake
Kannel sendsms endpoint or the Twilio simulator), gateway and store in the
run dir; users registered through XEP-0077; then the phases:

  in      webhook -> XMPP, closed loop on --conns connections (--texts)
  paced   webhook -> XMPP at --rate texts/s on --paced-conns (--paced-texts)
  out     XMPP -> provider (--out-texts)
  ceiling twilio only: the simulator's own ceiling (--out-texts)

Every process is stopped by its PID whatever happens (an exception, a
timeout, Ctrl-C)."""
import asyncio
import os
import secrets

from ircbench import procs

from . import incoming, outgoing
from .httpc import Sink
from .peers import Gateway, TwilioSim, new_sid, tail
from .xmpp import Server, register

LOG_TAIL = 30


class User:
    def __init__(self, i):
        self.i = i
        self.number = incoming.user_number(i)
        self.sid = new_sid("AC")
        self.token = secrets.token_hex(16)


class Ctx:
    """What the phases get: args, driver, srv, gw, proc, sink or sim, users."""


async def register_users(ctx):
    sem = asyncio.Semaphore(16)
    failures = []

    async def kannel(u):
        since = len(ctx.sink.got)
        typ, raw = await register(ctx.srv, u.i, {"number": u.number}, "a")
        if typ != b"error" or b"A code was texted" not in raw:
            raise RuntimeError("claim without a code: %r" % raw[:300])
        q = await ctx.sink.wait_for(lambda q: q.get("to") == u.number
                                    and "code for" in q.get("text", ""), 15, since)
        code = q["text"].split(" is ", 1)[1][:6]
        typ, raw = await register(ctx.srv, u.i, {"number": u.number, "code": code}, "b")
        if typ != b"result":
            raise RuntimeError("claim with the code: %r" % raw[:300])

    async def twilio(u):
        typ, raw = await register(ctx.srv, u.i, {"account": u.sid, "token": u.token,
                                                 "number": u.number}, "a")
        if typ != b"result":
            raise RuntimeError("registration: %r" % raw[:300])

    async def one(u):
        async with sem:
            try:
                await (kannel if ctx.driver == "kannel" else twilio)(u)
            except Exception as e:
                failures.append("u%d: %s" % (u.i, e))

    await asyncio.gather(*(one(u) for u in ctx.users))
    if failures:
        raise RuntimeError("%d of %d registrations failed, e.g. %s"
                           % (len(failures), len(ctx.users), failures[0]))


async def run_one(args, driver, work, phases):
    ctx = Ctx()
    ctx.args, ctx.driver, ctx.work = args, driver, work
    ctx.users = [User(i) for i in range(1, args.users + 1)]
    ctx.srv = Server()
    ctx.sink = ctx.sim = None
    res, notes = {}, []
    comp_port = procs.free_port()
    listener = await asyncio.start_server(ctx.srv.handle, "127.0.0.1", comp_port)
    ctx.gw = ctx.proc = None
    try:
        if driver == "kannel":
            ctx.sink = await Sink().start()
        else:
            ctx.sim = TwilioSim(work, [dict(sid=u.sid, token=u.token, numbers=[u.number])
                                       for u in ctx.users], args.callback_delay).start()
        ctx.gw = Gateway(args, work, comp_port, procs.free_port(), driver,
                         sink_port=ctx.sink and ctx.sink.port,
                         sim_url=ctx.sim and ctx.sim.url)
        ctx.proc = ctx.gw.start()
        try:
            await asyncio.wait_for(ctx.srv.linked, 15)
        except asyncio.TimeoutError:
            raise RuntimeError("the gateway did not connect within 15 s; its log:\n%s"
                               % tail(ctx.gw.log, LOG_TAIL))
        for _ in range(100):
            if procs.port_open(ctx.gw.http_port):
                break
            await asyncio.sleep(0.05)
        else:
            raise RuntimeError("the webhook port %d did not open; the gateway's log:\n%s"
                               % (ctx.gw.http_port, tail(ctx.gw.log, LOG_TAIL)))
        await asyncio.wait_for(register_users(ctx), 60 + 0.5 * len(ctx.users))
        await ctx.srv.quiet(0.3, 10)
        # the kannel claims' first step is an error by design: count from here
        ctx.srv.errors.clear()
        ctx.srv.error_samples.clear()
        # warm-up (connections, statements, page cache); not counted
        await incoming.phase(ctx, "warm", "w", min(500, args.texts), "closed")
        for name in phases:
            if name == "in":
                r, n = await incoming.phase(ctx, "in", "i", args.texts, "closed")
            elif name == "paced":
                r, n = await incoming.phase(ctx, "paced", "p", args.paced_texts, "paced")
            elif name == "out":
                r, n = await outgoing.phase(ctx, "out", "o", args.out_texts)
            elif name == "ceiling" and driver == "twilio":
                r, n = await outgoing.ceiling(ctx, "ceiling", args.out_texts)
            else:
                continue
            res.update(r)
            notes += n
        if ctx.proc.poll() is not None:
            notes.append("the gateway exited with %s" % ctx.proc.returncode)
        res["rss_peak_kib"] = procs.proc_status(ctx.proc.pid, "VmHWM")
        res["store_kib"] = sum(os.path.getsize(ctx.gw.store + s) // 1024
                               for s in ("", "-wal") if os.path.exists(ctx.gw.store + s))
    except Exception as e:
        e.partial = (res, notes)
        raise
    finally:
        if ctx.gw is not None:
            ctx.gw.stop()
            # the link's reader ends on the gateway's close, not by cancellation
            await ctx.srv.until(lambda: ctx.srv.closed or ctx.srv.writer is None, 3)
        if ctx.sim is not None:
            ctx.sim.stop()
        if ctx.sink is not None:
            ctx.sink.close()
        listener.close()
        diagnose(ctx, notes)
    return res, notes


def diagnose(ctx, notes):
    if ctx.gw is not None:
        count, first = ctx.gw.problems()
        if count:
            notes.append("gateway log: %d warning/error lines, first: %s"
                         % (count, " | ".join(first)))
    if ctx.srv.strays:
        notes.append("%d texts arrived outside their phase, first: %s"
                     % (ctx.srv.strays, ctx.srv.stray_samples[0]))
    if ctx.srv.errors:
        top = sorted(ctx.srv.errors.items(), key=lambda kv: -kv[1])[:5]
        notes.append("error stanzas: " + ", ".join("%s from %s x%d" % (k[0], k[1], v)
                                                   for k, v in top))
