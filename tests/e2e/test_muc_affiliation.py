"""Affiliations through muc#admin (XEP-0045 9.1, 10.6): an operator user
bans an occupant by nick or by its JID (IRC MODE +b nick!*@* and a KICK;
the banned nick cannot join again), makes one a member (+v) or an admin
(+o), and gives affiliation none (-b and the prefix modes taken). A JID
that is not an address of this gateway is refused."""
from harness.client import error_condition
from harness.ircclient import irc_jid
from harness.muc import (admin_item, admin_query, expect_occupant, irc_wait, join_channel,
                         member_joins, op_user, user_in_room)
from harness.util import STANZA_TIMEOUT


async def set_affiliation(c, room, affiliation, nick=None, jid=None, reason=None):
    item = admin_item(nick, affiliation=affiliation, reason=reason)
    if jid is not None:
        item = item.replace("<item", "<item jid='%s'" % jid, 1)
    return await c.iq(room, "set", admin_query(item), STANZA_TIMEOUT)


async def expect_mode(watcher, setter, channel, modes, arg):
    line = await irc_wait(watcher, "MODE", setter, channel,
                          what="MODE %s %s %s" % (channel, modes, arg))
    assert [p.lower() for p in line.params[1:]] == [modes, arg.lower()], (
        "IRC: expected MODE %s %s %s, got %s" % (channel, modes, arg, line))


async def test_ban_by_nick_and_by_jid(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    carol = await member_joins(ircs, c, room, channel, "carol")
    dave = await member_joins(ircs, c, room, channel, "dave")
    await op_user(bob, channel, c, room)

    r = await set_affiliation(c, room, "outcast", nick=carol.nick, reason="spam")
    assert r["type"] == "result", "ban of %s: expected a result:\n%s" % (carol.nick, r)
    await expect_mode(bob, c.nick, channel, "+b", carol.nick + "!*@*")
    k = await irc_wait(carol, "KICK", c.nick, channel, what="the KICK of %s" % carol.nick)
    assert k.last == "spam", k
    await expect_occupant(c, room, carol.nick, "unavailable", codes=("301",),
                          what="carol's unavailable presence (banned: 301)")
    carol.send("JOIN %s" % channel)
    await carol.expect(lambda l: l.command == "474", "474 (banned) for carol's JOIN")

    r = await set_affiliation(c, room, "outcast", jid=irc_jid(dave.nick))
    assert r["type"] == "result", "ban of %s by JID: expected a result:\n%s" % (dave.nick, r)
    await expect_mode(bob, c.nick, channel, "+b", dave.nick + "!*@*")
    await expect_occupant(c, room, dave.nick, "unavailable", codes=("301",),
                          what="dave's unavailable presence (banned by JID: 301)")

    # Affiliation none lifts the ban.
    r = await set_affiliation(c, room, "none", nick=carol.nick)
    assert r["type"] == "result", r
    await expect_mode(bob, c.nick, channel, "-b", carol.nick + "!*@*")
    await join_channel(carol, channel)
    await expect_occupant(c, room, carol.nick, role="participant",
                          what="carol back after the ban was lifted")


async def test_member_admin_none(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    erin = await member_joins(ircs, c, room, channel, "erin")
    await op_user(bob, channel, c, room)

    r = await set_affiliation(c, room, "member", nick=erin.nick)
    assert r["type"] == "result", r
    await expect_mode(bob, c.nick, channel, "+v", erin.nick)
    await expect_occupant(c, room, erin.nick, role="participant", affiliation="member")
    r = await set_affiliation(c, room, "admin", jid=irc_jid(erin.nick))
    assert r["type"] == "result", r
    await expect_mode(bob, c.nick, channel, "+o", erin.nick)
    await expect_mode(bob, c.nick, channel, "-v", erin.nick)  # only the asked mode stays
    await expect_occupant(c, room, erin.nick, role="moderator", affiliation="admin")
    r = await set_affiliation(c, room, "none", nick=erin.nick)
    assert r["type"] == "result", r
    await expect_mode(bob, c.nick, channel, "-o", erin.nick)
    await expect_occupant(c, room, erin.nick, role="participant", affiliation="none")


async def test_refused_addresses(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    await op_user(bob, channel, c, room)
    r = await set_affiliation(c, room, "outcast", jid="someone@elsewhere.example")
    assert r["type"] == "error" and error_condition(r) == "not-acceptable", r
    r = await set_affiliation(c, room, "outcast", jid=irc_jid("x", server="irc.example.org"))
    assert r["type"] == "error" and error_condition(r) == "not-acceptable", r
    # A member who is not in the channel cannot get a prefix mode.
    r = await set_affiliation(c, room, "member", nick="nobodyhere")
    assert r["type"] == "error" and error_condition(r) == "item-not-found", r
    # Neither a nick nor a JID; both a role and an affiliation.
    r = await c.iq(room, "set", admin_query("<item affiliation='outcast'/>"), STANZA_TIMEOUT)
    assert r["type"] == "error" and error_condition(r) == "bad-request", r
    r = await c.iq(room, "set", admin_query(admin_item(bob.nick, role="none",
                                                       affiliation="outcast")),
                   STANZA_TIMEOUT)
    assert r["type"] == "error" and error_condition(r) == "bad-request", r
