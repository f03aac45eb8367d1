"""A wrong component secret: the gateway gives up with a clear message."""


async def test_wrong_secret_exits(server, gateways):
    gw = await gateways.new(secret="not-the-secret", ready=False)
    rc = gw.wait_exit(15)
    assert rc == 2, "exit code %d with a wrong secret, not 2 (README):\n%s" % (rc, gw.log_tail())
    log = gw.log_text()
    assert "secret" in log.lower(), "stderr does not mention the secret:\n" + gw.log_tail()
    assert not gw.sanitizer_problems(), gw.log_tail()
