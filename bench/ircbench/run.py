"""One run: a fresh ngIRCd, component listener, gateway and store in a temp
dir; the workload runs against them; everything is stopped by PID whatever
happens (an exception, a timeout, Ctrl-C)."""
import asyncio
import os
import re

from . import procs
from .gateways import GATEWAYS
from .link import Server

IRCD_DROPS = re.compile(r"exhausted|overflow|SendQ|Ping timeout|Excess", re.I)


class Ctx:
    """What a workload gets: args, n, the fake server, the gateway (object and
    process), ngIRCd, the result dict and the notes list."""


class Incomplete(Exception):
    """A phase that did not finish in its time budget; the run's figures so
    far are kept and the rest of the workload is skipped."""


async def run_one(args, gateway, wname, workload, n, work):
    ctx = Ctx()
    ctx.args, ctx.n, ctx.work = args, n, work
    ctx.res, ctx.notes = {}, []
    ctx.ircd = procs.Ngircd(work, args.irc_port)
    ctx.ircd.start()
    ctx.srv = Server()
    if args.trace:
        ctx.srv.trace = open(os.path.join(work, "received.xml"), "wb")
    comp_port = procs.free_port()
    listener = await asyncio.start_server(ctx.srv.handle, "127.0.0.1", comp_port)
    ctx.gw = GATEWAYS[gateway](args, work, comp_port, ctx.ircd.port, args.pacing[wname])
    ctx.proc = None
    ctx.clients = []
    ctx.log_problems = None
    try:
        ctx.proc = ctx.gw.start()
        try:
            await asyncio.wait_for(ctx.srv.linked, 15)
        except asyncio.TimeoutError:
            raise RuntimeError("the gateway did not connect within 15 s; log:\n%s"
                               % open(ctx.gw.log, errors="replace").read()[-3000:])
        await asyncio.sleep(0.3)
        ctx.rss0 = procs.rss_kib(ctx.proc.pid)
        try:
            await workload(ctx)
        except Incomplete as e:
            ctx.notes.append("did not complete: %s" % e)
        ctx.res["rss_peak_kib"] = procs.proc_status(ctx.proc.pid, "VmHWM")
        ctx.log_problems = ctx.gw.problems()  # before the shutdown adds its own lines
        if ctx.proc.poll() is not None:
            ctx.notes.append("the gateway exited with %s" % ctx.proc.returncode)
    except Exception as e:
        e.partial = (ctx.res, ctx.notes)
        raise
    finally:
        for c in ctx.clients:
            c.close()
        procs.stop(ctx.proc)
        listener.close()
        ctx.ircd.stop()
        if ctx.srv.trace:
            ctx.srv.trace.close()
        diagnose(ctx)
    return ctx.res, ctx.notes


def diagnose(ctx):
    """Adds what the logs say to the notes: the gateway's warnings and errors,
    ngIRCd dropping connections, error stanzas received."""
    during = ctx.log_problems is not None
    count, first = ctx.log_problems if during else ctx.gw.problems()
    if count:
        ctx.notes.append("gateway log: %d warning/error lines%s, first: %s"
                         % (count, " during the workload" if during else "",
                            " | ".join(first)))
    count, first = procs.log_lines(ctx.ircd.log, IRCD_DROPS)
    if count:
        ctx.notes.append("ngircd dropped connections: %d lines, first: %s"
                         % (count, " | ".join(first)))
    if ctx.srv.errors:
        top = sorted(ctx.srv.errors.items(), key=lambda kv: -kv[1])[:5]
        ctx.notes.append("error stanzas: " + ", ".join(
            "%s from %s x%d" % (k[0], k[1], v) for k, v in top))
        ctx.notes.append("first error stanza: %s" % ctx.srv.error_samples[0])
