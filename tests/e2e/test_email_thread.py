"""Threads and the loop guard, end to end against Dovecot and the SMTP
server:
- a mail arrives with <thread> = its thread root: the first id of
  References, else of In-Reply-To, else its own Message-ID;
- a reply sent with that <thread> carries In-Reply-To (the thread's last
  mail to the user), References (that mail's References and its id) and
  "Re: " with the thread's subject;
- a mail the gateway sent (its Message-ID is ours) that comes back to the
  watched folder is never delivered to XMPP, and the watch goes on."""
import asyncio
import email
import email.policy

from harness.email_gw import email_gateway, email_options, mail  # noqa: F401
from test_email_delivery import contact, submit, watched_user
from test_email_send import delivered


def plain(frm, to, subject, mid, extra=""):
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\n%s"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nbody of %s\r\n"
            % (frm, to, subject, mid, extra, mid))


async def test_thread_in_and_reply_out(server, mail, email_gateway, clients):
    loop = asyncio.get_event_loop()
    bob, bob_pw = mail.add_user("b")
    c, addr = await watched_user(mail, email_gateway, clients)
    # A new conversation: the thread is the mail's own id.
    await loop.run_in_executor(None, submit, mail, bob, bob_pw, addr,
                               plain(bob, addr, "Lunch?", "first-1@bob.example"))
    m = await c.expect_message(contact(bob), what="the first mail", timeout=15)
    assert m["thread"] == "first-1@bob.example", m
    # A mail deep in another thread: its root is References' first id.
    await loop.run_in_executor(None, submit, mail, bob, bob_pw, addr, plain(
        bob, addr, "Re: Plans", "third-3@bob.example",
        "In-Reply-To: <second-2@x.example>\r\n"
        "References: <root-0@x.example> <second-2@x.example>\r\n"))
    m = await c.expect_message(contact(bob), what="the mail in a thread", timeout=15)
    assert m["thread"] == "root-0@x.example", m
    # Only In-Reply-To: that id.
    await loop.run_in_executor(None, submit, mail, bob, bob_pw, addr, plain(
        bob, addr, "Re: Old", "fourth-4@bob.example", "In-Reply-To: <old-9@x.example>\r\n"))
    m = await c.expect_message(contact(bob), what="the reply without References", timeout=15)
    assert m["thread"] == "old-9@x.example", m
    # The user answers the first mail, without a subject.
    r = c.make_message(mto=contact(bob), mbody="Yes, at noon.", mtype="chat")
    r["thread"] = "first-1@bob.example"
    r.send()
    raw = (await loop.run_in_executor(None, delivered, mail, bob))[0]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == "Re: Lunch?", raw
    assert msg["In-Reply-To"] == "<first-1@bob.example>", raw
    assert msg["References"] == "<first-1@bob.example>", raw
    # And a reply in the deeper thread keeps its whole chain.
    r = c.make_message(mto=contact(bob), mbody="Fine by me.", mtype="chat")
    r["thread"] = "root-0@x.example"
    r.send()
    raws = await loop.run_in_executor(None, delivered, mail, bob, 2)
    msg = [email.message_from_bytes(x, policy=email.policy.default) for x in raws
           if b"Fine by me." in x][0]
    assert msg["Subject"] == "Re: Plans", msg
    assert msg["In-Reply-To"] == "<third-3@bob.example>", msg
    assert msg["References"].split() == ["<root-0@x.example>", "<second-2@x.example>",
                                         "<third-3@bob.example>"], msg


async def test_own_mail_not_delivered_back(server, mail, email_gateway, clients):
    loop = asyncio.get_event_loop()
    bob, bob_pw = mail.add_user("b")
    c, addr = await watched_user(mail, email_gateway, clients)
    # The user mails their own address: the mail lands in the watched INBOX
    # with the gateway's Message-ID.
    c.chat(contact(addr), "a note to myself")
    await loop.run_in_executor(None, delivered, mail, addr)
    # A mail from bob after it: the watch reads the folder in UID order, so
    # once bob's mail is here the own one was read before it.
    await loop.run_in_executor(None, submit, mail, bob, bob_pw, addr,
                               plain(bob, addr, "After", "after-1@bob.example"))
    await c.expect_message(contact(bob), what="bob's mail after the own one", timeout=15)
    own = [st for st in c.inbox if st.xml.tag.endswith("}message")
           and str(st["from"].bare) == contact(addr) and st["type"] != "error"]
    assert not own, "the gateway's own mail was delivered back: %s" % own
    mark = ": %s: UID " % c.bare
    assert any(mark in ln and "is a mail of ours: not delivered" in ln
               for ln in open(email_gateway.log_path, errors="replace")), \
        "the own mail was not seen and skipped"
