"""Registering with the twilio driver: the account SID, auth token and
number are verified with the provider before they are stored (a bad token
is not-authorized, a number the account does not own is refused, a SID
that cannot be one is not-acceptable, a provider that drops the call is a
timeout), and one number belongs to one JID."""
import urllib.parse

from harness.client import NS_REGISTER, form_fields, form_of, payload, q
from harness.servers import SMS_COMPONENT
from harness.sms import error_text, number, sms_port  # noqa: F401
from harness.sms_twilio import (new_account, off_loop, register_payload,  # noqa: F401
                                twilio, twilio_gateway, twilio_options, twilio_user)


async def refused(c, payload_, condition, what):
    r = await c.iq(SMS_COMPONENT, "set", payload_)
    assert r["type"] == "error", "%s was accepted: %s" % (what, r)
    assert r["error"]["condition"] == condition, (what, r)
    return error_text(r)


async def test_verified_registration(server, twilio_gateway, twilio, clients, sms_port):
    c = await clients.new()
    r = await c.iq_ok(SMS_COMPONENT, "get", "<query xmlns='%s'/>" % NS_REGISTER)
    fields = form_fields(form_of(payload(r, NS_REGISTER, "query")))
    assert {"account", "token", "number"} <= set(fields), fields
    assert fields["token"]["type"] == "text-private", fields
    acc = new_account(twilio, sms_port)
    num = acc.numbers[0]
    typed = "(%s) %s-%s" % (num[2:5], num[5:8], num[8:])  # national, default_country 1
    await c.iq_ok(SMS_COMPONENT, "set", register_payload(acc.sid, acc.token, typed))
    await c.expect_presence(SMS_COMPONENT, "subscribe")
    r = await c.iq_ok(SMS_COMPONENT, "get", "<query xmlns='%s'/>" % NS_REGISTER)
    query = payload(r, NS_REGISTER, "query")
    assert query.find(q(NS_REGISTER, "registered")) is not None
    fields = form_fields(form_of(query))
    assert fields["number"]["values"] == [num], fields
    assert fields["token"]["values"] in ([], [""]), "the token was echoed: %s" % fields
    calls = await off_loop(twilio.requests, auth_user=acc.sid)
    assert [(x["method"], x["status"]) for x in calls] == [("GET", 200), ("GET", 200)], calls
    assert urllib.parse.parse_qs(calls[1]["query"])["PhoneNumber"] == [num], calls


async def test_bad_token_is_not_authorized(server, twilio_gateway, twilio, clients, sms_port):
    c = await clients.new()
    acc = new_account(twilio, sms_port)
    text = await refused(c, register_payload(acc.sid, "0" * 32, acc.numbers[0]),
                         "not-authorized", "a wrong token")
    assert "refused the account SID or auth token" in text, text


async def test_number_not_owned_is_refused(server, twilio_gateway, twilio, clients, sms_port):
    c = await clients.new()
    acc = new_account(twilio, sms_port)
    other = number()
    text = await refused(c, register_payload(acc.sid, acc.token, other), "forbidden",
                         "a number the account does not own")
    assert "%s is not one of this account's numbers" % other in text, text


async def test_malformed_sid(server, twilio_gateway, twilio, clients, sms_port):
    c = await clients.new()
    mark = len(await off_loop(twilio.requests))
    text = await refused(c, register_payload("AC-not-a-sid", "x", number()), "not-acceptable",
                         "a malformed SID")
    assert "AC" in text, text
    assert len(await off_loop(twilio.requests)) == mark, "a malformed SID reached the provider"


async def test_provider_drops_the_call(server, twilio_gateway, twilio, clients, sms_port):
    c = await clients.new()
    acc = new_account(twilio, sms_port)
    await off_loop(twilio.force, "drop", endpoint="account", account=acc.sid)
    text = await refused(c, register_payload(acc.sid, acc.token, acc.numbers[0]),
                         "remote-server-timeout", "a registration the provider dropped")
    assert "did not answer" in text, text


async def test_one_number_one_jid(server, twilio_gateway, twilio, clients, sms_port):
    first = await twilio_user(clients, twilio, sms_port, online=False)
    second = await clients.new()
    acc = first.account
    text = await refused(second, register_payload(acc.sid, acc.token, first.number), "conflict",
                         "a second JID's claim of the number")
    assert "belongs to another user" in text, text
    # The owner may register again (a new token, the same number).
    await first.iq_ok(SMS_COMPONENT, "set", register_payload(acc.sid, acc.token, first.number),
                      what="the owner registering again")
