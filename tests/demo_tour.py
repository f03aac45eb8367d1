"""The steps of the guided tour (tests/demo.py): what alice sees through the
gateway's echo, IRC and e-mail backends, printed step by step. Every wait is
bounded; a step that does not get what it expects raises AssertionError
naming what was awaited, and `Steps.current` says which step that was."""
import asyncio
import email
import email.policy
import os
import smtplib
import time
from xml.sax.saxutils import escape

from harness.client import NS_DISCO_INFO, NS_REGISTER, payload, q, submit_form
from harness.ircclient import IrcClient, irc_jid
from harness.muc import (NS_SID, expect_join, groupchat_from, irc_topic, irc_wait, join,
                         join_channel, muc_item, occupant, origin_id, room_jid, say,
                         status_codes, subject_of)
from harness.scenario import register_payload

# The IRC side of the tour: one server name the gateway may reach, one
# channel, its topic, and the IRC user alice talks to.
IRC_SERVER = "localhost"
CHANNEL = "#demo"
TOPIC = "Welcome to the xmpp-gw demo"
CAROL = "carol"
ALICE_NICK = "alice"
FIRST_CONNECT_TIMEOUT = 30.0  # the first message opens alice's IRC connection


class Steps:
    """Numbered step headings and indented result lines."""

    def __init__(self):
        self.n = -1
        self.current = None

    def step(self, text):
        self.n += 1
        self.current = "%d. %s" % (self.n, text)
        print("\n== %s" % self.current, flush=True)

    @staticmethod
    def show(label, value):
        print("   %-16s %s" % (label, value), flush=True)

    @staticmethod
    def say(text):
        print("   " + text, flush=True)


def query_of(r, ns):
    el = payload(r, ns, "query")
    assert el is not None, "the answer has no <query xmlns='%s'/>:\n%s" % (ns, r)
    return el


async def show_disco(steps, alice, jid, features=True):
    r = await alice.iq_ok(jid, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO,
                          what="disco#info of %s" % jid)
    query = query_of(r, NS_DISCO_INFO)
    for ident in query.findall(q(NS_DISCO_INFO, "identity")):
        steps.show("identity", "%s/%s %s" % (ident.get("category"), ident.get("type"),
                                             ident.get("name") or ""))
    feats = [f.get("var") for f in query.findall(q(NS_DISCO_INFO, "feature"))]
    if features:
        for var in feats:
            steps.show("feature", var)
    else:
        steps.show("features", "%d, among them %s" % (len(feats), ", ".join(
            v for v in feats if v in (NS_REGISTER, "http://jabber.org/protocol/muc"))))


async def show_register_form(steps, alice, jid):
    r = await alice.iq_ok(jid, "get", "<query xmlns='%s'/>" % NS_REGISTER,
                          what="the registration form of %s" % jid)
    query = query_of(r, NS_REGISTER)
    instr = query.find(q(NS_REGISTER, "instructions"))
    steps.show("instructions", (instr.text or "").strip() if instr is not None else "(none)")
    fields = [el.tag.split("}", 1)[1] for el in query
              if el.tag.startswith("{%s}" % NS_REGISTER) and not el.tag.endswith("}instructions")]
    steps.show("fields", ", ".join(fields) or "(none)")


async def accept_gateway(steps, alice, jid, network):
    """After a registration: the gateway asks for alice's presence, her
    client accepts, and the gateway logs her in (its available presence)."""
    await alice.expect_presence(jid, "subscribe",
                                what="the subscription request from %s" % jid)
    steps.show("gateway", "asks to subscribe to alice's presence; her client accepts")
    alice.presence()
    await alice.expect_presence(jid, None, what="the available presence of %s (login)" % jid)
    steps.show("gateway", "is online for alice: she is logged in to %s" % network)


# -- the echo backend ---------------------------------------------------------------
async def echo_tour(steps, srv, alice):
    steps.step("Service discovery: what is %s?" % srv.component)
    await show_disco(steps, alice, srv.component)

    steps.step("Registration (XEP-0077): alice registers with %s" % srv.component)
    await show_register_form(steps, alice, srv.component)
    steps.say("alice registers as 'alice' on the echo network ...")
    await alice.iq_ok(srv.component, "set", register_payload("alice", "anything"),
                      what="alice's registration with %s" % srv.component)
    await accept_gateway(steps, alice, srv.component, "the echo network")

    steps.step("A message round trip through the echo backend")
    bob = "bob@" + srv.component
    alice.chat(bob, "Hello, echo!")
    steps.show("alice ->", "%s: Hello, echo!" % bob)
    m = await alice.expect_message(bob, what="the echo from %s" % bob)
    steps.show("alice <-", "%s: %s" % (m["from"].bare, m["body"]))


# -- the IRC backend ----------------------------------------------------------------
async def irc_tour(steps, component, ircd, alice):
    """Returns carol, the raw IRC client, still in CHANNEL (the caller closes it)."""
    steps.step("Registration with the IRC gateway %s" % component)
    await show_disco(steps, alice, component, features=False)
    await show_register_form(steps, alice, component)
    steps.say("alice registers with the nick '%s' ..." % ALICE_NICK)
    await alice.iq_ok(component, "set", "<query xmlns='%s'><nick>%s</nick></query>"
                      % (NS_REGISTER, escape(ALICE_NICK)),
                      what="alice's registration with %s" % component)
    await accept_gateway(steps, alice, component, "IRC (a connection opens on first use)")

    steps.step("Private chat between alice (XMPP) and carol (IRC, 127.0.0.1:%d)" % ircd.port)
    carol = await IrcClient.connect(ircd.port, CAROL)
    try:
        await private_chat(steps, component, alice, carol)
        await room_join(steps, component, alice, carol)
        await room_messages(steps, component, alice, carol)
    except BaseException:
        await carol.close()
        raise
    return carol


def irc_out(steps, line):
    steps.show("IRC carol ->", line)


def irc_in(steps, line):
    steps.show("IRC carol <-", line.text)


async def private_chat(steps, component, alice, carol):
    carol_jid = irc_jid(CAROL, IRC_SERVER, component)
    steps.show("carol", "is connected to the IRC server as '%s'; her JID is %s"
               % (carol.nick, carol_jid))
    text = "Hi carol, this is alice on XMPP"
    alice.chat(carol_jid, text)
    steps.show("alice ->", "%s: %s" % (carol_jid, text))
    steps.say("(the first message opens alice's own IRC connection, nick '%s')" % ALICE_NICK)
    line = await carol.expect_privmsg(ALICE_NICK, text, timeout=FIRST_CONNECT_TIMEOUT,
                                      what="alice's message on IRC")
    irc_in(steps, line)

    text = "Hi alice! carol here, on IRC"
    carol.privmsg(ALICE_NICK, text)
    irc_out(steps, "PRIVMSG %s :%s" % (ALICE_NICK, text))
    m = await alice.expect_message(carol_jid, text, mtype="chat", what="carol's answer")
    steps.show("alice <-", "%s: %s" % (m["from"], m["body"]))


async def room_join(steps, component, alice, carol):
    room = room_jid(CHANNEL, IRC_SERVER, component)
    steps.step("alice joins %s as the MUC room %s" % (CHANNEL, room))
    await join_channel(carol, CHANNEL)
    irc_out(steps, "JOIN %s" % CHANNEL)
    await irc_topic(carol, CHANNEL, TOPIC)
    irc_out(steps, "TOPIC %s :%s" % (CHANNEL, TOPIC))
    steps.say("alice sends her presence to %s ..." % occupant(room, ALICE_NICK))
    join(alice, room, ALICE_NICK)
    occupants, me, subj = await expect_join(alice, room, ALICE_NICK, others=[CAROL],
                                            subject=TOPIC)
    for nick, pres in occupants.items():
        steps.show("occupant", "%s (%s)" % (pres["from"], describe(pres)))
    steps.show("self-presence", "%s (%s, status %s)" % (
        me["from"], describe(me), ", ".join(sorted(status_codes(me)))))
    steps.show("subject", "%r from %s" % (subject_of(subj), subj["from"]))
    line = await irc_wait(carol, "JOIN", ALICE_NICK, CHANNEL, what="alice's JOIN on IRC")
    irc_in(steps, line)


def describe(pres):
    item = muc_item(pres)
    if item is None:
        return "no muc#user item"
    return "role %s, affiliation %s" % (item.get("role"), item.get("affiliation"))


async def room_messages(steps, component, alice, carol):
    room = room_jid(CHANNEL, IRC_SERVER, component)
    steps.step("Messages in %s both ways" % room)
    text = "Welcome to %s, alice!" % CHANNEL
    carol.privmsg(CHANNEL, text)
    irc_out(steps, "PRIVMSG %s :%s" % (CHANNEL, text))
    m = await alice.expect(groupchat_from(occupant(room, CAROL), text),
                           "carol's message as a groupchat message from %s"
                           % occupant(room, CAROL))
    steps.show("alice <-", "%s (%s): %s" % (m["from"], m.xml.get("type"), m["body"]))

    text = "Thanks carol, hello from XMPP!"
    say(alice, room, text, origin_id())
    steps.show("alice ->", "%s (groupchat): %s" % (room, text))
    m = await alice.expect(groupchat_from(occupant(room, ALICE_NICK), text),
                           "the reflection of alice's message")
    sid = m.xml.find(q(NS_SID, "stanza-id"))
    steps.show("alice <-", "%s: %s (her own message reflected, stanza-id %s)" % (
        m["from"], m["body"], sid.get("id") if sid is not None else "none"))
    line = await irc_wait(carol, "PRIVMSG", ALICE_NICK, CHANNEL, text,
                          what="alice's message in %s on IRC" % CHANNEL)
    irc_in(steps, line)


# -- the e-mail backend -------------------------------------------------------------
def email_contact(addr, component):
    """The contact JID of a mail address (XEP-0106: @ is \\40)."""
    return "%s@%s" % (addr.replace("@", "\\40"), component)


def submit_mail(mail, sender, password, rcpt, subject, body):
    """carol's mail client: a mail through the private SMTP server."""
    raw = "From: Carol <%s>\r\nTo: %s\r\nSubject: %s\r\n\r\n%s\r\n" % (sender, rcpt, subject,
                                                                      body)
    with smtplib.SMTP("127.0.0.1", mail.smtp_port, timeout=10) as s:
        s.login(sender, password)
        s.sendmail(sender, [rcpt], raw)


def first_mail(mail, addr, timeout=15.0):
    """The first mail in addr's maildir once it is there, parsed."""
    base = os.path.join(mail.users[addr][1], "Maildir")
    deadline = time.monotonic() + timeout
    while True:
        for d in ("new", "cur"):
            path = os.path.join(base, d)
            names = sorted(os.listdir(path)) if os.path.isdir(path) else []
            if names:
                with open(os.path.join(path, names[0]), "rb") as f:
                    return email.message_from_bytes(f.read(), policy=email.policy.default)
        assert time.monotonic() < deadline, "no mail in %s's maildir after %.0f s" % (addr,
                                                                                     timeout)
        time.sleep(0.1)


async def email_tour(steps, component, mail, gw, alice, mailboxes):
    """mailboxes: {"alice": (address, password), "carol": (address, password)}."""
    loop = asyncio.get_event_loop()
    addr, pw = mailboxes["alice"]
    carol, carol_pw = mailboxes["carol"]
    steps.step("Registration with the e-mail gateway %s" % component)
    await show_register_form(steps, alice, component)
    steps.say("alice registers her mailbox %s (IMAP 127.0.0.1:%d, SMTP 127.0.0.1:%d) ..."
              % (addr, mail.imap_port, mail.smtp_port))
    values = {"address": addr, "imap_host": "127.0.0.1", "imap_port": str(mail.imap_port),
              "imap_security": "none", "smtp_host": "127.0.0.1",
              "smtp_port": str(mail.smtp_port), "smtp_security": "none", "password": pw}
    await alice.iq_ok(component, "set", "<query xmlns='%s'>%s</query>"
                      % (NS_REGISTER, submit_form(values, NS_REGISTER)),
                      what="alice's registration with %s (the gateway logs in to both "
                      "servers first)" % component, timeout=20)
    steps.show("gateway", "logged in to the IMAP and the SMTP server: registration stored")
    await accept_gateway(steps, alice, component, "her mailbox")
    await gw.wait_log(r"alice@localhost: watching INBOX", timeout=15)
    steps.show("gateway", "watches alice's INBOX with IMAP IDLE")

    steps.step("A mail from %s arrives as a message" % carol)
    await loop.run_in_executor(None, submit_mail, mail, carol, carol_pw, addr,
                               "Lunch?", "Shall we have lunch on Friday?")
    steps.show("carol (mail) ->", "%s: Subject: Lunch?" % addr)
    frm = email_contact(carol, component)
    m = await alice.expect_message(frm, what="carol's mail as a message from %s" % frm,
                                   timeout=15)
    steps.show("alice <-", "%s: [%s] %s" % (m["from"].bare, m["subject"], m["body"].strip()))

    steps.step("alice replies; the reply goes out as a mail")
    alice.chat(frm, "Friday is fine, see you at noon.")
    steps.show("alice ->", "%s: Friday is fine, see you at noon." % frm)
    got = await loop.run_in_executor(None, first_mail, mail, carol)
    steps.show("carol's maildir", "From: %s" % got["From"])
    steps.show("", "Subject: %s" % (got["Subject"] or "(none)"))
    steps.show("", got.get_body(("plain",)).get_content().strip())
