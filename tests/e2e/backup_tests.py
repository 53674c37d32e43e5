"""backup_tests.py — `gazette backup --db FILE --to FILE` (docs/deploy.md: Backups): a copy made
while a server answers readers and stories are being added holds a whole moment's database
(as many stories as before the copy at least, no more than after it), and a server started on
the copy serves the site; bad paths get a clear error, exit status 1 or 2, and leave no file
behind."""

import os
import sqlite3
import threading

from checks import expect, expect_eq, expect_rc, expect_status


def story(i):
    return ("---\nheadline: Backup desk story %d\nslug: backup-desk-%d\ntopics: Backup Desk\n"
            "authors: Backup Reporter\n---\nA story written while the database is copied, number %d.\n" % (i, i, i))


def count_stories(path):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return db.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        db.close()


def run(t, gz):
    db = gz.path("backup.db")
    srv = gz.server("backup server", "demo", "--db", db)
    if not t.check("backup: `gazette demo` starts the site to copy", srv.start):
        return
    try:
        t.check("backup: a copy made while the server runs and stories are added is whole", _live_copy, gz, db, srv)
        t.check("backup: bad paths are refused with a clear error and leave nothing", _bad_paths, gz, db)
    finally:
        srv.stop()


def _live_copy(gz, db, srv):
    os.makedirs(gz.path("backup-stories"), exist_ok=True)
    before = count_stories(db)
    done = threading.Event()
    added = []

    def writer():  # one story per command, as a newsroom would
        i = 0
        while not done.is_set() and i < 40:
            path = gz.path("backup-stories", "s%d.md" % i)
            with open(path, "w", encoding="utf-8") as f:
                f.write(story(i))
            if gz.run("article", "add", "--db", db, path).rc == 0:
                added.append(i)
            i += 1

    th = threading.Thread(target=writer)
    th.start()
    try:
        copies = []
        for n in range(3):
            to = gz.path("backup-copy-%d.db" % n)
            r = gz.run("backup", "--db", db, "--to", to)
            expect_rc(r, 0, "backup while stories are added")
            expect("backed up" in r.stdout, "no summary: %r" % r.stdout)
            expect_status(srv.get("/"), 200, "the home page during the backup")
            copies.append(to)
    finally:
        done.set()
        th.join()
    after = count_stories(db)
    for to in copies:
        n = count_stories(to)
        expect(before <= n <= after, "the copy holds %d stories; the database had %d before and %d after" % (n, before, after))
        expect(not os.path.exists(to + "-wal") or os.path.getsize(to + "-wal") == 0, "the copy left a WAL beside it")
    expect(added, "the writer added no story")
    copy = gz.server("backup copy server", "serve", "--db", copies[-1])
    copy.start()
    try:
        expect_status(copy.get("/"), 200, "the home page served from the copy")
        expect_status(copy.get("/news/backup-desk-0/"), 200 if count_stories(copies[-1]) > before else 404,
                      "the first story written during the copies, on the copy")
    finally:
        copy.stop()


def _bad_paths(gz, db):
    existing = gz.path("backup-existing.db")
    with open(existing, "w") as f:
        f.write("keep me")
    not_db = gz.path("backup-not-a-database.db")
    with open(not_db, "w") as f:
        f.write("this is not SQLite\n" * 100)
    cases = [
        (("--db", gz.path("missing.db"), "--to", gz.path("x1.db")), 1, "cannot read the database", gz.path("x1.db")),
        (("--db", db, "--to", existing), 1, "exists already", None),
        (("--db", db, "--to", gz.path("no-such-folder", "x.db")), 1, "does not exist", None),
        (("--db", db, "--to", gz.tmp), 1, "is a folder", None),
        (("--db", db, "--to", db), 1, "the database itself", None),
        (("--db", not_db, "--to", gz.path("x2.db")), 1, "not a database", gz.path("x2.db")),
        (("--db", "postgres://gazette@localhost/site", "--to", gz.path("x3.db")), 2, "pg_dump", gz.path("x3.db")),
        (("--db", db), 2, "--to FILE", None),
    ]
    for args, rc, message, must_not_exist in cases:
        r = gz.run("backup", *args)
        expect_rc(r, rc, "backup %s" % " ".join(args))
        expect(message in r.stderr, "backup %s: %r not in %r" % (" ".join(args), message, r.stderr))
        if must_not_exist:
            expect(not os.path.exists(must_not_exist), "a failed backup left %s" % must_not_exist)
    with open(existing) as f:
        expect_eq(f.read(), "keep me", "the existing file after a refused backup")
    leftovers = [n for n in os.listdir(gz.tmp) if ".partial-" in n]
    expect(not leftovers, "temporary copies left: %s" % leftovers)
