"""search_tests.py — full-text search on a demo site of its own (`gazette demo` with a fresh
database): the /search page (ranking, <mark> snippets, phrases, prefixes, the topic filter,
pagination, the query echoed escaped) and GET /api/v1/search (its shape and errors), and
hostile queries that must get a 200 or a 400 with a message, never a 500."""

import urllib.parse

from checks import expect, expect_eq, expect_html, expect_json, expect_json_error, expect_no_sanitizer, snippet
from gazette import tail

TOP = "maria-zakharova-hamas-visited-moscow"
TOP_URL = "/news/%s/" % TOP
GAZA_TOPIC = "the-war-in-israel"
SUMMARY_FIELDS = ["id", "slug", "url", "kicker", "headline", "lead", "excerpt", "published_at", "topics", "image", "authors"]


def q(text, **more):
    """A /search query string: ?q=TEXT&k=v..."""
    args = [("q", text)] + sorted(more.items())
    return "?" + urllib.parse.urlencode(args)


def api(srv, text, status=200, **more):
    path = "/api/v1/search" + q(text, **more)
    if status == 200:
        return expect_json(srv.get(path), "GET " + path)
    return expect_json_error(srv.get(path), "GET " + path, status)


def page(srv, text, status=200, **more):
    path = "/search" + q(text, **more)
    return expect_html(srv.get(path), "GET " + path, status=status), path


def result_links(doc):
    """The headline links of the results, in order."""
    out = []
    for item in doc.find_all("article", cls="search-result"):
        a = item.find("h3").find("a")
        out.append(a.get("href"))
    return out


def run(t, gz):
    db = gz.path("search.db")
    srv = gz.server("search server", "demo", "--db", db)

    t.check("search: `gazette demo --db TMP/search.db` starts", srv.start)
    try:
        _page(t, srv)
        _api(t, srv)
        _hostile(t, srv)
    finally:
        def stop():
            rc = srv.stop(grace=10)
            expect_eq(rc, 0, "search server exit status after SIGTERM\nstderr: %s" % tail(srv.stderr()))

        t.check("search server: SIGTERM → exit 0", stop)
        if gz.sanitized:
            t.check("search server: no sanitizer report in its stderr", lambda: expect_no_sanitizer(srv.stderr(), "search server"))


def _page(t, srv):
    def zakharova():
        doc, path = page(srv, "Zakharova")
        urls = result_links(doc)
        expect(urls, "%s: no results" % path)
        expect_eq(urls[0], TOP_URL, "%s: first result" % path)
        first = doc.find("article", cls="search-result")
        mark = first.find("mark")
        expect(mark is not None, "%s: no <mark> in the first result" % path)
        expect_eq(mark.text().lower(), "zakharova", "%s: marked text" % path)
        heading = doc.find("h2", id="search-heading")
        expect(heading is not None and "for ‹Zakharova›" in heading.text(), "%s: no 'N results for ‹Zakharova›' heading" % path)
        box = doc.find("input", id="search-q")
        expect_eq(box.get("value"), "Zakharova", "%s: query echoed in the input" % path)
        header_form = doc.find("form", role="search", action="/search")
        expect(header_form is not None and header_form.find("input", name="q") is not None,
               "%s: no role=search form with an input named q" % path)

    t.check("search page: 'Zakharova' → the top story first, the match in <mark>, the query echoed", zakharova)

    def layout_box():
        doc = expect_html(srv.get("/"), "GET /")
        form = doc.find("form", role="search")
        expect(form is not None, "GET /: no <form role=search> in the page")
        expect_eq(form.get("action"), "/search", "GET /: search form action")
        expect_eq((form.get("method") or "").lower(), "get", "GET /: search form method")
        field = form.find("input", name="q")
        expect(field is not None, "GET /: the search form has no input named q")
        label = form.find("label", **{"for": field.get("id")})
        expect(label is not None and label.text().strip(), "GET /: the search input has no label")

    t.check("layout: every page has a labelled search box (GET form to /search, role=search)", layout_box)

    def phrase_and_prefix():
        body = api(srv, '"Gaza Strip"')
        expect(body["total"] >= 1, "'\"Gaza Strip\"': no results")
        for r in body["results"]:
            text = r["snippet_html"].lower() + " " + r["headline"].lower() + " " + (r["lead"] or "").lower()
            expect("gaza" in text, "'\"Gaza Strip\"': result %s mentions no Gaza: %r" % (r["slug"], r["snippet_html"]))
        # the phrase in the other order is another phrase
        reverse = api(srv, '"Strip Gaza"')
        expect(reverse["total"] < body["total"], "'\"Strip Gaza\"' finds as much as '\"Gaza Strip\"'")
        # phrases are looked up by their word pairs (migration 11); a phrase whose last word
        # is a prefix still finds at least what the whole phrase finds
        prefixed = api(srv, '"Gaza Str"*')
        expect(prefixed["total"] >= body["total"],
               "'\"Gaza Str\"*' finds %d, fewer than '\"Gaza Strip\"' (%d)" % (prefixed["total"], body["total"]))
        prefix = api(srv, "Zakhar*")
        expect(prefix["total"] >= 1 and prefix["results"][0]["slug"] == TOP,
               "'Zakhar*': the top story is not first: %r" % [r["slug"] for r in prefix["results"]])
        expect("<mark>" in prefix["results"][0]["snippet_html"], "'Zakhar*': no <mark> in the snippet")
        none = api(srv, "Zakhar")
        expect_eq(none["total"], 0, "'Zakhar' (no star) is a whole word, matching nothing")

    t.check("search: a \"phrase\" stays a phrase; a trailing * makes a prefix query", phrase_and_prefix)

    def topic_filter():
        everything = api(srv, "Hamas", limit=100)
        only = api(srv, "Hamas", limit=100, topic=GAZA_TOPIC)
        expect(0 < only["total"] <= everything["total"], "topic filter: %d of %d" % (only["total"], everything["total"]))
        for r in only["results"]:
            expect(GAZA_TOPIC in [x["slug"] for x in r["topics"]], "topic filter: %s is not in %s" % (r["slug"], GAZA_TOPIC))
        doc, path = page(srv, "Hamas", topic=GAZA_TOPIC)
        expect_eq(len(result_links(doc)), min(only["total"], 24), "%s: number of results" % path)
        selected = [o for o in doc.find("select", name="topic").find_all("option") if o.get("selected") is not None]
        expect(len(selected) == 1 and selected[0].get("value") == GAZA_TOPIC, "%s: the topic is not selected in the filter" % path)
        api(srv, "Hamas", 404, topic="no-such-topic")

    t.check("search: ?topic=SLUG keeps the results to that topic (page and API)", topic_filter)

    def pagination():
        first = api(srv, "the", limit=5)
        expect(first["total"] > 10, "'the': only %d results" % first["total"])
        expect_eq(first["pages"], (first["total"] + 4) // 5, "'the': pages")
        second = api(srv, "the", limit=5, page=2)
        expect_eq(second["page"], 2, "'the' page 2: page")
        a = [r["slug"] for r in first["results"]]
        b = [r["slug"] for r in second["results"]]
        expect(len(a) == 5 and len(b) == 5 and not set(a) & set(b), "pages 1 and 2 overlap: %r / %r" % (a, b))
        doc, path = page(srv, "the")
        nav = doc.find("nav", cls="pagination")
        expect(nav is not None, "%s: no pagination" % path)
        nxt = nav.find("a", rel="next")
        expect(nxt is not None, "%s: no next link" % path)
        href = nxt.get("href")
        parsed = urllib.parse.parse_qs(urllib.parse.urlparse(href).query)
        expect(parsed.get("q") == ["the"] and parsed.get("page") == ["2"], "%s: next link %r loses the query" % (path, href))
        doc2 = expect_html(srv.get(href), "GET " + href)
        expect(result_links(doc2) and not set(result_links(doc2)) & set(result_links(doc)), "%s: page 2 repeats page 1" % href)

    t.check("search: results are paginated (API page/pages; page links keep q)", pagination)

    def no_results_and_prompt():
        doc, path = page(srv, "xylophonequartz")
        expect(not result_links(doc), "%s: results for nonsense" % path)
        expect(doc.find("p", cls="empty") is not None, "%s: no friendly 'no results' message" % path)
        doc, path = page(srv, "")
        expect(doc.find("p", cls="empty") is not None, "%s: no prompt for an empty search" % path)
        expect_html(srv.get("/search"), "GET /search")

    t.check("search page: no results → a friendly message; nothing typed → a prompt (200)", no_results_and_prompt)

    def xss():
        evil = '<script>alert("x")</script>'
        r = srv.get("/search" + q(evil))
        expect_html(r, "GET /search?q=<script>")
        expect("<script>alert" not in r.text, "the query is echoed unescaped")
        expect("&lt;script&gt;" in r.text, "the query is not echoed escaped")

    t.check("search page: <script> in q is escaped wherever it is echoed", xss)


def _api(t, srv):
    def shape():
        body = api(srv, "Zakharova")
        expect_eq(sorted(body), ["limit", "next_cursor", "page", "pages", "partial", "query", "results", "total"], "API keys")
        expect_eq(body["partial"], False, "API: a small site is searched whole (partial false)")
        expect_eq(body["query"], "Zakharova", "API query")
        expect_eq(body["page"], 1, "API page")
        expect(body["total"] >= 1 and body["results"][0]["slug"] == TOP, "API: the top story is not first")
        r = body["results"][0]
        for field in SUMMARY_FIELDS + ["snippet_html"]:
            expect(field in r, "API result lacks %r: %r" % (field, sorted(r)))
        expect("<mark>Zakharova</mark>" in r["snippet_html"], "API snippet: %r" % r["snippet_html"])
        expect_eq(srv.get("/api/v1/search?q=Zakharova").content_type.split(";")[0], "application/json", "content type")

    t.check("API: GET /api/v1/search → {query,total,partial,page,pages,limit,next_cursor,results:[summary + snippet_html]}", shape)

    def errors():
        body = api(srv, "", 400)
        expect("search" in body["error"].lower() or "type" in body["error"].lower(), "empty q: %r" % body)
        expect_json_error(srv.get("/api/v1/search"), "GET /api/v1/search (no q)", 400)
        body = api(srv, "a" * 300, 400)
        expect("too long" in body["error"].lower(), "300 chars: %r" % body)
        api(srv, "ferry", 400, limit=0)
        api(srv, "ferry", 400, limit=101)
        api(srv, "ferry", 400, page="x")

    t.check("API: empty q, a 300-byte q, bad limit/page → 400 JSON with a message", errors)


def _hostile(t, srv):
    hostile = ['"unbalanced', "AND OR NOT", "col:term", "^x", "NEAR(a b)", "*", '"', '""', "a" * 300,
               "OR", "NOT Gaza", "-Gaza", "Gaza +Strip", "(Gaza", "headline:Gaza", "{headline}:x",
               "Gaza*Strip", "' OR 1=1 --", "\\", "%", "\x01", " ", "日本", "é*", "«»"]

    def never_500():
        bad = []
        for text in hostile:
            for base in ("/search", "/api/v1/search"):
                path = base + q(text)
                r = srv.get(path)
                if r.status not in (200, 400):
                    bad.append("%s → %d" % (path, r.status))
                elif r.status == 400:
                    if base == "/search":
                        doc = expect_html(r, "GET " + path, status=400)
                        msg = doc.find("p", cls="search-message")
                        if msg is None or not msg.text().strip():
                            bad.append("%s → 400 without a message" % path)
                    else:
                        expect_json_error(r, "GET " + path, 400)
        for raw in ("%FF", "%C3", "Gaza%FF", "%ED%A0%80", "%00", "%22%FF"):
            for base in ("/search", "/api/v1/search"):
                path = base + "?q=" + raw
                r = srv.get(path)
                if r.status not in (200, 400):
                    bad.append("%s → %d: %s" % (path, r.status, snippet(r, 120)))
        expect(not bad, "hostile queries answered badly:\n  " + "\n  ".join(bad))

    t.check("search: %d hostile queries and %%FF bytes → 200 or 400 with a message, never 500" % len(hostile), never_500)

    def invalid_utf8():
        r = srv.get("/search?q=%FF")
        expect_html(r, "GET /search?q=%FF", status=400)
        body = expect_json_error(srv.get("/api/v1/search?q=%FF"), "GET /api/v1/search?q=%FF", 400)
        expect("utf-8" in body["error"].lower(), "%%FF: %r" % body)

    t.check("search: invalid UTF-8 in q → 400 (page and API)", invalid_utf8)
