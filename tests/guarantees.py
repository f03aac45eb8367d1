#!/usr/bin/env python3
"""Keeps the README's Guarantees table true: every test it names exists.

The table is the one under "## Guarantees" in README.md. Each row is
`| promise | tests |`; the tests are backquoted references, either
`tests/e2e/test_x.py::test_name` (a pytest function, plain or async) or
`tests/unit/test_x.c::test_name` (a cmocka test: defined, and registered in
the file's test table). A row without a test, a file that is not there, a
test that is not defined or not registered, or a table that is missing, is
an error. Exit 0 when all hold, 1 otherwise, naming each problem.

    tests/guarantees.py [README.md]   check the table
    tests/guarantees.py --selftest    show that each kind of problem is caught
"""
import os
import re
import sys
import tempfile

REF = re.compile(r"`(tests/(?:e2e|unit)/[\w./-]+)::(\w+)`")


def table_rows(text):
    """(line number, promise, tests cell) for each row of the Guarantees
    table; None when there is no such section."""
    lines = text.splitlines()
    try:
        start = next(i for i, l in enumerate(lines) if l.strip() == "## Guarantees")
    except StopIteration:
        return None
    rows = []
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if line.startswith("## "):
            break
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or set(cells[0]) <= set("-: ") or cells[0].lower() == "promise":
            continue
        rows.append((i + 1, cells[0], "|".join(cells[1:])))
    return rows


def defined(path, name):
    """None when path defines (and, for C, registers) the test name; else
    what is wrong."""
    try:
        with open(path, encoding="utf-8") as f:
            src = f.read()
    except OSError as e:
        return "%s: cannot be read (%s)" % (path, e.strerror)
    if path.endswith(".py"):
        if not re.search(r"^(?:async\s+)?def\s+%s\s*\(" % re.escape(name), src, re.M):
            return "%s: no test function %s" % (path, name)
        return None
    if not re.search(r"^static\s+void\s+%s\s*\(\s*void\s*\*\*" % re.escape(name), src, re.M):
        return "%s: no cmocka test %s" % (path, name)
    # Registered: named again inside a cmocka_unit_test...(...) or a T(...)-like
    # macro in the table, i.e. after its definition as an argument.
    uses = re.findall(r"\(\s*%s\s*[,)]" % re.escape(name), src)
    if not uses:
        return "%s: %s is defined but not in the test table" % (path, name)
    return None


def check(readme, root):
    try:
        with open(readme, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        return ["%s: cannot be read (%s)" % (readme, e.strerror)], 0, 0
    rows = table_rows(text)
    if rows is None:
        return ["%s: no '## Guarantees' section" % readme], 0, 0
    if not rows:
        return ["%s: the Guarantees table has no rows" % readme], 0, 0
    problems, refs = [], 0
    for lineno, promise, cell in rows:
        found = REF.findall(cell)
        if not found:
            problems.append("%s:%d: no test named for %r" % (readme, lineno, promise[:60]))
        for path, name in found:
            refs += 1
            why = defined(os.path.join(root, path), name)
            if why:
                problems.append("%s:%d: %s" % (readme, lineno, why))
    return problems, len(rows), refs


def selftest():
    """Each kind of problem is reported, and a good table passes."""
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "tests/e2e"))
        os.makedirs(os.path.join(d, "tests/unit"))
        with open(os.path.join(d, "tests/e2e/test_a.py"), "w") as f:
            f.write("def test_one():\n    pass\n\nasync def test_two():\n    pass\n")
        with open(os.path.join(d, "tests/unit/test_b.c"), "w") as f:
            f.write("static void test_in(void **state) {}\n"
                    "static void test_out(void **state) {}\n"
                    "int main(void) { const struct CMUnitTest t[] = {\n"
                    "  cmocka_unit_test(test_in),\n}; }\n")
        good = ("## Guarantees\n\n| Promise | Tests |\n|---|---|\n"
                "| a | `tests/e2e/test_a.py::test_one`, `tests/e2e/test_a.py::test_two` |\n"
                "| b | `tests/unit/test_b.c::test_in` |\n\n## Next\n| x | y |\n")
        cases = [
            (good, 0),
            (good.replace("test_one`", "test_none`"), 1),
            (good.replace("test_b.c::test_in", "test_b.c::test_out"), 1),
            (good.replace("test_a.py::test_two", "test_c.py::test_two"), 1),
            (good.replace("`tests/unit/test_b.c::test_in`", "to do"), 1),
            (good.replace("## Guarantees", "## Promises"), 1),
        ]
        failed = 0
        for i, (text, want) in enumerate(cases):
            path = os.path.join(d, "README.md")
            with open(path, "w") as f:
                f.write(text)
            problems, _, _ = check(path, d)
            if (len(problems) > 0) != bool(want) or (want and len(problems) != want):
                print("selftest case %d: expected %d problem(s), got %r" % (i, want, problems))
                failed += 1
        print("guarantees selftest: %d of %d cases as expected" % (len(cases) - failed, len(cases)))
        return 1 if failed else 0


def main(argv):
    if argv[1:] == ["--selftest"]:
        return selftest()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    readme = argv[1] if len(argv) > 1 else os.path.join(root, "README.md")
    problems, rows, refs = check(readme, root)
    for p in problems:
        print(p)
    print("guarantees: %d promises, %d tests named, %d problem(s)" % (rows, refs, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
