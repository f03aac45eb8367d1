"""fixed_server: the gateway serves one IRC network and addresses drop
%server: nick@irc.localhost is an IRC user, #chan@irc.localhost a room,
and the gateway's own JID stands for the server (raw lines, numerics)."""
import pytest

from harness.ircclient import IRC_COMPONENT, irc_user, jid_escape, message_from
from harness.muc import NS_MUC, join
from harness.roomlist import list_all


@pytest.fixture(scope="module")
def irc_options():
    return {"fixed_server": "localhost"}


def fixed_jid(nick):
    return "%s@%s" % (jid_escape(nick.lower()), IRC_COMPONENT)


async def test_private_chat_and_server_jid(server, irc_gateway, clients, ircs):
    c = await irc_user(clients)
    bob = await ircs.new(prefix="bob")
    c.chat(fixed_jid(bob.nick), "hello without a server")
    await bob.expect_privmsg(c.nick, "hello without a server",
                             what="a message to %s" % fixed_jid(bob.nick))
    bob.privmsg(c.nick, "hi back")
    await c.expect_message(fixed_jid(bob.nick), "hi back", mtype="chat")
    # The gateway's JID is the server: raw lines go there, numerics come back.
    c.chat(IRC_COMPONENT, "WHOIS %s" % bob.nick)
    await c.expect(message_from(IRC_COMPONENT, contains=bob.nick),
                   "a WHOIS numeric from %s" % IRC_COMPONENT)


async def test_room_without_server(server, irc_gateway, clients, ircs):
    c = await irc_user(clients)
    bob = await ircs.new(prefix="bob")
    chan = "#fx%s" % bob.nick[-6:]
    bob.join(chan)
    room = "%s@%s" % (chan, IRC_COMPONENT)
    join(c, room, c.nick)
    await c.expect(lambda st: st.xml.tag.endswith("}presence") and str(st["from"]) ==
                   "%s/%s" % (room, c.nick) and st.xml.find(
                       "{%s#user}x/{%s#user}status[@code='110']" % (NS_MUC, NS_MUC)) is not None,
                   "the self-presence in %s" % room)
    await bob.expect(lambda ln: ln.command == "JOIN" and ln.nick == c.nick, "the JOIN of %s" % c.nick)


async def test_gateway_jid_lists_channels(server, irc_gateway, clients, ircs):
    c = await irc_user(clients)
    bob = await ircs.new(prefix="bob")
    chan = "#fl%s" % bob.nick[-6:]
    bob.join(chan)
    await bob.expect(lambda ln: ln.command == "JOIN", "bob's JOIN %s" % chan)
    items, count, _ = await list_all(c, IRC_COMPONENT, max=2)
    names = dict(items)
    room = "%s@%s" % (chan, IRC_COMPONENT)
    assert names.get(room) == "%s (1 user)" % chan, (
        "disco#items on %s: %r for %s (items %s)" % (IRC_COMPONENT, names.get(room), room,
                                                     sorted(names)))
