"""The IRC server dies (SIGKILL) and restarts while the user is in a room:
the occupants become unavailable; the gateway reconnects by itself and
rejoins, the user gets the occupants and its self-presence again, and
messages flow both ways."""
import asyncio

from harness.muc import (channel_members, check_occupant, expect_occupant, groupchat_from,
                         irc_wait, join_channel, occupant, presence_from, say, user_in_room)


async def test_rejoin_after_server_restart(server, irc_gateway, ngircd, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    me = occupant(room, c.nick)
    c.clear()

    # SIGKILL: the connection just drops, no QUIT of the other users (on
    # SIGTERM ngIRCd sends those), so the gateway's own clean-up is tested.
    ngircd.proc.kill()
    ngircd.proc.wait(10)
    ngircd.stop()
    await expect_occupant(c, room, bob.nick, "unavailable",
                          what="bob's unavailable presence (the IRC connection was lost)")
    await asyncio.sleep(0.5)
    ngircd.start()

    # bob reconnects under the same nick; the gateway may rejoin before or
    # after him, so the two presences may come in either order.
    bob2 = await ircs.new(bob.nick)
    await join_channel(bob2, channel)
    self_again = await c.expect(presence_from(me), "the self-presence from %s after the "
                                "gateway rejoined" % me, timeout=20)
    check_occupant(self_again, codes=("110",))
    await c.expect(presence_from(occupant(room, bob.nick)),
                   "bob's presence again after the restart")
    names = await channel_members(bob2, channel)
    assert c.nick.lower() in names, "%s is not in %s after the restart (NAMES: %s)" % (
        c.nick, channel, " ".join(sorted(names)))

    bob2.privmsg(channel, "welcome back")
    await c.expect(groupchat_from(occupant(room, bob.nick), "welcome back"),
                   "bob's message after the restart")
    say(c, room, "glad to be back")
    await irc_wait(bob2, "PRIVMSG", c.nick, channel, "glad to be back")
