"""XEP-0045 group chats through the IRC backend: IRC channels offered as
rooms (`#chan%server@irc.localhost`, occupants `…/Nick`).

Stanzas to rooms are sent raw (a presence with `<x xmlns='…/muc'/>`, a
groupchat message with an XEP-0359 origin-id, a subject), and what comes
back is checked with the client's bounded waits: an occupant presence is
awaited by its exact occupant JID and type, then its muc#user item and
status codes are asserted, so a wrong role or a missing code fails with
the stanza shown instead of a time-out. `expect_in_order` checks the order
in which stanzas arrived (occupants, then the self-presence, then the
subject).

The IRC side: `bob_in_channel` (a raw client that creates the channel and
so is its operator), `irc_line` (a predicate on a line's command, sender,
channel and text), `connect_raw_nick` (a raw client whose nick is not a
valid IRC user name, e.g. full of `[]{}|^\\`).

The MUC tests run on the XMPP servers of $E2E_IRC_XMPP, like the IRC ones
(conftest.py deselects the others).
"""
import asyncio
import itertools
import secrets
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr


from .client import NS_CLIENT, error_condition, q
from .ircclient import IRC_COMPONENT, IrcClient, fresh_nick, irc_user
from .util import STANZA_TIMEOUT

NS_MUC = "http://jabber.org/protocol/muc"
NS_MUC_USER = "http://jabber.org/protocol/muc#user"
NS_SID = "urn:xmpp:sid:0"

_ids = itertools.count(1)


# -- addresses ------------------------------------------------------------------
def fresh_channel(prefix="c"):
    """A fresh lower-case channel name, e.g. #c12ab34cd."""
    return "#" + fresh_nick(prefix)


def room_jid(channel, server="localhost", component=IRC_COMPONENT):
    """The room of `channel`: #chan%server@component ('#' and '%' need no
    XEP-0106 escaping)."""
    return "%s%%%s@%s" % (channel.lower(), server, component)


def occupant(room, nick):
    """An occupant JID: the nick as the resource, unescaped."""
    return "%s/%s" % (room, nick)


def origin_id():
    return "oid-%d-%s" % (next(_ids), secrets.token_hex(4))


# -- sending --------------------------------------------------------------------
def _send(stanza, *children):
    for child in children:
        stanza.append(ET.fromstring(child))
    stanza.send()


def join(c, room, nick, password=None):
    """A join presence to room/nick with <x xmlns='…/muc'/> (and the password)."""
    pw = "<password>%s</password>" % escape(password) if password is not None else ""
    _send(c.make_presence(pto=occupant(room, nick)), "<x xmlns='%s'>%s</x>" % (NS_MUC, pw))


def leave(c, room, nick, status=None):
    """An unavailable presence to room/nick (status: the reason)."""
    c.send_presence(pto=occupant(room, nick), ptype="unavailable", pstatus=status)


def say(c, room, body, oid=None):
    """A groupchat message to the room, with <origin-id id=oid/> when given."""
    m = c.make_message(mto=room, mbody=body, mtype="groupchat")
    _send(m, *(["<origin-id xmlns='%s' id=%s/>" % (NS_SID, quoteattr(oid))] if oid else []))


def set_subject(c, room, subject):
    """<message type='groupchat'><subject>…</subject></message> to the room."""
    _send(c.make_message(mto=room, mtype="groupchat"),
          "<subject>%s</subject>" % escape(subject))


# -- reading ----------------------------------------------------------------------
def is_presence(st):
    return st.xml.tag == q(NS_CLIENT, "presence")


def is_message(st):
    return st.xml.tag == q(NS_CLIENT, "message")


def muc_x(st):
    return st.xml.find(q(NS_MUC_USER, "x"))


def muc_item(st):
    """The <item/> of the presence's muc#user <x/> (an Element), or None."""
    x = muc_x(st)
    return None if x is None else x.find(q(NS_MUC_USER, "item"))


def status_codes(st):
    """The muc#user status codes of a presence, as a set of strings."""
    x = muc_x(st)
    return set() if x is None else {s.get("code") for s in x.findall(q(NS_MUC_USER, "status"))}


def subject_of(st):
    """The text of a message's <subject/> ("" when empty), None without one."""
    el = st.xml.find(q(NS_CLIENT, "subject"))
    return None if el is None else (el.text or "")


def presence_from(frm, ptype=None):
    """Predicate: a presence from exactly `frm` (a full occupant JID) with
    type ptype (None: available)."""
    return lambda st: is_presence(st) and str(st["from"]) == frm and st.xml.get("type") == ptype


def subject_message(room):
    """Predicate: a message with a <subject/> from the room or one of its occupants."""
    return lambda st: (is_message(st) and str(st["from"].bare) == room
                       and subject_of(st) is not None)


def groupchat_from(frm, body=None):
    """Predicate: a groupchat message from exactly `frm` (with body when given)."""
    return lambda st: (is_message(st) and str(st["from"]) == frm
                       and st.xml.get("type") == "groupchat"
                       and subject_of(st) is None
                       and (body is None or st["body"] == body))


def check_occupant(st, role=None, affiliation=None, codes=(), nick=None):
    """Asserts an occupant presence's item (role, affiliation, nick) and that
    it has the status `codes`; returns its item."""
    item = muc_item(st)
    assert item is not None, "presence from %s has no muc#user item:\n%s" % (st["from"], st)
    for attr, want in (("role", role), ("affiliation", affiliation), ("nick", nick)):
        if want is not None:
            assert item.get(attr) == want, "presence from %s: %s=%r, expected %r:\n%s" % (
                st["from"], attr, item.get(attr), want, st)
    missing = set(codes) - status_codes(st)
    assert not missing, "presence from %s: status code(s) %s missing (has %s):\n%s" % (
        st["from"], ", ".join(sorted(missing)), ", ".join(sorted(status_codes(st))) or "none", st)
    return item


async def expect_occupant(c, room, nick, ptype=None, role=None, affiliation=None, codes=(),
                          new_nick=None, what=None, timeout=STANZA_TIMEOUT):
    """The next presence from room/nick with type ptype; asserts its item and
    status codes (see check_occupant). Returns the presence."""
    frm = occupant(room, nick)
    st = await c.expect(presence_from(frm, ptype),
                        what or "%s presence from %s" % (ptype or "available", frm), timeout)
    check_occupant(st, role, affiliation, codes, new_nick)
    return st


async def expect_error_presence(c, room, condition, what, timeout=STANZA_TIMEOUT):
    """An error presence from the room (bare or occupant JID) with `condition`."""
    st = await c.expect(lambda st: is_presence(st) and str(st["from"].bare) == room
                        and st.xml.get("type") == "error", what, timeout)
    got = error_condition(st)
    assert got == condition, "%s: error condition %s, expected %s:\n%s" % (what, got, condition, st)
    return st


async def expect_subject(c, room, subject, frm=None, what=None, timeout=STANZA_TIMEOUT):
    """The next subject message from the room; asserts its text and that it
    comes from `frm` (a JID, or a tuple of JIDs) when given."""
    st = await c.expect(subject_message(room), what or "a subject message from %s" % room, timeout)
    assert subject_of(st) == subject, "%s: subject %r, expected %r:\n%s" % (
        what or "subject from %s" % room, subject_of(st), subject, st)
    if frm is not None:
        allowed = (frm,) if isinstance(frm, str) else tuple(frm)
        assert str(st["from"]) in allowed, "%s: from %s, expected %s:\n%s" % (
            what or "subject from %s" % room, st["from"], " or ".join(allowed), st)
    assert st.xml.get("type") == "groupchat", "subject message of type %s:\n%s" % (
        st.xml.get("type"), st)
    return st


async def expect_in_order(c, groups, timeout=STANZA_TIMEOUT):
    """Waits (bounded) for stanzas matching every (pred, what) of `groups`,
    a list of lists, and asserts that all of a group arrived before any of
    the next one. Each matches the oldest stanza not taken by another; all
    are removed from the inbox. Returns them in the shape of groups."""
    loop = asyncio.get_event_loop()
    deadline = loop.time() + timeout
    steps = [(g, pred, what) for g, group in enumerate(groups) for pred, what in group]
    while True:
        taken, found = set(), []
        for g, pred, what in steps:
            idx = next((i for i, st in enumerate(c.inbox) if i not in taken and pred(st)), None)
            if idx is not None:
                taken.add(idx)
            found.append(idx)
        if all(i is not None for i in found):
            break
        left = deadline - loop.time()
        if left <= 0:
            missing = [what for (_, _, what), i in zip(steps, found) if i is None]
            seen = "\n  ".join(str(s) for s in c.inbox[-10:]) or "(nothing)"
            raise AssertionError("%s: timed out after %.0f s waiting for %s; last stanzas "
                                 "received:\n  %s" % (c.bare, timeout, "; ".join(missing), seen))
        c._arrived.clear()
        try:
            await asyncio.wait_for(c._arrived.wait(), left)
        except asyncio.TimeoutError:
            pass
    got = [c.inbox[i] for i in found]
    for (g, _, what), i in zip(steps, found):
        later = [(w2, i2) for (g2, _, w2), i2 in zip(steps, found) if g2 > g and i2 < i]
        assert not later, "%s: %s arrived after %s (arrival order: %s)" % (
            c.bare, what, later[0][0],
            ", ".join(w for _, w in sorted(((i3, w3) for (_, _, w3), i3 in zip(steps, found)))))
    for i in sorted(found, reverse=True):
        del c.inbox[i]
    out, k = [], 0
    for group in groups:
        out.append(got[k:k + len(group)])
        k += len(group)
    return out


async def expect_join(c, room, nick, others=(), subject=None, codes=("110",),
                      role="participant", affiliation=None, timeout=STANZA_TIMEOUT):
    """A completed join, in order: a presence from each of `others` (nicks,
    any order), then the self-presence from room/nick with `codes` and
    `role`, then the subject message from the room's bare JID (text
    `subject` when given). Returns
    ({nick: presence}, self-presence, subject message)."""
    groups = [[(presence_from(occupant(room, o)), "the occupant presence of %s" % o)
               for o in others],
              [(presence_from(occupant(room, nick)), "the self-presence from %s"
                % occupant(room, nick))],
              [(subject_message(room), "the subject message from %s" % room)]]
    if others:
        occ, (me,), (subj,) = await expect_in_order(c, groups, timeout)
    else:
        occ, ((me,), (subj,)) = [], await expect_in_order(c, groups[1:], timeout)
    check_occupant(me, role=role, affiliation=affiliation, codes=codes)
    assert str(subj["from"]) == room, (
        "join of %s: the subject came from %s, expected the room's bare JID:\n%s"
        % (room, subj["from"], subj))
    if subject is not None:
        assert subject_of(subj) == subject, "join of %s: subject %r, expected %r:\n%s" % (
            room, subject_of(subj), subject, subj)
    assert subj.xml.get("type") == "groupchat", "join of %s: subject message of type %s:\n%s" % (
        room, subj.xml.get("type"), subj)
    return dict(zip(others, occ)), me, subj


# -- the IRC side ---------------------------------------------------------------------
def irc_line(command, nick=None, channel=None, text=None):
    """Predicate on an IrcClient line: command, sender nick, first
    parameter (channel) and last parameter (text), case-insensitive names."""
    def pred(l):
        return (l.command == command
                and (nick is None or (l.nick or "").lower() == nick.lower())
                and (channel is None or (l.params[:1] or [""])[0].lower() == channel.lower())
                and (text is None or l.last == text))
    return pred


async def irc_wait(ircc, command, nick=None, channel=None, text=None, what=None,
                   timeout=STANZA_TIMEOUT):
    return await ircc.expect(irc_line(command, nick, channel, text),
                             what or "%s %s from %s%s" % (command, channel or "", nick or "anyone",
                                                          "" if text is None else " %r" % text),
                             timeout)


async def join_channel(ircc, channel):
    """ircc joins channel and sees its own JOIN echoed."""
    ircc.join(channel)
    await irc_wait(ircc, "JOIN", ircc.nick, channel,
                   what="%s's own JOIN %s echoed" % (ircc.nick, channel))


async def irc_mode(ircc, channel, modes):
    """ircc sets `modes` (e.g. "+k secret") on channel and sees the MODE echoed."""
    ircc.send("MODE %s %s" % (channel, modes))
    await irc_wait(ircc, "MODE", ircc.nick, channel, what="MODE %s %s echoed" % (channel, modes))


async def irc_topic(ircc, channel, topic):
    ircc.send("TOPIC %s :%s" % (channel, topic))
    await irc_wait(ircc, "TOPIC", ircc.nick, channel, topic,
                   what="TOPIC %s %r echoed" % (channel, topic))


async def channel_members(ircc, channel, timeout=STANZA_TIMEOUT):
    """The nicks in channel (lower case, without their @ or + prefix), by NAMES."""
    ircc.inbox[:] = [l for l in ircc.inbox if l.command not in ("353", "366")]
    ircc.send("NAMES %s" % channel)
    names = set()
    while True:
        l = await ircc.expect(lambda l: l.command in ("353", "366"),
                              "the NAMES %s reply (366)" % channel, timeout)
        if l.command == "366":
            return names
        names.update(n.lstrip("~&@%+").lower() for n in l.last.split())


async def bob_in_channel(ircs, channel=None, topic=None, prefix="bob"):
    """A raw IRC client that creates a fresh channel (so it is its operator:
    ngIRCd gives +o to the first) and sets its topic when given.
    Returns (bob, channel)."""
    channel = channel or fresh_channel()
    bob = await ircs.new(prefix=prefix)
    await join_channel(bob, channel)
    if topic is not None:
        await irc_topic(bob, channel, topic)
    return bob, channel


async def connect_raw_nick(ircs, nick, timeout=STANZA_TIMEOUT):
    """A raw IRC client registered as `nick` with a plain user name (the
    pool's clients use the nick as the user name, which ngIRCd refuses for
    nicks with characters such as {}|^)."""
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", ircs.port, limit=1 << 20), timeout)
    except (OSError, asyncio.TimeoutError) as e:
        raise AssertionError("IRC: cannot connect to port %d as %s: %r" % (ircs.port, nick, e)) \
            from None
    c = IrcClient(reader, writer, nick)
    ircs.all.append(c)
    c.send("NICK %s" % nick)
    c.send("USER e2e 0 * :e2e test client")
    line = await c.expect(lambda l: l.command in ("001", "433", "432"),
                          "001 (welcome) for %s" % nick, timeout)
    assert line.command == "001", "IRC: nick %r refused: %s" % (nick, line)
    return c


# -- XMPP-side scenario -----------------------------------------------------------------
async def user_in_room(clients, ircs, topic="a topic", channel=None):
    """bob (raw IRC, operator) creates a fresh channel with `topic`; a fresh
    registered user joins its room under its IRC nick and gets bob's
    presence, its self-presence and the subject; bob sees the JOIN.
    Returns (c, bob, channel, room)."""
    bob, channel = await bob_in_channel(ircs, channel, topic)
    c = await irc_user(clients)
    room = room_jid(channel)
    join(c, room, c.nick)
    await expect_join(c, room, c.nick, others=[bob.nick], subject=topic or "")
    await irc_wait(bob, "JOIN", c.nick, channel, what="the IRC JOIN of %s" % c.nick)
    return c, bob, channel, room


# -- nick changes, moderation, private messages ---------------------------------------
NS_MUC_ADMIN = "http://jabber.org/protocol/muc#admin"


def change_nick(c, room, nick):
    """XEP-0045 7.6: an available presence to room/nick from a joined resource
    (no <x xmlns='…/muc'/>: it is not a join)."""
    c.send_presence(pto=occupant(room, nick))


async def expect_nick_change(c, room, old, new, timeout=STANZA_TIMEOUT):
    """The user's own nick change, in order: unavailable from room/old with
    303, 110 and <item nick=new/>, then available from room/new with 110.
    Returns (unavailable, available)."""
    (gone,), (back,) = await expect_in_order(c, [
        [(presence_from(occupant(room, old), "unavailable"),
          "the user's unavailable presence from %s (nick change)" % occupant(room, old))],
        [(presence_from(occupant(room, new)),
          "the user's available presence from %s (nick change)" % occupant(room, new))]],
        timeout)
    check_occupant(gone, codes=("303", "110"), nick=new)
    check_occupant(back, codes=("110",))
    return gone, back


def room_notice(room, contains=None):
    """Predicate: a groupchat message from the room's bare JID itself (no
    subject) whose body contains `contains` (case-insensitive) when given."""
    return lambda st: (is_message(st) and str(st["from"]) == room
                       and st.xml.get("type") == "groupchat" and subject_of(st) is None
                       and (contains is None or contains.lower() in (st["body"] or "").lower()))


def admin_item(nick, role=None, affiliation=None, reason=None):
    """A muc#admin <item/> as XML text (without the namespace: admin_query adds it)."""
    attrs = "".join(" %s=%s" % (k, quoteattr(v)) for k, v in
                    (("nick", nick), ("role", role), ("affiliation", affiliation)) if v is not None)
    inner = "<reason>%s</reason>" % escape(reason) if reason is not None else ""
    return "<item%s>%s</item>" % (attrs, inner)


def admin_query(*items):
    """<query xmlns='…muc#admin'> with the given admin_item()s, as XML text."""
    return "<query xmlns='%s'>%s</query>" % (NS_MUC_ADMIN, "".join(items))


async def set_role(c, room, nick, role, reason=None, timeout=STANZA_TIMEOUT):
    """An iq set to the room with one muc#admin item (role 'none' kicks);
    returns the answer, result or error."""
    return await c.iq(room, "set", admin_query(admin_item(nick, role=role, reason=reason)),
                      timeout)


async def member_joins(ircs, c, room, channel, prefix):
    """A new raw IRC client joins channel; the user gets its presence as a
    participant. Returns the client."""
    m = await ircs.new(prefix=prefix)
    await join_channel(m, channel)
    await expect_occupant(c, room, m.nick, role="participant",
                          what="the presence of %s after its JOIN" % m.nick)
    return m


async def op_user(bob, channel, c, room):
    """bob (an operator) gives the user +o; the user gets its own presence
    with role moderator (and 110)."""
    await irc_mode(bob, channel, "+o %s" % c.nick)
    await expect_occupant(c, room, c.nick, role="moderator", codes=("110",),
                          what="the user's own presence as moderator after +o")


def private_message(c, room, nick, body):
    """XEP-0045 7.5: a chat message to room/nick with <x xmlns='…muc#user'/>."""
    _send(c.make_message(mto=occupant(room, nick), mbody=body, mtype="chat"),
          "<x xmlns='%s'/>" % NS_MUC_USER)


def private_from(frm, body=None):
    """Predicate: a chat message from exactly `frm` (an occupant JID) with a
    muc#user <x/> (and body when given)."""
    return lambda st: (is_message(st) and str(st["from"]) == frm
                       and st.xml.get("type") == "chat" and muc_x(st) is not None
                       and (body is None or st["body"] == body))


def irc_private(nick, target, text=None):
    """Predicate on an IrcClient line: PRIVMSG from `nick` to `target` (a
    nick, not a channel), with text when given."""
    def pred(l):
        return (l.command == "PRIVMSG" and (l.nick or "").lower() == nick.lower()
                and (l.params[:1] or [""])[0].lower() == target.lower()
                and (text is None or l.last == text))
    return pred


async def still_in_channel(c, room, channel, member, body):
    """`member` (a raw IRC client) is still in channel as far as both sides
    see it: the user's message reaches it in the channel and its answer
    reaches the user. Fails if it was kicked (a KICK line, or a 307 or any
    unavailable presence from its occupant JID) before that round trip."""
    say(c, room, body)
    await irc_wait(member, "PRIVMSG", c.nick, channel, body,
                   what="the user's message %r reaching %s in %s" % (body, member.nick, channel))
    kicks = [l for l in member.history if l.command == "KICK"
             and (l.params[1:2] or [""])[0].lower() == member.nick.lower()]
    assert not kicks, "IRC %s was kicked: %s" % (member.nick, kicks[0])
    member.privmsg(channel, "still here")
    await c.expect(groupchat_from(occupant(room, member.nick), "still here"),
                   "%s's message in %s (still an occupant)" % (member.nick, channel))
    gone = [st for st in c.inbox
            if presence_from(occupant(room, member.nick), "unavailable")(st)]
    assert not gone, "%s: unexpected unavailable presence of %s:\n%s" % (
        c.bare, member.nick, gone[0])
