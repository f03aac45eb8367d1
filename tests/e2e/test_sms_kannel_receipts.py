"""Delivery reports from Kannel turned into XEP-0184 receipts: at the exact
resource that sent the text, only for "delivered" (status 8, accepted by
the SMS centre, is not a delivery), never twice and never undone by a
late report; "failed" becomes an error for the original message id.

Kannel's reports go to a recorder (public_url points there), and the test
replays them to the gateway one by one, in the order it chooses."""
import asyncio
import xml.etree.ElementTree as ET

import pytest

from harness.client import NS_CLIENT, error_condition, q
from harness.httprec import recorder  # noqa: F401
from harness.sms import (kannel, number, post, sms_gateway, sms_jid, sms_port,  # noqa: F401
                         sms_user, wait_sink)

NS_RECEIPTS = "urn:xmpp:receipts"


@pytest.fixture(scope="module")
def sms_options(recorder):
    return {"public_url": recorder.url("")}


def with_receipt(c, to, body, mid):
    m = c.make_message(mto=to, mbody=body, mtype="chat")
    m["id"] = mid
    m.append(ET.fromstring("<request xmlns='%s'/>" % NS_RECEIPTS))
    m.send()


def is_receipt(st):
    return (st.xml.tag == q(NS_CLIENT, "message")
            and st.xml.find(q(NS_RECEIPTS, "received")) is not None)


async def reports_after(recorder, mark, count=2, timeout=15.0):
    """The first `count` delivery reports recorded after request number
    mark, by status (one text at a time per test)."""
    loop = asyncio.get_event_loop()
    deadline = loop.time() + timeout
    while True:
        with recorder.lock:
            got = [r for r in recorder.requests[mark:] if r["path"] == "/kannel/dlr"]
        if len(got) >= count:
            assert len({r["query"]["job"] for r in got}) == 1, got
            return {r["query"]["status"]: r for r in got}
        assert loop.time() < deadline, "no %d reports after %d: %s" % (count, mark, got)
        await asyncio.sleep(0.1)


def replay(port, rec):
    status, _ = post(port, rec["path"], rec["raw_query"], method="GET")
    assert status == 200, "report %s answered %s" % (rec["raw_query"], status)


async def test_receipt_only_when_delivered(server, sms_gateway, kannel, clients, sms_port,
                                           recorder):
    c = await sms_user(clients, kannel)
    other = await clients.login(c.bare, c.password, resource="other")
    bob = number()
    mark = len(recorder.requests)
    with_receipt(c, sms_jid(bob), "receipt please", "r-1")
    await wait_sink(kannel, receiver=bob)
    reports = await reports_after(recorder, mark)
    assert sorted(reports) == ["1", "8"]
    # 8: the SMS centre took it. Not a delivery: no receipt.
    replay(sms_port, reports["8"])
    await c.expect_none(is_receipt, "a receipt after status 8 alone", 1.0)
    # 1: delivered. A receipt for r-1, at the resource that sent it only.
    replay(sms_port, reports["1"])
    got = await c.expect(is_receipt, "a receipt for r-1")
    assert got.xml.find(q(NS_RECEIPTS, "received")).get("id") == "r-1", got
    assert str(got["from"]) == sms_jid(bob), got
    assert str(got["to"]) == "%s/%s" % (c.bare, c.boundjid.resource), got
    # Late or repeated reports change nothing: no second receipt, no error.
    replay(sms_port, reports["8"])
    replay(sms_port, reports["1"])
    await c.expect_none(lambda st: is_receipt(st) or st.xml.get("type") == "error",
                        "a second receipt or an error after delivery", 1.0)
    await other.expect_none(is_receipt, "a receipt at the other resource", 0.1)


async def test_no_receipt_without_request(server, sms_gateway, kannel,
                                         clients, sms_port, recorder):
    """A text sent without asking for a receipt gets none; its reports are
    answered 200 all the same."""
    c = await sms_user(clients, kannel)
    bob = number()
    mark = len(recorder.requests)
    c.chat(sms_jid(bob), "no receipt wanted")
    await wait_sink(kannel, receiver=bob)
    reports = await reports_after(recorder, mark)
    replay(sms_port, reports["1"])
    replay(sms_port, reports["8"])
    await c.expect_none(is_receipt, "a receipt nobody asked for", 1.0)


async def test_failed_report_is_an_error(server, sms_gateway, kannel, clients, sms_port,
                                         recorder):
    c = await sms_user(clients, kannel)
    bob = number()
    mark = len(recorder.requests)
    with_receipt(c, sms_jid(bob), "this one fails", "f-1")
    await wait_sink(kannel, receiver=bob)
    reports = await reports_after(recorder, mark)
    replay(sms_port, reports["8"])
    failed = dict(reports["1"])
    failed["raw_query"] = failed["raw_query"].replace("status=1", "status=2")
    replay(sms_port, failed)
    err = await c.expect(lambda st: st.xml.get("type") == "error"
                         and str(st["from"].bare) == sms_jid(bob), "an error for f-1")
    assert err["id"] == "f-1", err
    assert str(err["to"]) == "%s/%s" % (c.bare, c.boundjid.resource), err
    assert error_condition(err) == "service-unavailable", err
    assert "not delivered" in err["error"]["text"], err
    # A delivered report after the failure changes nothing.
    replay(sms_port, reports["1"])
    await c.expect_none(is_receipt, "a receipt after a failure", 1.0)
