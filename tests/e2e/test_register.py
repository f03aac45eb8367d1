"""In-band registration (XEP-0077) with the gateway: the form, registering
with legacy fields or a data form, the subscription that follows, updating,
the echo backend's validation errors, and removal."""
from harness.client import NS_REGISTER, form_fields, form_of, payload, q
from harness.scenario import (legacy_name, register, register_form_payload, register_payload,
                              registration_state)


async def test_registration_form(server, gateway, clients):
    c = await clients.new()
    r = await c.iq_ok(server.component, "get", "<query xmlns='%s'/>" % NS_REGISTER)
    query = payload(r, NS_REGISTER, "query")
    assert query is not None, r
    for tag in ("instructions", "username", "password"):
        assert query.find(q(NS_REGISTER, tag)) is not None, "no <%s/> in %s" % (tag, r)
    assert query.find(q(NS_REGISTER, "registered")) is None, "a new user is <registered/>: %s" % r
    x = form_of(query)
    assert x is not None and x.get("type") == "form", "no data form of type form: %s" % r
    fields = form_fields(x)
    assert fields.get("FORM_TYPE", {}).get("type") == "hidden", fields
    assert fields["FORM_TYPE"]["values"] == [NS_REGISTER], fields
    assert "username" in fields and fields["username"]["required"], fields
    assert fields.get("password", {}).get("type") == "text-private", fields
    assert fields["password"]["required"], fields


async def test_register_with_legacy_fields(server, gateway, clients):
    c = await clients.new()
    name = await register(c, server)
    registered, user, pw = await registration_state(c, server)
    assert registered, "no <registered/> after registering"
    assert user == name
    assert pw == "", "the password is echoed back: %r" % pw


async def test_register_with_a_form(server, gateway, clients):
    c = await clients.new()
    name = legacy_name()
    await c.iq_ok(server.component, "set",
                  register_form_payload({"username": name, "password": "s3cret"}))
    await c.expect_presence(server.component, "subscribe", what="subscription request")
    registered, user, pw = await registration_state(c, server)
    assert registered and user == name and pw == ""


async def test_update_registration(server, gateway, clients):
    c = await clients.new()
    await register(c, server)
    new = legacy_name()
    await c.iq_ok(server.component, "set", register_payload(new, "other-pw"))
    registered, user, pw = await registration_state(c, server)
    assert registered and user == new and pw == ""


async def test_validation_errors(server, gateway, clients):
    c = await clients.new()
    to = server.component
    await c.iq_error(to, "set", register_payload("Bad Name!", "pw"), "not-acceptable",
                     what="a username outside [a-z0-9._-]")
    await c.iq_error(to, "set", register_payload("x" * 65, "pw"), "not-acceptable",
                     what="a username of 65 characters")
    await c.iq_error(to, "set", register_payload(legacy_name(), "wrong"), "forbidden",
                     what="password 'wrong'")
    await c.iq_error(to, "set", register_payload(username=legacy_name()), "not-acceptable",
                     what="no password")
    await c.iq_error(to, "set", register_form_payload({"username": legacy_name()}),
                     "not-acceptable", what="a form without the password")
    registered, _, _ = await registration_state(c, server)
    assert not registered, "registered after failed attempts only"


async def test_username_taken_by_another_user(server, gateway, clients):
    first = await clients.new()
    name = await register(first, server)
    second = await clients.new()
    await second.iq_error(server.component, "set", register_payload(name, "pw2"), "conflict",
                          what="a username registered by another JID")


async def test_remove(server, gateway, clients):
    c = await clients.new()
    await register(c, server)
    c.clear()
    await c.iq_ok(server.component, "set", register_payload(remove=True), what="<remove/>")
    await c.expect_presence(server.component, "unsubscribe", what="unsubscribe after <remove/>")
    await c.expect_presence(server.component, "unsubscribed", what="unsubscribed after <remove/>")
    registered, _, _ = await registration_state(c, server)
    assert not registered, "still <registered/> after <remove/>"
