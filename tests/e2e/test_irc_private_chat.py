"""IRC private chat: the first message opens the user's IRC connection
under their nick; PRIVMSG, CTCP ACTION (/me) and NOTICE both ways; raw
commands to the IRC server's JID; CTCP VERSION answered by the gateway."""
from harness.ircclient import irc_jid, irc_server_jid, irc_user, message_from


async def open_chat(clients, ircs):
    """A registered user who has talked to bob (so its connection is up)."""
    c = await irc_user(clients)
    bob = await ircs.new(prefix="bob")
    c.chat(irc_jid(bob.nick), "hello bob")
    await bob.expect_privmsg(c.nick, "hello bob",
                             what="the first message from %s (opens the connection)" % c.nick)
    return c, bob


async def test_privmsg_action_notice(server, irc_gateway, clients, ircs):
    c, bob = await open_chat(clients, ircs)
    bob_jid = irc_jid(bob.nick)

    bob.privmsg(c.nick, "hi there")
    await c.expect_message(bob_jid, "hi there", mtype="chat")

    c.chat(bob_jid, "/me waves")
    await bob.expect_privmsg(c.nick, "\x01ACTION waves\x01", what="CTCP ACTION for /me waves")

    bob.ctcp(c.nick, "ACTION dances")
    await c.expect_message(bob_jid, "/me dances", what="bob's ACTION as /me dances")

    bob.notice(c.nick, "a notice for you")
    await c.expect(message_from(bob_jid, contains="a notice for you"),
                   "bob's NOTICE as a message from %s" % bob_jid)


async def test_raw_command_to_server(server, irc_gateway, clients, ircs):
    c, bob = await open_chat(clients, ircs)
    srv = irc_server_jid("localhost")
    c.chat(srv, "WHOIS %s" % bob.nick)
    await c.expect(message_from(srv, contains=bob.nick),
                   "a WHOIS %s numeric as a message from %s" % (bob.nick, srv))


async def test_ctcp_version_answered(server, irc_gateway, clients, ircs):
    c, bob = await open_chat(clients, ircs)
    bob.ctcp(c.nick, "VERSION")
    reply = await bob.expect(lambda l: l.command == "NOTICE" and l.nick == c.nick
                             and l.last.startswith("\x01VERSION "),
                             "a CTCP VERSION reply (NOTICE) from %s" % c.nick)
    assert "xmpp-gw" in reply.last, "VERSION reply does not name xmpp-gw: %r" % reply.last
