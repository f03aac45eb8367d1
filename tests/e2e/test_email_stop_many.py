"""SIGTERM with many idle watches (verified TLS, each its own IMAP
connection in IDLE): the gateway exits 0 within the README's 5 s, and it
does no work while every account is idle."""
import os
import signal
import time

from harness.tlsca import ca  # noqa: F401 (fixture)
from harness.email_gw import email_gateway_for
from harness.util import wait_until
from test_email_ca_store import big_ca_file, register, rss_kib, trusted_mail, watching  # noqa: F401

N = 300


def cpu_ticks(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])  # utime + stime


async def test_stop_within_5s_with_many_watches(server, trusted_mail, big_ca_file, gateways):
    gw = email_gateway_for(server, connects_per_second="200")
    gateways.all.append(gw)
    register(gw, trusted_mail, N)
    gw.start()
    await gw.wait_ready()
    wait_until(lambda: watching(gw) >= N, 120, "%d watches up" % N)
    pid = gw.proc.pid
    before = cpu_ticks(pid)
    t = time.monotonic()
    wait_until(lambda: time.monotonic() - t >= 5, 6, "5 s idle")
    idle = cpu_ticks(pid) - before
    print("%d idle watches: RSS %d KiB, %d CPU ticks in 5 s" % (N, rss_kib(pid), idle))
    # generous: a timer or a busy loop per watch would show as many ticks
    assert idle <= os.sysconf("SC_CLK_TCK") // 10, "%d ticks of CPU in 5 s idle" % idle
    t = time.monotonic()
    gw.signal(signal.SIGTERM)
    rc = gw.wait_exit(10)
    took = time.monotonic() - t
    print("stopped in %.2f s" % took)
    assert rc == 0 and took < 5.0, "exit %s after %.1f s" % (rc, took)
