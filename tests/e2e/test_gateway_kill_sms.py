"""kill -9 of the gateway with the link up and incoming texts in flight:
nothing answered 2xx is lost.

Kannel posts 400 texts for one user to the gateway's webhook, 100 a second
(the test posts them as Kannel does, retrying what was not answered 2xx:
while the gateway is dead its port refuses them). A proxy between the
gateway and the server's component port forwards the link; 0.5 s before
the kill it stops forwarding what the gateway writes, so that texts are
certainly in flight when the gateway dies: answered 200, sent on the link
and not acknowledged by the server. The gateway is killed with -9 and
started again on the same store a second later. Every text answered 2xx
reaches the user; one that arrives twice carries the same id both times."""
import asyncio

from harness.delivery import check_arrivals, messages_from, settle
from harness.sms import kannel, kill9, sms_port  # noqa: F401
from harness.webhooks import Scene

N = 400
RATE = 100.0
STALL_AT = 1.0      # s after the first text
KILL_AT = 1.5
DEAD_S = 1.0


async def test_texts_survive_a_gateway_kill9(server, kannel, sms_port, clients, gateways):
    s = await Scene.start(server, kannel, sms_port, clients, gateways, "kill", N, RATE,
                          reconnect_max_ms=500)
    proxy, gw, c, hooks = s.proxy, s.gw, s.c, s.hooks
    try:
        loop = asyncio.get_event_loop()
        posting = hooks.start()
        await asyncio.sleep(STALL_AT)
        proxy.stall()
        await asyncio.sleep(KILL_AT - STALL_AT)
        t_kill = loop.time()
        kill9(gw)
        arrived = {st["body"] for st in messages_from(c, s.frm, "kill ")}
        in_flight = [i for i in range(N) if (hooks.accepted_at(i) or t_kill) < t_kill
                     and hooks.body(i) not in arrived]
        await asyncio.sleep(DEAD_S)
        gw.start()
        await gw.wait_ready()
        await posting
        hooks.check()
        await settle(lambda: len({st["body"] for st in messages_from(c, s.frm, "kill ")}),
                     want=N)
        got = messages_from(c, s.frm, "kill ")
        assert in_flight, "no text was in flight at the kill: the scenario did not happen"
        statuses = hooks.statuses()
        assert set(statuses) <= {200, None}, "unexpected answers: %s" % statuses
        assert statuses.get(None), "no webhook found the gateway dead: the kill came too late"
        bodies = {st["body"] for st in got}
        lost = [i for i in in_flight if hooks.body(i) not in bodies]
        assert not lost, "%d of the %d texts in flight at the kill never arrived: %s" % (
            len(lost), len(in_flight), lost[:5])
        _, ids = check_arrivals(got, [hooks.body(i) for i in range(N)], ordered=False)
        print("answers %s; %d in flight at the kill; %d arrived (%d repeats)"
              % (statuses, len(in_flight), len(got), len(got) - len(ids)))
    finally:
        await proxy.close()
