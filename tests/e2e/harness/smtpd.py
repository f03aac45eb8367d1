#!/usr/bin/python3
"""An SMTP submission server for the e-mail tests (aiosmtpd), run as its
own process by harness/mail.py and stopped by its PID.

  smtpd.py --port N --passwd DIR --dovecot-conf FILE [--cert C --key K]

AUTH PLAIN and LOGIN are checked against Dovecot's passwd-files in DIR
(lines `user:{PLAIN}password:...`), so both servers know the same users; AUTH is
required before MAIL and allowed without TLS (the tests' plaintext
listener). With --cert and --key, STARTTLS is offered too. Each recipient
must be a user (550 5.1.1 otherwise), and an accepted mail is delivered
with Dovecot's LDA. Every AUTH is printed as `AUTH ok <user>` or
`AUTH refused <user>`, every delivery as `DELIVERED <rcpt>`.

Failures on demand (the part "Failure injection" below): a test writes
FAULTS (smtp-faults.json next to DIR), read at every RCPT and DATA."""
import argparse
import asyncio
import json
import os
import signal
import ssl
import subprocess
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

LDA = "/usr/lib/dovecot/dovecot-lda"


def users(passwd):
    """{user: password} of the passwd-files in the directory passwd."""
    out = {}
    for name in os.listdir(passwd):
        with open(os.path.join(passwd, name)) as f:
            for line in f:
                user, _, rest = line.rstrip("\n").partition(":")
                pw = rest.split(":", 1)[0]
                if pw.startswith("{PLAIN}"):
                    out[user] = pw[len("{PLAIN}"):]
    return out


class Auth:
    def __init__(self, passwd):
        self.passwd = passwd

    def __call__(self, server, session, envelope, mechanism, data):
        login = data.login.decode("utf-8", "replace")
        ok = users(self.passwd).get(login) == data.password.decode("utf-8", "replace")
        print("AUTH %s %s" % ("ok" if ok else "refused", login), flush=True)
        # handled=False: aiosmtpd answers 535 itself (with True it never answers)
        return AuthResult(success=True) if ok else AuthResult(success=False, handled=False)


class Handler:
    def __init__(self, passwd, conf):
        self.passwd = passwd
        self.conf = conf

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address not in users(self.passwd):
            return "550 5.1.1 <%s>: no such user here" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            r = subprocess.run([LDA, "-c", self.conf, "-d", rcpt, "-f", envelope.mail_from],
                               input=envelope.original_content, capture_output=True, timeout=30)
            if r.returncode != 0:
                print("LDA failed for %s: %s" % (rcpt, r.stderr.decode("utf-8", "replace")),
                      flush=True)
                return "451 4.3.0 delivery to <%s> failed" % rcpt
            print("DELIVERED %s" % rcpt, flush=True)
        return "250 2.0.0 OK"


# -- Failure injection ---------------------------------------------------------
# smtp-faults.json, in the directory above the passwd-files:
#   {"rcpt": {"<addr>": ["451 4.7.1 later", ...]},   answers to the first
#                                                    RCPTs of addr, one each
#    "data": {"<addr>": "stall" | "<code> <text>"}}  at the end of the data
# Every MAIL is printed as `MAIL <from>` (and `MAIL over TLS <from>` on a
# TLS session), every RCPT as `RCPT <addr>`, every end of data as `DATA <addr>`,
# a stall as `STALLED <addr>` (the answer never comes).
FAULTS = "smtp-faults.json"


def faults_of(passwd):
    try:
        with open(os.path.join(os.path.dirname(passwd), FAULTS)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


class Faulty(Handler):
    def __init__(self, passwd, conf):
        super().__init__(passwd, conf)
        self.rcpts = {}

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        print("MAIL %s" % address, flush=True)
        if session.ssl:
            print("MAIL over TLS %s" % address, flush=True)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        print("RCPT %s" % address, flush=True)
        n = self.rcpts.get(address, 0)
        self.rcpts[address] = n + 1
        answers = faults_of(self.passwd).get("rcpt", {}).get(address, [])
        if n < len(answers):
            return answers[n]
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        data = faults_of(self.passwd).get("data", {})
        for rcpt in envelope.rcpt_tos:
            print("DATA %s" % rcpt, flush=True)
        for rcpt in envelope.rcpt_tos:
            if data.get(rcpt) == "stall":
                print("STALLED %s" % rcpt, flush=True)
                await asyncio.sleep(3600)
            elif rcpt in data:
                return data[rcpt]
        return await super().handle_DATA(server, session, envelope)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--passwd", required=True)
    ap.add_argument("--dovecot-conf", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    a = ap.parse_args()
    tls = None
    if a.cert and a.key:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(a.cert, a.key)
    ctl = Controller(Faulty(a.passwd, a.dovecot_conf), hostname="127.0.0.1", port=a.port,
                     authenticator=Auth(a.passwd), auth_required=True, auth_require_tls=False,
                     tls_context=tls, require_starttls=False)
    ctl.start()
    print("READY %d" % a.port, flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    while not done.wait(0.5):
        pass
    ctl.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
