"""Closing: leaving the last room on a server, with no private chat open,
closes the user's IRC connection (QUIT); a recent private chat keeps it
(private_chat_open_s), and so does a room still joined. A join IRC refused
and a kick out of the last room close it too."""
import asyncio

import pytest

from harness.ircclient import irc_jid, irc_user
from harness.muc import (bob_in_channel, expect_error_presence, expect_join, expect_occupant,
                         irc_mode, irc_wait, join, leave, room_jid, user_in_room)


@pytest.fixture(scope="module")
def irc_options():
    return {"private_chat_open_s": 3}


async def gone(bob, nick, timeout=10):
    await bob.wait_online(nick, want=False, timeout=timeout)


async def test_leaving_last_room_quits(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    # A second room on the same server: leaving the first keeps the connection.
    carol, channel2 = await bob_in_channel(ircs, prefix="carol")
    room2 = room_jid(channel2)
    join(c, room2, c.nick)
    await expect_join(c, room2, c.nick, others=[carol.nick], subject="")
    leave(c, room, c.nick)
    await asyncio.sleep(1.0)
    assert await bob.online(c.nick), "the connection closed while a room was still joined"
    leave(c, room2, c.nick)
    await gone(bob, c.nick)


async def test_private_chat_keeps_it_open_for_a_while(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    c.chat(irc_jid(bob.nick), "a private word")
    await bob.expect_privmsg(c.nick, "a private word")
    leave(c, room, c.nick)
    await asyncio.sleep(1.0)
    assert await bob.online(c.nick), "the connection closed during a private chat"
    # The chat is over once private_chat_open_s (3 s) passed: the next
    # room to leave closes it.
    await asyncio.sleep(2.5)
    join(c, room, c.nick)
    await expect_join(c, room, c.nick, others=[bob.nick], subject="a topic")
    leave(c, room, c.nick)
    await gone(bob, c.nick)


async def test_refused_join_closes_it(server, irc_gateway, clients, ircs):
    c = await irc_user(clients)
    bob, channel = await bob_in_channel(ircs)
    await irc_mode(bob, channel, "+b %s!*@*" % c.nick)
    room = room_jid(channel)
    join(c, room, c.nick)
    await expect_error_presence(c, room, "forbidden", "the error presence for a banned join")
    # The connection was opened for this join alone: nothing uses it now.
    await gone(bob, c.nick)


async def test_kick_out_of_last_room_closes_it(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    bob.send("KICK %s %s :out" % (channel, c.nick))
    await irc_wait(bob, "KICK", bob.nick, channel, what="the KICK echoed")
    await expect_occupant(c, room, c.nick, "unavailable", codes=("307", "110"),
                          what="the user's own unavailable presence (kicked)")
    await gone(bob, c.nick)
