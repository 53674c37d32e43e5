"""cli_tests.py — the gazette command line without a server: help, usage errors, init."""

import hashlib
import os

from checks import expect, expect_eq, expect_rc


def _one_line_mentioning_help(r, what):
    err = r.stderr.strip()
    expect(err, "%s: nothing on stderr\n%s" % (what, r.describe()))
    expect("\n" not in err, "%s: stderr has more than one line:\n%s" % (what, err))
    expect("--help" in err, "%s: stderr does not mention --help: %r" % (what, err))


def run(t, gz):
    def top_help():
        r = gz.run("--help")
        expect_rc(r, 0, "gazette --help")
        expect("usage: gazette" in r.stdout, "no usage on stdout:\n" + r.describe())
        for cmd in ("init", "serve", "demo", "article add", "topic add"):
            expect(cmd in r.stdout, "--help does not list %r" % cmd)

    t.check("cli: `gazette --help` → exit 0, usage listing every command on stdout", top_help)

    def version():
        r = gz.run("--version")
        expect_rc(r, 0, "gazette --version")
        expect(r.stdout.startswith("gazette "), "--version printed %r" % r.stdout)

    t.check("cli: `gazette --version` → exit 0", version)

    for words in (["init"], ["serve"], ["demo"], ["article"], ["article", "add"], ["topic"], ["topic", "add"]):
        def command_help(words=words):
            r = gz.run(*(words + ["--help"]))
            expect_rc(r, 0)
            expect(r.stdout.startswith("usage: gazette"), "no usage text on stdout:\n" + r.describe())
            expect_eq(r.stderr.strip(), "", "stderr")

        t.check("cli: `gazette %s --help` → exit 0 with usage" % " ".join(words), command_help)

    def no_args():
        r = gz.run()
        expect_rc(r, 2, "gazette (no command)")
        expect("usage: gazette" in r.stderr, "no usage on stderr:\n" + r.describe())

    t.check("cli: `gazette` with no command → exit 2, usage on stderr", no_args)

    def unknown_command():
        r = gz.run("frobnicate")
        expect_rc(r, 2, "gazette frobnicate")
        _one_line_mentioning_help(r, "gazette frobnicate")
        expect("frobnicate" in r.stderr, "the message does not name the command: %r" % r.stderr)

    t.check("cli: unknown command → exit 2, one line on stderr mentioning --help", unknown_command)

    def unknown_flag():
        r = gz.run("serve", "--nope")
        expect_rc(r, 2, "gazette serve --nope")
        _one_line_mentioning_help(r, "gazette serve --nope")
        expect("--nope" in r.stderr, "the message does not name the option: %r" % r.stderr)
        r = gz.run("article", "add", "--db", gz.path("x.db"), "--bogus", "a.md")
        expect_rc(r, 2, "gazette article add --bogus")
        _one_line_mentioning_help(r, "gazette article add --bogus")

    t.check("cli: unknown flag (`gazette serve --nope`) → exit 2, one line on stderr mentioning --help", unknown_flag)

    def missing_value():
        r = gz.run("serve", "--db")
        expect_rc(r, 2, "gazette serve --db (no value)")
        _one_line_mentioning_help(r, "gazette serve --db")

    t.check("cli: an option without its value → exit 2", missing_value)

    def serve_no_db():
        r = gz.run("serve")
        expect_rc(r, 2, "gazette serve (no --db)")
        expect("--db" in r.stderr, "the message does not mention --db: %r" % r.stderr)

    t.check("cli: `gazette serve` without --db → exit 2", serve_no_db)

    def serve_missing_db():
        db = gz.path("missing.db")
        r = gz.run("serve", "--db", db, "--listen", "127.0.0.1:0", timeout=10)
        expect_rc(r, 1, "gazette serve --db missing.db")
        expect("gazette init" in r.stderr, "the message does not mention 'gazette init':\n" + r.describe())
        expect(not os.path.exists(db), "serve created %s" % db)

    t.check("cli: `gazette serve --db missing.db` → exit 1 mentioning 'gazette init', creates nothing", serve_missing_db)

    def add_missing_db():
        db = gz.path("missing2.db")
        r = gz.run("article", "add", "--db", db, gz.path("nothing.md"))
        expect_rc(r, 1, "gazette article add --db missing2.db")
        expect("gazette init" in r.stderr, "the message does not mention 'gazette init':\n" + r.describe())
        expect(not os.path.exists(db), "article add created %s" % db)

    t.check("cli: `gazette article add --db missing.db` → exit 1 mentioning 'gazette init'", add_missing_db)

    def init_twice():
        db = gz.path("twice.db")
        r = gz.run("init", "--db", db)
        expect_rc(r, 0, "first gazette init")
        expect(os.path.isfile(db), "%s was not created" % db)
        expect("created" in r.stdout, "first init printed no 'created' line:\n" + r.describe())
        before = _fingerprint(db)
        r = gz.run("init", "--db", db)
        expect_rc(r, 1, "second gazette init on the same file")
        expect(db in r.stderr, "the message does not name the file:\n" + r.describe())
        expect_eq(_fingerprint(db), before, "the database file (size, mtime, sha256) after the second init")

    t.check("cli: `gazette init --db X` twice → second fails with exit 1, file unchanged", init_twice)

    def init_no_db():
        r = gz.run("init")
        expect_rc(r, 2, "gazette init (no --db)")

    t.check("cli: `gazette init` without --db → exit 2", init_no_db)

    def bad_threads():
        db = gz.path("twice.db")
        r = gz.run("serve", "--db", db, "--threads", "0", "--listen", "127.0.0.1:0", timeout=10)
        expect_rc(r, 2, "gazette serve --threads 0")
        r = gz.run("serve", "--db", db, "--listen", "nonsense", timeout=10)
        expect(r.rc != 0, "serve --listen nonsense exited 0")
        expect("listen" in r.stderr, "the message does not mention the listen address:\n" + r.describe())

    t.check("cli: `serve --threads 0` → exit 2; `serve --listen nonsense` fails with a message", bad_threads)

    def duplicate_slugs():
        db = gz.path("dupes.db")
        expect_eq(gz.run("init", "--db", db).rc, 0, "init")
        files = []
        for i, slug in enumerate(["same-slug", "other-slug", "same-slug", "same-slug"]):
            f = gz.path("dupe-%d.md" % i)
            with open(f, "w", encoding="utf-8") as out:
                out.write("---\nheadline: Story %d\nslug: %s\n---\nBody.\n" % (i, slug))
            files.append(f)
        r = gz.run("article", "add", "--db", db, *files)
        expect_eq(r.rc, 1, "article add with three files sharing a slug")
        expect("dupe-0.md and %s have the same slug 'same-slug'" % files[2] in r.stderr, "no message for the second: %r" % r.stderr)
        expect("dupe-0.md and %s have the same slug 'same-slug'" % files[3] in r.stderr, "no message for the third: %r" % r.stderr)
        expect("other-slug" not in r.stderr, "the unique slug was reported: %r" % r.stderr)
        expect("nothing was added" in r.stderr, "no 'nothing was added': %r" % r.stderr)

    t.check("cli: `article add` with files sharing a slug → exit 1, each clash named, nothing added", duplicate_slugs)


def _fingerprint(path):
    st = os.stat(path)
    with open(path, "rb") as f:
        return (st.st_size, st.st_mtime_ns, hashlib.sha256(f.read()).hexdigest())
