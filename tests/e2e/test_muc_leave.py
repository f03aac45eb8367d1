"""Leaving a room: the self-presence unavailable (110) and a PART; a later
join works. Two resources of one user share one membership: the second
gets the occupants and subject without a second JOIN, both get the
messages, and only the last one leaving PARTs."""
from harness.client import NS_DISCO_INFO
from harness.muc import (expect_join, expect_occupant, groupchat_from, irc_line, irc_wait, join,
                         leave, occupant, say, user_in_room)


async def said_in_channel(c, nick, room, bob, channel, body):
    """c (as nick) says body in room and bob reads it on IRC: the gateway's
    lines on the user's IRC connection before it (a JOIN, a PART) reached
    bob first."""
    say(c, room, body)
    await irc_wait(bob, "PRIVMSG", nick, channel, text=body,
                   what="%r from %s in %s" % (body, nick, channel))


async def test_leave_and_join_again(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs, topic="come and go")
    leave(c, room, c.nick)
    await expect_occupant(c, room, c.nick, "unavailable", codes=("110",),
                          what="the user's own unavailable presence (110)")
    await irc_wait(bob, "PART", c.nick, channel, what="the PART of %s" % c.nick)

    join(c, room, c.nick)
    await expect_join(c, room, c.nick, others=[bob.nick], subject="come and go")
    await irc_wait(bob, "JOIN", c.nick, channel, what="the second JOIN of %s" % c.nick)


async def test_two_resources_one_membership(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs, topic="two of us")
    c2 = await clients.login(c.bare, c.password, resource="second")

    join(c2, room, c.nick)
    await expect_join(c2, room, c.nick, others=[bob.nick], subject="two of us")
    await said_in_channel(c2, c.nick, room, bob, channel, "joined twice")
    await bob.expect_none(irc_line("JOIN", c.nick, channel),
                          "a second JOIN of %s (its second resource joined)" % c.nick, 0)

    bob.privmsg(channel, "to both of you")
    for r, name in ((c, "the first"), (c2, "the second")):
        await r.expect(groupchat_from(occupant(room, bob.nick), "to both of you"),
                       "bob's message in %s reaching %s resource" % (channel, name))

    leave(c, room, c.nick)
    await expect_occupant(c, room, c.nick, "unavailable", codes=("110",),
                          what="the first resource's own unavailable presence (110)")
    bob.privmsg(channel, "only for the second")
    await c2.expect(groupchat_from(occupant(room, bob.nick), "only for the second"),
                    "bob's message reaching the second resource, still in the room")
    await said_in_channel(c2, c.nick, room, bob, channel, "still here")
    await bob.expect_none(irc_line("PART", c.nick, channel),
                          "a PART of %s while its second resource is in the room" % c.nick, 0)
    # The gateway's answer to the resource that left comes after anything
    # it sent it before (one stream, one session).
    await c.iq_ok(room, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO,
                  what="disco#info of the room, after bob's message")
    await c.expect_none(groupchat_from(occupant(room, bob.nick)),
                        "a message from the room to the resource that left", 0)

    leave(c2, room, c.nick)
    await expect_occupant(c2, room, c.nick, "unavailable", codes=("110",),
                          what="the second resource's own unavailable presence (110)")
    await irc_wait(bob, "PART", c.nick, channel, what="the PART of %s (its last resource left)"
                   % c.nick)
