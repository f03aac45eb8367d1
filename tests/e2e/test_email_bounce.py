"""Bounces as DSNs (RFC 3464): a delivery status notification that comes
into the watched INBOX for a mail the user sent from XMPP (its original
Message-ID in the report's text/rfc822-headers part) comes back as an
error reply to the user's message: the same id, from the contact's JID,
to the resource that sent it, type cancel, recipient-unavailable for a
5.1.x status, with the Diagnostic-Code and the failed recipient as its
text; it is not shown as mail. A DSN for a Message-ID that is not ours,
or for another user's mail, is delivered as ordinary mail."""
import asyncio
import email
import email.policy
import os
import re
import time

from harness.client import NS_CLIENT, error_condition, q
from harness.email_gw import email_gateway, email_options, mail  # noqa: F401
from test_email_delivery import submit
from test_email_send import contact, delivered, error_text, send, sender

DAEMON = "postmaster@example.test"


def dsn(to, original_mid, rcpt, status="5.1.1",
        diag="smtp; 550 5.1.1 <%(r)s>: Recipient address rejected:\r\n User unknown in "
             "virtual mailbox table"):
    """A bounce as Postfix writes one."""
    b = "bnd-" + os.urandom(4).hex()
    return ("From: %(d)s (Mail Delivery System)\r\nTo: %(to)s\r\n"
            "Subject: Undelivered Mail Returned to Sender\r\n"
            "Message-ID: <dsn-%(b)s@example.test>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=delivery-status;\r\n"
            "\tboundary=\"%(b)s\"\r\n\r\n"
            "--%(b)s\r\nContent-Type: text/plain\r\n\r\n"
            "This is the mail system at host mx.example.test.\r\n\r\n"
            "--%(b)s\r\nContent-Type: message/delivery-status\r\n\r\n"
            "Reporting-MTA: dns; mx.example.test\r\nX-Postfix-Queue-ID: 4F1A2\r\n\r\n"
            "Final-Recipient: rfc822; %(r)s\r\nOriginal-Recipient: rfc822;%(r)s\r\n"
            "Action: failed\r\nStatus: %(s)s\r\nRemote-MTA: dns; mx2.example.test\r\n"
            "Diagnostic-Code: %(diag)s\r\n\r\n"
            "--%(b)s\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            "From: %(to)s\r\nTo: %(r)s\r\nSubject: hello\r\nMessage-ID: %(m)s\r\n\r\n"
            "--%(b)s--\r\n") % dict(d=DAEMON, to=to, b=b, r=rcpt, s=status, m=original_mid,
                                   diag=diag % dict(r=rcpt))


async def sent_mid(c, mail, to, stanza_id):
    """c sends a message to address to; returns the mail's Message-ID as it arrived."""
    send(c, contact(to), "are you there?", stanza_id)
    raw = (await asyncio.get_event_loop().run_in_executor(None, delivered, mail, to))[0]
    return email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"]


async def mail_in(mail, addr, raw):
    bob, bob_pw = mail.add_user("b")
    await asyncio.get_event_loop().run_in_executor(None, submit, mail, bob, bob_pw, addr, raw)
    return bob


def is_error(st, mid):
    return (st.xml.tag == q(NS_CLIENT, "message") and st.xml.get("type") == "error"
            and st["id"] == mid)


async def watched_sender(mail, gw, clients):
    """sender(), once its INBOX is watched (it is online already: another
    presence of the same resource would get no answer to wait for)."""
    c, addr = await sender(mail, gw, clients)
    await gw.wait_log(r"%s: watching INBOX" % re.escape(c.bare))
    await asyncio.sleep(0.3)  # SELECT answered; IDLE on its way
    return c, addr


async def test_dsn_for_our_mail_is_an_error_reply(server, mail, email_gateway, clients):
    c, addr = await watched_sender(mail, email_gateway, clients)
    carol, _ = mail.add_user("c")
    mid = await sent_mid(c, mail, carol, "bounce-1")
    t0 = time.monotonic()
    await mail_in(mail, addr, dsn(addr, mid, carol))
    err = await c.expect(lambda st: is_error(st, "bounce-1"), "the bounce as an error",
                         timeout=20)
    print("DSN accepted by SMTP to the error at the client: %.3f s" % (time.monotonic() - t0))
    assert str(err["from"]) == contact(carol), err
    assert str(err["to"]) == str(c.boundjid), err
    e = err.xml.find(q(NS_CLIENT, "error"))
    assert e is not None and e.get("type") == "cancel", err
    assert error_condition(err) == "recipient-unavailable", err
    text = error_text(err)
    assert carol in text and "550 5.1.1" in text, text
    assert "Recipient address rejected: User unknown in virtual mailbox table" in text, text
    # not shown as mail: a mail after it comes, the bounce never did
    await mail_in(mail, addr, "From: dave@example.test\r\nSubject: after\r\n\r\nnext\r\n")
    await c.expect_message(contact("dave@example.test"), what="the mail after the bounce",
                           timeout=20)
    assert not [st for st in c.inbox if st.xml.tag == q(NS_CLIENT, "message")
                and str(st["from"]).startswith(contact(DAEMON))], c.inbox


async def test_dsn_not_ours_or_another_users_is_mail(server, mail, email_gateway, clients):
    c, addr = await watched_sender(mail, email_gateway, clients)
    other, other_addr = await watched_sender(mail, email_gateway, clients)
    carol, _ = mail.add_user("c")
    mid = await sent_mid(c, mail, carol, "bounce-2")
    # a Message-ID that is not the gateway's
    await mail_in(mail, addr, dsn(addr, "<foreign-%s@example.test>" % os.urandom(4).hex(),
                                  carol))
    m = await c.expect_message(contact(DAEMON), what="the foreign DSN as mail", timeout=20)
    assert m["subject"] == "Undelivered Mail Returned to Sender", m
    # c's Message-ID, in another user's mailbox
    await mail_in(mail, other_addr, dsn(other_addr, mid, carol))
    m = await other.expect_message(contact(DAEMON), what="c's DSN as mail to another user",
                                   timeout=20)
    assert m["subject"] == "Undelivered Mail Returned to Sender", m
    assert not [st for st in c.inbox + other.inbox if st.xml.get("type") == "error"]
