"""A TCP proxy on 127.0.0.1 between the gateway and a server's component
port, which can cut the connection: after `arm(n)`, once n more bytes came
from the gateway, it resets both sides (RST, nothing flushed), as a
connection reset or a crashed middlebox would. Bytes it read from the
gateway and had not forwarded are lost, like a kernel buffer's. Later
connections (the gateway's reconnect) are forwarded untouched.

For longer outages: `cut_now()` resets every open connection at once,
`hold()` makes it reset each new connection as soon as it is accepted (the
gateway keeps retrying) until `release()`; `stall()` keeps the open
connections but stops forwarding what the gateway writes (it is read and
dropped: a peer that takes bytes and never answers, so no ping of the
gateway's is answered), until the connection ends; `throttle(rate)`
forwards what the gateway writes at most at rate bytes a second (None:
no limit), so that a flood takes long enough to be interrupted."""
import asyncio
import socket
import struct

from .util import free_port

CHUNK = 4096


def _reset(writer):
    """Close abruptly: SO_LINGER 0 makes the close an RST."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


class CutProxy:
    def __init__(self, target_port, host="127.0.0.1"):
        self.host = host
        self.target_port = target_port
        self.port = free_port()
        self.connections = 0     # accepted from the gateway
        self.cuts = 0
        self.cut_after = None    # armed: bytes from the gateway until the cut
        self.upstream_bytes = 0  # from the gateway, all connections
        self.held = 0            # connections reset on accept while holding
        self.holding = False
        self.rate = None         # bytes a second from the gateway; None: no limit
        self._server = None
        self._live = {}          # id -> the state of each open connection

    async def start(self):
        self._server = await asyncio.start_server(self._accept, self.host, self.port)
        return self

    def arm(self, after_bytes):
        """Cut the current connection once after_bytes more came from the gateway."""
        self.cut_after = after_bytes

    def cut_now(self):
        """Resets every open connection now (RST both ways)."""
        for conn in list(self._live.values()):
            if not conn["cut"]:
                conn["cut"] = True
                self.cuts += 1
                for w in conn["writers"]:
                    _reset(w)

    def hold(self):
        """From now on, reset every new connection as soon as it is accepted."""
        self.holding = True

    def release(self):
        """Forward new connections again."""
        self.holding = False

    def throttle(self, rate):
        """Forward what the gateway writes at most at rate bytes/s (None: no limit)."""
        self.rate = rate

    def stall(self):
        """Stop forwarding what the gateway writes on the open connections."""
        for conn in self._live.values():
            conn["stalled"] = True

    async def _accept(self, g_reader, g_writer):
        if self.holding:
            self.held += 1
            _reset(g_writer)
            return
        self.connections += 1
        try:
            s_reader, s_writer = await asyncio.open_connection(self.host, self.target_port)
        except OSError:
            _reset(g_writer)
            return
        conn = {"writers": (g_writer, s_writer), "cut": False, "stalled": False}
        self._live[id(conn)] = conn
        up = asyncio.ensure_future(self._pump(g_reader, s_writer, conn, upstream=True))
        down = asyncio.ensure_future(self._pump(s_reader, g_writer, conn, upstream=False))
        await asyncio.wait([up, down], return_when=asyncio.FIRST_COMPLETED)
        for t in (up, down):
            t.cancel()
        if not conn["cut"]:
            for w in conn["writers"]:
                w.close()
        self._live.pop(id(conn), None)

    async def _pump(self, reader, writer, conn, upstream):
        try:
            await self._pump_until_end(reader, writer, conn, upstream)
        except (ConnectionError, OSError):
            pass    # the other side reset, or this proxy cut the connection

    async def _pump_until_end(self, reader, writer, conn, upstream):
        while True:
            data = await reader.read(CHUNK)
            if not data:
                return
            if upstream and self.cut_after is not None:
                if len(data) >= self.cut_after:
                    self.cut_after = None
                    self.cuts += 1
                    conn["cut"] = True
                    for w in conn["writers"]:
                        _reset(w)
                    return
                self.cut_after -= len(data)
            if upstream:
                self.upstream_bytes += len(data)
                if conn["stalled"]:
                    continue
            writer.write(data)
            await writer.drain()
            if upstream and self.rate:
                await asyncio.sleep(len(data) / self.rate)

    async def close(self):
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
