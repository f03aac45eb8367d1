"""The SMS backend against a real Kannel: texts both ways (GSM-7, UCS-2,
concatenated, the over-long one refused), an XEP-0066 link appended, and
a short code that cannot be answered."""
import xml.etree.ElementTree as ET

from harness.client import error_condition
from harness.kannel import join_parts
from harness.sms import (kannel, number, sms_gateway, sms_jid, sms_options, sms_port,  # noqa: F401
                         sms_user, inject, wait_sink)
from harness.servers import SMS_COMPONENT


async def test_text_out_and_in(server, sms_gateway, kannel, clients):
    c = await sms_user(clients, kannel)
    bob = number()
    c.chat(sms_jid(bob), "hello bob, 100% & <more>")
    [m] = await wait_sink(kannel, receiver=bob)
    assert (m.sender, m.kind, m.text) == (c.number, "text", "hello bob, 100% & <more>")

    await inject(kannel, bob, c.number, "hi back from the phone")
    await c.expect_message(sms_jid(bob), "hi back from the phone", mtype="chat")


async def test_ucs2_both_ways(server, sms_gateway, kannel, clients):
    c = await sms_user(clients, kannel)
    bob = number()
    text = "Привет 😀 мир, 你好"
    c.chat(sms_jid(bob), text)
    [m] = await wait_sink(kannel, receiver=bob)
    assert (m.kind, m.text) == ("ucs-2", text)
    await inject(kannel, bob, c.number, "Ответ 👍", kind="ucs2")
    await c.expect_message(sms_jid(bob), "Ответ 👍")


async def test_concatenated_and_over_the_cap(server, sms_gateway, kannel, clients):
    c = await sms_user(clients, kannel)
    bob = number()
    text = "".join("%d" % (i % 10) for i in range(400))  # 3 parts: the cap in this module
    c.chat(sms_jid(bob), text)
    parts = await wait_sink(kannel, count=3, receiver=bob)
    assert join_parts(parts) == text
    # 4 parts: refused before anything is sent.
    c.chat(sms_jid(bob), "x" * 500)
    err = await c.expect(lambda st: st.xml.get("type") == "error"
                         and str(st["from"].bare) == sms_jid(bob), "not-acceptable for 4 parts")
    assert error_condition(err) == "not-acceptable", err
    assert "SMS parts" in err["error"]["text"], err
    # A long text from a phone arrives whole.
    await inject(kannel, bob, c.number, "world of parts", kind="udh-text", udh=(7, 2, 2))
    await inject(kannel, bob, c.number, "hello ", kind="udh-text", udh=(7, 2, 1))
    await c.expect_message(sms_jid(bob), "hello world of parts")


async def test_oob_link_appended(server, sms_gateway, kannel, clients):
    c = await sms_user(clients, kannel)
    bob = number()
    m = c.make_message(mto=sms_jid(bob), mbody="a picture", mtype="chat")
    m.append(ET.fromstring("<x xmlns='jabber:x:oob'><url>https://example.org/p.jpg</url></x>"))
    m.send()
    # The fake SMSC prints a GSM text line by line; the link is the second line.
    await wait_sink(kannel, receiver=bob)
    out = kannel.sink.log_text()
    assert "a picture" in out and "https://example.org/p.jpg" in out, out[-500:]


async def test_short_code_cannot_be_texted(server, sms_gateway, kannel, clients):
    c = await sms_user(clients, kannel)
    await inject(kannel, "12345", c.number, "your bank code")
    short = sms_jid("12345;phone-context=%s" % SMS_COMPONENT)
    await c.expect_message(short, "your bank code")
    c.chat(short, "STOP")
    err = await c.expect(lambda st: st.xml.get("type") == "error"
                         and str(st["from"].bare) == short, "an error for a text to a short code")
    assert error_condition(err) == "not-allowed", err
