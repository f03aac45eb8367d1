"""Checks of what a user received after a cut, a crash or a restart: every
message expected arrived, first arrivals in order, and a message that
arrived more than once carried the same id every time (the gateway sends
the same stanza again; a new id would be a second message)."""
import asyncio


def messages_from(c, frm, prefix):
    """The messages c received from bare JID frm whose body starts with prefix."""
    return [st for st in c.inbox if st.xml.tag.endswith("}message")
            and str(st["from"].bare) == frm and (st["body"] or "").startswith(prefix)]


def arrivals(stanzas):
    """(bodies in order of first arrival, {body: set of ids})."""
    first, ids = [], {}
    for st in stanzas:
        body = st["body"]
        if body not in ids:
            first.append(body)
            ids[body] = set()
        ids[body].add(st["id"])
    return first, ids


def check_arrivals(stanzas, want, ordered=True):
    """Asserts that every body of want arrived, in want's order of first
    arrival when ordered, each repeat with the same id, none without an id;
    returns (first, ids) as arrivals() does."""
    first, ids = arrivals(stanzas)
    missing = [b for b in want if b not in ids]
    assert not missing, "%d of %d lost, the first %s" % (len(missing), len(want), missing[:5])
    if ordered:
        seen = [b for b in first if b in set(want)]
        assert seen == list(want), "first arrivals out of order at %d" % next(
            i for i, (a, b) in enumerate(zip(seen, want)) if a != b)
    changed = {b: sorted(i, key=str) for b, i in ids.items() if len(i) != 1}
    assert not changed, "repeats with another id: %s" % list(changed.items())[:3]
    assert all(i and None not in i and "" not in i for i in ids.values()), \
        "a message without an id"
    return first, ids


async def settle(count, quiet_s=1.0, timeout=30.0, want=None):
    """Waits until count() reaches want (if given), then until it has not
    changed for quiet_s (late repeats, if any, to check their ids)."""
    loop = asyncio.get_event_loop()
    deadline = loop.time() + timeout
    while want is not None and count() < want and loop.time() < deadline:
        await asyncio.sleep(0.1)
    last, since = count(), loop.time()
    while loop.time() - since < quiet_s and loop.time() < deadline:
        await asyncio.sleep(0.1)
        n = count()
        if n != last:
            last, since = n, loop.time()
