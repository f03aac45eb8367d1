"""The SMS backend with the twilio driver against the provider simulator:
texts both ways with the user's own account, an XEP-0066 attachment sent
as MediaUrl, and media of an incoming text as links."""
import xml.etree.ElementTree as ET

from harness.sms import number, sms_jid, sms_port  # noqa: F401
from harness.sms_twilio import (off_loop, twilio, twilio_gateway, twilio_options,  # noqa: F401
                                twilio_user, wait_messages)


async def test_text_out_and_in(server, twilio_gateway, twilio, clients, sms_port):
    c = await twilio_user(clients, twilio, sms_port)
    bob = number()
    c.chat(sms_jid(bob), "hello bob, 100% & <more> 😀")
    [m] = await wait_messages(twilio, to=bob)
    assert (m["from"], m["body"], m["media_urls"]) == (c.number, "hello bob, 100% & <more> 😀",
                                                        []), m
    assert m["auth_user"] == c.account.sid, m
    assert m["status_callback"].startswith("http://127.0.0.1:%d/twilio/status?job=" % sms_port)

    rec = await off_loop(twilio.inbound, bob, c.number, "hi back from the phone")
    assert [a["status"] for a in rec["attempts"]] == [200], rec
    assert rec["attempts"][0]["answer"].endswith("<Response/>"), rec  # no auto-reply
    await c.expect_message(sms_jid(bob), "hi back from the phone", mtype="chat")


async def test_attachment_is_media_url(server, twilio_gateway, twilio, clients, sms_port):
    c = await twilio_user(clients, twilio, sms_port)
    bob = number()
    url = "https://example.org/p.jpg"
    m = c.make_message(mto=sms_jid(bob), mbody="a picture", mtype="chat")
    m.append(ET.fromstring("<x xmlns='jabber:x:oob'><url>%s</url></x>" % url))
    m.send()
    [got] = await wait_messages(twilio, to=bob)
    assert (got["body"], got["media_urls"]) == ("a picture", [url]), got
    # A body that is only the URL (as clients send attachments) is not texted too.
    m = c.make_message(mto=sms_jid(bob), mbody=url, mtype="chat")
    m.append(ET.fromstring("<x xmlns='jabber:x:oob'><url>%s</url></x>" % url))
    m.send()
    [_, got] = await wait_messages(twilio, count=2, to=bob)
    assert (got["body"], got["media_urls"]) == ("", [url]), got


async def test_incoming_media_as_links(server, twilio_gateway, twilio, clients, sms_port):
    c = await twilio_user(clients, twilio, sms_port)
    bob = number()
    media = ["https://media.example/one.jpg", "https://media.example/two.png"]
    rec = await off_loop(twilio.inbound, bob, c.number, "two pictures", media=media)
    assert [a["status"] for a in rec["attempts"]] == [200], rec
    await c.expect_message(sms_jid(bob), "two pictures\n%s\n%s" % tuple(media))
