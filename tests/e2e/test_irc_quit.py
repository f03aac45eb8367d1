"""The XMPP user goes offline: the gateway QUITs their IRC connection (bob,
sharing no channel, sees the nick gone by polling ISON)."""
from harness.ircclient import irc_jid, irc_user


async def test_offline_quits(server, irc_gateway, clients, ircs):
    c = await irc_user(clients)
    bob = await ircs.new(prefix="bob")
    c.chat(irc_jid(bob.nick), "leaving soon")
    await bob.expect_privmsg(c.nick, "leaving soon")
    assert await bob.online(c.nick), "%s is not on IRC while chatting" % c.nick
    await c.close()
    await bob.wait_online(c.nick, want=False, timeout=10)
