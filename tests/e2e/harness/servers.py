"""Real XMPP servers (Prosody, ejabberd) run privately on 127.0.0.1.

Each server gets a temp dir with its own configuration and data, free ports
picked at run time, and is stopped by its PID (ejabberd through
`ejabberdctl stop` for its own node). The component declarations are read
from contrib/ (the snippets admins get), with the domain, secret and port
substituted textually.
"""
import atexit
import itertools
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
import socket

from .util import CONTRIB, free_port, port_open, refuse_if_taken, require_tool, tail

DOMAIN = "localhost"
FOREIGN = "other.localhost"
COMPONENT = "echo.localhost"
IRC_COMPONENT = "irc.localhost"
SMS_COMPONENT = "sms.localhost"
EMAIL_COMPONENT = "email.localhost"
# Every component the servers declare (the gateway attaches one link per
# configured backend, all with the server's secret).
COMPONENTS = (COMPONENT, IRC_COMPONENT, SMS_COMPONENT, EMAIL_COMPONENT)

_names = itertools.count(1)
_live = set()  # servers still running, stopped at exit whatever happens


@atexit.register
def _stop_leftovers():
    for srv in list(_live):
        try:
            srv.stop()
        except Exception:
            pass


def unique(prefix="u"):
    """A fresh name, unique within this run and across runs."""
    return "%s%d-%s" % (prefix, next(_names), secrets.token_hex(3))


def contrib_snippet(name, domains, secret, port):
    """contrib/<name> with the sample domain, secret and port replaced.
    domains: one name or a list; the sample's declaration of
    irc.example.org (its line and the secret line after it) is repeated for
    each, and the other sample declarations are dropped."""
    if isinstance(domains, str):
        domains = [domains]
    with open(os.path.join(CONTRIB, name)) as f:
        text = f.read()
    for sample in ("irc.example.org", "change-me", "5347"):
        assert sample in text, "contrib/%s no longer contains %r" % (name, sample)
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        m = re.search(r"\b([a-z0-9-]+)\.example\.org\b", lines[i])
        if m and i + 1 < len(lines) and "change-me" in lines[i + 1]:
            if m.group(1) == "irc":
                for d in domains:
                    out += [lines[i].replace("irc.example.org", d), lines[i + 1]]
            i += 2
            continue
        out.append(lines[i])
        i += 1
    text = "\n".join(out)
    assert all(d in text for d in domains), "contrib/%s: no declaration to repeat" % name
    return text.replace("change-me", secret).replace("5347", str(port))


def ejabberd_listener(domains, secret, port):
    """The listener of contrib/ejabberd.yml that declares irc.example.org,
    for domains on port: one entry of a "listen:" list (the sample's
    listeners of other backends are left out)."""
    text = contrib_snippet("ejabberd.yml", domains, secret, port).split("\nlisten:\n", 1)[1]
    names = [domains] if isinstance(domains, str) else domains
    entries = [e for e in re.split(r"(?m)^(?=  -\s*$)", text) if any(d in e for d in names)]
    assert len(entries) == 1, "contrib/ejabberd.yml: expected one listener for %s" % names
    return entries[0]


def register_account(port, domain, user, password, timeout=10.0):
    """In-band registration (XEP-0077) over a raw plaintext stream."""
    deadline = time.monotonic() + timeout
    parser = ET.XMLPullParser(events=("start", "end"))
    depth = 0

    def next_child(sock):
        nonlocal depth
        while True:
            for ev, el in parser.read_events():
                if ev == "start":
                    depth += 1
                else:
                    depth -= 1
                    if depth == 1:
                        return el
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("account %s@%s: no answer from the server" % (user, domain))
            sock.settimeout(left)
            data = sock.recv(65536)
            if not data:
                raise AssertionError("account %s@%s: server closed the stream" % (user, domain))
            parser.feed(data)

    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(("<?xml version='1.0'?><stream:stream to='%s' version='1.0' "
                      "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
                      % domain).encode())
        el = next_child(sock)
        assert el.tag.endswith("features"), "account: expected stream features, got %s" % el.tag
        sock.sendall(("<iq type='set' id='reg1'><query xmlns='jabber:iq:register'>"
                      "<username>%s</username><password>%s</password></query></iq>"
                      % (user, password)).encode())
        while True:
            el = next_child(sock)
            if el.tag.endswith("}iq") and el.get("id") == "reg1":
                break
        sock.sendall(b"</stream:stream>")
    if el.get("type") != "result":
        raise AssertionError("registering %s@%s failed: %s"
                             % (user, domain, ET.tostring(el).decode()))


class XmppServer:
    kind = None

    def __init__(self, base=None):
        self.dir = base or tempfile.mkdtemp(prefix="xgw-%s-" % self.kind)
        self.c2s_port = free_port()
        self.component_port = free_port()
        self.secret = secrets.token_hex(12)
        self.domain = DOMAIN
        self.foreign = FOREIGN
        self.component = COMPONENT
        self.components = COMPONENTS
        # domain -> its own component port, when the server gives each
        # component a listener of its own (empty: all on component_port)
        self.component_ports = {}
        self.proc = None
        self.log_path = os.path.join(self.dir, "server.out")

    # -- accounts -------------------------------------------------------
    def make_account(self, domain=DOMAIN, prefix="u"):
        """A fresh account on `domain`: returns (bare jid, password)."""
        user = unique(prefix)
        password = "pw-" + secrets.token_hex(6)
        register_account(self.c2s_port, domain, user, password)
        return "%s@%s" % (user, domain), password

    # -- life cycle -----------------------------------------------------
    def start(self, timeout=30.0):
        refuse_if_taken(self.c2s_port, self.component_port)
        out = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.command(), stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True,
                                     cwd=self.dir)
        out.close()
        _live.add(self)
        deadline = time.monotonic() + timeout
        while not (port_open(self.c2s_port) and port_open(self.component_port)):
            rc = self.proc.poll()
            if rc is not None:
                self._forget()
                raise RuntimeError("%s exited with %s during start-up:\n%s"
                                   % (self.kind, rc, self.diagnostics()))
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("%s did not open ports %d/%d within %.0f s:\n%s"
                                   % (self.kind, self.c2s_port, self.component_port,
                                      timeout, self.diagnostics()))
            time.sleep(0.1)
        return self

    def stop(self):
        if self.proc is None:
            return
        try:
            if self.proc.poll() is None:
                self._request_stop()
                try:
                    self.proc.wait(20)
                except subprocess.TimeoutExpired:
                    pass
        finally:
            if self.proc.poll() is None:  # make sure it is gone
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(10)
            self._forget()

    def restart(self, pause=1.0):
        self.stop()
        time.sleep(pause)
        self.start()

    def kill9(self):
        """kill -9 of the server's process group, by its PID: no stream is
        closed, no presence sent (a crash, or a cut the server never saw)."""
        if self.proc is None:
            return
        pids = {self.proc.pid}
        # ejabberd's node runs apart from the ejabberdctl we started: every
        # process whose command line names our private directory is ours.
        for d in os.listdir("/proc"):
            try:
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    if d.isdigit() and self.dir.encode() in f.read():
                        pids.add(int(d))
            except OSError:
                pass
        for pid in pids:
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        self.proc.wait(10)
        self._forget()
        deadline = time.monotonic() + 10
        while (port_open(self.c2s_port) or port_open(self.component_port)) and \
                time.monotonic() < deadline:
            time.sleep(0.1)

    def _forget(self):
        _live.discard(self)
        self.proc_done = self.proc
        self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def diagnostics(self):
        return tail(self.log_path, 40)

    def __repr__(self):
        return "<%s c2s=%d component=%d>" % (self.kind, self.c2s_port, self.component_port)


class Prosody(XmppServer):
    kind = "prosody"

    def __init__(self, base=None):
        self.exe = require_tool("prosody")
        super().__init__(base)
        os.makedirs(os.path.join(self.dir, "data"), exist_ok=True)
        os.makedirs(os.path.join(self.dir, "certs"), exist_ok=True)
        self.config = os.path.join(self.dir, "prosody.cfg.lua")
        self.prosody_log = os.path.join(self.dir, "prosody.log")
        d = self.dir
        with open(self.config, "w") as f:
            f.write("""-- private test server
run_as_root = true
daemonize = false
data_path = "%(d)s/data"
pidfile = "%(d)s/prosody.pid"
certificates = "%(d)s/certs"
log = { { levels = { min = "info" }, to = "file", filename = "%(d)s/prosody.log" } }
interfaces = { "127.0.0.1" }
c2s_ports = { %(c2s)d }
s2s_ports = { }
modules_enabled = { "roster", "saslauth", "disco", "offline", "register", "ping", "version" }
modules_disabled = { "s2s" }
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_plain"
allow_registration = true
min_seconds_between_registrations = 0
registration_throttle_max = nil

%(snippet)s

VirtualHost "%(domain)s"
VirtualHost "%(foreign)s"
""" % dict(d=d, c2s=self.c2s_port, domain=self.domain, foreign=self.foreign,
           snippet=contrib_snippet("prosody.cfg.lua", self.components, self.secret,
                                   self.component_port)))

    def command(self):
        return [self.exe, "--config", self.config, "-F"]

    def _request_stop(self):
        self.proc.send_signal(signal.SIGTERM)

    def diagnostics(self):
        return tail(self.log_path, 20) + "\n" + tail(self.prosody_log, 40)


class Ejabberd(XmppServer):
    kind = "ejabberd"

    def __init__(self, base=None, per_component=False):
        """per_component: a listener of its own for each component, as the
        README recommends (one listener for several hosts lets ejabberd
        route each stanza to any of the gateway's connections, at random)."""
        self.exe = require_tool("ejabberdctl")
        super().__init__(base)
        if per_component:
            self.component_ports = {d: (self.component_port if d == self.component
                                        else free_port()) for d in self.components}
        self.node = "xgw%d%s@localhost" % (os.getpid(), secrets.token_hex(3))
        for sub in ("logs", "spool"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        self.config = os.path.join(self.dir, "ejabberd.yml")
        self.ctl_config = os.path.join(self.dir, "ejabberdctl.cfg")
        with open(self.ctl_config, "w") as f:
            f.write('ERLANG_NODE=%s\nINET_DIST_INTERFACE=127.0.0.1\n' % self.node)
        if self.component_ports:
            entries = "".join(ejabberd_listener(d, self.secret, port)
                              for d, port in self.component_ports.items())
        else:
            entries = ejabberd_listener(self.components, self.secret, self.component_port)
        with open(self.config, "w") as f:
            f.write("""# private test server
hosts:
  - %(domain)s
  - %(foreign)s
loglevel: info
auth_method: internal
auth_password_format: plain
registration_timeout: infinity
listen:
  -
    port: %(c2s)d
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls_required: false
%(entries)s
acl:
  everyone:
    user_regexp: ""
access_rules:
  register:
    allow: all
modules:
  mod_disco: {}
  mod_offline: {}
  mod_ping: {}
  mod_register:
    ip_access: all
    access: register
  mod_roster: {}
  mod_version: {}
""" % dict(domain=self.domain, foreign=self.foreign, c2s=self.c2s_port, entries=entries))
        subprocess.run(["chown", "-R", "ejabberd:ejabberd", self.dir], check=True)

    def _ctl(self, *args):
        return [self.exe, "--config-dir", self.dir, "--config", self.config,
                "--ctl-config", self.ctl_config, "--logs", os.path.join(self.dir, "logs"),
                "--spool", os.path.join(self.dir, "spool"), "--node", self.node] + list(args)

    def command(self):
        return self._ctl("foreground")

    def _request_stop(self):
        subprocess.run(self._ctl("stop"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=30)

    def diagnostics(self):
        return tail(self.log_path, 20) + "\n" + tail(
            os.path.join(self.dir, "logs", "ejabberd.log"), 40)


KINDS = {"prosody": Prosody, "ejabberd": Ejabberd}


def start_server(kind):
    return KINDS[kind]().start()
