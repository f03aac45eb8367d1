"""Private messages through a room (XEP-0045 7.5): a chat message to
room/nick is a PRIVMSG to that nick; a PRIVMSG from someone sharing a room
comes from their occupant JID with <x xmlns='…muc#user'/>; from someone
sharing none, from their contact JID as before. A message to a nick that
is not an occupant still goes to IRC."""
from harness.ircclient import fresh_nick, irc_jid, message_from
from harness.muc import (NS_MUC_USER, irc_private, muc_x, occupant, private_from,
                         private_message, user_in_room)


async def test_private_both_ways(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    private_message(c, room, bob.nick, "just between us")
    await bob.expect(irc_private(c.nick, bob.nick, "just between us"),
                     "PRIVMSG %s :just between us from %s (private, not to %s)"
                     % (bob.nick, c.nick, channel))

    bob.privmsg(c.nick, "hi")
    bob_occ = occupant(room, bob.nick)
    await c.expect(private_from(bob_occ, "hi"), "bob's private reply as a chat message from "
                   "%s with <x xmlns='%s'/>" % (bob_occ, NS_MUC_USER))


async def test_private_outside_the_room(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    dave = await ircs.new(prefix="dave")        # on IRC, in no channel with the user

    dave.privmsg(c.nick, "we share nothing")
    m = await c.expect(message_from(irc_jid(dave.nick), "chat", "we share nothing"),
                       "dave's PRIVMSG as a chat message from %s" % irc_jid(dave.nick))
    assert muc_x(m) is None, "a private message from outside the room has a muc#user <x/>:\n%s" % m

    private_message(c, room, dave.nick, "are you there?")
    await dave.expect(irc_private(c.nick, dave.nick, "are you there?"),
                      "PRIVMSG %s from %s (to %s, not an occupant)"
                      % (dave.nick, c.nick, occupant(room, dave.nick)))


async def test_private_to_nobody(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    nobody = fresh_nick("nobody")
    private_message(c, room, nobody, "anyone?")      # ngircd: 401 No such nick
    private_message(c, room, bob.nick, "after the void")
    await bob.expect(irc_private(c.nick, bob.nick, "after the void"),
                     "the private message to bob after one to the unknown %s" % nobody)
    bob.privmsg(c.nick, "still here")
    await c.expect(private_from(occupant(room, bob.nick), "still here"),
                   "bob's private reply after the message to %s" % nobody)
