"""disco#items room lists with XEP-0059 paging (the IRC server JID lists its
channels): one page as (items, set), and a walk over every page.

`list_page` sends <query xmlns='…disco#items'> with a <set/> built from
max/after/before/index (before="" asks for the last page) and returns the
items as [(jid, name)] and the answer's <set/> as a dict: first, first_index,
last, count (None where absent). `list_all` walks forward with <after/>
until a page comes back empty or short, checking on the way that every page
respects max, that items strictly increase, that <first index/> follows on,
and that <count/> stays the same.
"""
from xml.sax.saxutils import escape

from .client import NS_DISCO_ITEMS, q

NS_RSM = "http://jabber.org/protocol/rsm"


def list_query(max=None, after=None, before=None, index=None):
    parts = []
    for name, val in (("max", max), ("after", after), ("before", before), ("index", index)):
        if val is not None:
            parts.append("<%s>%s</%s>" % (name, escape(str(val)), name) if val != ""
                         else "<%s/>" % name)
    rsm = "<set xmlns='%s'>%s</set>" % (NS_RSM, "".join(parts)) if parts else ""
    return "<query xmlns='%s'>%s</query>" % (NS_DISCO_ITEMS, rsm)


def _text(el):
    return None if el is None else (el.text or "")


async def list_page(c, to, **rsm):
    """One page: ([(jid, name)], {first, first_index, last, count}). Asserts a
    result with a <set/>."""
    r = await c.iq_ok(to, "get", list_query(**rsm), what="disco#items on %s with %s" % (to, rsm))
    query = r.xml.find(q(NS_DISCO_ITEMS, "query"))
    assert query is not None, "disco#items on %s: no query:\n%s" % (to, r)
    items = [(i.get("jid"), i.get("name")) for i in query.findall(q(NS_DISCO_ITEMS, "item"))]
    s = query.find(q(NS_RSM, "set"))
    assert s is not None, "disco#items on %s: no <set xmlns='%s'/>:\n%s" % (to, NS_RSM, r)
    first = s.find(q(NS_RSM, "first"))
    count = _text(s.find(q(NS_RSM, "count")))
    page = {"first": _text(first),
            "first_index": None if first is None or first.get("index") is None
            else int(first.get("index")),
            "last": _text(s.find(q(NS_RSM, "last"))),
            "count": None if count is None else int(count)}
    if items:
        assert page["first"] == items[0][0] and page["last"] == items[-1][0], (
            "disco#items on %s: <first/> %r and <last/> %r are not the first and last item "
            "(%r, %r):\n%s" % (to, page["first"], page["last"], items[0][0], items[-1][0], r))
    else:
        assert page["first"] is None and page["last"] is None, (
            "disco#items on %s: an empty page with <first/> or <last/>:\n%s" % (to, r))
    return items, page


async def list_all(c, to, max=2, pages_max=500):
    """Every item, walking forward max at a time with <after/>. Returns
    (items, count, pages)."""
    items, after, count, pages = [], None, None, 0
    while True:
        page, s = await list_page(c, to, max=max, after=after)
        pages += 1
        assert len(page) <= max, "page %d of %s has %d items, max was %d" % (
            pages, to, len(page), max)
        if count is None:
            count = s["count"]
        assert s["count"] == count, "page %d of %s: count %r, earlier %r" % (
            pages, to, s["count"], count)
        if page:
            assert s["first_index"] == len(items), "page %d of %s: first index %r, expected %d" % (
                pages, to, s["first_index"], len(items))
        jids = [j for j, _ in page]
        assert jids == sorted(jids) and (not items or not jids or items[-1][0] < jids[0]), (
            "page %d of %s is not in order after the previous one: %s" % (pages, to, jids))
        items += page
        if len(page) < max:
            return items, count, pages
        after = page[-1][0]
        assert pages < pages_max, "%s: more than %d pages" % (to, pages_max)
