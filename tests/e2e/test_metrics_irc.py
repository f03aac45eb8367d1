"""The IRC backend's metrics against ngIRCd: a user in a room shows one
ready connection and one join; a message each way in the room and in
private counts in the core's messages by direction and chat; a lost
connection leaves the ready count. `promtool check metrics` passes."""
import pytest

from conftest import serve
from harness.gateway import Gateway
from harness.ircclient import irc_jid, irc_section
from harness.metrics import parse, promtool_check, scrape, until, value
from harness.muc import groupchat_from, irc_wait, occupant, say, user_in_room
from harness.servers import IRC_COMPONENT, unique
from harness.util import free_port

TOKEN = unique("metrics-token-")


@pytest.fixture(scope="module")
def http_port():
    return free_port()


@pytest.fixture(scope="module")
def irc_gateway(server, irc_port, irc_options, http_port):
    gw = Gateway(server, sections={"irc": irc_section(server, irc_port, **irc_options),
                                   "http": {"listen": "127.0.0.1", "port": str(http_port),
                                            "metrics_token": TOKEN}})
    yield from serve(gw)


async def test_irc_metrics_move(server, irc_gateway, clients, ircs, http_port):
    before = parse(await scrape(http_port, TOKEN))
    g = {"gateway": IRC_COMPONENT}
    c, bob, channel, room = await user_in_room(clients, ircs)
    say(c, room, "counted to irc")
    await irc_wait(bob, "PRIVMSG", c.nick, channel, "counted to irc")
    bob.privmsg(channel, "counted from irc")
    await c.expect(groupchat_from(occupant(room, bob.nick), "counted from irc"),
                   "bob's message in the room")
    c.chat(irc_jid(bob.nick), "counted private")
    await irc_wait(bob, "PRIVMSG", c.nick, bob.nick, "counted private")

    def moved(samples, name, **labels):
        return value(samples, name, **labels) - value(before, name, **labels)

    after = parse(await scrape(http_port, TOKEN))
    assert moved(after, "xmpp_gw_irc_joins_total", **g) == 1
    assert value(after, "xmpp_gw_irc_connections", state="ready", **g) == value(
        before, "xmpp_gw_irc_connections", state="ready", **g) + 1
    assert moved(after, "xmpp_gw_messages_total", direction="to_network", chat="room",
                 outcome="ok", **g) == 1
    assert moved(after, "xmpp_gw_messages_total", direction="to_network", chat="direct",
                 outcome="ok", **g) == 1
    # the reflection of the user's own message is one too, from the network
    assert moved(after, "xmpp_gw_messages_total", direction="from_network", chat="room",
                 outcome="ok", **g) >= 1
    promtool_check(await scrape(http_port, TOKEN))

    ready = value(after, "xmpp_gw_irc_connections", state="ready", **g)
    c.presence(ptype="unavailable")  # logs out: the connection quits
    await until(http_port, TOKEN, lambda s: value(
        s, "xmpp_gw_irc_connections", state="ready", **g) == ready - 1,
        "one ready connection fewer after the user left", timeout=20)
