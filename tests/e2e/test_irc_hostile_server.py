"""A hostile IRC server cannot grow the gateway without bound: one that
floods its capability list (CAP LS continuation lines, forever) is dropped
once the list passes 16 KiB; the user is told why, the gateway's RSS
stays where it was, and another user on another server is unaffected."""
import asyncio

from harness.fakeirc import rss_kib
from harness.ircclient import irc_jid, irc_user
from harness.muc import expect_error_presence, fresh_channel, join, room_jid

CAP_LINE = ":fake CAP * LS * :" + " ".join("x-cap-%03d=%s" % (i, "v" * 40) for i in range(8))
FLOOD_S = 4.0  # the time the unbounded list took to reach 535 MB


async def cap_flood(peer, parts):
    """CAP LS answered with continuation lines, never the last one, for
    FLOOD_S or until the gateway hangs up."""
    if parts[1:2] != ["LS"]:
        return
    loop = asyncio.get_event_loop()
    end = loop.time() + FLOOD_S
    peer.sent = 0
    while loop.time() < end and not peer.writer.is_closing():
        for _ in range(200):
            peer.send(CAP_LINE)
            peer.sent += len(CAP_LINE) + 2
        try:
            await peer.drain()
        except (OSError, ConnectionError):
            return


async def test_cap_ls_flood_is_dropped(server, irc_gateway, clients, ircs, fake_irc_server):
    fake = await fake_irc_server({"CAP": cap_flood})
    rss_before = rss_kib(irc_gateway.proc.pid)
    c = await irc_user(clients)
    room = room_jid(fresh_channel("h"), server="127.0.0.2")
    join(c, room, c.nick)
    st = await expect_error_presence(c, room, "service-unavailable",
                                     "a join on the server that floods CAP LS", timeout=20)
    assert "capability list" in str(st), "the error does not say why:\n%s" % st
    await asyncio.wait_for(fake.peers[0].closed.wait(), 10)
    rss_after = rss_kib(irc_gateway.proc.pid)
    assert rss_after - rss_before < 32 * 1024, (
        "RSS grew from %d to %d KiB under a CAP LS flood" % (rss_before, rss_after))
    await irc_gateway.wait_log(r"127\.0\.0\.2: CAP LS over 16384 bytes: disconnecting")
    # Another user, on the real server, is not affected.
    d = await irc_user(clients)
    bob = await ircs.new(prefix="bob")
    d.chat(irc_jid(bob.nick), "still here")
    await bob.expect_privmsg(d.nick, "still here")
