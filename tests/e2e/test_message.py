"""Messages through the echo backend: round trip, XEP-0106 addresses,
hostile bytes from the legacy side, and unregistered senders."""
import re

from harness.client import error_condition
from harness.scenario import registered_user

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
