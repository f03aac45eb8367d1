"""Crash safety with the twilio driver (kill -9 of the gateway, by its
PID): an incoming text that got its 200 while the XMPP side could not take
it arrives exactly once after a restart; a text the provider was still
taking when the gateway died is never sent again, and the user is told it
may not have been sent."""
import asyncio

import pytest

from harness.client import error_condition
from harness.sms import in_log, kill9, number, owned, sms_jid, sms_port  # noqa: F401
from harness.sms_twilio import (off_loop, twilio, twilio_gateway_for, twilio_user,  # noqa: F401
                                wait_messages)


@pytest.fixture
def gw_of(dedicated_server, twilio, sms_port):
    """The test's gateway on the dedicated server (not started)."""
    yield from owned(twilio_gateway_for(dedicated_server, twilio, sms_port))


async def up(gw, clients, twilio, sms_port):
    gw.start()
    await gw.wait_ready()
    return await twilio_user(clients, twilio, sms_port), number()


async def test_incoming_survives_a_crash(dedicated_server, dedicated_clients, twilio, sms_port,
                                         gw_of):
    gw = gw_of
    c, bob = await up(gw, dedicated_clients, twilio, sms_port)
    num = c.number
    await dedicated_clients.close_all()
    dedicated_server.stop()
    rec = await off_loop(twilio.inbound, bob, num, "kept through a crash")
    assert [a["status"] for a in rec["attempts"]] == [200], rec
    await in_log(gw, "for %s stored" % c.bare)
    kill9(gw)
    dedicated_server.start()
    c = await dedicated_clients.login(c.bare, c.password)
    gw.start()
    await c.expect_message(sms_jid(bob), "kept through a crash", timeout=20)
    # A later text, once through, shows that the stored one came only once.
    await off_loop(twilio.inbound, bob, num, "after the restart")
    await c.expect_message(sms_jid(bob), "after the restart")
    await c.expect_none(lambda st: st["body"] == "kept through a crash", "a second copy", 0)


async def test_text_in_flight_is_not_sent_twice(dedicated_server, dedicated_clients, twilio,
                                                sms_port, gw_of):
    gw = gw_of
    c, bob = await up(gw, dedicated_clients, twilio, sms_port)
    await off_loop(twilio.set_outcome, bob, "none")
    # The provider takes its time with the send, and takes it in the end.
    await off_loop(twilio.force, None, delay=3, account=c.account.sid)
    m = c.make_message(mto=sms_jid(bob), mbody="maybe sent", mtype="chat")
    m["id"] = "inflight-1"
    m.send()
    await in_log(gw, "queued")
    await in_flight(twilio, c.account.sid)
    kill9(gw)
    gw.start()
    err = await c.expect(lambda st: st.xml.get("type") == "error" and st["id"] == "inflight-1",
                         "an error for the text in flight", timeout=20)
    assert "may not have been sent" in err["error"]["text"], err
    assert error_condition(err) == "service-unavailable", err
    # The provider ends the send it was taking; a later text, once at the
    # provider, shows the first one was not sent again before it.
    await wait_messages(twilio, to=bob, body="maybe sent")
    c.chat(sms_jid(bob), "after the restart")
    await wait_messages(twilio, count=2, to=bob)
    assert [x["body"] for x in await off_loop(twilio.messages, to=bob)] == [
        "maybe sent", "after the restart"]


async def in_flight(twilio, account, timeout=10.0):
    """Until the provider has taken the forced slow send of account (the
    request is in its hands, not answered yet)."""
    loop = asyncio.get_event_loop()
    deadline = loop.time() + timeout
    while any(f.get("account") == account for f in (await off_loop(twilio.state))["forced"]):
        assert loop.time() < deadline, "the send did not reach the provider"
        await asyncio.sleep(0.05)
