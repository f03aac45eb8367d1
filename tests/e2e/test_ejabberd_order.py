"""ejabberd, configured as the README says (a listener of its own for each
backend, with each backend's `port`), keeps a burst of one user's messages
in order through a gateway with several backends.

With one listener for several hosts, ejabberd gives every host to each
connection made to it and picks one of the gateway's connections at random
for every stanza: a burst then reaches the backend out of order (seen as
03 05 07 00 01 02 04 06 for eight texts). This module runs its own ejabberd
with a listener per component, and the gateway with two backends (echo and
e-mail, which needs no server to start), so that the gateway has two links."""
import asyncio

import pytest

from harness import servers
from harness.delivery import check_arrivals, messages_from
from harness.email_gw import email_section
from harness.scenario import registered_user

N = 200


@pytest.fixture(scope="module")
def server():
    """Overrides the shared server for this module: one ejabberd, with a
    listener per component."""
    srv = servers.Ejabberd(per_component=True).start()
    yield srv
    srv.cleanup()


async def test_burst_in_order_with_a_listener_per_backend(server, clients, gateways):
    gw = await gateways.new(sections={"email": email_section(server)})
    assert len(set(server.component_ports.values())) == len(server.component_ports)
    # Each link on its own listener: the configuration says so, and both
    # links are up (wait_ready pinged each component).
    conf = open(gw.config).read()
    assert "port = %d" % server.component_ports[email_section(server)["jid"]] in conf
    c = await registered_user(clients, server)
    bob = "bob@" + server.component
    want = ["burst %03d" % i for i in range(N)]
    for body in want:
        c.chat(bob, body)
    loop = asyncio.get_event_loop()
    deadline = loop.time() + 60
    while len(messages_from(c, bob, "burst ")) < N and loop.time() < deadline:
        await asyncio.sleep(0.1)
    check_arrivals(messages_from(c, bob, "burst "), want)
