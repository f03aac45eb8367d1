"""An incoming text the store cannot keep is answered 503, never 200, so
that Kannel sends it again; once the store has room again, the retry is
delivered, exactly once, and every text answered 200 was delivered.

The store is on a small tmpfs of its own (this needs root to mount, and is
skipped without), filled to the last byte: the gateway's commits then fail
as on a full disk. The webhook is posted directly, one text at a time: the
first texts still fit in the WAL's existing pages, a later one makes it
grow, and that commit fails.

The same holds for Kannel's delivery reports: a report whose receipt cannot
be stored is answered 503, and its retry gives the receipt once."""
import asyncio
import contextlib
import errno
import os
import subprocess
import tempfile
import urllib.parse

import xml.etree.ElementTree as ET

import pytest
from harness.httprec import recorder  # noqa: F401
from harness.util import missing

from harness.sms import (kannel, number, owned, post, sms_gateway_for, sms_jid,  # noqa: F401
                         sms_port, sms_user, wait_sink)

TMPFS_SIZE = "8m"
MAX_TEXTS = 600


@pytest.fixture
def small_fs():
    """A tmpfs of TMPFS_SIZE mounted on a temp dir (a skip when it cannot,
    a failure in CI)."""
    mnt = tempfile.mkdtemp(prefix="xgw-full-")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0700" % TMPFS_SIZE, "tmpfs",
                        mnt], capture_output=True, text=True)
    if r.returncode != 0:
        os.rmdir(mnt)
        missing("a tmpfs mount (root): %s" % r.stderr.strip())
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", mnt], check=False)
        os.rmdir(mnt)


@pytest.fixture
def gw_on(server, kannel, sms_port, small_fs, recorder):
    """The test's gateway with its store on small_fs (not started); Kannel's
    delivery reports go to the recorder."""
    gw = sms_gateway_for(server, kannel, sms_port, public_url=recorder.url(""))
    gw.store = os.path.join(small_fs, "gw.sqlite")
    gw.write_config()
    yield from owned(gw)


def fill(mnt):
    """Fills the file system to the last byte; returns the filler's path."""
    path = os.path.join(mnt, "filler")
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as f:
        for size in (65536, 4096, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    f.write(chunk[:size])
    with pytest.raises(OSError) as e, open(os.path.join(mnt, "probe"), "wb", buffering=0) as p:
        p.write(b"x" * 4096)
    assert e.value.errno == errno.ENOSPC
    return path


def mo(port, token, sender, to, text, pid):
    q = urllib.parse.urlencode({"token": token, "from": sender, "to": to, "id": pid})
    return post(port, "/kannel/mo", q, text.encode("utf-8"),
                headers={"Content-Type": "text/plain; charset=UTF-8"})[0]


async def test_unstorable_text_gets_503(server, clients, kannel, sms_port, small_fs, gw_on):
    gw = gw_on
    gw.start()
    await gw.wait_ready()
    c = await sms_user(clients, kannel)
    bob = number()
    assert mo(sms_port, kannel.token, bob, c.number, "before the disk filled", "f-0") == 200
    await c.expect_message(sms_jid(bob), "before the disk filled")

    filler = fill(small_fs)
    answered, refused = [], None
    for i in range(1, MAX_TEXTS + 1):
        text = "text %d on a full disk" % i
        status = mo(sms_port, kannel.token, bob, c.number, text, "f-%d" % i)
        assert status in (200, 503), "text %d answered %d" % (i, status)
        if status == 503:
            refused = (text, "f-%d" % i)
            break
        answered.append(text)
    assert refused, "%d texts answered 200 on a full disk:\n%s" % (MAX_TEXTS, gw.log_tail())
    assert "NOT stored" in gw.log_text()
    await c.expect_none(lambda st: st["body"] == refused[0], "the refused text", 1.0)

    # Room again: Kannel's retry of the refused text is delivered once.
    os.unlink(filler)
    assert mo(sms_port, kannel.token, bob, c.number, refused[0], refused[1]) == 200
    assert mo(sms_port, kannel.token, bob, c.number, refused[0], refused[1]) == 200
    for text in answered + [refused[0]]:
        await c.expect_message(sms_jid(bob), text)
    sent = set(answered + [refused[0]])
    await c.expect_none(lambda st: st.xml.tag.endswith("message") and st["body"] in sent,
                        "a second copy", 1.5)
    gw.stop()


NS_RECEIPTS = "urn:xmpp:receipts"


def is_receipt(st):
    return st.xml.tag.endswith("}message") and st.xml.find(
        "{%s}received" % NS_RECEIPTS) is not None


async def delivered_report(recorder, mark, timeout=15.0):
    """Kannel's "delivered" (status 1) report recorded after request mark."""
    loop = asyncio.get_event_loop()
    deadline = loop.time() + timeout
    while True:
        with recorder.lock:
            got = [r for r in recorder.requests[mark:]
                   if r["path"] == "/kannel/dlr" and r["query"].get("status") == "1"]
        if got:
            return got[0]
        assert loop.time() < deadline, "no delivered report after request %d" % mark
        await asyncio.sleep(0.1)


async def test_unstorable_report_gets_503(server, clients, kannel, sms_port, small_fs, gw_on,
                                          recorder):
    gw = gw_on
    gw.start()
    await gw.wait_ready()
    c = await sms_user(clients, kannel)
    bob = number()
    mark = len(recorder.requests)
    m = c.make_message(mto=sms_jid(bob), mbody="a receipt please", mtype="chat")
    m["id"] = "r-full"
    m.append(ET.fromstring("<request xmlns='%s'/>" % NS_RECEIPTS))
    m.send()
    await wait_sink(kannel, receiver=bob)
    report = await delivered_report(recorder, mark)

    filler = fill(small_fs)
    # Texts until one is refused: the WAL's spare pages are used up.
    for i in range(1, MAX_TEXTS + 1):
        if mo(sms_port, kannel.token, bob, c.number, "filler %d" % i, "r-%d" % i) == 503:
            break
    else:
        pytest.fail("%d texts answered 200 on a full disk" % MAX_TEXTS)
    status = post(sms_port, report["path"], report["raw_query"], method="GET")[0]
    assert status == 503, "a report that cannot be stored answered %d" % status
    await c.expect_none(is_receipt, "a receipt not stored", 1.0)

    os.unlink(filler)
    assert post(sms_port, report["path"], report["raw_query"], method="GET")[0] == 200
    got = await c.expect(is_receipt, "the receipt after the retry")
    assert got.xml.find("{%s}received" % NS_RECEIPTS).get("id") == "r-full", got
    assert post(sms_port, report["path"], report["raw_query"], method="GET")[0] == 200
    await c.expect_none(is_receipt, "a second receipt", 1.5)
    gw.stop()
