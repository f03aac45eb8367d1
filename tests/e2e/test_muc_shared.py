"""Several bridged users in one channel, each on their own IRC connection.
The gateway holds the channel's members once for all of them (not once per
connection), and each connection reads the same JOIN, MODE, NICK, PART and
QUIT at its own moment: every bridged user must still be told every change,
ending where IRC is, and a resource joining later gets the occupants as
they are now (listed by the IRC side, not kept per user by the core)."""
import asyncio

from harness.client import NS_DATA, NS_DISCO_INFO, form_fields, q
from harness.ircclient import irc_user
from harness.muc import (bob_in_channel, change_nick, check_occupant, expect_join,
                         expect_occupant, irc_mode, irc_wait, join, join_channel, leave,
                         occupant, presence_from, room_jid)
from harness.util import STANZA_TIMEOUT

USERS = 3


async def bridged_users(clients, ircs, n=USERS):
    """bob (raw IRC, operator) and n bridged users in one fresh channel; each
    user has seen everyone who joined before it, and the later ones."""
    bob, channel = await bob_in_channel(ircs, topic="shared")
    room = room_jid(channel)
    users = []
    for _ in range(n):
        c = await irc_user(clients)
        join(c, room, c.nick)
        await expect_join(c, room, c.nick, others=[bob.nick] + [u.nick for u in users],
                          subject="shared")
        await irc_wait(bob, "JOIN", c.nick, channel, what="the IRC JOIN of %s" % c.nick)
        for u in users:
            await expect_occupant(u, room, c.nick, role="participant",
                                  what="%s's presence at %s" % (c.nick, u.nick))
        users.append(c)
    return bob, channel, room, users


async def everyone(users, room, nick, ptype=None, **kw):
    """Each user gets the presence of room/nick (checked like expect_occupant)."""
    return await asyncio.gather(*(expect_occupant(u, room, nick, ptype, what="%s presence from "
                                                  "%s at %s" % (ptype or "available", nick,
                                                                u.nick), **kw)
                                  for u in users))


async def test_every_user_sees_every_change(server, irc_gateway, clients, ircs):
    bob, channel, room, users = await bridged_users(clients, ircs)
    carol = await ircs.new(prefix="carol")
    await join_channel(carol, channel)
    await everyone(users, room, carol.nick, role="participant", affiliation="none")

    await irc_mode(bob, channel, "+o %s" % carol.nick)
    await everyone(users, room, carol.nick, role="moderator", affiliation="admin")
    # One MODE line, two changes: each is told, and the last is what IRC
    # says now. (Modes are held once for all connections: a connection
    # reading the line after another may show the final state already in
    # the first of the two presences.)
    await irc_mode(bob, channel, "-o+v %s %s" % (carol.nick, carol.nick))
    await everyone(users, room, carol.nick, role="participant")
    await everyone(users, room, carol.nick, role="participant", affiliation="member")

    old, new = carol.nick, carol.nick + "x"
    carol.send("NICK %s" % new)
    await irc_wait(carol, "NICK", old, what="carol's NICK echoed")
    carol.nick = new
    gone = await everyone(users, room, old, "unavailable", codes=("303",))
    for st in gone:
        check_occupant(st, nick=new)
    # The modes went with the nick.
    await everyone(users, room, new, role="participant", affiliation="member")

    carol.send("PART %s :bye" % channel)
    await everyone(users, room, new, "unavailable")

    # A bridged user leaving is seen by the others, once.
    leaver = users.pop()
    leave(leaver, room, leaver.nick)
    await irc_wait(bob, "PART", leaver.nick, channel, what="the PART of %s" % leaver.nick)
    await everyone(users, room, leaver.nick, "unavailable")

    dave = await ircs.new(prefix="dave")
    await join_channel(dave, channel)
    await everyone(users, room, dave.nick, role="participant")
    await dave.quit("done")
    await everyone(users, room, dave.nick, "unavailable")


async def test_late_resource_gets_occupants_as_they_are(server, irc_gateway, clients, ircs):
    bob, channel, room, users = await bridged_users(clients, ircs)
    first = users[0]
    carol = await ircs.new(prefix="carol")
    await join_channel(carol, channel)
    await irc_mode(bob, channel, "+v %s" % carol.nick)
    await everyone(users, room, carol.nick, role="participant", affiliation="none")
    await everyone(users, room, carol.nick, role="participant", affiliation="member")
    # One bridged user leaves: no longer an occupant for anyone.
    leaver = users[-1]
    leave(leaver, room, leaver.nick)
    await irc_wait(bob, "PART", leaver.nick, channel, what="the PART of %s" % leaver.nick)
    await everyone(users[:-1], room, leaver.nick, "unavailable")

    second = await clients.login(first.bare, first.password, resource="late")
    join(second, room, first.nick)
    others = [bob.nick, carol.nick] + [u.nick for u in users[1:-1]]
    occ, me, _ = await expect_join(second, room, first.nick, others=others, subject="shared")
    check_occupant(occ[bob.nick], role="moderator", affiliation="admin")
    check_occupant(occ[carol.nick], role="participant", affiliation="member")
    await second.expect_none(presence_from(occupant(room, leaver.nick)),
                             "a presence of %s, who left, at the late resource" % leaver.nick,
                             1.0)

    # Room disco counts the occupants the IRC side lists, the user included.
    r = await second.iq_ok(room, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO,
                           what="disco#info on the room %s" % room)
    forms = [form_fields(x) for x in r.xml.iter(q(NS_DATA, "x"))]
    counts = [(f.get("muc#roominfo_occupants") or {}).get("values") for f in forms]
    assert [str(len(others) + 1)] in counts, "occupants in the roominfo form: %s, expected " \
        "%d:\n%s" % (counts, len(others) + 1, r)


async def test_nick_change_of_one_user_seen_by_the_others(server, irc_gateway, clients, ircs):
    bob, channel, room, users = await bridged_users(clients, ircs, n=2)
    a, b = users
    new = a.nick + "n"
    change_nick(a, room, new)
    await irc_wait(bob, "NICK", a.nick, what="the NICK of %s" % a.nick, timeout=STANZA_TIMEOUT)
    gone = await expect_occupant(b, room, a.nick, "unavailable", codes=("303",))
    check_occupant(gone, nick=new)
    await expect_occupant(b, room, new, role="participant")
