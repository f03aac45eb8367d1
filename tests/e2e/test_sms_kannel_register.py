"""Claiming a number with the Kannel provider (a code texted to it and
entered back; a wrong code refused; one number, one JID), and the
addressing around it: jabber:iq:gateway normalisation, subscriptions to
numbers, disco of the gateway and of number JIDs; an admin assigning a
number without a code."""
from harness.client import (NS_DISCO_INFO, NS_GATEWAY, NS_REGISTER, error_condition,
                            form_fields, form_of, payload, q, submit_form)
from harness.scenario import command
from harness.servers import SMS_COMPONENT
from harness.sms import (CODE, claim, claim_payload, error_text, kannel, number,  # noqa: F401
                         request_code, sink_mark, sms_gateway, sms_jid, sms_options, sms_port,
                         sms_user, wait_sink)


async def test_claim_with_the_texted_code(server, sms_gateway, kannel, clients):
    c = await clients.new()
    num = number()
    r = await c.iq_ok(SMS_COMPONENT, "get", "<query xmlns='%s'/>" % NS_REGISTER)
    fields = form_fields(form_of(payload(r, NS_REGISTER, "query")))
    assert {"number", "code"} <= set(fields) and fields["number"]["required"], fields
    code = await request_code(c, kannel, num)
    wrong = "%06d" % ((int(code) + 1) % 1000000)
    cond = await c.iq_error(SMS_COMPONENT, "set", claim_payload(num, wrong),
                            condition="not-acceptable", what="a wrong code")
    assert cond == "not-acceptable"
    await c.iq_ok(SMS_COMPONENT, "set", claim_payload(num, code), what="the right code")
    await c.expect_presence(SMS_COMPONENT, "subscribe")
    r = await c.iq_ok(SMS_COMPONENT, "get", "<query xmlns='%s'/>" % NS_REGISTER)
    query = payload(r, NS_REGISTER, "query")
    assert query.find(q(NS_REGISTER, "registered")) is not None
    fields = form_fields(form_of(query))
    assert fields["number"]["values"] == [num], fields
    assert fields["code"]["values"] in ([], [""]), "the code was stored: %s" % fields
    # A code is good once: with the number free again (its user removed
    # the registration), the spent code claims nothing; a new code is
    # texted instead.
    await c.iq_ok(SMS_COMPONENT, "set", "<query xmlns='%s'><remove/></query>" % NS_REGISTER,
                  what="removing the registration")
    after = sink_mark(kannel)
    r = await c.iq(SMS_COMPONENT, "set", claim_payload(num, code))
    assert r["type"] == "error" and error_condition(r) == "not-acceptable", r
    assert error_text(r) == ("A code was texted to %s; register again with it in the Code "
                             "field" % num), r
    [m] = await wait_sink(kannel, receiver=num, after=after)
    second = CODE.search(m.text)
    assert second, m
    r = await c.iq_ok(SMS_COMPONENT, "get", "<query xmlns='%s'/>" % NS_REGISTER)
    assert payload(r, NS_REGISTER, "query").find(q(NS_REGISTER, "registered")) is None, r
    # The codes are never logged, not even at debug (the texts carrying
    # them are the gateway's own, and the log shows no body of them).
    log = sms_gateway.log_text()
    for secret in (code, second.group(1) if second.groups() else second.group(0)):
        assert secret not in log, "a registration code is in the log: %s" % next(
            line for line in log.splitlines() if secret in line)


async def test_number_typed_nationally(server, sms_gateway, kannel, clients):
    c = await clients.new()
    num = number()
    national = "(%s) %s-%s" % (num[2:5], num[5:8], num[8:])
    r = await c.iq(SMS_COMPONENT, "set", claim_payload(national))
    assert "A code was texted to %s" % num in error_text(r), r


async def test_one_number_one_jid(server, sms_gateway, kannel, clients):
    first = await sms_user(clients, kannel)
    second = await clients.new()
    r = await second.iq(SMS_COMPONENT, "set", claim_payload(first.number))
    assert r["type"] == "error" and "another user" in error_text(r), r
    await second.iq_error(SMS_COMPONENT, "set", claim_payload(first.number, "123456"),
                          condition="conflict")
    # Not a number at all.
    await second.iq_error(SMS_COMPONENT, "set", claim_payload("call me"),
                          condition="not-acceptable")


async def test_codes_to_one_number_are_limited(server, sms_gateway, kannel, clients):
    c = await clients.new()
    num = number()
    for _ in range(3):
        await request_code(c, kannel, num)
    await c.iq_error(SMS_COMPONENT, "set", claim_payload(num),
                     condition="resource-constraint", what="a fourth code within the hour")


async def test_gateway_translation(server, sms_gateway, clients):
    c = await clients.new()
    r = await c.iq_ok(SMS_COMPONENT, "get", "<query xmlns='%s'/>" % NS_GATEWAY)
    assert payload(r, NS_GATEWAY, "query").find(q(NS_GATEWAY, "prompt")) is not None
    for typed, want in [("(555) 010-1234", "+15550101234"), ("+44 20 7946 0958", "+442079460958"),
                        ("tel:+1-201-555-0123", "+12015550123")]:
        r = await c.iq_ok(SMS_COMPONENT, "set",
                          "<query xmlns='%s'><prompt>%s</prompt></query>" % (NS_GATEWAY, typed))
        assert payload(r, NS_GATEWAY, "query").find(q(NS_GATEWAY, "jid")).text == sms_jid(want)
    for typed in ("hello", "12", "+1 800 FLOWERS"):
        await c.iq_error(SMS_COMPONENT, "set",
                         "<query xmlns='%s'><prompt>%s</prompt></query>" % (NS_GATEWAY, typed),
                         condition="item-not-found", what=typed)


async def test_subscription_to_a_number_approved(server, sms_gateway, kannel, clients):
    c = await sms_user(clients, kannel)
    bob = sms_jid(number())
    c.presence(to=bob, ptype="subscribe")
    await c.expect_presence(bob, "subscribed", what="subscribed from %s" % bob)


async def test_disco(server, sms_gateway, clients):
    c = await clients.new()
    info = await c.iq_ok(SMS_COMPONENT, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
    ids = [(i.get("category"), i.get("type")) for i in info.xml.iter(q(NS_DISCO_INFO, "identity"))]
    assert ("gateway", "sms") in ids, ids
    features = {f.get("var") for f in info.xml.iter(q(NS_DISCO_INFO, "feature"))}
    assert {NS_REGISTER, NS_GATEWAY} <= features, features
    info = await c.iq_ok(sms_jid(number()), "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
    ids = [(i.get("category"), i.get("type")) for i in info.xml.iter(q(NS_DISCO_INFO, "identity"))]
    assert ids == [("client", "sms")], ids
    features = {f.get("var") for f in info.xml.iter(q(NS_DISCO_INFO, "feature"))}
    assert "urn:xmpp:receipts" in features, features


async def test_admin_assigns_a_number(server, sms_gateway, kannel, clients):
    """An admin gives a user a number without a texted code (the assign
    command); the user is registered with it and gets the gateway's
    subscription request; a number someone else has is a conflict; plain
    users cannot run it."""
    c = await clients.new()
    num = number()
    before = len(kannel.sink_messages())
    r, _ = await command(c, SMS_COMPONENT, "assign")
    assert r["type"] == "error" and error_condition(r) == "forbidden", r
    admin = await clients.login(*sms_gateway.admin)
    fields = await assign(admin, c.bare, num)
    assert fields["report"]["values"] == ["%s now has %s." % (c.bare, num)], fields
    await c.expect_presence(SMS_COMPONENT, "subscribe")
    r = await c.iq_ok(SMS_COMPONENT, "get", "<query xmlns='%s'/>" % NS_REGISTER)
    query = payload(r, NS_REGISTER, "query")
    assert query.find(q(NS_REGISTER, "registered")) is not None, r
    assert form_fields(form_of(query))["number"]["values"] == [num]
    assert len(kannel.sink_messages()) == before, "a code was texted for an assigned number"
    # The number is now c's: another JID cannot get it, and bad input is refused.
    other = await clients.new()
    r = await assign(admin, other.bare, num, ok=False)
    assert error_condition(r) == "conflict", r
    r = await assign(admin, other.bare, "not a number", ok=False)
    assert error_condition(r) == "not-acceptable", r
    r = await assign(admin, "@@@", number(), ok=False)
    assert error_condition(r) == "jid-malformed", r


async def assign(admin, jid, num, ok=True):
    """Runs the assign command; the result's fields, or the error when not ok."""
    r, cmd = await command(admin, SMS_COMPONENT, "assign")
    assert r["type"] == "result" and cmd.get("status") == "executing", r
    r, cmd = await command(admin, SMS_COMPONENT, "assign", "complete", cmd.get("sessionid"),
                           submit_form({"jid": jid, "number": num}))
    if not ok:
        assert r["type"] == "error", r
        return r
    assert r["type"] == "result" and cmd.get("status") == "completed", r
    return form_fields(form_of(cmd))
