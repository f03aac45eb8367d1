"""The XMPP server restarts while replies are pending: the gateway
reconnects by itself and no reply is lost (live or from offline storage)."""
import asyncio

from harness.pool import ClientPool
from harness.scenario import registered_user


async def test_no_reply_lost_across_server_restart(dedicated_server, dedicated_gateways):
    srv = dedicated_server
    await dedicated_gateways.new()
    pool = ClientPool(srv)
    try:
        c = await registered_user(pool, srv)
        bob = "bob@" + srv.component
        for n in range(1, 6):
            c.chat(bob, "/delay 3 msg-%d" % n)
        await asyncio.sleep(0.5)   # let the server route them to the gateway
        await c.close()
        srv.stop()
        await asyncio.sleep(1.0)
        srv.start()
        c2 = await pool.login(c.bare, c.password)
        got = set()
        loop = asyncio.get_event_loop()
        deadline = loop.time() + 60   # the gateway's reconnect backoff is capped at 30 s
        while len(got) < 5:
            left = deadline - loop.time()
            assert left > 0, "replies received: %s; missing: %s" % (
                sorted(got), sorted({"msg-%d" % n for n in range(1, 6)} - got))
            m = await c2.expect(lambda st: st.xml.tag.endswith("}message")
                                and str(st["from"].bare) == bob and st["body"].startswith("msg-"),
                                "replies msg-1..msg-5 from bob", timeout=left)
            got.add(m["body"])
        assert got == {"msg-%d" % n for n in range(1, 6)}, got
    finally:
        await pool.close_all()
