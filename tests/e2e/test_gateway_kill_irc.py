"""kill -9 of the gateway while an IRC user floods a bridged XMPP user:
what is lost is bounded by the acknowledgement window.

The IRC backend does not store what it reads from IRC: a line read becomes
a stanza sent on the link at once, and only waits in the store's outbox
when the link is congested or down. So a kill -9 can lose the lines that
were read from IRC and handed to the link without the outbox, and that the
server had not yet acknowledged: the link's window, at most
ack_window_stanzas stanzas (it stops sending directly at 3/4 of it).
Once the window is that full, the lines go to the outbox, which is
committed at the end of the main-loop iteration; the rest of the one read
being handled (one recv() of at most 8 KiB, handled whole in one
iteration) is lost too when the kill comes before that commit.
Lines the IRC server had sent and the gateway had not read yet (TCP
buffers) are lost as they are for any IRC client that dies; the IRC
server counts them as delivered.

bob, on ngIRCd, sends 3,000 lines to the bridged user; when a third have
arrived (the gateway may have read more, or all: what it could not send
waits in the outbox) the gateway is killed with -9 and started again on the same store.
The lines it read from IRC are the ones its debug log shows (it logs each
line before it handles it, and a kill leaves the log as written). The
test asserts that at most ack_window_stanzas of those never reached the
user, apart from the lines of the last 8 KiB read, that no line arrived that was not read, that first arrivals are in
order and that a line that arrived twice has the same id both times.
`stalled`: a proxy stops forwarding the link 0.3 s before the kill, so the
server acknowledges nothing more and the window fills: the bound is the
one that holds."""
import asyncio
import re

import pytest

from harness.delivery import arrivals, messages_from, settle
from harness.ircclient import irc_jid, irc_section, irc_user
from harness.proxy import CutProxy
from harness.sms import kill9

BURST = 3000
KILL_AT = 1000
ACK_WINDOW = 40
ACK_EVERY = 10
READ_CHUNK = 8192  # gateways/irc/conn.c: the most one recv() takes


def lines_of(c, bob_jid):
    return messages_from(c, bob_jid, "line ")


def read_from_irc(log, nick):
    """(number, bytes on the wire) of each of bob's lines the gateway's log
    shows it read, in the order read."""
    pat = re.compile(r" -> (:\S+ PRIVMSG %s :line (\d+))$" % re.escape(nick), re.M | re.I)
    return [(int(m.group(2)), len(m.group(1)) + 2) for m in pat.finditer(log)]


def last_read(read, size=READ_CHUNK):
    """The numbers of the lines in the last `size` bytes read (the line
    that crosses the edge included): a superset of the lines of the read
    being handled when the process died, which no commit had covered."""
    tail, n = [], 0
    for num, length in reversed(read):
        tail.append(num)
        n += length
        if n >= size:
            break
    return set(tail)


@pytest.mark.parametrize("stalled", [False, True], ids=["live", "stalled"])
async def test_irc_flood_through_a_gateway_kill9(server, ngircd, gateways, clients, ircs,
                                                 stalled):
    proxy = await CutProxy(server.component_port).start()
    try:
        gw = await gateways.new(port=proxy.port,
                                sections={"irc": irc_section(server, ngircd.port)},
                                xmpp_extra={"ack_window_stanzas": ACK_WINDOW,
                                            "ack_every_stanzas": ACK_EVERY,
                                            "reconnect_max_ms": 500})
        c = await irc_user(clients)
        bob = await ircs.new(prefix="bob")
        c.chat(irc_jid(bob.nick), "ready")
        await bob.expect_privmsg(c.nick, "ready")
        bob_jid = irc_jid(bob.nick)
        for i in range(BURST):
            bob.privmsg(c.nick, "line %d" % i)
        loop = asyncio.get_event_loop()
        deadline = loop.time() + 30
        while len(lines_of(c, bob_jid)) < KILL_AT:
            assert loop.time() < deadline, "only %d lines arrived" % len(lines_of(c, bob_jid))
            await asyncio.sleep(0.005)
        if stalled:
            proxy.stall()
            await asyncio.sleep(0.3)
        kill9(gw)
        arrived_before = len({st["body"] for st in lines_of(c, bob_jid)})
        read_lines = read_from_irc(gw.log_text(), c.nick)
        read = [num for num, _ in read_lines]
        assert arrived_before < len(read), (
            "all %d lines read had arrived before the kill: nothing was in flight" % len(read))
        assert read == list(range(len(read))), "the gateway read IRC out of order"
        gw.start()
        await gw.wait_ready()
        # The outbox is sent again after the start; then nothing more comes.
        await settle(lambda: len(lines_of(c, bob_jid)), quiet_s=2.0)
        got = lines_of(c, bob_jid)
        bodies, by_body = arrivals(got)
        first = [int(b.split()[1]) for b in bodies]
        ids = {int(b.split()[1]): i for b, i in by_body.items()}
        assert set(ids) <= set(read), "lines arrived that the gateway never read: %s" % sorted(
            set(ids) - set(read))[:5]
        assert first == sorted(first), "first arrivals out of order"
        changed = {k: sorted(i) for k, i in ids.items() if len(i) != 1}
        assert not changed, "repeats with another id: %s" % list(changed.items())[:3]
        lost = sorted(set(read) - set(ids))
        tail = last_read(read_lines)
        beyond = sorted(set(lost) - tail)
        print("%s: read %d of %d lines from IRC; %d arrived before the kill, %d after the "
              "restart; lost %d, %d of them outside the last read of %d lines "
              "(bound: ack_window_stanzas = %d)%s"
              % ("stalled" if stalled else "live", len(read), BURST, arrived_before,
                 len(ids) - arrived_before, len(lost), len(beyond), len(tail), ACK_WINDOW,
                 (": %d..%d" % (lost[0], lost[-1])) if lost else ""))
        assert len(beyond) <= ACK_WINDOW, (
            "%d lines read from IRC before the last read were lost, more than the window "
            "(%d): %s" % (len(beyond), ACK_WINDOW, beyond[:10]))
    finally:
        await proxy.close()
