"""Every registered mailbox is watched, whether its user is online or not:
from the registration on, and again from the gateway's start. Mail that
comes while the user is offline is delivered to the bare JID at once (the
XMPP server keeps it, with its <delay>), and each mail exactly once across
a restart of the gateway."""
import asyncio

from harness.email_gw import (email_section, mail, mailbox_values,  # noqa: F401
                              register_payload)
from harness.servers import EMAIL_COMPONENT
from harness.util import wait_until
from test_email_delivery import contact, delivered, submit


def log_has(gw, text):
    return text in open(gw.log_path, errors="replace").read()


async def wait_log(gw, what, cond, timeout=15):
    await asyncio.get_event_loop().run_in_executor(None, lambda: wait_until(cond, timeout, what))


async def email_gw(server, gateways, **options):
    """A gateway of this test's own, with [email] (it may be restarted)."""
    return await gateways.new(name="email", sections={"email": email_section(server, **options)})


async def offline_user(mail, gw, clients):
    """A user who registers a mailbox and never sends presence: the
    gateway sees no session of theirs. Returns (jid, password, address)."""
    c = await clients.new(presence=False)
    addr, pw = mail.add_user("w")
    await c.iq_ok(EMAIL_COMPONENT, "set", register_payload(mailbox_values(mail, addr, pw)),
                  what="registration", timeout=20)
    jid, xmpp_pw = c.bare, c.password
    await c.close()
    return jid, xmpp_pw, addr


async def mail_to(mail, addr, subject, body):
    bob, bob_pw = mail.add_user("b")
    raw = "From: %s\r\nTo: %s\r\nSubject: %s\r\n\r\n%s\r\n" % (bob, addr, subject, body)
    await asyncio.get_event_loop().run_in_executor(None, submit, mail, bob, bob_pw, addr, raw)
    return bob


async def test_watched_from_registration_while_offline(server, mail, clients, gateways):
    gw = await email_gw(server, gateways)
    jid, pw, addr = await offline_user(mail, gw, clients)
    await wait_log(gw, "the watch of %s" % jid,
                   lambda: log_has(gw, "%s: watching INBOX" % jid))
    assert not log_has(gw, "%s logged in" % jid), "the user has a session"
    bob = await mail_to(mail, addr, "while away", "kept for you")
    await wait_log(gw, "the mail delivered with no session",
                   lambda: delivered(gw, jid) == 1)
    c = await clients.login(jid, pw)
    m = await c.expect_message(contact(bob), what="the mail from offline storage", timeout=15)
    assert m["body"].strip() == "kept for you" and m["subject"] == "while away", m
    assert m.xml.find("{urn:xmpp:delay}delay") is not None, m


async def test_watched_from_gateway_start_exactly_once(server, mail, clients, gateways):
    gw = await email_gw(server, gateways)
    jid, pw, addr = await offline_user(mail, gw, clients)
    await wait_log(gw, "the watch of %s" % jid,
                   lambda: log_has(gw, "%s: watching INBOX" % jid))
    bob = await mail_to(mail, addr, "before", "before the restart")
    await wait_log(gw, "the first mail delivered", lambda: delivered(gw, jid) == 1)
    await gw.restart()
    # the log is appended to: a second "watching" line is the new process's
    await wait_log(gw, "the watch of %s after the restart" % jid, lambda: open(
        gw.log_path, errors="replace").read().count("%s: watching INBOX" % jid) == 2)
    assert log_has(gw, "1 of ") and "registered mailboxes watched" in open(
        gw.log_path, errors="replace").read()
    bob2 = await mail_to(mail, addr, "after", "after the restart")
    await wait_log(gw, "the second mail delivered", lambda: delivered(gw, jid) == 2)
    c = await clients.login(jid, pw)
    m1 = await c.expect_message(contact(bob), what="the mail before the restart",
                                timeout=15)
    m2 = await c.expect_message(contact(bob2), what="the mail after the restart",
                                timeout=15)
    assert m1["subject"] == "before" and m2["subject"] == "after", (m1, m2)
    await asyncio.sleep(2.0)
    again = [st for st in c.inbox if st.xml.tag.endswith("message")]
    assert not again, "delivered again: %s" % again
    assert delivered(gw, jid) == 2
