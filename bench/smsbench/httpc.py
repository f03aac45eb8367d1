"""Plain HTTP/1.1 on asyncio streams, as small as the benchmark needs.

- Conn: one keep-alive client connection; request() writes prebuilt
  request bytes and reads the answer (Content-Length or chunked). A
  connection the peer closes is opened again before the next request.
- Sink: a fake Kannel sendsms endpoint (GET /cgi-bin/sendsms?...) that
  answers 202 "0: Accepted for delivery", as Kannel does, and records
  (arrival time, query) of every request.
"""
import asyncio
import socket
import time
import urllib.parse


def request_bytes(method, target, host, headers=(), body=b""):
    head = ["%s %s HTTP/1.1" % (method, target), "Host: %s" % host]
    head += ["%s: %s" % kv for kv in headers]
    if body or method == "POST":
        head.append("Content-Length: %d" % len(body))
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def read_head(reader):
    """(first line, {lower-case name: value}) of a request or an answer;
    raises EOFError on a closed connection."""
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as e:
        raise EOFError("connection closed (%d bytes of a head)" % len(e.partial))
    lines = raw.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return lines[0], headers


async def read_body(reader, headers):
    if headers.get("transfer-encoding", "").lower() == "chunked":
        out = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return out
            out += await reader.readexactly(size + 2)
            out = out[:-2]
    n = int(headers.get("content-length", "0") or 0)
    return await reader.readexactly(n) if n else b""


class Conn:
    """A keep-alive connection to 127.0.0.1:port."""

    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None
        self.reconnects = -1

    async def open(self):
        self.close()
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP,
                                                        socket.TCP_NODELAY, 1)
        self.reconnects += 1

    async def request(self, data, timeout):
        """(status, body) of the answer to data (one whole request)."""
        if self.writer is None:
            await self.open()
        self.writer.write(data)
        status_line, headers = await asyncio.wait_for(read_head(self.reader), timeout)
        body = await asyncio.wait_for(read_body(self.reader, headers), timeout)
        if headers.get("connection", "").lower() == "close":
            self.close()
        return int(status_line.split(" ", 2)[1]), body

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Sink:
    """A fake Kannel sendsms endpoint on 127.0.0.1 (a free port)."""

    ANSWER = (b"HTTP/1.1 202 Accepted\r\nContent-Type: text/plain\r\n"
              b"Content-Length: 24\r\n\r\n0: Accepted for delivery")

    def __init__(self):
        self.got = []       # (monotonic time, {query key: value})
        self.waiters = []   # (predicate on query, future)
        self.bad = 0
        self.server = None
        self.port = None

    async def start(self):
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def handle(self, reader, writer):
        try:
            while True:
                line, headers = await read_head(reader)
                await read_body(reader, headers)
                now = time.monotonic()
                target = line.split(" ")[1] if line.count(" ") >= 2 else ""
                url = urllib.parse.urlsplit(target)
                if url.path != "/cgi-bin/sendsms":
                    self.bad += 1
                    writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                    continue
                q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
                self.got.append((now, q))
                for pred, fut in self.waiters:
                    if not fut.done() and pred(q):
                        fut.set_result(q)
                writer.write(self.ANSWER)
        except (EOFError, ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()

    async def wait_for(self, pred, timeout, since=0):
        """The query of the first request pred accepts, from got[since] on."""
        for _, q in self.got[since:]:
            if pred(q):
                return q
        fut = asyncio.get_running_loop().create_future()
        w = (pred, fut)
        self.waiters.append(w)
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            self.waiters.remove(w)

    def close(self):
        if self.server is not None:
            self.server.close()
