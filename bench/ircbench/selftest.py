"""How many stanzas per second the driver's scanner and dispatcher take on
their own (one core), so that its figures are known not to be the limit."""
import asyncio
import time

from .link import Scanner, Server


class _Null:
    def write(self, data):
        pass


def selftest(seconds=2.0):
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    async def mk():
        return Server()

    srv = loop.run_until_complete(mk())
    srv.writer = _Null()
    room = srv.room.decode()
    one = ("<message type='groupchat' from='%s/poster' to='u17@localhost/r' id='x'>"
           "<body>fan 12</body><stanza-id xmlns='urn:xmpp:sid:0' id='abc' by='%s'/></message>"
           % (room, room)).encode()
    pres = ("<presence from='%s/u9' to='u17@localhost/r'><x xmlns='http://jabber.org/"
            "protocol/muc#user'><item affiliation='none' role='participant'/></x></presence>"
            % room).encode()
    chunk = (one * 9 + pres) * 100
    sc = Scanner()
    n = 0
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        for piece in (chunk[:70000], chunk[70000:]):
            srv.dispatch(sc.feed(piece))
        n += 1000
    rate = n / (time.monotonic() - t0)
    loop.close()
    return rate
