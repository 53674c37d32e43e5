"""related_tests.py — "You May Also Like" follows the newsroom as it works: a story published
with `gazette article add` while the server runs appears among the related stories of the story
it is about within a few seconds (the server updates its index story by story), and leaves them
again when it is turned back into a draft."""

import time

from checks import expect, expect_eq, expect_json, expect_no_sanitizer
from gazette import tail

TOP = "maria-zakharova-hamas-visited-moscow"
NEW = "hamas-delegation-holds-second-day-of-talks-in-moscow"

STORY = """---
headline: Hamas delegation holds second day of talks in Moscow
kicker: The war in Israel
lead: Talks between the Hamas visitors and Russian diplomats went on in Moscow.
topics: World
published: 2023-10-26T12:00:00Z
status: %s
---
The Hamas delegation spent a second day in Moscow. Russian Foreign Ministry officials, colleagues
of the spokeswoman Maria Zakharova, met Abu Marzouk again, while Iran's deputy foreign minister
Ali Bagheri Kani was also in the Russian capital for talks.
"""


def related_slugs(srv, slug):
    body = expect_json(srv.get("/api/v1/articles/%s" % slug), "GET /api/v1/articles/%s" % slug)
    return [r["slug"] for r in body["related"]]


def wait_for(predicate, seconds=6.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def run(t, gz):
    db = gz.path("related.db")
    story = gz.path("second-day.md")
    srv = gz.server("related server", "demo", "--db", db)
    t.check("related: `gazette demo --db TMP/related.db` starts", srv.start)
    try:
        def publish_while_serving():
            expect(NEW not in related_slugs(srv, TOP), "the new story is related before it exists")
            with open(story, "w", encoding="utf-8") as f:
                f.write(STORY % "published")
            r = gz.run("article", "add", "--db", db, story)
            expect_eq(r.rc, 0, "article add exit status\n" + r.stderr)
            t0 = time.monotonic()
            expect(wait_for(lambda: related_slugs(srv, TOP)[:1] == [NEW]),
                   "the new story on the same event is not first among the related stories: %r"
                   % related_slugs(srv, TOP))
            t.diag("related: the published story was related after %.1f s" % (time.monotonic() - t0))
            expect(TOP in related_slugs(srv, NEW), "the new story's related stories miss the top story")

        t.check("related: a story published while serving becomes the top story's first related story within seconds", publish_while_serving)

        def unpublish_while_serving():
            with open(story, "w", encoding="utf-8") as f:
                f.write(STORY % "draft")
            r = gz.run("article", "add", "--db", db, story)
            expect_eq(r.rc, 0, "article add exit status\n" + r.stderr)
            expect(wait_for(lambda: NEW not in related_slugs(srv, TOP)),
                   "the story turned into a draft is still related: %r" % related_slugs(srv, TOP))
            expect_eq(len(related_slugs(srv, TOP)), 4, "related stories after the draft")

        t.check("related: turned back into a draft, it leaves the related stories", unpublish_while_serving)

        def auto_read_also():
            plain = "pike-double-sinks-northgate-as-rovers-win-the-harbour-derby"
            before = srv.get("/news/%s/" % plain).text
            expect('class="read-also"' not in before, "a read-also link before the setting is on")
            r = gz.run("settings", "set", "--db", db, "related.read_also_after", "2")
            expect_eq(r.rc, 0, "settings set exit status\n" + r.stderr)
            page = srv.get("/news/%s/" % plain).text
            expect_eq(page.count('class="read-also"'), 1, "automatic read-also links on a story without one")
            first = related_slugs(srv, plain)[0]
            expect('<a href="/news/%s/">' % first in page, "the automatic link is not the first related story")
            top = srv.get("/news/%s/" % TOP).text
            expect_eq(top.count('class="read-also"'), 2, "read-also links on the story whose editor placed two")
            gz.run("settings", "set", "--db", db, "related.read_also_after", "0")

        t.check("related: with related.read_also_after set, a story without read-also gets one to its best related story", auto_read_also)

        def reindex_cli():
            r = gz.run("reindex", "--db", db, "--show", TOP)
            expect_eq(r.rc, 0, "reindex exit status\n" + r.stderr)
            expect("indexed" in r.stdout and "related to %s" % TOP in r.stdout, "reindex output: %r" % r.stdout)
            r = gz.run("reindex", "--db", db, "--language", "klingon")
            expect_eq(r.rc, 2, "reindex with an unknown language\n" + r.stderr)

        t.check("related: `gazette reindex` rebuilds and shows a story's related stories; unknown language → 2", reindex_cli)
    finally:
        def stop():
            rc = srv.stop(grace=10)
            expect_eq(rc, 0, "related server exit status after SIGTERM\nstderr: %s" % tail(srv.stderr()))

        t.check("related server: SIGTERM → exit 0", stop)
        if gz.sanitized:
            t.check("related server: no sanitizer report in its stderr", lambda: expect_no_sanitizer(srv.stderr(), "related server"))
