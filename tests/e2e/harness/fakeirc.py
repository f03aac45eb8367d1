"""A scripted IRC server on 127.0.0.2 (the IRC sections allow it), for what
no real server can be made to do: hostile or broken answers. It registers
any client (001, 376), answers PING, and hands the commands named in
`script` to their handler, `handler(peer, parts)`, which may be a
coroutine; peer.send(line) writes a line, peer.close() hangs up."""
import asyncio
from .util import rss_kib  # noqa: F401 (re-exported)


class Peer:
    def __init__(self, writer):
        self.writer = writer
        self.nick = "x"
        self.closed = asyncio.Event()

    def send(self, line):
        if not self.writer.is_closing():
            self.writer.write(line.encode("utf-8", "surrogateescape") + b"\r\n")

    async def drain(self):
        await self.writer.drain()

    def close(self):
        self.writer.close()


class FakeIrc:
    def __init__(self, script=None, host="127.0.0.2"):
        self.script = dict(script or {})
        self.host = host
        self.commands = []
        self.peers = []
        self._heard = {}
        self.srv = None

    async def start(self, port):
        self.srv = await asyncio.start_server(self._client, self.host, port)
        return self

    async def _client(self, reader, writer):
        peer = Peer(writer)
        self.peers.append(peer)
        try:
            while True:
                raw = await reader.readline()
                if not raw:
                    break
                parts = raw.decode("utf-8", "replace").strip().split(" ")
                cmd = parts[0].upper()
                self.commands.append(cmd)
                self.heard(cmd).set()
                if cmd in self.script:
                    r = self.script[cmd](peer, parts)
                    if asyncio.iscoroutine(r):
                        await r
                elif cmd == "NICK":
                    peer.nick = parts[1]
                elif cmd == "USER":
                    peer.send(":fake 001 %s :Welcome" % peer.nick)
                    peer.send(":fake 376 %s :End of MOTD" % peer.nick)
                elif cmd == "PING":
                    peer.send(":fake PONG fake %s" % " ".join(parts[1:]))
        except (OSError, ConnectionError):
            pass
        finally:
            peer.closed.set()
            writer.close()

    def heard(self, cmd):
        """An event set once a client sent cmd."""
        return self._heard.setdefault(cmd, asyncio.Event())

    async def stop(self):
        for p in self.peers:
            p.close()
        self.srv.close()
        await self.srv.wait_closed()

