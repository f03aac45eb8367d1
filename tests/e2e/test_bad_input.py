"""Malformed or unexpected requests get the right XMPP errors, the
jabber:iq:gateway translation works, and the gateway keeps serving."""
from harness.client import NS_GATEWAY, NS_PING, NS_REGISTER, payload, q
from harness.scenario import register_payload, registered_user


async def test_bad_requests_get_errors(server, gateway, clients):
    c = await registered_user(clients, server, online=False)
    to = server.component
    await c.iq_error(to, "set",
                     "<query xmlns='%s'><x xmlns='jabber:x:data' type='submit'>"
                     "<field var='FORM_TYPE' type='hidden'><value>%s</value></field>"
                     "<field><value>nameless</value></field></x></query>" % (NS_REGISTER, NS_REGISTER),
                     "bad-request", what="a form field without var")
    await c.iq_error(to, "set", register_payload("a" * 5000, "pw"), "not-acceptable",
                     what="a username of 5000 bytes")
    await c.iq_error(to, "get", "<query xmlns='urn:example:nope'/>", "service-unavailable",
                     what="an unknown namespace to the gateway")
    await c.iq_error("bob@" + to, "set", "<query xmlns='urn:example:nope'/>",
                     "service-unavailable", what="an unknown payload to a contact")
    await still_serving(c, server, clients)


async def test_gateway_translation(server, gateway, clients):
    c = await clients.new()
    to = server.component
    r = await c.iq_ok(to, "get", "<query xmlns='%s'/>" % NS_GATEWAY)
    query = payload(r, NS_GATEWAY, "query")
    assert query is not None, r
    assert query.find(q(NS_GATEWAY, "desc")) is not None, "no <desc/>: %s" % r
    assert query.find(q(NS_GATEWAY, "prompt")) is not None, "no <prompt/>: %s" % r

    r = await c.iq_ok(to, "set", "<query xmlns='%s'><prompt>Bob Smith</prompt></query>" % NS_GATEWAY)
    jid = payload(r, NS_GATEWAY, "query").find(q(NS_GATEWAY, "jid"))
    assert jid is not None and jid.text == "bob\\20smith@" + to, r

    await c.iq_error(to, "set", "<query xmlns='%s'><prompt/></query>" % NS_GATEWAY,
                     what="an empty prompt")
    await still_serving(c, server, clients)


async def still_serving(c, server, clients):
    await c.iq_ok(server.component, "get", "<ping xmlns='%s'/>" % NS_PING, "ping after bad input")
    other = await registered_user(clients, server)
    other.chat("bob@" + server.component, "still there?")
    await other.expect_message("bob@" + server.component, "still there?")
