"""feeds_tests.py — feeds and what search engines and social sites read (docs/feeds.md), on a
site built here from story files: RSS, Atom and JSON Feed for the site, a topic and an author
(content types, parsed with xml.etree / json, required elements, absolute links, dates); ids
that stay the same when a headline changes; a story with a hostile headline keeping every
document well formed; the settings feed_items and feed_content; the sitemap index, its
sitemaps, the Google News sitemap and robots.txt; 404s; and in the pages' <head>: canonical
links, feed discovery, OpenGraph and Twitter tags, and the NewsArticle JSON-LD."""

import email.utils
import json
import os
import re
import time
import xml.etree.ElementTree as ET

from checks import RFC3339_UTC, expect, expect_eq, expect_html, expect_rc, expect_status
from site_tests import stop_server, story

SITE_NAME = "The Feed Gazette"
BASE = "https://feeds.example"
FERRY = "ferry-returns"
HOSTILE = "hostile-headline"
# markup, a CDATA end, an ampersand, quotes, a comment opener and controls XML 1.0 forbids
HOSTILE_HEADLINE = '</title><script>alert(1)</script> ]]> & "q" \x0b\x01 <!-- end'
HOSTILE_CLEAN = '</title><script>alert(1)</script> ]]> & "q"  <!-- end'

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
FEEDS = (("feed.xml", "application/rss+xml"), ("atom.xml", "application/atom+xml"), ("feed.json", "application/feed+json"))
RFC822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$")
TAG_ID = re.compile(r"^tag:feeds\.example,\d{4}-\d{2}-\d{2}:article-\d+$")


def expect_type(r, want, what):
    expect_status(r, 200, what)
    got = r.content_type.split(";")[0].strip().lower()
    expect_eq(got, want, "%s: Content-Type" % what)
    expect("charset=utf-8" in r.content_type.replace(" ", "").lower(), "%s: no charset=utf-8 in %r" % (what, r.content_type))


def get_xml(srv, path, ctype="application/xml"):
    r = srv.get(path)
    expect_type(r, ctype, "GET " + path)
    try:
        return ET.fromstring(r.body)
    except ET.ParseError as e:
        raise AssertionError("GET %s: not well-formed XML: %s\n%s" % (path, e, r.body[:600]))


def get_feed(srv, path):
    """(format, parsed document) of a feed by its file name."""
    for name, ctype in FEEDS:
        if path.endswith(name):
            if name == "feed.json":
                r = srv.get(path)
                expect_type(r, ctype, "GET " + path)
                return "json", r.json()
            return name, get_xml(srv, path, ctype)
    raise AssertionError("not a feed path: " + path)


def feed_entries(kind, doc):
    """[(id, title, url)] of a parsed feed."""
    if kind == "feed.xml":
        return [(i.findtext("guid"), i.findtext("title"), i.findtext("link")) for i in doc.findall("channel/item")]
    if kind == "atom.xml":
        return [(e.findtext("atom:id", namespaces=NS), e.findtext("atom:title", namespaces=NS), e.find("atom:link[@rel='alternate']", NS).get("href")) for e in doc.findall("atom:entry", NS)]
    return [(i["id"], i["title"], i["url"]) for i in doc["items"]]


def check_feed(kind, doc, self_url, page_url):
    """The required elements of each format, absolute links, dates."""
    if kind == "feed.xml":
        expect_eq(doc.tag, "rss", "root element")
        ch = doc.find("channel")
        for el in ("title", "link", "description"):
            expect(ch.findtext(el), "RSS channel lacks <%s>" % el)
        expect_eq(ch.findtext("link"), page_url, "RSS channel link")
        expect_eq(ch.find("atom:link[@rel='self']", NS).get("href"), self_url, "RSS atom:link self")
        for item in ch.findall("item"):
            for el in ("title", "link", "guid", "pubDate", "description"):
                expect(item.find(el) is not None, "RSS item lacks <%s>" % el)
            expect_eq(item.find("guid").get("isPermaLink"), "false", "guid isPermaLink")
            expect(RFC822.match(item.findtext("pubDate")), "pubDate not RFC 822 with a 4-digit year: %r" % item.findtext("pubDate"))
            expect(item.findtext("link").startswith(BASE + "/news/"), "item link not absolute: %r" % item.findtext("link"))
    elif kind == "atom.xml":
        expect_eq(doc.tag, "{%s}feed" % NS["atom"], "root element")
        for el in ("id", "title", "updated"):
            expect(doc.findtext("atom:" + el, namespaces=NS), "Atom feed lacks <%s>" % el)
        expect(RFC3339_UTC.match(doc.findtext("atom:updated", namespaces=NS)), "feed updated not RFC 3339")
        expect_eq(doc.find("atom:link[@rel='self']", NS).get("href"), self_url, "Atom link self")
        expect_eq(doc.find("atom:link[@rel='alternate']", NS).get("href"), page_url, "Atom link alternate")
        for e in doc.findall("atom:entry", NS):
            for el in ("id", "title", "updated", "published"):
                expect(e.findtext("atom:" + el, namespaces=NS) is not None, "Atom entry lacks <%s>" % el)
            for el in ("updated", "published"):
                expect(RFC3339_UTC.match(e.findtext("atom:" + el, namespaces=NS)), "entry %s not RFC 3339" % el)
    else:
        expect_eq(doc["version"], "https://jsonfeed.org/version/1.1", "JSON Feed version")
        expect_eq(doc["feed_url"], self_url, "feed_url")
        expect_eq(doc["home_page_url"], page_url, "home_page_url")
        for item in doc["items"]:
            expect("content_html" in item or "content_text" in item, "JSON Feed item without content")
            for key in ("date_published", "date_modified"):
                expect(RFC3339_UTC.match(item[key]), "%s not RFC 3339: %r" % (key, item[key]))
            expect(item["url"].startswith(BASE + "/news/"), "item url not absolute")
    for entry_id, title, url in feed_entries(kind, doc):
        expect(TAG_ID.match(entry_id or ""), "%s: entry id is not a tag: URI from the article id: %r" % (kind, entry_id))


def wait_for(what, fn, seconds=10):
    """Polls fn until it returns a true value (the server notices the CLI's writes within a
    second or so); fails with what after seconds."""
    deadline = time.monotonic() + seconds
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("after %d s: %s" % (seconds, what))
        time.sleep(0.2)


def head_tags(doc):
    """{property or name: [content]} of the <meta> tags, and {rel: [href]} of the <link> tags."""
    metas, rels = {}, {}
    for m in doc.find_all("meta"):
        key = m.get("property") or m.get("name")
        if key:
            metas.setdefault(key, []).append(m.get("content"))
    for link in doc.find_all("link"):
        rels.setdefault(link.get("rel"), []).append(link)
    return metas, rels


def json_ld(srv, path):
    r = srv.get(path)
    doc = expect_html(r, "GET " + path)
    scripts = doc.find_all("script", type="application/ld+json")
    expect_eq(len(scripts), 1, "JSON-LD scripts on " + path)
    raw = scripts[0].raw_text()
    for bad in ("<", ">", "&"):
        expect(bad not in raw, "JSON-LD on %s holds a raw %r" % (path, bad))
    return json.loads(raw), doc


def run(t, gz):
    db, src = gz.path("feeds.db"), gz.path("feed-stories")
    expect_rc(gz.run("init", "--db", db), 0, "gazette init")
    srv = gz.server("feeds server", "serve", "--db", db, "--site-name", SITE_NAME, "--base-url", BASE)

    def add(name, **front):
        r = gz.run("article", "add", "--db", db, story(os.path.join(src, name), front.pop("body", "A paragraph.\n"), **front))
        expect_rc(r, 0, "article add " + name)

    def build():
        add("ferry.md", headline="Ferry returns", slug=FERRY, lead="The ferry sails again.", topics="Transport, City Hall",
            authors="Jane Doe", published="2024-03-01T08:00:00Z", image="/media/ferry.jpg", alt="A white ferry.",
            body="The ferry is back. See [the timetable](/topic/transport/).\n\n![map](/media/map.png)\n")
        add("fresh.md", headline="Council meets tonight", slug="council-meets", topics="City Hall", authors="Tom Ray",
            body="No lead here; the body gives the excerpt. " * 8 + "\n")
        add("hostile.md", headline=HOSTILE_HEADLINE, slug=HOSTILE, lead="Lead ]]> & <b>", topics="Odd & <Topic>",
            authors="Eve </script>", body="Body with ]]> and <script>alert(2)</script> & \x0c.\n")
        srv.start()

    t.check("feeds: a site of three stories (one with a hostile headline) is served", build)
    try:
        _feeds(t, gz, srv, db, add)
        _search_engines(t, srv)
        _head(t, srv)
    finally:
        stop_server(t, gz, srv, "feeds server")


def _feeds(t, gz, srv, db, add):
    scopes = (("", "/"), ("/topic/transport", "/topic/transport/"), ("/author/jane-doe", "/author/jane-doe/"))

    def all_feeds():
        for prefix, page in scopes:
            for name, _ in FEEDS:
                path = "%s/%s" % (prefix, name)
                kind, doc = get_feed(srv, path)
                check_feed(kind, doc, BASE + path, BASE + page)
                slugs = [url.rsplit("/", 2)[-2] for _, _, url in feed_entries(kind, doc)]
                expect(FERRY in slugs, "%s does not list the ferry story: %r" % (path, slugs))
                if prefix:
                    expect("council-meets" not in slugs, "%s lists a story of another topic/author" % path)
                else:
                    expect_eq(len(slugs), 3, "stories in the site feed " + path)

    t.check("feeds: RSS, Atom and JSON Feed of the site, a topic and an author: 200, right type, parse, required elements, absolute links, tag: ids", all_feeds)

    def full_content():
        kind, rss = get_feed(srv, "/feed.xml")
        item = [i for i in rss.findall("channel/item") if i.findtext("link").endswith("/%s/" % FERRY)][0]
        body = item.findtext("content:encoded", namespaces=NS)
        expect(body and 'href="%s/topic/transport/"' % BASE in body, "content:encoded lacks the absolute link: %r" % body)
        expect('src="%s/media/map.png"' % BASE in body, "content:encoded lacks the absolute image: %r" % body)
        expect_eq(item.find("{http://search.yahoo.com/mrss/}content").get("url"), BASE + "/media/ferry.jpg", "media:content url")
        expect_eq(item.findtext("description"), "The ferry sails again.", "description (the lead)")
        _, atom = get_feed(srv, "/atom.xml")
        links = [l.get("href") for l in atom.iter("{%s}link" % NS["atom"]) if l.get("rel") == "enclosure"]
        expect_eq(links, [BASE + "/media/ferry.jpg"], "Atom enclosures")
        _, js = get_feed(srv, "/feed.json")
        ferry = [i for i in js["items"] if i["url"].endswith("/%s/" % FERRY)][0]
        expect_eq(ferry["image"], BASE + "/media/ferry.jpg", "JSON Feed image")
        council = [i for i in js["items"] if "council-meets" in i["url"]][0]
        expect(council["summary"].startswith("No lead here"), "summary of a story without lead: %r" % council["summary"])

    t.check("feeds: full content with absolute links and images, featured image as media:content / enclosure / image", full_content)

    def hostile():
        for name, _ in FEEDS:
            kind, doc = get_feed(srv, "/" + name)
            titles = [title for _, title, _ in feed_entries(kind, doc)]
            expect(HOSTILE_CLEAN in titles, "%s: hostile headline not read back as text: %r" % (name, titles))
            _, tdoc = get_feed(srv, "/topic/odd-topic/" + name)
            expect_eq(len(feed_entries(kind, tdoc)), 1, "stories in /topic/odd-topic/" + name)
        r = srv.get("/feed.xml")
        expect(b"<script>" not in r.body, "a raw <script> in the RSS feed")

    t.check("feeds: a headline with </title><script>, ]]>, & and control characters leaves every feed well formed and reads back as text", hostile)

    def headers_and_cache():
        for path in ("/feed.xml", "/topic/transport/atom.xml", "/sitemap.xml", "/sitemaps/stories-1.xml"):
            r = srv.get(path)
            lm = r.header("Last-Modified")
            expect(lm and email.utils.parsedate_to_datetime(lm), "%s: no Last-Modified: %r" % (path, lm))
            again = srv.get(path)
            expect_eq(again.body, r.body, "a second GET of " + path)
            expect_status(srv.get(path, headers={"If-Modified-Since": lm}), 304, "GET %s with If-Modified-Since: its Last-Modified" % path)

    t.check("feeds and sitemaps: Last-Modified (HTTP date) set, the same bytes on a second GET, 304 to If-Modified-Since", headers_and_cache)

    def not_found():
        for path in ("/topic/nope/feed.xml", "/author/nope/atom.xml", "/topic/nope/feed.json", "/topic/BAD_SLUG/feed.xml", "/author/x/feed.rss"):
            expect_status(srv.get(path), 404, "GET " + path)

    t.check("feeds: unknown topic or author, a bad slug, an unknown format → 404", not_found)

    def ids_stable():
        before = {}
        for name, _ in FEEDS:
            kind, doc = get_feed(srv, "/" + name)
            before[name] = [e for e in feed_entries(kind, doc) if e[2].endswith("/%s/" % FERRY)][0][0]
        add("ferry.md", headline="Ferry returns after repairs", slug=FERRY, lead="The ferry sails again.", topics="Transport, City Hall",
            authors="Jane Doe", published="2024-03-01T08:00:00Z", image="/media/ferry.jpg", alt="A white ferry.",
            body="Edited.\n")

        def edited():
            kind, doc = get_feed(srv, "/feed.xml")
            return "Ferry returns after repairs" in [title for _, title, _ in feed_entries(kind, doc)]

        wait_for("the RSS feed does not show the edited headline", edited)
        for name, _ in FEEDS:
            kind, doc = get_feed(srv, "/" + name)
            entry = [e for e in feed_entries(kind, doc) if e[2].endswith("/%s/" % FERRY)][0]
            expect_eq(entry[1], "Ferry returns after repairs", "%s: edited headline" % name)
            expect_eq(entry[0], before[name], "%s: the id after a headline edit" % name)

    t.check("feeds: a story's id is the same in each feed after its headline is edited (and the cached feeds follow the edit)", ids_stable)

    def settings():
        expect_rc(gz.run("settings", "set", "--db", db, "feed_items", "1"), 0, "settings set feed_items 1")
        expect_rc(gz.run("settings", "set", "--db", db, "feed_content", "excerpt"), 0, "settings set feed_content excerpt")

        def applied():
            _, rss = get_feed(srv, "/feed.xml")
            return len(rss.findall("channel/item")) == 1 and rss

        rss = wait_for("feed_items 1 not applied to /feed.xml", applied)
        expect(rss.find("channel/item/content:encoded", NS) is None, "content:encoded with feed_content excerpt")
        _, js = get_feed(srv, "/feed.json")
        expect_eq(len(js["items"]), 1, "JSON Feed items with feed_items 1")
        expect("content_html" not in js["items"][0] and js["items"][0]["content_text"], "JSON Feed with feed_content excerpt: %r" % js["items"][0])
        for key, value in (("feed_items", "20"), ("feed_content", "full")):
            expect_rc(gz.run("settings", "set", "--db", db, key, value), 0, "settings set " + key)
        wait_for("feed_items 20 not applied", lambda: len(get_feed(srv, "/feed.xml")[1].findall("channel/item")) == 3)

    t.check("feeds: settings feed_items (how many) and feed_content excerpt (no body) apply to the next request", settings)

    def taken_off():
        before = srv.get("/topic/city-hall/feed.xml")
        lm = before.header("Last-Modified")
        time.sleep(1.1)  # Last-Modified has one-second steps
        add("fresh.md", headline="Council meets tonight", slug="council-meets", topics="City Hall", authors="Tom Ray",
            status="draft", body="Withdrawn.\n")

        def gone():
            _, doc = get_feed(srv, "/topic/city-hall/feed.xml")
            return "council-meets" not in "".join(url for _, _, url in feed_entries("feed.xml", doc))

        wait_for("a story taken off the site is still in /topic/city-hall/feed.xml", gone)
        r = srv.get("/topic/city-hall/feed.xml", headers={"If-Modified-Since": lm})
        expect_status(r, 200, "GET /topic/city-hall/feed.xml with the Last-Modified from before the story was taken off")
        expect(b"council-meets" not in r.body, "the withdrawn story is in the feed")
        add("fresh.md", headline="Council meets tonight", slug="council-meets", topics="City Hall", authors="Tom Ray",
            body="No lead here; the body gives the excerpt. " * 8 + "\n")  # back, for the tests below
        wait_for("the story put back is not in /feed.xml", lambda: len(get_feed(srv, "/feed.xml")[1].findall("channel/item")) == 3)

    t.check("feeds: a story taken off the site leaves its feeds, and a client asking If-Modified-Since gets the new feed, not a 304", taken_off)


def _search_engines(t, srv):
    def sitemaps():
        index = get_xml(srv, "/sitemap.xml")
        expect_eq(index.tag, "{%s}sitemapindex" % NS["sm"], "sitemap index root")
        locs = [s.findtext("sm:loc", namespaces=NS) for s in index.findall("sm:sitemap", NS)]
        expect_eq(locs, [BASE + "/sitemaps/stories-1.xml", BASE + "/sitemaps/sections.xml"], "sitemaps in the index")
        stories = get_xml(srv, "/sitemaps/stories-1.xml")
        urls = {u.findtext("sm:loc", namespaces=NS): u.findtext("sm:lastmod", namespaces=NS) for u in stories.findall("sm:url", NS)}
        expect_eq(len(urls), 3, "URLs in stories-1.xml")
        expect(BASE + "/news/%s/" % FERRY in urls, "the ferry story is not in stories-1.xml: %r" % list(urls))
        for loc, lastmod in urls.items():
            expect(lastmod and RFC3339_UTC.match(lastmod), "lastmod of %s: %r" % (loc, lastmod))
        sections = get_xml(srv, "/sitemaps/sections.xml")
        locs = [u.findtext("sm:loc", namespaces=NS) for u in sections.findall("sm:url", NS)]
        for u in sections.findall("sm:url", NS):
            lastmod = u.findtext("sm:lastmod", namespaces=NS)
            expect(lastmod and RFC3339_UTC.match(lastmod), "lastmod of %s in sections.xml: %r" % (u.findtext("sm:loc", namespaces=NS), lastmod))
        for want in ("/", "/topic/transport/", "/topic/city-hall/", "/author/jane-doe/", "/author/tom-ray/"):
            expect(BASE + want in locs, "%s not in sections.xml: %r" % (want, locs))
        for path in ("/sitemaps/stories-2.xml", "/sitemaps/stories-0.xml", "/sitemaps/stories-01.xml", "/sitemaps/other.xml", "/sitemaps/stories-1.xml.gz"):
            expect_status(srv.get(path), 404, "GET " + path)

    t.check("sitemaps: /sitemap.xml indexes stories-1.xml (every story, absolute, with lastmod) and sections.xml (home, topics, authors, with lastmod); others 404", sitemaps)

    def news():
        doc = get_xml(srv, "/news-sitemap.xml")
        urls = doc.findall("sm:url", NS)
        locs = [u.findtext("sm:loc", namespaces=NS) for u in urls]
        expect(BASE + "/news/council-meets/" in locs, "a story published now is not in the news sitemap: %r" % locs)
        expect(BASE + "/news/%s/" % FERRY not in locs, "a story of 2024 is in the news sitemap")
        for u in urls:
            n = u.find("news:news", NS)
            expect_eq(n.findtext("news:publication/news:name", namespaces=NS), SITE_NAME, "news:name")
            expect_eq(n.findtext("news:publication/news:language", namespaces=NS), "en", "news:language")
            expect(RFC3339_UTC.match(n.findtext("news:publication_date", namespaces=NS)), "news:publication_date")
            expect(n.findtext("news:title", namespaces=NS), "news:title empty")
        titles = [u.findtext("news:news/news:title", namespaces=NS) for u in urls]
        expect(HOSTILE_CLEAN in titles, "the hostile headline in the news sitemap: %r" % titles)

    t.check("sitemaps: /news-sitemap.xml lists stories of the last 48 hours with news:publication, date and title", news)

    def robots():
        r = srv.get("/robots.txt")
        expect_type(r, "text/plain", "GET /robots.txt")
        lines = [l.strip() for l in r.text.splitlines()]
        for want in ("User-agent: *", "Disallow: /api/", "Disallow: /search", "Sitemap: %s/sitemap.xml" % BASE):
            expect(want in lines, "robots.txt lacks %r:\n%s" % (want, r.text))

    t.check("robots.txt: allows the site, keeps crawlers off /api/ and /search, names the sitemap by absolute URL", robots)


def _head(t, srv):
    def article():
        ld, doc = json_ld(srv, "/news/%s/" % FERRY)
        url = BASE + "/news/%s/" % FERRY
        expect_eq((ld["@context"], ld["@type"]), ("https://schema.org", "NewsArticle"), "JSON-LD type")
        expect_eq(ld["headline"], "Ferry returns after repairs", "JSON-LD headline")
        expect_eq(ld["datePublished"], "2024-03-01T08:00:00Z", "JSON-LD datePublished")
        expect(RFC3339_UTC.match(ld["dateModified"]), "JSON-LD dateModified")
        expect_eq([a["name"] for a in ld["author"]], ["Jane Doe"], "JSON-LD authors")
        expect_eq(ld["image"], [BASE + "/media/ferry.jpg"], "JSON-LD image")
        expect_eq(ld["publisher"]["name"], SITE_NAME, "JSON-LD publisher")
        expect_eq(ld["mainEntityOfPage"]["@id"], url, "JSON-LD mainEntityOfPage")
        expect_eq(ld["description"], "The ferry sails again.", "JSON-LD description")
        metas, rels = head_tags(doc)
        expect_eq([l.get("href") for l in rels.get("canonical", [])], [url], "canonical")
        for key, want in (("og:type", "article"), ("og:url", url), ("og:title", "Ferry returns after repairs"), ("og:site_name", SITE_NAME),
                          ("og:image", BASE + "/media/ferry.jpg"), ("og:image:alt", "A white ferry."), ("og:description", "The ferry sails again."),
                          ("article:published_time", "2024-03-01T08:00:00Z"), ("article:section", "Transport"),
                          ("twitter:card", "summary_large_image"), ("twitter:image", BASE + "/media/ferry.jpg")):
            expect_eq(metas.get(key), [want], "<meta> " + key)
        expect(RFC3339_UTC.match(metas["article:modified_time"][0]), "article:modified_time")
        feeds = [l.get("href") for l in rels.get("alternate", [])]
        expect_eq(feeds, ["/feed.xml", "/atom.xml", "/feed.json"], "feed discovery links on a story")

    t.check("head: a story has its canonical URL, OpenGraph article and Twitter card tags (absolute URLs) and NewsArticle JSON-LD", article)

    def hostile():
        ld, doc = json_ld(srv, "/news/%s/" % HOSTILE)
        expect_eq(ld["headline"], HOSTILE_CLEAN, "JSON-LD headline of the hostile story")
        expect_eq([a["name"] for a in ld["author"]], ["Eve </script>"], "JSON-LD author of the hostile story")
        metas, _ = head_tags(doc)
        expect_eq(metas.get("twitter:card"), ["summary"], "twitter:card without an image")
        ld, _ = json_ld(srv, "/news/council-meets/")
        expect(ld["description"].startswith("No lead here"), "JSON-LD description of a story without lead: %r" % ld["description"])
        expect("og:image" not in metas, "og:image without an image")

    t.check("head: JSON-LD with </script> and <!-- in its strings stays inside its element and parses back", hostile)

    def lists():
        for path, feeds in (("/", []), ("/topic/transport/", ["/topic/transport/feed.xml", "/topic/transport/atom.xml", "/topic/transport/feed.json"]),
                            ("/author/jane-doe/", ["/author/jane-doe/feed.xml", "/author/jane-doe/atom.xml", "/author/jane-doe/feed.json"])):
            doc = expect_html(srv.get(path), "GET " + path)
            metas, rels = head_tags(doc)
            expect_eq([l.get("href") for l in rels.get("canonical", [])], [BASE + path], "canonical of " + path)
            expect_eq([l.get("href") for l in rels.get("alternate", [])], ["/feed.xml", "/atom.xml", "/feed.json"] + feeds, "feed links of " + path)
            types = [l.get("type") for l in rels.get("alternate", [])]
            expect_eq(types[:3], ["application/rss+xml", "application/atom+xml", "application/feed+json"], "feed link types")
            expect_eq(metas.get("og:type"), ["website"], "og:type of " + path)
            expect_eq(metas.get("og:url"), [BASE + path], "og:url of " + path)
            expect_eq(metas.get("twitter:card"), ["summary"], "twitter:card of " + path)
            expect(not doc.find_all("script", type="application/ld+json"), "JSON-LD on " + path)
        doc = expect_html(srv.get("/?page=1"), "GET /?page=1")
        expect_eq([l.get("href") for l in head_tags(doc)[1]["canonical"]], [BASE + "/"], "canonical of /?page=1")

    t.check("head: home, topic and author pages have canonical URLs, og website tags and their feeds' discovery links", lists)
