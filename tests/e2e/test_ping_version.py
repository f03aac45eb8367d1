"""XMPP ping (XEP-0199) and software version (XEP-0092)."""
import subprocess

from harness.client import NS_PING, NS_VERSION, payload, q
from harness.scenario import registered_user


async def test_ping_gateway_and_contact(server, gateway, clients):
    c = await registered_user(clients, server, online=False)
    await c.iq_ok(server.component, "get", "<ping xmlns='%s'/>" % NS_PING, "ping the gateway")
    await c.iq_ok("bob@" + server.component, "get", "<ping xmlns='%s'/>" % NS_PING,
                  "ping a contact")


async def test_version(server, gateway, clients):
    c = await clients.new()
    r = await c.iq_ok(server.component, "get", "<query xmlns='%s'/>" % NS_VERSION)
    query = payload(r, NS_VERSION, "query")
    assert query is not None, r
    name = query.find(q(NS_VERSION, "name"))
    version = query.find(q(NS_VERSION, "version"))
    assert name is not None and name.text == "xmpp-gw", r
    assert version is not None and (version.text or "").strip(), r
    out = subprocess.run([gateway.exe, "--version"], capture_output=True, text=True, timeout=10)
    assert version.text.strip() in out.stdout, "iq version %s, --version says %r" % (
        version.text, out.stdout)
