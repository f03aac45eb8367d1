"""Medians over runs and the printed tables."""
import statistics


def medians(runs):
    """Median of each numeric figure over the runs; `_dnf` (figure -> text)
    is kept for figures no run produced."""
    out = {}
    keys = set().union(*runs) if runs else set()
    for k in keys:
        if k.startswith("_"):
            continue
        vals = [r[k] for r in runs if isinstance(r.get(k), (int, float))]
        if vals:
            out[k] = statistics.median(vals)
    dnf = {}
    for r in runs:
        for k, text in r.get("_dnf", {}).items():
            if k not in out:
                dnf.setdefault(k, text)
    out["_dnf"] = dnf
    out["_runs"] = len(runs)
    out["_incomplete"] = sum(1 for r in runs if r.get("_dnf"))
    return out


def runs_cell(per_n):
    if not per_n:
        return "0"
    if per_n["_incomplete"]:
        return "%d (%d did not complete)" % (per_n["_runs"], per_n["_incomplete"])
    return str(per_n["_runs"])


def cell(per_n, key, fmt):
    if key in per_n:
        return fmt % per_n[key]
    if key in per_n.get("_dnf", {}):
        return "did not complete (%s)" % per_n["_dnf"][key]
    return "-"


def print_table(title, cols, per_n):
    ns = sorted(per_n)
    print("\n### %s" % title)
    print("| Figure | " + " | ".join("N=%d" % n for n in ns) + " |")
    print("|---|" + "---|" * len(ns))
    for key, label, fmt, _ in cols:
        print("| %s | %s |" % (label, " | ".join(cell(per_n[n], key, fmt) for n in ns)))
    print("| Runs (median of) | %s |" % " | ".join(runs_cell(per_n[n]) for n in ns))


def print_side_by_side(title, cols, ours, theirs):
    """Both values and the xmpp-gw/biboumi ratio for every figure and N."""
    ns = sorted(set(ours) | set(theirs))
    print("\n### %s: xmpp-gw vs biboumi" % title)
    print("| Figure | better | " + " | ".join(
        "N=%d xmpp-gw | N=%d biboumi | N=%d ratio" % (n, n, n) for n in ns) + " |")
    print("|---|---|" + "---|---|---|" * len(ns))
    for key, label, fmt, sense in cols:
        if sense == 0:
            continue
        cells = []
        for n in ns:
            a, b = ours.get(n, {}), theirs.get(n, {})
            ratio = "-"
            if key in a and key in b and b[key]:
                ratio = "%.2f" % (a[key] / b[key])
            cells += [cell(a, key, fmt) if a else "no run completed",
                      cell(b, key, fmt) if b else "no run completed", ratio]
        print("| %s | %s | %s |" % (label, "higher" if sense > 0 else "lower", " | ".join(cells)))
    print("| Runs (median of) | | %s |" % " | ".join(
        "%s | %s | " % (runs_cell(ours.get(n)), runs_cell(theirs.get(n))) for n in ns))
