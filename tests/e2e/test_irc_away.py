"""XMPP away with a status becomes IRC AWAY (seen in WHOIS as 301); available
again clears it."""
import asyncio

from harness.ircclient import irc_jid, irc_user


async def away_text(bob, nick):
    """The 301 text in WHOIS nick, or None."""
    for l in await bob.whois(nick):
        if l.command == "301":
            return l.last
    return None


async def wait_away(bob, nick, want, what, timeout=10.0):
    loop = asyncio.get_event_loop()
    deadline = loop.time() + timeout
    while True:
        text = await away_text(bob, nick)
        if want(text):
            return text
        if loop.time() > deadline:
            raise AssertionError("WHOIS %s after %.0f s: away %r; expected %s"
                                 % (nick, timeout, text, what))
        await asyncio.sleep(0.2)


async def test_away_and_back(server, irc_gateway, clients, ircs):
    c = await irc_user(clients)
    bob = await ircs.new(prefix="bob")
    c.chat(irc_jid(bob.nick), "brb")
    await bob.expect_privmsg(c.nick, "brb")
    assert await away_text(bob, c.nick) is None, "away before any away presence"

    c.presence(pshow="away", pstatus="lunch")
    await wait_away(bob, c.nick, lambda t: t is not None and "lunch" in t, "301 with 'lunch'")

    c.presence()
    await wait_away(bob, c.nick, lambda t: t is None, "no 301 once available again")
