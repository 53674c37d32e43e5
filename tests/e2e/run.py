#!/usr/bin/env python3
"""End-to-end tests of Gazette: start the real binary, speak HTTP to it, run its commands.

    python3 tests/e2e/run.py --gazette ./gazette
    python3 tests/e2e/run.py --gazette build/asan/gazette --sanitized

Output is TAP on stdout ("ok N - name" / "not ok N - name", "# " diagnostics, the plan last);
exit status 0 when every check passed, 1 otherwise (2 for a bad invocation). Everything happens
in a temporary directory that is removed at the end, and every process started is stopped,
whatever happens. With --sanitized, a sanitizer report in the stderr of any server or command
fails the run.

Groups (one module each): cli_tests (commands without a server), demo_tests (`gazette demo`:
pages, API, HTTP edge cases), site_tests (a site built from story files written here, added
while the server runs; and a bulk add of 300 stories with pagination), comments_tests (readers'
comments: form, moderation, validation, threading, anti-spam, hostile input, email privacy, and
a concurrent load of posts), search_tests (full-text search: page, API, hostile queries), api_tests (the content API:
its OpenAPI description checked against real answers, cursor pagination, read keys, CORS),
security_tests (security headers, path traversal, request smuggling, open redirects),
fault_tests (disk full, a locked database, slow and vanishing clients, 10,000 idle
connections), crash_tests (SIGKILL during writes: nothing acknowledged is lost), import_tests
(`gazette import wordpress` on WordPress's theme test data), export_tests (`gazette
export static`: every page written, a full link check, the same bytes as the server; and the
/page/N/ list pages), newsletter_tests (the daily newsletter against an SMTP server of its own:
subscribe, confirm, digest, one-click unsubscribe, refusals), feeds_tests (RSS, Atom and JSON
Feed, sitemaps, robots.txt, and the canonical, OpenGraph, Twitter and JSON-LD tags of the pages),
push_tests (breaking-news alerts by Web Push, checked by a push service written for the test
that verifies the VAPID token and decrypts each message), newsroom_tests (accounts, sessions,
throttling, CSRF, roles and the moderation, topics, settings and users screens of /admin/),
editor_tests (the newsroom's story editor: drafts, publishing, scheduling, each role's refusals,
CSRF, validation, the conflict warning, revisions and restore, preview, hostile input),
pg_tests (only when GAZETTE_TEST_PG holds a PostgreSQL admin URL, as in make test: two servers
on one PostgreSQL database see each other's changes within 1 s, a scheduled story is published
by exactly one of them, and a PostgreSQL restart under a reader gives 200s and clean 503s only),
migrate_tests (also only with GAZETTE_TEST_PG: `gazette migrate` copies the demo site from its
SQLite file into a new PostgreSQL database that serves the same stories; refusals change nothing),
varnish_tests (Varnish with docs/varnish.vcl in front: Surrogate-Key and xkey, hits, purges
after an edit within 2 s, a page not showing the story still a hit, a dead node's failures),
backup_tests (`gazette backup` while a server runs and stories are added; bad paths).

    python3 tests/e2e/run.py --gazette ./gazette --only security_tests,fault_tests

runs only the named modules."""

import sys

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree

import argparse
import os
import shutil
import signal
import tempfile
import time

import api_tests
import backup_tests
import cache_tests
import cli_tests
import editor_tests
import comments_tests
import crash_tests
import demo_tests
import export_tests
import fault_tests
import import_tests
import live_tests
import media_tests
import newsletter_tests
import newsroom_tests
import migrate_tests
import pg_tests
import feeds_tests
import push_tests
import search_tests
import related_tests
import security_tests
import site_tests
import varnish_tests
from checks import expect
from gazette import Gazette, kill_all, sanitizer_lines
from tap import Runner

# the whole suite (with the fault and crash tests) must finish in under 4.5 minutes; newsroom_tests
# adds about 20 s (Argon2id hashes and the login throttle's real delays), editor_tests about 5 s;
# varnish_tests about 15 s (a varnishd to start, purges to wait for), backup_tests about 8 s
BUDGET_SECONDS = 290
# pg_tests and migrate_tests (run when GAZETTE_TEST_PG is set) add about 30 s and 10 s
if os.environ.get("GAZETTE_TEST_PG"):
    BUDGET_SECONDS += 55


def main():
    ap = argparse.ArgumentParser(description="Gazette end-to-end tests (TAP output)")
    ap.add_argument("--gazette", required=True, help="the gazette binary to test")
    ap.add_argument("--sanitized", action="store_true", help="the binary is an ASan/UBSan build: fail on any sanitizer report")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (its path is printed)")
    ap.add_argument("--only", metavar="MODULES", help="comma-separated modules to run (demo_tests,site_tests,...)")
    args = ap.parse_args()
    groups = [
        ("cli_tests", cli_tests.run),
        ("demo_tests", demo_tests.run),
        ("site_tests", site_tests.run),
        ("site_tests", site_tests.run_bulk),
        ("comments_tests", comments_tests.run),
        ("search_tests", search_tests.run),
        ("related_tests", related_tests.run),
        ("cache_tests", cache_tests.run),
        ("varnish_tests", varnish_tests.run),
        ("backup_tests", backup_tests.run),
        ("newsletter_tests", newsletter_tests.run),
        ("api_tests", api_tests.run),
        ("export_tests", export_tests.run),
        ("import_tests", import_tests.run),
        ("feeds_tests", feeds_tests.run),
        ("live_tests", live_tests.run),
        ("push_tests", push_tests.run),
        ("media_tests", media_tests.run),
        ("newsroom_tests", newsroom_tests.run),
        ("editor_tests", editor_tests.run),
        ("pg_tests", pg_tests.run),
        ("migrate_tests", migrate_tests.run),
        ("security_tests", security_tests.run),
        ("fault_tests", fault_tests.run),
        ("crash_tests", crash_tests.run),
    ]
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {name for name, _ in groups}
        if unknown:
            ap.error("unknown module(s): %s" % ", ".join(sorted(unknown)))
        groups = [(name, fn) for name, fn in groups if name in wanted]

    def on_signal(signum, frame):
        raise SystemExit(130 if signum == signal.SIGINT else 143)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    tmp = tempfile.mkdtemp(prefix="gazette-e2e.")
    t = Runner(budget_seconds=BUDGET_SECONDS)
    rc = 1
    try:
        try:
            gz = Gazette(args.gazette, tmp, args.sanitized, deadline=time.monotonic() + BUDGET_SECONDS)
        except FileNotFoundError as e:
            t.check("the gazette binary exists", lambda: expect(False, str(e)))
            return t.finish()
        t.diag("gazette: %s%s; temporary directory %s" % (args.gazette, " (sanitized)" if args.sanitized else "", tmp))
        for note in gz.notes:
            t.diag(note)
        try:
            for _, fn in groups:
                fn(t, gz)
            if args.sanitized:
                def cli_clean():
                    found = []
                    for r in gz.runs:
                        lines = sanitizer_lines(r.stderr)
                        if lines:
                            found.append("`gazette %s`: %s" % (" ".join(r.args)[:120], lines[0]))
                    expect(not found, "sanitizer reports from %d command(s):\n%s" % (len(found), "\n".join(found[:10])))

                t.check("cli: no sanitizer report from any of the %d commands run" % len(gz.runs), cli_clean)
        finally:
            for s in gz.servers:  # anything a failed check left running
                if s.running():
                    s.kill()
            for s in gz.servers:
                err = s.stderr().strip()
                if err:
                    t.diag("stderr of the %s (last lines):" % s.name)
                    t.diag("\n".join("  " + l for l in err.splitlines()[-15:]))
        rc = t.finish()
    finally:
        kill_all()
        if args.keep:
            sys.stdout.write("# kept %s\n" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        sys.stdout.flush()
    return rc


if __name__ == "__main__":
    sys.exit(main())
