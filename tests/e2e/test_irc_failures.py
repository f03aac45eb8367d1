"""Connections that cannot be had or are taken away, on a private ngIRCd
with an IRC operator: a server name that does not resolve, every fallback
nick taken, and a K-line by an operator (the reason reaches the user, the
gateway retries with backoff instead of hammering the server, and once the
K-line is lifted it is connected again and the user chats)."""
import asyncio

import pytest

from harness.client import error_condition
from harness.ircclient import (fresh_nick, irc_jid, irc_server_jid, irc_user, message_from,
                               stanza_text)
from harness.ircd import Ngircd


@pytest.fixture(scope="module")
def ngircd():
    """This module's own ngIRCd (with an operator): its K-lines touch no
    other module."""
    ircd = Ngircd(oper=True).start()
    yield ircd
    ircd.cleanup()


@pytest.fixture(scope="module")
def irc_options():
    return {"allowed_servers": "*"}


async def test_name_does_not_resolve(server, irc_gateway, clients):
    c = await irc_user(clients)
    target = irc_jid("bob", "nonexistent.invalid")
    c.chat(target, "is anybody out there?")
    m = await c.expect(lambda st: st.xml.tag.endswith("}message")
                       and st.xml.get("type") == "error" and str(st["from"].bare) == target,
                       "an error reply from %s" % target)
    assert "resolve" in stanza_text(m).lower(), m


async def test_every_nick_taken(server, irc_gateway, clients, ircs):
    nick = fresh_nick("x")
    for i in range(6):                       # nick, nick_, ... nick_____
        await ircs.new(nick + "_" * i)
    c = await irc_user(clients, nick=nick)
    target = irc_jid("bob")
    c.chat(target, "can I get a nick?")
    m = await c.expect(lambda st: st.xml.tag.endswith("}message") and st.xml.get("type") == "error"
                       and str(st["from"].bare) == target,
                       "an error reply from %s when every nick is taken" % target)
    assert error_condition(m) == "conflict", "expected conflict:\n%s" % m
    text = stanza_text(m).lower()
    assert "taken" in text and nick in text, "the error does not say %s is taken:\n%s" % (nick, m)


def rejected(ngircd, nick):
    """Connections of `nick` ngIRCd refused at registration (its log)."""
    return sum(1 for line in ngircd.log_text().splitlines()
               if ('User "%s!' % nick) in line and " rejected " in line)


async def test_kline(server, irc_gateway, ngircd, clients, ircs):
    c = await irc_user(clients)
    bob = await ircs.new(prefix="bob")
    c.chat(irc_jid(bob.nick), "before the ban")
    await bob.expect_privmsg(c.nick, "before the ban")
    oper = await ircs.oper(*ngircd.oper)
    reason = "kline test %s" % fresh_nick("r")
    srv = irc_server_jid("localhost")
    c.clear()
    # ngIRCd 26.1: KLINE <nick!user@host> <seconds> :<reason>. Users that
    # match are disconnected at once, and new connections rejected.
    oper.send("KLINE %s!*@* 60 :%s" % (c.nick, reason))
    lifted = False
    try:
        await c.expect(message_from(srv, contains=reason),
                       "a message from %s with the K-line reason %r" % (srv, reason))
        await bob.wait_online(c.nick, want=False, timeout=5)
        await asyncio.sleep(5)
        n = rejected(ngircd, c.nick)
        assert n <= 4, ("the gateway hammers the server after a K-line: %d connections of %s "
                        "rejected in about 5 s" % (n, c.nick))
        assert n >= 1, "no connection of %s was tried during the K-line" % c.nick
        oper.send("KLINE %s!*@*" % c.nick)   # lifted
        lifted = True
        # The backoff (capped by reconnect_max_s, 60 s by default, and
        # about 8 s after 5 s of refusals) brings the user back.
        await c.expect(message_from(srv, contains="Connected again"),
                       "a message from %s saying the connection is back" % srv, timeout=40)
        await bob.wait_online(c.nick, timeout=10)
        c.chat(irc_jid(bob.nick), "after the ban")
        await bob.expect_privmsg(c.nick, "after the ban")
        bob.privmsg(c.nick, "welcome back")
        await c.expect_message(irc_jid(bob.nick), "welcome back")
    finally:
        if not lifted:
            oper.send("KLINE %s!*@*" % c.nick)
