"""Joining a room (an IRC channel): the occupants, then the self-presence
(110; 210 when IRC changed the nick), then the subject, in this order;
bob sees the JOIN. An empty topic is an empty <subject/>. The room
password is the channel key; IRC's refusals (475 bad key, 474 banned, 473
invite-only, 471 full) come back as error presences."""
import pytest

from harness.ircclient import fresh_nick, irc_user
from harness.muc import (bob_in_channel, check_occupant, expect_error_presence, expect_join,
                         irc_mode, irc_wait, join, room_jid, status_codes)



async def test_join_occupants_self_subject(server, irc_gateway, clients, ircs):
    topic = "the topic of the day"
    bob, channel = await bob_in_channel(ircs, topic=topic)
    c = await irc_user(clients)
    room = room_jid(channel)
    join(c, room, c.nick)
    occ, me, _ = await expect_join(c, room, c.nick, others=[bob.nick], subject=topic,
                                   role="participant")
    check_occupant(occ[bob.nick], role="moderator", affiliation="admin")
    assert "110" not in status_codes(occ[bob.nick]), "bob's presence has status 110:\n%s" % (
        occ[bob.nick])
    assert "210" not in status_codes(me), "status 210 though the nick was kept:\n%s" % me
    await irc_wait(bob, "JOIN", c.nick, channel, what="the IRC JOIN of %s" % c.nick)


async def test_nick_changed_by_the_network_210(server, irc_gateway, clients, ircs):
    """The user's nick is taken on IRC: the gateway's connection gets it with
    "_" appended, and the self-presence comes from that nick with 110 and 210."""
    nick = fresh_nick("x")
    await ircs.new(nick)          # the squatter
    bob, channel = await bob_in_channel(ircs)
    c = await irc_user(clients, nick=nick)
    room = room_jid(channel)
    join(c, room, nick)
    await expect_join(c, room, nick + "_", others=[bob.nick], codes=("110", "210"), subject="")
    await irc_wait(bob, "JOIN", nick + "_", channel, what="the IRC JOIN of %s_" % nick)


async def test_room_without_topic_has_empty_subject(server, irc_gateway, clients, ircs):
    bob, channel = await bob_in_channel(ircs)
    c = await irc_user(clients)
    room = room_jid(channel)
    join(c, room, c.nick)
    await expect_join(c, room, c.nick, others=[bob.nick], subject="")


async def test_password_is_channel_key(server, irc_gateway, clients, ircs):
    bob, channel = await bob_in_channel(ircs)
    await irc_mode(bob, channel, "+k secret")
    c = await irc_user(clients)
    room = room_jid(channel)

    join(c, room, c.nick)
    await expect_error_presence(c, room, "not-authorized",
                                "an error presence not-authorized for a join without the key (475)")

    join(c, room, c.nick, password="secret")
    await expect_join(c, room, c.nick, others=[bob.nick], subject="")
    await irc_wait(bob, "JOIN", c.nick, channel, what="the IRC JOIN of %s with the key" % c.nick)


@pytest.mark.parametrize("mode, condition, numeric", [
    ("+b {nick}!*@*", "forbidden", 474),
    ("+i", "registration-required", 473),
    ("+l 1", "service-unavailable", 471),
], ids=["banned", "invite-only", "full"])
async def test_join_refused(server, irc_gateway, clients, ircs, mode, condition, numeric):
    c = await irc_user(clients)
    bob, channel = await bob_in_channel(ircs)
    await irc_mode(bob, channel, mode.format(nick=c.nick))
    room = room_jid(channel)
    join(c, room, c.nick)
    await expect_error_presence(c, room, condition, "an error presence %s for a join of a channel "
                                "with %s (%d)" % (condition, mode.split()[0], numeric))
