"""Bad mail, end to end against Dovecot and the SMTP server: each of these
reaches the watched user as well as it can, or as a note from the gateway
JID saying why it cannot be shown, and the gateway goes on: another user,
watched at the same time, still gets a normal mail, and so does the first.
- a malformed MIME structure (a boundary never closed, a header line
  with no colon): the text that is there;
- a mail over fetch_max_bytes: a note naming the limit;
- a multipart of 10,000 parts: the text/plain part among them;
- multiparts nested 500 deep: a note in the mail's place (its text is
  deeper than the gateway looks); nested more than 1,000 deep: a note
  from the gateway (GMime is not handed it);
- a charset nobody knows, and bytes that are not UTF-8: the text, valid;
- NUL bytes in a header and in the body: the text around them;
- a From header with no address: from the gateway JID, "A mail from …"."""
import asyncio

import pytest

from harness.email_gw import email_gateway, mail  # noqa: F401
from harness.servers import EMAIL_COMPONENT
from test_email_delivery import contact, submit, watched_user

FETCH_MAX = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def email_options():
    return {"fetch_max_bytes": FETCH_MAX}


def many_parts(n, at):
    parts = ["--b\r\nContent-Type: %s\r\n\r\npart %d\r\n"
             % ("text/plain" if i == at else "application/octet-stream", i) for i in range(n)]
    return ("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
            + "".join(parts) + "--b--\r\n")


def nested(n):
    head = "".join("Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i)
                   for i in range(n))
    tail = "".join("--b%d--\r\n" % i for i in reversed(range(n)))
    return "MIME-Version: 1.0\r\n" + head + "Content-Type: text/plain\r\n\r\nbottom\r\n" + tail


# (what, headers and body after From/To, who it comes from: "bob" or the
# gateway, what its body must hold, the subject it must have or None)
CASES = [
    ("malformed MIME", b"Subject: malformed\r\nbroken header line\r\n"
     b"Content-Type: multipart/mixed; boundary=zz\r\n\r\n"
     b"--zz\r\nContent-Type: text/plain\r\n\r\nstill here\r\n--zz\r\n",
     "bob", "still here", "malformed"),
    ("over the fetch limit", b"Subject: huge\r\n\r\n" + (b"x" * 998 + b"\r\n") * 3000,
     "gw", "bigger than the gateway's limit of %d bytes" % FETCH_MAX, None),
    ("10,000 parts", b"Subject: parts\r\n" + many_parts(10000, 10).encode(),
     "bob", "part 10", "parts"),
    ("nested 500 deep", b"Subject: deep\r\n" + nested(500).encode(),
     "bob", "no text part", "deep"),
    ("nested 1,200 deep", b"Subject: deeper\r\n" + nested(1200).encode(),
     "gw", "too many multiparts", None),
    ("an unknown charset", b"Subject: charset\r\n"
     b"Content-Type: text/plain; charset=x-no-such-set\r\n\r\nplain \xff\xfe words\r\n",
     "bob", "words", "charset"),
    ("bytes not UTF-8", b"Subject: utf8\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
     b"bad \xc3\x28 bytes\r\n", "bob", "bytes", "utf8"),
    # Dovecot sends a NUL as 0x80 (IMAP allows no NUL outside BINARY),
    # which is not UTF-8: the text on both sides arrives (test_email_mime.c
    # reads a NUL itself)
    ("NUL bytes", b"Subject: one\0two\r\n\r\nbefore\0after\r\n", "bob", "after", None),
]


async def test_bad_mail_delivered_or_noted(server, mail, email_gateway, clients):
    loop = asyncio.get_event_loop()
    bob, bob_pw = mail.add_user("b")
    c, addr = await watched_user(mail, email_gateway, clients)
    other, other_addr = await watched_user(mail, email_gateway, clients)

    async def mail_to(rcpt, raw):
        await loop.run_in_executor(None, submit, mail, bob, bob_pw, rcpt, raw)

    for what, rest, frm, has, subject in CASES:
        await mail_to(addr, b"From: %s\r\nTo: %s\r\n%s" % (bob.encode(), addr.encode(), rest))
        m = await c.expect_message(contact(bob) if frm == "bob" else EMAIL_COMPONENT,
                                   what="the mail with %s" % what, timeout=30)
        assert has in m["body"], (what, m["body"][:300])
        if subject is not None:
            assert m["subject"] == subject, (what, m)
        if what == "NUL bytes":
            assert m["body"].startswith("before"), m
            assert m["subject"].startswith("one") and m["subject"].endswith("two"), m
    # a From with no address: the gateway says who wrote it
    await mail_to(addr, b"From: Nobody\r\nTo: %s\r\nSubject: anon\r\n\r\nwho am I\r\n"
                  % addr.encode())
    m = await c.expect_message(EMAIL_COMPONENT, what="the mail from no address", timeout=15)
    assert m["body"].startswith("A mail from Nobody:") and "who am I" in m["body"], m
    await mail_to(addr, b"To: %s\r\nSubject: no from\r\n\r\nno From at all\r\n"
                  % addr.encode())
    m = await c.expect_message(EMAIL_COMPONENT, what="the mail with no From", timeout=15)
    assert m["body"].startswith("A mail from "), m
    assert "no From at all" in m["body"], m
    # the gateway is up, both watches go on
    assert email_gateway.proc.poll() is None, email_gateway.log_tail()
    await mail_to(other_addr, "From: %s\r\nTo: %s\r\nSubject: fine\r\n\r\nall is well\r\n"
                  % (bob, other_addr))
    m = await other.expect_message(contact(bob), what="the other user's mail", timeout=15)
    assert m["body"].strip() == "all is well", m
    await mail_to(addr, "From: %s\r\nTo: %s\r\nSubject: after\r\n\r\nstill watched\r\n"
                  % (bob, addr))
    m = await c.expect_message(contact(bob), what="a normal mail after the bad ones",
                               timeout=15)
    assert m["body"].strip() == "still watched", m
