"""Bad input at the SMS backend's webhooks and from users: a wrong or
missing token (403, no side effect), an oversized body (413), malformed
requests (400), an unknown receiving number (200: dropped on purpose, so
that Kannel does not retry it), duplicates (delivered once), texts from
unregistered users and to addresses that are not numbers, and the daily
quota. After each, the gateway still delivers."""
import urllib.parse

import pytest

from harness.client import error_condition
from harness.scenario import command, run_command
from harness.sms import (kannel, number, post, sms_gateway, sms_jid, sms_port,  # noqa: F401
                         sms_user, wait_sink)
from harness.servers import SMS_COMPONENT


@pytest.fixture(scope="module")
def sms_options():
    return {"daily_quota": 2}


def mo(port, token, sender, to, text, pid, **extra):
    q = dict(token=token, to=to, id=pid, **extra)
    if sender is not None:
        q["from"] = sender
    q = {k: v for k, v in q.items() if v is not None}
    return post(port, "/kannel/mo", urllib.parse.urlencode(q), text.encode("utf-8"),
                headers={"Content-Type": "text/plain; charset=UTF-8"})


def error_from(frm):
    return lambda st: st.xml.get("type") == "error" and str(st["from"].bare) == frm


async def test_token_checked(server, sms_gateway, kannel, clients, sms_port):
    c = await sms_user(clients, kannel)
    bob = number()
    assert mo(sms_port, "wrong", bob, c.number, "forged", "x1")[0] == 403
    assert mo(sms_port, None, bob, c.number, "forged", "x2")[0] == 403
    assert post(sms_port, "/kannel/dlr", "job=abc&status=1", method="GET")[0] == 403
    await c.expect_none(lambda st: st["body"] == "forged", "a forged text", 1.0)
    # The real token: delivered, and the same id again is dropped.
    assert mo(sms_port, kannel.token, bob, c.number, "genuine", "x1")[0] == 200
    assert mo(sms_port, kannel.token, bob, c.number, "genuine", "x1")[0] == 200
    await c.expect_message(sms_jid(bob), "genuine")
    await c.expect_none(lambda st: st["body"] == "genuine", "the duplicate", 1.0)


async def test_oversized_and_malformed(server, sms_gateway, kannel, clients, sms_port):
    c = await sms_user(clients, kannel)
    bob = number()
    status, _ = mo(sms_port, kannel.token, bob, c.number, "x" * 10000, "big1")
    assert status == 413
    cases = [
        dict(sender=bob, pid=None),                  # no id
        dict(sender=None, pid="m1"),                 # no sender
        dict(sender="", pid="m2"),                   # an empty sender
        dict(sender="A sender far too long", pid="m3"),  # no address
        dict(sender=bob, pid="m4", charset="no-such-charset"),
    ]
    for case in cases:
        extra = {"charset": case["charset"]} if "charset" in case else {}
        status, body = mo(sms_port, kannel.token, case["sender"], c.number,
                          case.get("text", "malformed"), case["pid"], **extra)
        assert status == 400, (case, status, body)
    for query in ("token=%s&status=1" % kannel.token, "token=%s&job=a&status=3" % kannel.token,
                  "token=%s&job=a&status=x" % kannel.token):
        assert post(sms_port, "/kannel/dlr", query, method="GET")[0] == 400, query
    assert post(sms_port, "/kannel/dlr", "token=%s&job=gone&status=1" % kannel.token,
                method="GET")[0] == 200
    assert post(sms_port, "/nowhere", "", method="GET")[0] == 404
    assert post(sms_port, "/kannel/mo", "", b"x", method="PUT")[0] == 405
    await c.expect_none(lambda st: st["body"] in ("malformed", "x" * 10000),
                        "a refused text", 0.5)
    # Nothing else was lost: a good text still arrives.
    assert mo(sms_port, kannel.token, bob, c.number, "still here", "m5")[0] == 200
    await c.expect_message(sms_jid(bob), "still here")


async def test_unknown_receiving_number(server, sms_gateway, kannel, clients, sms_port):
    c = await sms_user(clients, kannel)
    status, _ = mo(sms_port, kannel.token, number(), number(), "nobody's", "u1")
    assert status == 200
    await c.expect_none(lambda st: st["body"] == "nobody's", "a text for another number", 0.5)
    assert "no user has that number" in sms_gateway.log_text()


async def test_senders_that_are_not_users(server, sms_gateway, kannel, clients):
    stranger = await clients.new()
    bob = sms_jid(number())
    stranger.chat(bob, "who am I?")
    err = await stranger.expect(error_from(bob), "an error for an unregistered user")
    assert error_condition(err) == "registration-required", err
    c = await sms_user(clients, kannel)
    for to, cond in ((sms_jid("hello"), "item-not-found"), (sms_jid("+1234"), "item-not-found")):
        c.chat(to, "to nowhere")
        err = await c.expect(error_from(to), "an error for a text to %s" % to)
        assert error_condition(err) == cond, err
    c.chat(SMS_COMPONENT, "help?")
    await c.expect_message(SMS_COMPONENT, None, what="the gateway's help text")


async def test_daily_quota_and_counts(server, sms_gateway, kannel, clients):
    c = await sms_user(clients, kannel)
    bob = number()
    c.chat(sms_jid(bob), "one")
    c.chat(sms_jid(bob), "two")
    await wait_sink(kannel, count=2, receiver=bob)
    c.chat(sms_jid(bob), "three")
    err = await c.expect(error_from(sms_jid(bob)), "the quota error")
    assert error_condition(err) == "resource-constraint", err
    assert "texts for today" in err["error"]["text"], err
    # The admins' counts of today, per number; not for users.
    r, _ = await command(c, SMS_COMPONENT, "counts")
    assert r["type"] == "error" and error_condition(r) == "forbidden", r
    admin = await clients.login(*sms_gateway.admin)
    lines = (await run_command(admin, SMS_COMPONENT, "counts"))["report"]["values"]
    assert "%s %s: 2" % (c.number, c.bare) in lines, lines


async def test_hostile_text_arrives_sanitised(server, sms_gateway, kannel, clients, sms_port):
    """Bytes no XML stream may carry (invalid UTF-8, control characters, a
    stanza-injection attempt) in an incoming text arrive as safe text, and
    the component link survives for the next text."""
    c = await sms_user(clients, kannel)
    bob = number()
    body = b"caf\xe9 \x03\x01\x1b[31m \xff\xfe </body></message><message to='x'> end"
    status, _ = post(sms_port, "/kannel/mo",
                     urllib.parse.urlencode(dict(token=kannel.token, to=c.number, id="h1",
                                                 **{"from": bob})),
                     body, headers={"Content-Type": "text/plain; charset=UTF-8"})
    assert status == 200
    m = await c.expect_message(sms_jid(bob), None, what="the hostile text")
    text = m["body"]
    assert "caf" in text and text.endswith(" end"), repr(text)
    assert "</message><message to='x'>" in text, repr(text)  # text, not markup
    assert not any(ord(ch) < 0x20 and ch not in "\t\n\r" for ch in text), repr(text)
    assert mo(sms_port, kannel.token, bob, c.number, "still here", "h2")[0] == 200
    await c.expect_message(sms_jid(bob), "still here")
