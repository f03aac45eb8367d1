"""Presence: a registered user's presence logs them in to the backend and
going offline logs them out; the gateway answers probes, and probes its
registered users when it starts."""
import asyncio

from harness.scenario import registered_user, stats


async def wait_sessions(admin, server, want, timeout=10.0):
    loop = asyncio.get_event_loop()
    deadline = loop.time() + timeout
    while True:
        s = await stats(admin, server)
        if s["sessions"] == want:
            return s
        assert loop.time() < deadline, "stats: sessions = %s, expected %s within %.0f s" % (
            s["sessions"], want, timeout)
        await asyncio.sleep(0.3)


async def test_login_and_logout(server, gateways, clients):
    admin_jid, admin_pw = server.make_account(prefix="admin")
    await gateways.new(admins=[admin_jid])
    admin = await clients.login(admin_jid, admin_pw)
    assert (await stats(admin, server))["sessions"] == 0
    c = await registered_user(clients, server)   # waits for the gateway's available presence
    await wait_sessions(admin, server, 1)
    await c.close()
    await wait_sessions(admin, server, 0)


async def test_probe_is_answered(server, gateways, clients):
    await gateways.new()
    c = await registered_user(clients, server)
    c.clear()
    c.presence(to=server.component, ptype="probe")
    await c.expect_presence(server.component, None, what="available presence answering a probe")


async def test_startup_probe(server, gateways, clients):
    gw = await gateways.new()
    c = await registered_user(clients, server)
    gw.stop()
    c.clear()
    gw.start()
    # No readiness probe here: the user's presence must come by itself.
    await c.expect_presence(server.component, None, timeout=15,
                            what="available presence from %s after the gateway restarted"
                            % server.component)
