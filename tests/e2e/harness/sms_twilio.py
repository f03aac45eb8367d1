"""The SMS backend with the twilio driver in scenarios: the provider
simulator (harness/twilio.py) as the module's provider, a gateway whose
[sms] section points at it, users who register an account of their own,
and the simulator's blocking calls made off the event loop.

Module fixtures (import them into a test module, with `sms_port` from
harness.sms): `twilio` (the simulator), `twilio_options` (more [sms] keys;
a module overrides it), `twilio_gateway` (one gateway per module)."""
import asyncio

import pytest

from .client import NS_REGISTER, submit_form
from .gateway import Gateway
from .servers import SMS_COMPONENT
from .sms import number
from .twilio import TwilioSim, new_sid, twilio_signature  # noqa: F401

SMS_PATH = "/twilio/sms"
STATUS_PATH = "/twilio/status"


def public_url(port):
    return "http://127.0.0.1:%d" % port


def twilio_section(server, sim, port, **over):
    keys = {
        "jid": SMS_COMPONENT,
        "secret": server.secret,
        "provider": "twilio",
        "twilio_api_url": sim.url,
        "http_listen": "127.0.0.1",
        "http_port": str(port),
        "public_url": public_url(port),
        "default_country": "1",
        "max_segments": "3",
        "send_rate": "50",
        "http_timeout_s": "10",
        "max_body_bytes": "8192",
    }
    keys.update({k: str(v) for k, v in over.items()})
    return keys


def twilio_gateway_for(server, sim, port, admins=(), **options):
    """A gateway (not started) with the echo backend and [sms] for sim."""
    return Gateway(server, name="sms", admins=admins,
                   sections={"sms": twilio_section(server, sim, port, **options)})


@pytest.fixture(scope="module")
def twilio():
    sim = TwilioSim(callback_delay=0.05).start()
    yield sim
    sim.cleanup()


@pytest.fixture(scope="module")
def twilio_options():
    """More [sms] keys for the module's twilio_gateway."""
    return {}


@pytest.fixture(scope="module")
def twilio_gateway(server, twilio, sms_port, twilio_options):
    from conftest import serve
    gw = twilio_gateway_for(server, twilio, sms_port, **twilio_options)
    yield from serve(gw)


# -- accounts and registration ------------------------------------------------
def new_account(sim, port):
    """A fresh provider account with a fresh number, whose incoming texts
    go to the gateway's webhook on port."""
    return sim.add_account(numbers=[number()], sms_url=public_url(port) + SMS_PATH)


def register_payload(account, token, num):
    values = {"account": account, "token": token, "number": num}
    return "<query xmlns='%s'>%s</query>" % (NS_REGISTER, submit_form(values, NS_REGISTER))


async def twilio_user(clients, sim, port, online=True):
    """A fresh user registered with a fresh account (c.account, c.number),
    logged in."""
    c = await clients.new()
    acc = new_account(sim, port)
    c.account, c.number = acc, acc.numbers[0]
    await c.iq_ok(SMS_COMPONENT, "set", register_payload(acc.sid, acc.token, c.number),
                  what="registration with the provider account")
    await c.expect_presence(SMS_COMPONENT, "subscribe", what="subscription request")
    if online:
        c.presence()
        await c.expect_presence(SMS_COMPONENT, None,
                                what="available presence from the SMS gateway")
    return c


# -- the simulator off the event loop ------------------------------------------
async def off_loop(fn, *args, **kw):
    """fn(*args, **kw) in a thread: the XMPP clients keep running."""
    return await asyncio.get_event_loop().run_in_executor(None, lambda: fn(*args, **kw))


async def wait_messages(sim, count=1, timeout=15.0, **where):
    """The first `count` messages the simulator accepted matching where."""
    loop = asyncio.get_event_loop()
    deadline = loop.time() + timeout
    while True:
        got = await off_loop(sim.messages, **where)
        if len(got) >= count:
            return got[:count]
        assert loop.time() < deadline, "%d message(s) with %s at the simulator: got %s" % (
            count, where, got)
        await asyncio.sleep(0.1)


def signed_headers(token, url, params):
    """Headers of a form POST signed as the provider signs it."""
    return {"Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": twilio_signature(token, url, params)}
