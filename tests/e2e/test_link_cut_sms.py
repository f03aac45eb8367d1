"""Incoming SMS webhooks keep coming while the component link is cut and
kept down: none is lost.

A proxy sits between the gateway and the server's component port. Kannel
posts 500 texts for one user to the gateway's webhook, 100 a second (the
test posts them as Kannel does, retrying what was not answered 2xx). A
second into the run the proxy resets the link and then resets every
reconnect for 2.5 s. Meanwhile the gateway answers each text 200 once it
is in its store, until its outbox (outbox_max 100 here) is full; after
that it answers 503 and the text is posted again later, as a provider
would. Once the link is back, every text answered 2xx reaches the user,
and a text that arrives twice carries the same id both times."""
import asyncio

from harness.delivery import check_arrivals, messages_from, settle
from harness.sms import kannel, sms_port  # noqa: F401
from harness.webhooks import Scene

N = 500
RATE = 100.0        # texts a second
CUT_AT = 1.0        # s after the first text
DOWN_S = 2.5
OUTBOX_MAX = 100


async def test_webhooks_through_a_link_cut(server, kannel, sms_port, clients, gateways):
    s = await Scene.start(server, kannel, sms_port, clients, gateways, "cut", N, RATE,
                          outbox_max=OUTBOX_MAX, reconnect_max_ms=500)
    proxy, c, hooks = s.proxy, s.c, s.hooks
    try:
        loop = asyncio.get_event_loop()
        posting = hooks.start()
        await asyncio.sleep(CUT_AT)
        proxy.hold()
        proxy.cut_now()
        t_cut = loop.time()
        await asyncio.sleep(DOWN_S)
        proxy.release()
        t_back = loop.time()
        await posting
        hooks.check()
        await settle(lambda: len({st["body"] for st in messages_from(c, s.frm, "cut ")}), want=N)
        got = messages_from(c, s.frm, "cut ")
        assert proxy.cuts >= 2, "the proxy never cut both links (%d cuts)" % proxy.cuts
        assert proxy.held >= 1, "the gateway did not try to reconnect during the outage"
        during = [i for i in range(N) if t_cut <= (hooks.accepted_at(i) or 0) < t_back]
        assert during, "no text was accepted while the link was down"
        statuses = hooks.statuses()
        assert set(statuses) <= {200, 503}, "unexpected answers: %s" % statuses
        assert statuses.get(503), "the outbox never filled: no text was refused and retried"
        _, ids = check_arrivals(got, [hooks.body(i) for i in range(N)], ordered=False)
        print("answers %s; %d accepted during the outage; %d arrived (%d repeats)"
              % (statuses, len(during), len(got), len(got) - len(ids)))
        # The link works as before.
        c.chat("bob@" + server.component, "after the cut")
        await c.expect_message("bob@" + server.component, "after the cut")
    finally:
        await proxy.close()
