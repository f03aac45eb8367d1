#!/usr/bin/python3
"""A guided tour of xmpp-gw: a private Prosody, a private ngIRCd and a
private mail stack (Dovecot and an SMTP server) on 127.0.0.1, the gateway
attached with its echo, IRC and e-mail backends, and a walk through service
discovery, registration, an echo round trip, a private chat with an IRC
user, an IRC channel as a MUC room, and a mail in and a reply out. Then it
keeps running so real XMPP, IRC and mail clients can connect, until Ctrl-C.

    make demo            (or: /usr/bin/python3 tests/demo.py --bin build/xmpp-gw)
    ... --no-wait        the tour only, then stop (exit 0 when every step worked)
"""
import argparse
import asyncio
import os
import shutil
import signal
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e"))

from harness.client import Client, cancel_pending  # noqa: E402
from harness.gateway import Gateway  # noqa: E402
from harness.ircd import Ngircd  # noqa: E402
from harness.mail import MailStack  # noqa: E402
from harness.servers import EMAIL_COMPONENT, IRC_COMPONENT, Prosody, register_account  # noqa: E402

from demo_tour import CHANNEL, IRC_SERVER, Steps, echo_tour, email_tour, irc_tour  # noqa: E402
from harness.muc import room_jid  # noqa: E402

ACCOUNTS = {"alice": "alice-pw", "bob": "bob-pw"}
TOUR_TIMEOUT = 180.0


class Demo:
    """The processes of the demo and the clients still open after the tour;
    stop() ends them all, each by the PID we started."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="xgw-demo-")
        self.srv = self.ircd = self.gw = self.mail = None
        self.carol = None
        self.mailboxes = {}
        self.steps = Steps()

    def irc_section(self):
        """The gateway's [irc] section: only the private ngIRCd may be
        reached, as "localhost", in plaintext on its port."""
        return {"jid": IRC_COMPONENT, "secret": self.srv.secret,
                "allowed_servers": IRC_SERVER, "tls_ports": "",
                "plain_ports": str(self.ircd.port)}

    def email_section(self):
        """The gateway's [email] section: only the private mail stack on
        127.0.0.1 may be reached."""
        return {"jid": EMAIL_COMPONENT, "secret": self.srv.secret,
                "allowed_hosts": "127.0.0.1", "connect_timeout_s": "3",
                "verify_timeout_s": "5"}

    def start(self, loop):
        show = self.steps.show
        self.steps.step("Starting a private Prosody, ngIRCd, Dovecot, SMTP server and the "
                        "gateway")
        # Each process is recorded before it starts, so stop() ends it
        # even when a start-up is cut short.
        self.srv = Prosody(base=os.path.join(self.dir, "prosody"))
        self.srv.start()
        for user, pw in ACCOUNTS.items():
            register_account(self.srv.c2s_port, "localhost", user, pw)
        show("prosody", "127.0.0.1:%d (clients), component port %d"
             % (self.srv.c2s_port, self.srv.component_port))
        show("accounts", ", ".join("%s@localhost / %s" % kv for kv in ACCOUNTS.items()))
        os.makedirs(os.path.join(self.dir, "ngircd"))
        self.ircd = Ngircd(base=os.path.join(self.dir, "ngircd"))
        self.ircd.start()
        show("ngircd", "127.0.0.1:%d (IRC, plaintext)" % self.ircd.port)
        self.mail = MailStack()
        self.mail.start()
        for who in ("alice", "carol"):
            self.mailboxes[who] = self.mail.add_user(who)
        show("dovecot", "127.0.0.1:%d (IMAP, plaintext)" % self.mail.imap_port)
        show("smtp", "127.0.0.1:%d (submission, plaintext, AUTH)" % self.mail.smtp_port)
        show("mailboxes", ", ".join("%s / %s" % v for v in self.mailboxes.values()))
        self.gw = Gateway(self.srv, admins=["alice@localhost"], name="demo",
                          sections={"irc": self.irc_section(), "email": self.email_section()})
        self.gw.start()
        loop.run_until_complete(asyncio.wait_for(self.gw.wait_ready(), 30))
        show("gateway", "%s, %s and %s attached (log: %s)"
             % (self.srv.component, IRC_COMPONENT, EMAIL_COMPONENT, self.gw.log_path))
        show("[irc]", ", ".join("%s = %s" % (k, v or "(none)")
                                for k, v in self.irc_section().items() if k != "secret"))

    async def tour(self):
        alice = await Client.login(self.srv, "alice@localhost", ACCOUNTS["alice"])
        try:
            await echo_tour(self.steps, self.srv, alice)
            self.carol = await irc_tour(self.steps, IRC_COMPONENT, self.ircd, alice)
            await email_tour(self.steps, EMAIL_COMPONENT, self.mail, self.gw, alice,
                             self.mailboxes)
        finally:
            await alice.close()

    def print_how_to_connect(self):
        srv, room = self.srv, room_jid(CHANNEL, IRC_SERVER, IRC_COMPONENT)
        print("""
== Now try it with real clients
   XMPP server:  127.0.0.1, port %(c2s)d, no TLS (plaintext; loopback only)
   accounts:     alice@localhost / %(apw)s   bob@localhost / %(bpw)s
   echo gateway: %(echo)s (register with any lowercase username; bob is not
                 registered yet); send "hello" to anyone@%(echo)s,
                 or "/presence away gone fishing"
   IRC gateway:  %(irc)s (alice is registered with the nick alice; register bob
                 with a nick of his own); IRC users are nick%%%(irc_srv)s@%(irc)s,
                 e.g. carol%%%(irc_srv)s@%(irc)s
   room:         join %(room)s (carol is in it)
   e-mail:       %(email)s (alice's mailbox %(amail)s is registered);
                 a mail address is a contact, e.g. %(cmail_jid)s
   mail server:  IMAP 127.0.0.1 port %(imap)d, SMTP 127.0.0.1 port %(smtp)d, no TLS;
                 log in as %(amail)s / %(ampw)s or %(cmail)s / %(cmpw)s
                 (e.g. in mutt, Thunderbird, or python3 -m smtplib) and mail the other
   IRC server:   127.0.0.1, port %(irc_port)d, no TLS; e.g. irssi -c 127.0.0.1 -p %(irc_port)d
                 -n dave, or in weechat /server add demo 127.0.0.1/%(irc_port)d then
                 /connect demo; then /join %(chan)s
   gateway log:  %(log)s
Press Ctrl-C to stop.""" % dict(c2s=srv.c2s_port, apw=ACCOUNTS["alice"], bpw=ACCOUNTS["bob"],
                                echo=srv.component, irc=IRC_COMPONENT, irc_srv=IRC_SERVER,
                                room=room, irc_port=self.ircd.port, chan=CHANNEL,
                                log=self.gw.log_path, email=EMAIL_COMPONENT,
                                amail=self.mailboxes["alice"][0],
                                ampw=self.mailboxes["alice"][1],
                                cmail=self.mailboxes["carol"][0],
                                cmpw=self.mailboxes["carol"][1],
                                cmail_jid=self.mailboxes["carol"][0].replace("@", "\\40")
                                + "@" + EMAIL_COMPONENT,
                                imap=self.mail.imap_port, smtp=self.mail.smtp_port),
              flush=True)

    def wait(self, loop):
        """Until Ctrl-C (KeyboardInterrupt) or a process of ours exits;
        carol stays in the channel meanwhile (her client answers PINGs)."""
        while True:
            for name, alive in (("the gateway", self.gw.running()),
                                ("ngircd", self.ircd.running()),
                                ("dovecot", self.mail.dovecot.running()),
                                ("prosody", self.srv.proc is not None
                                 and self.srv.proc.poll() is None)):
                if not alive:
                    raise RuntimeError("%s exited by itself" % name)
            if self.carol is not None:
                self.carol.clear()
                del self.carol.history[:-20]
            loop.run_until_complete(asyncio.sleep(1))

    def stop(self, loop):
        """Closes carol, stops the gateway, ngIRCd and Prosody; returns a
        list of problems (the gateway's exit checks)."""
        problems = []
        if self.carol is not None:
            try:
                loop.run_until_complete(asyncio.wait_for(self.carol.quit("demo over"), 10))
            except (OSError, asyncio.TimeoutError):
                pass
            self.carol = None
        cancel_pending(loop)  # e.g. the tour cut short: alice's client closes now
        if self.gw is not None:
            try:
                self.gw.stop()
            except AssertionError as e:
                problems.append(str(e))
            self.gw.cleanup()
        if self.ircd is not None:
            self.ircd.cleanup()
        if self.mail is not None:
            self.mail.cleanup()
        if self.srv is not None:
            self.srv.cleanup()
        shutil.rmtree(self.dir, ignore_errors=True)
        return problems

    def failure(self, e):
        """What to print when a step failed: the step, the error, and the
        gateway's log tail."""
        what = str(e) or type(e).__name__
        if isinstance(e, asyncio.TimeoutError):
            what = "timed out (%s)" % (type(e).__name__)
        text = "\ndemo: FAILED at step %s\n%s" % (self.steps.current, what)
        if self.gw is not None:
            text += "\n---- gateway log (tail) ----\n" + self.gw.log_tail(30)
        return text


def interrupt(signum, frame):
    """SIGTERM and SIGHUP stop the demo the way Ctrl-C does."""
    raise KeyboardInterrupt


def check_tools(exe):
    if not os.access(exe, os.X_OK):
        sys.exit("demo: %s is not an executable (build it with make)" % exe)
    for tool in ("prosody", "ngircd", "/usr/sbin/dovecot"):
        if not shutil.which(tool):
            sys.exit("demo: %s is not installed (make deps)" % tool)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True, help="the xmpp-gw binary")
    ap.add_argument("--no-wait", action="store_true",
                    help="stop after the tour instead of waiting for real clients")
    args = ap.parse_args()
    exe = os.path.abspath(args.bin)
    check_tools(exe)
    os.environ["XMPPGW_BIN"] = exe
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    demo = Demo()
    rc = 0
    toured = False
    try:
        demo.start(loop)
        loop.run_until_complete(asyncio.wait_for(demo.tour(), TOUR_TIMEOUT))
        toured = True
        print("\n== The tour is complete: every step worked.", flush=True)
        if not args.no_wait:
            demo.print_how_to_connect()
            demo.wait(loop)
    except KeyboardInterrupt:
        if toured:
            print("\nstopping ...", flush=True)
        else:
            print("\ndemo: interrupted during step %s; stopping ..." % demo.steps.current,
                  flush=True)
            rc = 130
    except Exception as e:  # a failed step: say which, with the gateway's log
        print(demo.failure(e), file=sys.stderr, flush=True)
        rc = 1
    finally:
        # Stopping takes a few seconds; a second Ctrl-C must not cut it short.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        problems = demo.stop(loop)
        for p in problems:
            print("demo: %s" % p, file=sys.stderr)
        if problems and rc == 0:
            rc = 1
        print("demo: everything stopped.", flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
