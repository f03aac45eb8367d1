"""Exactly once across a crash: kill -9 of the gateway while the SMTP
server holds a mail mid-DATA (it has the data and has not answered). After
the restart the mail is never sent again on its own, and the user gets an
error saying it may not have been sent."""
import asyncio

import pytest

from harness.client import error_condition
from harness.email_gw import email_gateway_for, mail  # noqa: F401
from harness.sms import kill9, owned
from harness.util import wait_until
from test_email_send import contact, error_text, faults, no_faults, send, sender, smtp_lines  # noqa: F401
from test_email_send import wait_error


@pytest.fixture
def own_gw(server, mail):
    yield from owned(email_gateway_for(server))


async def test_kill9_mid_data_not_sent_twice(server, mail, own_gw, clients):
    gw = own_gw
    gw.start()
    await gw.wait_ready()
    c, addr = await sender(mail, gw, clients)
    bob, _ = mail.add_user("b")
    faults(mail, data={bob: "stall"})
    send(c, contact(bob), "held mid-DATA", "k-1")
    loop = asyncio.get_event_loop()
    await loop.run_in_executor(None, lambda: wait_until(
        lambda: smtp_lines(mail, "STALLED %s" % bob), 15, "the SMTP server holding the mail"))
    kill9(gw)
    faults(mail)
    gw.start()
    err = await wait_error(c, "k-1")
    assert "may not have been sent" in error_text(err), err
    assert error_condition(err) == "service-unavailable", err
    await asyncio.sleep(3.0)
    assert len(smtp_lines(mail, "DATA %s" % bob)) == 1
    assert len(smtp_lines(mail, "RCPT %s" % bob)) == 1
    assert mail.maildir_count(bob) == 0
