"""connects_per_second: the IMAP watches of all accounts are paced
together. USERS mailboxes are registered; the gateway is restarted on the
same store, so every watch starts at the same moment. A proxy in front of
Dovecot's plaintext IMAP listener records when each connection arrives and
whether it is a watch (it sends IDLE; a fetch or a registration's login
check does not). With rate R (and a burst of R, one second's worth), the
USERS watch connects take at least (USERS - R) / R seconds, and every
watch comes up."""
import asyncio
import re
import time

import pytest

from harness.email_gw import email_section, mail, mailbox_values, register_payload  # noqa: F401
from harness.gateway import Gateway
from harness.servers import EMAIL_COMPONENT
from harness.sms import owned
from harness.util import free_port

RATE = 2        # connects_per_second in this module
USERS = 8
SLACK_S = 0.3   # timer and scheduling jitter over the span


class ImapRecorder:
    """Forwards 127.0.0.1:port to Dovecot; for each connection, the time it
    was accepted and whether the gateway sent IDLE on it."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.port = free_port()
        self.conns = []
        self._server = None

    async def start(self):
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        return self

    def close(self):
        self._server.close()

    def watches(self, since=0):
        return [c["at"] for c in self.conns[since:] if c["idle"]]

    async def _accept(self, reader, writer):
        conn = {"at": time.monotonic(), "idle": False}
        self.conns.append(conn)
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return

        async def pump(src, dst, sniff):
            tail = b""
            try:
                while True:
                    data = await src.read(4096)
                    if not data:
                        break
                    if sniff:
                        tail = (tail + data)[-64:]
                        if re.search(rb"(?m)^\S+ IDLE\r?$", tail):
                            conn["idle"] = True
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pump(reader, up_w, True), pump(up_r, writer, False))


@pytest.fixture(scope="module")
def recorder(mail):  # noqa: F811
    from conftest import run
    r = run(ImapRecorder(mail.imap_port).start(), 10)
    yield r
    r.close()


@pytest.fixture
def own_gw(server, mail, recorder):  # noqa: F811
    yield from owned(Gateway(server, name="email", sections={
        "email": email_section(server, connects_per_second=RATE)}))


async def test_watches_paced_after_restart(server, mail, own_gw, recorder, clients):
    gw = own_gw
    gw.start()
    await gw.wait_ready()
    users = []
    for _ in range(USERS):
        c = await clients.new()
        addr, pw = mail.add_user("p")
        values = mailbox_values(mail, addr, pw, imap_port=recorder.port)
        await c.iq_ok(EMAIL_COMPONENT, "set", register_payload(values),
                      what="registration", timeout=20)
        users.append(c)
    await gw.wait_log(r": watching INBOX", count=USERS, timeout=USERS / RATE + 20)
    gw.stop()

    mark = len(recorder.conns)
    gw.start()
    await gw.wait_ready()
    t0 = time.monotonic()
    # every watch comes up again: IDLE on each account's connection
    deadline = t0 + USERS / RATE + 20
    while len(recorder.watches(mark)) < USERS:
        assert time.monotonic() < deadline, "%d of %d watches reconnected after the " \
            "restart:\n%s" % (len(recorder.watches(mark)), USERS, gw.log_tail())
        await asyncio.sleep(0.05)
    at = [t - t0 for t in recorder.watches(mark)]
    shown = ", ".join("%.2f" % t for t in at)
    print("connects_per_second %d: watch connects at %s s" % (RATE, shown))
    assert len(at) == USERS, "%d watch connections for %d accounts (at %s s)" % (
        len(at), USERS, shown)
    span = at[-1] - at[0]
    assert span >= (USERS - RATE) / RATE - SLACK_S, (
        "%d watch connects in %.2f s with connects_per_second %d (at %s s)"
        % (USERS, span, RATE, shown))
    # and no second at all holds more than the rate plus the burst
    for i, t in enumerate(at):
        within = [u for u in at[i:] if u - t < 1.0]
        assert len(within) <= 2 * RATE, "%d watch connects within 1 s of %.2f s (at %s s)" % (
            len(within), t, shown)
