"""The SMS backend's metrics against a real Kannel: a text out counts one
provider call of driver kannel, ok, and one observation of its latency;
Kannel's delivery report counts as a report; a text in counts as received,
ok, and the same text posted again as a duplicate. The core counts the
messages each way. `promtool check metrics` passes on the result."""
import pytest

from harness.metrics import parse, promtool_check, scrape, until, value
from harness.servers import SMS_COMPONENT, unique
from harness.sms import (kannel, number, post, sms_gateway, sms_jid, sms_options,  # noqa: F401
                         sms_port, sms_user, inject, wait_sink)

TOKEN = unique("metrics-token-")


@pytest.fixture(scope="module")
def http_options():
    return {"metrics_token": TOKEN}


async def test_sms_metrics_move(server, sms_gateway, kannel, sms_port, clients):
    c = await sms_user(clients, kannel)  # its claim code is a send too: count from here
    before = parse(await scrape(sms_port, TOKEN))
    g = {"gateway": SMS_COMPONENT, "driver": "kannel"}
    bob = number()
    c.chat(sms_jid(bob), "counted out")
    await wait_sink(kannel, receiver=bob)
    await inject(kannel, bob, c.number, "counted in")
    await c.expect_message(sms_jid(bob), "counted in")

    def moved(samples, name, **labels):
        return value(samples, name, **labels) - value(before, name, **labels)

    after = await until(sms_port, TOKEN, lambda s: moved(
        s, "xmpp_gw_sms_reports_total", report="delivered", **g) >= 1,
        "Kannel's delivery report counted")
    assert moved(after, "xmpp_gw_sms_sends_total", outcome="ok", **g) == 1
    assert moved(after, "xmpp_gw_sms_sends_total", **g) == 1
    assert moved(after, "xmpp_gw_sms_provider_seconds_count", **g) == 1
    assert moved(after, "xmpp_gw_sms_received_total", outcome="ok", **g) == 1
    gw = {"gateway": SMS_COMPONENT}
    assert moved(after, "xmpp_gw_messages_total", direction="to_network", outcome="ok",
                 **gw) == 1
    assert moved(after, "xmpp_gw_messages_total", direction="from_network", outcome="ok",
                 **gw) == 1
    promtool_check(await scrape(sms_port, TOKEN))
