"""Exactly once across a crash (kill -9 of the gateway, by its PID):
- while the SMTP server holds a mail mid-DATA (it has the data and has not
  answered): after the restart the mail is never sent again on its own,
  and the user gets an error saying it may not have been sent;
- while a mail waits for its retry after a 4xx: it is sent once after the
  restart."""
import asyncio

import pytest

from harness.client import error_condition
from harness.email_gw import email_gateway_for, mail  # noqa: F401
from harness.sms import in_log, kill9, owned
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


async def test_waiting_mail_sent_once_after_a_crash(server, mail, own_gw, clients):
    """A mail waiting for its retry (the server said 451) is stored as not
    handed over: after kill -9 and a restart it is sent, once."""
    gw = own_gw
    gw.start()
    await gw.wait_ready()
    c, addr = await sender(mail, gw, clients)
    bob, _ = mail.add_user("b")
    faults(mail, rcpt={bob: ["451 4.3.2 not now"] * 50})
    send(c, contact(bob), "kept for a retry", "w-1")
    await in_log(gw, "not now")
    kill9(gw)
    faults(mail)
    gw.start()
    loop = asyncio.get_event_loop()
    await loop.run_in_executor(None, lambda: wait_until(
        lambda: mail.maildir_count(bob) >= 1, 20, "the mail after the restart"))
    await asyncio.sleep(2.0)
    assert mail.maildir_count(bob) == 1
    assert len(smtp_lines(mail, "DATA %s" % bob)) == 1
    await c.expect_none(lambda st: st.xml.get("type") == "error" and st["id"] == "w-1",
                        "an error for the mail", 0.5)
