"""The outbox is full: an IRC user whose messages could not be delivered to
the XMPP user gets a NOTICE saying how many did not arrive, and nothing is
dropped silently: every message is delivered or counted in a NOTICE (and
in the log), none both.

Filling the outbox on purpose: reading from IRC pauses while the link is
congested, so only what one read already holds can overflow. The gateway
is stopped (SIGSTOP) while bob sends a burst, which so waits in the
kernel; after SIGCONT one read holds all of it, and with a 10-stanza
window (congested at 3/4) and outbox_max = 1 most of it cannot be queued.
In a channel each bridged user's connection reads its own copy: each
user's count is reported.

On a private server of each kind, started for the test: ejabberd routes
the answer to a link's ping to any link of its listener, which the link
now accepts (an unanswered ping had made ejabberd's run wait for
ack_timeout_ms and resend the window)."""
import asyncio
import re
import signal

import pytest
from conftest import run

from harness import servers
from harness.ircclient import IrcPool, irc_jid, irc_section, irc_user
from harness.pool import ClientPool, GatewayFactory
from harness.muc import bob_in_channel, expect_join, groupchat_from, irc_wait, join, room_jid

N = 60
XMPP = {"outbox_max": 1, "ack_window_stanzas": 40}
COUNT = re.compile(r"(?:(\d+) of your messages|, (\d+)) to ([^ ,.]+)")


@pytest.fixture(params=["prosody", "ejabberd"])
def private_server(request):
    srv = servers.start_server(request.param)
    yield srv
    srv.cleanup()


@pytest.fixture
def env(private_server, ngircd):
    """(server, gateways, clients, ircs) on a private server."""
    srv = private_server
    gateways, clients, ircs = GatewayFactory(srv), ClientPool(srv), IrcPool(ngircd.port)
    yield srv, gateways, clients, ircs
    run(clients.close_all(), 30)
    run(ircs.close_all(), 30)
    gateways.stop_all()


def notice_counts(text):
    """{nick: count} of one NOTICE text."""
    return {m.group(3): int(m.group(1) or m.group(2)) for m in COUNT.finditer(text)}


async def burst_while_stopped(gw, send):
    """Lets what the gateway sends settle, stops it, sends, resumes it."""
    await asyncio.sleep(1.0)  # every stanza acknowledged: an empty window
    gw.signal(signal.SIGSTOP)
    try:
        send()
        await asyncio.sleep(1.0)  # through ngIRCd into the gateway's sockets
    finally:
        gw.signal(signal.SIGCONT)


async def account(bob, got, want, timeout=30):
    """Waits until, for each nick in want (-> the number of messages it
    should account for), got(nick) plus what bob's NOTICEs report equals
    it; returns the reported counts."""
    loop = asyncio.get_event_loop()
    deadline = loop.time() + timeout
    while True:
        reported = {}
        for l in list(bob.inbox):
            if l.command == "NOTICE" and len(l.params) > 1 and l.params[0] == bob.nick:
                for nick, n in notice_counts(l.params[-1]).items():
                    reported[nick] = reported.get(nick, 0) + n
        done = all(len(got(n)) + reported.get(n, 0) >= w for n, w in want.items())
        if done or loop.time() > deadline:
            return reported
        await asyncio.sleep(0.2)


def check_accounts(want, got, reported):
    for nick, w in want.items():
        bodies = got(nick)
        assert len(bodies) == len(set(bodies)), "%s got a message twice: %s" % (nick, bodies)
        assert reported.get(nick, 0) > 0, (
            "the outbox never overflowed for %s (%d of %d delivered): the test proves nothing"
            % (nick, len(bodies), w))
        assert len(bodies) + reported[nick] == w, (
            "%s: %d delivered + %d reported != %d sent (delivered: %s): %s" % (
                nick, len(bodies), reported[nick], w, " ".join(bodies),
                "some were lost silently" if len(bodies) + reported[nick] < w
                else "some were delivered and reported too"))


def logged(gw, sender):
    """The messages from sender the log counts as not delivered."""
    return sum(int(m.group(1)) for m in re.finditer(
        r": (\d+) messages from %s not delivered to" % re.escape(sender), gw.log_text()))


async def test_private_burst_overflows_and_bob_is_told(env, ngircd):
    server, gateways, clients, ircs = env
    gw = await gateways.new(xmpp_extra=XMPP, sections={"irc": irc_section(
        server, ngircd.port, undelivered_notice_s=2)})
    try:
        c = await irc_user(clients)
        bob = await ircs.new(prefix="bob")
        c.chat(irc_jid(bob.nick), "hello")
        await bob.expect_privmsg(c.nick, "hello")
        bob.clear()

        await burst_while_stopped(gw, lambda: [bob.privmsg(c.nick, "m-%d" % i)
                                               for i in range(N)])

        def got(nick):
            return [st["body"] for st in c.inbox if st.xml.tag.endswith("}message")
                    and str(st["from"].bare) == irc_jid(bob.nick)
                    and (st["body"] or "").startswith("m-")]
        reported = await account(bob, got, {c.nick: N})
        check_accounts({c.nick: N}, got, reported)
        notice = next(l for l in bob.inbox if l.command == "NOTICE")
        assert l_from(notice) == c.nick.lower(), "the NOTICE came from %s" % notice
        assert "Please send them again later" in notice.params[-1]
        assert logged(gw, bob.nick) == reported[c.nick], gw.log_tail()
        # Rate-limited: the one burst, one NOTICE.
        assert sum(1 for l in bob.inbox if l.command == "NOTICE") == 1

        # The link drained: messages flow again, and no NOTICE follows.
        bob.clear()
        bob.privmsg(c.nick, "after")
        await c.expect(lambda st: st.xml.tag.endswith("}message") and st["body"] == "after",
                       "bob's message after the burst")
        await bob.expect_none(lambda l: l.command == "NOTICE", "a NOTICE for a delivered "
                              "message", within=3)
    except AssertionError:
        print(gw.log_tail(200))
        raise


def l_from(line):
    return (line.prefix or "").split("!")[0].lower()


async def test_channel_line_to_two_bridged_users(env, ngircd):
    server, gateways, clients, ircs = env
    gw = await gateways.new(xmpp_extra=XMPP, sections={"irc": irc_section(
        server, ngircd.port, undelivered_notice_s=2)})
    try:
        bob, channel = await bob_in_channel(ircs, topic="t")
        room = room_jid(channel)
        users = []
        for _ in range(2):
            u = await irc_user(clients)
            join(u, room, u.nick)
            await expect_join(u, room, u.nick, others=[bob.nick] + [v.nick for v in users],
                              subject="t")
            await irc_wait(bob, "JOIN", u.nick, channel)
            users.append(u)
        await asyncio.sleep(1)
        bob.clear()

        await burst_while_stopped(gw, lambda: [bob.privmsg(channel, "c-%d" % i)
                                               for i in range(N)])
        by_nick = {u.nick: u for u in users}

        def got(nick):
            u = by_nick[nick]
            return [st["body"] for st in u.inbox if st.xml.tag.endswith("}message")
                    and str(st["from"]) == "%s/%s" % (room, bob.nick)
                    and (st["body"] or "").startswith("c-")]
        want = {u.nick: N for u in users}
        reported = await account(bob, got, want)
        check_accounts(want, got, reported)
        assert logged(gw, bob.nick) == sum(reported.values()), gw.log_tail()

        bob.privmsg(channel, "after")
        for u in users:
            await u.expect(groupchat_from("%s/%s" % (room, bob.nick), "after"),
                           "bob's line after the burst")
    except AssertionError:
        print(gw.log_tail(200))
        raise
