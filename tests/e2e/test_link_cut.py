"""The component link is reset in the middle of a flood: nothing is lost.

A proxy sits between the gateway and the server's component port. The echo
backend floods one user with 2,000 numbered messages; after a few tens of KB
the proxy resets both sides of the connection, with stanzas in its buffers,
the kernel's and libstrophe's queue, then lets the gateway reconnect. Every
message arrives, first arrivals in order, and a message that arrives twice
carries the same id both times (the gateway sends the same stanza again)."""
import asyncio

from harness.delivery import check_arrivals, messages_from
from harness.proxy import CutProxy
from harness.scenario import registered_user

N = 2000
CUT_AFTER = 40000   # bytes from the gateway after the flood starts


def floods(c, bob):
    return messages_from(c, bob, "flood ")


async def test_flood_survives_a_link_reset(server, clients, gateways):
    proxy = await CutProxy(server.component_port).start()
    try:
        await gateways.new(port=proxy.port)
        c = await registered_user(clients, server)
        bob = "bob@" + server.component
        assert proxy.connections == 1
        proxy.arm(CUT_AFTER)
        c.chat(bob, "/flood %d" % N)
        want = ["flood %d/%d" % (i, N) for i in range(1, N + 1)]
        loop = asyncio.get_event_loop()
        deadline = loop.time() + 90
        while loop.time() < deadline:
            if len({st["body"] for st in floods(c, bob)}) == N:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)    # late repeats, if any, to check their ids
        got = floods(c, bob)
        assert proxy.cuts == 1, "the proxy never cut the link (%d bytes from the gateway)" % (
            proxy.upstream_bytes)
        assert proxy.connections >= 2, "the gateway did not reconnect"
        check_arrivals(got, want)
        # The link works as before.
        c.chat(bob, "after the cut")
        await c.expect_message(bob, "after the cut")
    finally:
        await proxy.close()
