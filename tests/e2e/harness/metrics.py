"""Reading the gateway's Prometheus metrics (/metrics on its HTTP
listener): fetch with a bearer token, parse the text exposition, sum the
series whose labels include some, and `promtool check metrics`."""
import asyncio
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.request

import pytest

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def tool(name):
    """The path of a Prometheus tool; in CI a missing one fails the test."""
    path = shutil.which(name)
    if not path:
        if os.environ.get("CI") == "true":
            pytest.fail("%s not installed (make deps installs the prometheus package)" % name)
        pytest.skip("%s not installed" % name)
    return path


def fetch(port, token=None, path="/metrics"):
    """(status, headers, body) of a GET on 127.0.0.1:port."""
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path))
    if token is not None:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def parse(text):
    """{(name, frozenset of (label, value)): value}; asserts every line is
    a comment or a sample."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, "not a sample line: %r" % line
        out[(m.group(1), frozenset(LABEL.findall(m.group(3) or "")))] = float(m.group(4))
    return out


def value(samples, name, **labels):
    """The sum of name's series whose labels include labels (0 if none)."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= set(ls))


async def scrape(port, token=None):
    """The metrics text (asserting 200 and the exposition's content type)."""
    status, headers, body = await asyncio.get_event_loop().run_in_executor(
        None, fetch, port, token)
    assert status == 200, (status, body)
    assert headers.get("Content-Type", "").startswith("text/plain; version=0.0.4"), headers
    return body


def promtool_check(body):
    """`promtool check metrics` passes on body, with nothing to say."""
    check = subprocess.run([tool("promtool"), "check", "metrics"], input=body,
                           capture_output=True, text=True, timeout=30)
    assert check.returncode == 0 and not (check.stdout + check.stderr).strip(), (
        "promtool check metrics:\n%s%s\n---- the metrics ----\n%s"
        % (check.stdout, check.stderr, body))


async def until(port, token, pred, what, timeout=15.0):
    """Scrapes until pred(samples) holds; returns those samples."""
    loop = asyncio.get_event_loop()
    deadline = loop.time() + timeout
    while True:
        samples = parse(await scrape(port, token))
        if pred(samples):
            return samples
        assert loop.time() < deadline, "%s within %.0f s" % (what, timeout)
        await asyncio.sleep(0.2)
