"""The harness's own checks, each run in a pytest of its own: a gateway
that dies during a test without the test saying so fails that test (with
its log), and an unknown E2E_IRC_XMPP is a usage error, not a silent
deselection of every IRC test."""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def pytest_run(*args, **env):
    e = dict(os.environ, **env)
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                       cwd=HERE, env=e, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=240)
    return r.returncode, r.stdout.decode("utf-8", "replace")


def test_a_gateway_dying_on_its_own_fails_the_test():
    rc, out = pytest_run("-rfE", "selfcheck_gateway_death.py", "-k", "prosody")
    failed = set(re.findall(r"^FAILED \S+::(\w+)\[", out, re.M))
    errors = re.findall(r"^ERROR ", out, re.M)
    assert rc == 1, out
    assert failed == {"test_abort_unannounced", "test_module_gateway_aborts"}, out
    assert not errors, out
    assert "3 passed" in out, out
    assert out.count("died on its own during the test (exit code -6") >= 2, out
    assert "---- gateway log (tail) ----" in out and "---- start ----" in out, out


def test_unknown_irc_xmpp_kind_is_a_usage_error():
    rc, out = pytest_run("--collect-only", "test_irc_quit.py", E2E_IRC_XMPP="prosdy")
    assert rc == 4, out   # pytest's exit code for a usage error
    assert ("E2E_IRC_XMPP='prosdy': expected a comma list of prosody, ejabberd "
            "(unknown: prosdy)") in out, out
    rc, out = pytest_run("--collect-only", "test_irc_quit.py", E2E_IRC_XMPP="prosody")
    assert rc == 0, out
    assert "[prosody]" in out and "[ejabberd]" not in out, out
