"""The XMPP server restarts while replies are pending: the replies made
while the link is down wait in the outbox (the gateway's log shows each
one kept and, on the reconnect, how many wait), and the user gets every
one, in the order they were made.

The link goes through a proxy that cuts it before the server stops and
refuses it until the server is back, so the outage starts at once (a
server takes its time to close a component's stream when it stops) and
ends when the test says."""
import re

from harness.pool import ClientPool
from harness.proxy import CutProxy
from harness.scenario import registered_user

N = 5


async def test_outbox_keeps_replies_in_order_across_server_restart(dedicated_server,
                                                                   dedicated_gateways):
    srv = dedicated_server
    proxy = await CutProxy(srv.component_port).start()
    pool = ClientPool(srv)
    try:
        gw = await dedicated_gateways.new(port=proxy.port)
        c = await registered_user(pool, srv)
        bob = "bob@" + srv.component
        want = ["msg-%d" % n for n in range(1, N + 1)]
        for body in want:
            c.chat(bob, "/delay 3 " + body)
        # One server routes one sender's messages in order: once the plain
        # echo is back, the gateway holds every delayed one.
        c.chat(bob, "marker")
        await c.expect_message(bob, "marker")
        await c.close()
        proxy.hold()
        proxy.cut_now()
        kept = await gw.wait_log(r"link down: <message/> to %s\S* kept in the outbox"
                                 % re.escape(c.bare), count=N, timeout=20)
        assert len(kept) == N, kept
        srv.stop()
        srv.start()
        proxy.release()
        [up] = await gw.wait_log(r"link back up; (\d+) stanzas wait in the outbox", timeout=60)
        assert int(up.group(1)) >= N, "the outbox held %s stanzas, not the %d replies" % (
            up.group(1), N)
        c2 = await pool.login(c.bare, c.password)
        got = []
        while len(got) < N:
            m = await c2.expect(lambda st: st.xml.tag.endswith("}message")
                                and str(st["from"].bare) == bob
                                and st["body"].startswith("msg-"),
                                "reply %d of msg-1..msg-%d from bob (got %s)"
                                % (len(got) + 1, N, got), timeout=20)
            got.append(m["body"])
        assert got == want, got
    finally:
        await pool.close_all()
        await proxy.close()
