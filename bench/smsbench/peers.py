"""What the gateway talks to besides the fake XMPP server: the Twilio-style
provider simulator (tests/sim/twilio_sim.py, started by PID through
ircbench.procs), and the gateway process itself with its [sms] section.
"""
import asyncio
import json
import os
import sys
import time
import urllib.error
import urllib.request

from ircbench import procs
from ircbench.gateways import LOG_PROBLEM

from .xmpp import DOMAIN, GW

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIM_DIR = os.path.join(ROOT, "tests", "sim")
SIM = os.path.join(SIM_DIR, "twilio_sim.py")
PYTHON = "/usr/bin/python3"
SECRET = "secret"
TOKEN = "bench-webhook-token"

sys.path.insert(0, SIM_DIR)
# the simulator's own signing and SIDs, so the webhooks are signed as it signs them
from twilio_state import new_sid, twilio_signature  # noqa: E402,F401

_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class TwilioSim:
    """The simulator on a free port of 127.0.0.1, with accounts made at
    start: [{"sid", "token", "numbers"}]. No rate limit; status callbacks
    (sent, delivered) `callback_delay` seconds apart."""

    def __init__(self, work, accounts, callback_delay):
        self.dir = os.path.join(work, "twilio-sim")
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "config.json")
        with open(self.conf, "w") as f:
            json.dump(dict(accounts=accounts, rate=0, callback_delay=callback_delay), f)
        self.log = os.path.join(self.dir, "sim.log")
        self.proc = None
        self.port = None

    def start(self, timeout=10.0):
        self.proc = procs.spawn([PYTHON, SIM, "--port", "0", "--state-dir", self.dir,
                                 "--config", self.conf], self.log, cwd=self.dir)
        port_file = os.path.join(self.dir, "port")
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("twilio_sim exited with %s at start-up:\n%s"
                                   % (self.proc.returncode, tail(self.log)))
            if os.path.exists(port_file):
                with open(port_file) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    break
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("twilio_sim wrote no port within %.0f s:\n%s"
                                   % (timeout, tail(self.log)))
            time.sleep(0.05)
        return self

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def control(self, method, path, body=None, timeout=60):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with _opener.open(req, timeout=timeout) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as e:
            raise RuntimeError("twilio_sim %s %s: %d %s" % (
                method, path, e.code, e.read()[:300].decode("utf-8", "replace"))) from None

    async def acontrol(self, method, path, body=None, timeout=60):
        """control() off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(
            None, lambda: self.control(method, path, body, timeout))

    def stop(self):
        procs.stop(self.proc)


class Gateway:
    """xmpp-gw with [sms] for `provider`, its store in work (the run dir)."""

    def __init__(self, args, work, comp_port, http_port, provider, sink_port=None,
                 sim_url=None):
        self.args, self.work = args, work
        self.log = os.path.join(work, "gw.log")
        self.store = os.path.join(work, "gw.sqlite")
        self.http_port = http_port
        self.public_url = "http://127.0.0.1:%d" % http_port
        sms = {
            "jid": GW, "secret": SECRET, "provider": provider,
            "http_listen": "127.0.0.1", "http_port": str(http_port),
            "public_url": self.public_url, "default_country": "1",
            "send_rate": str(args.send_rate), "http_timeout_s": "10",
            "daily_quota": "0",  # the bench sends more than a user's day
            "codes_per_hour": "1000000",  # every user claims a number at once
        }
        if provider == "kannel":
            sms.update(webhook_token=TOKEN, system_sender="Bench",
                       kannel_sendsms_url="http://127.0.0.1:%d/cgi-bin/sendsms" % sink_port,
                       kannel_username="bench", kannel_password="bench")
        else:
            sms.update(twilio_api_url=sim_url)
        self.conf = os.path.join(work, "gw.ini")
        with open(self.conf, "w") as f:
            f.write("[xmpp]\nserver = 127.0.0.1\nport = %d\n\n[store]\npath = %s\n\n"
                    "[policy]\nallow = %s\n\n[log]\nlevel = %s\n\n[sms]\n"
                    % (comp_port, self.store, DOMAIN, args.log_level))
            for k, v in sms.items():
                f.write("%s = %s\n" % (k, v))
        self.proc = None

    def start(self):
        self.proc = procs.spawn([self.args.xmpp_gw_bin, "-c", self.conf], self.log, cwd=self.work)
        return self.proc

    def problems(self):
        return procs.log_lines(self.log, LOG_PROBLEM)

    def stop(self):
        return procs.stop(self.proc)


def tail(path, n=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return "(no log)"
