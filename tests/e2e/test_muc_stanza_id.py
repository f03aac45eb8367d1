"""One stanza-id per room message: every resource of a user in a room gets
the same XEP-0359 stanza-id for the same message (from IRC, and the
reflection of the user's own), and different messages get different ones."""
from harness.client import q
from harness.muc import (NS_SID, expect_join, groupchat_from, irc_wait, join, occupant,
                         origin_id, say, user_in_room)


def stanza_id(m, room):
    sid = m.xml.find(q(NS_SID, "stanza-id"))
    assert sid is not None and sid.get("by") == room and sid.get("id"), (
        "no stanza-id by %s:\n%s" % (room, m))
    return sid.get("id")


async def test_every_resource_sees_one_stanza_id(server, irc_gateway, clients, ircs):
    first, bob, channel, room = await user_in_room(clients, ircs)
    second = await clients.login(first.bare, first.password, resource="second")
    join(second, room, first.nick)
    await expect_join(second, room, first.nick, others=[bob.nick], subject="a topic")

    ids = []
    for text in ("one from irc", "two from irc"):
        bob.privmsg(channel, text)
        frm = occupant(room, bob.nick)
        got = [stanza_id(await c.expect(groupchat_from(frm, text), "%r at %s" % (text, c.jid)),
                         room) for c in (first, second)]
        assert got[0] == got[1], "the two resources got different stanza-ids: %s" % got
        ids.append(got[0])
    assert ids[0] != ids[1], "two messages share the stanza-id %s" % ids[0]

    me = occupant(room, first.nick)
    say(first, room, "mine", origin_id())
    await irc_wait(bob, "PRIVMSG", first.nick, channel, "mine")
    got = [stanza_id(await c.expect(groupchat_from(me, "mine"), "the reflection at %s" % c.jid),
                     room) for c in (first, second)]
    assert got[0] == got[1], "the reflections carry different stanza-ids: %s" % got
    assert got[0] not in ids
