"""The processes a benchmark run starts, and how they are stopped.

Every child (ngIRCd, the gateway) is started in its own session through
spawn() and recorded by PID; stop() ends one by that PID (SIGTERM, then
SIGKILL to its process group), and stop_all() ends whatever is left, which
the driver calls on Ctrl-C, SIGTERM and at exit. Nothing is ever looked up
or killed by name.
"""
import asyncio
import atexit
import os
import resource
import signal
import socket
import subprocess
import time

TICK = os.sysconf("SC_CLK_TCK")
_children = {}  # pid -> Popen, still running


def spawn(cmd, log_path, cwd=None):
    out = open(log_path, "ab")
    try:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                             start_new_session=True, cwd=cwd)
    finally:
        out.close()
    _children[p.pid] = p
    return p


def stop(p, timeout=10.0):
    """Ends one child by its PID; returns its exit status."""
    if p is None:
        return None
    try:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(10)
    finally:
        _children.pop(p.pid, None)
    return p.returncode


def stop_all():
    for p in list(_children.values()):
        try:
            stop(p, timeout=5.0)
        except Exception:
            pass


atexit.register(stop_all)


def raise_fd_limit(want):
    """Soft RLIMIT_NOFILE up to the hard limit (children inherit it).
    Returns (soft, hard) after the change."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, want)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def proc_status(pid, key):
    """A kB field of /proc/PID/status (VmRSS, VmHWM), 0 when gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_kib(pid):
    return proc_status(pid, "VmRSS")


def cpu_s(pid):
    """User + system CPU seconds of a process, from /proc/PID/stat."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except OSError:
        return 0.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def log_lines(path, pattern, limit=3):
    """(count, first `limit` lines) of a log's lines matching a compiled regex."""
    n, first = 0, []
    try:
        with open(path, "rb") as f:
            for raw in f:
                line = raw.decode("utf-8", "replace").rstrip()
                if pattern.search(line):
                    n += 1
                    if len(first) < limit:
                        first.append(line[:200])
    except OSError:
        pass
    return n, first


# -- ngIRCd ------------------------------------------------------------------------
NGIRCD_CONF = """# private benchmark server
[Global]
Name = irc.bench
Info = xmpp-gw benchmark server
AdminInfo1 = bench
AdminInfo2 = bench
AdminEMail = bench@localhost
Listen = 127.0.0.1
Ports = %(port)d
MotdPhrase = bench

[Limits]
MaxConnections = 0
MaxConnectionsIP = 0
MaxJoins = 0
MaxNickLength = 30
MaxPenaltyTime = 0
PingTimeout = 120
PongTimeout = 20

[Options]
DNS = no
Ident = no
PAM = no
"""


class Ngircd:
    """ngIRCd on 127.0.0.1:port with no connection, join or flood limits
    (MaxPenaltyTime = 0). It drops to `nobody` and cannot write a PID file:
    the Popen PID is the one stopped."""

    def __init__(self, work, port=0):
        self.dir = os.path.join(work, "ngircd")
        os.makedirs(self.dir, exist_ok=True)
        self.port = port or free_port()
        self.log = os.path.join(self.dir, "ngircd.out")
        self.conf = os.path.join(self.dir, "ngircd.conf")
        self.proc = None
        with open(self.conf, "w") as f:
            f.write(NGIRCD_CONF % dict(port=self.port))

    def start(self, timeout=10.0):
        if port_open(self.port):
            raise RuntimeError("port %d is already taken; refusing to start ngircd there"
                               % self.port)
        self.proc = spawn(["ngircd", "-n", "-f", self.conf], self.log, cwd=self.dir)
        deadline = time.monotonic() + timeout
        while not port_open(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("ngircd did not start on port %d:\n%s" % (
                    self.port, open(self.log, errors="replace").read()[-2000:]))
            time.sleep(0.05)
        return self

    def stop(self):
        stop(self.proc)


def run_async(coro):
    """asyncio.run with SIGINT and SIGTERM cancelling the work (so every
    finally clause stops its processes); returns (result, signal or None)."""
    got = []

    async def main():
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda s=sig: (got.append(s), task.cancel()))
        return await coro

    try:
        return asyncio.run(main()), None
    except (asyncio.CancelledError, KeyboardInterrupt):
        return None, (got[0] if got else signal.SIGINT)
