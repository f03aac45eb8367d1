"""Real IRC servers run privately on 127.0.0.1 for the IRC backend's tests.

- Ngircd: ngIRCd with a private configuration (no DNS, no ident, no PAM,
  connection and join limits lifted, no flood penalty); optionally a TLS
  port with a self-signed certificate for "localhost" (`tls=True`) or a
  given one (`tls_cert=(cert, key)`, e.g. from harness/tlsca.py), a server
  password (`password=`) and an IRC operator (`oper=True`: OPER <name>
  <password> from `.oper`).
- InspircdAtheme: InspIRCd 3 with Atheme services linked over a loopback
  port, for SASL and NickServ.

Each server gets a temp dir, free ports picked at run time (a taken port is
refused), and is stopped by the PID of the process we started: ngIRCd drops
to `nobody` and cannot write its PID file, so the Popen PID is the one to
trust. Readiness is a TCP connect to the client port (InspIRCd+Atheme: a
client registration that sees the services linked).
"""
import base64
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from .servers import _live  # one registry of running servers, stopped at exit
from .util import free_port, port_open, refuse_if_taken, require_tool, tail


class Daemon:
    """A foreground server process started by us and stopped by its PID."""

    name = "daemon"

    def __init__(self, dir_):
        self.dir = dir_
        self.proc = None
        self.out_path = os.path.join(self.dir, "%s.out" % self.name)

    def command(self):
        raise NotImplementedError

    def spawn(self):
        out = open(self.out_path, "ab")
        try:
            self.proc = subprocess.Popen(self.command(), stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True,
                                         cwd=self.dir)
        finally:
            out.close()
        _live.add(self)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_port(self, port, timeout):
        deadline = time.monotonic() + timeout
        while not port_open(port):
            if self.proc.poll() is not None:
                rc = self.proc.returncode
                self._forget()
                raise RuntimeError("%s exited with %s during start-up:\n%s"
                                   % (self.name, rc, self.diagnostics()))
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("%s did not open port %d within %.0f s:\n%s"
                                   % (self.name, port, timeout, self.diagnostics()))
            time.sleep(0.05)

    def stop(self, timeout=10.0):
        if self.proc is None:
            return
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    pass
        finally:
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(10)
            self._forget()

    def _forget(self):
        _live.discard(self)
        self.proc = None

    def diagnostics(self):
        return tail(self.out_path, 40)

    def log_text(self):
        """Everything the daemon wrote to its stdout/stderr so far."""
        try:
            with open(self.out_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""


def self_signed_cert(dir_, host="localhost"):
    """A self-signed certificate for `host` (CN and subjectAltName) made with
    the openssl CLI; returns (cert path, key path)."""
    openssl = require_tool("openssl")
    cert = os.path.join(dir_, "cert.pem")
    key = os.path.join(dir_, "key.pem")
    r = subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                        "-keyout", key, "-out", cert, "-subj", "/CN=%s" % host,
                        "-addext", "subjectAltName=DNS:%s" % host],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=30)
    if r.returncode != 0:
        raise RuntimeError("openssl could not make a self-signed certificate:\n%s"
                           % r.stdout.decode("utf-8", "replace"))
    return cert, key


# -- ngIRCd -------------------------------------------------------------------
class Ngircd(Daemon):
    """ngIRCd on 127.0.0.1:<port>. `start()` returns self; `restart()` keeps
    the port (clients reconnect to the same address).

    tls=True: also TLS on 127.0.0.1:<tls_port> with a self-signed
    certificate for "localhost" (`.cert`), or with tls_cert=(cert, key).
    password: the server password every client must send (PASS), in
    [Global] `Password`. oper=True: an [Operator] block,
    `.oper` = (name, password) for OPER (then KLINE, GLINE, KILL work).
    `log_text()` is ngIRCd's log (one line per connection accepted, user
    registered or rejected)."""

    name = "ngircd"
    server_name = "irc.test"

    def __init__(self, port=None, base=None, tls=False, oper=False, ping_timeout=120,
                 pong_timeout=20, tls_cert=None, password=None):
        """ping_timeout/pong_timeout: ngIRCd PINGs a client it heard
        nothing from for ping_timeout seconds and drops it when no PONG
        comes within pong_timeout."""
        self.exe = require_tool("ngircd")
        self.ping_timeout, self.pong_timeout = ping_timeout, pong_timeout
        super().__init__(base or tempfile.mkdtemp(prefix="xgw-ngircd-"))
        self.port = port or free_port()
        self.tls_port = None
        self.cert = None
        self.oper = None
        extra = ""
        if tls or tls_cert:
            self.tls_port = free_port()
            while self.tls_port == self.port:
                self.tls_port = free_port()
            self.cert, key = tls_cert or self_signed_cert(self.dir, "localhost")
            extra += "\n[SSL]\nCertFile = %s\nKeyFile = %s\nPorts = %d\n" % (
                self.cert, key, self.tls_port)
        if oper:
            self.oper = ("oper", secrets.token_hex(8))
            extra += "\n[Operator]\nName = %s\nPassword = %s\n" % self.oper
        self.config = os.path.join(self.dir, "ngircd.conf")
        with open(self.config, "w") as f:
            f.write("""# private test server
[Global]
Name = %(name)s
Info = xmpp-gw test server
AdminInfo1 = test
AdminInfo2 = test
AdminEMail = test@localhost
Listen = 127.0.0.1
Ports = %(port)d
MotdPhrase = test server
%(password)s
[Limits]
MaxConnectionsIP = 0
MaxJoins = 0
MaxNickLength = 30
MaxPenaltyTime = 0
PingTimeout = %(ping)d
PongTimeout = %(pong)d

[Options]
DNS = no
Ident = no
PAM = no
""" % dict(name=self.server_name, port=self.port, ping=self.ping_timeout,
           pong=self.pong_timeout,
           password="Password = %s\n" % password if password else "") + extra)

    def command(self):
        return [self.exe, "-n", "-f", self.config]

    def start(self, timeout=10.0):
        ports = [self.port] + ([self.tls_port] if self.tls_port else [])
        refuse_if_taken(*ports)
        self.spawn()
        for p in ports:
            self.wait_port(p, timeout)
        return self

    def restart(self, pause=1.0):
        self.stop()
        time.sleep(pause)
        self.start()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def isupport(self, timeout=10.0):
        """The ISUPPORT (005) tokens a client gets, as {name: value or True}."""
        return raw_isupport(self.port, timeout)

    def __repr__(self):
        return "<ngircd port=%d>" % self.port


# -- InspIRCd 3 + Atheme 7.2 ---------------------------------------------------
class InspircdAtheme:
    """InspIRCd 3 on a client port, Atheme linked to it on a loopback server
    port. NickServ accounts: register_account(); SASL PLAIN works once the
    services are linked (start() waits for that)."""

    server_name = "irc.test"
    services_name = "services.localhost"

    def __init__(self, base=None):
        self.ircd_exe = require_tool("inspircd")
        self.atheme_exe = require_tool("atheme-services")
        self.dir = base or tempfile.mkdtemp(prefix="xgw-inspircd-")
        self.port = free_port()
        self.link_port = free_port()
        self.link_password = secrets.token_hex(8)
        self.ircd = _Inspircd(self)
        self.atheme = _Atheme(self)

    def start(self, timeout=20.0):
        refuse_if_taken(self.port, self.link_port)
        self.ircd.spawn()
        try:
            self.ircd.wait_port(self.port, timeout)  # both ports are bound together
            self.atheme.spawn()
            self._wait_linked(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_linked(self, timeout):
        """Until NickServ answers a client (the services are linked)."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.atheme.running():
                raise RuntimeError("atheme exited during start-up:\n%s" % self.diagnostics())
            try:
                with RawIrc(self.port, "probe%s" % secrets.token_hex(3)) as c:
                    c.send("PRIVMSG NickServ :HELP")
                    line = c.wait(lambda p: p[1] in ("NOTICE", "401")
                                  and (p[1] == "401" or (p[0] or "").lower() == "nickserv"),
                                  "an answer from NickServ", max(1.0, deadline - time.monotonic()))
                    if line[1] == "NOTICE":
                        return
            except (OSError, AssertionError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("Atheme did not link to InspIRCd within %.0f s:\n%s"
                                   % (timeout, self.diagnostics()))
            time.sleep(0.2)

    def stop(self):
        try:
            self.thaw_services()
            self.atheme.stop()
        finally:
            self.ircd.stop()

    def freeze_services(self):
        """SIGSTOP Atheme: the link stays up, InspIRCd keeps offering sasl,
        and AUTHENTICATE gets no answer at all (services that hang)."""
        assert self.atheme.running(), "atheme is not running:\n%s" % self.diagnostics()
        self.atheme.proc.send_signal(signal.SIGSTOP)
        self.atheme.frozen = True

    def thaw_services(self):
        """SIGCONT Atheme after freeze_services() (no-op otherwise)."""
        if getattr(self.atheme, "frozen", False) and self.atheme.running():
            self.atheme.proc.send_signal(signal.SIGCONT)
        self.atheme.frozen = False

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def diagnostics(self):
        return ("---- inspircd ----\n%s\n%s\n---- atheme ----\n%s\n%s"
                % (self.ircd.diagnostics(), tail(self.ircd.log, 20),
                   self.atheme.diagnostics(), tail(self.atheme.log, 20)))

    def register_account(self, nick, password, email=None, timeout=15.0):
        """Register `nick` with NickServ (a raw client connects as nick,
        sends REGISTER and waits for the confirmation). Returns the account name."""
        email = email or "%s@example.com" % nick
        with RawIrc(self.port, nick, timeout=timeout) as c:
            assert c.nick == nick, "NickServ registration: nick %s is taken" % nick
            c.send("PRIVMSG NickServ :REGISTER %s %s" % (password, email))
            line = c.wait(lambda p: p[1] == "NOTICE" and (p[0] or "").lower() == "nickserv"
                          and ("registered" in p[2][-1] or "not" in p[2][-1].lower()),
                          "NickServ's answer to REGISTER %s" % nick, timeout)
            text = line[2][-1].replace("\x02", "")
            assert "is now registered" in text, "NickServ refused REGISTER %s: %s" % (nick, text)
            c.send("QUIT")
        return nick

    def isupport(self, timeout=10.0):
        return raw_isupport(self.port, timeout)

    def __repr__(self):
        return "<inspircd port=%d link=%d>" % (self.port, self.link_port)


@pytest.fixture(scope="module")
def inspircd():
    """A module's own InspIRCd + Atheme (import it with inspircd_irc_port)."""
    net = InspircdAtheme().start()
    yield net
    net.cleanup()


@pytest.fixture(scope="module", name="irc_port")
def inspircd_irc_port(inspircd):
    """irc_port for a module importing this: the module's irc_gateway and
    ircs reach its InspIRCd."""
    return inspircd.port


class _Inspircd(Daemon):
    name = "inspircd"

    def __init__(self, net):
        super().__init__(net.dir)
        self.net = net
        self.config = os.path.join(self.dir, "inspircd.conf")
        self.log = os.path.join(self.dir, "inspircd.log")
        d = self.dir
        with open(os.path.join(d, "motd.txt"), "w") as f:
            f.write("test server\n")
        with open(self.config, "w") as f:
            f.write("""<config format="xml">
<server name="%(name)s" description="xmpp-gw test server" id="0AA" network="test">
<admin name="test" nick="test" email="test@localhost">
<bind address="127.0.0.1" port="%(port)d" type="clients">
<bind address="127.0.0.1" port="%(link)d" type="servers">
<dns sourceip="127.0.0.1" server="127.0.0.1" timeout="1">
<pid file="%(d)s/inspircd.pid">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="%(d)s/inspircd.log">
<files motd="%(d)s/motd.txt">
<options defaultmodes="not" allowhalfop="yes">
<security hidesplits="no" announceinvites="dynamic">
<performance softlimit="1024" somaxconn="128" clonesonconnect="no" quietbursts="yes">
<connect name="main" allow="*" maxchans="1000" localmax="10000" globalmax="10000"
         maxconnwarn="no" resolvehostnames="no" useident="no" fakelag="no" threshold="1000"
         commandrate="1000000" limit="10000" timeout="20" pingfreq="120" sendq="1048576"
         hardsendq="1048576" softsendq="65536" recvq="65536" modes="">
<limits maxnick="30" maxchan="64" maxmodes="20" maxident="11" maxhost="64" maxquit="255"
        maxtopic="307" maxkick="255" maxreal="128" maxgecos="128" maxaway="200">
<module name="spanningtree">
<module name="cap">
<module name="sasl">
<module name="services_account">
<module name="ircv3">
<module name="ircv3_servertime">
<module name="namesx">
<module name="hidechans">
<module name="monitor">
<monitor maxentries="100">
<module name="chanhistory">
<chanhistory maxlines="50" notice="no" prefixmsg="no" bots="yes">
<sasl target="%(services)s" requiressl="no">
<link name="%(services)s" ipaddr="127.0.0.1" port="%(link)d" allowmask="127.0.0.0/8"
      sendpass="%(pw)s" recvpass="%(pw)s">
<uline server="%(services)s" silent="yes">
""" % dict(name=net.server_name, port=net.port, link=net.link_port, d=d,
           services=net.services_name, pw=net.link_password))

    def command(self):
        return [self.net.ircd_exe, "--config", self.config, "--nofork", "--runasroot",
                "--nopid"]


_ATHEME_MODULES = """
loadmodule "modules/protocol/inspircd";
loadmodule "modules/backend/opensex";
loadmodule "modules/crypto/pbkdf2v2";
loadmodule "modules/nickserv/main";
loadmodule "modules/nickserv/help";
loadmodule "modules/nickserv/identify";
loadmodule "modules/nickserv/register";
loadmodule "modules/nickserv/regnolimit";
loadmodule "modules/nickserv/logout";
loadmodule "modules/nickserv/info";
loadmodule "modules/saslserv/main";
loadmodule "modules/saslserv/plain";
"""


class _Atheme(Daemon):
    name = "atheme"

    def __init__(self, net):
        super().__init__(net.dir)
        self.net = net
        d = self.dir
        self.data = os.path.join(d, "atheme-data")
        os.makedirs(self.data, exist_ok=True)
        self.config = os.path.join(d, "atheme.conf")
        self.log = os.path.join(d, "atheme.log")
        self.pidfile = os.path.join(d, "atheme.pid")
        svc = net.services_name

        def client(nick, real, extra=""):
            return ('%s {\n\tnick = "%s";\n\tuser = "%s";\n\thost = "%s";\n\treal = "%s";\n%s};\n'
                    % (nick.lower(), nick, nick, svc, real, extra))

        with open(self.config, "w") as f:
            f.write(_ATHEME_MODULES)
            f.write("""
serverinfo {
	name = "%(svc)s";
	desc = "xmpp-gw test services";
	numeric = "00A";
	recontime = 1;
	netname = "test";
	hidehostsuffix = "users.test";
	adminname = "test";
	adminemail = "test@localhost";
	registeremail = "noreply@localhost";
	mta = "/bin/true";
	loglevel = { error; info; };
	maxlogins = 1000;
	maxusers = 1000;
	mdlimit = 30;
	emaillimit = 1000;
	emailtime = 1;
	auth = none;
	casemapping = rfc1459;
};
uplink "%(ircd)s" {
	host = "127.0.0.1";
	port = %(link)d;
	send_password = "%(pw)s";
	receive_password = "%(pw)s";
};
general {
	flood_msgs = 0;
	flood_time = 10;
	ratelimit_uses = 100000;
	ratelimit_period = 1;
	kline_time = 0;
	clone_time = 0;
	commit_interval = 5;
	default_clone_allowed = 10000;
	default_clone_warn = 10000;
	uplink_sendq_limit = 1048576;
	language = "en";
	exempts { };
	immune_level = immune;
};
database {
	path = "%(data)s/services.db";
};
logfile "%(log)s" { error; info; admin; network; register; };
""" % dict(svc=svc, ircd=net.server_name, link=net.link_port, pw=net.link_password,
           data=self.data, log=self.log))
            f.write(client("NickServ", "Nickname Services",
                           "\tmaxnicks = 1000;\n\texpire = 0;\n"))
            f.write(client("SaslServ", "SASL Authentication Agent"))

    def command(self):
        return [self.net.atheme_exe, "-n", "-c", self.config, "-D", self.data, "-l", self.log,
                "-p", self.pidfile]


# -- a tiny blocking IRC client (readiness, account set-up, ISUPPORT) ---------------
def parse(line):
    """(prefix nick or None, COMMAND, [params]) of one IRC line (str)."""
    if line.startswith("@"):
        line = line.split(" ", 1)[1] if " " in line else ""
    prefix = None
    if line.startswith(":"):
        prefix, _, line = line[1:].partition(" ")
        prefix = prefix.split("!", 1)[0]
    trailing = None
    if " :" in line:
        line, trailing = line.split(" :", 1)
    elif line.startswith(":"):
        line, trailing = "", line[1:]
    parts = line.split()
    cmd = parts[0].upper() if parts else ""
    params = parts[1:] + ([trailing] if trailing is not None else [])
    return prefix, cmd, params


class RawIrc:
    """A blocking IRC client for set-up steps: registers on entering (with
    `nick`, or nick + "_" when taken), answers PING, `wait()` for a line."""

    def __init__(self, port, nick, timeout=10.0, caps_first=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.nick = nick
        self.timeout = timeout
        self.seen = []
        if caps_first:
            caps_first(self)
        self.send("NICK %s" % nick)
        self.send("USER %s 0 * :test client" % nick)
        while True:
            p = self.wait(lambda p: p[1] in ("001", "433", "ERROR"), "001 for %s" % nick)
            if p[1] == "001":
                self.nick = p[2][0]
                break
            if p[1] == "ERROR":
                raise AssertionError("IRC server closed the connection of %s: %s" % (nick, p))
            self.nick += "_"
            self.send("NICK %s" % self.nick)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, line):
        self.sock.sendall(line.encode() + b"\r\n")

    def lines(self, timeout):
        """Yields parsed lines until timeout (seconds from now)."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\r\n" in self.buf or b"\n" in self.buf:
                raw, _, self.buf = self.buf.partition(b"\n")
                text = raw.rstrip(b"\r").decode("utf-8", "replace")
                p = parse(text)
                if p[1] == "PING":
                    self.send("PONG :%s" % (p[2][-1] if p[2] else ""))
                    continue
                self.seen.append(text)
                yield p
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return
            if not data:
                return
            self.buf += data

    def wait(self, pred, what, timeout=None):
        timeout = self.timeout if timeout is None else timeout
        for p in self.lines(timeout):
            if pred(p):
                return p
        raise AssertionError("IRC %s: timed out after %.0f s waiting for %s; last lines:\n  %s"
                             % (self.nick, timeout, what, "\n  ".join(self.seen[-10:])))

    def close(self):
        try:
            self.send("QUIT :bye")
        except OSError:
            pass
        self.sock.close()


def raw_isupport(port, timeout=10.0):
    tokens = {}
    with RawIrc(port, "isup%s" % secrets.token_hex(3), timeout) as c:
        c.send("VERSION")  # ends with 351 on every server; 005 come before it or with it
        for p in c.lines(timeout):
            if p[1] == "005":
                for tok in p[2][1:-1]:
                    k, eq, v = tok.partition("=")
                    tokens[k] = v if eq else True
            if p[1] == "351" and tokens:
                break
    return tokens


def sasl_plain(port, nick, account, password, timeout=10.0):
    """Logs in with SASL PLAIN before registration; returns the numeric the
    server ended the exchange with (903 on success, 904 on failure) and the
    lines seen."""
    result = {}

    def caps(c):
        c.send("CAP LS 302")
        p = c.wait(lambda p: p[1] == "CAP" and len(p[2]) >= 3 and p[2][1] == "LS",
                   "CAP LS reply")
        assert "sasl" in p[2][-1], "the server offers no sasl: %s" % p[2][-1]
        c.send("CAP REQ :sasl")
        c.wait(lambda p: p[1] == "CAP" and p[2][1] == "ACK" and "sasl" in p[2][-1],
               "CAP ACK sasl")
        c.send("AUTHENTICATE PLAIN")
        c.wait(lambda p: p[1] == "AUTHENTICATE" and p[2] and p[2][0] == "+",
               "AUTHENTICATE + (the server's go-ahead)")
        creds = ("%s\0%s\0%s" % (account, account, password)).encode()
        c.send("AUTHENTICATE " + base64.b64encode(creds).decode())
        p = c.wait(lambda p: p[1] in ("903", "904", "905", "906", "908"),
                   "the end of SASL (903/904)")
        result["numeric"] = p[1]
        c.send("CAP END")

    with RawIrc(port, nick, timeout, caps_first=caps) as c:
        result["seen"] = list(c.seen)
    return result["numeric"], result["seen"]
