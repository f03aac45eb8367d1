"""Hostile input in a room: a line with mIRC formatting and Latin-1 arrives
sanitised; an occupant whose nick is full of characters JIDs escape
elsewhere (\\ [ ] { } | ^) is a resource as it is, and the link survives."""
import secrets

from harness.muc import (connect_raw_nick, expect_occupant, groupchat_from, irc_wait,
                         join_channel, occupant, say, user_in_room)


async def test_formatting_and_latin1_sanitised(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    bob_occ = occupant(room, bob.nick)
    bob.send(b"PRIVMSG " + channel.encode() + b" :\x0304red\x03 \x02bold\x02 caf\xe9")
    m = await c.expect(groupchat_from(bob_occ), "bob's formatted Latin-1 line from %s" % bob_occ)
    assert m["body"] == "red bold caf\u00e9", "body %r, expected 'red bold caf\u00e9'" % m["body"]

    bob.privmsg(channel, "still there?")
    await c.expect(groupchat_from(bob_occ, "still there?"), "bob's next message")
    say(c, room, "yes")
    await irc_wait(bob, "PRIVMSG", c.nick, channel, "yes")


async def test_nick_with_escaping_characters(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    nick = "a\\b[c]{d}|e^" + secrets.token_hex(3)
    odd = await connect_raw_nick(ircs, nick)
    await join_channel(odd, channel)
    await expect_occupant(c, room, nick, role="participant",
                          what="the presence of %r from %s (the nick as the resource)"
                          % (nick, occupant(room, nick)))

    odd.privmsg(channel, "odd but fine")
    await c.expect(groupchat_from(occupant(room, nick), "odd but fine"),
                   "a message from %s" % occupant(room, nick))
    say(c, room, "hello %s" % nick)
    await irc_wait(odd, "PRIVMSG", c.nick, channel, "hello %s" % nick)
    bob.privmsg(channel, "after the odd nick")
    await c.expect(groupchat_from(occupant(room, bob.nick), "after the odd nick"),
                   "bob's message after the odd nick (the link survived)")
