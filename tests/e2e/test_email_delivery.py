"""Mail to the user: the gateway watches a registered user's INBOX with
IMAP IDLE, online or not; a mail submitted to the SMTP server (and
delivered into Dovecot by its LDA) arrives as one message from the
sender's contact JID, with the subject and the plain-text body (charset
and RFC 2047 decoded). Mail already in the mailbox at registration is not
delivered."""
import asyncio
import imaplib
import smtplib
import time

from harness.client import jid_match
from harness.email_gw import (email_gateway, email_options, mail, mailbox_values,  # noqa: F401
                           register_payload)
from harness.servers import EMAIL_COMPONENT
from harness.util import wait_until


def contact(addr):
    return "%s@%s" % (addr.replace("@", "\\40"), EMAIL_COMPONENT)


def unseen(mail, addr):
    """The UIDs of addr's INBOX not marked \\Seen."""
    m = imaplib.IMAP4("127.0.0.1", mail.imap_port, timeout=10)
    m.login(addr, mail.users[addr][0])
    m.select("INBOX", readonly=True)
    typ, data = m.uid("SEARCH", None, "UNSEEN")
    m.logout()
    return data[0].split()


def submit(mail, sender, password, rcpt, raw):
    with smtplib.SMTP("127.0.0.1", mail.smtp_port, timeout=10) as s:
        s.login(sender, password)
        s.sendmail(sender, [rcpt], raw)


def delivered(gw, bare):
    """How many mails the gateway's log says it delivered to bare."""
    mark = ": %s: UID " % bare
    return sum(1 for ln in open(gw.log_path, errors="replace")
               if mark in ln and ln.rstrip().endswith(" delivered"))


async def watched_user(mail, email_gateway, clients):
    """A user with a registered mailbox, online, whose INBOX is watched."""
    c = await clients.new()
    addr, pw = mail.add_user("w")
    await c.iq_ok(EMAIL_COMPONENT, "set", register_payload(mailbox_values(mail, addr, pw)),
                  what="registration", timeout=20)
    await c.expect_presence(EMAIL_COMPONENT, "subscribe")
    await online_and_watched(c, email_gateway)
    return c, addr


async def online_and_watched(c, gw):
    """c comes online; returns once the gateway has selected its INBOX."""
    c.presence()
    await c.expect_presence(EMAIL_COMPONENT, None, what="the gateway online (login)")
    mark = "%s: watching INBOX" % c.bare
    await asyncio.get_event_loop().run_in_executor(None, lambda: wait_until(
        lambda: mark in open(gw.log_path, errors="replace").read(), 15,
        "the watch of %s's INBOX" % c.bare))
    await asyncio.sleep(0.3)  # SELECT answered; IDLE on its way


async def test_mail_arrives(server, mail, email_gateway, clients):
    bob, bob_pw = mail.add_user("b")
    loop = asyncio.get_event_loop()
    c, addr = await watched_user(mail, email_gateway, clients)
    raw = ("From: Bob Example <%s>\r\nTo: %s\r\n"
           "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_from_mail?=\r\n"
           "Content-Type: text/plain; charset=iso-8859-1\r\n"
           "Content-Transfer-Encoding: quoted-printable\r\n\r\nK=E4se is ready.\r\n"
           % (bob, addr))
    t0 = time.monotonic()
    await loop.run_in_executor(None, submit, mail, bob, bob_pw, addr, raw)
    m = await c.expect_message(contact(bob), what="the mail from %s" % bob, timeout=15)
    latency = time.monotonic() - t0
    print("mail to XMPP: %.0f ms from SMTP submission" % (latency * 1000))
    assert "K\u00e4se is ready." in m["body"], m
    assert m["subject"] == "Gr\u00fc\u00dfe from mail", m
    # once (expect_message took the first from the inbox)
    await asyncio.sleep(2.0)
    copies = [st for st in c.inbox if st.xml.tag.endswith("message")
              and jid_match(st["from"], contact(bob))]
    assert not copies, "delivered again: %s" % copies
    # mark_seen is off: the mail is still unread in the mailbox
    assert len(await loop.run_in_executor(None, unseen, mail, addr)) == 1


async def test_old_mail_not_delivered(server, mail, email_gateway, clients):
    bob, bob_pw = mail.add_user("b")
    c = await clients.new()
    addr, pw = mail.add_user("w")
    loop = asyncio.get_event_loop()
    await loop.run_in_executor(None, submit, mail, bob, bob_pw, addr,
                               "From: %s\r\nTo: %s\r\nSubject: old\r\n\r\nold mail\r\n"
                               % (bob, addr))
    await loop.run_in_executor(None, lambda: wait_until(lambda: mail.maildir_new(addr), 10,
                                                        "the old mail in the maildir"))
    await c.iq_ok(EMAIL_COMPONENT, "set", register_payload(mailbox_values(mail, addr, pw)),
                  what="registration", timeout=20)
    await c.expect_presence(EMAIL_COMPONENT, "subscribe")
    await online_and_watched(c, email_gateway)
    await c.expect_none(lambda st: st.xml.tag.endswith("message") and "old mail"
                        in (st["body"] or ""), "the mail that was there before", 3.0)
    await loop.run_in_executor(None, submit, mail, bob, bob_pw, addr,
                               "From: %s\r\nTo: %s\r\nSubject: new\r\n\r\nnew mail\r\n"
                               % (bob, addr))
    m = await c.expect_message(contact(bob), what="the new mail", timeout=15)
    assert m["body"].strip() == "new mail" and m["subject"] == "new", m


async def test_mail_while_offline_comes_once(server, mail, email_gateway, clients):
    """The watch goes on while the user is offline: the mail is delivered
    to the bare JID then, kept by the XMPP server (offline storage, with
    its <delay>), and comes once at the next login."""
    bob, bob_pw = mail.add_user("b")
    c, addr = await watched_user(mail, email_gateway, clients)
    loop = asyncio.get_event_loop()
    await loop.run_in_executor(None, submit, mail, bob, bob_pw, addr,
                               "From: %s\r\nTo: %s\r\nSubject: one\r\n\r\nfirst\r\n" % (bob, addr))
    await c.expect_message(contact(bob), what="the first mail", timeout=15)
    jid, pw = c.bare, c.password
    await c.close()
    mark = "%s logged out" % jid
    await loop.run_in_executor(None, lambda: wait_until(
        lambda: mark in open(email_gateway.log_path, errors="replace").read(), 15,
        "the logout of %s" % jid))
    await loop.run_in_executor(None, submit, mail, bob, bob_pw, addr,
                               "From: %s\r\nTo: %s\r\nSubject: two\r\n\r\nsecond\r\n"
                               % (bob, addr))
    await loop.run_in_executor(None, lambda: wait_until(
        lambda: delivered(email_gateway, jid) >= 2, 15,
        "the second mail delivered while %s is offline" % jid))
    c = await clients.login(jid, pw)
    m = await c.expect_message(contact(bob), what="the mail that came while offline",
                               timeout=15)
    assert m["body"].strip() == "second" and m["subject"] == "two", m
    assert m.xml.find("{urn:xmpp:delay}delay") is not None, \
        "not from the server's offline storage (no <delay>): %s" % m
    await asyncio.sleep(2.0)
    again = [st for st in c.inbox if st.xml.tag.endswith("message")
             and jid_match(st["from"], contact(bob))]
    assert not again, "delivered again: %s" % again
    assert delivered(email_gateway, jid) == 2
