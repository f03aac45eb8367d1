"""Logging in to services, against InspIRCd 3 + Atheme (one pair for this
module, its own gateway with plain_ports at InspIRCd): SASL PLAIN with the
sasl_password a user sets with `configure` (the account defaults to the
nick); a wrong password is reported and the connection goes on without;
NickServ IDENTIFY with nickserv_password when there is no SASL password;
services that never answer AUTHENTICATE (Atheme frozen) are given up after
[irc] sasl_timeout_ms and the connection goes on without. The IRC side
checks the login with WHOIS (330 "is logged in as")."""
import asyncio

import pytest

from harness.ircclient import (configure, fresh_nick, irc_jid, irc_server_jid, irc_user,
                               message_from)
from harness.ircd import InspircdAtheme

SASL_TIMEOUT_MS = 1500


@pytest.fixture(scope="module")
def inspircd():
    net = InspircdAtheme().start()
    yield net
    net.cleanup()


@pytest.fixture(scope="module")
def irc_port(inspircd):
    return inspircd.port


@pytest.fixture(scope="module")
def irc_options():
    return {"sasl_timeout_ms": SASL_TIMEOUT_MS}


async def account_user(inspircd, clients, ircs):
    """A NickServ account, a user registered with its name as nick, and
    bob on the IRC side; returns (user, password, bob)."""
    account, password = fresh_nick("acct"), "pw-%s" % fresh_nick("s")
    _, c, bob = await asyncio.gather(
        asyncio.to_thread(inspircd.register_account, account, password),
        irc_user(clients, nick=account), ircs.new(prefix="bob"))
    return c, password, bob


def sasl_failures(c):
    srv = irc_server_jid("localhost")
    pred = message_from(srv, contains="sasl")
    return [st["body"] for st in c.inbox if pred(st) and "fail" in st["body"].lower()]


async def wait_account(bob, nick, want, timeout=5.0):
    """Polls WHOIS until `nick` is logged in as account `want` (330)."""
    loop = asyncio.get_event_loop()
    deadline = loop.time() + timeout
    while True:
        line = await bob.whois_numeric(nick, "330")
        if line is not None and line.params[2].lower() == want.lower():
            return line
        if loop.time() > deadline:
            raise AssertionError("WHOIS %s: not logged in as %s after %.0f s (330: %s)"
                                 % (nick, want, timeout, line))
        await asyncio.sleep(0.3)


async def test_sasl_login(server, inspircd, irc_gateway, clients, ircs):
    c, password, bob = await account_user(inspircd, clients, ircs)
    await configure(c, sasl_password=password)
    # A second submission with the password left empty keeps it.
    realname = "SASL user %s" % c.nick
    await configure(c, realname=realname)
    c.chat(irc_jid(bob.nick), "logged in?")
    await bob.expect_privmsg(c.nick, "logged in?")
    line = await bob.whois_numeric(c.nick, "330")
    assert line is not None and line.params[2].lower() == c.nick.lower(), (
        "WHOIS %s: not logged in as %s right after connecting (SASL), 330: %s"
        % (c.nick, c.nick, line))
    w = await bob.whois_numeric(c.nick, "311")
    assert w is not None and w.last == realname, "WHOIS %s: realname %r, expected %r" % (
        c.nick, w and w.last, realname)
    assert not sasl_failures(c), "SASL failure reported: %s" % sasl_failures(c)


async def test_sasl_wrong_password(server, inspircd, irc_gateway, clients, ircs):
    c, _, bob = await account_user(inspircd, clients, ircs)
    await configure(c, sasl_password="wrong-%s" % fresh_nick("w"))
    c.chat(irc_jid(bob.nick), "still let me in")
    srv = irc_server_jid("localhost")
    await c.expect(lambda st: message_from(srv, contains="sasl")(st)
                   and "failed" in st["body"].lower(),
                   "a message from %s saying SASL failed" % srv)
    await bob.expect_privmsg(c.nick, "still let me in",
                             what="the message, sent unauthenticated after SASL failed")
    line = await bob.whois_numeric(c.nick, "330")
    assert line is None, "WHOIS %s: logged in with a wrong password? %s" % (c.nick, line)


async def test_nickserv_identify_without_sasl(server, inspircd, irc_gateway, clients, ircs):
    c, password, bob = await account_user(inspircd, clients, ircs)
    await configure(c, nickserv_password=password)
    c.chat(irc_jid(bob.nick), "identify me")
    await bob.expect_privmsg(c.nick, "identify me")
    await wait_account(bob, c.nick, c.nick)
    await c.expect(message_from(irc_jid("NickServ"), contains="identified"),
                   "NickServ's 'You are now identified' as a message from %s"
                   % irc_jid("NickServ"))


async def test_sasl_timeout_when_services_hang(server, inspircd, irc_gateway, clients, ircs):
    c = await irc_user(clients)
    bob = await ircs.new(prefix="bob")
    await configure(c, sasl_password="pw-%s" % fresh_nick("t"))
    srv = irc_server_jid("localhost")
    inspircd.freeze_services()
    try:
        c.chat(irc_jid(bob.nick), "services are down")
        await c.expect(lambda st: message_from(srv, contains="sasl")(st)
                       and "without" in st["body"].lower(),
                       "a message from %s saying SASL timed out and it goes on without" % srv,
                       timeout=SASL_TIMEOUT_MS / 1000 + 8)
        await bob.expect_privmsg(c.nick, "services are down",
                                 what="the message, sent after the SASL timeout")
    finally:
        inspircd.thaw_services()
