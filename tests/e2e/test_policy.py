"""Who may use the gateway: [policy] allow (reloaded on SIGHUP) and admins."""
import asyncio
import signal

from harness.client import NS_REGISTER, error_condition
from harness.scenario import command, legacy_name, register, register_payload


async def test_foreign_domain_until_allowed(server, gateways, clients):
    gw = await gateways.new(allow="localhost")
    c = await clients.new(domain=server.foreign)
    to = server.component
    await c.iq_error(to, "get", "<query xmlns='%s'/>" % NS_REGISTER, "not-allowed",
                     what="register get from %s" % server.foreign)
    await c.iq_error(to, "set", register_payload(legacy_name(), "pw"), "not-allowed",
                     what="register set from %s" % server.foreign)

    gw.write_config(allow="localhost, other.localhost")
    gw.signal(signal.SIGHUP)
    loop = asyncio.get_event_loop()
    deadline = loop.time() + 10
    while True:
        r = await c.iq(to, "get", "<query xmlns='%s'/>" % NS_REGISTER)
        if r["type"] == "result":
            break
        assert loop.time() < deadline, "still refused 10 s after SIGHUP: %s" % r
        await asyncio.sleep(0.3)
    await register(c, server)
    assert gw.running(), "gateway died on SIGHUP"


async def test_admin_commands_need_an_admin(server, gateways, clients):
    admin = server.make_account(prefix="admin")
    await gateways.new(admins=[admin[0]])
    c = await clients.new()
    await register(c, server)
    for node in ("stats", "users"):
        r, _ = await command(c, server.component, node)
        assert r["type"] == "error", "%s run by a non-admin: %s" % (node, r)
        assert error_condition(r) == "forbidden", "%s run by a non-admin: %s" % (node, r)
