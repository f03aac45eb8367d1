"""Other occupants as the channel changes: a JOIN is a participant, +v a
member, +o a moderator; a NICK is unavailable with 303 and the new nick,
then available under it; PART, KICK (307) and QUIT are unavailable."""
from harness.muc import (check_occupant, expect_in_order, expect_occupant, irc_mode, irc_wait,
                         join_channel, occupant, presence_from, user_in_room)



async def test_join_voice_op_nick_part(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    carol = await ircs.new(prefix="carol")
    await join_channel(carol, channel)
    await expect_occupant(c, room, carol.nick, role="participant", affiliation="none",
                          what="carol's presence after her JOIN")

    await irc_mode(bob, channel, "+v %s" % carol.nick)
    await expect_occupant(c, room, carol.nick, role="participant", affiliation="member",
                          what="carol's presence after +v")
    await irc_mode(bob, channel, "+o %s" % carol.nick)
    await expect_occupant(c, room, carol.nick, role="moderator",
                          what="carol's presence after +o")

    old, new = carol.nick, carol.nick + "2"
    carol.send("NICK %s" % new)
    await irc_wait(carol, "NICK", old, what="carol's NICK %s echoed" % new)
    carol.nick = new
    (gone,), (back,) = await expect_in_order(c, [
        [(presence_from(occupant(room, old), "unavailable"),
          "the unavailable presence from %s" % occupant(room, old))],
        [(presence_from(occupant(room, new)), "the available presence from %s"
          % occupant(room, new))]])
    check_occupant(gone, codes=("303",), nick=new)

    carol.send("PART %s :see you later" % channel)
    await expect_occupant(c, room, new, "unavailable", what="carol2's unavailable presence (PART)")


async def test_kick_and_quit(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    dave = await ircs.new(prefix="dave")
    eve = await ircs.new(prefix="eve")
    for other in (dave, eve):
        await join_channel(other, channel)
        await expect_occupant(c, room, other.nick, role="participant")

    bob.send("KICK %s %s :behave" % (channel, dave.nick))
    await irc_wait(bob, "KICK", bob.nick, channel, what="the KICK of %s echoed" % dave.nick)
    await expect_occupant(c, room, dave.nick, "unavailable", codes=("307",),
                          what="dave's unavailable presence with 307 (kicked)")

    await eve.quit("gone fishing")
    await expect_occupant(c, room, eve.nick, "unavailable",
                          what="eve's unavailable presence (QUIT)")
