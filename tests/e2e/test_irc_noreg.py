"""No registration needed: a user the policy allows joins a channel and
chats privately at once, without XEP-0077. The nick is the MUC nick in
rooms; in private chat the registered nick, or else the JID's localpart
made a valid IRC nick. A JID the policy refuses still gets
registration-required; <remove/> ends an unregistered user's session; a
connection an unregistered user has only for private chat closes once
private_chat_open_s (2 s here) pass without a private message."""
import pytest

from harness.client import NS_REGISTER, error_condition, payload, q
from harness.ircclient import IRC_COMPONENT, fresh_nick, irc_jid, irc_user
from harness.muc import (bob_in_channel, expect_error_presence, expect_join, groupchat_from,
                         irc_line, irc_wait, join, occupant, room_jid, say)
from harness.scenario import register_payload


@pytest.fixture(scope="module")
def irc_options():
    return {"private_chat_open_s": 2}


def localpart(c):
    return c.bare.split("@", 1)[0]


async def irc_registered(c):
    """Whether the IRC gateway's XEP-0077 form says <registered/>."""
    r = await c.iq_ok(IRC_COMPONENT, "get", "<query xmlns='%s'/>" % NS_REGISTER)
    return payload(r, NS_REGISTER, "query").find(q(NS_REGISTER, "registered")) is not None


async def test_join_and_talk_unregistered(server, irc_gateway, clients, ircs):
    bob, channel = await bob_in_channel(ircs, topic="no forms here")
    c = await clients.new(prefix="nr")
    room, nick = room_jid(channel), fresh_nick("m")
    join(c, room, nick)
    await expect_join(c, room, nick, others=[bob.nick], subject="no forms here")
    await irc_wait(bob, "JOIN", nick, channel, what="the IRC JOIN of %s (the MUC nick)" % nick)

    say(c, room, "hello without registering")
    await irc_wait(bob, "PRIVMSG", nick, channel, "hello without registering")
    await c.expect(groupchat_from(occupant(room, nick), "hello without registering"),
                   "the reflection of the user's message")
    bob.privmsg(channel, "welcome")
    await c.expect(groupchat_from(occupant(room, bob.nick), "welcome"),
                   "bob's PRIVMSG %s in the room" % channel)
    assert not await irc_registered(c), "joining a room registered the user"


# Localparts that are not IRC nicks: a digit first, a dot inside. The nick
# keeps what IRC takes, _ for the rest, a _ before a digit, at most 9.
@pytest.mark.parametrize("prefix,nick_of", [
    ("1d", lambda local: ("_" + local)[:9]),
    ("d.t", lambda local: local.replace(".", "_")[:9]),
])
async def test_private_chat_nick_from_localpart(server, irc_gateway, clients, ircs, prefix,
                                                nick_of):
    c = await clients.new(prefix=prefix)
    nick = nick_of(localpart(c))
    bob = await ircs.new(prefix="bob")
    c.chat(irc_jid(bob.nick), "hi bob, unregistered")
    await bob.expect_privmsg(nick, "hi bob, unregistered",
                             what="the message from %s as nick %s" % (c.bare, nick))
    bob.privmsg(nick, "hi back")
    await c.expect_message(irc_jid(bob.nick), "hi back", mtype="chat",
                           what="bob's reply to the unregistered user")


async def test_refused_by_policy(server, irc_gateway, clients, ircs):
    """The gateway's policy allows its parent domain only: a JID of the
    other domain gets registration-required, as before, and IRC sees nothing."""
    bob, channel = await bob_in_channel(ircs)
    c = await clients.new(domain=server.foreign, prefix="nr")
    room, nick = room_jid(channel), fresh_nick("m")
    join(c, room, nick)
    await expect_error_presence(c, room, "registration-required",
                                "the join of a JID the policy refuses")
    c.chat(irc_jid(bob.nick), "let me in")
    m = await c.expect(lambda st: st.xml.tag.endswith("}message")
                       and st.xml.get("type") == "error"
                       and str(st["from"].bare) == irc_jid(bob.nick),
                       "an error for the message of a JID the policy refuses")
    assert error_condition(m) == "registration-required", m
    await bob.expect_none(lambda l: l.command in ("JOIN", "PRIVMSG"),
                          "a JOIN or PRIVMSG from a JID the policy refuses", within=1.5)


async def test_registered_nick_wins(server, irc_gateway, clients, ircs):
    c = await irc_user(clients)
    assert c.nick.lower() != localpart(c)[:9].lower()
    bob = await ircs.new(prefix="bob")
    c.chat(irc_jid(bob.nick), "from my registered nick")
    await bob.expect_privmsg(c.nick, "from my registered nick",
                             what="the message under the registered nick %s" % c.nick)


async def test_remove_after_use(server, irc_gateway, clients, ircs):
    bob, channel = await bob_in_channel(ircs)
    c = await clients.new(prefix="nr")
    room, nick = room_jid(channel), fresh_nick("m")
    join(c, room, nick)
    await expect_join(c, room, nick, others=[bob.nick])
    await irc_wait(bob, "JOIN", nick, channel)
    c.chat(irc_jid(bob.nick), "before remove")
    await bob.expect_privmsg(nick, "before remove")

    await c.iq_ok(IRC_COMPONENT, "set", register_payload(remove=True),
                  what="<remove/> from a user who never registered")
    await bob.expect(irc_line("QUIT", nick), "the QUIT of %s after <remove/>" % nick)
    await c.expect_presence(IRC_COMPONENT, "unavailable",
                            what="unavailable from %s after <remove/>" % IRC_COMPONENT)
    # Nothing is left: a second <remove/> finds nothing.
    await c.iq_error(IRC_COMPONENT, "set", register_payload(remove=True),
                     "registration-required", what="a second <remove/>")
    assert not await irc_registered(c), "<remove/> left a registration"


async def test_idle_private_chat_closes(server, irc_gateway, clients, ircs):
    """The gateway cannot see an unregistered user go offline: their
    connection with no room closes once private chat is idle. A registered
    user online, who wrote earlier, keeps theirs (they log out by presence)."""
    bob = await ircs.new(prefix="bob")
    r = await irc_user(clients)
    r.chat(irc_jid(bob.nick), "registered here")
    await bob.expect_privmsg(r.nick, "registered here")
    u = await clients.new(prefix="nr")
    nick = localpart(u)[:9]
    u.chat(irc_jid(bob.nick), "unregistered here")
    await bob.expect_privmsg(nick, "unregistered here")
    await bob.wait_online(nick, want=False, timeout=15)
    assert await bob.online(r.nick), "the registered user's connection closed too"
