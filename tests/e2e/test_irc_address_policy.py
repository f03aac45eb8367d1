"""Where users may make the gateway connect. With allowed_servers empty
(the default) any server name is allowed, but only at a public address:
a name that resolves to 127.0.0.1 is refused after resolution, as the
literal is, with the reason in the error; the IRC server on loopback
never sees a connection. A server the admin lists is reached at its
internal address as before (the rest of the suite runs that way)."""
import re

import pytest

from harness.muc import expect_error_presence, fresh_channel, join, room_jid


@pytest.fixture(scope="module")
def irc_options():
    return {"allowed_servers": ""}


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
async def test_internal_address_refused_by_default(server, irc_gateway, clients, host):
    c = await clients.new(prefix="ap")
    room = room_jid(fresh_channel("p"), server=host)
    join(c, room, "ap")
    st = await expect_error_presence(c, room, "not-allowed",
                                     "a join on %s, an internal address" % host, timeout=20)
    assert "internal address" in str(st), "the error does not say why:\n%s" % st
    await irc_gateway.wait_log(r"%s: not connecting to (127\.0\.0\.1|::1), an internal address"
                               % host.replace(".", r"\."))
    assert not re.search(r"\[irc\] .* port \d+: connected to ", irc_gateway.log_text()), (
        "the gateway connected to the loopback IRC server")
