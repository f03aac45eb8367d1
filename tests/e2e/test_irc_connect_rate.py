"""connects_per_second: IRC connections are paced for all users together.
N users write to IRC at the same moment; a proxy in front of ngircd
records when each of the gateway's connections arrives. With rate R the
N connects take at least (N - 1) / R seconds, none sooner than 1 / R after
the one before (less a little slack), and every user gets through.

The pace is handed out in turns by user: one user writing to six servers
at once (six names of the one ngIRCd behind the proxy) and a second user
writing to one just after get their connects in turns, so the second's
message reaches IRC before most of the first's (in a single line it would
come last)."""
import asyncio
import time

import pytest

from conftest import run
from harness.ircclient import irc_jid, irc_user
from harness.proxy import CutProxy

RATE = 2          # connects_per_second in this module
USERS = 6         # fewer than connects_in_flight (8): only the rate paces them
SLACK_S = 0.15    # timer and scheduling jitter, per gap


class CountingProxy(CutProxy):
    """Forwards to ngircd and records when each connection was accepted."""

    def __init__(self, target_port):
        super().__init__(target_port)
        self.accepts = []

    async def _accept(self, reader, writer):
        self.accepts.append(time.monotonic())
        await super()._accept(reader, writer)


@pytest.fixture(scope="module")
def counter(ngircd):
    proxy = CountingProxy(ngircd.port)
    run(proxy.start())
    yield proxy
    proxy._server.close()


@pytest.fixture(scope="module")
def irc_port(counter):
    return counter.port


@pytest.fixture(scope="module")
def irc_options():
    return {"connects_per_second": RATE, "allowed_servers": "*"}


# six servers to the gateway, one ngIRCd: localhost through the counting
# proxy, the others through proxies on more loopback addresses, same port
NAMES = ["localhost"] + ["127.0.0.%d" % i for i in range(3, 8)]


class AliasProxy(CountingProxy):
    """Listens on another loopback address (and the counting proxy's
    port); forwards to ngircd on 127.0.0.1."""

    def __init__(self, target_port, listen_host, port):
        super().__init__(target_port)
        self.listen_host, self.port = listen_host, port

    async def start(self):
        self._server = await asyncio.start_server(self._accept, self.listen_host, self.port)
        return self


@pytest.fixture(scope="module")
def more_addresses(counter, ngircd):
    proxies = []
    for name in NAMES[1:]:
        p = AliasProxy(ngircd.port, name, counter.port)
        run(p.start())
        proxies.append(p)
    yield proxies
    for p in proxies:
        p._server.close()


async def test_connects_paced(server, irc_gateway, clients, ircs, ngircd, counter):
    mark = len(counter.accepts)  # the proxy serves this module's run on each server
    bob = await ircs.new(prefix="bob", port=ngircd.port)  # not through the proxy
    users = [await irc_user(clients) for _ in range(USERS)]
    assert len(counter.accepts) == mark, "connections before anyone wrote"
    t0 = time.monotonic()
    for c in users:
        c.chat(irc_jid(bob.nick), "hello from %s" % c.nick)
    for c in users:  # every user gets through, whatever the order
        await bob.expect_privmsg(c.nick, "hello from %s" % c.nick,
                                 timeout=USERS / RATE + 15)
    at = [t - t0 for t in counter.accepts[mark:]]
    gaps = [b - a for a, b in zip(at, at[1:])]
    shown = ", ".join("%.2f" % t for t in at)
    print("connects_per_second %d: connects at %s s" % (RATE, shown))
    assert len(at) == USERS, "%d connections for %d users (at %s s)" % (len(at), USERS, shown)
    assert at[-1] - at[0] >= (USERS - 1) / RATE - SLACK_S, (
        "%d connects in %.2f s with connects_per_second %d (at %s s)"
        % (USERS, at[-1] - at[0], RATE, shown))
    assert min(gaps) >= 1 / RATE - SLACK_S, "connects %.2f s apart at rate %d (at %s s)" % (
        min(gaps), RATE, shown)


async def test_connects_in_turns_by_user(server, irc_gateway, clients, ircs, ngircd, counter,
                                         more_addresses):
    bob = await ircs.new(prefix="bob", port=ngircd.port)
    many = await irc_user(clients)
    one = await irc_user(clients)
    for name in NAMES:
        many.chat(irc_jid(bob.nick, server=name), "via %s" % name)
    one.chat(irc_jid(bob.nick), "only one")
    order = []
    for _ in range(len(NAMES) + 1):
        line = await bob.expect(lambda l: l.command == "PRIVMSG", "the users' messages",
                                timeout=len(NAMES) / RATE + 15)
        order.append(line.last)
    print("arrival order: %s" % order)
    assert sorted(order) == sorted(["via %s" % n for n in NAMES] + ["only one"]), order
    after = len(order) - 1 - order.index("only one")
    assert after >= len(NAMES) - 3, (
        "the second user's one connect waited behind the first user's: only %d of %d "
        "arrived after it (%s)" % (after, len(NAMES), order))
