"""pg_tests.py — Gazette on PostgreSQL with several servers on one database (docs/deploy.md).
Runs only when GAZETTE_TEST_PG holds the admin URL of a throwaway cluster (make test starts one
with tests/pg/cluster.sh and exports it, with the cluster's directory in GAZETTE_TEST_PG_DIR);
otherwise it reports one skip.

(a) `gazette init --db postgres://...` makes a new database, stories come in with the CLI, and
two `gazette serve` nodes share it: a story edited or published with the CLI (a write no node
made) shows on node B's cached story page and home page within 1 s.
(b) a story scheduled 2 s ahead goes live on both nodes, and exactly one node published it
(the "published scheduled story" line is in one node's log only: the scheduler's advisory lock).
(c) PostgreSQL restarts (pg_ctl restart -m fast) while a reader fetches pages from a node with
no cache at all (--cache-mb 0 --story-views 0): every answer is a 200 or a clean 503 (the
theme's page), never a 500 or a dropped connection, and every node answers 200 again within a
few seconds; an edit made after the restart still reaches the other nodes."""

import datetime
import glob
import http.client
import os
import random
import re
import shutil
import subprocess
import threading
import time

from checks import REPO, expect, expect_eq, expect_rc, expect_status
from tap import Skip

ADMIN = os.environ.get("GAZETTE_TEST_PG", "")
CLUSTER_DIR = os.environ.get("GAZETTE_TEST_PG_DIR", "")
CLUSTER = os.path.join(REPO, "tests", "pg", "cluster.sh")
SPREAD_SECONDS = 1.0  # how long a change may take to reach another node
POLL_SECONDS = 0.05


def psql():
    found = shutil.which("psql") or sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))[-1:]
    return found if isinstance(found, str) else (found[0] if found else None)


def admin_sql(sql):
    """Runs sql on the cluster's admin database with psql; raises with its message."""
    p = subprocess.run([psql(), ADMIN, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
    expect(p.returncode == 0, "psql %r: %s" % (sql, p.stderr.decode("utf-8", "replace").strip()))
    return p.stdout.decode("utf-8", "replace")


def database_url(name):
    """The admin URL with its database name replaced (a query string kept)."""
    m = re.match(r"^(postgres(?:ql)?://[^/?]*)(?:/[^?]*)?(\?.*)?$", ADMIN)
    expect(m, "GAZETTE_TEST_PG is not a postgres:// URL: %r" % ADMIN)
    return "%s/%s%s" % (m.group(1), name, m.group(2) or "")


def story_text(headline, slug, extra_front="", body="A story the PostgreSQL tests write."):
    return ("---\nheadline: %s\nslug: %s\ntopics: Cluster Desk\nauthors: Cluster Reporter\n%s---\n%s\n"
            % (headline, slug, extra_front, body))


def add_story(gz, db, file_name, text):
    path = gz.path(file_name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    expect_rc(gz.run("article", "add", "--db", db, path), 0, "article add %s" % file_name)


def wait_for(srv, path, want, seconds, what):
    """Polls srv's path every 50 ms until its body holds want; fails after seconds."""
    t0 = time.monotonic()
    deadline = t0 + seconds
    last = None
    while True:
        last = srv.get(path)
        if last.status == 200 and want in last.text:
            return time.monotonic() - t0
        if time.monotonic() >= deadline:
            raise AssertionError("%s: %s %s does not show %r after %.1f s (HTTP %d)"
                                 % (what, srv.name, path, want, seconds, last.status))
        time.sleep(POLL_SECONDS)


def run(t, gz):
    if not ADMIN:
        def skipped():
            raise Skip("GAZETTE_TEST_PG is not set (make test starts a PostgreSQL cluster)")

        t.check("pg: PostgreSQL multi-node tests", skipped)
        return
    name = "gz_e2e_%d_%06d" % (os.getpid(), random.randrange(10 ** 6))
    db = database_url(name)
    nodes = []
    try:
        t.check("pg: a database of the test's own (CREATE DATABASE on the cluster)",
                admin_sql, "CREATE DATABASE %s" % name)
        if not t.check("pg: `gazette init --db postgres://...` makes a new site", _init, gz, db):
            return
        a = gz.server("pg node A", "serve", "--db", db)
        b = gz.server("pg node B", "serve", "--db", db)
        nodes += [a, b]
        if not t.check("pg: two `gazette serve` nodes start on one database", lambda: (a.start(), b.start())):
            return
        _spread(t, gz, db, a, b)
        _scheduled(t, gz, db, a, b)
        _restart(t, gz, db, a, b, nodes)
    finally:
        for s in nodes:
            s.stop()
        try:
            admin_sql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
        except AssertionError as e:
            t.diag("pg: could not drop %s: %s" % (name, e))


def _init(gz, db):
    expect_rc(gz.run("init", "--db", db), 0, "init")
    r = gz.run("init", "--db", db)
    expect(r.rc != 0, "a second init on the same database succeeded\n" + r.describe())
    add_story(gz, db, "pg-harbour.md", story_text("Harbour ferry sails again", "pg-harbour"))
    add_story(gz, db, "pg-council.md", story_text("Council meets on the quay", "pg-council"))


def _spread(t, gz, db, a, b):
    page = "/news/pg-harbour/"

    def edit_reaches_b():
        for srv in (b, a):  # read twice: the second answer comes from each node's cache
            for path in (page, "/"):
                srv.get(path)
                expect("Harbour ferry sails again" in srv.get(path).text, "%s %s misses the story" % (srv.name, path))
        add_story(gz, db, "pg-harbour-edit.md", story_text("Harbour ferry sails at dawn", "pg-harbour"))
        took = wait_for(b, page, "Harbour ferry sails at dawn", SPREAD_SECONDS, "an edit made with the CLI")
        took = max(took, wait_for(b, "/", "Harbour ferry sails at dawn", SPREAD_SECONDS, "an edit on the home page"))
        wait_for(a, page, "Harbour ferry sails at dawn", SPREAD_SECONDS, "the edit on node A")
        expect("Harbour ferry sails again" not in b.get("/").text, "node B's home page still shows the old headline")
        t.diag("pg: the edit reached node B in %.2f s" % took)

    t.check("pg: an edit made with the CLI shows on node B's cached story and home pages within 1 s",
            edit_reaches_b)

    def publish_reaches_b():
        add_story(gz, db, "pg-draft.md", story_text("Lighthouse keeper retires", "pg-lighthouse", "status: draft\n"))
        expect_status(b.get("/news/pg-lighthouse/"), 404, "a draft on node B")
        b.get("/news/pg-lighthouse/")
        b.get("/")
        add_story(gz, db, "pg-publish.md", story_text("Lighthouse keeper retires", "pg-lighthouse"))
        wait_for(b, "/news/pg-lighthouse/", "Lighthouse keeper retires", SPREAD_SECONDS, "a story published with the CLI")
        wait_for(b, "/", "Lighthouse keeper retires", SPREAD_SECONDS, "a story published on the home page")

    t.check("pg: a story published with the CLI is on node B's story and home pages within 1 s",
            publish_reaches_b)


def _scheduled(t, gz, db, a, b):
    def goes_live_once():
        page = "/news/pg-scheduled/"
        when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        add_story(gz, db, "pg-scheduled.md",
                  story_text("Tide tables for the new year", "pg-scheduled", "published: %s\nstatus: scheduled\n" % stamp))
        for srv in (a, b):
            expect_status(srv.get(page), 404, "the scheduled story on %s before its time" % srv.name)
        for srv in (a, b):
            wait_for(srv, page, "Tide tables for the new year", 8, "the scheduled story going live")
            wait_for(srv, "/", "Tide tables for the new year", SPREAD_SECONDS + 1, "the scheduled story on the home page")
        time.sleep(1.2)  # another tick of both schedulers: neither may publish it again
        logs = {srv.name: len(re.findall(r"published scheduled story \d+", srv.stderr())) for srv in (a, b)}
        expect_eq(sorted(logs.values()), [0, 1], "\"published scheduled story\" lines per node %s" % logs)

    t.check("pg: a story scheduled 2 s ahead goes live on both nodes, published by exactly one", goes_live_once)


class Reader(threading.Thread):
    """Fetches pages from srv on fresh connections until stopped; keeps (time, status or
    error, body start) of every answer."""

    def __init__(self, srv, paths):
        super().__init__(daemon=True)
        self.srv, self.paths = srv, paths
        self.answers = []
        self.stopping = threading.Event()

    def run(self):
        i = 0
        while not self.stopping.is_set():
            path = self.paths[i % len(self.paths)]
            i += 1
            c = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=10)
            try:
                c.request("GET", path)
                r = c.getresponse()
                body = r.read()
                self.answers.append((time.monotonic(), path, r.status, r.getheader("Content-Type", ""), body))
            except (OSError, http.client.HTTPException) as e:
                self.answers.append((time.monotonic(), path, "%s: %s" % (type(e).__name__, e), "", b""))
            finally:
                c.close()
            time.sleep(0.01)


def clean_503(body, content_type):
    text = body.decode("utf-8", "replace")
    return (content_type.startswith("text/html") and "<html" in text.lower() and "{{" not in text
            and not re.search(r"Traceback|stack|Segmentation|sqlite|libpq|SQLSTATE", text))


def _restart(t, gz, db, a, b, nodes):
    if not CLUSTER_DIR:
        def skipped():
            raise Skip("GAZETTE_TEST_PG_DIR is not set: the cluster is not ours to restart")

        t.check("pg: PostgreSQL restarts under a reader", skipped)
        return
    c = gz.server("pg node C (no cache)", "serve", "--db", db, "--cache-mb", "0", "--story-views", "0")
    nodes.append(c)
    if not t.check("pg: a third node with no cache (--cache-mb 0 --story-views 0) starts", c.start):
        return
    reader = Reader(c, ["/news/pg-harbour/", "/", "/news/pg-council/"])
    state = {}

    def restart_under_reader():
        reader.start()
        time.sleep(0.7)
        t0 = time.monotonic()
        p = subprocess.run([CLUSTER, "restart", CLUSTER_DIR], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        state["back"] = time.monotonic()
        expect(p.returncode == 0, "cluster.sh restart: %s" % p.stderr.decode("utf-8", "replace"))
        t.diag("pg: PostgreSQL restarted in %.2f s" % (state["back"] - t0))
        time.sleep(3)
        reader.stopping.set()
        reader.join(15)
        answers = reader.answers
        expect(len(answers) > 10, "the reader got only %d answers" % len(answers))
        bad = [(p, s) for (_, p, s, _, _) in answers if s not in (200, 503)]
        expect(not bad, "answers other than 200 or 503 (of %d): %s" % (len(answers), bad[:5]))
        unclean = [(p, body[:200]) for (_, p, s, ct, body) in answers if s == 503 and not clean_503(body, ct)]
        expect(not unclean, "503 answers that are not the theme's page: %s" % unclean[:3])
        n503 = sum(1 for a_ in answers if a_[2] == 503)
        t.diag("pg: the reader got %d answers, %d of them 503" % (len(answers), n503))

    t.check("pg: while PostgreSQL restarts, an uncached node answers only 200 or a clean 503 (no 500, no dropped connection)",
            restart_under_reader)

    def all_answer_again():
        deadline = time.monotonic() + 5
        for srv in (a, b, c):
            while True:
                r = srv.get("/news/pg-council/")
                if r.status == 200 and "Council meets on the quay" in r.text:
                    break
                expect(time.monotonic() < deadline, "%s answers %d 5 s after the restart" % (srv.name, r.status))
                time.sleep(POLL_SECONDS)
        late = [(p, s) for (when, p, s, _, _) in reader.answers if when > state.get("back", 0) + 2 and s != 200]
        expect(not late, "the reader still got %s 2 s after PostgreSQL was back" % late[:3])

    t.check("pg: every node answers 200 again within a few seconds of the restart", all_answer_again)

    def edit_after_restart():
        add_story(gz, db, "pg-council-edit.md", story_text("Council meets at the harbour", "pg-council"))
        for srv in (b, a, c):
            wait_for(srv, "/news/pg-council/", "Council meets at the harbour", SPREAD_SECONDS + 1, "an edit after the restart")

    t.check("pg: after the restart an edit made with the CLI still reaches every node", edit_after_restart)
