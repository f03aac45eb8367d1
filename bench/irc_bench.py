#!/usr/bin/python3
"""IRC rooms under load: xmpp-gw (or biboumi) between a fake XMPP server and ngIRCd.

The driver plays the XMPP server itself: it listens on a component port,
accepts the gateway's XEP-0114 stream (the handshake is checked) and injects
stanzas as if they came from local users uN@localhost. A private ngIRCd runs
on loopback with its penalty off (MaxPenaltyTime = 0) and no connection or
join limits. Every run gets a fresh gateway, store and ngIRCd.

Two workloads (bench/ircbench/room.py and sessions.py say what is measured):
  room      shared room: N users, each on their own IRC connection, all in
            one channel (joins/s, RSS per session, IRC->XMPP fan-out,
            XMPP->IRC messages/s, round trip)
  sessions  N users, each alone in a channel (sessions opened per second
            with 8 in flight, RSS per idle session, idle CPU)

Both gateways get the same work. xmpp-gw paces new IRC connections
(connects_per_second, 20 by default) and biboumi does not, so the driver
sets 10000 (unpaced) for the sessions workload and 200 for the shared room,
where all N joins come at once and ngIRCd's listen backlog of 10 overflows
(unpaced, xmpp-gw loses joins there: see DEFAULT_PACING); --irc-option
connects_per_second=... overrides both, and the run prints which was used.
Biboumi's per-connection throttle (10 lines, then one a second) is
turned off for every user through its per-server ad-hoc command
(throttle_limit = -1, read back before the run goes on), as in the anchor's
figures; --biboumi-throttle default keeps it, to show the difference.

  --users 100,1000          shared-room user counts
  --session-users 1000,5000 sessions user counts
  --runs 3                  runs per N (medians); N above --full-runs-upto
                            (default 1000) get one run
  --gateway biboumi         the workloads against biboumi only
  --compare                 both gateways, runs interleaved, both values and
                            the xmpp-gw/biboumi ratio for every figure
  --selftest                how many stanzas/s the driver ingests on its own

Every wait is bounded; a phase that runs out of time is reported as "did
not complete" with what it reached, and the run goes on to the next. Ctrl-C
or SIGTERM stops every process the driver started, by PID. Not a test:
nothing passes or fails on a figure.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ircbench import procs, report, room, sessions  # noqa: E402
from ircbench.run import run_one  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOADS = {
    "room": (room, "Shared room: N users, each on their own IRC connection, all in one channel"),
    "sessions": (sessions, "Sessions: N users, each alone in a channel"),
}
# xmpp-gw's connects_per_second per workload unless --irc-option sets it.
# Sessions: at most 8 connects are in flight, so 10000 means unpaced, as
# biboumi is. Shared room: all N joins come at once, and ngIRCd's listen
# backlog (10) overflows; the kernel then resets some connections, and
# xmpp-gw reports a first connection that fails as a join error. Unpaced,
# 13% of 1,000 joins were lost that way; 200 a second lost none or a few.
DEFAULT_PACING = {"room": "200", "sessions": "10000"}


def load():
    return " ".join("%.2f" % x for x in os.getloadavg())


def show(res):
    return " ".join(("%s=%.4g" % (k, v)) if isinstance(v, (int, float)) else "%s=%s" % (k, v)
                    for k, v in sorted(res.items()) if not k.startswith("_dnf"))


async def one(args, gateway, wname, n, r):
    work = tempfile.mkdtemp(prefix="xgw-ircbench-", dir=args.tmpdir)
    la = load()
    t0 = time.monotonic()
    try:
        res, notes = await run_one(args, gateway, wname, WORKLOADS[wname][0].workload, n, work)
    except Exception as e:
        print("%s %s N=%d run %d FAILED after %.0f s (load %s): %r" % (
            gateway, wname, n, r, time.monotonic() - t0, la, e), flush=True)
        partial = getattr(e, "partial", None)
        if partial:
            print("  so far: %s\n  notes: %s" % (show(partial[0]), "; ".join(partial[1])),
                  flush=True)
        if args.keep:
            print("  kept %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
        return None
    print("%s %s N=%d run %d (%.0f s, load %s): %s%s" % (
        gateway, wname, n, r, time.monotonic() - t0, la, show(res),
        ("\n  notes: " + "\n         ".join(notes)) if notes else ""), flush=True)
    if args.keep:
        print("  kept %s" % work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return res


async def bench(args, gateways):
    """{workload: {gateway: {n: medians}}}, runs interleaved across gateways."""
    out = {w: {g: {} for g in gateways} for w in args.workloads}
    for wname in args.workloads:
        for n in (args.users if wname == "room" else args.session_users):
            runs = {g: [] for g in gateways}
            for r in range(1, (args.runs if n <= args.full_runs_upto else 1) + 1):
                for g in gateways:
                    res = await one(args, g, wname, n, r)
                    if res is not None:
                        runs[g].append(res)
            for g in gateways:
                if runs[g]:
                    out[wname][g][n] = report.medians(runs[g])
    return out


def print_results(args, out, gateways, la0):
    print("\n## Results (load average at start %s, at end %s; %d cores)"
          % (la0, load(), os.cpu_count()))
    print(conditions(args, gateways))
    for wname in args.workloads:
        mod, title = WORKLOADS[wname]
        if len(gateways) == 2:
            report.print_side_by_side(title, mod.COLS, out[wname]["xmpp-gw"],
                                      out[wname]["biboumi"])
        for g in gateways:
            if out[wname][g]:
                report.print_table("%s, %s: medians" % (title.split(":")[0], g),
                                   mod.COLS, out[wname][g])


def conditions(args, gateways):
    lines = ["- ngircd 127.0.0.1, MaxPenaltyTime = 0, no connection or join limits; "
             "work dirs under %s" % (args.tmpdir or tempfile.gettempdir())]
    if "xmpp-gw" in gateways:
        lines.append("- xmpp-gw %s: log level warn, flood_interval_ms = 0, connection pacing "
                     "connects_per_second = %s%s" % (
                         args.xmpp_gw_bin,
                         ", ".join("%s for %s" % (args.pacing[w], w) for w in args.workloads),
                         " (the driver's defaults; biboumi does not pace)"
                         if args.pacing_default else " (--irc-option)"))
    if "biboumi" in gateways:
        lines.append("- biboumi %s: log_level = 2 (warning), per-connection throttle %s"
                     % (args.biboumi_bin, "OFF (throttle_limit = -1 per user, read back)"
                        if args.biboumi_throttle == "off" else "ON (its default, 10 lines)"))
    lines.append("- RLIMIT_NOFILE %d/%d (driver and children)" % args.nofile)
    return "\n".join(lines)


def default_tmpdir():
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=None, help="xmpp-gw's binary (default build/xmpp-gw)")
    ap.add_argument("--gateway", choices=("xmpp-gw", "biboumi"), default="xmpp-gw")
    ap.add_argument("--compare", action="store_true", help="both gateways, with ratios")
    ap.add_argument("--biboumi", default=shutil.which("biboumi") or "/usr/bin/biboumi")
    ap.add_argument("--biboumi-throttle", choices=("off", "default"), default="off")
    ap.add_argument("--workloads", default="room,sessions")
    ap.add_argument("--users", default="100,1000", help="shared-room user counts")
    ap.add_argument("--session-users", default="1000,5000", help="sessions user counts")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--full-runs-upto", type=int, default=1000,
                    help="N above this get one run only (default 1000)")
    ap.add_argument("--fan-total", type=int, default=10000,
                    help="fan-out stanzas aimed at (M = this / N, at least 5)")
    ap.add_argument("--fan-messages", type=int, default=0, help="M, overriding --fan-total")
    ap.add_argument("--pm-total", type=int, default=20000,
                    help="XMPP->IRC messages aimed at (K = this / N per user, at least 1)")
    ap.add_argument("--pm-per-user", type=int, default=0, help="K, overriding --pm-total")
    ap.add_argument("--rtt-count", type=int, default=200)
    ap.add_argument("--join-timeout", type=int, default=600,
                    help="seconds the joins (or sessions) of one run may take")
    ap.add_argument("--phase-timeout", type=int, default=120)
    ap.add_argument("--idle-seconds", type=float, default=10.0)
    ap.add_argument("--irc-port", type=int, default=0, help="ngircd's port (default: a free one)")
    ap.add_argument("--irc-option", action="append", default=[], metavar="KEY=VALUE",
                    help="another key of xmpp-gw's [irc] section, e.g. connects_per_second=200")
    ap.add_argument("--tmpdir", default=default_tmpdir(),
                    help="where the run dirs (and both gateways' stores) go; default "
                    "/dev/shm: on this kind of VM an fsync costs biboumi ~650 us per archived "
                    "message on disk, 144 us on tmpfs, which matches the anchor's 101 us")
    ap.add_argument("--max-rss-mib", type=int, default=6144,
                    help="a shared-room run stops when the gateway's RSS passes this")
    ap.add_argument("--keep", action="store_true", help="keep every run's work dir")
    ap.add_argument("--trace", action="store_true",
                    help="write every received stanza to received.xml in the work dir")
    ap.add_argument("--selftest", action="store_true")
    args = ap.parse_args()
    args.users = [int(u) for u in args.users.split(",") if u.strip()]
    args.session_users = [int(u) for u in args.session_users.split(",") if u.strip()]
    args.workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    for w in args.workloads:
        if w not in WORKLOADS:
            ap.error("unknown workload %r (room, sessions)" % w)
    args.irc_options = []
    for opt in args.irc_option:
        key, _, value = opt.partition("=")
        args.irc_options.append((key.strip(), value.strip()))
    given = dict(args.irc_options)
    args.pacing_default = "connects_per_second" not in given
    args.pacing = {w: given.get("connects_per_second", DEFAULT_PACING[w]) for w in WORKLOADS}
    args.irc_options = [kv for kv in args.irc_options if kv[0] != "connects_per_second"]
    args.xmpp_gw_bin = os.path.abspath(args.bin or os.path.join(ROOT, "build", "xmpp-gw"))
    args.biboumi_bin = args.biboumi
    return args


def main():
    args = parse_args()
    if args.selftest:
        from ircbench.selftest import selftest
        print("driver ingests %.0f stanzas/s on its own (scanner + dispatch, one core)"
              % selftest())
        return 0
    gateways = ["xmpp-gw", "biboumi"] if args.compare else [args.gateway]
    if "biboumi" in gateways and not os.access(args.biboumi_bin, os.X_OK):
        print("biboumi is not installed: no comparison", file=sys.stderr)
        return 2
    if "xmpp-gw" in gateways and not os.access(args.xmpp_gw_bin, os.X_OK):
        print("no xmpp-gw binary at %s (make)" % args.xmpp_gw_bin, file=sys.stderr)
        return 2
    biggest = max((args.users if "room" in args.workloads else [0])
                  + (args.session_users if "sessions" in args.workloads else [0]))
    args.nofile = procs.raise_fd_limit(2 * biggest + 200)
    if args.nofile[0] < biggest + 100:
        print("warning: RLIMIT_NOFILE %d is too low for N=%d" % (args.nofile[0], biggest),
              file=sys.stderr)
    la0 = load()
    print("irc_bench: %d cores, load average %s\n%s" % (os.cpu_count(), la0,
                                                        conditions(args, gateways)), flush=True)
    try:
        out, sig = procs.run_async(bench(args, gateways))
    finally:
        procs.stop_all()
    if sig is not None:
        print("\nirc_bench: stopped by signal %d; every process it started was stopped"
              % sig, file=sys.stderr)
        return 128 + sig
    print_results(args, out, gateways, la0)
    complete = all(out[w][g] for w in args.workloads for g in gateways)
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
