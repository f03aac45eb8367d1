"""Backpressure on the component link: libstrophe's send queue is held at
send_queue_high, everything beyond waits in the store's outbox and goes out
in order once the queue drains; when the outbox is full as well, the log
says so, the backend is told (it stops), and the process carries on."""
import asyncio

from harness.scenario import registered_user

QUEUE = {"send_queue_high": 50, "send_queue_low": 10}


def flood_bodies(c, bob):
    return [st["body"] for st in c.inbox
            if st.xml.tag.endswith("}message") and str(st["from"].bare) == bob
            and st["body"].startswith("flood ")]


async def wait_floods(c, bob, count, timeout=60):
    loop = asyncio.get_event_loop()
    deadline = loop.time() + timeout
    while len(flood_bodies(c, bob)) < count and loop.time() < deadline:
        await asyncio.sleep(0.1)
    return flood_bodies(c, bob)


async def test_congestion_waits_in_outbox_and_loses_nothing(server, clients, gateways):
    gw = await gateways.new(xmpp_extra=dict(QUEUE, outbox_max=100000))
    c = await registered_user(clients, server)
    bob = "bob@" + server.component
    n = 2000
    c.chat(bob, "/flood %d" % n)
    got = await wait_floods(c, bob, n)
    want = ["flood %d/%d" % (i, n) for i in range(1, n + 1)]
    assert got == want, "received %d of %d, first difference at %s" % (
        len(got), n, next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), len(got)))
    log = gw.log_text()
    assert "pausing backends" in log, "the send queue never reached its high mark"
    assert "outbox full" not in log


async def test_full_outbox_is_logged_and_bounded(server, clients, gateways):
    gw = await gateways.new(xmpp_extra=dict(QUEUE, outbox_max=100))
    c = await registered_user(clients, server)
    bob = "bob@" + server.component
    c.chat(bob, "/flood 1000")
    # Up to 50 fit in the send queue (less what else waits there: a ping,
    # a presence) and 100 in the outbox; the rest is refused.
    queued = int((await gw.wait_log(r"only (\d+) of 1000 echoes could be queued"))[0].group(1))
    assert 100 < queued <= 150, "%d echoes queued: the queues hold 50 + 100" % queued
    got = await wait_floods(c, bob, queued)
    await c.expect_none(lambda st: st.xml.tag.endswith("}message") and st["body"]
                        and st["body"].startswith("flood ") and st["body"] not in got,
                        "more echoes than were queued", within=2.0)
    assert got == ["flood %d/1000" % i for i in range(1, queued + 1)], (
        got[:5] + ["..."] + got[-5:])
    log = gw.log_text()
    assert "outbox full" in log, "the full outbox was not logged"
    # The link drained: the gateway works as before.
    c.chat(bob, "still there?")
    await c.expect_message(bob, "still there?")
