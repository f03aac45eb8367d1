"""The run conditions and the printed tables (medians over the runs)."""
import os
import statistics
import time

from ircbench.report import cell, runs_cell

IN_ROWS = [
    ("in_texts_s", "Texts/s sustained, closed loop (target: at least 2,000)", "%.0f"),
    ("in_p50_ms", "POST to XMPP <message/>, p50 (ms)", "%.2f"),
    ("in_p99_ms", "POST to XMPP <message/>, p99 (ms)", "%.2f"),
    ("in_http_p50_ms", "HTTP answer, p50 (ms)", "%.2f"),
    ("in_http_p99_ms", "HTTP answer, p99 (ms)", "%.2f"),
    ("in_gw_cpu_us", "Gateway CPU per text (us)", "%.0f"),
    ("in_lost", "Lost", "%d"),
    ("in_dups", "Duplicated", "%d"),
    ("in_misrouted", "Misrouted (another user)", "%d"),
    ("in_refused", "Answered other than 200", "%d"),
    ("in_driver_cpu", "Driver CPU / wall", "%.2f"),
    ("paced_texts_s", "Paced: texts/s reached", "%.0f"),
    ("paced_p50_ms", "Paced: POST to XMPP <message/>, p50 (ms) (target: at most 5)", "%.2f"),
    ("paced_p99_ms", "Paced: POST to XMPP <message/>, p99 (ms)", "%.2f"),
    ("paced_http_p50_ms", "Paced: HTTP answer, p50 (ms)", "%.2f"),
    ("paced_http_p99_ms", "Paced: HTTP answer, p99 (ms)", "%.2f"),
    ("paced_gw_cpu_us", "Paced: gateway CPU per text (us)", "%.0f"),
    ("paced_lost", "Paced: lost", "%d"),
    ("paced_dups", "Paced: duplicated", "%d"),
    ("paced_misrouted", "Paced: misrouted", "%d"),
    ("paced_refused", "Paced: answered other than 200", "%d"),
]
OUT_ROWS = [
    ("out_texts_s", "Texts/s until the provider has them all", "%.0f"),
    ("out_first_ms", "First text at the provider, after (ms)", "%.0f"),
    ("out_lost", "Lost (never at the provider)", "%d"),
    ("out_dups", "Duplicated at the provider", "%d"),
    ("out_xmpp_errors", "Error stanzas back to the senders", "%d"),
    ("out_gw_cpu_us", "Gateway CPU per text (us)", "%.0f"),
    ("out_driver_cpu", "Driver CPU / wall", "%.2f"),
    ("ceiling_texts_s", "The simulator alone: sends/s it takes (8 in flight, a new "
     "connection each)", "%.0f"),
]
END_ROWS = [
    ("rss_peak_kib", "Gateway peak RSS (KiB)", "%.0f"),
    ("store_kib", "Store at the end, with its WAL (KiB)", "%.0f"),
]


def fs_of(path):
    """(file system type, device) holding path, from /proc/mounts."""
    path = os.path.realpath(path)
    best = ("?", "?", "")
    try:
        with open("/proc/mounts") as f:
            for line in f:
                dev, mnt, typ = line.split()[:3]
                mnt = mnt.replace("\\040", " ")
                if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) \
                        and len(mnt) >= len(best[2]):
                    best = (typ, dev, mnt)
    except OSError:
        pass
    return best[0], best[1]


def fs_name(path):
    typ, _ = fs_of(path)
    return "%s (%s)" % ("memory" if typ == "tmpfs" else "disk", typ)


def fsync_us(path, n=50):
    """Median cost of a 4 KiB write + fsync in path, in microseconds."""
    name = os.path.join(path, ".sms-bench-fsync-%d" % os.getpid())
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    times = []
    try:
        block = b"x" * 4096
        for i in range(n):
            t0 = time.perf_counter()
            os.pwrite(fd, block, (i % 16) * 4096)
            os.fsync(fd)
            times.append((time.perf_counter() - t0) * 1e6)
    finally:
        os.close(fd)
        os.unlink(name)
    return statistics.median(times)


def conditions(args):
    lines = []
    for t in args.tmpdirs:
        typ, dev = fs_of(t)
        lines.append("- store and run dirs under %s: %s on %s; a 4 KiB write + fsync there "
                     "takes %.0f us (median of 50)" % (t, typ, dev, fsync_us(t)))
    lines.append("- xmpp-gw %s: [log] level = %s; store SQLite in WAL mode with "
                 "synchronous=FULL and group commit (src/store/): a text's commit, fsync "
                 "included, comes before its 200, so neither a crash nor a power cut loses "
                 "it" % (args.xmpp_gw_bin, args.log_level))
    lines.append("- %d users, a number each; a warm-up of 500 incoming texts first, not counted"
                 % args.users)
    if "in" in args.phases:
        lines.append("- webhook -> XMPP, closed loop: %d texts on %d keep-alive connections"
                     % (args.texts, args.conns))
    if "paced" in args.phases:
        lines.append("- webhook -> XMPP, paced: %d texts due at %.0f/s, on %d keep-alive "
                     "connections" % (args.paced_texts, args.rate, args.paced_conns))
    if "out" in args.phases or "ceiling" in args.phases:
        lines.append("- XMPP -> provider: %d texts to 100 numbers, all sent at once; the "
                     "gateway's send_rate = %d per account (one account for kannel, one per "
                     "user for twilio), 8 provider calls in flight (outbox.c), a new connection "
                     "each; fake Kannel sendsms in the driver (202); Twilio simulator with status "
                     "callbacks (sent, delivered) %.2f s apart"
                     % (args.out_texts, args.send_rate, args.callback_delay))
    lines.append("- RLIMIT_NOFILE %d/%d" % args.nofile)
    return "\n".join(lines)


def column(driver, tmpdir, multi):
    name = {"kannel": "Kannel", "twilio": "Twilio"}[driver]
    return "%s, %s" % (name, fs_name(tmpdir)) if multi else name


def table(title, rows, cols, out):
    print("\n### %s" % title)
    print("| Figure | " + " | ".join(c[0] for c in cols) + " |")
    print("|---|" + "---|" * len(cols))
    for key, label, fmt in rows:
        cells = [cell(out[k], key, fmt) if k in out else "no run completed" for _, k in cols]
        if all(c == "-" for c in cells):
            continue
        print("| %s | %s |" % (label, " | ".join(cells)))
    print("| Runs (median of) | %s |" % " | ".join(runs_cell(out.get(k)) for _, k in cols))


def print_all(args, out):
    multi = len(args.tmpdirs) > 1
    cols = [(column(d, t, multi), (d, t)) for t in args.tmpdirs for d in args.drivers]
    table("Webhook -> XMPP: Kannel MO (token in the query, text as the body) and Twilio "
          "inbound (signed form); medians", IN_ROWS, cols, out)
    table("XMPP -> provider: Kannel sendsms (fake, 202) and the Twilio simulator; medians",
          OUT_ROWS + END_ROWS, cols, out)
