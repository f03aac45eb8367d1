"""A private mail stack on 127.0.0.1 for the e-mail backend's tests:
Dovecot (dovecot-imapd) for IMAP and an aiosmtpd submission server
(harness/smtpd.py) that delivers with Dovecot's LDA, both with their
configuration, users and mail in a temp dir, started by us and stopped by
their PIDs. Nothing under /etc is read or written.

- Dovecot: IMAP on `imap_port` (plaintext, STARTTLS offered) and on
  `imaps_port` (TLS from the first byte), both with a self-signed
  certificate for "localhost" (`.cert`); users in passwd-files (one per user), mail in
  maildirs under the temp dir; auth_failure_delay = 0 and loopback trusted
  (no auth penalty) so that a wrong password is refused at once and does
  not slow the next login down.
- SMTP: `smtp_port`, AUTH PLAIN/LOGIN against the same passwd-files,
  STARTTLS offered with the same certificate; unknown recipients get 550.

`add_user()` makes a fresh mailbox; `stop_imap()`/`start_imap()` restart
Dovecot; `set_password()` changes a user's password; `imap_logins(user)` and
`smtp_auths(user)` read the servers' logs, to tell that the gateway really
logged in."""
import imaplib
import os
import time
import shutil
import tempfile

from .ircd import Daemon, self_signed_cert
from .servers import unique
from .util import free_port, missing, refuse_if_taken, tail

DOVECOT = "/usr/sbin/dovecot"
LDA = "/usr/lib/dovecot/dovecot-lda"
PYTHON = "/usr/bin/python3"
SMTPD = os.path.join(os.path.dirname(__file__), "smtpd.py")
MAIL_UID = 65534  # nobody: Dovecot delivers as the user's uid, never as root
DOMAIN = "example.test"

CONF = """base_dir = %(run)s/base
state_dir = %(run)s/state
log_path = %(run)s/dovecot.log
info_log_path = %(run)s/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = yes
ssl_cert = <%(cert)s
ssl_key = <%(key)s
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
auth_verbose = yes
mail_location = maildir:~/Maildir
first_valid_uid = 1
# IDLE learns of new mail by inotify; where inotify is short (many servers
# on one machine), Dovecot checks every mailbox_idle_check_interval (30 s
# by default), longer than a test waits
mailbox_idle_check_interval = 1 secs
default_process_limit = 1200
default_client_limit = 4000
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %(passwd)s/%%u
}
userdb {
  driver = passwd-file
  args = username_format=%%u %(passwd)s/%%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %(imap)d
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %(imaps)d
    ssl = yes
  }
}
# No auth penalty: after a failed login, anvil makes the next ones from the
# same IP wait (4 s after one failure, up to 15 s), and every test comes
# from 127.0.0.1. The auth process, run unprivileged, cannot reach anvil's
# penalty socket, so it applies none.
service auth {
  user = $default_internal_user
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
"""


class Dovecot(Daemon):
    name = "dovecot"

    def __init__(self, dir_, cert, key, passwd, imap_capability=None):
        super().__init__(dir_)
        self.imap_port, self.imaps_port = free_port(), free_port()
        self.conf = os.path.join(dir_, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write(CONF % dict(run=dir_, cert=cert, key=key, passwd=passwd,
                                imap=self.imap_port, imaps=self.imaps_port))
            if imap_capability:
                f.write("protocol imap {\n  imap_capability = %s\n}\n" % imap_capability)

    def command(self):
        return [DOVECOT, "-F", "-c", self.conf]

    def log(self):
        try:
            with open(os.path.join(self.dir, "dovecot.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def diagnostics(self):
        return tail(os.path.join(self.dir, "dovecot.log"), 40) + "\n" + super().diagnostics()


class Smtpd(Daemon):
    name = "smtpd"

    def __init__(self, dir_, cert, key, passwd, dovecot_conf):
        super().__init__(dir_)
        self.port = free_port()
        self.args = ["--port", str(self.port), "--passwd", passwd, "--dovecot-conf",
                     dovecot_conf, "--cert", cert, "--key", key]

    def command(self):
        return [PYTHON, SMTPD] + self.args


class MailStack:
    def __init__(self, imap_capability=None):
        """imap_capability: what Dovecot lists after the login instead of
        its own capabilities (e.g. without IDLE)."""
        for path, what in ((DOVECOT, "dovecot (dovecot-imapd)"), (LDA, "dovecot-lda")):
            if not os.access(path, os.X_OK):
                missing(what)
        try:
            import aiosmtpd  # noqa: F401
        except ImportError:
            missing("python3-aiosmtpd")
        self.dir = tempfile.mkdtemp(prefix="xgw-mail-")
        os.chmod(self.dir, 0o755)  # Dovecot's processes run as other users
        # one passwd-file per user (the path has %u): a user added while
        # Dovecot runs needs no reload, which Dovecot does not do reliably
        self.passwd = os.path.join(self.dir, "passwd.d")
        os.makedirs(self.passwd)
        os.chmod(self.passwd, 0o755)
        os.makedirs(os.path.join(self.dir, "mail"))
        self.cert, self.key = self_signed_cert(self.dir, "localhost")
        os.chmod(self.key, 0o644)
        # the LDA writes the same log after it has taken the user's uid
        log = os.path.join(self.dir, "dovecot.log")
        open(log, "a").close()
        os.chmod(log, 0o666)
        self.dovecot = Dovecot(self.dir, self.cert, self.key, self.passwd, imap_capability)
        self.smtpd = Smtpd(self.dir, self.cert, self.key, self.passwd, self.dovecot.conf)
        self.users = {}

    @property
    def imap_port(self):
        return self.dovecot.imap_port

    @property
    def imaps_port(self):
        return self.dovecot.imaps_port

    @property
    def smtp_port(self):
        return self.smtpd.port

    def start(self):
        refuse_if_taken(self.imap_port, self.imaps_port, self.smtp_port)
        self.dovecot.spawn()
        self.smtpd.spawn()
        try:
            self.dovecot.wait_port(self.imap_port, 20)
            self.dovecot.wait_port(self.imaps_port, 20)
            self.smtpd.wait_port(self.smtp_port, 20)
        except BaseException:
            self.stop()
            raise
        return self

    def add_user(self, prefix="m", local=None, pw=None):
        """A fresh mailbox (local part and password chosen here unless
        given): returns (address, password)."""
        local = local or unique(prefix)
        addr = "%s@%s" % (local, DOMAIN)
        pw = pw or "pw-" + unique("p")
        home = os.path.join(self.dir, "mail", local)
        os.makedirs(home)
        if os.geteuid() == 0:
            os.chown(home, MAIL_UID, MAIL_UID)
        path = os.path.join(self.passwd, addr)
        with open(path, "w") as f:
            f.write("%s:{PLAIN}%s:%d:%d::%s::\n" % (addr, pw, self._uid(), self._uid(), home))
        os.chmod(path, 0o644)
        self.users[addr] = (pw, home)
        return addr, pw

    @staticmethod
    def _uid():
        return MAIL_UID if os.geteuid() == 0 else os.geteuid()

    def maildir_new(self, addr):
        """The files in the user's Maildir/new (mail delivered, not yet read)."""
        d = os.path.join(self.users[addr][1], "Maildir", "new")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def maildir_count(self, addr):
        """The mails in the user's maildir, new and already seen by IMAP
        (which moves them from new/ to cur/)."""
        base = os.path.join(self.users[addr][1], "Maildir")
        return sum(len(os.listdir(os.path.join(base, d))) for d in ("new", "cur")
                   if os.path.isdir(os.path.join(base, d)))

    def imap_logins(self, addr):
        """Dovecot's log lines of successful IMAP logins of addr."""
        return [ln for ln in self.dovecot.log().splitlines()
                if "imap-login:" in ln and "Login: user=<%s>," % addr in ln]

    def idle_disconnects(self, addr):
        """Dovecot's log lines of addr's IMAP sessions that ended while in
        IDLE (the gateway's watch connection going away)."""
        return [ln for ln in self.dovecot.log().splitlines()
                if "imap(%s)" % addr in ln and "Disconnected" in ln and "IDLE" in ln]

    def smtp_auths(self, addr, ok=True):
        mark = "AUTH %s %s" % ("ok" if ok else "refused", addr)
        return [ln for ln in self.smtpd.log_text().splitlines() if ln.strip() == mark]

    def stop_imap(self):
        """Stops Dovecot (by its PID; it says BYE to every IMAP client)."""
        self.dovecot.stop()

    def start_imap(self):
        """Starts Dovecot again, on the same ports, users and mail."""
        refuse_if_taken(self.imap_port, self.imaps_port)
        self.dovecot.spawn()
        self.dovecot.wait_port(self.imap_port, 20)
        self.dovecot.wait_port(self.imaps_port, 20)

    def set_password(self, addr, pw):
        """Changes addr's password (Dovecot reads the passwd-file at each login)."""
        home = self.users[addr][1]
        path = os.path.join(self.passwd, addr)
        before = os.stat(path).st_mtime
        with open(path, "w") as f:
            f.write("%s:{PLAIN}%s:%d:%d::%s::\n" % (addr, pw, self._uid(), self._uid(), home))
        # Dovecot reloads a passwd-file when its mtime or size changed: within
        # the same second and at the same size it would keep the old one.
        t = max(time.time(), before + 2)
        os.utime(path, (t, t))
        self.users[addr] = (pw, home)
        # Until Dovecot takes the new password, a login may still pass with
        # the old one: wait (bounded) until the new one works.
        deadline = time.monotonic() + 10
        while True:
            try:
                with imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=5) as m:
                    m.login(addr, pw)
                    m.logout()
                return
            except imaplib.IMAP4.error:
                assert time.monotonic() < deadline, "Dovecot kept %s's old password" % addr
                time.sleep(0.1)

    def stop(self):
        self.smtpd.stop()
        self.dovecot.stop()

    def diagnostics(self):
        return "dovecot:\n%s\nsmtpd:\n%s" % (self.dovecot.diagnostics(),
                                             self.smtpd.diagnostics())

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
