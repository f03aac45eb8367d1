"""Small helpers: paths, ports, required tools, bounded waits."""
import os
import shutil
import socket
import time

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CONTRIB = os.path.join(REPO, "contrib")
IN_CI = os.environ.get("CI", "").lower() == "true"

# Per-stanza wait: every expected stanza arrives within this or the test fails.
STANZA_TIMEOUT = 10.0


def gateway_bin():
    """The gateway under test: $XMPPGW_BIN, else <repo>/build/xmpp-gw."""
    return os.environ.get("XMPPGW_BIN") or os.path.join(REPO, "build", "xmpp-gw")


def missing(what):
    """A required tool is absent: a failure in CI, a skip elsewhere."""
    msg = "missing: %s" % what
    if IN_CI:
        pytest.fail(msg + " (CI=true: a missing tool is a failure)", pytrace=False)
    pytest.skip(msg)


def require_tool(name):
    path = shutil.which(name)
    if not path:
        missing("%s (not on PATH)" % name)
    return path


def require_gateway():
    path = gateway_bin()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        missing("gateway binary %s (build it with make, or set XMPPGW_BIN)" % path)
    return path


def free_port():
    """A port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def refuse_if_taken(*ports):
    for p in ports:
        if port_open(p):
            raise RuntimeError("port %d on 127.0.0.1 is already taken; refusing to start "
                               "(a leftover server would answer instead of ours)" % p)


def wait_until(cond, timeout, what, interval=0.1):
    """Poll cond() until true; AssertionError naming `what` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        r = cond()
        if r:
            return r
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(interval)


def tail(path, lines=60):
    try:
        with open(path, "rb") as f:
            data = f.read().decode("utf-8", "replace").splitlines()
    except OSError as e:
        return "(cannot read %s: %s)" % (path, e)
    return "\n".join(data[-lines:])


def rss_kib(pid):
    """The resident set size of a process, in KiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for pid %d" % pid)
