"""A folder whose UIDVALIDITY changes (the server renumbered it: here
`doveadm mailbox update --uid-validity` on the stack's Dovecot) is read
again, and only mail not delivered before is delivered: the mails already
delivered are known by their Message-ID (or, without one, by a hash of
Date, From and Subject), so after the change only the new mail arrives,
once."""
import asyncio
import subprocess

from harness.email_gw import email_section, mail  # noqa: F401
from harness.util import wait_until
from test_email_delivery import contact, submit, watched_user

DOVEADM = "/usr/bin/doveadm"


async def email_gw(server, gateways):
    return await gateways.new(name="email", sections={"email": email_section(
        server, reconnect_min_s=1, reconnect_max_s=2)})


def uid_validity(mail, addr, value):
    subprocess.run([DOVEADM, "-c", mail.dovecot.conf, "mailbox", "update", "--uid-validity",
                    str(value), "-u", addr, "INBOX"], check=True, capture_output=True,
                   timeout=20)


async def mail_from(mail, addr, sender, subject, mid=None):
    pw = mail.users[sender][0]
    raw = "From: %s\r\nTo: %s\r\nSubject: %s\r\n%s\r\n%s body\r\n" % (
        sender, addr, subject, "Message-ID: <%s>\r\n" % mid if mid else "", subject)
    await asyncio.get_event_loop().run_in_executor(None, submit, mail, sender, pw, addr, raw)


async def test_changed_uidvalidity_delivers_only_new_mail(server, mail, gateways, clients):
    gw = await email_gw(server, gateways)
    c, addr = await watched_user(mail, gw, clients)
    bob, _ = mail.add_user("b")
    await mail_from(mail, addr, bob, "one", mid="one-%s@example.test" % bob.split("@")[0])
    await mail_from(mail, addr, bob, "two")  # no Message-ID: Date, From and Subject
    for subject in ("one", "two"):
        m = await c.expect_message(contact(bob), what="mail %s" % subject, timeout=15)
        assert m["subject"] == subject, m
    await asyncio.get_event_loop().run_in_executor(None, uid_validity, mail, addr, 777)
    await asyncio.get_event_loop().run_in_executor(None, lambda: wait_until(
        lambda: "UIDVALIDITY of INBOX changed" in open(gw.log_path, errors="replace").read(),
        30, "the gateway seeing the new UIDVALIDITY"))
    await mail_from(mail, addr, bob, "three")
    m = await c.expect_message(contact(bob), what="the new mail", timeout=20)
    assert m["subject"] == "three", m
    # the folder is read again before the new mail: a mail delivered twice came first
    again = [st for st in c.inbox if st.xml.tag.endswith("message")]
    assert not again, "delivered again: %s" % again
