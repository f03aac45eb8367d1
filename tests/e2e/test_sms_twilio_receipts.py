"""Status callbacks of the twilio driver turned into XEP-0184 receipts: a
"delivered" sends <received/> to the exact resource that sent the text,
once, and nothing undoes it; "undelivered" is an error for the original
message id with the provider's reason in words; a recipient who opted out
is refused with forbidden before anything is sent."""
from harness.client import error_condition, q
from harness.sms import number, sms_jid, sms_port  # noqa: F401
from harness.sms_twilio import (off_loop, twilio, twilio_gateway, twilio_options,  # noqa: F401
                                twilio_user, wait_messages)
from test_sms_kannel_receipts import NS_RECEIPTS, is_receipt, with_receipt

def is_error(st):
    return st.xml.get("type") == "error"


async def test_receipt_at_the_sending_resource(server, twilio_gateway, twilio, clients,
                                               sms_port):
    c = await twilio_user(clients, twilio, sms_port)
    other = await clients.login(c.bare, c.password, resource="other")
    bob = number()
    with_receipt(c, sms_jid(bob), "receipt please", "tr-1")
    got = await c.expect(is_receipt, "a receipt for tr-1")
    assert got.xml.find(q(NS_RECEIPTS, "received")).get("id") == "tr-1", got
    assert str(got["from"]) == sms_jid(bob), got
    assert str(got["to"]) == "%s/%s" % (c.bare, c.boundjid.resource), got
    [m] = await off_loop(twilio.messages, to=bob)
    assert m["statuses"][-2:] == ["sent", "delivered"], m
    # Never back from delivered: a late failure changes nothing.
    await off_loop(twilio.push_status, m["sid"], "undelivered", error_code="30003")
    await c.expect_none(lambda st: is_receipt(st) or is_error(st),
                        "a second receipt or an error after delivery", 1.0)
    await other.expect_none(is_receipt, "a receipt at the other resource", 0.1)


async def test_no_receipt_without_request(server, twilio_gateway, twilio, clients, sms_port):
    c = await twilio_user(clients, twilio, sms_port)
    bob = number()
    c.chat(sms_jid(bob), "no receipt wanted")
    [m] = await wait_messages(twilio, to=bob)
    await off_loop(twilio.wait_callbacks, 2, message_sid=m["sid"])
    await c.expect_none(lambda st: is_receipt(st) or is_error(st), "a receipt nobody asked for",
                        1.0)


async def test_undelivered_is_an_error(server, twilio_gateway, twilio, clients, sms_port):
    c = await twilio_user(clients, twilio, sms_port)
    bob = number()
    await off_loop(twilio.set_outcome, bob, "undelivered", error_code="30003")
    with_receipt(c, sms_jid(bob), "this one fails", "tf-1")
    err = await c.expect(lambda st: is_error(st) and str(st["from"].bare) == sms_jid(bob),
                         "an error for tf-1")
    assert err["id"] == "tf-1", err
    assert str(err["to"]) == "%s/%s" % (c.bare, c.boundjid.resource), err
    assert error_condition(err) == "service-unavailable", err
    text = err["error"]["text"]
    assert "not delivered" in text and "switched off or unreachable" in text, text
    [m] = await off_loop(twilio.messages, to=bob)
    await off_loop(twilio.push_status, m["sid"], "delivered")
    await c.expect_none(is_receipt, "a receipt after a failure", 1.0)


async def test_opted_out_recipient_is_forbidden(server, twilio_gateway, twilio, clients,
                                                sms_port):
    c = await twilio_user(clients, twilio, sms_port)
    bob = number()
    await off_loop(twilio.set_opt_out, bob)
    m = c.make_message(mto=sms_jid(bob), mbody="are you there?", mtype="chat")
    m["id"] = "to-1"
    m.send()
    err = await c.expect(lambda st: is_error(st) and st["id"] == "to-1", "an error for to-1")
    assert error_condition(err) == "forbidden", err
    assert "opted out" in err["error"]["text"], err
    assert await off_loop(twilio.messages, to=bob) == []
