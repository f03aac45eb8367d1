#!/usr/bin/python3
"""lint.py - checks of the shape of the source tree (make lint).

Each check is a small function listed in CHECKS. It returns a Result: ok or
not, a one-line headline, detail lines naming the offending files, and the
figures the summary prints. The summary measures the structure so that two
trees can be compared (--summary prints only it).

  tests/lint.py [--build DIR] [--root DIR] [--check NAME] [--summary] [--no-fail]

The groups are src/ (with its subfolders) and each gateways/<net>/. A module
is a file stem relative to its group: foo.c, foo.h and foo_int.h (its
private inside) are module foo, src/link/loop.c is link/loop. Standard library only.
"""
import argparse
import fnmatch
import os
import re
import subprocess
import sys

MAX_LINES = 800
SIZE_DIRS = ("src", "gateways", "tests", "bench")
SIZE_EXTS = (".c", ".h", ".py")
# The one file that may call backend operations (STYLE.md moves it to gw/).
OPS_CALLERS = ("src/backend.c", "src/gw/backend.c")
# The core headers a backend may include: gateway.h and the two it includes.
CORE_FOR_BACKENDS = ("gateway.h", "err.h", "log.h", "bucket.h",  # bucket.h: pure, no I/O
                     "random.h",  # random.h: the kernel CSPRNG, no state
                     "netaddr.h",  # netaddr.h: pure
                     "rrq.h")  # rrq.h: pure (turns by owner)
FORBIDDEN_HEADERS = ("strophe.h", "sqlite3.h")
# Backend folder, driver files, the header they must not include.
DRIVER_RULES = (("sms", ("kannel*.c", "twilio*.c"), "sms.h"),)
EMAIL_MARKER = "email:"

# A comment, or a string or character literal (kept apart so that quotes in
# comments and comment marks in strings do not confuse each other).
TOKEN = re.compile(r'/\*.*?(?:\*/|\Z)|//[^\n]*|"(?:\\.|[^"\\\n])*"?|\'(?:\\.|[^\'\\\n])*\'?',
                   re.S)
INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]', re.M)
OPS_CALL = re.compile(r'\bops\.')
# GLib's generator, whose state its output gives away: for jitter only,
# each call marked so by a comment on its line; the rest uses random.h.
WEAK_RANDOM = re.compile(r'\bg_(?:random_\w+|rand_\w+|uuid_string_random)\s*\(')
STATIC_BUF = re.compile(r'\bstatic\s+(?:_Thread_local\s+|__thread\s+)?char\s+(\w+)\s*\[([^\]]*)\]')
FUNC_DECL = re.compile(r'(?:extern\s+)?[\w\s*]*?\b([A-Za-z_]\w*)\s*\(')
IDENT = re.compile(r'\b[A-Za-z_]\w*\b')


def blank(s):
    return re.sub(r'[^\n]', ' ', s)


def strip_c(text, strings=False):
    """text with comments (and, with strings, literal contents) blanked;
    lengths and line numbers are kept."""
    def sub(m):
        t = m.group()
        if t.startswith('/'):
            return blank(t)
        return t[0] + blank(t[1:]) if strings else t
    return TOKEN.sub(sub, text)


def line_of(text, pos):
    return text.count('\n', 0, pos) + 1


class Tree:
    """The files of one source tree, read once."""

    def __init__(self, root, build):
        self.root = os.path.abspath(root)
        self.build = build if os.path.isabs(build) else os.path.join(self.root, build)
        self._text = {}

    def path(self, rel):
        return os.path.join(self.root, rel)

    def text(self, rel):
        if rel not in self._text:
            with open(self.path(rel), encoding="utf-8", errors="replace") as f:
                self._text[rel] = f.read()
        return self._text[rel]

    def files(self, top, exts=(".c", ".h")):
        """Files under top (relative to the root), sorted, hidden folders skipped."""
        out = []
        for d, dirs, names in os.walk(self.path(top)):
            dirs[:] = [x for x in dirs if not x.startswith(".") and x != "__pycache__"]
            out += [os.path.relpath(os.path.join(d, n), self.root)
                    for n in names if n.endswith(exts)]
        return sorted(out)

    def groups(self):
        """[(name, folder)]: src, then gateways/<net> for each backend folder."""
        out = [("src", "src")] if os.path.isdir(self.path("src")) else []
        gw = self.path("gateways")
        if os.path.isdir(gw):
            out += [("gateways/" + n, "gateways/" + n) for n in sorted(os.listdir(gw))
                    if os.path.isdir(os.path.join(gw, n)) and not n.startswith(".")]
        return out

    def includes(self, rel):
        """[(kind, name, line)] of rel's #include lines outside comments."""
        code = strip_c(self.text(rel))
        return [(m.group(1), m.group(2).strip(), line_of(code, m.start()))
                for m in INCLUDE.finditer(code)]

    def src_dirs(self):
        """src/ and its layer folders, as the Makefile's -I options list them."""
        top = self.path("src")
        subs = sorted(n for n in os.listdir(top)
                      if os.path.isdir(os.path.join(top, n)) and not n.startswith(".")) \
            if os.path.isdir(top) else []
        return ["src"] + ["src/" + n for n in subs]

    def resolve(self, rel, name):
        """A quoted include as the compiler finds it: beside the including
        file, then src/ and its layer folders, then gateways/. None when
        none holds it."""
        for d in [os.path.dirname(rel)] + self.src_dirs() + ["gateways"]:
            cand = os.path.normpath(os.path.join(d, name))
            if os.path.isfile(self.path(cand)):
                return cand
        return None

    def find_core(self, name):
        """A core header by name: src/<name>, else the first under src/."""
        if os.path.isfile(self.path(os.path.join("src", name))):
            return os.path.join("src", name)
        hits = [f for f in self.files("src") if os.path.basename(f) == name]
        return hits[0] if hits else None


def module(folder, rel):
    """foo.c, foo.h and foo_int.h (the inside of foo, shared by its own
    files) are module foo."""
    stem = os.path.splitext(os.path.relpath(rel, folder))[0]
    return stem[:-len("_int")] if rel.endswith("_int.h") else stem


def tarjan(nodes, edges):
    """Strongly connected components of more than one node, each sorted."""
    index, low, on, stack, out = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(max(1000, 4 * len(nodes) + 100))
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return sorted(out)


class Result:
    def __init__(self, ok, headline, details=(), metrics=None):
        self.ok, self.headline = ok, headline
        self.details, self.metrics = list(details), metrics or {}


def cycle_details(group, sccs, edges, why):
    """Detail lines for the cycles of one group: the modules, then for each
    module the edges it has inside the component, each with why[(a, b)]."""
    out = []
    for comp in sccs:
        out.append("%s: cycle of %d modules: %s" % (group, len(comp), ", ".join(comp)))
        members = set(comp)
        for a in comp:
            out.append("    %s -> %s" % (a, ", ".join(
                "%s (%s)" % (b, why[(a, b)]) for b in sorted(edges.get(a, ()) & members))))
    return out


def per_group(counts):
    return ", ".join("%s: %s" % (g, "n/a" if n is None else n) for g, n in counts.items())


# ---- the checks ----------------------------------------------------------

def check_include_cycles(tree):
    counts, details = {}, []
    for group, folder in tree.groups():
        files = tree.files(folder)
        nodes = {module(folder, f) for f in files}
        edges, why = {}, {}
        for f in files:
            a = module(folder, f)
            for kind, name, line in tree.includes(f):
                target = tree.resolve(f, name) if kind == '"' else None
                if not target or not target.startswith(folder + os.sep):
                    continue
                b = module(folder, target)
                if a != b:
                    edges.setdefault(a, set()).add(b)
                    why.setdefault((a, b), "%s:%d" % (f, line))
        sccs = tarjan(nodes, edges)
        counts[group] = len(sccs)
        details += cycle_details(group, sccs, edges, why)
    n = sum(counts.values())
    return Result(n == 0, "%d include cycles (%s)" % (n, per_group(counts)), details,
                  {"include_cycles": counts})


def nm(args, objs):
    """{object: [symbol]} from nm -A -P over objs."""
    out = {o: [] for o in objs}
    res = subprocess.run(["nm", "-A", "-P"] + args + objs, capture_output=True, text=True,
                         check=True)
    for line in res.stdout.splitlines():
        path, _, rest = line.partition(": ")
        if rest and path in out:
            out[path].append(rest.split()[0])
    return out


def check_link_cycles(tree):
    counts, details, missing = {}, [], []
    for group, folder in tree.groups():
        objs, mods, lacking = [], {}, len(missing)
        for f in tree.files(folder, (".c",)):
            obj = os.path.join(tree.build, os.path.splitext(f)[0] + ".o")
            if os.path.isfile(obj):
                objs.append(obj)
                mods[obj] = module(folder, f)
            else:
                missing.append(os.path.relpath(obj, tree.root))
        if not objs:
            counts[group] = None
            continue
        defined, users = {}, nm(["-u"], objs)
        for obj, syms in nm(["--defined-only", "-g"], objs).items():
            for s in syms:
                defined.setdefault(s, set()).add(mods[obj])
        used = {}  # (a, b) -> symbols of b that a uses
        for obj, syms in users.items():
            for s in sorted(syms):
                for b in defined.get(s, ()):
                    if mods[obj] != b:
                        used.setdefault((mods[obj], b), []).append(s)
        edges, why = {}, {}
        for (a, b), syms in used.items():
            edges.setdefault(a, set()).add(b)
            why[(a, b)] = syms[0] + (" +%d" % (len(syms) - 1) if len(syms) > 1 else "")
        sccs = tarjan(set(mods.values()), edges)
        counts[group] = None if len(missing) > lacking else len(sccs)
        details += cycle_details(group, sccs, edges, why)
    n = sum(c for c in counts.values() if c)
    head = "%d link cycles (%s)" % (n, per_group(counts))
    if missing:
        head = "%d objects missing; %s" % (len(missing), head)
        details = ["no object for %d source files in %s (%s%s): run `make` first" % (
            len(missing), os.path.relpath(tree.build, tree.root) or ".",
            ", ".join(missing[:3]), ", ..." if len(missing) > 3 else "")] + details
    return Result(n == 0 and not missing, head, details, {"link_cycles": counts})


def check_ops_callers(tree):
    per_file = {}
    for f in tree.files("src"):
        n = len(OPS_CALL.findall(strip_c(tree.text(f), strings=True)))
        if n:
            per_file[f] = n
    bad = [f for f in per_file if f not in OPS_CALLERS]
    ok = len(per_file) <= 1 and not bad
    details = ["%s: %d" % (f, n) for f, n in sorted(per_file.items(), key=lambda kv: -kv[1])]
    if not ok:
        details.insert(0, "backend operations may be called from %s only"
                       % " or ".join(OPS_CALLERS))
    total = sum(per_file.values())
    return Result(ok, "%d files call ops., %d calls" % (len(per_file), total),
                  details if not ok else [], {"ops_files": len(per_file), "ops_calls": total})


def count_lines(text):
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def check_file_size(tree):
    sizes = []
    for top in SIZE_DIRS:
        if os.path.isdir(tree.path(top)):
            sizes += [(count_lines(tree.text(f)), f) for f in tree.files(top, SIZE_EXTS)]
    sizes.sort(key=lambda x: (-x[0], x[1]))
    over = [s for s in sizes if s[0] > MAX_LINES]
    details = ["%5d %s%s" % (n, f, "  (over %d)" % MAX_LINES if n > MAX_LINES else "")
               for n, f in sizes[:5]]
    details += ["%5d %s  (over %d)" % (n, f, MAX_LINES) for n, f in over[5:]]
    head = "%d files over %d lines; longest %s (%d)" % (
        len(over), MAX_LINES, sizes[0][1] if sizes else "-", sizes[0][0] if sizes else 0)
    return Result(not over, head, details, {"files_over": len(over)})


def contract_functions(text):
    """[(name, line, doc)] of the functions declared at file scope in a C
    header: doc is the declaration and the comments right before it (since
    the previous declaration or preprocessor line) or after it on its line."""
    code = strip_c(text, strings=True)
    barriers = []  # ends of preprocessor lines
    for m in re.finditer(r'^[ \t]*#(?:[^\n]*\\\n)*[^\n]*', code, re.M):
        barriers.append(m.end())
        code = code[:m.start()] + blank(m.group()) + code[m.end():]
    comments = [(m.start(), m.end()) for m in TOKEN.finditer(text) if m.group()[0] == '/']
    stmts, depth = [], 0
    first = re.compile(r'\S')
    m0 = first.search(code)
    start = m0.start() if m0 else len(code)
    for m in re.finditer(r'[{}();]', code):
        ch = m.group()
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        elif depth == 0:
            stmts.append((start, m.end()))
            nxt = first.search(code, m.end())
            start = nxt.start() if nxt else len(code)
    ends = sorted(barriers + [e for _, e in stmts])
    out = []
    for s, e in stmts:
        body = code[s:e]
        m = FUNC_DECL.match(body)
        if "{" in body or re.match(r'typedef\b', body) or not m:
            continue
        prev = max([x for x in ends if x <= s] or [0])
        # Before it, not trailing the previous line; or trailing its own.
        doc = [text[a:b] for a, b in comments
               if prev <= a < s and (prev == 0 or "\n" in text[prev:a])
               or a >= e and "\n" not in text[e:a]]
        out.append((m.group(1), line_of(text, s), text[s:e] + "".join(doc)))
    return out


def check_contract_used(tree):
    header = tree.find_core("gateway.h")
    if not header:
        return Result(False, "no gateway.h under src/", [], {"unused": None})
    used = set()
    for f in tree.files("gateways", (".c",)):
        used.update(IDENT.findall(strip_c(tree.text(f), strings=True)))
    funcs = contract_functions(tree.text(header))
    unused = [(n, line) for n, line, doc in funcs if n not in used and EMAIL_MARKER not in doc]
    details = ["%s:%d %s: used by no backend and not marked %s" % (header, line, n, EMAIL_MARKER)
               for n, line in unused]
    return Result(not unused, "%d of %d gateway.h functions unused" % (len(unused), len(funcs)),
                  details, {"unused": len(unused)})


def backend_of(rel):
    """The backend folder of a file under gateways/, or None (gateways/x.c)."""
    parts = rel.split(os.sep)
    return parts[1] if len(parts) > 2 else None


def include_problem(tree, f, kind, name):
    """Why f may not include name, or None."""
    base = os.path.basename(name)
    if base in FORBIDDEN_HEADERS:
        return "a library the core hides"
    if kind != '"':
        return None
    target = tree.resolve(f, name)
    if not target:
        return None
    net = backend_of(f)
    if target.startswith("src" + os.sep) and base not in CORE_FOR_BACKENDS:
        return "core header %s (backends use %s)" % (target, ", ".join(CORE_FOR_BACKENDS))
    if target.startswith("gateways" + os.sep) and net and backend_of(target) not in (None, net):
        return "header of another backend (%s)" % target
    for folder, patterns, header in DRIVER_RULES:
        if (net == folder and any(fnmatch.fnmatch(os.path.basename(f), p) for p in patterns)
                and target == os.path.join("gateways", folder, header)):
            return "a driver includes %s (drivers use driver.h)" % target
    return None


def check_backend_includes(tree):
    details = []
    for f in tree.files("gateways"):
        for kind, name, line in tree.includes(f):
            why = include_problem(tree, f, kind, name)
            if why:
                details.append('%s:%d includes "%s": %s' % (f, line, name, why))
    return Result(not details, "%d forbidden includes in gateways/" % len(details), details,
                  {"bad_includes": len(details)})


def check_static_buffers(tree):
    details = []
    for f in tree.files("gateways"):
        code = strip_c(tree.text(f), strings=True)
        for m in STATIC_BUF.finditer(code):
            details.append("%s:%d static char %s[%s]" % (f, line_of(code, m.start()),
                                                         m.group(1), m.group(2).strip()))
    return Result(not details, "%d static char buffers in gateways/" % len(details), details,
                  {"static_buffers": len(details)})


def check_weak_random(tree):
    details = []
    for folder in ("src", "gateways"):
        for f in tree.files(folder):
            text = tree.text(f)
            code = strip_c(text, strings=True)
            lines = text.split("\n")
            for m in WEAK_RANDOM.finditer(code):
                n = line_of(code, m.start())
                if "jitter" not in lines[n - 1]:
                    details.append("%s:%d %s) without a jitter comment" % (
                        f, n, m.group(0).rstrip("( ")))
    return Result(not details, "%d uses of GLib's random outside jitter" % len(details),
                  details, {"weak_random": len(details)})


# The core's layers (STYLE.md): a file may include headers of its own
# layer and of those below, never above. Headers that declare only types
# shared by every layer rank with the lowest.
LAYERS = {"util": 0, "store": 1, "link": 2, "http": 2, "xmpp": 3, "gw": 3, "": 4}
TYPE_HEADERS = ("src/gateway.h", "src/instance.h")


def layer_of(rel):
    parts = rel.split(os.sep)
    if rel in TYPE_HEADERS:
        return "util"
    return parts[1] if len(parts) > 2 else ""


def check_layers(tree):
    details = []
    unknown = sorted({layer_of(f) for f in tree.files("src")} - set(LAYERS))
    for f in tree.files("src"):
        lf = layer_of(f)
        for kind, name, line in tree.includes(f):
            target = tree.resolve(f, name) if kind == '"' else None
            if not target or not target.startswith("src" + os.sep):
                continue
            lt = layer_of(target)
            if lf in LAYERS and lt in LAYERS and LAYERS[lt] > LAYERS[lf]:
                details.append("%s:%d includes %s: %s/ is above %s/" % (
                    f, line, target, lt or "src", lf or "src"))
    details += ["src/%s/: not a known layer (%s)" % (u, ", ".join(LAYERS)) for u in unknown]
    return Result(not details, "%d includes that point up a layer" % len(details), details,
                  {"layer_violations": len(details)})


CHECKS = (
    ("include-cycles", check_include_cycles, "no #include cycle between modules of a group"),
    ("link-cycles", check_link_cycles, "no cycle of symbol use between objects of a group"),
    ("layers", check_layers, "src/ includes point down: util, store, link, xmpp and gw, src"),
    ("ops-callers", check_ops_callers, "only src/backend.c calls backend operations"),
    ("file-size", check_file_size, "no file over %d lines" % MAX_LINES),
    ("contract-used", check_contract_used, "every gateway.h function is used (or email:)"),
    ("backend-includes", check_backend_includes, "backends include only gateway.h of the core"),
    ("static-buffers", check_static_buffers, "no static char buffer in gateways/"),
    ("weak-random", check_weak_random, "GLib's random only for jitter (random.h otherwise)"),
)


# ---- output --------------------------------------------------------------

def summary(tree, results):
    def metric(key):
        for r in results.values():
            if key in r.metrics:
                return r.metrics[key]
        return None

    def fmt(v):
        return "n/a" if v is None else str(v)

    inc, link = metric("include_cycles"), metric("link_cycles")
    lines = ["summary:"]
    for group, folder in tree.groups():
        files = tree.files(folder)
        n = sum(count_lines(tree.text(f)) for f in files)
        lines.append("  %-16s %4d files %6d lines  include cycles %s  link cycles %s" % (
            group, len(files), n, fmt(inc and inc.get(group)), fmt(link and link.get(group))))
    for label, key in (("files calling ops.", "ops_files"), ("ops. calls", "ops_calls"),
                       ("unused gateway.h functions", "unused"),
                       ("files over %d lines" % MAX_LINES, "files_over"),
                       ("forbidden backend includes", "bad_includes"),
                       ("includes pointing up a layer", "layer_violations"),
                       ("static char buffers in gateways/", "static_buffers")):
        lines.append("  %-33s %s" % (label, fmt(metric(key))))
    return lines


def main(argv=None):
    names = [c[0] for c in CHECKS]
    ap = argparse.ArgumentParser(
        description="Structural checks of the xmpp-gw tree.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="checks:\n" + "\n".join("  %-17s %s" % (n, what) for n, _, what in CHECKS))
    ap.add_argument("--build", default="build", help="build folder with the objects")
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                    help="top of the source tree (default: this script's repository)")
    ap.add_argument("--check", choices=names, help="run this check only")
    ap.add_argument("--summary", action="store_true", help="print only the summary")
    ap.add_argument("--no-fail", action="store_true", help="always exit 0")
    args = ap.parse_args(argv)
    tree = Tree(args.root, args.build)
    results, failed = {}, []
    for name, fn, _ in CHECKS:
        if args.check and name != args.check:
            continue
        try:
            r = fn(tree)
        except (OSError, subprocess.CalledProcessError) as e:
            r = Result(False, "could not run: %s" % e)
        results[name] = r
        if not r.ok:
            failed.append(name)
        if not args.summary:
            print("%-4s %-17s %s" % ("ok" if r.ok else "FAIL", name, r.headline))
            for d in r.details:
                print("       " + d)
    if not args.check:
        if not args.summary:
            print()
        print("\n".join(summary(tree, results)))
    if not args.summary:
        print("%d of %d checks failed%s" % (len(failed), len(results),
                                            ": " + ", ".join(failed) if failed else ""))
    return 0 if args.no_fail or not failed else 1


if __name__ == "__main__":
    sys.exit(main())
