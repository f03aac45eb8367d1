"""The IRC server restarts: the gateway says the connection was lost,
reconnects by itself (backoff from about 1 s), says it is back, and
messages flow both ways again."""
import asyncio

from harness.ircclient import irc_jid, irc_server_jid, irc_user
from harness.util import STANZA_TIMEOUT


async def expect_then_forget_older(c, pred, what, timeout=STANZA_TIMEOUT):
    """Like c.expect, and also forget what arrived before the match (so a
    later expect only sees newer stanzas)."""
    before = []

    def match(st):
        if pred(st):
            before.extend(c.inbox[:[id(x) for x in c.inbox].index(id(st))])
            return True
        return False
    m = await c.expect(match, what, timeout)
    older = {id(st) for st in before}
    c.inbox[:] = [st for st in c.inbox if id(st) not in older]
    return m


async def test_reconnect_after_server_restart(server, irc_gateway, ngircd, clients, ircs):
    c = await irc_user(clients)
    bob = await ircs.new(prefix="bob")
    c.chat(irc_jid(bob.nick), "before the restart")
    await bob.expect_privmsg(c.nick, "before the restart")
    srv = irc_server_jid("localhost")
    c.clear()

    ngircd.stop()
    await asyncio.sleep(1.0)
    ngircd.start()

    def said(words, exclude=()):
        def pred(st):
            if not st.xml.tag.endswith("}message") or str(st["from"].bare) != srv:
                return False
            body = st["body"].lower()
            return any(w in body for w in words) and not any(w in body for w in exclude)
        return pred

    # The first connection's own notices may still arrive after clear():
    # only what comes after "lost" can say the connection is back.
    await expect_then_forget_older(c, said(("lost", "disconnected")),
                                   "a message from %s saying the connection was lost" % srv)
    await c.expect(said(("connected", "back", "welcome"), exclude=("lost", "disconnected")),
                   "a message from %s saying the connection is back" % srv, timeout=20)

    bob2 = await ircs.new(prefix="bob")
    await bob2.wait_online(c.nick, timeout=10)
    bob2.privmsg(c.nick, "welcome back")
    await c.expect_message(irc_jid(bob2.nick), "welcome back")
    c.chat(irc_jid(bob2.nick), "glad to be back")
    await bob2.expect_privmsg(c.nick, "glad to be back")
