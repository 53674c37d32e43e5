"""migrate_tests.py — `gazette migrate --from FILE --to postgres://...` (docs/deploy.md): the
demo site, with a newsroom account, a setting, an API key and comments, copied from its SQLite
file into a new PostgreSQL database; the copy serves the same stories, pages, topics and
comments as the file. Refusals change nothing: a database that already holds a site, a missing
file, an unreachable server (whose URL's password is never printed), a SQLite file as target.
Runs only when GAZETTE_TEST_PG holds the admin URL of a throwaway cluster (make test starts
one); otherwise it reports one skip."""

import glob
import os
import random
import re
import shutil
import subprocess

from checks import expect, expect_eq, expect_rc
from tap import Skip

ADMIN = os.environ.get("GAZETTE_TEST_PG", "")


def _psql():
    found = shutil.which("psql") or (sorted(glob.glob("/usr/lib/postgresql/*/bin/psql")) or [None])[-1]
    expect(found, "psql not found")
    return found


def _sql(url, sql):
    p = subprocess.run([_psql(), url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    expect(p.returncode == 0, "psql %r: %s" % (sql, p.stderr.decode("utf-8", "replace").strip()))
    return p.stdout.decode("utf-8", "replace").strip()


def _url(name):
    m = re.match(r"^(postgres(?:ql)?://[^/?]*)(?:/[^?]*)?(\?.*)?$", ADMIN)
    expect(m, "GAZETTE_TEST_PG is not a postgres:// URL: %r" % ADMIN)
    return "%s/%s%s" % (m.group(1), name, m.group(2) or "")


def _start(srv):
    srv.start()
    return srv


def _stories(srv):
    """Every story of the API's list, by slug: (headline, topics)."""
    out, page = {}, 1
    while True:
        r = srv.get("/api/v1/articles?limit=100&page=%d" % page)
        expect_eq(r.status, 200, "GET /api/v1/articles on %s" % srv.name)
        items = r.json()["articles"]
        for a in items:
            out[a["slug"]] = (a.get("headline"), tuple(sorted(t.get("slug", "") for t in a.get("topics", []))))
        if len(items) < 100:
            return out
        page += 1


def run(t, gz):
    if not ADMIN:
        t.check("migrate: skipped (GAZETTE_TEST_PG is not set: no PostgreSQL to copy into)",
                lambda: (_ for _ in ()).throw(Skip("no PostgreSQL cluster")))
        return
    db = gz.path("migrate-source.db")
    name = "gz_migrate_%06d" % random.randrange(10 ** 6)
    target = _url(name)
    state = {}

    def make_source():
        demo = gz.server("migrate demo", "demo", "--db", db)
        demo.start()
        demo.stop()
        r = subprocess.run([gz.binary, "user", "add", "ann", "--role", "editor", "--name", "Ann Editor",
                            "--db", db], input=b"a long enough password\n", stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, cwd=gz.tmp, timeout=60)
        expect(r.returncode == 0, "user add: %s" % r.stderr.decode())
        expect_rc(gz.run("settings", "set", "site_name", "Migrated Gazette", "--db", db), 0)
        expect_rc(gz.run("api-key", "add", "phone-app", "--db", db), 0)
        _sql(ADMIN, "CREATE DATABASE %s" % name)

    t.check("migrate: a SQLite site (the demo, a user, a setting, an API key) and a new PostgreSQL database", make_source)

    def copies():
        r = gz.run("migrate", "--from", db, "--to", target, timeout=120)
        expect_rc(r, 0, "gazette migrate")
        expect("the counts match" in r.stdout, "no verification line:\n" + r.describe())
        expect(re.search(r"articles\s+\d+ rows", r.stdout), "no per-table counts:\n" + r.describe())
        state["copied"] = r.stdout

    t.check("migrate: `gazette migrate --from FILE --to postgres://...` copies the site and says the counts match", copies)

    def same_site():
        lite = _start(gz.server("migrate sqlite node", "serve", "--db", db, "--listen", "127.0.0.1:0", "--cache-mb", "0"))
        pg = _start(gz.server("migrate pg node", "serve", "--db", target, "--listen", "127.0.0.1:0", "--cache-mb", "0"))
        try:
            a, b = _stories(lite), _stories(pg)
            expect(len(a) > 5, "the demo has only %d stories" % len(a))
            expect_eq(b, a, "stories, headlines and topics on PostgreSQL")
            for slug in sorted(a)[:3]:
                ra, rb = lite.get("/api/v1/articles/%s" % slug), pg.get("/api/v1/articles/%s" % slug)
                expect_eq(rb.status, ra.status, "GET /api/v1/articles/%s" % slug)
                ja, jb = ra.json(), rb.json()
                for key in ("headline", "body_html", "published_at", "updated_at"):
                    expect_eq(jb.get(key), ja.get(key), "%s of %s" % (key, slug))
                related = [[x["slug"] for x in j.get("related") or []] for j in (ja, jb)]
                expect_eq(related[1], related[0], "related stories of %s" % slug)
            ha, hb = lite.get("/"), pg.get("/")
            expect_eq(hb.status, 200, "home on PostgreSQL")
            expect("Migrated Gazette" in hb.text, "the copied site name is not on the PostgreSQL home page")
            expect_eq(_sql(target, "SELECT login FROM users"), "ann", "users copied")
            expect_eq(_sql(target, "SELECT count(*) FROM api_keys"), "1", "API keys copied")
        finally:
            lite.stop()
            pg.stop()

    t.check("migrate: the PostgreSQL copy serves the same stories, bodies, related stories and settings", same_site)

    def refuses_full():
        before = _sql(target, "SELECT count(*) FROM articles")
        r = gz.run("migrate", "--from", db, "--to", target, timeout=60)
        expect(r.rc != 0, "a second migrate into the same database succeeded:\n" + r.describe())
        expect("already holds a site" in r.stderr, "unclear refusal:\n" + r.describe())
        expect_eq(_sql(target, "SELECT count(*) FROM articles"), before, "stories after the refusal")

    t.check("migrate: a database that holds a site already is refused, nothing changes", refuses_full)

    def refuses_bad_input():
        r = gz.run("migrate", "--from", gz.path("nope.db"), "--to", target)
        expect(r.rc != 0 and "does not exist" in r.stderr, "missing file:\n" + r.describe())
        r = gz.run("migrate", "--from", db, "--to", gz.path("other.db"))
        expect_rc(r, 2, "a SQLite target")
        expect("postgres://" in r.stderr, "unclear message for a SQLite target:\n" + r.describe())
        r = gz.run("migrate", "--from", db)
        expect_rc(r, 2, "no --to")
        r = gz.run("migrate", "--from", db, "--to", "postgres://ann:TopSecret99@127.0.0.1:1/news", timeout=60)
        expect(r.rc != 0, "an unreachable server succeeded:\n" + r.describe())
        expect("TopSecret99" not in r.stdout + r.stderr, "the password was printed:\n" + r.describe())
        expect(r.stderr.strip(), "no message for an unreachable server")

    t.check("migrate: a missing file, a SQLite target, no --to, an unreachable server → clear errors, no password shown", refuses_bad_input)

    def drop():
        _sql(ADMIN, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)

    t.check("migrate: the test database is dropped", drop)
