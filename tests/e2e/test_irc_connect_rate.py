"""connects_per_second: IRC connections are paced for all users together.
N users write to IRC at the same moment; a proxy in front of ngircd
records when each of the gateway's connections arrives. With rate R the
N connects take at least (N - 1) / R seconds, none sooner than 1 / R after
the one before (less a little slack), and every user gets through."""
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
    return {"connects_per_second": RATE}


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
