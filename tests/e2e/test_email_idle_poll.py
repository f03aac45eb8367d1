"""How the watch waits for new mail: IDLE is ended and started again after
`idle_reissue_s` (RFC 2177's 29 minutes by default; 1 s here) and mail
still arrives pushed; on a server that lists no IDLE in its capabilities
the watch polls every `poll_interval_s` instead, and mail arrives too."""
import asyncio

import pytest

from harness.email_gw import email_section, mail, mailbox_values, register_payload  # noqa: F401
from harness.mail import MailStack
from harness.servers import EMAIL_COMPONENT
from harness.util import wait_until
from test_email_delivery import contact, submit

NO_IDLE = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ UIDPLUS NAMESPACE"


@pytest.fixture(scope="module")
def no_idle_mail():
    m = MailStack(imap_capability=NO_IDLE).start()
    yield m
    m.cleanup()


def log_count(gw, text):
    return open(gw.log_path, errors="replace").read().count(text)


async def wait_log(gw, text, n=1, timeout=15):
    await asyncio.get_event_loop().run_in_executor(None, lambda: wait_until(
        lambda: log_count(gw, text) >= n, timeout, "%d x %r in the gateway log" % (n, text)))


async def online_user(mail, gw, clients):
    c = await clients.new()
    addr, pw = mail.add_user("w")
    await c.iq_ok(EMAIL_COMPONENT, "set", register_payload(mailbox_values(mail, addr, pw)),
                  what="registration", timeout=20)
    await wait_log(gw, "%s: watching INBOX" % c.bare)
    return c, addr


async def mail_arrives(mail, c, addr):
    bob, bob_pw = mail.add_user("b")
    await asyncio.get_event_loop().run_in_executor(
        None, submit, mail, bob, bob_pw, addr,
        "From: %s\r\nTo: %s\r\nSubject: hi\r\n\r\nnew mail\r\n" % (bob, addr))
    m = await c.expect_message(contact(bob), what="the mail", timeout=15)
    assert m["body"].strip() == "new mail", m


async def test_idle_reissued(server, mail, clients, gateways):  # noqa: F811
    gw = await gateways.new(name="email",
                            sections={"email": email_section(server, idle_reissue_s=1)})
    c, addr = await online_user(mail, gw, clients)
    await wait_log(gw, "%s: IDLE re-issued" % c.bare, n=2)
    assert not log_count(gw, "%s: the IMAP server has no IDLE" % c.bare)
    await mail_arrives(mail, c, addr)


async def test_polling_without_idle(server, no_idle_mail, clients, gateways):
    gw = await gateways.new(name="email",
                            sections={"email": email_section(server, poll_interval_s=1)})
    c, addr = await online_user(no_idle_mail, gw, clients)
    assert log_count(gw, "%s: the IMAP server has no IDLE: polling every 1 s" % c.bare) == 1
    await mail_arrives(no_idle_mail, c, addr)
