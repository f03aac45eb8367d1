"""Messages in a room: the user's groupchat message reaches the channel and
is reflected with a stanza-id (by the room) and its origin-id; bob's
PRIVMSG, CTCP ACTION (/me) and NOTICE arrive from his occupant JID; a
subject from the user becomes TOPIC, bob's TOPIC becomes a subject."""
from harness.client import q
from harness.muc import (NS_SID, expect_subject, groupchat_from, irc_topic, irc_wait, is_message,
                         occupant, origin_id, say, set_subject, user_in_room)



def check_reflection(m, room, oid):
    """A reflection has <stanza-id by=room id=…/> and the sender's origin-id;
    returns the stanza-id."""
    sid = m.xml.find(q(NS_SID, "stanza-id"))
    assert sid is not None, "the reflection has no stanza-id:\n%s" % m
    assert sid.get("by") == room and sid.get("id"), (
        "the reflection's stanza-id should have by=%s and an id:\n%s" % (room, m))
    oids = m.xml.findall(q(NS_SID, "origin-id"))
    assert [o.get("id") for o in oids] == [oid], (
        "the reflection should carry the origin-id %s once:\n%s" % (oid, m))
    return sid.get("id")


async def test_groupchat_both_ways(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    me = occupant(room, c.nick)

    oid = origin_id()
    say(c, room, "hello from xmpp", oid)
    await irc_wait(bob, "PRIVMSG", c.nick, channel, "hello from xmpp")
    m = await c.expect(groupchat_from(me, "hello from xmpp"),
                       "the reflection of the user's message from %s" % me)
    sid1 = check_reflection(m, room, oid)

    oid2 = origin_id()
    say(c, room, "a second one", oid2)
    await irc_wait(bob, "PRIVMSG", c.nick, channel, "a second one")
    m = await c.expect(groupchat_from(me, "a second one"), "the reflection of the second message")
    sid2 = check_reflection(m, room, oid2)
    assert sid1 != sid2, "two reflections with the same stanza-id %s" % sid1

    bob.privmsg(channel, "hello")
    await c.expect(groupchat_from(occupant(room, bob.nick), "hello"),
                   "bob's PRIVMSG %s as a groupchat message from %s"
                   % (channel, occupant(room, bob.nick)))


async def test_action_and_notice(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    bob_occ = occupant(room, bob.nick)

    say(c, room, "/me waves")
    await irc_wait(bob, "PRIVMSG", c.nick, channel, "\x01ACTION waves\x01",
                   what="/me waves as a CTCP ACTION to %s" % channel)
    await c.expect(groupchat_from(occupant(room, c.nick), "/me waves"),
                   "the reflection of /me waves")

    bob.ctcp(channel, "ACTION waves")
    await c.expect(groupchat_from(bob_occ, "/me waves"), "bob's ACTION as /me waves from %s"
                   % bob_occ)

    bob.notice(channel, "a notice for the channel")
    await c.expect(lambda st: is_message(st) and str(st["from"]) == bob_occ
                   and "a notice for the channel" in (st["body"] or ""),
                   "bob's NOTICE %s as a message from %s" % (channel, bob_occ))


async def test_subject_both_ways(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs, topic="old topic")

    set_subject(c, room, "new topic")
    await irc_wait(bob, "TOPIC", c.nick, channel, "new topic",
                   what="TOPIC %s :new topic from %s" % (channel, c.nick))
    await expect_subject(c, room, "new topic", frm=(room, occupant(room, c.nick)),
                         what="the new subject from the room")

    await irc_topic(bob, channel, "bob's topic")
    await expect_subject(c, room, "bob's topic", frm=occupant(room, bob.nick),
                         what="bob's TOPIC as a subject from %s" % occupant(room, bob.nick))
