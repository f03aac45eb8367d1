"""send_rate end to end, measured at Kannel's sink: a burst of texts four
times the bucket's size (the bucket holds send_rate tokens) reaches the
sink paced at send_rate a second (text k not before (k - send_rate) /
send_rate s), every text, in the order sent.

The pace of the one Kannel account is shared in turns by user: a user with
a long line of texts waiting does not hold up another user's one, which
reaches the sink within a couple of texts of being sent (in one line it
would wait for all of them), and each user's texts keep their order."""
import asyncio
import time

import pytest

from harness.sms import (kannel, number, sms_gateway, sms_jid, sms_port,  # noqa: F401
                         sms_user, sink_mark, wait_sink)

RATE = 2            # send_rate in this module; the bucket holds RATE texts
BURST = 4 * RATE    # texts sent at once
POLL_S = 0.02       # how often the sink's output is read
# The texts are sent GAP_S apart, all within the first token's wait: the
# shared ejabberd has one listener for every component, so it may hand a
# burst sent in one instant to either of the gateway's links and out of
# order (the README's configuration, a listener per backend, keeps the
# order: test_ejabberd_order.py), which is not what this test is about.
GAP_S = 0.03


@pytest.fixture(scope="module")
def sms_options():
    return {"send_rate": RATE}


async def test_burst_paced_at_send_rate(server, sms_gateway, kannel, clients):
    c = await sms_user(clients, kannel)
    bob = number()
    after = sink_mark(kannel)
    bodies = ["paced %02d" % i for i in range(BURST)]
    t0 = time.monotonic()
    for b in bodies:
        c.chat(sms_jid(bob), b)
        await asyncio.sleep(GAP_S)
    # When each text was first seen at the sink (never before it got there).
    seen = {}
    loop = asyncio.get_event_loop()
    deadline = loop.time() + BURST / RATE + 20
    while len(seen) < BURST:
        assert loop.time() < deadline, "%d of %d texts at the sink: %s" % (
            len(seen), BURST, sorted(seen))
        messages = kannel.sink_messages()
        now = time.monotonic() - t0
        for m in messages:
            if m.n > after and m.receiver == bob and m.n not in seen:
                seen[m.n] = (now, m.text)
        await asyncio.sleep(POLL_S)
    arrived = [seen[n] for n in sorted(seen)]
    assert [text for _, text in arrived] == bodies, "texts lost or out of order: %s" % arrived
    # Text k (from 1) needs k tokens: RATE at the start, RATE more a second.
    early = [(k, at) for k, (at, _) in enumerate(arrived, 1) if at < (k - RATE) / RATE]
    times = ", ".join("%.2f" % at for at, _ in arrived)
    print("send_rate %d: arrivals at %s s" % (RATE, times))
    assert not early, "texts sooner than send_rate %d allows: %s (arrivals at %s s)" % (
        RATE, early, times)
    total = arrived[-1][0]
    assert total >= (BURST - RATE) / RATE, "%d texts in %.2f s" % (BURST, total)


async def test_users_served_in_turns(server, sms_gateway, kannel, clients):
    busy = await sms_user(clients, kannel)
    other = await sms_user(clients, kannel)
    bob = number()
    after = sink_mark(kannel)
    bodies = ["busy %02d" % i for i in range(BURST)]
    for b in bodies:
        busy.chat(sms_jid(bob), b)
        await asyncio.sleep(GAP_S)
    # the busy user's line is long now: the bucket gave out its RATE tokens
    await wait_sink(kannel, count=RATE, receiver=bob, after=after)
    other.chat(sms_jid(bob), "just one")
    got = await wait_sink(kannel, count=BURST + 1, receiver=bob, after=after,
                          timeout=BURST / RATE + 20)
    texts = [m.text for m in got]
    print("order at the sink: %s" % texts)
    assert [t for t in texts if t.startswith("busy")] == bodies, texts
    behind = len(texts) - 1 - texts.index("just one")
    assert behind >= BURST - RATE - 3, (
        "the other user's text waited behind the busy user's: only %d texts after it (%s)"
        % (behind, texts))
