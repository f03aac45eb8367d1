"""The IRC server dies (SIGKILL) and restarts while the user is in two
rooms with several other IRC members each: the user gets exactly one
unavailable self-presence per room, with status 110 and 333 (XEP-0045: out
of the room by a technical problem) and the reason, and no unavailable
presence per member (which, for every member of every room of every
bridged user, could fill any outbox). The gateway reconnects by itself and
rejoins; the user gets the occupants, its self-presence and the subject
again, as at a join, and messages flow both ways."""
import asyncio

from harness.muc import (bob_in_channel, channel_members, check_occupant, groupchat_from,
                         irc_wait, is_presence, join, join_channel, member_joins, occupant,
                         expect_join, presence_from, room_jid, say, status_codes,
                         subject_message, user_in_room)

OTHERS = 3  # IRC members of each room besides the user


async def test_one_status_per_room_after_server_restart(server, irc_gateway, ngircd, clients,
                                                         ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    members = {room: [bob] + [await member_joins(ircs, c, room, channel, "m%d" % i)
                              for i in range(1, OTHERS)]}
    eve, channel2 = await bob_in_channel(ircs, topic="second topic", prefix="eve")
    room2 = room_jid(channel2)
    extra = [await ircs.new(prefix="f%d" % i) for i in range(1, OTHERS)]
    for m in extra:
        await join_channel(m, channel2)
    members[room2] = [eve] + extra
    join(c, room2, c.nick)
    await expect_join(c, room2, c.nick, others=[m.nick for m in members[room2]],
                      subject="second topic")
    channels = {room: channel, room2: channel2}
    c.clear()

    # SIGKILL: the connection just drops, no QUIT of the other users (on
    # SIGTERM ngIRCd sends those), so the gateway's own clean-up is tested.
    ngircd.proc.kill()
    ngircd.proc.wait(10)
    ngircd.stop()
    for r in (room, room2):
        st = await c.expect(presence_from(occupant(r, c.nick), "unavailable"),
                            "the unavailable self-presence from %s (the IRC connection was "
                            "lost)" % r, timeout=20)
        check_occupant(st, role="none", codes=("110", "333"))
        assert st["status"], "the 333 self-presence has no reason as its status:\n%s" % st
    await asyncio.sleep(1.5)
    for r in (room, room2):
        selves = [st for st in c.inbox if is_presence(st) and st.xml.get("type") == "unavailable"
                  and str(st["from"]) == occupant(r, c.nick)]
        assert not selves, "a second unavailable self-presence from %s:\n%s" % (r, selves[0])
    others = [st for st in c.inbox if is_presence(st) and st.xml.get("type") == "unavailable"
              and str(st["from"].bare) in members and st["from"].resource != c.nick]
    assert not others, "%d unavailable presences of members, expected none; the first:\n%s" % (
        len(others), others[0])
    ngircd.start()

    # The members reconnect under the same nicks; the gateway may rejoin
    # before or after them, so their presences may come before or after the
    # self-presence, but every one of them comes.
    again = {}
    for r, ms in members.items():
        again[r] = []
        for m in ms:
            m2 = await ircs.new(m.nick)
            await join_channel(m2, channels[r])
            again[r].append(m2)
    for r in (room, room2):
        st = await c.expect(presence_from(occupant(r, c.nick)), "the self-presence from %s "
                            "after the gateway rejoined" % r, timeout=30)
        check_occupant(st, codes=("110",))
        assert "333" not in status_codes(st)
        await c.expect(subject_message(r), "the subject of %s after the rejoin (it ends a join)"
                       % r)
        for m in members[r]:
            await c.expect(presence_from(occupant(r, m.nick)),
                           "the presence of %s in %s after the restart" % (m.nick, r), timeout=30)
    names = await channel_members(again[room][0], channel)
    assert c.nick.lower() in names, "%s is not in %s after the restart (NAMES: %s)" % (
        c.nick, channel, " ".join(sorted(names)))

    bob2 = again[room][0]
    bob2.privmsg(channel, "welcome back")
    await c.expect(groupchat_from(occupant(room, bob2.nick), "welcome back"),
                   "bob's message after the restart")
    say(c, room, "glad to be back")
    await irc_wait(bob2, "PRIVMSG", c.nick, channel, "glad to be back")
