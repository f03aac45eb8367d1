"""Sends the twilio provider does not simply take: a 429 holds the text
until Retry-After and it then goes out exactly once, with no error for the
user; a connection cut after the provider took the text is never sent
again, and the user is told it may not have been sent."""
import asyncio

from harness.client import error_condition
from harness.util import wait_until
from harness.sms import number, sms_jid, sms_port  # noqa: F401
from harness.sms_twilio import (off_loop, twilio, twilio_gateway, twilio_options,  # noqa: F401
                                twilio_user, wait_messages)


def sends(twilio, acc):
    return [r for r in twilio.requests(auth_user=acc.sid)
            if r["method"] == "POST" and r["path"].endswith("/Messages.json")]


async def test_429_sends_later_once(server, twilio_gateway, twilio, clients, sms_port):
    c = await twilio_user(clients, twilio, sms_port)
    bob = number()
    await off_loop(twilio.force, 429, account=c.account.sid, retry_after=2)
    c.chat(sms_jid(bob), "after the wait")
    await off_loop(wait_until, lambda: sends(twilio, c.account), 10, "the send answered 429")
    c.chat(sms_jid(bob), "and this one too")  # the whole account waits
    got = await wait_messages(twilio, count=2, to=bob)
    # In the user's order: the held text goes first when the account may send again.
    assert [m["body"] for m in got] == ["after the wait", "and this one too"], got
    calls = await off_loop(sends, twilio, c.account)
    assert [r["status"] for r in calls] == [429, 201, 201], calls
    assert min(r["time"] for r in calls[1:]) - calls[0]["time"] >= 1.9, calls
    await c.expect_none(lambda st: st.xml.get("type") == "error", "an error after a 429", 1.5)
    assert len(await off_loop(twilio.messages, to=bob)) == 2


async def test_cut_connection_is_not_sent_again(server, twilio_gateway, twilio, clients,
                                                sms_port):
    c = await twilio_user(clients, twilio, sms_port)
    bob = number()
    await off_loop(twilio.set_outcome, bob, "none")  # no callbacks: only the cut speaks
    await off_loop(twilio.force, "drop", accept=True, account=c.account.sid)
    m = c.make_message(mto=sms_jid(bob), mbody="maybe sent", mtype="chat")
    m["id"] = "cut-1"
    m.send()
    err = await c.expect(lambda st: st.xml.get("type") == "error" and st["id"] == "cut-1",
                         "an error for the text whose answer was cut off")
    assert "may not have been sent" in err["error"]["text"], err
    assert error_condition(err) == "remote-server-timeout", err
    await asyncio.sleep(2.0)
    assert [x["body"] for x in await off_loop(twilio.messages, to=bob)] == ["maybe sent"]
    assert len(await off_loop(sends, twilio, c.account)) == 1
