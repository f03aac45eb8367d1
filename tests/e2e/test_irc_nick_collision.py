"""The user's nick is taken: the gateway's connection gets 433, takes the
nick with "_" appended, and tells the user so."""
from harness.ircclient import fresh_nick, irc_jid, irc_server_jid, irc_user, message_from


async def test_nick_taken(server, irc_gateway, clients, ircs):
    nick = fresh_nick("x")
    await ircs.new(nick)          # the squatter
    c = await irc_user(clients, nick=nick)
    bob = await ircs.new(prefix="bob")
    c.chat(irc_jid(bob.nick), "who am I?")
    await bob.expect_privmsg(nick + "_", "who am I?",
                             what="the user's message from the fallback nick %s_" % nick)
    srv = irc_server_jid("localhost")
    await c.expect(message_from(srv, contains=nick + "_"),
                   "a message from %s naming the new nick %s_" % (srv, nick))
