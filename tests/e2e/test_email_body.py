"""What a mail's body becomes, end to end against Dovecot and the SMTP
server:
- HTML-only mail arrives as readable text (no tags, entities decoded,
  links kept as text); multipart/alternative gives its text/plain part;
- a Date older than a minute gives the message an XEP-0203 <delay> with
  that time; a fresh one gives none;
- a body over max_body_bytes is cut, with a note saying how much; quoted
  text and the signature of a shorter one are kept as they are."""
import asyncio
import email.utils
import time

import pytest

from harness.email_gw import email_gateway, mail  # noqa: F401
from test_email_delivery import contact, submit, watched_user

NS_DELAY = "urn:xmpp:delay"
MAX_BODY = 1000


@pytest.fixture(scope="module")
def email_options():
    return {"max_body_bytes": MAX_BODY}


async def send(mail, bob, bob_pw, addr, headers, body):
    raw = "From: %s\r\nTo: %s\r\n%s\r\n%s" % (bob, addr, headers, body)
    await asyncio.get_event_loop().run_in_executor(None, submit, mail, bob, bob_pw, addr,
                                                   raw.encode("utf-8"))


async def test_html_only_mail_is_text(server, mail, email_gateway, clients):
    bob, bob_pw = mail.add_user("b")
    c, addr = await watched_user(mail, email_gateway, clients)
    await send(mail, bob, bob_pw, addr,
               "Subject: html\r\nContent-Type: text/html; charset=utf-8\r\n",
               "<html><head><style>p {color: red}</style></head><body>"
               "<p>Hello&nbsp;<b>Alice</b> &amp; K&auml;se</p>"
               "<p>See <a href=\"https://example.com/a?x=1&amp;y=2\">the page</a>"
               "<br>or <a href=\"https://example.com/\">https://example.com/</a></p>"
               "<script>alert(1)</script></body></html>\r\n")
    m = await c.expect_message(contact(bob), what="the HTML-only mail", timeout=15)
    assert m["body"] == ("Hello Alice & K\u00e4se\n\nSee the page "
                         "(https://example.com/a?x=1&y=2)\nor https://example.com/"), m
    await send(mail, bob, bob_pw, addr,
               "Subject: alt\r\nMIME-Version: 1.0\r\n"
               "Content-Type: multipart/alternative; boundary=b\r\n",
               "--b\r\nContent-Type: text/html\r\n\r\n<p>the html one</p>\r\n"
               "--b\r\nContent-Type: text/plain\r\n\r\nthe plain one\r\n--b--\r\n")
    m = await c.expect_message(contact(bob), what="the multipart/alternative mail",
                               timeout=15)
    assert m["body"].strip() == "the plain one", m


async def test_old_date_gives_delay(server, mail, email_gateway, clients):
    bob, bob_pw = mail.add_user("b")
    c, addr = await watched_user(mail, email_gateway, clients)
    old = int(time.time()) - 7200
    await send(mail, bob, bob_pw, addr,
               "Subject: old\r\nDate: %s\r\n" % email.utils.formatdate(old), "old one\r\n")
    m = await c.expect_message(contact(bob), what="the old mail", timeout=15)
    d = m.xml.find("{%s}delay" % NS_DELAY)
    assert d is not None, m
    assert d.get("stamp") == time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(old)), m
    await send(mail, bob, bob_pw, addr,
               "Subject: new\r\nDate: %s\r\n" % email.utils.formatdate(time.time()),
               "new one\r\n")
    m = await c.expect_message(contact(bob), what="the new mail", timeout=15)
    assert m.xml.find("{%s}delay" % NS_DELAY) is None, m


async def test_long_body_cut_with_note(server, mail, email_gateway, clients):
    bob, bob_pw = mail.add_user("b")
    c, addr = await watched_user(mail, email_gateway, clients)
    line = "Gr\u00fc\u00dfe " * 10  # 80 bytes, two-byte characters in it
    text = "\n".join([line] * 50)
    await send(mail, bob, bob_pw, addr,
               "Subject: long\r\nContent-Type: text/plain; charset=utf-8\r\n",
               text.replace("\n", "\r\n") + "\r\n")
    m = await c.expect_message(contact(bob), what="the long mail", timeout=15)
    kept, _, note = m["body"].rpartition("\n\n")
    assert len(kept.encode("utf-8")) <= MAX_BODY and text.startswith(kept), m["body"][-200:]
    assert len(kept.encode("utf-8")) > MAX_BODY - 100, kept
    # the count is of the mail's own bytes, whose lines end in CRLF
    full = len((text + "\n").replace("\n", "\r\n").encode("utf-8"))
    mine = len(kept.replace("\n", "\r\n").encode("utf-8"))
    assert note == "[The mail is longer: %d bytes were cut.]" % (full - mine), note
    short = "My answer.\r\n\r\n> you wrote\r\n> this\r\n\r\n-- \r\nBob\r\n"
    await send(mail, bob, bob_pw, addr,
               "Subject: short\r\nContent-Type: text/plain; charset=utf-8\r\n", short)
    m = await c.expect_message(contact(bob), what="the short mail", timeout=15)
    assert m["body"].replace("\r\n", "\n").strip() == short.replace("\r\n", "\n").strip(), m
