"""demo_tests.py — the demo site (`gazette demo`): pages, the JSON API, and HTTP edge cases,
checked against what content/demo/*.md says."""

import concurrent.futures
import os
import re
import time

from checks import (
    RFC3339_UTC, api_all, card_urls, demo_stories, expect, expect_eq, expect_html, expect_json,
    expect_json_error, expect_no_sanitizer, expect_status, expected_related, links, page_sections,
    sections_of, snippet, text_of,
)
from gazette import parse_raw_response, tail

TOP = "maria-zakharova-hamas-visited-moscow"
TOP_URL = "/news/%s/" % TOP
TOP_HEADLINE = "Maria Zakharova: Hamas visited Moscow"
TOP_KICKER = "The war in Israel"
TOP_CAPTION = "Maria Zakharova, spokeswoman for the Russian Foreign Ministry."
READ_ALSO_URLS = [
    "/news/storm-after-erdogans-words-about-hamas-terrible-and-disgusting/",
    "/news/hospitals-in-the-gaza-strip-lack-electricity-and-hamas-is-hiding-precious-fuel/",
]
LA_REINA = "la-reina-del-sur-season-4-release-date-spoiler-more"
TOPIC = "the-war-in-israel"
SUB_HEADINGS = ["Zakharova: A Hamas delegation visits Moscow", "The war in Israel"]
SUMMARY_FIELDS = ["slug", "url", "kicker", "headline", "lead", "excerpt", "published_at", "topics", "image"]


PAGE_SIZE = 24  # stories per list page (cmd_serve.c)


class Cache:
    """GET answers of the demo site, fetched once: the demo site does not change."""

    def __init__(self, server):
        self.server = server
        self.answers = {}
        self.all = None

    def api_all(self):
        if self.all is None:
            self.all = api_all(self.server)
        return self.all

    def get(self, path):
        if path not in self.answers:
            self.answers[path] = self.server.get(path)
        return self.answers[path]


def run(t, gz):
    stories = demo_stories()
    db = gz.path("demo.db")
    srv = gz.server("demo server", "demo", "--db", db)
    cache = Cache(srv)

    def started():
        srv.start()
        deadline = time.monotonic() + 3
        while "serving" not in srv.stdout() and time.monotonic() < deadline:
            time.sleep(0.05)
        out = srv.stdout()
        expect(os.path.isfile(db), "%s was not created" % db)
        expect("created the demo site in %s" % db in out, "stdout lacks 'created the demo site in %s':\n%s" % (db, tail(out)))
        expect("serving http://127.0.0.1:%d" % srv.port in out, "stdout lacks the 'serving' line:\n%s" % tail(out))

    t.check("demo: `gazette demo --db TMP/demo.db` creates the site from content/demo and serves it", started)
    try:
        _pages(t, srv, cache, stories)
        _api(t, srv, cache, stories)
        _http(t, srv, cache)
    finally:
        _shutdown(t, gz, srv, cache)


# ---- pages ------------------------------------------------------------------------------------

def _home(cache):
    return expect_html(cache.get("/"), "GET /")


def _article(cache):
    return expect_html(cache.get(TOP_URL), "GET " + TOP_URL)


def _api_list(cache):
    """Every live story from the API, newest first."""
    return cache.api_all()


_card_urls = card_urls


def _pages(t, srv, cache, stories):
    def home_basics():
        doc = _home(cache)
        expect(doc.doctype and doc.doctype.lower() == "doctype html", "no <!doctype html>: %r" % doc.doctype)
        expect(doc.find("header", "masthead") is not None, "no masthead")
        expect(doc.find("main") is not None, "no <main>")

    t.check("home: 200, text/html; charset=utf-8, valid UTF-8, no template leftovers", home_basics)

    def home_top():
        doc = _home(cache)
        top = doc.find("article", "top-story")
        expect(top is not None, "no article.top-story on the home page")
        h = top.find(cls="headline")
        expect(h is not None, "the top story has no .headline")
        expect_eq(h.text(), TOP_HEADLINE, "top story headline")
        a = h.find("a")
        expect(a is not None and a.get("href") == TOP_URL, "top story headline link: %r" % (a and a.get("href")))
        expect_eq(text_of(top.find(cls="kicker")), TOP_KICKER, "top story kicker")
        lead = top.find(cls="lead")
        expect(lead is not None and lead.text(), "top story has no lead")

    t.check("home: top story is '%s' with kicker '%s'" % (TOP_HEADLINE, TOP_KICKER), home_top)

    def home_sections():
        doc = _home(cache)
        api = _api_list(cache)
        expect(api and api[0]["slug"] == TOP, "API's newest story is not the top story")
        expected = sections_of(api[1 : 1 + PAGE_SIZE])
        got = page_sections(doc)
        expect(got, "no section.topic-section on the home page")
        if got != expected:
            raise AssertionError(
                "sections (topic name, topic URL, story URLs) differ from the API's stories grouped "
                "by primary topic in order of first appearance:\n  expected %r\n  got      %r" % (expected, got)
            )
        names = [g[0] for g in got]
        expect(len(set(names)) == len(names), "a topic has two sections: %r" % names)

    t.check("home: the next %d stories are in sections by primary topic (as the API lists them)" % PAGE_SIZE, home_sections)

    pages = max(1, (len(stories) - 1 + PAGE_SIZE - 1) // PAGE_SIZE)

    def home_page2():
        expect(pages > 1, "the demo has only %d stories: one home page" % len(stories))
        nav = _home(cache).find(cls="pagination")
        expect(nav is not None, "no pagination block on the home page of %d stories" % len(stories))
        nxt = nav.find("a", rel="next")
        expect(nxt is not None, "no rel=next link in the pagination")
        expect_eq(nxt.get("href"), "/page/2/", "next-page link")
        expect_eq(text_of(nav.find(cls="pagination-status")), "Page 1 of %d" % pages, "pagination status")
        doc = expect_html(cache.get("/page/2/"), "GET /page/2/")
        expect(doc.find(cls="top-story") is None, "page 2 shows the top story again")
        api = _api_list(cache)
        expect_eq(page_sections(doc), sections_of(api[1 + PAGE_SIZE : 1 + 2 * PAGE_SIZE]), "sections of page 2")
        prev = doc.find("a", rel="prev")
        expect(prev is not None and prev.get("href") == "/", "previous-page link on page 2: %r" % (prev and prev.get("href")))

    t.check("home: the pagination link to /page/2/ works (next stories, link back to /)", home_page2)

    def home_all_once():
        urls, path, seen = [], "/", 0
        while path and seen < 50:
            doc = expect_html(cache.get(path), "GET " + path)
            main = doc.find("main")
            top = main.find("article", "top-story")
            if top is not None:
                urls += [a.get("href") for a in top.find(cls="headline").find_all("a")]
            urls += _card_urls(main)
            nxt = main.find("a", rel="next")
            path = nxt.get("href") if nxt is not None else None
            seen += 1
        expect_eq(seen, pages, "home pages reached by following rel=next")
        dupes = sorted({u for u in urls if urls.count(u) > 1})
        expect(not dupes, "stories shown more than once across the home pages: %r" % dupes)
        want = sorted("/news/%s/" % s["slug"] for s in stories)
        expect_eq(sorted(urls), want, "story links across the home pages (top story + cards)")
        r = srv.get("/?page=%d" % (pages + 1))
        expect_html(r, "GET /?page=%d (past the last page)" % (pages + 1), status=404)

    t.check("home: following the pages shows each of the %d demo stories once; the page after the last → 404" % len(stories), home_all_once)

    def home_bad_page():
        for q in ("abc", "0", "-1", "1.5", "99999999999999999999", ""):
            r = srv.get("/?page=" + q)
            if q == "":
                expect(r.status in (200, 404), "/?page= gave %d" % r.status)
                continue
            expect_status(r, 404, "GET /?page=" + q)

    t.check("home: ?page=abc (and 0, -1, 1.5, huge) → 404, never 500", home_bad_page)

    def home_nesting():
        doc = _home(cache)
        expect(not doc.problems, "badly nested HTML:\n" + "\n".join(doc.problems[:10]))

    t.check("home: HTML elements are properly closed and nested", home_nesting)

    # ---- the article page -------------------------------------------------------------------
    def article_basics():
        _article(cache)

    t.check("article %s: 200, text/html; charset=utf-8, valid UTF-8, no '{{' or '}}'" % TOP_URL, article_basics)

    def article_h1():
        doc = _article(cache)
        h1s = doc.find_all("h1")
        expect_eq(len(h1s), 1, "number of <h1> elements")
        expect_eq(h1s[0].text(), TOP_HEADLINE, "the h1")
        title = doc.find("title")
        expect(title is not None and TOP_HEADLINE in title.text(), "<title> lacks the headline: %r" % text_of(title))

    t.check("article: exactly one h1, the headline", article_h1)

    def article_kicker():
        doc = _article(cache)
        story = doc.find("article", "story") or doc.find("main")
        kickers = [k for k in story.find_all(cls="kicker") if not k.inside(cls="related")]
        expect(kickers, "no .kicker in the story")
        expect_eq(kickers[0].text(), TOP_KICKER, "kicker text")

    t.check("article: kicker 'The war in Israel'", article_kicker)

    def article_figure():
        doc = _article(cache)
        figs = doc.find_all("figure", "featured") or doc.find_all("figure")
        expect(figs, "no <figure>")
        fig = figs[0]
        cap = fig.find("figcaption")
        expect(cap is not None, "the figure has no figcaption")
        expect(TOP_CAPTION in cap.text(), "figcaption %r lacks %r" % (cap.text(), TOP_CAPTION))
        credit = fig.find(cls="credit")
        expect(credit is not None and credit.text(), "the figure has no .credit")
        img = fig.find("img")
        expect(img is not None, "the figure has no img")
        expect((img.get("alt") or "").strip(), "the img has an empty alt")
        expect(img.get("src"), "the img has no src")

    t.check("article: a figure with figcaption '%s' and an img with alt text" % TOP_CAPTION, article_figure)

    def article_image_served():
        doc = _article(cache)
        fig = doc.find("figure", "featured") or doc.find("figure")
        src = fig.find("img").get("src")
        expect(src.startswith("/"), "image src is not a local path: %r" % src)
        r = srv.get(src)
        expect_status(r, 200, "GET %s (the featured image on %s)" % (src, TOP_URL))
        expect(r.content_type.startswith("image/"), "GET %s: Content-Type %r" % (src, r.content_type))

    t.check("article: the featured image's URL answers 200 with an image", article_image_served)

    def article_subheadings():
        doc = _article(cache)
        body = doc.find("div", "body")
        expect(body is not None, "no div.body")
        expect_eq([h.text() for h in body.find_all("h2")], SUB_HEADINGS, "h2 sub-headings in the body")

    t.check("article: two h2 sub-headings in the body", article_subheadings)

    def article_read_also():
        doc = _article(cache)
        body = doc.find("div", "body")
        asides = body.find_all("aside", "read-also")
        expect_eq(len(asides), 2, "number of aside.read-also in the body")
        api = {s["url"]: s for s in _api_list(cache)}
        for aside, url in zip(asides, READ_ALSO_URLS):
            ls = links(aside)
            expect_eq(len(ls), 1, "links in a read-also aside")
            href, text = ls[0]
            expect_eq(href, url, "read-also link")
            expect_eq(text, api[url]["headline"], "read-also link text (the story's current headline)")
            label = aside.find(cls="read-also-label")
            expect(label is not None and label.text() == "See also:", "read-also label: %r" % text_of(label))
        html = cache.get(TOP_URL).text
        expect("gazette:see-also" not in html, "an unresolved read-also marker is in the page")
        expect("[[" not in html, "read-also syntax '[[' left in the page")

    t.check("article: two read-also asides linking to the two stories with their current headlines", article_read_also)

    def article_read_also_targets():
        for url in READ_ALSO_URLS:
            doc = expect_html(cache.get(url), "GET " + url)
            h1 = doc.find("h1")
            api = {s["url"]: s for s in _api_list(cache)}
            expect_eq(text_of(h1), api[url]["headline"], "h1 of " + url)

    t.check("article: both read-also targets answer 200 with that headline", article_read_also_targets)

    def related_items():
        doc = _article(cache)
        section = doc.find("section", "related")
        expect(section is not None, "no section.related")
        return section.find_all(cls="related-story")

    def article_related():
        items = related_items()
        expect_eq(len(items), 4, "number of .related-story")
        for i, item in enumerate(items, 1):
            ls = [(h, x) for h, x in links(item) if h.startswith("/news/")]
            expect(ls and ls[0][1], "related story %d has no title link" % i)
            ex = item.find(cls="excerpt")
            expect(ex is not None and ex.text(), "related story %d has no excerpt" % i)

    t.check("article: exactly 4 related stories, each with a title link and an excerpt", article_related)

    def article_related_excludes():
        urls = [links(item)[0][0] for item in related_items()]
        expect("/news/%s/" % LA_REINA not in urls, "La Reina del Sur is a related story: %r" % urls)
        expect(TOP_URL not in urls, "the article is its own related story: %r" % urls)
        expect(len(set(urls)) == len(urls), "a related story is listed twice: %r" % urls)

    t.check("article: related stories exclude La Reina del Sur and the article itself", article_related_excludes)

    def article_related_rank():
        # the related-stories engine (src/related/) ranks by what the stories say; for the seed
        # story the four are the stories it shares its subject with — the two other stories of
        # the war in Israel first — and never a Port Alder sample or the TV brief
        urls = [links(item)[0][0] for item in related_items()]
        want = ["/news/%s/" % s for s in expected_related(stories, TOP)]
        expect_eq(sorted(urls), sorted(want), "the four related stories")
        israel = {"/news/storm-after-erdogans-words-about-hamas-terrible-and-disgusting/",
                  "/news/hospitals-in-the-gaza-strip-lack-electricity-and-hamas-is-hiding-precious-fuel/"}
        expect_eq(set(urls[:2]), israel, "the first two related stories")

    t.check("article: the related stories are the seed story's own subject, war in Israel first", article_related_rank)

    def article_canonical():
        doc = _article(cache)
        canon = [l for l in doc.find_all("link") if "canonical" in (l.get("rel") or "").split()]
        expect_eq(len(canon), 1, "number of link rel=canonical")
        expect_eq(canon[0].get("href"), srv.base_url + TOP_URL, "canonical URL")

    t.check("article: link rel=canonical is the absolute URL of the page", article_canonical)

    def article_stylesheet():
        doc = _article(cache)
        sheets = [l.get("href") for l in doc.find_all("link") if "stylesheet" in (l.get("rel") or "").split()]
        expect(sheets, "no stylesheet link")
        href = sheets[0]
        expect(re.fullmatch(r"/assets/style\.[0-9a-f]{8,}\.css", href or ""), "stylesheet URL not fingerprinted: %r" % href)
        r = srv.get(href)
        expect_status(r, 200, "GET " + href)
        expect(r.content_type.startswith("text/css"), "Content-Type %r" % r.content_type)
        cc = r.header("Cache-Control", "")
        expect("immutable" in cc, "Cache-Control %r lacks 'immutable'" % cc)
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "themes", "default", "assets", "style.css"), "rb") as f:
            expect(r.body == f.read(), "the stylesheet served differs from themes/default/assets/style.css")
        home_sheets = [l.get("href") for l in _home(cache).find_all("link") if "stylesheet" in (l.get("rel") or "").split()]
        expect_eq(home_sheets[:1], [href], "home page stylesheet URL")

    t.check("article: stylesheet /assets/style.<hex>.css answers 200 text/css, Cache-Control immutable", article_stylesheet)

    def article_nesting():
        doc = _article(cache)
        expect(not doc.problems, "badly nested HTML:\n" + "\n".join(doc.problems[:10]))

    t.check("article: HTML elements are properly closed and nested", article_nesting)

    def article_headers():
        r = cache.get(TOP_URL)
        expect_eq(r.header("X-Content-Type-Options"), "nosniff", "X-Content-Type-Options")

    t.check("article: X-Content-Type-Options: nosniff", article_headers)

    # ---- topic and author pages -------------------------------------------------------------
    def topic_page():
        path = "/topic/%s/" % TOPIC
        doc = expect_html(srv.get(path), "GET " + path)
        h1 = doc.find("h1")
        expect_eq(text_of(h1), "The war in Israel", "topic page h1")
        want = ["/news/%s/" % s["slug"] for s in stories if "The war in Israel" in s["topics_list"]][:PAGE_SIZE]
        expect_eq(_card_urls(doc.find("main")), want, "stories on %s, newest first" % path)
        times = [tm.get("datetime") for tm in doc.find("main").find_all("time")]
        expect(times == sorted(times, reverse=True), "card times not newest first: %r" % times)

    t.check("topic /topic/the-war-in-israel/: 200, its 3 stories newest first", topic_page)

    def author_page():
        doc = _article(cache)
        authors = doc.find_all("a", rel="author")
        expect(authors, "no a[rel=author] in the byline")
        path = authors[0].get("href")
        expect_eq(path, "/author/foreign-desk/", "author link")
        page = expect_html(srv.get(path), "GET " + path)
        expect_eq(text_of(page.find("h1")), "Foreign Desk", "author page h1")
        want = ["/news/%s/" % s["slug"] for s in stories if "Foreign Desk" in [a.strip() for a in s.get("authors", "").split(",")]][:PAGE_SIZE]
        expect_eq(_card_urls(page.find("main")), want, "stories on %s, newest first" % path)

    t.check("author: the byline links to /author/foreign-desk/, which lists its stories newest first", author_page)

    def unknown_topic_author():
        for path in ("/topic/no-such-topic/", "/author/no-such-author/", "/topic/Bad_Slug/"):
            expect_html(srv.get(path), "GET " + path, status=404)

    t.check("topic and author: unknown slugs → 404 page", unknown_topic_author)

    def media_served():
        r = srv.get("/media/demo/podium.svg")
        expect_status(r, 200, "GET /media/demo/podium.svg (content/media/demo/podium.svg)")
        expect_eq(r.content_type, "image/svg+xml", "Content-Type")
        expect("default-src 'none'" in r.header("Content-Security-Policy", ""), "SVG served without a restrictive CSP")

    t.check("media: /media/demo/podium.svg answers 200 image/svg+xml with a CSP", media_served)


# ---- the JSON API -----------------------------------------------------------------------------

def _api(t, srv, cache, stories):
    def api_list():
        r = cache.get("/api/v1/articles")
        body = expect_json(r, "GET /api/v1/articles")
        for key in ("articles", "page", "pages", "limit", "total"):
            expect(key in body, "no %r in the answer" % key)
        n = len(stories)
        expect_eq((body["page"], body["pages"], body["limit"], body["total"]), (1, (n + 19) // 20, 20, n), "(page, pages, limit, total) with the default limit")
        expect_eq([a["slug"] for a in body["articles"]], [s["slug"] for s in stories][:20], "slugs of page 1, newest first")
        everything = _api_list(cache)
        expect_eq([a["slug"] for a in everything], [s["slug"] for s in stories], "slugs of all pages (limit=100), newest first")
        for a in everything:
            for f in SUMMARY_FIELDS:
                expect(f in a, "article %s lacks %r" % (a.get("slug"), f))
            expect_eq(a["url"], "/news/%s/" % a["slug"], "url of " + a["slug"])
            expect(isinstance(a["headline"], str) and a["headline"], "empty headline")
            expect(isinstance(a["excerpt"], str) and a["excerpt"], "%s: empty excerpt" % a["slug"])
            expect(isinstance(a["topics"], list) and all({"slug", "name", "url"} <= set(x) for x in a["topics"]), "%s: bad topics %r" % (a["slug"], a["topics"]))
            expect(a["image"] is None or isinstance(a["image"], dict) and a["image"].get("url"), "%s: bad image %r" % (a["slug"], a["image"]))
        by_slug = {s["slug"]: s for s in stories}
        for a in everything:
            s = by_slug[a["slug"]]
            expect_eq(a["headline"], s["headline"], "headline of " + a["slug"])
            expect_eq(a["kicker"], s.get("kicker"), "kicker of " + a["slug"])
            expect_eq([x["name"] for x in a["topics"]], s["topics_list"], "topics of " + a["slug"])
        top = everything[0]
        expect_eq(top["image"] and top["image"].get("caption"), TOP_CAPTION, "image caption of the top story")

    t.check("API GET /api/v1/articles: application/json, the %d demo stories newest first, documented fields" % len(stories), api_list)

    def api_times():
        arts = _api_list(cache)
        by_slug = {s["slug"]: s for s in stories}
        for a in arts:
            expect(RFC3339_UTC.match(a["published_at"] or ""), "%s: published_at %r is not RFC 3339 UTC with Z" % (a["slug"], a["published_at"]))
            expect_eq(a["published_at"], by_slug[a["slug"]]["published"], "published_at of " + a["slug"])
        times = [a["published_at"] for a in arts]
        expect(times == sorted(times, reverse=True), "not newest first: %r" % times)

    t.check("API: published_at is RFC 3339 UTC ('Z') and matches the story files", api_times)

    def api_paged():
        body = expect_json(srv.get("/api/v1/articles?limit=5&page=2"), "GET ?limit=5&page=2")
        all_slugs = [s["slug"] for s in stories]
        expect_eq([a["slug"] for a in body["articles"]], all_slugs[5:10], "stories on page 2 of 5")
        expect_eq((body["page"], body["pages"], body["limit"], body["total"]), (2, (len(stories) + 4) // 5, 5, len(stories)), "(page, pages, limit, total)")

    t.check("API: ?limit=5&page=2 gives stories 6.. with page/pages/limit/total", api_paged)

    def api_topic():
        body = expect_json(srv.get("/api/v1/articles?topic=" + TOPIC), "GET ?topic=" + TOPIC)
        want = [s["slug"] for s in stories if "The war in Israel" in s["topics_list"]]
        expect_eq([a["slug"] for a in body["articles"]], want[:20], "stories of the topic, newest first")
        expect_eq(body["total"], len(want), "total")
        for a in body["articles"]:
            expect(TOPIC in [x["slug"] for x in a["topics"]], "%s is not in the topic" % a["slug"])

    t.check("API: ?topic=the-war-in-israel keeps only that topic's stories", api_topic)

    def api_bad_limits():
        for q in ("limit=0", "limit=abc", "limit=1000", "limit=-5", "limit=", "page=0", "page=abc"):
            expect_json_error(srv.get("/api/v1/articles?" + q), "GET /api/v1/articles?" + q, 400)

    t.check("API: ?limit=0 / abc / 1000 (and bad page) → 400 JSON error", api_bad_limits)

    def api_bad_topic():
        expect_json_error(srv.get("/api/v1/articles?topic=nope"), "GET ?topic=nope", 404)
        expect_json_error(srv.get("/api/v1/articles?topic=..%2F..%2Fetc"), "GET ?topic=../../etc", 404)

    t.check("API: ?topic=nope → 404 JSON error", api_bad_topic)

    def api_one():
        path = "/api/v1/articles/" + TOP
        a = expect_json(srv.get(path), "GET " + path)
        expect_eq(a.get("slug"), TOP, "slug")
        html = a.get("body_html")
        expect(isinstance(html, str) and "<h2>" in html, "body_html missing or without sub-headings: %r" % (html or "")[:200])
        for url in READ_ALSO_URLS:
            expect('href="%s"' % url in html, "body_html lacks the read-also link to %s" % url)
        expect("gazette:see-also" not in html, "unresolved read-also marker in body_html")
        rel = a.get("related")
        expect(isinstance(rel, list) and len(rel) == 4, "related is not a list of 4: %r" % rel)
        page_urls = [links(item)[0][0] for item in _article(cache).find("section", "related").find_all(cls="related-story")]
        expect_eq([r["url"] for r in rel], page_urls, "API related URLs vs the page's related links (in order)")
        expect_eq([r["slug"] for r in rel], [u.split("/")[2] for u in page_urls], "API related slugs vs the page")
        page_titles = [links(item)[0][1] for item in _article(cache).find("section", "related").find_all(cls="related-story")]
        expect_eq([r["headline"] for r in rel], page_titles, "API related headlines vs the page")

    t.check("API /api/v1/articles/%s: body_html, and related = the page's 4 stories in order" % TOP, api_one)

    def api_one_matches_list():
        a = expect_json(srv.get("/api/v1/articles/" + TOP), "GET one")
        summary = next(x for x in _api_list(cache) if x["slug"] == TOP)
        for k, v in summary.items():
            expect_eq(a.get(k), v, "field %r of the single article vs the list summary" % k)

    t.check("API: the single article carries the same summary fields as the list", api_one_matches_list)

    def api_unknown():
        expect_json_error(srv.get("/api/v1/articles/does-not-exist"), "GET /api/v1/articles/does-not-exist", 404)
        expect_json_error(srv.get("/api/v1/articles/BAD%00slug"), "GET /api/v1/articles/BAD%00slug", 404)
        expect_json_error(srv.get("/api/v1/nothing-here"), "GET /api/v1/nothing-here", 404)

    t.check("API: unknown slug or path → 404 JSON error", api_unknown)

    def api_post():
        r = srv.request("POST", "/api/v1/articles", body=b"{}", headers={"Content-Type": "application/json"})
        expect_json_error(r, "POST /api/v1/articles", 405)
        expect("GET" in r.header("Allow", ""), "Allow header: %r" % r.header("Allow"))

    t.check("API: POST /api/v1/articles → 405 JSON error with Allow", api_post)


# ---- HTTP edge cases --------------------------------------------------------------------------

def _http(t, srv, cache):
    def not_found_page():
        r = srv.get("/news/does-not-exist/")
        doc = expect_html(r, "GET /news/does-not-exist/", status=404)
        mast = doc.find("header", "masthead")
        expect(mast is not None, "the 404 page has no header.masthead")
        expect_eq(text_of(mast.find(cls="site-name")), "The Port Alder Courier", "site name in the masthead")
        h1 = doc.find("h1")
        expect(h1 is not None and "Page not found" in h1.text(), "404 page h1: %r" % text_of(h1))
        expect(doc.find("link", rel="stylesheet") is not None, "the 404 page has no stylesheet")

    t.check("/news/does-not-exist/ → 404 HTML page from the theme, with the masthead", not_found_page)

    def nul_slug():
        r = srv.get("/news/BAD%00slug/")
        expect_status(r, 404, "GET /news/BAD%00slug/")

    t.check("/news/BAD%00slug/ → 404", nul_slug)

    def traversal():
        for path in (
            "/topic/../../etc/passwd", "/media/../../etc/passwd", "/media/%2e%2e/%2e%2e/etc/passwd",
            "/media/..%2f..%2fetc%2fpasswd", "/assets/../../etc/passwd", "/media/.hidden.svg",
            "/media//etc/passwd", "/news/../../../etc/passwd/",
        ):
            r = srv.get(path)
            expect(b"root:" not in r.body, "%s returned file contents: %s" % (path, snippet(r)))
            expect_status(r, 404, "GET " + path)

    t.check("path traversal (/topic/../../etc/passwd, /media/../../etc/passwd, encoded) → 404, no file contents", traversal)

    def post_home():
        r = srv.request("POST", "/", body=b"a=1", headers={"Content-Type": "application/x-www-form-urlencoded"})
        expect_status(r, 405, "POST /")
        allow = r.header("Allow")
        expect(allow is not None and "GET" in allow, "Allow header: %r" % allow)
        r = srv.request("DELETE", TOP_URL)
        expect_status(r, 405, "DELETE " + TOP_URL)

    t.check("POST / → 405 with an Allow header (and DELETE on an article)", post_home)

    def redirect_slash():
        path = TOP_URL.rstrip("/")
        r = srv.get(path)
        expect_status(r, 301, "GET " + path)
        expect_eq(r.header("Location"), TOP_URL, "Location")
        r = srv.get("/topic/" + TOPIC)
        expect_status(r, 301, "GET /topic/" + TOPIC)
        expect_eq(r.header("Location"), "/topic/%s/" % TOPIC, "Location")

    t.check("/news/<slug> without the trailing slash → 301 to /news/<slug>/", redirect_slash)

    def head_home():
        get = cache.get("/")
        expect_status(get, 200, "GET /")
        raw = srv.raw(b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", timeout=5)
        status, headers, body = parse_raw_response(raw)
        expect_eq(status, 200, "HEAD / status")
        expect_eq(body, b"", "HEAD / body")
        expect_eq(headers.get("content-length"), str(len(get.body)), "HEAD Content-Length vs the length of GET /")
        expect_eq(get.header("Content-Length"), str(len(get.body)), "GET / Content-Length")

    t.check("HEAD / → 200, no body, the same Content-Length as GET", head_home)

    def big_post():
        size = 2 * 1024 * 1024
        req = (
            "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
            "Content-Length: %d\r\nConnection: close\r\n\r\n" % size
        ).encode() + b"x" * size
        status, _, body = parse_raw_response(srv.raw(req, timeout=15))
        expect_eq(status, 413, "status of a 2 MB POST")
        r = srv.get("/")
        expect_status(r, 200, "GET / after the big POST")

    t.check("a 2 MB POST body → 413", big_post)

    def big_headers():
        pad = "".join("X-Padding-%03d: %s\r\n" % (i, "a" * 1000) for i in range(100))
        req = ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n%sConnection: close\r\n\r\n" % pad).encode()
        status, _, _ = parse_raw_response(srv.raw(req, timeout=10))
        expect(status is not None, "no HTTP answer to a request with 100 KB of headers (connection dropped)")
        expect(status in (400, 413, 414, 431), "100 KB of headers got HTTP %s, expected 431/413/400" % status)
        t.diag("100 KB of headers → HTTP %d" % status)
        expect_status(srv.get("/"), 200, "GET / after the oversized request")

    t.check("a request with 100 KB of headers gets a 4xx and the server keeps serving", big_headers)

    def usual_big_headers():
        # a browser's Cookie header of 12 KB (many cookies of the same site) must still be taken:
        # libmicrohttpd's connection pool (server.c, CONNECTION_MEMORY) bounds request headers
        cookie = "; ".join("c%02d=%s" % (i, "v" * 1000) for i in range(12))
        req = ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: %s\r\nConnection: close\r\n\r\n" % cookie).encode()
        status, _, _ = parse_raw_response(srv.raw(req, timeout=10))
        expect_eq(status, 200, "status of a request with a %d-byte Cookie header" % len(cookie))

    t.check("a request with a 12 KB Cookie header is answered", usual_big_headers)

    def odd_urls():
        bad = []
        for path in (
            "/news/%ff%fe/", "/news/" + "a" * 3000 + "/", "/topic/%00/", "/api/v1/articles/%00",
            "/api/v1/articles?limit=%00", "/api/v1/articles?topic=%00", "/api/v1/articles?topic=%ff",
            "/?page=1e3", "/?page=%00", "/?page=2&page=3", "//", "/news//", "/news/a/b/", "/%2F%2Fevil.example",
            "/news/" + TOP + "/?x=%ff", "/assets/", "/assets/style.css", "/media/", "/media/x.exe",
            "/author/%C3%A9/", "/topic/a--b/", "/news/-x/", "/api/v1/articles/" + "a" * 200,
        ):
            r = srv.get(path)
            if r.status >= 500 or b"root:" in r.body:
                bad.append("%s → %d" % (path[:80], r.status))
            if r.status in (301, 302, 303, 307, 308):
                loc = r.header("Location", "")
                if not loc.startswith("/") or loc.startswith("//"):
                    bad.append("%s → redirect off the site: %r" % (path[:80], loc))
        expect(not bad, "odd URLs answered badly:\n" + "\n".join(bad))

    t.check("odd URLs (bad bytes, long slugs, double slashes) never give a 5xx", odd_urls)

    def keep_alive():
        c = srv.connection()
        try:
            sock = None
            for path in ("/", TOP_URL, "/api/v1/articles?limit=2", "/topic/%s/" % TOPIC):
                c.request("GET", path)
                r = c.getresponse()
                r.read()
                expect_eq(r.status, 200, "GET %s on a kept-alive connection" % path)
                expect(c.sock is not None, "the server closed the connection after %s (Connection: %s)" % (path, r.getheader("Connection")))
                if sock is None:
                    sock = c.sock
                expect(c.sock is sock, "a new connection was opened for %s" % path)
        finally:
            c.close()

    t.check("keep-alive: four requests answered on one connection", keep_alive)

    def parallel():
        paths = ["/", TOP_URL, "/api/v1/articles", "/topic/%s/" % TOPIC, "/api/v1/articles/" + TOP, "/news/does-not-exist/"]
        want = {p: (404 if "does-not-exist" in p else 200) for p in paths}
        jobs = paths * 8
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda p: (p, srv.get(p, timeout=20)), jobs))
        wrong = ["%s → %d" % (p, r.status) for p, r in results if r.status != want[p]]
        expect(not wrong, "%d of %d parallel requests answered wrongly:\n%s" % (len(wrong), len(jobs), "\n".join(wrong[:10])))
        bodies = {}
        for p, r in results:
            # the comment form's signed token (time + nonce) differs from one reader to the next
            body = re.sub(rb'name="gz_token" value="[^"]*"', b'name="gz_token"', r.body) if isinstance(r.body, bytes) else re.sub(r'name="gz_token" value="[^"]*"', 'name="gz_token"', r.body)
            bodies.setdefault(p, set()).add(body)
        differing = [p for p, b in bodies.items() if len(b) > 1 and "api" not in p]
        expect(not differing, "the same page came back with different bodies under load: %r" % differing)

    t.check("48 requests from 8 threads at once all answer correctly", parallel)

    def unknown_asset():
        expect_status(srv.get("/assets/style.0000000000000000.css"), 404, "GET a stale asset fingerprint")

    t.check("assets: an unknown fingerprint → 404", unknown_asset)


# ---- shutdown ---------------------------------------------------------------------------------

def _shutdown(t, gz, srv, cache):
    def stop():
        expect(srv.running(), "the demo server is not running (exit %s)\nstderr: %s" % (srv.proc and srv.proc.poll(), tail(srv.stderr())))
        idle = srv.connection()
        try:  # a browser's idle keep-alive connection must not hold the shutdown up
            idle.request("GET", "/")
            idle.getresponse().read()
            rc = srv.stop(grace=10)
        finally:
            idle.close()
        expect(rc is not None, "the demo server did not exit within 10 s of SIGTERM (killed)")
        t.diag("demo server exited %d, %.2f s after SIGTERM" % (rc, srv.stop_seconds))
        expect_eq(rc, 0, "exit status after SIGTERM\nstderr: %s" % tail(srv.stderr()))
        out = srv.stdout()
        expect("SIGTERM received" in out, "stdout lacks 'SIGTERM received':\n%s" % tail(out))

    t.check("demo server: SIGTERM (with an idle keep-alive connection open) → exit 0 within 10 s, 'SIGTERM received'", stop)
    if gz.sanitized:
        t.check("demo server: no sanitizer report in its stderr", lambda: expect_no_sanitizer(srv.stderr(), "demo server"))
