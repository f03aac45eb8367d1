"""Prometheus metrics at /metrics on the HTTP listener:
- the text passes `promtool check metrics` (format and naming lint);
- the values move as a test sends messages: the messages each way, the
  stanzas by kind, the registered users and sessions; the process's RSS is
  the kernel's;
- a bearer token ([http] metrics_token) guards it: 401 with
  WWW-Authenticate without it or with a wrong one (the token never in the
  log: the harness scans it);
- a real Prometheus on loopback, with a private config, scrapes it through
  the token, and its HTTP API shows the target up and our series."""
import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

import pytest

from conftest import serve
from harness.gateway import Gateway
from harness.metrics import fetch, parse, promtool_check, scrape, tool, value
from harness.scenario import registered_user
from harness.servers import unique
from harness.util import free_port

TOKEN = unique("metrics-token-")


@pytest.fixture(scope="module")
def http_port():
    return free_port()


@pytest.fixture(scope="module")
def mgw(server, http_port):
    gw = Gateway(server, name="metrics", sections={"http": {
        "listen": "127.0.0.1", "port": str(http_port), "metrics_token": TOKEN}})
    yield from serve(gw)


def rss_of(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS for %d" % pid)


async def test_metrics_lint_and_move(server, mgw, http_port, clients):
    gw_domain = server.component
    before = parse(await scrape(http_port, TOKEN))
    c = await registered_user(clients, server)
    bob = "bob@" + gw_domain
    for i in range(3):
        c.chat(bob, "counted %d" % i)
        await c.expect_message(bob, "counted %d" % i, mtype="chat")
    body = await scrape(http_port, TOKEN)
    promtool_check(body)
    after = parse(body)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    g = {"gateway": gw_domain}
    assert moved("xmpp_gw_messages_total", direction="to_network", outcome="ok", **g) == 3
    assert moved("xmpp_gw_messages_total", direction="from_network", outcome="ok", **g) == 3
    assert moved("xmpp_gw_stanzas_received_total", kind="message", **g) == 3
    assert moved("xmpp_gw_stanzas_sent_total", kind="message", **g) == 3
    assert moved("xmpp_gw_stanzas_sent_total", kind="presence", **g) >= 2  # subscribe, online
    assert value(after, "xmpp_gw_registered_users", **g) == value(
        before, "xmpp_gw_registered_users", **g) + 1
    assert value(after, "xmpp_gw_sessions", **g) >= 1
    assert value(after, "xmpp_gw_link_up", **g) == 1
    assert value(after, "xmpp_gw_store_commit_seconds_count") > value(
        before, "xmpp_gw_store_commit_seconds_count")
    rss = value(after, "process_resident_memory_bytes")
    real = rss_of(mgw.proc.pid)
    assert abs(rss - real) < 0.2 * real, "process_resident_memory_bytes %d, VmRSS %d" % (
        rss, real)
    assert 3 <= value(after, "process_open_fds") < 1000
    assert value(after, "process_start_time_seconds") > time.time() - 3600


async def test_token_required(server, mgw, http_port):
    loop = asyncio.get_event_loop()
    for token in (None, "wrong-" + TOKEN, TOKEN[:-1]):
        status, headers, body = await loop.run_in_executor(None, fetch, http_port, token)
        assert status == 401, (token, status, body)
        assert headers.get("WWW-Authenticate", "").startswith("Bearer"), headers
        assert "xmpp_gw" not in body
    status, _, body = await loop.run_in_executor(None, fetch, http_port, TOKEN, "/metrics/x")
    assert status == 404, (status, body)


def prom_get(port, path, **args):
    url = "http://127.0.0.1:%d%s?%s" % (port, path, urllib.parse.urlencode(args))
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.loads(r.read().decode())


def wait_for(what, fn, timeout):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            got = fn()
            if got:
                return got
            last = "no result yet"
        except (OSError, ValueError, KeyError) as e:
            last = repr(e)
        time.sleep(0.3)
    raise AssertionError("%s within %.0f s (last: %s)" % (what, timeout, last))


async def test_real_prometheus_scrapes(server, mgw, http_port, clients):
    prometheus = tool("prometheus")
    c = await registered_user(clients, server)
    c.chat("bob@" + server.component, "for prometheus")
    await c.expect_message("bob@" + server.component, "for prometheus")
    work = tempfile.mkdtemp(prefix="xgw-prom-")
    port = free_port()
    cfg = os.path.join(work, "prometheus.yml")
    with open(cfg, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                "scrape_configs:\n  - job_name: xmpp-gw\n"
                "    authorization:\n      credentials: %s\n"
                "    static_configs:\n      - targets: ['127.0.0.1:%d']\n" % (TOKEN, http_port))
    log = open(os.path.join(work, "prometheus.log"), "w")
    proc = subprocess.Popen([prometheus, "--config.file=" + cfg,
                             "--storage.tsdb.path=" + os.path.join(work, "data"),
                             "--web.listen-address=127.0.0.1:%d" % port],
                            stdout=log, stderr=subprocess.STDOUT)
    loop = asyncio.get_event_loop()
    try:
        def target_up():
            r = prom_get(port, "/api/v1/query", query='up{job="xmpp-gw"}')
            res = r["data"]["result"]
            return res and res[0]["value"][1] == "1"
        await loop.run_in_executor(None, wait_for, "the xmpp-gw target up", target_up, 60)
        targets = prom_get(port, "/api/v1/targets")["data"]["activeTargets"]
        assert [t["health"] for t in targets] == ["up"], targets
        assert targets[0]["lastError"] == "", targets

        def our_series():
            r = prom_get(port, "/api/v1/query", query='xmpp_gw_messages_total{gateway="%s",'
                         'direction="from_network",outcome="ok"}' % server.component)
            return r["data"]["result"]
        res = await loop.run_in_executor(None, wait_for, "xmpp_gw_messages_total in "
                                         "Prometheus", our_series, 30)
        assert sum(float(s["value"][1]) for s in res) >= 1, res
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        with open(os.path.join(work, "prometheus.log")) as f:
            prom_log = f.read()
        shutil.rmtree(work, ignore_errors=True)
    assert proc.returncode in (0, -15), "prometheus exit %s:\n%s" % (proc.returncode,
                                                                    prom_log[-3000:])
