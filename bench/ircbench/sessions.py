"""Sessions: N users, each alone in a channel of their own.

  1. Setup as in the shared room (not timed here).
  2. User i joins #s<i>%localhost@<gw>/u<i> (a new IRC connection, then
     JOIN), with 8 joins in flight: the next one is sent when a self-presence
     (status 110) or an error comes back. Sessions opened per second = the
     sessions that opened / (first join sent .. last self-presence).
  3. Once nothing has arrived for a second: RSS per idle session = (VmRSS
     then - VmRSS right after the handshake) / N; then idle CPU = the
     gateway's CPU time (/proc/PID/stat) over --idle-seconds of idleness,
     as a share of one core.
"""
import asyncio
import time

from .link import IRC_SERVER, GW, ujid
from .procs import cpu_s, rss_kib
from .run import Incomplete

IN_FLIGHT = 8

COLS = [("sessions_s", "Sessions opened per second (8 in flight)", "%.1f", +1),
        ("sessions_lost", "Sessions lost (error or no answer in 60 s)", "%d", -1),
        ("rss_kib_per_session", "RSS per idle session (KiB)", "%.2f", -1),
        ("idle_cpu_share", "Idle CPU, share of one core", "%.1f%%", -1),
        ("rss_peak_kib", "Gateway peak RSS (KiB)", "%.0f", -1),
        ("join_cpu_us", "Gateway CPU per session opened (us)", "%.0f", -1)]


async def workload(ctx):
    args, srv, n, res, notes, pid = ctx.args, ctx.srv, ctx.n, ctx.res, ctx.notes, ctx.proc.pid
    await ctx.gw.setup_users(srv, n, res, notes)
    await srv.quiet(0.5, 30)

    opened, failed = [], []
    deadline = time.monotonic() + args.join_timeout
    next_user = iter(range(1, n + 1))

    async def worker():
        for i in next_user:
            if time.monotonic() > deadline or ctx.proc.poll() is not None:
                return
            room = "#s%d%%%s@%s" % (i, IRC_SERVER, GW)
            fut = srv.expect_join(room)
            srv.send("<presence from='%s' to='%s/u%d'><x xmlns='http://jabber.org/protocol/muc'>"
                     "<history maxstanzas='0'/></x></presence>" % (ujid(i), room, i))
            try:
                t, err = await asyncio.wait_for(fut, max(1.0, min(60.0, deadline - time.monotonic())))
            except asyncio.TimeoutError:
                srv.join_waits.pop(room.encode(), None)
                failed.append("u%d: no self-presence within 60 s" % i)
                continue
            (failed.append("u%d: %r" % (i, err[:160])) if err else opened.append(t))

    c0 = cpu_s(pid)
    t0 = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
    if opened:
        res["sessions_s"] = len(opened) / max(1e-6, max(opened) - t0)
        res["join_cpu_us"] = (cpu_s(pid) - c0) / len(opened) * 1e6
    res["sessions"] = len(opened)
    res["sessions_lost"] = len(failed)
    if failed:
        notes.append("sessions that failed: %d, e.g. %s" % (len(failed), "; ".join(failed[:3])))
    if len(opened) + len(failed) < n or not opened:
        res["_dnf"] = {k: "%d/%d opened in %ds" % (len(opened), n, args.join_timeout)
                       for k in ("sessions_s", "rss_kib_per_session", "idle_cpu_share")}
        raise Incomplete("sessions: %d of %d opened (%d failed)" % (len(opened), n, len(failed)))

    await srv.quiet(1.0, 60)
    res["rss_kib_total"] = rss_kib(pid)
    res["rss_kib_per_session"] = (res["rss_kib_total"] - ctx.rss0) / len(opened)
    s0, c0, t0 = srv.stanzas, cpu_s(pid), time.monotonic()
    await asyncio.sleep(args.idle_seconds)
    wall = time.monotonic() - t0
    res["idle_cpu_share"] = (cpu_s(pid) - c0) / wall * 100
    res["idle_stanzas"] = srv.stanzas - s0
