"""XEP-0410 self-ping: a joined resource pinging its own occupant JID gets
a result; a resource of the same user that did not join gets
not-acceptable."""
from harness.client import NS_PING
from harness.muc import occupant, user_in_room

PING = "<ping xmlns='%s'/>" % NS_PING


async def test_self_ping(server, irc_gateway, clients, ircs):
    c, bob, channel, room = await user_in_room(clients, ircs)
    me = occupant(room, c.nick)
    await c.iq_ok(me, "get", PING, what="a self-ping to %s from the joined resource" % me)

    other = await clients.login(c.bare, c.password, resource="not-joined")
    await other.iq_error(me, "get", PING, "not-acceptable",
                         what="a self-ping to %s from a resource that did not join" % me)
