"""Moderation through muc#admin (XEP-0045 8.2, 9.6): an operator user kicks
an occupant (IRC KICK with the reason, 307) and makes one a moderator
(MODE +o); without operator rights the IRC server refuses (482) and the
kick's IQ gets that refusal (forbidden, with the server's reason); an unknown nick is item-not-found; a resource that did not
join cannot moderate."""
from harness.client import error_condition
from harness.ircclient import fresh_nick, stanza_text
from harness.muc import (expect_occupant, irc_wait, member_joins, op_user, room_notice,
                         set_role, still_in_channel, user_in_room)


async def test_kick(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    carol = await member_joins(ircs, c, room, channel, "carol")
    await op_user(bob, channel, c, room)

    r = await set_role(c, room, carol.nick, "none", "bye")
    assert r["type"] == "result", "the kick of %s: expected a result:\n%s" % (carol.nick, r)
    k = await irc_wait(carol, "KICK", c.nick, channel, what="the KICK of %s by %s"
                       % (carol.nick, c.nick))
    assert (k.params[1:2] or [""])[0].lower() == carol.nick.lower() and k.last == "bye", (
        "IRC: expected KICK %s %s :bye, got %s" % (channel, carol.nick, k))
    await expect_occupant(c, room, carol.nick, "unavailable", codes=("307",),
                          what="carol's unavailable presence with 307 (kicked)")


async def test_grant_moderator(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    dave = await member_joins(ircs, c, room, channel, "dave")
    await op_user(bob, channel, c, room)

    r = await set_role(c, room, dave.nick, "moderator")
    assert r["type"] == "result", "role moderator for %s: expected a result:\n%s" % (dave.nick, r)
    m = await irc_wait(dave, "MODE", c.nick, channel, what="MODE %s +o %s by %s"
                       % (channel, dave.nick, c.nick))
    assert [p.lower() for p in m.params[1:]] == ["+o", dave.nick.lower()], (
        "IRC: expected MODE %s +o %s, got %s" % (channel, dave.nick, m))
    await expect_occupant(c, room, dave.nick, role="moderator",
                          what="dave's presence as moderator")


async def test_kick_without_op(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    carol = await member_joins(ircs, c, room, channel, "carol")

    r = await set_role(c, room, carol.nick, "none", "you should not see this")
    # The KICK goes to IRC and the answer waits for the server's: 482, as
    # forbidden with the server's own words.
    assert r["type"] == "error" and error_condition(r) == "forbidden", (
        "the kick without op: expected error forbidden (the IRC server's 482):\n%s" % r)
    # ngIRCd 26 words a refused KICK so.
    assert stanza_text(r).strip() == ("you are not a channel operator: Your privileges are "
                                      "too low"), r
    await still_in_channel(c, room, channel, carol, "carol, you stay")
    await c.expect_none(room_notice(room), "a room message about the refused kick (its IQ "
                        "error says it)", 0)


async def test_unknown_nick_and_not_joined(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    carol = await member_joins(ircs, c, room, channel, "carol")
    await op_user(bob, channel, c, room)

    nobody = fresh_nick("nobody")
    r = await set_role(c, room, nobody, "none", "who?")
    assert r["type"] == "error" and error_condition(r) == "item-not-found", (
        "the kick of %s (not in the room): expected error item-not-found:\n%s" % (nobody, r))

    other = await clients.login(c.bare, c.password, resource="not-joined")
    r = await set_role(other, room, carol.nick, "none", "from outside")
    assert r["type"] == "error", (
        "a kick from a resource that did not join %s: expected an error (not-acceptable "
        "or forbidden):\n%s" % (room, r))
    await still_in_channel(c, room, channel, carol, "carol is safe")
