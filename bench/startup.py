#!/usr/bin/python3
"""Start-up time and idle footprint of xmpp-gw with N registered users.

Starts a private Prosody on loopback, fills a store with N registrations
(bench/gen_users, through the real store code), starts the gateway on it and
measures, over several runs:
  - time from exec to the component link being up ("connected" in the log),
  - time until every registered user has been probed,
  - RSS after the gateway has been idle for a few seconds,
  - CPU used while idle.
Prints medians. Not a test: nothing here passes or fails on a figure.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from harness.gateway import render_config  # noqa: E402
from harness.servers import Prosody  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def wait_log(path, pattern, deadline):
    rx = re.compile(pattern)
    while time.monotonic() < deadline:
        with open(path, errors="replace") as f:
            for line in f:
                if rx.search(line):
                    return time.monotonic()
        time.sleep(0.005)
    raise RuntimeError("timed out waiting for %r in %s" % (pattern, path))


def one_run(args, server, users, tmp):
    store = os.path.join(tmp, "store-%d.sqlite" % users)
    if not os.path.exists(store):
        subprocess.run([args.gen, store, "echo", str(users), "localhost"], check=True)
    work = tempfile.mkdtemp(dir=tmp)
    run_store = os.path.join(work, "gw.sqlite")
    shutil.copy(store, run_store)
    conf = os.path.join(work, "gw.ini")
    with open(conf, "w") as f:
        f.write(render_config(server, run_store, level="info"))
    log = os.path.join(work, "gw.log")
    t0 = time.monotonic()
    with open(log, "w") as out:
        p = subprocess.Popen([args.bin, "-c", conf], stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = t0 + 120
        t_up = wait_log(log, r"\[link\] .*: connected", deadline)
        t_probed = wait_log(log, r"probed %d registered users" % users, deadline)
        time.sleep(args.settle)
        rss = rss_kib(p.pid)
        c0 = cpu_s(p.pid)
        time.sleep(args.idle)
        idle_cpu = cpu_s(p.pid) - c0
    finally:
        p.terminate()
        p.wait(15)
    return dict(up_ms=(t_up - t0) * 1000, probed_ms=(t_probed - t0) * 1000, rss_kib=rss,
                idle_cpu_ms=idle_cpu * 1000)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "xmpp-gw"))
    ap.add_argument("--gen", default=os.path.join(ROOT, "build", "bench", "gen_users"))
    ap.add_argument("--users", default="0,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--settle", type=float, default=3.0, help="seconds before RSS is read")
    ap.add_argument("--idle", type=float, default=10.0, help="seconds of idle CPU measured")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="xgw-bench-")
    server = Prosody().start()
    try:
        print("%-8s %12s %14s %10s %16s" % ("users", "link up ms", "all probed ms",
                                              "RSS KiB", "idle CPU ms/%gs" % args.idle))
        for users in [int(u) for u in args.users.split(",")]:
            runs = [one_run(args, server, users, tmp) for _ in range(args.runs)]
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            print("%-8d %12.1f %14.1f %10d %16.1f" % (users, med["up_ms"], med["probed_ms"],
                                                       med["rss_kib"], med["idle_cpu_ms"]))
        print("medians of %d runs; Prosody on loopback; %d cores" % (args.runs, os.cpu_count()))
    finally:
        server.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
