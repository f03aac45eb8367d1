#!/usr/bin/python3
"""A guided tour of xmpp-gw: a private Prosody on 127.0.0.1 with two
accounts, the gateway attached with its echo backend, and a walk through
service discovery, registration and a message round trip. Then it keeps
running so a real XMPP client can connect, until Ctrl-C.

    make demo            (or: /usr/bin/python3 tests/demo.py --bin build/xmpp-gw)
"""
import argparse
import asyncio
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e"))

from harness.client import (NS_DISCO_INFO, NS_REGISTER, Client, cancel_pending, payload, q)  # noqa: E402
from harness.gateway import Gateway  # noqa: E402
from harness.scenario import register_payload  # noqa: E402
from harness.servers import Prosody, register_account  # noqa: E402

ACCOUNTS = {"alice": "alice-pw", "bob": "bob-pw"}


def step(n, text):
    print("\n== %d. %s" % (n, text), flush=True)


def show(label, value):
    print("   %-14s %s" % (label, value), flush=True)


async def tour(srv):
    alice = await Client.login(srv, "alice@localhost", ACCOUNTS["alice"])
    try:
        step(1, "Service discovery: what is %s?" % srv.component)
        r = await alice.iq_ok(srv.component, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
        query = payload(r, NS_DISCO_INFO, "query")
        for ident in query.findall(q(NS_DISCO_INFO, "identity")):
            show("identity", "%s/%s %s" % (ident.get("category"), ident.get("type"),
                                           ident.get("name") or ""))
        for feat in query.findall(q(NS_DISCO_INFO, "feature")):
            show("feature", feat.get("var"))

        step(2, "Registration (XEP-0077): alice asks for the form")
        r = await alice.iq_ok(srv.component, "get", "<query xmlns='%s'/>" % NS_REGISTER)
        instr = payload(r, NS_REGISTER, "query").find(q(NS_REGISTER, "instructions"))
        show("instructions", (instr.text or "").strip() if instr is not None else "(none)")
        print("   alice registers as 'alice' on the echo network ...")
        await alice.iq_ok(srv.component, "set", register_payload("alice", "anything"))
        await alice.expect_presence(srv.component, "subscribe")
        show("gateway", "asks to subscribe to alice's presence; her client accepts")
        alice.presence()
        await alice.expect_presence(srv.component, None)
        show("gateway", "is online for alice: she is logged in to the echo network")

        step(3, "A message round trip through the echo backend")
        bob = "bob@" + srv.component
        alice.chat(bob, "Hello, echo!")
        show("alice ->", "%s: Hello, echo!" % bob)
        m = await alice.expect_message(bob)
        show("<- " + str(m["from"].bare), m["body"])
    finally:
        await alice.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True, help="the xmpp-gw binary")
    args = ap.parse_args()
    exe = os.path.abspath(args.bin)
    if not os.access(exe, os.X_OK):
        sys.exit("demo: %s is not an executable (build it with make)" % exe)
    if not shutil.which("prosody"):
        sys.exit("demo: prosody is not installed (make deps)")
    os.environ["XMPPGW_BIN"] = exe

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    srv = gw = None
    try:
        step(0, "Starting a private Prosody on 127.0.0.1 and the gateway")
        srv = Prosody().start()
        for user, pw in ACCOUNTS.items():
            register_account(srv.c2s_port, "localhost", user, pw)
        show("prosody", "127.0.0.1:%d (clients), component port %d"
             % (srv.c2s_port, srv.component_port))
        show("accounts", ", ".join("%s@localhost / %s" % kv for kv in ACCOUNTS.items()))
        gw = Gateway(srv, admins=["alice@localhost"], name="demo")
        gw.start()
        loop.run_until_complete(asyncio.wait_for(gw.wait_ready(), 30))
        show("gateway", "%s attached (log: %s)" % (srv.component, gw.log_path))

        loop.run_until_complete(asyncio.wait_for(tour(srv), 60))

        print("""
== Now try it with a real client
   server:    127.0.0.1, port %d, no TLS (plaintext; loopback only)
   accounts:  alice@localhost / %s   bob@localhost / %s
   gateway:   %s (register with any lowercase username; bob is not registered yet)
   try:       send "hello" to anyone@%s, or "/presence away gone fishing"
   gateway log: %s
Press Ctrl-C to stop.""" % (srv.c2s_port, ACCOUNTS["alice"], ACCOUNTS["bob"], srv.component,
                           srv.component, gw.log_path), flush=True)
        while gw.running():
            loop.run_until_complete(asyncio.sleep(1))
        print("demo: the gateway exited (code %s):\n%s" % (gw.proc and gw.proc.poll(), gw.log_tail()))
        return 1
    except KeyboardInterrupt:
        print("\nstopping ...")
        return 0
    finally:
        if gw is not None:
            try:
                gw.stop()
            except AssertionError as e:
                print(e)
            gw.cleanup()
        if srv is not None:
            srv.cleanup()
        cancel_pending(loop)
        print("demo: everything stopped.")


if __name__ == "__main__":
    sys.exit(main())
