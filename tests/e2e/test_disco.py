"""Service discovery (XEP-0030) of the gateway and of its contacts, and the
ad-hoc command list, which depends on who asks."""
from harness.client import NS_COMMANDS, NS_DISCO_INFO, NS_DISCO_ITEMS, payload, q
from harness.scenario import registered_user

FEATURES = [
    "http://jabber.org/protocol/disco#info",
    "http://jabber.org/protocol/disco#items",
    "jabber:iq:register",
    "jabber:iq:gateway",
    "urn:xmpp:ping",
    "jabber:iq:version",
    "http://jabber.org/protocol/commands",
]


def identities(r):
    query = payload(r, NS_DISCO_INFO, "query")
    assert query is not None, "disco#info: no query in %s" % r
    return [(i.get("category"), i.get("type")) for i in query.findall(q(NS_DISCO_INFO, "identity"))]


def features(r):
    query = payload(r, NS_DISCO_INFO, "query")
    return {f.get("var") for f in query.findall(q(NS_DISCO_INFO, "feature"))}


async def command_nodes(c, server):
    r = await c.iq_ok(server.component, "get",
                      "<query xmlns='%s' node='%s'/>" % (NS_DISCO_ITEMS, NS_COMMANDS))
    query = payload(r, NS_DISCO_ITEMS, "query")
    assert query is not None, "disco#items: no query in %s" % r
    items = query.findall(q(NS_DISCO_ITEMS, "item"))
    for it in items:
        assert it.get("jid") == server.component, "command item with jid %s: %s" % (it.get("jid"), r)
    return {it.get("node") for it in items}


async def test_gateway_identity_and_features(server, gateway, clients):
    c = await clients.new()
    r = await c.iq_ok(server.component, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
    assert ("gateway", "echo") in identities(r), r
    missing = [f for f in FEATURES if f not in features(r)]
    assert not missing, "features missing: %s in %s" % (missing, r)


async def test_gateway_items(server, gateway, clients):
    c = await clients.new()
    r = await c.iq_ok(server.component, "get", "<query xmlns='%s'/>" % NS_DISCO_ITEMS)
    assert payload(r, NS_DISCO_ITEMS, "query") is not None, r


async def test_commands_of_a_user(server, gateway, clients):
    c = await registered_user(clients, server, online=False)
    nodes = await command_nodes(c, server)
    assert {"settings", "unregister"} <= nodes, nodes
    assert not ({"stats", "users"} & nodes), "admin commands shown to a user: %s" % nodes


async def test_commands_of_an_admin(server, gateway, clients):
    admin = await clients.login(*gateway.admin)
    nodes = await command_nodes(admin, server)
    assert {"stats", "users"} <= nodes, nodes


async def test_contact_identity(server, gateway, clients):
    c = await registered_user(clients, server, online=False)
    r = await c.iq_ok("bob@" + server.component, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
    assert ("client", "pc") in identities(r), r
