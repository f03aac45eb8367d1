"""Incoming texts POSTed to the SMS backend's Kannel webhook the way Kannel
posts them, paced, from a pool of threads, each retried as Kannel retries
(`http-request-retry`): an answer of 5xx or no answer at all (connection
refused or reset) is tried again after a pause, a 2xx ends it, anything
else fails the test. Every attempt is recorded with its time, so a
scenario can tell which texts were accepted while something was broken.

    hooks = Webhooks(sms_port, kannel.token, sender, c.number, "cut", 500, rate=100)
    task = hooks.start()        # an asyncio future, done when every text is answered 2xx
    ...                         # break things meanwhile; hooks.accepted() counts the 2xx
    await task
    hooks.check()               # every text 2xx, none refused with 4xx
"""
import asyncio
import concurrent.futures
import threading
import time
import urllib.parse

from .proxy import CutProxy
from .sms import number, post, sms_jid, sms_section, sms_user

RETRY_S = 0.2


class Scene:
    """A gateway (started, ready) with [sms] for kannel and more [xmpp]
    keys, its link through a CutProxy (`proxy`, close it when done); a
    user with a number (`c`), a phone number texting them (`bob`, whose
    JID is `frm`), and n texts from bob to post at rate (`hooks`, not
    started), their bodies "<tag> <i>"."""

    @classmethod
    async def start(cls, server, kannel, sms_port, clients, gateways, tag, n, rate,
                    **xmpp_extra):
        self = cls()
        self.proxy = await CutProxy(server.component_port).start()
        try:
            self.gw = await gateways.new(name="sms", port=self.proxy.port,
                                         sections={"sms": sms_section(server, kannel, sms_port)},
                                         xmpp_extra=xmpp_extra)
            self.c = await sms_user(clients, kannel)
        except BaseException:
            await self.proxy.close()
            raise
        self.bob = number()
        self.frm = sms_jid(self.bob)
        self.hooks = Webhooks(sms_port, kannel.token, self.bob, self.c.number, tag, n, rate,
                              workers=16)
        return self


class Webhooks:
    def __init__(self, port, token, sender, receiver, tag, n, rate, workers=8, deadline=45.0):
        self.port, self.token = port, token
        self.sender, self.receiver = sender, receiver
        self.tag, self.n, self.rate = tag, n, rate
        self.workers, self.deadline = workers, deadline
        self.attempts = [[] for _ in range(n)]   # per text: [(monotonic time, status or None)]
        self.bad = []                            # (text, status, body) answered 4xx or other
        self._lock = threading.Lock()

    def body(self, i):
        return "%s %d" % (self.tag, i)

    def _post(self, i):
        q = urllib.parse.urlencode(dict(token=self.token, to=self.receiver, id="%s-%d" % (
            self.tag, i), charset="UTF-8", **{"from": self.sender}))
        try:
            status, body = post(self.port, "/kannel/mo", q, self.body(i).encode("utf-8"),
                                headers={"Content-Type": "text/plain; charset=UTF-8"})
        except OSError:     # refused, reset, timed out: no answer
            status, body = None, b""
        return status, body

    def _one(self, i, t0):
        due = t0 + i / self.rate
        time.sleep(max(0.0, due - time.monotonic()))
        while True:
            status, body = self._post(i)
            with self._lock:
                self.attempts[i].append((time.monotonic(), status))
            if status is not None and 200 <= status < 300:
                return
            if status is not None and status < 500:
                with self._lock:
                    self.bad.append((i, status, body[:200]))
                return
            if time.monotonic() > t0 + self.deadline:
                return
            time.sleep(RETRY_S)

    def start(self):
        loop = asyncio.get_event_loop()
        pool = concurrent.futures.ThreadPoolExecutor(self.workers)
        t0 = time.monotonic()
        futs = [loop.run_in_executor(pool, self._one, i, t0) for i in range(self.n)]
        pool.shutdown(wait=False)
        return asyncio.gather(*futs)

    # -- what happened ---------------------------------------------------------
    def accepted_at(self, i):
        """When text i was answered 2xx (None: never)."""
        for t, status in self.attempts[i]:
            if status is not None and 200 <= status < 300:
                return t
        return None

    def accepted(self):
        return sum(1 for i in range(self.n) if self.accepted_at(i) is not None)

    def statuses(self):
        """{status (None: no answer): count} over every attempt."""
        out = {}
        for a in self.attempts:
            for _, status in a:
                out[status] = out.get(status, 0) + 1
        return out

    def check(self):
        assert not self.bad, "webhooks refused: %s" % self.bad[:3]
        never = [i for i in range(self.n) if self.accepted_at(i) is None]
        assert not never, "%d texts never answered 2xx within %.0f s, e.g. %s (attempts %s)" % (
            len(never), self.deadline, never[:3], self.attempts[never[0]][-3:])
