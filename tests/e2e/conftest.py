"""Fixtures of the end-to-end tests.

- server_kind / server: one real XMPP server per kind for the whole session,
  parametrized over prosody and ejabberd, so every scenario runs on both.
- gateway: one gateway per test module (with an admin account), on `server`.
- gateways: a factory for gateways a test configures or restarts itself.
- clients: a pool of logged-in slixmpp clients, closed after the test.
- ngircd: one private ngIRCd for the session; irc_gateway: a gateway with
  an [irc] section pointing at it (one per module); ircs: raw IRC clients
  on it, closed after the test. A module may override `ngircd` (e.g. one
  with TLS or an operator), `irc_port` (the port irc_gateway and ircs use,
  e.g. another IRC server's) and `irc_options` (more [irc] keys).

Tests are `async def`: they run on one asyncio loop for the whole session
(see pytest_pyfunc_call below), with a bound on each test's total time.
"""
import asyncio
import inspect
import logging
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from harness import servers  # noqa: E402
from harness.client import cancel_pending  # noqa: E402
from harness.fakeirc import FakeIrc  # noqa: E402
from harness.gateway import Gateway, reap_unexpected_deaths  # noqa: E402
from harness.ircclient import IrcPool, irc_section  # noqa: E402
from harness.ircd import InspircdAtheme, Ngircd  # noqa: E402
from harness.pool import ClientPool, GatewayFactory  # noqa: E402

TEST_TIMEOUT = 150.0

# The XMPP servers the IRC and MUC tests (test_irc_*.py, test_muc_*.py) run on: a comma list of
# kinds in $E2E_IRC_XMPP, default both. The other kinds' IRC items are
# deselected (not re-parametrized, so the session servers stay shared).
# An unknown kind is a usage error (see pytest_configure), not a silent
# deselection of every IRC test.
SERVER_KINDS = ("prosody", "ejabberd")
IRC_XMPP_KINDS = [k.strip() for k in os.environ.get("E2E_IRC_XMPP", ",".join(SERVER_KINDS))
                  .split(",") if k.strip()]

LOOP = asyncio.new_event_loop()
asyncio.set_event_loop(LOOP)

if os.environ.get("E2E_DEBUG"):
    logging.basicConfig(level=logging.DEBUG)


def run(coro, timeout=TEST_TIMEOUT):
    """Run a coroutine on the session loop from synchronous code (fixtures)."""
    return LOOP.run_until_complete(asyncio.wait_for(coro, timeout))


def pytest_configure(config):
    bad = [k for k in IRC_XMPP_KINDS if k not in SERVER_KINDS]
    if bad or not IRC_XMPP_KINDS:
        raise pytest.UsageError("E2E_IRC_XMPP=%r: expected a comma list of %s (unknown: %s)"
                                % (os.environ.get("E2E_IRC_XMPP"), ", ".join(SERVER_KINDS),
                                   ", ".join(bad) or "none given"))


def pytest_collection_modifyitems(config, items):
    drop = [it for it in items if it.module.__name__.startswith(("test_irc_", "test_muc_"))
            and hasattr(it, "callspec")
            and it.callspec.params.get("server_kind") not in (None, *IRC_XMPP_KINDS)]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [it for it in items if it not in drop]


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Runs the test (an `async def` on the session loop), then fails it if
    a gateway died during it without the test saying so (harness/gateway.py:
    kill9, expect_death, signal)."""
    args = {a: pyfuncitem.funcargs[a] for a in pyfuncitem._fixtureinfo.argnames}
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        try:
            run(pyfuncitem.obj(**args))
        except asyncio.TimeoutError:
            raise AssertionError("test did not finish within %.0f s" % TEST_TIMEOUT) from None
    else:
        pyfuncitem.obj(**args)
    dead = reap_unexpected_deaths()
    if dead:
        pytest.fail("\n\n".join(dead), pytrace=False)
    return True


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed and hasattr(item, "funcargs"):
        gws = [v for v in item.funcargs.values() if isinstance(v, Gateway)]
        if isinstance(item.funcargs.get("gateways"), GatewayFactory):
            gws += item.funcargs["gateways"].all
        for i, gw in enumerate(gws):
            rep.sections.append(("gateway log %d (tail)" % i, gw.log_tail()))
        srv = item.funcargs.get("server")
        if isinstance(srv, servers.XmppServer):
            rep.sections.append(("%s log (tail)" % srv.kind, srv.diagnostics()))
        kannel = item.funcargs.get("kannel")
        if kannel is not None and hasattr(kannel, "diagnostics"):
            rep.sections.append(("kannel logs (tail)", kannel.diagnostics()))
        ircd = item.funcargs.get("ngircd")
        if isinstance(ircd, Ngircd):
            rep.sections.append(("ngircd log (tail)", ircd.diagnostics()))
        for name, val in item.funcargs.items():
            if isinstance(val, InspircdAtheme):
                rep.sections.append(("%s: inspircd and atheme logs (tail)" % name,
                                     val.diagnostics()))


# -- servers ------------------------------------------------------------------
@pytest.fixture(scope="session", params=["prosody", "ejabberd"])
def server_kind(request):
    return request.param


@pytest.fixture(scope="session")
def server(server_kind):
    srv = servers.start_server(server_kind)
    yield srv
    srv.cleanup()


@pytest.fixture(scope="module")
def http_options():
    """For the SMS fixtures (harness/sms.py): None, the webhooks' address in
    [sms]'s deprecated http_listen and http_port; a dict, in the core's
    [http] section (listen and port, and these more keys) with none of them
    in [sms]. A module overrides this."""
    return None


@pytest.fixture
def dedicated_server(server_kind):
    """A server of the same kind that only this test uses (it may stop it)."""
    srv = servers.start_server(server_kind)
    yield srv
    srv.cleanup()


@pytest.fixture
def clients(server):
    pool = ClientPool(server)
    yield pool
    run(pool.close_all(), 30)


@pytest.fixture
def dedicated_clients(dedicated_server):
    """Like clients, on dedicated_server."""
    pool = ClientPool(dedicated_server)
    yield pool
    run(pool.close_all(), 30)


@pytest.fixture
def gateways(server):
    f = GatewayFactory(server)
    yield f
    f.stop_all()


@pytest.fixture
def dedicated_gateways(dedicated_server):
    f = GatewayFactory(dedicated_server)
    yield f
    f.stop_all()


@pytest.fixture(scope="module")
def gateway(server):
    """A gateway shared by the tests of one module, with one admin (gw.admin)."""
    admin = server.make_account(prefix="admin")
    gw = Gateway(server, admins=[admin[0]])
    gw.admin = admin
    yield from serve(gw)


def serve(gw):
    """Start gw, wait until it is ready, yield it; stop it (with the exit
    checks) and clean up after: the body of a module's gateway fixture."""
    gw.start()
    try:
        run(gw.wait_ready(), 30)
        yield gw
    finally:
        try:
            gw.stop()
        finally:
            gw.cleanup()


# -- IRC ----------------------------------------------------------------------
@pytest.fixture(scope="session")
def ngircd():
    """One private ngIRCd for the session (a test may restart it: same port)."""
    ircd = Ngircd().start()
    yield ircd
    ircd.cleanup()


@pytest.fixture(scope="module")
def irc_options():
    """More [irc] keys for the module's irc_gateway (a module overrides this)."""
    return {}


@pytest.fixture(scope="module")
def irc_port(ngircd):
    """The plaintext port of the IRC server of irc_gateway and ircs
    (`ngircd`'s unless a module overrides this)."""
    return ngircd.port


@pytest.fixture(scope="module")
def irc_gateway(server, irc_port, irc_options):
    """A gateway with the echo backend and an [irc] section reaching
    127.0.0.1:irc_port (`ngircd`), with `irc_options`, shared by the tests
    of one module."""
    gw = Gateway(server, sections={"irc": irc_section(server, irc_port, **irc_options)})
    yield from serve(gw)


@pytest.fixture
def fake_irc_server(irc_port):
    """Scripted IRC servers on 127.0.0.2:irc_port (harness/fakeirc.py):
    `await fake_irc_server(script)`; stopped after the test."""
    made = []

    async def make(script):
        f = await FakeIrc(script).start(irc_port)
        made.append(f)
        return f
    yield make
    for f in made:
        run(f.stop(), 10)


@pytest.fixture
def ircs(irc_port):
    """Raw IRC clients on 127.0.0.1:irc_port (`ngircd`), closed after the test."""
    pool = IrcPool(irc_port)
    yield pool
    run(pool.close_all(), 30)


def pytest_sessionfinish(session, exitstatus):
    """Let the clients' leftover tasks end quietly."""
    cancel_pending(LOOP)
