"""site_tests.py — a site built by the suite: `gazette init`, `gazette serve`, and stories written
into the temporary directory and added with `gazette article add` while the server runs
(SQLite in WAL mode lets the CLI write while the server reads)."""

import datetime
import os
import re
import time

from checks import (
    RFC3339_UTC, api_all, card_urls, expect, expect_eq, expect_html, expect_json,
    expect_no_sanitizer, expect_rc, expect_status, links, page_sections, sections_of, text_of,
)
from gazette import tail

SITE_NAME = "The Test Gazette"
BASE_URL = "https://news.example"

FERRY = "ferry-service-returns-to-port-alder"
FERRY_HEADLINE = "Ferry service returns to Port Alder"
FERRY_HEADLINE_2 = "Ferry service returns to Port Alder after repairs"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    with open(path, "wb") as f:
        f.write(data)
    return path


def story(path, body="", **front):
    """Writes a story file: front-matter keys in the order given, then the body."""
    lines = ["---"] + ["%s: %s" % (k, v) for k, v in front.items()] + ["---", body]
    return write(path, "\n".join(lines))


def ferry_story(path, headline):
    return story(
        path,
        "The ferry between the north quay and Gull Island is running again.\n\n"
        "## Timetable\n\n- Weekdays: every 30 minutes\n- Weekends: every hour\n\n"
        "Tickets cost the same as last year.\n",
        headline=headline,
        kicker="Transport",
        lead="The harbour ferry sails again after a winter of repairs, with a new timetable from Monday.",
        topics="Transport, City Hall",
        slug=FERRY,
        published="2024-03-01T08:00:00Z",
        authors="Jane Doe",
        image="/media/ferry.svg",
        caption="The ferry at the north quay.",
        credit="Photo: Test Desk",
        alt="A white ferry moored at a quay.",
    )


def api_slugs(srv):
    body = expect_json(srv.get("/api/v1/articles?limit=100"), "GET /api/v1/articles?limit=100")
    return [a["slug"] for a in body["articles"]], body["total"]


def story_page(srv, slug, status=200):
    path = "/news/%s/" % slug
    return expect_html(srv.get(path), "GET " + path, status=status)


def run(t, gz):
    db = gz.path("site.db")
    src = gz.path("stories")

    def init():
        r = gz.run("init", "--db", db)
        expect_rc(r, 0, "gazette init")
        expect(os.path.isfile(db), "no database file")

    t.check("site: `gazette init --db TMP/site.db` creates a database", init)
    srv = gz.server("site server", "serve", "--db", db, "--site-name", SITE_NAME, "--base-url", BASE_URL)

    def start():
        srv.start()

    t.check("site: `gazette serve --db TMP/site.db` answers on a free port", start)
    try:
        _stories(t, gz, srv, db, src)
    finally:
        stop_server(t, gz, srv, "site server")


def _stories(t, gz, srv, db, src):
    def add(*paths):
        return gz.run("article", "add", "--db", db, *paths)

    def empty_site():
        doc = expect_html(srv.get("/"), "GET / of an empty site")
        expect(doc.find(cls="top-story") is None, "an empty site shows a top story")
        expect_eq(text_of(doc.find(cls="site-name")), SITE_NAME, "masthead site name (--site-name)")
        slugs, total = api_slugs(srv)
        expect_eq((slugs, total), ([], 0), "API stories of an empty site")
        expect_html(srv.get("/topic/anything/"), "GET /topic/anything/", status=404)

    t.check("site: the empty site's home page is 200 without a top story; API total 0", empty_site)

    # ---- a good story -----------------------------------------------------------------------
    def add_good():
        story_page(srv, FERRY, status=404)
        r = add(ferry_story(os.path.join(src, "ferry.md"), FERRY_HEADLINE))
        expect_rc(r, 0, "article add ferry.md")
        expect("added 1 story" in r.stdout, "stdout lacks 'added 1 story':\n" + r.describe())
        doc = story_page(srv, FERRY)
        expect_eq([h.text() for h in doc.find_all("h1")], [FERRY_HEADLINE], "h1 elements")
        expect_eq(text_of(doc.find("article", "story").find(cls="kicker")), "Transport", "kicker")
        expect_eq(text_of(doc.find(cls="lead")), "The harbour ferry sails again after a winter of repairs, with a new timetable from Monday.", "lead")
        body = doc.find("div", "body")
        expect_eq([h.text() for h in body.find_all("h2")], ["Timetable"], "body sub-headings")
        expect_eq(len(body.find_all("li")), 2, "list items in the body")
        fig = doc.find("figure")
        expect(fig is not None and "The ferry at the north quay." in fig.text(), "figure caption")
        expect_eq(fig.find("img").get("alt"), "A white ferry moored at a quay.", "img alt")

    t.check("article add: a good story file → exit 0, and its page is served at once", add_good)

    def good_everywhere():
        slugs, total = api_slugs(srv)
        expect_eq((slugs, total), ([FERRY], 1), "API stories")
        home = expect_html(srv.get("/"), "GET /")
        top = home.find("article", "top-story")
        expect(top is not None and top.find(cls="headline").text() == FERRY_HEADLINE, "home top story is not the new story")
        doc = story_page(srv, FERRY)
        canon = [l.get("href") for l in doc.find_all("link") if l.get("rel") == "canonical"]
        expect_eq(canon, [BASE_URL + "/news/%s/" % FERRY], "canonical link (--base-url)")
        for path, name in (("/topic/transport/", "Transport"), ("/topic/city-hall/", "City Hall"), ("/author/jane-doe/", "Jane Doe")):
            page = expect_html(srv.get(path), "GET " + path)
            expect_eq(text_of(page.find("h1")), name, "h1 of " + path)
            expect("/news/%s/" % FERRY in [h for h, _ in links(page.find("main"))], "%s does not list the story" % path)
        ul = doc.find("ul", "tags")
        expect(ul is not None, "no ul.tags (topic links) under the story")
        expect_eq([h for h, _ in links(ul)], ["/topic/transport/", "/topic/city-hall/"], "topic links under the story")

    t.check("article add: the story is the top story, in the API, and its topics and author pages exist", good_everywhere)

    # ---- a batch with one bad file ----------------------------------------------------------
    def bad_batch():
        before = api_slugs(srv)
        a = story(os.path.join(src, "batch", "a-good.md"), "Fine.\n", headline="First good story of the batch", slug="batch-good-one", published="2024-02-01T10:00:00Z")
        b = write(os.path.join(src, "batch", "b-bad.md"), "---\nheadline: A story with a typo in its front matter\nhedline: Oops\n---\nBody.\n")
        c = story(os.path.join(src, "batch", "c-good.md"), "Fine.\n", headline="Second good story of the batch", slug="batch-good-two", published="2024-02-01T11:00:00Z")
        r = add(a, b, c)
        expect_rc(r, 1, "article add with an unknown key in b-bad.md")
        expect("b-bad.md:3" in r.stderr, "stderr does not name b-bad.md line 3:\n" + r.describe())
        expect("hedline" in r.stderr, "stderr does not name the unknown key 'hedline':\n" + r.describe())
        expect("nothing was added" in r.stderr, "stderr does not say nothing was added:\n" + r.describe())
        story_page(srv, "batch-good-one", status=404)
        story_page(srv, "batch-good-two", status=404)
        expect_eq(api_slugs(srv), before, "API stories after the failed add")

    t.check("article add: unknown front-matter key → exit 1 naming file and line; nothing added, not even the good files", bad_batch)

    # ---- read-also --------------------------------------------------------------------------
    def read_also_missing():
        path = story(
            os.path.join(src, "read-also.md"),
            "The council voted for the plan on Tuesday.\n\n"
            "See also: [[%s]]\n\nThe vote was close.\n\n"
            "See also: [[no-such-story-here]]\n\nWork starts in May.\n" % FERRY,
            headline="Council approves the harbour plan",
            topics="City Hall",
            slug="read-also-check",
            published="2024-03-02T09:00:00Z",
        )
        r = add(path)
        expect_rc(r, 0, "article add read-also.md")
        expect("warning" in r.stderr.lower(), "no warning on stderr:\n" + r.describe())
        warn = [l for l in r.stderr.splitlines() if "no-such-story-here" in l]
        expect(warn and "read-also-check" in warn[0], "the warning does not name both stories:\n" + r.describe())
        doc = story_page(srv, "read-also-check")
        asides = doc.find("div", "body").find_all("aside", "read-also")
        expect_eq([links(x) for x in asides], [[("/news/%s/" % FERRY, FERRY_HEADLINE)]], "read-also asides (only the existing target)")
        html = srv.get("/news/read-also-check/").text
        for leftover in ("no-such-story-here", "gazette:see-also", "[["):
            expect(leftover not in html, "%r is in the page" % leftover)
        expect("Work starts in May." in doc.find("div", "body").text(), "the paragraph after the missing link is gone")

    t.check("article add: read-also to a missing slug → warning on stderr; page renders without that aside", read_also_missing)

    # ---- unsafe markup ----------------------------------------------------------------------
    headline = "Safety check: <b>bold</b> & \"quotes\" 'too'"

    def unsafe_markup():
        path = story(
            os.path.join(src, "markup.md"),
            "Before the script.\n\n<script>alert(1)</script>\n\n"
            "A [click me](javascript:alert(1)) link and an image ![picture](javascript:alert(2)).\n\n"
            "<img src=\"x\" onerror=\"alert(3)\">\n\n"
            "[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) and "
            "[mixed case](JaVaScRiPt:alert(5)) and [vb](vbscript:msgbox(1)).\n\n"
            "<iframe src=\"https://evil.example/\"></iframe>\n\nAfter the script.\n",
            headline=headline,
            slug="markup-safety-check",
            published="2024-01-15T12:00:00Z",
        )
        r = add(path)
        expect_rc(r, 0, "article add markup.md")
        resp = srv.get("/news/markup-safety-check/")
        doc = expect_html(resp, "GET /news/markup-safety-check/")
        # a story page's scripts: its JSON-LD data block (checked in feeds_tests) and the theme's
        # own local files (assets/live.js, no inline code)
        page = re.sub(r'<script type="application/ld\+json">[^<]*</script>', "", resp.text)
        page = re.sub(r'<script src="/assets/[A-Za-z0-9_.-]+\.js" defer></script>', "", page)
        low = page.lower()
        for bad in ("<script", "javascript:", "alert(1)", "onerror", "<iframe", "data:text/html", "vbscript:"):
            expect(bad not in low, "%r appears in the page: ...%s..." % (bad, page[max(0, low.find(bad) - 80) : low.find(bad) + 80]))
        for el in doc.iter():
            if el.tag == "script" and el.get("type") == "application/ld+json":
                continue
            theme_script = el.tag == "script" and (el.get("src") or "").startswith("/assets/")
            expect(el.tag not in ("script", "iframe", "object", "embed") or theme_script,
                   "a <%s> element in the page" % el.tag)
            for name, value in el.attrs.items():
                expect(not name.startswith("on"), "event handler attribute %s=%r on <%s>" % (name, value, el.tag))
                if name in ("href", "src"):
                    scheme = value.strip().lower().split(":", 1)[0] if ":" in value else ""
                    expect(scheme not in ("javascript", "data", "vbscript"), "%s=%r on <%s>" % (name, value, el.tag))
        text = doc.find("div", "body").text()
        for kept in ("Before the script.", "click me", "After the script."):
            expect(kept in text, "%r is missing from the body" % kept)
        api = expect_json(srv.get("/api/v1/articles/markup-safety-check"), "GET API markup-safety-check")
        expect("<script" not in api["body_html"].lower() and "javascript:" not in api["body_html"].lower(), "body_html in the API carries the script or link")

    t.check("article add: <script>alert(1)</script> and javascript: links never reach the page", unsafe_markup)

    def escaped_headline():
        doc = story_page(srv, "markup-safety-check")
        h1 = doc.find("h1")
        expect_eq(h1.text(), headline, "h1 text (HTML-escaped by the theme)")
        expect(h1.find("b") is None, "the headline's <b> became an element")
        expect(headline in text_of(doc.find("title")), "<title> lacks the literal headline: %r" % text_of(doc.find("title")))
        og = doc.find("meta", property="og:title")
        expect(og is not None and og.get("content") == headline, "og:title: %r" % (og and og.get("content")))

    t.check("headline with <b>, & and quotes is shown literally (escaped) in h1, title and og:title", escaped_headline)

    # ---- invalid UTF-8 ----------------------------------------------------------------------
    def invalid_utf8():
        before = api_slugs(srv)
        body_bad = write(os.path.join(src, "bad-utf8", "broken.md"), b"---\nheadline: Broken bytes\nslug: broken-encoding-story\n---\nGood line.\nBad \xff\xfe line.\n")
        r = add(body_bad)
        expect_rc(r, 1, "article add broken.md (invalid UTF-8 in the body)")
        expect("broken.md" in r.stderr and "UTF-8" in r.stderr, "stderr does not name the file and UTF-8:\n" + r.describe())
        expect("broken.md:6" in r.stderr, "stderr does not name line 6:\n" + r.describe())
        head_bad = write(os.path.join(src, "bad-utf8", "broken-head.md"), b"---\nheadline: Broken \xc3\x28 headline\nslug: broken-headline-story\n---\nBody.\n")
        r = add(head_bad)
        expect_rc(r, 1, "article add broken-head.md (invalid UTF-8 in the headline)")
        expect("broken-head.md:2" in r.stderr and "UTF-8" in r.stderr, "stderr does not name the file, line 2 and UTF-8:\n" + r.describe())
        story_page(srv, "broken-encoding-story", status=404)
        story_page(srv, "broken-headline-story", status=404)
        expect_eq(api_slugs(srv), before, "API stories after the rejected files")

    t.check("article add: invalid UTF-8 (body or front matter) → rejected with file, line and message", invalid_utf8)

    # ---- drafts and the future --------------------------------------------------------------
    def unpublished():
        before = api_slugs(srv)
        paths = [
            story(os.path.join(src, "hidden", "draft.md"), "Not yet.\n", headline="Embargoed draft story", slug="embargoed-draft-story", status="draft", published="2024-03-03T10:00:00Z"),
            story(os.path.join(src, "hidden", "scheduled.md"), "Later.\n", headline="Scheduled future story", slug="scheduled-future-story", status="scheduled", published="2099-01-01T00:00:00Z"),
            story(os.path.join(src, "hidden", "future.md"), "Later.\n", headline="Future dated story", slug="future-dated-story", published="2099-01-01T00:00:00Z"),
        ]
        r = add(*paths)
        expect_rc(r, 0, "article add draft.md scheduled.md future.md")
        return before

    state = {}

    def draft_hidden():
        state["before"] = unpublished()
        story_page(srv, "embargoed-draft-story", status=404)
        r = srv.get("/api/v1/articles/embargoed-draft-story")
        expect_status(r, 404, "GET /api/v1/articles/embargoed-draft-story")
        slugs, total = api_slugs(srv)
        expect("embargoed-draft-story" not in slugs, "the draft is in the API list")
        expect_eq((slugs, total), state["before"], "API stories after adding a draft and two future stories")
        home = srv.get("/").text
        expect("embargoed-draft-story" not in home and "Embargoed draft story" not in home, "the draft is on the home page")

    t.check("a story with status draft → 404 on its page and in the API, absent from lists", draft_hidden)

    def future_hidden():
        for slug in ("scheduled-future-story", "future-dated-story"):
            story_page(srv, slug, status=404)
            expect_status(srv.get("/api/v1/articles/" + slug), 404, "GET /api/v1/articles/" + slug)
        slugs, _ = api_slugs(srv)
        expect("scheduled-future-story" not in slugs and "future-dated-story" not in slugs, "a future story is listed: %r" % slugs)

    t.check("stories scheduled or dated in the future are not served yet", future_hidden)

    # ---- updating a story -------------------------------------------------------------------
    def update():
        before_slugs, before_total = api_slugs(srv)
        r = add(ferry_story(os.path.join(src, "ferry-v2.md"), FERRY_HEADLINE_2))
        expect_rc(r, 0, "article add ferry-v2.md (same slug)")
        doc = story_page(srv, FERRY)
        expect_eq(text_of(doc.find("h1")), FERRY_HEADLINE_2, "h1 after the update")
        slugs, total = api_slugs(srv)
        expect_eq(total, before_total, "API total after re-adding an existing slug")
        expect_eq(slugs.count(FERRY), 1, "times the story is in the API list")
        expect_eq(slugs, before_slugs, "API order after the update")
        api = expect_json(srv.get("/api/v1/articles/" + FERRY), "GET API ferry")
        expect_eq(api["headline"], FERRY_HEADLINE_2, "API headline after the update")
        home = expect_html(srv.get("/"), "GET /")
        cards = [a for a in home.find("main").find_all("a") if a.get("href") == "/news/%s/" % FERRY]
        expect_eq(len(cards), 1, "links to the story on the home page")
        expect_eq(cards[0].text(), FERRY_HEADLINE_2, "headline on the home page")
        topic = expect_html(srv.get("/topic/transport/"), "GET /topic/transport/")
        expect_eq([h for h, _ in links(topic.find("main")) if h.startswith("/news/")], ["/news/%s/" % FERRY], "stories on /topic/transport/")

    t.check("re-adding a story with the same slug updates it (new headline) without duplicating it", update)

    def read_also_follows():
        doc = story_page(srv, "read-also-check")
        asides = doc.find("div", "body").find_all("aside", "read-also")
        expect_eq([links(x) for x in asides], [[("/news/%s/" % FERRY, FERRY_HEADLINE_2)]], "read-also link after the target's headline changed")

    t.check("a read-also link shows its target's current headline after an update", read_also_follows)

    # ---- a bare story -----------------------------------------------------------------------
    def bare():
        a = write(os.path.join(src, "bare", "minimal.md"), "---\nheadline: Café reopens on the quay\n---\nThe café is open again.\n")
        b = write(os.path.join(src, "bare", "crlf.md"), "---\r\nheadline: Windows line endings work\r\nslug: crlf-line-endings\r\n---\r\nA body with CRLF.\r\n\r\nSecond paragraph.\r\n")
        t0 = time.time()
        r = add(a, b)
        expect_rc(r, 0, "article add minimal.md crlf.md")
        doc = story_page(srv, "cafe-reopens-on-the-quay")
        expect_eq(text_of(doc.find("h1")), "Café reopens on the quay", "h1")
        story_el = doc.find("article", "story") or doc
        expect(story_el.find(cls="kicker") is None, "a kicker is shown for a story without one")
        expect(doc.find("figure") is None, "a figure is shown for a story without an image")
        expect(doc.find("ul", "tags") is None, "a topic list is shown for a story without topics")
        api = expect_json(srv.get("/api/v1/articles/cafe-reopens-on-the-quay"), "GET API cafe-reopens-on-the-quay")
        expect_eq((api["kicker"], api["image"], api["primary_topic"], api["topics"]), (None, None, None, []), "(kicker, image, primary_topic, topics)")
        expect(RFC3339_UTC.match(api["published_at"]), "published_at %r" % api["published_at"])
        when = datetime.datetime.strptime(api["published_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()
        expect(abs(when - t0) < 120, "published_at %s is not 'now' for a story without 'published'" % api["published_at"])
        crlf = story_page(srv, "crlf-line-endings")
        expect_eq(text_of(crlf.find("h1")), "Windows line endings work", "h1 of the CRLF story")
        expect_eq(len(crlf.find("div", "body").find_all("p")), 2, "paragraphs of the CRLF story")

    t.check("a story with only a headline (slug from the headline, 'now') and a CRLF file render", bare)

    # ---- topics -----------------------------------------------------------------------------
    def topic_add():
        r = gz.run("topic", "add", "--db", db, "--name", "Harbour Life", "--description", "Life on the water.")
        expect_rc(r, 0, "topic add Harbour Life")
        expect("/topic/harbour-life/" in r.stdout, "stdout lacks the topic URL:\n" + r.describe())
        doc = expect_html(srv.get("/topic/harbour-life/"), "GET /topic/harbour-life/")
        expect_eq(text_of(doc.find("h1")), "Harbour Life", "h1")
        expect("Life on the water." in doc.find("main").text(), "the description is not shown")
        r = gz.run("topic", "add", "--db", db, "--name", "Harbour Life")
        expect_rc(r, 1, "topic add of an existing topic")
        expect("exists" in r.stderr, "message: %r" % r.stderr)

    t.check("topic add: a new topic gets its page; adding it again → exit 1", topic_add)


# ---- bulk -------------------------------------------------------------------------------------

N_BULK = 300
TOPICS = ["Harbour", "Weather", "Shipping"]


def run_bulk(t, gz):
    db = gz.path("bulk.db")
    src = gz.path("bulk")

    def setup():
        expect_rc(gz.run("init", "--db", db), 0, "gazette init bulk.db")

    t.check("bulk: `gazette init --db TMP/bulk.db`", setup)
    srv = gz.server("bulk server", "serve", "--db", db)
    t.check("bulk: `gazette serve --db TMP/bulk.db` answers", srv.start)
    try:
        _bulk(t, gz, srv, db, src)
    finally:
        stop_server(t, gz, srv, "bulk server")


def _bulk_slug(i):
    return "harbour-report-number-%03d" % i


def _bulk(t, gz, srv, db, src):
    start = datetime.datetime(2021, 1, 1, tzinfo=datetime.timezone.utc)

    def add_many():
        paths = []
        for i in range(N_BULK):
            when = (start + datetime.timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
            body = (
                "Report %d from the harbour master's office.\n\n## Details\n\n"
                "- Wind: %d knots\n- Ships in port: %d\n\n%s"
                "Tides were *normal* and **nothing** unusual happened, see [the port](https://example.org/port/%d).\n"
                % (i, i % 40, i % 17, ("See also: [[%s]]\n\n" % _bulk_slug(i - 1)) if i else "", i)
            )
            paths.append(story(
                os.path.join(src, "story-%03d.md" % i), body,
                headline="Harbour report number %03d" % i,
                kicker="Harbour log",
                lead="The harbour master's report number %d." % i,
                topics="%s, Port Alder" % TOPICS[i % 3],
                published=when,
                authors="Harbour Desk",
            ))
        t0 = time.monotonic()
        r = gz.run("article", "add", "--db", db, *paths, timeout=60)
        seconds = time.monotonic() - t0
        rate = N_BULK / seconds
        t.diag("article add: %d stories/s (%d stories in %.2f s, process start included; gazette says: %s)" % (rate, N_BULK, seconds, r.stdout.strip()))
        expect_rc(r, 0, "article add of %d files" % N_BULK)
        expect("added %d stories" % N_BULK in r.stdout, "stdout lacks 'added %d stories':\n%s" % (N_BULK, r.describe()))
        expect("warning" not in r.stderr.lower(), "warnings for read-also links within the same batch:\n" + r.describe())
        expect(rate >= 100, "only %.0f stories/s (expected at least 100)" % rate)

    t.check("bulk: `article add` of %d files in one call, at least 100 stories/s" % N_BULK, add_many)

    newest_first = [_bulk_slug(i) for i in range(N_BULK - 1, -1, -1)]
    per_page = 24
    rest = newest_first[1:]  # the home page's lists leave the top story out
    pages = (len(rest) + per_page - 1) // per_page

    def api_total():
        body = expect_json(srv.get("/api/v1/articles?limit=100&page=2"), "GET ?limit=100&page=2")
        expect_eq((body["total"], body["pages"]), (N_BULK, 3), "(total, pages)")
        expect_eq([a["slug"] for a in body["articles"]], newest_first[100:200], "page 2 of 100")

    t.check("bulk: the API lists all %d stories, newest first" % N_BULK, api_total)

    def home_cards(doc):
        return card_urls(doc.find("main"))

    def home_pagination():
        doc = expect_html(srv.get("/"), "GET /")
        nav = doc.find(cls="pagination")
        expect(nav is not None, "no pagination on a home page with %d stories" % N_BULK)
        nxt = nav.find("a", rel="next")
        expect(nxt is not None, "no rel=next link")
        expect_eq(nxt.get("href"), "/page/2/", "next page link")
        expect(nav.find("a", rel="prev") is None, "page 1 has a previous-page link")
        expect_eq(text_of(nav.find(cls="pagination-status")), "Page 1 of %d" % pages, "pagination status")
        everything = api_all(srv)
        expect_eq([a["slug"] for a in everything], newest_first, "API stories")
        page1 = home_cards(doc)
        expect_eq(sorted(page1), sorted("/news/%s/" % s for s in rest[:per_page]), "stories on page 1")
        expect_eq(page_sections(doc), sections_of(everything[1 : 1 + per_page]), "sections of page 1")
        doc2 = expect_html(srv.get(nxt.get("href")), "GET /page/2/")
        page2 = home_cards(doc2)
        expect_eq(sorted(page2), sorted("/news/%s/" % s for s in rest[per_page : 2 * per_page]), "stories on page 2")
        expect_eq(page_sections(doc2), sections_of(everything[1 + per_page : 1 + 2 * per_page]), "sections of page 2")
        expect(not set(page1) & set(page2), "pages 1 and 2 share stories")
        expect(doc2.find(cls="top-story") is None, "page 2 repeats the top story")
        nav2 = doc2.find(cls="pagination")
        expect_eq(nav2.find("a", rel="prev").get("href"), "/", "previous page link on page 2")
        expect_eq(text_of(nav2.find(cls="pagination-status")), "Page 2 of %d" % pages, "pagination status on page 2")

    t.check("bulk: the home page links to /page/2/, which answers with the next stories", home_pagination)

    def home_last_page():
        doc = expect_html(srv.get("/?page=%d" % pages), "GET /?page=%d" % pages)
        expect_eq(len(home_cards(doc)), len(rest) - per_page * (pages - 1), "stories on the last page")
        expect(doc.find("a", rel="next") is None, "the last page has a next link")
        expect_html(srv.get("/?page=%d" % (pages + 1)), "GET /?page=%d" % (pages + 1), status=404)

    t.check("bulk: the last home page has the remaining stories; the one after → 404", home_last_page)

    def topic_pagination():
        doc = expect_html(srv.get("/topic/harbour/"), "GET /topic/harbour/")
        nxt = doc.find("a", rel="next")
        expect(nxt is not None and nxt.get("href") == "/topic/harbour/page/2/", "topic next link: %r" % (nxt and nxt.get("href")))
        harbour = [s for i, s in zip(range(N_BULK - 1, -1, -1), newest_first) if TOPICS[i % 3] == "Harbour"]
        doc2 = expect_html(srv.get("/topic/harbour/page/2/"), "GET /topic/harbour/page/2/")
        expect_eq(home_cards(doc2), ["/news/%s/" % s for s in harbour[per_page : 2 * per_page]], "stories on /topic/harbour/page/2/")
        old = expect_html(srv.get("/topic/harbour/?page=2"), "GET /topic/harbour/?page=2 (the old form)")
        expect_eq(home_cards(old), home_cards(doc2), "stories on /topic/harbour/?page=2")

    t.check("bulk: topic pages paginate too (/topic/harbour/page/2/; ?page=2 still answers)", topic_pagination)

    def nav_topics():
        doc = expect_html(srv.get("/"), "GET /")
        nav = doc.find("nav", "topics-nav")
        expect(nav is not None, "no nav.topics-nav")
        hrefs = sorted(h for h, _ in links(nav))
        # the navigation shows the topics that lead stories (primary topics), not those only
        # named second ("Port Alder" here)
        expect_eq(hrefs, sorted(["/topic/harbour/", "/topic/weather/", "/topic/shipping/"]), "topic navigation")

    t.check("bulk: the topic navigation lists the topics that lead stories", nav_topics)

    def bulk_read_also():
        doc = story_page(srv, _bulk_slug(150))
        asides = doc.find("div", "body").find_all("aside", "read-also")
        expect_eq([links(a) for a in asides], [[("/news/%s/" % _bulk_slug(149), "Harbour report number 149")]], "read-also of story 150")

    t.check("bulk: read-also links between stories of the same batch resolve", bulk_read_also)


# ---- stopping ---------------------------------------------------------------------------------

def stop_server(t, gz, srv, name):
    def stop():
        expect(srv.running(), "%s is not running (exit %s)\nstderr: %s" % (name, srv.proc and srv.proc.poll(), tail(srv.stderr())))
        rc = srv.stop(grace=10)
        expect(rc is not None, "%s did not exit within 10 s of SIGTERM (killed)" % name)
        t.diag("%s exited %d, %.2f s after SIGTERM" % (name, rc, srv.stop_seconds))
        expect_eq(rc, 0, "exit status after SIGTERM\nstderr: %s" % tail(srv.stderr()))
        expect("SIGTERM received" in srv.stdout(), "stdout lacks 'SIGTERM received':\n%s" % tail(srv.stdout()))

    t.check("%s: SIGTERM → exit 0 within 10 s, 'SIGTERM received' printed" % name, stop)
    if gz.sanitized:
        t.check("%s: no sanitizer report in its stderr" % name, lambda: expect_no_sanitizer(srv.stderr(), name))
