"""Per-user limits of the IRC backend (max_servers_per_user,
max_rooms_per_user), against ngIRCd:
- a user writing to more IRC servers than allowed (three names of the one
  ngIRCd here: localhost, 127.0.0.1, 127.1) gets policy-violation for the
  one past the limit, with the reason, and IRC sees nothing of it; another
  user reaches IRC at once all the same;
- joining more rooms than allowed gets a policy-violation error presence,
  and the rooms already joined keep working."""
import pytest

from harness.client import error_condition, jid_match
from harness.ircclient import irc_jid, irc_user
from harness.muc import (bob_in_channel, expect_error_presence, expect_join, fresh_channel,
                         irc_wait, join, room_jid, say)

MAX_SERVERS = 2
MAX_ROOMS = 2
NAMES = ["localhost", "127.0.0.1", "127.1"]  # one ngIRCd, three servers to the gateway


@pytest.fixture(scope="module")
def irc_options():
    return {"allowed_servers": "*", "max_servers_per_user": MAX_SERVERS,
            "max_rooms_per_user": MAX_ROOMS}


def error_from(jid):
    return lambda st: (st.xml.tag.endswith("}message") and st.xml.get("type") == "error"
                       and jid_match(st["from"], jid))


async def test_servers_per_user(server, irc_gateway, clients, ircs):
    bob = await ircs.new(prefix="bob")
    c = await irc_user(clients)
    for i, name in enumerate(NAMES[:MAX_SERVERS]):
        c.chat(irc_jid(bob.nick, server=name), "via %s" % name)
        line = await bob.expect(lambda l, t="via %s" % name: l.command == "PRIVMSG"
                                and l.last == t, "the message via %s" % name)
        assert line.nick.lower().startswith(c.nick.lower()[:6]), line
    past = irc_jid(bob.nick, server=NAMES[MAX_SERVERS])
    c.chat(past, "one server too many")
    err = await c.expect(error_from(past), "policy-violation for a third server")
    assert error_condition(err) == "policy-violation", err
    assert "as many IRC servers" in err["error"]["text"], err
    await irc_gateway.wait_log(r"a connection to %s refused: %d servers already"
                               % (NAMES[MAX_SERVERS].replace(".", r"\."), MAX_SERVERS))
    # another user is not held up by the first one's limit
    other = await irc_user(clients)
    other.chat(irc_jid(bob.nick), "from another user")
    await bob.expect_privmsg(other.nick, "from another user")
    await bob.expect_none(lambda l: l.command == "PRIVMSG" and l.last == "one server too many",
                          "the refused message on IRC", within=1.0)


async def test_rooms_per_user(server, irc_gateway, clients, ircs):
    bob, first = await bob_in_channel(ircs)
    c = await irc_user(clients)
    rooms = [room_jid(first)] + [room_jid(fresh_channel()) for _ in range(MAX_ROOMS - 1)]
    for room in rooms:
        join(c, room, c.nick)
        mine = room != rooms[0]  # a fresh channel: the user creates it and is its operator
        await expect_join(c, room, c.nick, others=[] if mine else [bob.nick],
                          role="moderator" if mine else "participant")
    extra = room_jid(fresh_channel())
    join(c, extra, c.nick)
    await expect_error_presence(c, extra, "policy-violation", "a room past max_rooms_per_user")
    say(c, rooms[0], "still here")
    await irc_wait(bob, "PRIVMSG", c.nick, first, "still here")
