"""The command line: --version, --check-config and the exit codes. These need no XMPP
server, so they are not parametrized over the servers."""
import os
import re
import socket
import subprocess
import tempfile

import pytest

from harness.gateway import SANITIZER_MARKS, render_config
from harness.util import CONTRIB, REPO, require_gateway


class FakeServer:
    component_port = 5347
    component = "echo.localhost"
    secret = "s3cret"


@pytest.fixture
def tmp():
    with tempfile.TemporaryDirectory(prefix="xgw-cli-") as d:
        yield d


def run(args, timeout=10):
    """Run the gateway; fail on any sanitizer report in its output."""
    r = subprocess.run([require_gateway()] + args, capture_output=True, text=True,
                       timeout=timeout, stdin=subprocess.DEVNULL)
    found = [m for m in SANITIZER_MARKS if m in r.stdout + r.stderr]
    assert not found, "sanitizer report %r:\n%s" % (found, r.stderr)
    return r


def exits(r, code):
    """Assert the exact exit code the README promises."""
    assert r.returncode == code, "exit code %d, README promises %d:\n%s%s" % (
        r.returncode, code, r.stdout, r.stderr)


def write(tmp, text):
    path = os.path.join(tmp, "xmpp-gw.ini")
    with open(path, "w") as f:
        f.write(text)
    return path


def good(tmp):
    return render_config(FakeServer, os.path.join(tmp, "gw.sqlite"), admins=["admin@localhost"])


def test_version():
    r = run(["--version"])
    assert r.returncode == 0, r
    with open(os.path.join(REPO, "VERSION")) as f:
        version = f.read().strip()
    assert re.match(r"^xmpp-gw \d+\.\d+\.\d+", r.stdout), r.stdout
    assert r.stdout.strip() == "xmpp-gw " + version, (r.stdout, version)


def test_check_config_good(tmp):
    r = run(["--check-config", "-c", write(tmp, good(tmp))])
    assert r.returncode == 0, r
    assert "echo.localhost" in r.stdout + r.stderr, r


def test_check_config_lists_backends_and_hides_secrets(tmp):
    """--check-config names every backend built in, and shows every key
    with its help line, but the component secret never."""
    r = run(["--check-config", "-c", write(tmp, good(tmp))])
    assert r.returncode == 0, r
    line = [l for l in r.stdout.splitlines() if l.startswith("backends built in:")]
    assert line and set(line[0].split(":")[1].split()) >= {"echo", "irc", "sms"}, r.stdout
    assert "send_queue_high = " in r.stdout, r.stdout
    assert "stanzas queued on a link" in r.stdout, r.stdout
    secret = re.search(r"(?m)^secret = (.+)$", good(tmp)).group(1)
    assert secret not in r.stdout + r.stderr, r.stdout


def test_check_config_unknown_key(tmp):
    text = good(tmp).replace("[log]\n", "[log]\nverbosity_knob = 3\n")
    r = run(["--check-config", "-c", write(tmp, text)])
    exits(r, 78)
    assert "verbosity_knob" in r.stdout + r.stderr, r


def test_check_config_bad_value(tmp):
    text = re.sub(r"(?m)^port = \d+$", "port = abc", good(tmp))
    r = run(["--check-config", "-c", write(tmp, text)])
    exits(r, 78)
    assert "port" in r.stdout + r.stderr, r


def test_check_config_missing_file(tmp):
    r = run(["--check-config", "-c", os.path.join(tmp, "nope.ini")])
    exits(r, 78)
    assert "nope.ini" in r.stderr, r


def test_unknown_option():
    r = run(["--no-such-option"])
    exits(r, 64)
    assert "no-such-option" in r.stderr, r


def test_missing_config_option():
    r = run([])
    exits(r, 64)
    assert "-c FILE" in r.stderr, r


def test_store_cannot_be_opened(tmp):
    """The store under a regular file cannot be created: exit 1, before any
    connection is tried."""
    blocker = os.path.join(tmp, "a-file")
    with open(blocker, "w"):
        pass
    text = good(tmp).replace(os.path.join(tmp, "gw.sqlite"), os.path.join(blocker, "gw.sqlite"))
    assert os.path.join(blocker, "gw.sqlite") in text
    r = run(["-c", write(tmp, text)])
    exits(r, 1)
    assert "gw.sqlite" in r.stderr, r


def test_contrib_sample_is_valid(tmp):
    """contrib/xmpp-gw.ini, with its store moved to a temp dir, passes."""
    with open(os.path.join(CONTRIB, "xmpp-gw.ini")) as f:
        text = f.read()
    assert "/var/lib/xmpp-gw/" in text
    text = text.replace("/var/lib/xmpp-gw/", tmp + "/")
    r = run(["--check-config", "-c", write(tmp, text)])
    assert r.returncode == 0, r


def test_backend_does_not_start(tmp):
    """The SMS backend's webhook port is already taken: exit 1, saying which
    backend did not start and why, before any connection to the XMPP
    server is tried (there is none here)."""
    from types import SimpleNamespace
    from harness.sms import sms_section
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        provider = SimpleNamespace(token="t0k3n", sendsms_port=9, user="u", password="p")
        sections = {"sms": sms_section(FakeServer, provider, port)}
        text = render_config(FakeServer, os.path.join(tmp, "gw.sqlite"), sections=sections)
        r = run(["-c", write(tmp, text)], timeout=20)
    finally:
        taken.close()
    exits(r, 1)
    assert "cannot listen on 127.0.0.1 port %d" % port in r.stderr, r.stderr
    assert "backend sms did not start" in r.stderr, r.stderr
