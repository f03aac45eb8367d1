"""Shared room: N users, each on their own IRC connection, all in #bench.

  1. Setup (registrations or biboumi's configure, then logins; not timed
     here).
  2. N joins of #bench%localhost@<gw>/uN, all sent at once. Joins/s = N /
     (first join sent .. last self-presence, status 110). RSS per session =
     (VmRSS once the room is quiet - VmRSS right after the handshake) / N.
     A join answered by an error presence is counted as lost, and the
     later phases use the users who joined; joins still unanswered at the
     deadline (or the RSS limit) end the run ("did not complete").
  3. Fan-out: a raw IRC client posts M messages to #bench; the groupchat
     messages from its occupant JID are counted for all N users.
     Stanzas/s = delivered / (first PRIVMSG sent .. last one delivered);
     also the gateway's CPU per delivered stanza and the driver's CPU share.
  4. XMPP->IRC: each user sends K chat messages to sink%localhost@<gw>; a raw
     IRC client counts the PRIVMSGs it gets. Messages/s as above.
  5. Round trip: u1 and u2 in #rtt; u1 sends a groupchat message, timed until
     u2 receives it (through IRC). One at a time; p50 and p99.
"""
import asyncio
import statistics
import time

from .link import CHAN, DOMAIN, GW, IRC_SERVER, RawIrc, ujid
from .procs import cpu_s, rss_kib
from .run import Incomplete

COLS = [("joins_s", "Joins per second", "%.1f", +1),
        ("joins_lost", "Joins lost (error presence instead)", "%d", -1),
        ("rss_kib_per_session", "RSS per session (KiB)", "%.1f", -1),
        ("fan_s", "IRC->XMPP fan-out (stanzas/s)", "%.0f", +1),
        ("fan_cpu_us", "Gateway CPU per delivered stanza (us)", "%.1f", -1),
        ("pm_s", "XMPP->IRC private messages/s", "%.0f", +1),
        ("rtt_p50_ms", "Round trip, 2-user room, p50 (ms)", "%.2f", -1),
        ("rtt_p99_ms", "Round trip, 2-user room, p99 (ms)", "%.2f", -1),
        ("rss_peak_kib", "Gateway peak RSS (KiB)", "%.0f", -1),
        ("driver_cpu_share_fan", "Driver CPU / wall, fan-out", "%.2f", 0),
        ("driver_cpu_share_pm", "Driver CPU / wall, XMPP->IRC", "%.2f", 0)]


async def workload(ctx):
    args, srv, n, res, notes, pid = ctx.args, ctx.srv, ctx.n, ctx.res, ctx.notes, ctx.proc.pid
    poster = RawIrc(ctx.ircd.port, "poster")
    sink = RawIrc(ctx.ircd.port, "sink")
    ctx.clients += [poster, sink]
    await poster.start()
    await sink.start()
    await poster.join(CHAN)
    await ctx.gw.setup_users(srv, n, res, notes)
    await srv.quiet(0.3, 10)

    # 2. joins
    c0 = cpu_s(pid)
    t0 = time.monotonic()
    for i in range(1, n + 1):
        srv.send("<presence from='%s' to='%s/u%d'><x xmlns='http://jabber.org/protocol/muc'>"
                 "<history maxstanzas='0'/></x></presence>" % (ujid(i), srv.room.decode(), i))
        if i % 500 == 0:
            await srv.drain()
    await srv.drain()
    budget = args.join_timeout
    too_big = await wait_joins(ctx, t0 + budget)
    wall = time.monotonic() - t0
    if srv.joined:
        res["joins_s"] = len(srv.joined) / max(1e-6, srv.t_joined - t0)
    lost = srv.join_errors - srv.joined
    res["joins_lost"] = len(lost)
    if lost:
        ctx.notes.append("joins lost: %d of %d users got an error presence instead (see the "
                         "first error stanza); the later phases use the %d who joined"
                         % (len(lost), n, len(srv.joined)))
    if len(srv.joined) + len(lost) < n:
        why = ("gateway exited" if ctx.proc.poll() is not None
               else "RSS above --max-rss-mib %d" % args.max_rss_mib if too_big else "timeout")
        res["_dnf"] = {k: "%d/%d joined in %.0f s, %s" % (len(srv.joined), n, wall, why)
                       for k in ("joins_s", "rss_kib_per_session")}
        res["joined"] = len(srv.joined)
        res["join_cpu_s"] = cpu_s(pid) - c0
        res["rss_kib_total"] = rss_kib(pid)
        raise Incomplete("joins: %d of %d after %.0f s (%s; budget %d s); gateway CPU %.1f s, "
                         "RSS %d KiB" % (len(srv.joined), n, wall, why, budget,
                                         res["join_cpu_s"], res["rss_kib_total"]))
    await srv.quiet(0.5, 120)
    ctx.members = sorted(int(j.split(b"@")[0][1:]) for j in srv.joined)
    res["join_cpu_s"] = cpu_s(pid) - c0
    res["rss_kib_per_session"] = (rss_kib(pid) - ctx.rss0) / max(1, len(srv.joined))
    res["rss_kib_total"] = rss_kib(pid)
    res["occupant_presences"] = srv.presences
    if len(ctx.members) < 2:
        raise Incomplete("fewer than 2 users joined")

    await fan_out(ctx, poster)
    await to_irc(ctx, sink)
    await round_trip(ctx)
    res["stanzas"] = srv.stanzas


async def wait_joins(ctx, deadline):
    """Until every join is answered (self-presence or error), the gateway
    exits, its RSS passes --max-rss-mib, or the deadline; True on the RSS."""
    srv, n, pid = ctx.srv, ctx.n, ctx.proc.pid
    limit = ctx.args.max_rss_mib * 1024
    while time.monotonic() < deadline and ctx.proc.poll() is None and not srv.closed:
        if len(srv.joined) + len(srv.join_errors - srv.joined) >= n:
            return False
        if rss_kib(pid) > limit:
            return True
        await asyncio.sleep(0.05)
    return False


async def fan_out(ctx, poster):
    args, srv, res, pid = ctx.args, ctx.srv, ctx.res, ctx.proc.pid
    n = len(ctx.members)
    m = args.fan_messages or max(5, args.fan_total // n)
    target = m * n
    c0, d0 = cpu_s(pid), time.process_time()
    srv.fan = 0
    t0 = time.monotonic()
    for k in range(m):
        poster.send("PRIVMSG %s :fan %d" % (CHAN, k))
    await poster.writer.drain()
    done = await srv.until(lambda: srv.fan >= target, args.phase_timeout)
    d1 = time.process_time()
    if not done:
        ctx.notes.append("fan-out: %d of %d delivered" % (srv.fan, target))
    wall = max(1e-6, srv.t_fan - t0)
    res["fan_s"] = srv.fan / wall
    res["fan_cpu_us"] = (cpu_s(pid) - c0) / max(1, srv.fan) * 1e6
    if done:
        res["driver_cpu_share_fan"] = (d1 - d0) / wall
    res["fan_m"] = m
    await srv.quiet(0.3, 30)


async def to_irc(ctx, sink):
    args, srv, res = ctx.args, ctx.srv, ctx.res
    n = len(ctx.members)
    k = args.pm_per_user or max(1, args.pm_total // n)
    target = k * n
    to = "sink%%%s@%s" % (IRC_SERVER, GW)
    d0 = time.process_time()
    t0 = time.monotonic()
    for j in range(k):
        for i in ctx.members:
            srv.send("<message type='chat' from='%s' to='%s' id='p%d.%d'><body>pm %d</body>"
                     "</message>" % (ujid(i), to, i, j, j))
        await srv.drain()
    done = await srv.until(lambda: sink.privmsgs >= target, args.phase_timeout)
    d1 = time.process_time()
    if not done:
        ctx.notes.append("XMPP->IRC: %d of %d PRIVMSGs" % (sink.privmsgs, target))
    wall = max(1e-6, sink.t_last - t0)
    res["pm_s"] = sink.privmsgs / wall
    res["pm_k"] = k
    if done:
        res["driver_cpu_share_pm"] = (d1 - d0) / wall
    await srv.quiet(0.3, 30)


async def round_trip(ctx):
    args, srv, res = ctx.args, ctx.srv, ctx.res
    rtt_room = "#rtt%%%s@%s" % (IRC_SERVER, GW)
    for i in ctx.members[:2]:
        fut = srv.expect_join(rtt_room)
        srv.send("<presence from='%s' to='%s/u%d'><x xmlns='http://jabber.org/protocol/muc'/>"
                 "</presence>" % (ujid(i), rtt_room, i))
        try:
            _, err = await asyncio.wait_for(fut, 30)
        except asyncio.TimeoutError:
            raise Incomplete("round trip: u%d not in %s within 30 s" % (i, rtt_room))
        if err:
            raise Incomplete("round trip: u%d could not join: %r" % (i, err[:200]))
    await srv.quiet(0.3, 10)
    samples = []
    a, b = ctx.members[:2]
    src = ("%s/u%d" % (rtt_room, a)).encode()
    to2 = ("u%d@%s" % (b, DOMAIN)).encode()
    for j in range(args.rtt_count):
        body = ("rtt %d" % j).encode()
        w = asyncio.ensure_future(srv.wait_for(
            lambda nm, a, raw, body=body: nm == b"message" and a.get(b"from") == src
            and (a.get(b"to") or b"").startswith(to2) and b">" + body + b"<" in raw, 5))
        await asyncio.sleep(0)
        t0 = time.monotonic()
        srv.send("<message type='groupchat' from='%s' to='%s' id='r%d'><body>rtt %d</body>"
                 "</message>" % (ujid(a), rtt_room, j, j))
        try:
            t1, _ = await w
            samples.append((t1 - t0) * 1000)
        except asyncio.TimeoutError:
            ctx.notes.append("round trip %d: no delivery within 5 s" % j)
            break
    if samples:
        samples.sort()
        res["rtt_p50_ms"] = statistics.median(samples)
        res["rtt_p99_ms"] = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
