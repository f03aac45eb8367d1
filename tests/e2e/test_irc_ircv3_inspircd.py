"""IRCv3 away-notify against a real server, InspIRCd 3 (its ircv3 module; one
InspIRCd + Atheme for this module, its own gateway with plain_ports at it):
the gateway asks for away-notify at registration, so another IRC user's
AWAY in a channel the user has joined as a room shows as that occupant's
presence: away with the AWAY text as its status, then available again
when they come back. Their role and affiliation stay as they were. A
bridged user's XMPP away (IRC AWAY) reaches another bridged user in the
room the same way."""
from harness.ircd import inspircd, inspircd_irc_port  # noqa: F401 (fixtures)
from harness.ircclient import irc_user
from harness.muc import expect_join, expect_occupant, join, user_in_room


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
