"""Mail after mail to one account, each waited for: every one arrives
(a push that comes while a fetch round is running is not forgotten)."""
import asyncio
import pytest

from harness.email_gw import mail, email_gateway, mailbox_values, register_payload  # noqa: F401
from harness.servers import EMAIL_COMPONENT
from test_email_delivery import contact, online_and_watched, submit


@pytest.fixture(scope="module")
def email_options():
    return {"tls_verify": "false"}


@pytest.mark.parametrize("tls,mark_seen", [(True, 0), (False, 1)])
async def test_mails_one_at_a_time(server, mail, email_gateway, clients, tls, mark_seen):
    bob, bob_pw = mail.add_user("b")
    c = await clients.new()
    addr, pw = mail.add_user("w")
    over = {"mark_seen": mark_seen}
    if tls:
        over.update(imap_port=mail.imaps_port, imap_security="tls")
    await c.iq_ok(EMAIL_COMPONENT, "set",
                  register_payload(mailbox_values(mail, addr, pw, **over)),
                  what="registration", timeout=20)
    await c.expect_presence(EMAIL_COMPONENT, "subscribe")
    await online_and_watched(c, email_gateway)
    loop = asyncio.get_event_loop()
    for i in range(20):
        await loop.run_in_executor(None, submit, mail, bob, bob_pw, addr,
                                   "From: %s\r\nTo: %s\r\nSubject: n%d\r\n\r\nmail %d\r\n"
                                   % (bob, addr, i, i))
        m = await c.expect_message(contact(bob), what="mail %d" % i, timeout=10)
        assert m["body"].strip() == "mail %d" % i, m
