"""Unregistering stops the mailbox's watch at once, whether the user is
online or not: the IMAP connection is closed (Dovecot logs the IDLE
session's end), the gateway forgets the mailbox's state (its UIDVALIDITY
and last UID row), and a mail that comes afterwards is not fetched."""
import asyncio
import sqlite3

from harness.client import NS_REGISTER
from harness.email_gw import email_gateway, email_options, mail, mailbox_values  # noqa: F401
from harness.email_gw import register_payload
from harness.servers import EMAIL_COMPONENT
from harness.util import wait_until
from test_email_delivery import delivered, online_and_watched, submit


def mailbox_rows(gw, jid):
    db = sqlite3.connect(gw.store, timeout=10)
    try:
        return db.execute("SELECT value FROM backend_rows WHERE backend = 'email' AND "
                          "kind = 'mailbox' AND key = ?", (jid,)).fetchall()
    finally:
        db.close()


async def in_thread(fn, *args):
    return await asyncio.get_event_loop().run_in_executor(None, fn, *args)


async def unregister_stops_watch(mail, gw, clients, online):
    c = await clients.new(presence=online)
    addr, pw = mail.add_user("w")
    await c.iq_ok(EMAIL_COMPONENT, "set", register_payload(mailbox_values(mail, addr, pw)),
                  what="registration", timeout=20)
    if online:
        await online_and_watched(c, gw)
    mark = "%s: watching INBOX" % c.bare
    await in_thread(lambda: wait_until(lambda: mark in open(gw.log_path, errors="replace").read(),
                                       15, "the watch of %s" % c.bare))
    await in_thread(lambda: wait_until(lambda: mailbox_rows(gw, c.bare), 10,
                                       "the mailbox row of %s" % c.bare))
    assert not mail.idle_disconnects(addr), mail.idle_disconnects(addr)
    await c.iq_ok(EMAIL_COMPONENT, "set", "<query xmlns='%s'><remove/></query>" % NS_REGISTER,
                  what="<remove/>")
    await in_thread(lambda: wait_until(lambda: mail.idle_disconnects(addr), 10,
                                       "Dovecot: the IDLE connection of %s closed" % addr))
    assert "%s: watch of INBOX stopped" % c.bare in open(gw.log_path, errors="replace").read()
    assert mailbox_rows(gw, c.bare) == [], "the mailbox state is still stored"
    logins = len(mail.imap_logins(addr))
    bob, bob_pw = mail.add_user("b")
    await in_thread(submit, mail, bob, bob_pw, addr,
                    "From: %s\r\nTo: %s\r\nSubject: late\r\n\r\nafter unregistering\r\n"
                    % (bob, addr))
    await in_thread(lambda: wait_until(lambda: mail.maildir_count(addr) == 1, 10,
                                       "the late mail in the maildir"))
    await asyncio.sleep(3.0)
    assert len(mail.imap_logins(addr)) == logins, "the gateway logged in again"
    assert delivered(gw, c.bare) == 0
    await c.expect_none(lambda st: st.xml.tag.endswith("message") and "after unregistering"
                        in (st["body"] or ""), "the mail after unregistering", 0.5)


async def test_unregister_offline_stops_watch(server, mail, email_gateway, clients):
    await unregister_stops_watch(mail, email_gateway, clients, online=False)


async def test_unregister_online_stops_watch(server, mail, email_gateway, clients):
    await unregister_stops_watch(mail, email_gateway, clients, online=True)
