"""Registration codes are limited per user and for the whole gateway,
through token buckets (codes_per_user_per_hour, codes_per_hour), as well
as per number (test_sms_kannel_register.py): a user asking codes for more
numbers than allowed gets resource-constraint with the reason and nothing
is texted; once the gateway's codes for the hour are used up, any user is
refused the same way (and the log says so); a user under both limits is
texted at once."""
import pytest

from harness.client import error_condition

from harness.sms import (claim_payload, error_text, kannel, number, request_code,  # noqa: F401
                         sink_mark, sms_gateway, sms_options, sms_port)
from harness.servers import SMS_COMPONENT

PER_USER = 2
ALL = 4


@pytest.fixture(scope="module")
def sms_options():  # noqa: F811
    return {"codes_per_user_per_hour": PER_USER, "codes_per_hour": ALL}


async def refused(c, kannel, num, words):
    after = sink_mark(kannel)
    r = await c.iq(SMS_COMPONENT, "set", claim_payload(num))
    assert r["type"] == "error" and error_condition(r) == "resource-constraint", r
    assert words in error_text(r), r
    assert not [m for m in kannel.sink_messages() if m.n > after and m.receiver == num]
    return r


async def test_codes_per_user_and_for_everyone(server, sms_gateway, kannel, clients):
    greedy = await clients.new()
    for _ in range(PER_USER):
        await request_code(greedy, kannel, number())
    await refused(greedy, kannel, number(), "too many codes were texted for your account")
    # the gateway has texted PER_USER codes: others get the rest of ALL
    others = [await clients.new() for _ in range(ALL - PER_USER + 1)]
    for c in others[:-1]:
        await request_code(c, kannel, number())
    await refused(others[-1], kannel, number(), "the gateway is texting too many codes")
    await sms_gateway.wait_log(r"codes_per_hour \(%d\) reached" % ALL)
