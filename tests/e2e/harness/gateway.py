"""The gateway under test as a process: its configuration file, start,
readiness, signals, and the exit checks (exit code, sanitizer reports, no secret
in the log)."""
import asyncio
import atexit
import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile

from . import secrets_scan
from .client import Client, NS_PING
from .util import free_port, require_gateway, tail

_running = {}  # id(server) -> the gateway process attached to it
_live = set()  # gateways started and not yet stopped, killed or waited for by the test


@atexit.register
def _kill_leftovers():
    for gw in list(_running.values()):
        gw.kill()


def reap_unexpected_deaths():
    """After a test body: each gateway that exited while nobody asked it to
    (a crash, an abort, an ASan exit 99) is reaped, and described with the
    tail of its log; the messages (empty if none). Reaped, its fixture's
    stop does not report it a second time."""
    dead = []
    for gw in sorted(_live, key=id):
        rc = gw.proc.poll() if gw.proc is not None else None
        if rc is None or gw.death_expected or gw.stop_sent is not None:
            continue
        _live.discard(gw)
        gw.returncode, gw.proc = rc, None
        dead.append("gateway: died on its own during the test (exit code %s; a test that "
                    "kills it on purpose calls gw.kill9() or gw.expect_death())%s\n"
                    "---- gateway log (tail) ----\n%s"
                    % (rc, "".join("; " + p for p in gw.sanitizer_problems()),
                       gw.log_tail()))
    return dead

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def render_config(server, store, allow="localhost", admins=(), secret=None, level="debug",
                  port=None, xmpp_extra=None, sections=None):
    """The gateway's INI file; xmpp_extra: more [xmpp] keys (name -> value);
    sections: more backend sections ({"irc": {key: value}}), each written
    after [echo] in the order given."""
    extra = "".join("%s = %s\n" % kv for kv in sorted((xmpp_extra or {}).items()))
    # A server with a listener per component: each section names its port
    # (unless the test points every link at a port of its own, a proxy).
    own = getattr(server, "component_ports", {}) if port is None else {}
    sections = {name: dict(keys, **({"port": own[keys["jid"]]} if keys.get("jid") in own else {}))
                for name, keys in (sections or {}).items()}
    more = "".join("\n[%s]\n%s" % (name, "".join("%s = %s\n" % kv for kv in keys.items()))
                   for name, keys in sections.items())
    return """[xmpp]
server = 127.0.0.1
port = %(port)s
%(extra)s
[store]
path = %(store)s

[policy]
allow = %(allow)s
admins = %(admins)s

[log]
level = %(level)s

[echo]
jid = %(jid)s
secret = %(secret)s
""" % dict(port=port if port is not None else server.component_port, store=store,
           allow=allow, admins=", ".join(admins), level=level, jid=server.component, extra=extra,
           secret=secret if secret is not None else server.secret) + more


class Gateway:
    """One gateway process attached to `server`. The store and the config
    file live in a private dir, so a restart keeps the store. port: the
    component port it connects to (default the server's; a proxy's, say)."""

    def __init__(self, server, allow="localhost", admins=(), secret=None, name="gw",
                 xmpp_extra=None, sections=None, port=None, nofile=None):
        self.exe = require_gateway()
        self.nofile = nofile  # (soft, hard) open-files limit to start it with
        self.server = server
        self.dir = tempfile.mkdtemp(prefix="xgw-%s-" % name)
        self.store = os.path.join(self.dir, "gw.sqlite")
        self.config = os.path.join(self.dir, "xmpp-gw.ini")
        self.log_path = os.path.join(self.dir, "gateway.log")
        self.admins = list(admins)
        self.xmpp_extra = dict(xmpp_extra or {})
        self.sections = dict(sections or {})
        if "email" in self.sections and "http" not in self.sections:
            # the e-mail backend's attachments start the HTTP listener: a free
            # port of its own, so that gateways never contend for the default
            self.sections["http"] = {"listen": "127.0.0.1", "port": str(free_port())}
        self.port = port
        self.proc = None
        self.returncode = None
        self.death_expected = False  # the test kills or aborts it on purpose
        self.stop_sent = None        # the signal the test sent to end it (SIGTERM, SIGINT)
        self.write_config(allow=allow, secret=secret)

    def write_config(self, allow="localhost", secret=None):
        with open(self.config, "w") as f:
            f.write(render_config(self.server, self.store, allow=allow, admins=self.admins,
                                  secret=secret, port=self.port, xmpp_extra=self.xmpp_extra,
                                  sections=self.sections))

    # -- process ------------------------------------------------------------
    def start(self):
        assert self.proc is None, "gateway already running"
        other = _running.get(id(self.server))
        assert other is None or not other.running(), (
            "test bug: a second gateway for %s on %s while another one runs (a module "
            "must not mix the `gateway` and `gateways` fixtures)"
            % (self.server.component, self.server.kind))
        _running[id(self.server)] = self
        with open(self.log_path, "ab") as err:
            err.write(b"---- start ----\n")
            err.flush()
            limits = self.nofile
            self.proc = subprocess.Popen(
                [self.exe, "-c", self.config], stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                start_new_session=True,
                preexec_fn=(lambda: resource.setrlimit(resource.RLIMIT_NOFILE, limits))
                if limits else None)
        self.returncode = None
        self.death_expected = False
        self.stop_sent = None
        _live.add(self)
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        """Send sig; after SIGTERM or SIGINT its exit is the test's doing,
        and stop() checks its exit code instead of calling it a death."""
        assert self.running(), "gateway is not running:\n" + self.log_tail()
        if sig in (signal.SIGTERM, signal.SIGINT):
            self.stop_sent = sig
        self.proc.send_signal(sig)

    def expect_death(self):
        """The test is about to end the process abnormally on purpose (an
        abort, a signal sent by other means): its next exit is not
        reported, whatever the code."""
        self.death_expected = True

    def kill9(self):
        """kill -9 by PID, on purpose: the process must still be running
        (one that died before would hide a crash)."""
        assert self.running(), ("gateway died before the test killed it (exit code %s):\n%s"
                                % (self.proc and self.proc.poll(), self.log_tail()))
        self.expect_death()
        os.kill(self.proc.pid, signal.SIGKILL)
        self.returncode = self.proc.wait(10)
        self.proc = None
        _live.discard(self)

    def wait_exit(self, timeout):
        """Wait up to timeout s for the process to end by itself; its exit code."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("gateway still running %.0f s later:\n%s"
                                 % (timeout, self.log_tail()))
        self.returncode = rc
        self.proc = None
        _live.discard(self)
        return rc

    def stop(self, expect_rc=0, timeout=10.0):
        """SIGTERM, wait up to timeout s, then check the exit code and the
        log for sanitizer reports. AssertionError (with the log tail) if bad:
        also if it had exited before, unless the test ended it (signal(),
        expect_death())."""
        if self.proc is None:
            return self.returncode
        _live.discard(self)
        problems = []
        rc = self.proc.poll()
        if rc is not None and self.death_expected:
            expect_rc = None
        elif rc is not None and self.stop_sent is not None:
            pass  # the test's own SIGTERM or SIGINT: its exit code is checked below
        elif rc is not None:
            problems.append("died on its own (exit code %s) before it was stopped" % rc)
        else:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                problems.append("did not exit within %.0f s of SIGTERM" % timeout)
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.returncode = self.proc.returncode
        self.proc = None
        if expect_rc is not None and self.returncode != expect_rc:
            problems.append("exit code %s (expected %s)" % (self.returncode, expect_rc))
        problems += self.sanitizer_problems()
        problems += secrets_scan.leaks(self.log_text(), self.config, self.store)
        if problems:
            raise AssertionError("gateway: %s\n---- gateway log (tail) ----\n%s"
                                 % ("; ".join(problems), self.log_tail()))
        return self.returncode

    def kill(self):
        """Last resort at teardown: no checks."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None
        _live.discard(self)

    def cleanup(self):
        """Kill if still running and remove the private dir (store, log)."""
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def sanitizer_problems(self):
        text = self.log_text()
        return ["its stderr reports %r" % m for m in SANITIZER_MARKS if m in text]

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, lines=60):
        return tail(self.log_path, lines)

    async def wait_log(self, pattern, count=1, timeout=15.0):
        """Waits (bounded) until count lines of the log match the regex
        pattern; the first count matches."""
        loop = asyncio.get_event_loop()
        deadline = loop.time() + timeout
        while True:
            found = [m for m in map(re.compile(pattern).search, self.log_text().splitlines())
                     if m]
            if len(found) >= count:
                return found[:count]
            assert loop.time() < deadline, "%d line(s) matching %r in the gateway log, %d " \
                "after %.0f s:\n%s" % (count, pattern, len(found), timeout, self.log_tail())
            await asyncio.sleep(0.1)

    # -- readiness ------------------------------------------------------------
    def component_jids(self):
        """The components this gateway attaches: echo's, then each extra
        section's jid."""
        return [self.server.component] + [keys["jid"] for keys in self.sections.values()
                                          if "jid" in keys]

    async def wait_ready(self, timeout=15.0):
        """Until every component of the gateway answers an XMPP ping from a
        local user."""
        if getattr(self.server, "probe_account", None) is None:
            self.server.probe_account = self.server.make_account(prefix="probe")
        c = await Client.login(self.server, *self.server.probe_account, presence=False)
        try:
            loop = asyncio.get_event_loop()
            deadline = loop.time() + timeout
            for jid in self.component_jids():
                while True:
                    if not self.running():
                        raise AssertionError("gateway exited (code %s) before it was ready:\n%s"
                                             % (self.proc and self.proc.poll(), self.log_tail()))
                    r = await c.iq(jid, "get", "<ping xmlns='%s'/>" % NS_PING)
                    if r["type"] == "result" and str(r["from"]) == jid:
                        break
                    if loop.time() > deadline:
                        raise AssertionError("gateway not ready after %.0f s (ping to %s: %s):\n%s"
                                             % (timeout, jid, r, self.log_tail()))
                    await asyncio.sleep(0.2)
            return self
        finally:
            await c.close()

    async def restart(self):
        """Stop (with the exit checks) and start again on the same store."""
        self.stop()
        self.start()
        await self.wait_ready()
