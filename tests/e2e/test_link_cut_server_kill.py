"""Prosody is killed with -9 in the middle of a flood and started again:
nothing is lost.

The echo backend floods one user with 2,000 numbered messages, through a
proxy that passes 100 KB a second from the gateway (about 5 s for the
flood, so that the kill lands in the middle of it even on a loaded
machine). Once a few hundred have arrived, Prosody dies without a word (kill -9): the user's
client loses its connection, and whatever Prosody had read from the
component link and not yet handled is gone with it. Prosody is started
again on the same ports and data; the gateway reconnects, sends its window
of unacknowledged stanzas again, then the rest of its outbox. The user is
offline by then, so Prosody keeps them in its offline storage (mod_offline;
its archive limit, storage_archive_item_limit, is 10,000 by default, above
what this test stores, so the config leaves it alone) until the user logs
in again, with another resource, and gets them.

Every message arrives; first arrivals are in order (Prosody handles the
component stream in order, and the offline messages come before anything
live after the login); a message that arrives twice carries the same id
both times. Prosody only: ejabberd loses accounts made seconds before a
kill -9 (see test_irc_xmpp_outage.py)."""
import asyncio

import pytest

from harness import servers
from harness.delivery import check_arrivals, messages_from
from harness.pool import ClientPool, GatewayFactory
from harness.proxy import CutProxy
from harness.scenario import registered_user

N = 2000
KILL_AT = 300       # messages received before Prosody is killed
RATE = 100000       # bytes a second from the gateway during the flood
NS_DELAY = "{urn:xmpp:delay}delay"


@pytest.fixture
def prosody():
    srv = servers.start_server("prosody")
    yield srv
    srv.cleanup()


def floods(c, bob):
    return messages_from(c, bob, "flood ")


def links_up(gw, domain):
    return gw.log_text().count("%s: connected to" % domain)


async def wait_for(cond, timeout, what):
    loop = asyncio.get_event_loop()
    deadline = loop.time() + timeout
    while not cond():
        assert loop.time() < deadline, "timed out after %.0f s waiting for %s" % (timeout, what)
        await asyncio.sleep(0.01)


async def test_flood_survives_a_server_kill9(prosody):
    srv = prosody
    gateways = GatewayFactory(srv)
    pool = ClientPool(srv)
    proxy = await CutProxy(srv.component_port).start()
    try:
        gw = await gateways.new(port=proxy.port, xmpp_extra={"reconnect_max_ms": 1000})
        c = await registered_user(pool, srv)
        bob = "bob@" + srv.component
        proxy.throttle(RATE)
        c.chat(bob, "/flood %d" % N)
        await wait_for(lambda: len(floods(c, bob)) >= KILL_AT, 20, "%d floods" % KILL_AT)
        srv.kill9()
        proxy.throttle(None)
        # The client reads what reached its socket, then sees the end.
        try:
            await asyncio.wait_for(c.disconnected, 10)
        except asyncio.TimeoutError:
            raise AssertionError("the client was not disconnected by the kill") from None
        before = floods(c, bob)
        assert len({st["body"] for st in before}) < N, (
            "the whole flood arrived before the kill: nothing was tested")
        srv.start()
        # The gateway reconnects and flushes into the offline storage.
        await wait_for(lambda: links_up(gw, srv.component) >= 2, 20, "the gateway's reconnect")
        await asyncio.sleep(1.5)
        c2 = await pool.login(c.bare, c.password, resource="again")
        want = ["flood %d/%d" % (i, N) for i in range(1, N + 1)]
        await wait_for(lambda: len({st["body"] for st in before + floods(c2, bob)}) >= N, 40,
                       "the rest of the %d floods after the login" % N)
        await asyncio.sleep(1.0)    # late repeats, if any, to check their ids
        after = floods(c2, bob)
        offline = [st for st in after if st.xml.find(NS_DELAY) is not None]
        assert offline, "nothing came from offline storage: the scenario did not happen"
        check_arrivals(before + after, want)
        print("before the kill %d (%d distinct), after the login %d (%d from offline storage)"
              % (len(before), len({st["body"] for st in before}), len(after), len(offline)))
        # The link works as before.
        c2.chat(bob, "after the restart")
        await c2.expect_message(bob, "after the restart")
    finally:
        await pool.close_all()
        gateways.stop_all()
        await proxy.close()
