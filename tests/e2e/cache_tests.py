"""cache_tests.py — the page cache and HTTP caching (`gazette serve --cache-mb N`, on by default):
validators and 304s, gzip and brotli bodies that decompress to the same bytes, HEAD, and above
all freshness: after each kind of change (a story edited or published with the CLI while the
server runs, a comment approved, a setting changed, a scheduled story whose time comes) no page
anywhere still shows the old content. Also the memory bound (--cache-mb 1 with every page asked
for) and the cache turned off. And the article views (story_views.h) that render pages when the
cache is off: with `--cache-mb 0` every kind of change (an edit, a publish, an unpublish, an
approved comment, a topic or author renamed, a related list that changed, a setting) shows on
the very next page, while the figures prove the pages came from kept views."""

import datetime
import gzip
import os
import re
import sqlite3
import time

from checks import REPO, expect, expect_eq, expect_json, expect_rc, expect_status, front_matter

import shutil
import subprocess

BROTLI = shutil.which("brotli")  # Debian's brotli tool (make deps installs it)


def unbrotli(data):
    return subprocess.run([BROTLI, "-d", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout

TOP = "maria-zakharova-hamas-visited-moscow"
TOP_FILE = os.path.join(REPO, "content", "demo", TOP + ".md")


def pages_of_site(srv):
    """Every public HTML page: home pages, every story, every topic and author page."""
    paths = ["/"]
    body = expect_json(srv.get("/api/v1/articles?limit=100&page=1"), "API list")
    stories, page = list(body["articles"]), 1
    while page < body["pages"]:
        page += 1
        body = expect_json(srv.get("/api/v1/articles?limit=100&page=%d" % page), "API list")
        stories += body["articles"]
    topics, authors = set(), set()
    for s in stories:
        paths.append("/news/%s/" % s["slug"])
        topics.update(t["slug"] for t in s["topics"])
        authors.update(a["slug"] for a in s["authors"])
    paths += ["/topic/%s/" % t for t in sorted(topics)] + ["/author/%s/" % a for a in sorted(authors)]
    return paths


def fetch_all(srv, paths, headers=None):
    """GETs every path on one keep-alive connection; their texts by path."""
    out, c = {}, srv.connection()
    try:
        for p in paths:
            c.request("GET", p, headers=headers or {})
            r = c.getresponse()
            body = r.read()
            expect_eq(r.status, 200, "status of GET " + p)
            out[p] = body.decode("utf-8") if not headers else body
    finally:
        c.close()
    return out



def edit_reaches_every_page(gz, db, srv, paths, old, new, file_name):
    """Edits the seed story's headline from old to new with the CLI (the story file written as
    file_name), then checks that no page shows old and that every page that showed it shows
    new. Returns how many pages showed it."""
    before = fetch_all(srv, paths)  # read twice: the second round comes from the cache
    fetch_all(srv, paths)
    showing = [p for p, text in before.items() if old in text]
    expect(len(showing) >= 5, "the seed headline is on only %d pages" % len(showing))
    with open(TOP_FILE, encoding="utf-8") as f:
        text = f.read().replace("headline: " + old, "headline: " + new)
    edited = gz.path(file_name)
    with open(edited, "w", encoding="utf-8") as f:
        f.write(text)
    expect_rc(gz.run("article", "add", "--db", db, edited), 0, "article add (edit)")
    after = fetch_all(srv, paths)
    stale = [p for p in paths if old in after[p]]
    expect(not stale, "%d page(s) still show the old headline, e.g. %s" % (len(stale), stale[:5]))
    missing = [p for p in showing if new not in after[p]]
    expect(not missing, "pages that showed the story do not show its new headline: %s" % missing[:5])
    return len(showing)

def story_text(headline, slug, extra_front="", body="A story the cache tests write."):
    return ("---\nheadline: %s\nslug: %s\ntopics: Cache Desk\nauthors: Cache Reporter\n%s---\n%s\n"
            % (headline, slug, extra_front, body))


def admin(srv, token, path):
    return srv.get(path, headers={"Authorization": "Bearer " + token})


def run(t, gz):
    db = gz.path("cache.db")
    srv = gz.server("cache server", "demo", "--db", db)
    t.check("cache: `gazette demo` starts with the page cache on (the default)", srv.start)
    try:
        _validators(t, gz, srv)
        _freshness(t, gz, srv, db)
    finally:
        srv.stop()
    _bound(t, gz, db)
    _views(t, gz)


def _validators(t, gz, srv):
    path = "/news/%s/" % TOP

    def conditional():
        # the demo's stories were saved as the server started: the first second's invalidations
        # (the related index taking them in) re-render pages, with a new form token each time
        time.sleep(1.5)
        srv.get(path)
        first = srv.get(path)
        expect_status(first, 200, "GET " + path)
        etag, modified = first.header("ETag"), first.header("Last-Modified")
        expect(etag and re.match(r'^"[0-9a-f]{16}"$', etag), "no strong ETag: %r" % etag)
        expect(modified, "no Last-Modified")
        expect_eq(first.header("Vary"), "Accept-Encoding", "Vary")
        expect("s-maxage" in (first.header("Cache-Control") or ""), "no s-maxage for CDNs: %r" % first.header("Cache-Control"))
        again = srv.get(path)
        expect_eq(again.header("ETag"), etag, "ETag of the same page asked again")
        expect_eq(again.body, first.body, "the same page asked again")
        r = srv.get(path, headers={"If-None-Match": etag})
        expect_status(r, 304, "If-None-Match with the current ETag")
        expect_eq(r.body, b"", "body of a 304")
        expect_eq(r.header("ETag"), etag, "ETag of the 304")
        r = srv.get(path, headers={"If-None-Match": '"0000000000000000", ' + etag})
        expect_status(r, 304, "If-None-Match with a list holding the current ETag")
        r = srv.get(path, headers={"If-Modified-Since": modified})
        expect_status(r, 304, "If-Modified-Since the Last-Modified")
        r = srv.get(path, headers={"If-None-Match": '"0000000000000000"'})
        expect_status(r, 200, "If-None-Match with another ETag")
        r = srv.get(path, headers={"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"})
        expect_status(r, 200, "If-Modified-Since long ago")
        r = srv.get(path, headers={"If-Modified-Since": "not a date"})
        expect_status(r, 200, "If-Modified-Since that is not a date")

    t.check("cache: strong ETag, Last-Modified, Vary, s-maxage; If-None-Match / If-Modified-Since → 304 without a body", conditional)

    def compressed():
        plain = srv.get(path)
        z = srv.get(path, headers={"Accept-Encoding": "gzip, deflate"})
        expect_eq(z.header("Content-Encoding"), "gzip", "Content-Encoding for gzip")
        expect_eq(gzip.decompress(z.body), plain.body, "gunzipped body")
        expect(len(z.body) < len(plain.body) / 2, "gzip saved less than half: %d of %d" % (len(z.body), len(plain.body)))
        expect(z.header("ETag") != plain.header("ETag"), "gzip and identity share an ETag")
        r = srv.get(path, headers={"Accept-Encoding": "gzip;q=0, identity"})
        expect_eq(r.header("Content-Encoding"), None, "Content-Encoding when gzip has q=0")
        expect_eq(r.body, plain.body, "body when gzip has q=0")
        r = srv.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": z.header("ETag")})
        expect_status(r, 304, "If-None-Match with the gzip ETag, asking for gzip")
        b = srv.get(path, headers={"Accept-Encoding": "gzip, br"})
        expect_eq(b.header("Content-Encoding"), "br", "Content-Encoding when br is accepted")
        expect(len(b.body) < len(z.body), "brotli is not smaller than gzip")
        if BROTLI:
            expect_eq(unbrotli(b.body), plain.body, "brotli-decoded body")
        css = [m for m in re.findall(r'href="(/assets/[^"]+\.css)"', plain.text)]
        expect(css, "no stylesheet link")
        c = srv.get(css[0], headers={"Accept-Encoding": "gzip"})
        expect_eq(gzip.decompress(c.body), srv.get(css[0]).body, "gunzipped stylesheet")

    t.check("cache: gzip and brotli bodies decompress to the same bytes; each encoding has its own ETag%s"
            % ("" if BROTLI else " (brotli decoding skipped: no brotli tool)"), compressed)

    def head():
        g, h = srv.get(path), srv.request("HEAD", path)
        expect_status(h, 200, "HEAD " + path)
        expect_eq(h.body, b"", "HEAD body")
        for name in ("ETag", "Content-Type", "Content-Security-Policy", "Cache-Control"):
            expect_eq(h.header(name), g.header(name), "HEAD header " + name)

    t.check("cache: HEAD answered from the cache with GET's headers and no body", head)


def _freshness(t, gz, srv, db):
    token = gz.run("admin-token", "--db", db).stdout.strip().split()[-1]
    paths = pages_of_site(srv)
    fm = front_matter(TOP_FILE)
    old = fm["headline"]

    def story_edit():
        fetch_all(srv, paths)
        showing = edit_reaches_every_page(gz, db, srv, paths, old, "Zakharova confirms Hamas delegation in Moscow (cache test)", "edited.md")
        t.diag("cache: a story edit reached all %d pages that showed it" % showing)

    t.check("cache: a story edited with the CLI while serving: no page shows the old headline", story_edit)

    def publish():
        srv.get("/")
        srv.get("/")
        f = gz.path("new.md")
        with open(f, "w", encoding="utf-8") as out:
            out.write(story_text("Cache test: a story published just now", "cache-test-published-now"))
        expect_rc(gz.run("article", "add", "--db", db, f), 0, "article add (new)")
        expect("Cache test: a story published just now" in srv.get("/").text, "the home page misses the new story")
        expect("Cache test: a story published just now" in srv.get("/author/cache-reporter/").text, "the author page misses it")

    t.check("cache: a story published with the CLI is on the cached home page at once", publish)

    def scheduled():
        srv.get("/")
        when = (datetime.datetime.utcnow() + datetime.timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        f = gz.path("scheduled.md")
        with open(f, "w", encoding="utf-8") as out:
            out.write(story_text("Cache test: a story scheduled for later", "cache-test-scheduled",
                                 "published: %s\nstatus: scheduled\n" % when))
        expect_rc(gz.run("article", "add", "--db", db, f), 0, "article add (scheduled)")
        expect("scheduled for later" not in srv.get("/").text, "the scheduled story shows before its time")
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline and "scheduled for later" not in srv.get("/").text:
            time.sleep(0.2)
        expect("scheduled for later" in srv.get("/").text, "the scheduled story did not appear on the home page")

    t.check("cache: a scheduled story appears on the cached home page when its time comes (no write)", scheduled)

    def comment_and_setting():
        page = "/news/cache-test-published-now/"
        html = srv.get(page).text
        tok = re.search(r'name="gz_token" value="([^"]+)"', html).group(1)
        time.sleep(3.2)  # comments.min_seconds
        body = "comment=A+comment+the+cache+must+show&author=Reader&email=cache%40reader.example&url=&comment_parent=0&gz_website=&gz_token=" + tok
        r = srv.request("POST", page + "comments", headers={"Content-Type": "application/x-www-form-urlencoded"}, body=body)
        expect_status(r, 303, "comment post")
        m = re.search(r"#comment-(\d+)", r.header("Location", ""))
        expect_rc(gz.run("comments", "approve", "--db", db, m.group(1)), 0, "comments approve")
        expect("A comment the cache must show" in srv.get(page).text, "the approved comment is not on the cached page")
        expect(re.search(r"1 comment", srv.get("/author/cache-reporter/").text), "the card's comment count did not change")
        old_story = "/news/%s/" % TOP
        srv.get(old_story)
        expect("Comments are closed" not in srv.get(old_story).text, "comments closed before the setting")
        expect_rc(gz.run("settings", "set", "--db", db, "comments.close_after_days", "30"), 0, "settings set")
        expect("Comments are closed" in srv.get(old_story).text, "a setting change did not reach the cached story page")
        expect_rc(gz.run("settings", "set", "--db", db, "comments.close_after_days", "0"), 0, "settings set")
        expect("Comments are closed" not in srv.get(old_story).text, "setting it back did not reach the page")

    t.check("cache: an approved comment and a changed setting show at once on cached pages", comment_and_setting)

    def stats():
        s = expect_json(admin(srv, token, "/api/v1/admin/cache"), "GET /api/v1/admin/cache")
        expect(s["enabled"] and s["hits"] > 100 and s["invalidations"] > 0, "cache figures: %r" % s)
        expect_status(srv.get("/api/v1/admin/cache"), 401, "cache figures without the token")

    t.check("cache: /api/v1/admin/cache reports hits and invalidations (token required)", stats)


def _bound(t, gz, db):
    small = gz.server("small-cache server", "serve", "--db", db, "--cache-mb", "1")
    t.check("cache: `gazette serve --cache-mb 1` starts", small.start)
    try:
        def bound():
            token = gz.run("admin-token", "--db", db).stdout.strip().split()[-1]
            paths = pages_of_site(small)
            if gz.sanitized:  # a sanitizer build renders slowly: a third of the pages still overflow 1 MB
                paths = paths[::3]
            for enc in ("identity", "gzip", "br"):
                fetch_all(small, paths, headers={"Accept-Encoding": enc})
            s = expect_json(admin(small, token, "/api/v1/admin/cache"), "cache figures")
            expect(s["bytes"] <= s["max_bytes"] == 1 << 20, "over budget: %r" % s)
            expect(s["evictions"] > 0 and s["entries"] > 0, "nothing evicted or nothing kept: %r" % s)
            t.diag("cache: %d pages asked for; %d kept in %d of %d bytes, %d evicted"
                   % (len(paths), s["entries"], s["bytes"], s["max_bytes"], s["evictions"]))

        t.check("cache: the memory bound holds (--cache-mb 1, every page in every encoding)", bound)
    finally:
        small.stop()

    off = gz.server("no-cache server", "serve", "--db", db, "--cache-mb", "0")
    t.check("cache: `--cache-mb 0` serves without a cache", off.start)
    try:
        def uncached():
            r = off.get("/news/%s/" % TOP, headers={"Accept-Encoding": "gzip"})
            expect_status(r, 200, "story page without a cache")
            expect_eq(r.header("Content-Encoding"), None, "Content-Encoding without a cache")
        t.check("cache: without a cache pages are rendered each time, uncompressed", uncached)

        def uncached_conditional():
            r = off.get("/news/%s/" % TOP)  # its comment form is signed afresh for each render
            expect(r.header("ETag", "").startswith('"'), "no ETag on a story page without a cache")
            css = re.search(r'<link rel="stylesheet" href="([^"]+)"', off.get("/").text).group(1)
            for path in ("/", "/topic/world/", "/api/v1/articles", css):
                r = off.get(path)
                expect_status(r, 200, "GET " + path + " without a cache")
                etag = r.header("ETag")
                expect(etag and etag.startswith('"') and not etag.startswith('W/'),
                       "no strong ETag on %s: %r" % (path, etag))
                again = off.get(path)
                expect_eq(again.header("ETag"), etag, "ETag of an unchanged %s" % path)
                r = off.get(path, headers={"If-None-Match": etag})
                expect_status(r, 304, "If-None-Match on %s without a cache" % path)
                expect_eq(r.body, b"", "body of a 304")
                r = off.get(path, headers={"If-None-Match": '"0000000000000000"'})
                expect_status(r, 200, "If-None-Match with another ETag on " + path)
            r = off.get("/news/no-such-story/", headers={"If-None-Match": "*"})
            expect_status(r, 404, "If-None-Match: * on a missing page")
        t.check("cache: without a cache every 200 still has a strong ETag and answers 304 to If-None-Match", uncached_conditional)
    finally:
        off.stop()

    t.check("cache: a bad --cache-mb → exit 2 with a message", _bad_number_flag, gz, db, "--cache-mb")


def _sql(db, statement, *args):
    """A write made by another process, as an editor's tool would make it."""
    con = sqlite3.connect(db, timeout=10, isolation_level=None)
    try:
        con.execute(statement, args)
    finally:
        con.close()


def _views(t, gz):
    db = gz.path("views.db")
    srv = gz.server("no-cache server with article views", "demo", "--db", db, "--cache-mb", "0",
                    "--story-views", "1024")
    t.check("views: `gazette demo --cache-mb 0 --story-views 1024` starts", srv.start)
    try:
        _views_freshness(t, gz, srv, db)
    finally:
        srv.stop()

    small = gz.server("few-views server", "serve", "--db", db, "--cache-mb", "0", "--story-views", "16")
    t.check("views: `gazette serve --story-views 16` starts", small.start)
    try:
        def bound():
            token = gz.run("admin-token", "--db", db).stdout.strip().split()[-1]
            stories = [p for p in pages_of_site(small) if p.startswith("/news/")]
            fetch_all(small, stories)
            v = expect_json(admin(small, token, "/api/v1/admin/cache"), "cache figures")["views"]
            expect(0 < v["views"] <= v["max_views"] == 16, "views over the bound: %r" % v)
            t.diag("views: %d stories asked for; %d views kept of %d" % (len(stories), v["views"], v["max_views"]))

        t.check("views: the bound holds (--story-views 16, every story asked for)", bound)
    finally:
        small.stop()

    t.check("views: a bad --story-views → exit 2 with a message", _bad_number_flag, gz, db, "--story-views")


def _bad_number_flag(gz, db, flag):
    """`gazette serve` refuses a negative, non-numeric or huge value of flag: exit 2, a message
    naming it."""
    for v in ("-1", "abc", "99999999"):
        r = gz.run("serve", "--db", db, flag, v)
        expect_rc(r, 2, "%s %s" % (flag, v))
        expect(flag in r.stderr, "no message naming %s: %r" % (flag, r.stderr))


def _views_freshness(t, gz, srv, db):
    token = gz.run("admin-token", "--db", db).stdout.strip().split()[-1]
    figures = lambda: expect_json(admin(srv, token, "/api/v1/admin/cache"), "cache figures")["views"]
    top = "/news/%s/" % TOP
    time.sleep(1.5)  # the related index takes in the demo's stories (drops every view once)
    paths = pages_of_site(srv)
    stories = [p for p in paths if p.startswith("/news/")]

    def kept():
        before = figures()
        first = fetch_all(srv, stories)
        second = fetch_all(srv, stories)
        after = figures()
        expect(after["enabled"] and after["hits"] - before["hits"] >= len(stories),
               "story pages were not rendered from kept views: %r then %r" % (before, after))
        strip = lambda html: re.sub(r'name="gz_token" value="[^"]+"', "", html)
        changed = [p for p in stories if strip(first[p]) != strip(second[p])]
        expect(not changed, "a page from a kept view differs from the first: %s" % changed[:3])
        r = gz.run("serve", "--help")
        expect("--story-views" in r.stdout, "serve --help does not name --story-views")

    t.check("views: with the cache off, story pages come from kept views, the same bytes but the form token", kept)

    fm = front_matter(TOP_FILE)

    def edit():
        fetch_all(srv, paths)
        edit_reaches_every_page(gz, db, srv, paths, fm["headline"], "Zakharova confirms Hamas delegation in Moscow (views test)", "views-edited.md")

    t.check("views: a story edited with the CLI: no page (own, related cards, See also) shows the old headline", edit)

    def see_also_target():
        target = "storm-after-erdogans-words-about-hamas-terrible-and-disgusting"
        srv.get(top)
        srv.get(top)
        body = expect_json(srv.get("/api/v1/articles/" + target), "API story")
        expect(body["headline"] in srv.get(top).text, "the See also link does not show its target's headline")
        path = os.path.join(REPO, "content", "demo", target + ".md")
        with open(path, encoding="utf-8") as f:
            text = f.read().replace("headline: " + front_matter(path)["headline"],
                                    "headline: A renamed See also target (views test)")
        edited = gz.path("views-target.md")
        with open(edited, "w", encoding="utf-8") as f:
            f.write(text)
        expect_rc(gz.run("article", "add", "--db", db, edited), 0, "article add (See also target)")
        expect("A renamed See also target (views test)" in srv.get(top).text,
               "the See also link still shows the old headline")

    t.check("views: a See also target's new headline shows at once on the story linking to it", see_also_target)

    def comment():
        html = srv.get(top).text
        tok = re.search(r'name="gz_token" value="([^"]+)"', html).group(1)
        time.sleep(3.2)  # comments.min_seconds
        body = ("comment=A+comment+the+views+must+show&author=Reader&email=views%40reader.example"
                "&url=&comment_parent=0&gz_website=&gz_token=" + tok)
        r = srv.request("POST", top + "comments",
                        headers={"Content-Type": "application/x-www-form-urlencoded"}, body=body)
        expect_status(r, 303, "comment post")
        location = r.header("Location", "")
        expect("?held=" in location, "a first comment is held (hold-first): %r" % location)
        expect("A comment the views must show" not in srv.get(top).text, "a held comment shows to everyone")
        held = srv.get(location.split("#")[0])
        expect("A comment the views must show" in held.text, "the writer does not see the held comment")
        expect("A comment the views must show" not in srv.get(top).text, "the held page was kept as the view")
        m = re.search(r"#comment-(\d+)", location)
        expect_rc(gz.run("comments", "approve", "--db", db, m.group(1)), 0, "comments approve")
        expect("A comment the views must show" in srv.get(top).text, "the approved comment is not on the page")
        reply = srv.get(top + "?reply=" + m.group(1)).text
        expect("Reply to Reader" in reply and 'name="comment_parent" value="%s"' % m.group(1) in reply,
               "the reply form does not answer the comment")

    t.check("views: a held comment shows only to its writer; approved, it shows to all at once; ?reply= works", comment)

    def renames():
        srv.get(top)
        srv.get(top)
        _sql(db, "UPDATE topics SET name = ? WHERE slug = ?", "Russia (renamed, views test)", "russia")
        expect("Russia (renamed, views test)" in srv.get(top).text, "a renamed topic does not show on the story")
        _sql(db, "UPDATE authors SET name = ? WHERE slug = ?", "Foreign Desk (renamed)", "foreign-desk")
        expect("Foreign Desk (renamed)" in srv.get(top).text, "a renamed author does not show on the story")

    t.check("views: a topic or author renamed by another process shows at once on the story", renames)

    def setting():
        srv.get(top)
        expect("Comments are closed" not in srv.get(top).text, "comments closed before the setting")
        expect_rc(gz.run("settings", "set", "--db", db, "comments.close_after_days", "30"), 0, "settings set")
        expect("Comments are closed" in srv.get(top).text, "a setting change did not reach the story page")
        expect_rc(gz.run("settings", "set", "--db", db, "comments.close_after_days", "0"), 0, "settings set")
        expect("Comments are closed" not in srv.get(top).text, "setting it back did not reach the page")

    t.check("views: a changed setting shows at once on the story page", setting)

    def related_and_unpublish():
        srv.get(top)
        slug = "hamas-delegation-meets-russian-deputy-minister-in-moscow"
        f = gz.path("views-related.md")
        with open(f, "w", encoding="utf-8") as out:
            out.write("---\nheadline: Hamas delegation meets Russian deputy minister in Moscow\n"
                      "slug: %s\ntopics: The war in Israel, Russia, Middle East\n"
                      "authors: Foreign Desk\n---\nA Hamas delegation led by Abu Marzouk met "
                      "Russia's deputy foreign minister in Moscow, Maria Zakharova said; Iran's "
                      "deputy foreign minister held talks in the Russian capital the same day. "
                      "The Foreign Ministry in Moscow gave no details of the Hamas talks.\n" % slug)
        expect_rc(gz.run("article", "add", "--db", db, f), 0, "article add (related)")
        expect_status(srv.get("/news/%s/" % slug), 200, "the new story's page")
        link = 'href="/news/%s/"' % slug
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and link not in srv.get(top).text:
            time.sleep(0.2)
        expect(link in srv.get(top).text, "the new related story never reached the story's list")
        with open(f, encoding="utf-8") as src:
            draft = src.read().replace("authors: Foreign Desk\n", "authors: Foreign Desk\nstatus: draft\n")
        with open(f, "w", encoding="utf-8") as out:
            out.write(draft)
        expect_rc(gz.run("article", "add", "--db", db, f), 0, "article add (back to draft)")
        expect_status(srv.get("/news/%s/" % slug), 404, "a story back to draft")
        expect(link not in srv.get(top).text, "a story back to draft is still in the related list")

    t.check("views: a new related story reaches the story's list (index lag included); back to draft it leaves at once", related_and_unpublish)
