"""Not collected by the suite (no test_ prefix): test_harness_checks.py
runs it in a pytest of its own and checks which of these fail. A gateway
that dies on its own fails the test it died in; one the test kills or
aborts on purpose, and says so, does not."""
import asyncio
import os
import signal


async def died(gw, timeout=10.0):
    """Until the process has exited (not reaped: the harness does that)."""
    loop = asyncio.get_event_loop()
    deadline = loop.time() + timeout
    while gw.proc.poll() is None:
        assert loop.time() < deadline, "the gateway did not exit"
        await asyncio.sleep(0.05)


async def test_abort_unannounced(gateways):
    gw = await gateways.new()
    os.kill(gw.proc.pid, signal.SIGABRT)   # as the gateway itself would abort
    await died(gw)


async def test_kill9_announced(gateways):
    gw = await gateways.new()
    gw.kill9()


async def test_abort_announced(gateways):
    gw = await gateways.new()
    gw.expect_death()
    os.kill(gw.proc.pid, signal.SIGABRT)
    await died(gw)


async def test_sigterm_by_the_test(gateways):
    gw = await gateways.new()
    gw.signal(signal.SIGTERM)
    await died(gw)


async def test_module_gateway_aborts(gateway):
    os.kill(gateway.proc.pid, signal.SIGABRT)
    await died(gateway)
