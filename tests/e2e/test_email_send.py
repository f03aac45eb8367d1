"""Mail from the user: a chat message to a contact JID is stored, then
sent by SMTP submission with the user's own login, and checked at the
receiving side (the mail as Dovecot's LDA delivered it):
- the headers (From and the envelope from the registration, To from the
  contact, Subject, text/plain; charset=utf-8, our Message-ID,
  X-Originating-JID, Date), no receipt for an SMTP 250, a copy in Sent;
- Date from the message's XEP-0203 <delay>;
- header injection from the XMPP side adds no header;
- refusals come back as errors: 550 on RCPT -> recipient-unavailable,
  535 -> not-authorized, with the server's text;
- a 4xx is tried again and the mail delivered once.
(kill -9 during a send: test_email_send_crash.py.) The SMTP server's failures are injected through harness/smtpd.py's
smtp-faults.json."""
import asyncio
import email
import email.policy
import imaplib
import json
import os
import xml.etree.ElementTree as ET

import pytest

from harness.client import NS_CLIENT, error_condition, q
from harness.email_gw import (email_gateway, email_options, mail,  # noqa: F401
                              mailbox_values, register_payload)
from harness.servers import EMAIL_COMPONENT
from harness.util import wait_until

NS_RECEIPTS = "urn:xmpp:receipts"


def contact(addr):
    return "%s@%s" % (addr.replace("@", "\\40"), EMAIL_COMPONENT)


def faults(mail, **f):
    with open(os.path.join(mail.dir, "smtp-faults.json"), "w") as fh:
        json.dump(f, fh)


@pytest.fixture(autouse=True)
def no_faults(mail):
    faults(mail)
    yield
    faults(mail)


async def sender(mail, gw, clients):
    """A user with a registered mailbox, online."""
    c = await clients.new()
    addr, pw = mail.add_user("s")
    await c.iq_ok(EMAIL_COMPONENT, "set", register_payload(mailbox_values(mail, addr, pw)),
                  what="registration", timeout=20)
    await c.expect_presence(EMAIL_COMPONENT, "subscribe")
    c.presence()
    await c.expect_presence(EMAIL_COMPONENT, None, what="the gateway online (login)")
    return c, addr


def send(c, to, body, mid, subject=None, receipt=False, delay=None):
    m = c.make_message(mto=to, mbody=body, mtype="chat", msubject=subject)
    m["id"] = mid
    if receipt:
        m.append(ET.fromstring("<request xmlns='%s'/>" % NS_RECEIPTS))
    if delay:
        m.append(ET.fromstring("<delay xmlns='urn:xmpp:delay' stamp='%s'/>" % delay))
    m.send()


def delivered(mail, addr, count=1, timeout=15):
    """The mails in addr's maildir once there are count of them, parsed."""
    base = os.path.join(mail.users[addr][1], "Maildir")
    wait_until(lambda: mail.maildir_count(addr) >= count, timeout, "%d mail(s) for %s" % (count, addr))
    out = []
    for d in ("new", "cur"):
        p = os.path.join(base, d)
        for name in sorted(os.listdir(p)) if os.path.isdir(p) else []:
            with open(os.path.join(p, name), "rb") as f:
                out.append(f.read())
    return out


def header_names(raw):
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    names = []
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            continue
        names.append(line.split(b":", 1)[0].decode().lower())
    return names


def smtp_lines(mail, what):
    return [ln for ln in mail.smtpd.log_text().splitlines() if ln.strip() == what]


async def wait_error(c, mid, timeout=20):
    return await c.expect(lambda st: st.xml.tag == q(NS_CLIENT, "message")
                          and st.xml.get("type") == "error" and st["id"] == mid,
                          "the error for %s" % mid, timeout=timeout)


def error_text(st):
    for el in st.xml.iter():
        if el.tag.endswith("}text"):
            return el.text or ""
    return ""


def sent_folder(mail, addr):
    m = imaplib.IMAP4("127.0.0.1", mail.imap_port, timeout=10)
    m.login(addr, mail.users[addr][0])
    typ, _ = m.select("Sent", readonly=True)
    msgs = []
    if typ == "OK":
        typ, data = m.search(None, "ALL")
        for n in data[0].split():
            typ, d = m.fetch(n, "(RFC822)")
            msgs.append(d[0][1])
    m.logout()
    return msgs


async def test_mail_goes_out(server, mail, email_gateway, clients):
    c, addr = await sender(mail, email_gateway, clients)
    bob, _ = mail.add_user("b")
    loop = asyncio.get_event_loop()
    send(c, contact(bob), "H\u00e4llo Bob,\nsecond line", "m-1", subject="Greetings",
         receipt=True)
    raw = (await loop.run_in_executor(None, delivered, mail, bob))[0]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["From"] == addr, raw
    assert msg["To"] == bob, raw
    assert msg["Subject"] == "Greetings", raw
    assert msg["X-Originating-JID"] == c.bare, raw
    assert msg["Date"] is not None and msg["Date"].datetime is not None, raw
    mid = msg["Message-ID"]
    assert mid.startswith("<xgw.") and mid.endswith("@%s>" % EMAIL_COMPONENT), raw
    assert msg.get_content_type() == "text/plain" and msg.get_content_charset() == "utf-8", raw
    assert msg.get_content().replace("\r\n", "\n").rstrip("\n") == "H\u00e4llo Bob,\nsecond line"
    # the envelope: the registration's address is the sender
    assert smtp_lines(mail, "MAIL %s" % addr), mail.smtpd.log_text()
    # an SMTP 250 is not a delivery: no receipt, and no error
    await c.expect_none(lambda st: st.xml.find(q(NS_RECEIPTS, "received")) is not None
                        or st.xml.get("type") == "error", "a receipt or an error", 2.0)
    # a copy in Sent, the same mail
    copies = await loop.run_in_executor(None, lambda: wait_until(
        lambda: sent_folder(mail, addr), 10, "the copy in Sent"))
    copies = sent_folder(mail, addr)
    assert len(copies) == 1, copies
    assert email.message_from_bytes(copies[0], policy=email.policy.default)["Message-ID"] == mid


async def test_date_from_delay(server, mail, email_gateway, clients):
    c, addr = await sender(mail, email_gateway, clients)
    bob, _ = mail.add_user("b")
    loop = asyncio.get_event_loop()
    send(c, contact(bob), "written earlier", "d-1", delay="2024-03-04T05:06:07Z")
    raw = (await loop.run_in_executor(None, delivered, mail, bob))[0]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Date"].datetime.isoformat() == "2024-03-04T05:06:07+00:00", raw


async def test_header_injection_adds_no_header(server, mail, email_gateway, clients):
    c, addr = await sender(mail, email_gateway, clients)
    bob, _ = mail.add_user("b")
    evil, _ = mail.add_user("e")
    loop = asyncio.get_event_loop()
    subject = "hi\r\nBcc: %s\r\nX-Evil: 1" % evil
    send(c, contact(bob), "body", "inj-1", subject=subject)
    raw = (await loop.run_in_executor(None, delivered, mail, bob))[0]
    names = header_names(raw)
    assert "bcc" not in names and "x-evil" not in names, raw
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert "Bcc: %s" % evil in msg["Subject"], raw
    assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"], raw
    assert msg.get_content().strip() == "body", raw
    await asyncio.sleep(1.0)
    assert mail.maildir_count(evil) == 0
    assert not smtp_lines(mail, "RCPT %s" % evil)


async def test_unknown_recipient_is_recipient_unavailable(server, mail, email_gateway, clients):
    c, addr = await sender(mail, email_gateway, clients)
    nobody = "nobody-%s@example.test" % os.urandom(4).hex()
    send(c, contact(nobody), "to no one", "r-550")
    err = await wait_error(c, "r-550")
    assert error_condition(err) == "recipient-unavailable", err
    assert "550" in error_text(err) and "no such user" in error_text(err), err


async def test_refused_login_is_not_authorized(server, mail, email_gateway, clients):
    c, addr = await sender(mail, email_gateway, clients)
    bob, _ = mail.add_user("b")
    # the password changes at the server after the registration
    home = mail.users[addr][1]
    with open(os.path.join(mail.passwd, addr), "w") as f:
        f.write("%s:{PLAIN}changed:%d:%d::%s::\n" % (addr, os.geteuid() or 65534,
                                                     os.geteuid() or 65534, home))
    send(c, contact(bob), "with an old password", "r-535")
    err = await wait_error(c, "r-535")
    assert error_condition(err) == "not-authorized", err
    assert "535" in error_text(err), err
    assert mail.maildir_count(bob) == 0


async def test_temporary_failure_retried_and_delivered_once(server, mail, email_gateway,
                                                            clients):
    c, addr = await sender(mail, email_gateway, clients)
    bob, _ = mail.add_user("b")
    faults(mail, rcpt={bob: ["451 4.7.1 greylisted, try again"]})
    loop = asyncio.get_event_loop()
    send(c, contact(bob), "after a 451", "t-451")
    raw = (await loop.run_in_executor(None, delivered, mail, bob))[0]
    assert b"after a 451" in raw
    assert "greylisted" in email_gateway.log_text()
    await asyncio.sleep(2.0)
    assert mail.maildir_count(bob) == 1
    assert len(smtp_lines(mail, "RCPT %s" % bob)) == 2
    assert len(smtp_lines(mail, "DATA %s" % bob)) == 1
    await c.expect_none(lambda st: st.xml.get("type") == "error", "an error", 0.5)
