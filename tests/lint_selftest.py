#!/usr/bin/python3
"""lint_selftest.py - tests of tests/lint.py on small trees made in a
temporary folder: each check fails on a tree with the fault and passes once
it is gone. Standard library only (unittest)."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lint  # noqa: E402

GATEWAY_H = """\
/* gateway.h - the contract. */
#ifndef GATEWAY_H
#define GATEWAY_H
#include "err.h"

struct gw_ops {
	/* a slot, not a function of the contract */
	int (*start)(struct gw *gw);
};
typedef void (*gw_io_cb)(int fd, void *ud);

/* Used by a backend. */
int gw_used(struct gw *gw, void (*cb)(int x));
/* Used by nobody. */
const char *gw_unused(struct gw *gw);
/* email: the transport polls with it. */
void gw_for_email(int fd,
		  int events);
int gw_trailing(void); /* email: the inbox reads it */
int gw_next(void);
/* email: a marker of the define, not of what follows */
#define GW_MAX 10
void gw_after_define(void);
#endif
"""


class Tmp(unittest.TestCase):
    """A fresh tree per test; write() adds files, run() runs one check."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="lint-selftest-")
        self.addCleanup(shutil.rmtree, self.root)
        self.write("src/gateway.h", GATEWAY_H)
        self.write("src/err.h", "enum gw_err { GW_OK };\n")

    def write(self, rel, text):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def remove(self, rel):
        os.remove(os.path.join(self.root, rel))

    def run_check(self, name):
        tree = lint.Tree(self.root, "build")
        return dict((n, fn) for n, fn, _ in lint.CHECKS)[name](tree)

    def cli(self, *args):
        return subprocess.run([sys.executable, os.path.join(HERE, "lint.py"),
                               "--root", self.root] + list(args),
                              capture_output=True, text=True)


class IncludeCycles(Tmp):
    def test_two_modules(self):
        self.write("src/a.h", '#include "b.h"\n')
        self.write("src/a.c", '#include "a.h"\n')
        self.write("src/b.h", "int b(void);\n")
        self.write("src/b.c", '#include "a.h"\n#include "b.h"\n')
        r = self.run_check("include-cycles")
        self.assertFalse(r.ok)
        self.assertEqual(r.metrics["include_cycles"]["src"], 1)
        self.assertIn("src: cycle of 2 modules: a, b", r.details)
        self.write("src/b.c", '#include "b.h"\n')
        self.assertTrue(self.run_check("include-cycles").ok)
        self.write("src/b.h", 'int b(void);\n/* #include "a.h" */\n')
        self.assertTrue(self.run_check("include-cycles").ok)
        self.write("src/b.h", '#include "a.h"\n')  # b's header closes it again
        self.assertFalse(self.run_check("include-cycles").ok)

    def test_header_without_c_is_a_node(self):
        self.write("gateways/net/x.c", '#include "w.h"\n')
        self.write("gateways/net/w.h", '#include "y.h"\n')
        self.write("gateways/net/y.h", '#include "x.h"\n')
        self.write("gateways/net/x.h", "")
        r = self.run_check("include-cycles")
        self.assertIn("gateways/net: cycle of 3 modules: w, x, y", r.details)
        self.assertEqual(r.metrics["include_cycles"], {"src": 0, "gateways/net": 1})

    def test_private_header_is_its_module(self):
        # x_int.h, the inside of x, including x.h is no cycle.
        self.write("gateways/net/x.c", '#include "x_int.h"\n')
        self.write("gateways/net/x_int.h", '#include "x.h"\n')
        self.write("gateways/net/x.h", "")
        self.assertTrue(self.run_check("include-cycles").ok)

    def test_groups_are_apart(self):
        # irc/a.h -> src/b.h -> src/a.h: the first edge leaves its group.
        self.write("gateways/irc/a.h", '#include "b.h"\n')
        self.write("src/b.h", '#include "a.h"\n')
        self.write("src/a.h", "")
        self.assertTrue(self.run_check("include-cycles").ok)

    def test_subfolders_and_prefixed_includes(self):
        self.write("src/link/loop.c", '#include "store/db.h"\n')
        self.write("src/store/db.c", '#include "../link/loop.h"\n')
        self.write("src/link/loop.h", "")
        self.write("src/store/db.h", "")
        r = self.run_check("include-cycles")
        self.assertIn("src: cycle of 2 modules: link/loop, store/db", r.details)


@unittest.skipUnless(shutil.which("cc") and shutil.which("nm"), "needs cc and nm")
class Layers(Tmp):
    def test_across_layer_folders(self):
        # Headers are included by name across src/'s layer folders.
        self.write("src/xmpp/a.c", '#include "a.h"\n#include "b.h"\n')
        self.write("src/xmpp/a.h", "")
        self.write("src/gw/b.h", '#include "a.h"\n')
        self.write("src/gw/b.c", '#include "b.h"\n')
        r = self.run_check("include-cycles")
        self.assertIn("src: cycle of 2 modules: gw/b, xmpp/a", r.details)

    def test_up_a_layer_fails(self):
        self.write("src/util/t.h", "")
        self.write("src/store/s.c", '#include "t.h"\n')
        self.write("src/gateway.h", "")
        self.write("src/util/u.c", '#include "gateway.h"\n')
        self.assertTrue(self.run_check("layers").ok)
        self.write("src/xmpp/x.h", "")
        self.write("src/store/s.c", '#include "t.h"\n#include "x.h"\n')
        r = self.run_check("layers")
        self.assertFalse(r.ok)
        self.assertIn("src/store/s.c:2 includes src/xmpp/x.h: xmpp/ is above store/", r.details)


class LinkCycles(Tmp):
    def build(self, rel, text):
        self.write(rel, text)
        obj = os.path.join(self.root, "build", rel[:-2] + ".o")
        os.makedirs(os.path.dirname(obj), exist_ok=True)
        subprocess.run(["cc", "-c", "-o", obj, os.path.join(self.root, rel)], check=True)

    def test_cycle_through_shared_header(self):
        shared = "int fa(int); int fb(int); int fc(int);\n"
        self.write("gateways/irc/all_int.h", shared)
        self.build("gateways/irc/a.c", '#include "all_int.h"\nint fa(int x) { return fb(x); }\n')
        self.build("gateways/irc/b.c", '#include "all_int.h"\nint fb(int x) { return fa(x); }\n')
        self.build("gateways/irc/c.c", '#include "all_int.h"\nint fc(int x) { return fa(x); }\n')
        self.assertTrue(self.run_check("include-cycles").ok)
        r = self.run_check("link-cycles")
        self.assertFalse(r.ok)
        self.assertIn("gateways/irc: cycle of 2 modules: a, b", r.details)
        self.assertIn("    a -> b (fb)", r.details)
        self.build("gateways/irc/b.c", "int fb(int x) { return x; }\n")
        self.assertTrue(self.run_check("link-cycles").ok)

    def test_missing_objects(self):
        self.write("src/x.c", "int x;\n")
        r = self.run_check("link-cycles")
        self.assertFalse(r.ok)
        self.assertIn("run `make` first", r.details[0])
        self.assertIsNone(r.metrics["link_cycles"]["src"])


class OpsCallers(Tmp):
    def test_one_file(self):
        self.write("src/backend.c", "void f(void) { gw->be->ops.start(gw); be->ops.stop(gw); }\n")
        r = self.run_check("ops-callers")
        self.assertTrue(r.ok)
        self.assertEqual((r.metrics["ops_files"], r.metrics["ops_calls"]), (1, 2))

    def test_elsewhere(self):
        self.write("src/muc.c", "/* ops.room_join */ x = \"ops.no\"; // ops.no\n"
                   "be->ops.room_join(s);\nbe->ops.room_leave(s);\n")
        r = self.run_check("ops-callers")
        self.assertFalse(r.ok)
        self.assertIn("src/muc.c: 2", r.details)
        self.write("src/muc.c", "/* ops.room_join */\n")
        self.assertTrue(self.run_check("ops-callers").ok)

    def test_two_files(self):
        self.write("src/backend.c", "a.ops.x();\n")
        self.write("src/core.c", "b.ops.y();\n")
        self.assertFalse(self.run_check("ops-callers").ok)


class FileSize(Tmp):
    def test_limit(self):
        self.write("tests/big.py", "x = 1\n" * (lint.MAX_LINES + 1))
        self.write("bench/ok.c", "\n" * lint.MAX_LINES)
        r = self.run_check("file-size")
        self.assertFalse(r.ok)
        self.assertIn("  801 tests/big.py  (over 800)", r.details)
        self.write("tests/big.py", "x = 1\n" * lint.MAX_LINES)
        self.assertTrue(self.run_check("file-size").ok)


class ContractUsed(Tmp):
    def test_declarations(self):
        names = [n for n, _, _ in lint.contract_functions(GATEWAY_H)]
        self.assertEqual(names, ["gw_used", "gw_unused", "gw_for_email", "gw_trailing",
                                 "gw_next", "gw_after_define"])

    def test_unused(self):
        self.write("gateways/net/net.c", "/* gw_unused */ void f(void) { gw_used(0, 0); }\n"
                   "void g(void) { gw_after_define(); gw_next(); }\n")
        r = self.run_check("contract-used")
        self.assertFalse(r.ok)
        self.assertEqual(len(r.details), 1)
        self.assertIn("gw_unused", r.details[0])
        self.write("gateways/net/more.c", "void h(void) { (void)gw_unused(0); }\n")
        self.assertTrue(self.run_check("contract-used").ok)

    def test_marker_belongs_to_one_declaration(self):
        self.write("gateways/net/net.c", "void f(void) { gw_used(0, 0); gw_unused(0); }\n")
        r = self.run_check("contract-used")
        self.assertEqual(r.metrics["unused"], 2)
        self.assertIn("gw_next", r.details[0])
        self.assertIn("gw_after_define", r.details[1])


class BackendIncludes(Tmp):
    def setUp(self):
        super().setUp()
        self.write("src/conf.h", "")
        self.write("src/log.h", "")
        self.write("gateways/sms/sms.h", "")
        self.write("gateways/sms/driver.h", "")

    def test_allowed(self):
        self.write("gateways/irc/irc.c", '#include <glib.h>\n#include "gateway.h"\n'
                   '#include "log.h"\n#include "conf.h"\n')
        self.write("gateways/irc/conf.h", "")  # its own conf.h, found first
        self.write("gateways/sms/kannel.c", '#include "sms/driver.h"\n')
        self.write("gateways/sms/inbound.c", '#include "sms/sms.h"\n')
        self.assertTrue(self.run_check("backend-includes").ok)

    def test_forbidden(self):
        self.write("gateways/irc/irc.c", '#include <strophe.h>\n#include "conf.h"\n'
                   '#include "sms/sms.h"\n/* #include <sqlite3.h> */\n')
        self.write("gateways/sms/twilio_hook.c", '#include "sms/sms.h"\n')
        self.write("gateways/sms/kannel.c", '#include "sms.h"\n')
        r = self.run_check("backend-includes")
        self.assertEqual(r.metrics["bad_includes"], 5, r.details)
        text = "\n".join(r.details)
        for part in ("irc.c:1", "core header src/conf.h", "another backend",
                     "twilio_hook.c:1", "kannel.c:1"):
            self.assertIn(part, text)


class WeakRandom(Tmp):
    def test_found(self):
        self.write("gateways/echo/echo.c", "unsigned d(void) {\n"
                   "\treturn g_random_int_range(0, 9); /* jitter */\n}\n"
                   "char *id(void) { return g_strdup_printf(\"%u\", g_random_int()); }\n"
                   "/* g_random_int() in a comment */\n")
        r = self.run_check("weak-random")
        self.assertEqual(r.details, ["gateways/echo/echo.c:4 g_random_int) without a jitter "
                                     "comment"])
        self.write("gateways/echo/echo.c", "char *id(void) { return random_hex(8); }\n")
        self.assertTrue(self.run_check("weak-random").ok)


class StaticBuffers(Tmp):
    def test_found(self):
        self.write("gateways/echo/echo.c", "static const char hex[] = \"0123\";\n"
                   "const char *f(void) {\n\tstatic char why[128];\n\treturn why;\n}\n"
                   "/* static char old[4]; */\n")
        r = self.run_check("static-buffers")
        self.assertEqual(r.details, ["gateways/echo/echo.c:3 static char why[128]"])
        self.write("gateways/echo/echo.c", "char *f(void) { return g_strdup(\"x\"); }\n")
        self.assertTrue(self.run_check("static-buffers").ok)


class Tarjan(unittest.TestCase):
    def test_components(self):
        edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d", "a"}, "e": {"f"}, "f": {"e"}}
        self.assertEqual(lint.tarjan(set("abcdef"), edges), [["a", "b", "c"], ["e", "f"]])


class Cli(Tmp):
    def test_options(self):
        self.write("src/a.h", '#include "b.h"\n')
        self.write("src/b.h", '#include "a.h"\n')
        r = self.cli("--check", "include-cycles")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertTrue(r.stdout.startswith("FAIL include-cycles"))
        self.assertNotIn("summary:", r.stdout)
        self.assertEqual(self.cli("--check", "include-cycles", "--no-fail").returncode, 0)
        r = self.cli("--summary", "--no-fail")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("summary:"))
        self.assertIn("include cycles 1", r.stdout)
        self.remove("src/b.h")
        self.write("src/b.h", "")
        self.assertEqual(self.cli("--check", "include-cycles").returncode, 0)
        self.assertEqual(self.cli("--check", "nothing").returncode, 2)


if __name__ == "__main__":
    unittest.main()
