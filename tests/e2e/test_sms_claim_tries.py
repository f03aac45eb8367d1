"""A claim code's five tries, with a real Kannel: four wrong codes are
refused as wrong, the fifth ends the claim, after which even the right
code is refused (the submission texts a new code instead), and the new
code is accepted."""
from harness.client import NS_REGISTER, payload, q
from harness.servers import SMS_COMPONENT
from harness.sms import (claim_payload, error_text, kannel, number, request_code,  # noqa: F401
                         sms_gateway, sms_options, sms_port, sink_mark, wait_sink, CODE)

TRIES = 5  # README: a claim code has five tries


def wrong_codes(code, n):
    """n codes that are not code."""
    return ["%06d" % ((int(code) + k) % 1000000) for k in range(1, n + 1)]


async def registered(c):
    r = await c.iq_ok(SMS_COMPONENT, "get", "<query xmlns='%s'/>" % NS_REGISTER)
    return payload(r, NS_REGISTER, "query").find(q(NS_REGISTER, "registered")) is not None


async def test_five_tries_then_a_new_code(server, sms_gateway, kannel, clients):
    c = await clients.new()
    num = number()
    code = await request_code(c, kannel, num)
    for i, wrong in enumerate(wrong_codes(code, TRIES), 1):
        r = await c.iq(SMS_COMPONENT, "set", claim_payload(num, wrong))
        assert r["type"] == "error", "wrong code %d accepted: %s" % (i, r)
        text = error_text(r)
        if i < TRIES:
            assert text == "wrong code: enter the code texted to the number", (i, text)
        else:
            assert "too many times" in text, "try %d did not end the claim: %r" % (i, text)
    # The claim is over: the right code is refused too, and texts a new one.
    after = sink_mark(kannel)
    r = await c.iq(SMS_COMPONENT, "set", claim_payload(num, code))
    assert r["type"] == "error", "the right code accepted after %d wrong ones: %s" % (TRIES, r)
    assert "A code was texted to %s" % num in error_text(r), r
    [m] = await wait_sink(kannel, receiver=num, after=after)
    fresh = CODE.search(m.text).group(1)
    assert not await registered(c), "registered after the claim ended"
    # The new code has its own tries: one wrong, then the right one.
    [wrong] = wrong_codes(fresh, 1)
    r = await c.iq(SMS_COMPONENT, "set", claim_payload(num, wrong))
    assert error_text(r) == "wrong code: enter the code texted to the number", r
    await c.iq_ok(SMS_COMPONENT, "set", claim_payload(num, fresh), what="the new code")
    await c.expect_presence(SMS_COMPONENT, "subscribe")
    assert await registered(c)
