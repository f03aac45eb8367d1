"""Clients and gateways a test starts, closed and checked when it ends."""
from .client import Client
from .gateway import Gateway


# -- clients ------------------------------------------------------------------
class ClientPool:
    def __init__(self, server):
        self.server = server
        self.all = []

    async def login(self, jid, password, presence=True, server=None, resource="e2e"):
        c = await Client.login(server or self.server, jid, password, presence=presence,
                               resource=resource)
        self.all.append(c)
        return c

    async def new(self, domain=None, presence=True, server=None, prefix="u"):
        """A fresh account on `domain` (default localhost), logged in."""
        srv = server or self.server
        jid, pw = srv.make_account(domain or srv.domain, prefix=prefix)
        return await self.login(jid, pw, presence=presence, server=srv)

    async def close_all(self):
        for c in self.all:
            await c.close()
        self.all = []



# -- gateways -------------------------------------------------------------------
class GatewayFactory:
    def __init__(self, server):
        self.server = server
        self.all = []

    async def new(self, server=None, ready=True, **kw):
        """Start a gateway on `server` (default: the shared one); kw go to
        Gateway (allow, admins, secret)."""
        gw = Gateway(server or self.server, **kw)
        self.all.append(gw)
        gw.start()
        if ready:
            await gw.wait_ready()
        return gw

    def stop_all(self):
        problems = []
        for gw in self.all:
            try:
                gw.stop()
            except AssertionError as e:
                problems.append(str(e))
            finally:
                gw.cleanup()
        self.all = []
        assert not problems, "\n\n".join(problems)


