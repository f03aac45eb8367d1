#!/usr/bin/python3
"""SMS texts through xmpp-gw: webhooks to XMPP, and XMPP to the provider.

The driver plays the XMPP server on the component port (bench/ircbench's
link: the handshake is checked) and the SMS provider's side: it POSTs the
provider's webhooks to the gateway's HTTP server, and takes the gateway's
sends, either at a fake Kannel sendsms endpoint (answers 202) or through
the Twilio-style simulator of the tests (tests/sim/twilio_sim.py). Every
run gets a fresh gateway, store, provider and registrations: U users with
a number each, claimed with the texted code (kannel) or registered with an
account the simulator verifies (twilio). bench/smsbench/incoming.py and
outgoing.py say exactly what is measured.

Per driver (kannel, twilio), in this order:
  in       webhook -> XMPP, --conns keep-alive connections in a closed loop
           (as fast as the gateway answers), --texts texts: texts/s from the
           first POST to the last <message/> at the fake server; latency of
           each text from its POST to its <message/> and of its HTTP answer
           (p50, p99); lost, duplicated, misrouted, refused (not 200)
  paced    webhook -> XMPP at --rate texts/s (open loop, --paced-conns
           connections, --paced-texts texts): the same latencies at that
           rate, counted from when each text was due
  out      XMPP -> provider, --out-texts chat messages to 100 numbers, all
           at once: texts/s until the provider has them all; lost, duplicated
  ceiling  (twilio) the simulator alone, as fast as it takes sends

The gateway answers a webhook only once the text is committed to its store
(SQLite, WAL, synchronous=FULL: every commit is fsynced, and the writes of
one main-loop iteration share one commit), so the store goes where a
deployment's would: a disk (--tmpdir, default the system's temp dir; the
run prints the file system and what an fsync costs there). --tmpdir
/tmp,/dev/shm runs both and prints both.

  --drivers kannel,twilio   --runs 3 (medians)   --users 50
  --texts 20000 --conns 16  --rate 2000 --paced-texts 10000 --paced-conns 32
  --out-texts 5000          --send-rate 10000 (the gateway's, per account)
  --phases in,paced,out,ceiling

Every wait is bounded; a run that fails says why and the others go on.
Ctrl-C or SIGTERM stops every process the driver started, by PID. Not a
test: nothing passes or fails on a figure (the targets are printed beside
the figures).
"""
import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ircbench import procs, report  # noqa: E402
from smsbench import tables  # noqa: E402
from smsbench.run import run_one  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHASES = ("in", "paced", "out", "ceiling")


def load():
    return " ".join("%.2f" % x for x in os.getloadavg())


def show(res):
    return " ".join("%s=%.4g" % (k, v) for k, v in sorted(res.items())
                    if isinstance(v, (int, float)))


async def one(args, driver, tmpdir, r):
    work = tempfile.mkdtemp(prefix="xgw-smsbench-", dir=tmpdir)
    la = load()
    t0 = time.monotonic()
    try:
        res, notes = await run_one(args, driver, work, args.phases)
    except asyncio.CancelledError:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        raise
    except Exception as e:
        print("%s on %s run %d FAILED after %.0f s (load %s): %s" % (
            driver, tables.fs_name(tmpdir), r, time.monotonic() - t0, la, e), flush=True)
        partial = getattr(e, "partial", None)
        if partial:
            print("  so far: %s\n  notes: %s" % (show(partial[0]), "; ".join(partial[1])),
                  flush=True)
        print("  kept %s" % work)
        return None
    print("%s on %s run %d (%.0f s, load %s): %s%s" % (
        driver, tables.fs_name(tmpdir), r, time.monotonic() - t0, la, show(res),
        ("\n  notes: " + "\n         ".join(notes)) if notes else ""), flush=True)
    if args.keep:
        print("  kept %s" % work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return res


async def bench(args):
    """{(driver, tmpdir): medians}, runs interleaved across drivers and dirs."""
    runs = {(d, t): [] for d in args.drivers for t in args.tmpdirs}
    for r in range(1, args.runs + 1):
        for t in args.tmpdirs:
            for d in args.drivers:
                res = await one(args, d, t, r)
                if res is not None:
                    runs[(d, t)].append(res)
    return {k: report.medians(v) for k, v in runs.items() if v}


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=None, help="xmpp-gw's binary (default build/xmpp-gw)")
    ap.add_argument("--drivers", default="kannel,twilio")
    ap.add_argument("--phases", default=",".join(PHASES))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--users", type=int, default=50, help="registered users, a number each")
    ap.add_argument("--texts", type=int, default=20000, help="texts of the closed-loop phase")
    ap.add_argument("--conns", type=int, default=16, help="its keep-alive connections")
    ap.add_argument("--rate", type=float, default=2000.0, help="texts/s of the paced phase")
    ap.add_argument("--paced-texts", type=int, default=10000)
    ap.add_argument("--paced-conns", type=int, default=32)
    ap.add_argument("--out-texts", type=int, default=5000, help="XMPP -> provider texts")
    ap.add_argument("--send-rate", type=int, default=10000,
                    help="the gateway's send_rate (texts/s per provider account; 10000 is "
                    "its maximum)")
    ap.add_argument("--callback-delay", type=float, default=0.05,
                    help="seconds before each of the simulator's status callbacks")
    ap.add_argument("--log-level", default="warn", help="the gateway's [log] level")
    ap.add_argument("--http-timeout", type=float, default=30.0)
    ap.add_argument("--phase-timeout", type=int, default=120)
    ap.add_argument("--tmpdir", default=tempfile.gettempdir(),
                    help="where the run dirs (and the gateway's store) go; a comma list runs "
                    "each (e.g. /tmp,/dev/shm); default %(default)s")
    ap.add_argument("--keep", action="store_true", help="keep every run's work dir")
    args = ap.parse_args()
    args.drivers = [d.strip() for d in args.drivers.split(",") if d.strip()]
    args.phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    args.tmpdirs = [t.strip() for t in args.tmpdir.split(",") if t.strip()]
    for d in args.drivers:
        if d not in ("kannel", "twilio"):
            ap.error("unknown driver %r (kannel, twilio)" % d)
    for p in args.phases:
        if p not in PHASES:
            ap.error("unknown phase %r (%s)" % (p, ", ".join(PHASES)))
    for t in args.tmpdirs:
        if not os.path.isdir(t) or not os.access(t, os.W_OK):
            ap.error("--tmpdir %s is not a writable directory" % t)
    if min(args.texts, args.paced_texts, args.out_texts, args.users, args.conns,
           args.paced_conns, args.runs) < 1 or args.rate <= 0:
        ap.error("sizes, counts and the rate must be positive")
    args.xmpp_gw_bin = os.path.abspath(args.bin or os.path.join(ROOT, "build", "xmpp-gw"))
    return args


def main():
    args = parse_args()
    if not os.access(args.xmpp_gw_bin, os.X_OK):
        print("no xmpp-gw binary at %s (make)" % args.xmpp_gw_bin, file=sys.stderr)
        return 2
    args.nofile = procs.raise_fd_limit(4 * (args.conns + args.paced_conns) + 200)
    la0 = load()
    cond = tables.conditions(args)
    print("sms_bench: %d cores, load average %s\n%s" % (os.cpu_count(), la0, cond), flush=True)
    try:
        out, sig = procs.run_async(bench(args))
    finally:
        procs.stop_all()
    if sig is not None:
        print("\nsms_bench: stopped by signal %d; every process it started was stopped"
              % sig, file=sys.stderr)
        return 128 + sig
    print("\n## Results (load average at start %s, at end %s; %d cores)"
          % (la0, load(), os.cpu_count()))
    print(cond)
    tables.print_all(args, out)
    complete = len(out) == len(args.drivers) * len(args.tmpdirs)
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
