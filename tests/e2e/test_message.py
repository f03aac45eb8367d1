"""Messages through the echo backend: round trip, XEP-0106 addresses,
hostile bytes from the legacy side, unregistered senders, and XEP-0184
receipts."""
import re
import xml.etree.ElementTree as ET

from harness.client import NS_CLIENT, NS_DISCO_INFO, error_condition, q
from harness.scenario import registered_user

NS_RECEIPTS = "urn:xmpp:receipts"
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


async def test_echo_round_trip(server, gateway, clients):
    c = await registered_user(clients, server)
    bob = "bob@" + server.component
    c.chat(bob, "hello from the test")
    await c.expect_message(bob, "hello from the test", mtype="chat")


async def test_escaped_address(server, gateway, clients):
    c = await registered_user(clients, server)
    dart = "d\\27artagnan@" + server.component
    c.chat(dart, "un pour tous")
    await c.expect_message(dart, "un pour tous", mtype="chat")


async def test_hostile_reply_is_sanitised(server, gateway, clients):
    c = await registered_user(clients, server)
    other = await registered_user(clients, server)
    bob = "bob@" + server.component
    c.chat(bob, "/hostile")
    m = await c.expect_message(bob, None, what="the reply to /hostile")
    body = m["body"]
    assert "café" in body, "reply to /hostile lacks 'café': %r" % body
    assert not CONTROL.search(body), "control characters in %r" % body
    # The link survived: both users still get echoes.
    c.chat(bob, "after hostile")
    await c.expect_message(bob, "after hostile")
    other.chat(bob, "unaffected")
    await other.expect_message(bob, "unaffected")


async def test_unregistered_sender(server, gateway, clients):
    c = await clients.new()
    bob = "bob@" + server.component
    c.chat(bob, "who am I?")
    m = await c.expect(lambda st: st.xml.get("type") == "error" and str(st["from"].bare) == bob
                       and st.xml.tag.endswith("}message"),
                       "a message error from %s" % bob)
    assert error_condition(m) == "registration-required", m


async def test_receipt_to_the_sending_resource(server, gateway, clients):
    """XEP-0184: a message asking for a receipt gets <received/> with its id,
    from the contact, at the exact resource that sent it; the contact's
    disco#info says it does receipts."""
    c = await registered_user(clients, server)
    other = await clients.login(c.bare, c.password, resource="other")
    bob = "bob@" + server.component
    m = c.make_message(mto=bob, mbody="receipt please", mtype="chat")
    m["id"] = "r-1"
    m.append(ET.fromstring("<request xmlns='%s'/>" % NS_RECEIPTS))
    m.send()
    await c.expect_message(bob, "receipt please")
    got = await c.expect(lambda st: st.xml.tag == q(NS_CLIENT, "message")
                         and st.xml.find(q(NS_RECEIPTS, "received")) is not None,
                         "a receipt for r-1")
    assert got.xml.find(q(NS_RECEIPTS, "received")).get("id") == "r-1", got
    assert str(got["from"]) == bob, got
    assert str(got["to"]).endswith("/" + c.boundjid.resource), got
    await other.expect_none(lambda st: st.xml.find(q(NS_RECEIPTS, "received")) is not None,
                            "a receipt at the resource that did not send the message", 1.0)
    # Without a request, no receipt.
    c.chat(bob, "no receipt")
    await c.expect_message(bob, "no receipt")
    await c.expect_none(lambda st: st.xml.find(q(NS_RECEIPTS, "received")) is not None,
                        "a receipt nobody asked for", 1.0)
    info = await c.iq_ok(bob, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
    features = {f.get("var") for f in info.xml.iter(q(NS_DISCO_INFO, "feature"))}
    assert NS_RECEIPTS in features, features
