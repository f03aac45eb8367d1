"""IRCv3 away-notify and server-time against a real server, InspIRCd 3 (its
ircv3, ircv3_servertime and chanhistory modules; one InspIRCd + Atheme for
this module, its own gateway with plain_ports at it).

away-notify:
the gateway asks for away-notify at registration, so another IRC user's
AWAY in a channel the user has joined as a room shows as that occupant's
presence: away with the AWAY text as its status, then available again
when they come back. Their role and affiliation stay as they were. A
bridged user's XMPP away (IRC AWAY) reaches another bridged user in the
room the same way.

server-time: a channel with history (+H) replays its last lines at a join,
stamped with the time they were said; the gateway passes a line older than
5 s on with an XEP-0203 delay carrying that time, and a live line without."""
import asyncio
import time
from datetime import datetime, timezone

from harness.ircd import inspircd, inspircd_irc_port  # noqa: F401 (fixtures)
from harness.ircclient import irc_user
from harness.muc import (bob_in_channel, expect_join, expect_occupant, groupchat_from, irc_mode,
                         join, occupant, room_jid, user_in_room)


def show_and_status(st):
    show = st.xml.find("{jabber:client}show")
    status = st.xml.find("{jabber:client}status")
    return (show.text if show is not None else None,
            status.text if status is not None else None)


async def test_away_and_back_as_occupant_presence(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    c.clear()
    bob.send("AWAY :gone fishing")
    st = await expect_occupant(c, room, bob.nick, role="moderator", affiliation="admin",
                               what="%s away in %s (away-notify)" % (bob.nick, room))
    assert show_and_status(st) == ("away", "gone fishing"), st
    bob.send("AWAY")
    st = await expect_occupant(c, room, bob.nick, role="moderator", affiliation="admin",
                               what="%s back in %s (away-notify)" % (bob.nick, room))
    assert show_and_status(st) == (None, None), st


async def test_bridged_user_away_seen_by_another(server, irc_gateway, clients, ircs):
    """XMPP away of one bridged user is IRC AWAY; the other bridged user in
    the room gets it back through away-notify as that occupant's presence."""
    c, bob, channel, room = await user_in_room(clients, ircs)
    d = await irc_user(clients)
    join(d, room, d.nick)
    await expect_join(d, room, d.nick, others=[bob.nick, c.nick], subject="a topic")
    d.clear()
    c.presence(pshow="away", pstatus="lunch")
    st = await expect_occupant(d, room, c.nick, role="participant",
                               what="%s away in %s, seen by %s" % (c.nick, room, d.nick))
    assert show_and_status(st) == ("away", "lunch"), st


NS_DELAY = "urn:xmpp:delay"


def delay_of(st):
    """The message's XEP-0203 delay element, or None."""
    return st.xml.find("{%s}delay" % NS_DELAY)


async def test_history_replayed_at_join_carries_its_time(server, irc_gateway, clients, ircs):
    bob, channel = await bob_in_channel(ircs)
    await irc_mode(bob, channel, "+H 10:1d")            # chanhistory: keep 10 lines a day
    said = time.time()
    bob.privmsg(channel, "said before you came")
    # The line must be older than the gateway's 5 s to count as late
    # history: real time has to pass (there is no event to wait for).
    await asyncio.sleep(6)
    c = await irc_user(clients)
    room = room_jid(channel)
    join(c, room, c.nick)
    frm = occupant(room, bob.nick)
    st = await c.expect(groupchat_from(frm, "said before you came"),
                        "the replayed history line from %s" % frm)
    d = delay_of(st)
    assert d is not None, "history replayed at the join has no delay:\n%s" % st
    assert d.get("from") == room, st
    stamp = datetime.strptime(d.get("stamp"), "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=timezone.utc).timestamp()
    assert said - 2 <= stamp <= said + 1, (
        "the delay stamp %s is not when bob said it (%.3f)" % (d.get("stamp"), said))
    bob.privmsg(channel, "said live")
    st = await c.expect(groupchat_from(frm, "said live"), "the live line from %s" % frm)
    assert delay_of(st) is None, "a live line has a delay:\n%s" % st
