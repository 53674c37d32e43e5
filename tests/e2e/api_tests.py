"""api_tests.py — the content API for apps (/api/v1, docs/api.md), on the demo site:

- the OpenAPI description (GET /api/v1/openapi.json) is kept true: every public /api/v1 route
  of src/site/routes.c is described, and a real answer of every described operation and status
  (200, 204, 400, 401, 404) is checked against its schema by a small JSON-Schema validator
  written here (type, required, properties, items, enum, nullable, allOf, $ref, maxItems,
  format date-time and uri);
- filters (topic, author, since=), cursor pagination that walks the whole list with no
  duplicate and no gap while stories are published in between, bad parameters (400);
- read keys (setting api_read_keys, `gazette api-key add|list|revoke`), and that the page cache
  never hands a keyless client an answer made for a keyed one;
- CORS (setting api_cors_origins): allowed and other origins, the OPTIONS preflight, and that
  the page cache never gives one origin's Access-Control-Allow-Origin to another;
- Cache-Control, a publish reaching cached API answers at once, and 304s."""

import datetime
import email.utils
import json
import os
import re
import time

from checks import REPO, expect, expect_eq, expect_json, expect_json_error, expect_no_sanitizer, expect_rc, expect_status
from gazette import tail

TOP = "maria-zakharova-hamas-visited-moscow"
TOPIC = "the-war-in-israel"
ORIGIN_A, ORIGIN_B, ORIGIN_EVIL = "https://app.example", "https://b.example", "https://evil.example"
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


# ---- a small JSON-Schema validator (the subset the description uses) ---------------------------

class Schema:
    def __init__(self, doc):
        self.doc = doc

    def resolve(self, s):
        while "$ref" in s:
            ref = s["$ref"]
            expect(ref.startswith("#/"), "unsupported $ref %r" % ref)
            node = self.doc
            for part in ref[2:].split("/"):
                node = node[part]
            s = node
        return s

    def errors(self, value, s, where="$"):
        """Every way value breaks schema s, as 'path: reason' lines."""
        s = self.resolve(s)
        out = []
        if value is None:
            if s.get("nullable") or not s:
                return out
            if "allOf" in s and all(self.resolve(x).get("nullable") for x in s["allOf"]):
                return out
            return ["%s: null where %s is expected" % (where, s.get("type", "a value"))]
        for sub in s.get("allOf", []):
            out += self.errors(value, sub, where)
        kind = s.get("type")
        types = {"object": dict, "array": list, "string": str, "boolean": bool}
        if kind in types and not isinstance(value, types[kind]):
            return out + ["%s: %r is not of type %s" % (where, value, kind)]
        if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
            return out + ["%s: %r is not an integer" % (where, value)]
        if kind == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
            return out + ["%s: %r is not a number" % (where, value)]
        if "enum" in s and value not in s["enum"]:
            out.append("%s: %r is not one of %r" % (where, value, s["enum"]))
        fmt = s.get("format")
        if fmt == "date-time" and not DATE_TIME.match(value):
            out.append("%s: %r is not an RFC 3339 date-time" % (where, value))
        if fmt == "uri" and not re.match(r"^[a-z][a-z0-9+.-]*://[^\s/]+(/\S*)?$", value):
            out.append("%s: %r is not an absolute URI" % (where, value))
        if isinstance(value, dict):
            for key in s.get("required", []):
                if key not in value:
                    out.append("%s: required %r missing" % (where, key))
            for key, sub in s.get("properties", {}).items():
                if key in value:
                    out += self.errors(value[key], sub, "%s.%s" % (where, key))
        if isinstance(value, list):
            if "maxItems" in s and len(value) > s["maxItems"]:
                out.append("%s: %d items, at most %d allowed" % (where, len(value), s["maxItems"]))
            for i, item in enumerate(value):
                out += self.errors(item, s.get("items", {}), "%s[%d]" % (where, i))
        return out

    def check(self, value, s, what):
        errs = self.errors(value, s)
        expect(not errs, "%s does not match its schema:\n  %s" % (what, "\n  ".join(errs[:8])))


def _self_test():
    """The validator itself rejects what it must (so that a pass means something)."""
    doc = {"components": {"schemas": {"T": {"type": "object", "required": ["a"], "properties": {
        "a": {"type": "integer"}, "b": {"type": "string", "nullable": True, "format": "date-time"},
        "c": {"type": "array", "items": {"type": "string", "enum": ["x"]}}, "u": {"type": "string", "format": "uri"}}}}}}
    v, t = Schema(doc), {"$ref": "#/components/schemas/T"}
    expect(not v.errors({"a": 1, "b": None, "c": ["x"], "u": "https://e.org/x"}, t), "a valid value refused")
    for bad in ({}, {"a": "1"}, {"a": True}, {"a": 1, "b": "yesterday"}, {"a": 1, "c": ["y"]}, {"a": 1, "c": "x"},
                {"a": 1, "u": "/relative"}, None, []):
        expect(v.errors(bad, t), "the validator let %r through" % (bad,))


# ---- helpers -------------------------------------------------------------------------------------

def _routes():
    """(method, pattern) of every route in src/site/routes.c's route table."""
    with open(os.path.join(REPO, "src", "site", "routes.c"), encoding="utf-8") as f:
        text = f.read()
    table = text[text.index("site_routes[]"):text.index("site_n_routes")]
    return re.findall(r'\{"([A-Z]+)", "([^"]+)"', table)


def _story(gz, name, headline, slug, published, topics="API Desk", authors="API Reporter"):
    path = gz.path(name)
    with open(path, "w", encoding="utf-8") as f:
        f.write("---\nheadline: %s\nslug: %s\ntopics: %s\nauthors: %s\npublished: %s\n---\nA story the API tests write.\n"
                % (headline, slug, topics, authors, published))
    return path


def _setting(gz, db, key, value):
    expect_rc(gz.run("settings", "set", "--db", db, key, value), 0, "settings set %s %s" % (key, value))


def _walk(srv, first, headers=None, between=None):
    """Slugs of every page from first on, following next_cursor (and checking the Link header
    names the same page); between(n) is called after page n."""
    slugs, path, n = [], first, 0
    while path:
        body = expect_json(srv.get(path, headers=headers), "GET " + path)
        slugs += [a["slug"] for a in body["articles"]]
        link = srv.get(path, headers=headers).header("Link")
        n += 1
        if body["next_cursor"] is None:
            expect(link is None, "the last page has a Link header: %r" % link)
            break
        expect(link and "cursor=%s" % body["next_cursor"] in link and link.endswith('>; rel="next"'),
               "Link header %r does not name next_cursor %r" % (link, body["next_cursor"]))
        expect(n < 200, "the walk does not end")
        path = link[link.index("/api/v1/"):link.index(">")]
        if between:
            between(n)
    return slugs


def run(t, gz):
    db = gz.path("api.db")
    srv = gz.server("api server", "demo", "--db", db)
    t.check("api: `gazette demo --db TMP/api.db` starts", srv.start)
    try:
        doc = _openapi(t, srv)
        if doc:
            _schemas(t, gz, db, srv, doc)
        _lists(t, gz, db, srv)
        _keys(t, gz, db, srv)
        _cors(t, gz, db, srv)
        _caching(t, gz, db, srv)
    finally:
        def stop():
            rc = srv.stop(grace=10)
            expect_eq(rc, 0, "api server exit status after SIGTERM\nstderr: %s" % tail(srv.stderr()))

        t.check("api server: SIGTERM → exit 0", stop)
        if gz.sanitized:
            t.check("api server: no sanitizer report in its stderr", lambda: expect_no_sanitizer(srv.stderr(), "api server"))


# ---- the OpenAPI description ---------------------------------------------------------------------

def _openapi(t, srv):
    got = {}

    def served():
        r = srv.get("/api/v1/openapi.json")
        doc = expect_json(r, "GET /api/v1/openapi.json")
        expect(str(doc.get("openapi", "")).startswith(("3.0", "3.1")), "openapi version %r" % doc.get("openapi"))
        for key in ("info", "paths", "components"):
            expect(key in doc, "no %r in the description" % key)
        with open(os.path.join(REPO, "src", "api", "openapi.json"), "rb") as f:
            expect_eq(r.body, f.read(), "the served description vs src/api/openapi.json")
        got["doc"] = doc

    t.check("api: GET /api/v1/openapi.json is the JSON of src/api/openapi.json", served)

    def every_route():
        doc = got["doc"]
        # the browser-only POSTs of Web Push (subscribe, unsubscribe: same-origin pages only) are
        # described in docs/push.md, not here
        public = [(m, p) for m, p in _routes() if p.startswith("/api/v1/") and not p.startswith("/api/v1/admin/")
                  and not (m == "POST" and p.startswith("/api/v1/push/"))]
        expect(len(public) >= 9, "too few public API routes found in routes.c: %r" % public)
        missing = []
        for method, pattern in public:
            item = doc["paths"].get(pattern)
            if not item or method.lower() not in item:
                missing.append("%s %s" % (method, pattern))
        expect(not missing, "routes not described in openapi.json: %s" % missing)
        for p in doc["paths"]:
            expect(any(p == pat for _, pat in public), "openapi.json describes %s, which routes.c does not have" % p)

    t.check("api: every public /api/v1 route of routes.c is described in openapi.json (and nothing else)", every_route)
    t.check("api: the test's JSON-Schema validator refuses what it must", _self_test)
    return got.get("doc")


def _request_for(path, status):
    """A request (target, headers) whose answer should have the given status, or None when
    none can be made. {slug} is left for the caller to fill with a real one."""
    concrete = path
    query = {"/api/v1/search": "?q=ferry"}.get(path, "")
    if status == "404":
        if "{slug}" in path:
            return path.replace("{slug}", "no-such-thing-here"), {}
        return (path + (query + "&" if query else "?") + "topic=no-such-topic"), {}
    if status == "400":
        return (path + (query + "&" if query else "?") + "limit=0"), {}
    if status in ("200", "401"):
        return concrete + query, {}
    if status == "204":
        return concrete, {"Origin": ORIGIN_A, "Access-Control-Request-Method": "GET"}
    return None


def _schemas(t, gz, db, srv, doc):
    v = Schema(doc)
    story = expect_json(srv.get("/api/v1/articles/" + TOP), "GET one")
    slugs = {"articles": TOP, "topics": story["topics"][0]["slug"], "authors": story["authors"][0]["slug"]}

    def substitute(path):
        for part, slug in slugs.items():
            if path.startswith("/api/v1/%s/{slug}" % part):
                return path.replace("{slug}", slug)
        return path

    def operations(statuses):
        for path, item in doc["paths"].items():
            for method, op in item.items():
                for status, answer in op["responses"].items():
                    if status in statuses:
                        yield path, method, status, answer

    def schema_of(answer):
        return answer.get("content", {}).get("application/json", {}).get("schema")

    def check(statuses, headers=None):
        done = 0
        for path, method, status, answer in operations(statuses):
            req = _request_for(path, status)
            expect(req is not None, "no request made for %s %s → %s" % (method, path, status))
            target, more = req
            target = substitute(target)
            h = dict(headers or {}, **more)
            r = srv.request(method.upper(), target, headers=h)
            what = "%s %s" % (method.upper(), target)
            expect_status(r, int(status), what)
            if status == "204":
                expect_eq(r.body, b"", what + ": body of a 204")
            else:
                s = schema_of(answer)
                expect(s is not None, "%s %s → %s has no JSON schema" % (method, path, status))
                v.check(expect_json(r, what, int(status)), s, what)
            done += 1
        return done

    def public_answers():
        n = check({"200", "204", "400", "404"})
        t.diag("openapi: %d real answers validated against their schemas" % n)
        # the answers that matter most, with every optional part present
        for target in ("/api/v1/articles?limit=3&topic=%s" % TOPIC, "/api/v1/articles?limit=2&page=3",
                       "/api/v1/search?q=Zakharova&topic=%s" % TOPIC):
            path = target.split("?")[0]
            v.check(expect_json(srv.get(target), target), schema_of(doc["paths"][path]["get"]["responses"]["200"]), target)

    t.check("api: every described 200/204/400/404 answer matches its schema in openapi.json", public_answers)

    def unauthorised():
        _setting(gz, db, "api_read_keys", "required")
        try:
            n = check({"401"})
            expect(n >= 7, "only %d operations describe a 401" % n)
            for path, item in doc["paths"].items():
                if "401" not in item["get"]["responses"]:
                    expect_status(srv.get(substitute(path)), 200, "GET %s (needs no key)" % path)
        finally:
            _setting(gz, db, "api_read_keys", "off")

    t.check("api: with read keys required, every described 401 matches the Error schema", unauthorised)


# ---- lists, filters, pagination -----------------------------------------------------------------

def _lists(t, gz, db, srv):
    def shape_kept():
        body = expect_json(srv.get("/api/v1/articles"), "GET /api/v1/articles")
        for key in ("articles", "page", "pages", "limit", "total", "next_cursor"):
            expect(key in body, "no %r in the answer" % key)
        expect_eq((body["page"], body["limit"], len(body["articles"])), (1, 20, 20), "(page, limit, stories)")
        expect(isinstance(body["next_cursor"], str), "no next_cursor on page 1")
        a = body["articles"][0]
        expect(a["canonical_url"].endswith(a["url"]) and a["canonical_url"].startswith("http"), "canonical_url %r" % a["canonical_url"])

    t.check("api: /api/v1/articles keeps articles/page/pages/limit/total and adds next_cursor", shape_kept)

    def one_story():
        a = expect_json(srv.get("/api/v1/articles/" + TOP), "GET one")
        for key in ("body_html", "lead", "kicker", "image", "topics", "authors", "published_at", "updated_at", "canonical_url", "related"):
            expect(key in a, "no %r in the story" % key)
        expect(a["image"]["absolute_url"].startswith("http") and a["image"]["absolute_url"].endswith(a["image"]["url"]),
               "image.absolute_url %r" % a["image"]["absolute_url"])
        for key in ("caption", "credit", "alt"):
            expect(a["image"].get(key), "image has no %s" % key)
        expect_eq(len(a["related"]), 4, "related stories")
        page = srv.get("/news/%s/" % TOP).text
        block = page[page.index('class="related'):]
        positions = [block.find('href="/news/%s/"' % r["slug"]) for r in a["related"]]
        expect(all(p >= 0 for p in positions) and positions == sorted(positions),
               "related stories are not the page's 'You May Also Like', in order: %r" % [r["slug"] for r in a["related"]])

    t.check("api: /api/v1/articles/{slug} has body, image with absolute URL, canonical URL and the page's related stories", one_story)

    def everything():
        out, page = [], 1
        while True:
            body = expect_json(srv.get("/api/v1/articles?limit=100&page=%d" % page), "page %d" % page)
            out += [a["slug"] for a in body["articles"]]
            if page >= body["pages"]:
                return out
            page += 1

    state = {}

    def cursor_walk():
        before = everything()
        state["before"] = before
        # t0: the next whole second; every story saved so far has an earlier updated_at, every
        # story saved from now on a later or equal one
        state["t0"] = int(time.time()) + 1
        time.sleep(state["t0"] - time.time() + 0.05)
        added = []

        def publish(n):
            if n == 2:  # a new story on top, and a backdated one behind the cursor
                now = datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
                expect_rc(gz.run("article", "add", "--db", db, _story(gz, "api-new.md", "API test: published during the walk", "api-new", now)), 0, "add")
                expect_rc(gz.run("article", "add", "--db", db, _story(gz, "api-old.md", "API test: an old story filed late", "api-old", "2001-01-01T00:00:00Z")), 0, "add")
                added.extend(["api-new", "api-old"])

        walked = _walk(srv, "/api/v1/articles?limit=7", between=publish)
        dupes = sorted({s for s in walked if walked.count(s) > 1})
        expect(not dupes, "stories seen twice in the walk: %s" % dupes)
        expect_eq(added, ["api-new", "api-old"], "stories published during the walk")
        expect_eq(walked, before + ["api-old"], "the walk (all stories there before, in order, then the backdated one)")
        state["after"] = everything()
        expect_eq(state["after"][0], "api-new", "the new story heads the list afterwards")
        t.diag("api: cursor walk of %d stories, 7 at a time, two published during it" % len(walked))

    t.check("api: cursor pagination walks every story once, in order, while stories are published in between", cursor_walk)

    def filters():
        after = expect_json(srv.get("/api/v1/articles?limit=100&topic=" + TOPIC), "topic")
        expect(after["articles"] and all(TOPIC in [x["slug"] for x in a["topics"]] for a in after["articles"]), "topic filter")
        walked = _walk(srv, "/api/v1/articles?limit=3&topic=" + TOPIC)
        expect_eq(walked, [a["slug"] for a in after["articles"]], "cursor walk of one topic vs its list")
        author = expect_json(srv.get("/api/v1/articles/" + TOP), "one")["authors"][0]["slug"]
        by = expect_json(srv.get("/api/v1/articles?limit=100&author=" + author), "author")
        expect(by["articles"] and all(author in [x["slug"] for x in a["authors"]] for a in by["articles"]), "author filter")
        expect_eq(by["total"], len(by["articles"]), "author total")
        both = expect_json(srv.get("/api/v1/articles?limit=100&author=%s&topic=%s" % (author, TOPIC)), "both")
        expect(TOP in [a["slug"] for a in both["articles"]], "topic+author misses the top story")

    t.check("api: ?topic= and ?author= (alone, together, and walked by cursor) keep only their stories", filters)

    def since():
        if "t0" not in state:
            raise AssertionError("needs the cursor walk")
        t0 = state["t0"]
        iso = datetime.datetime.utcfromtimestamp(t0).strftime("%Y-%m-%dT%H:%M:%SZ")
        for q in (str(t0), iso, iso.replace("Z", "+00:00"), datetime.datetime.utcfromtimestamp(t0 + 3600).strftime("%Y-%m-%dT%H:%M:%S+01:00")):
            body = expect_json(srv.get("/api/v1/articles?since=" + q.replace("+", "%2B")), "since=" + q)
            expect_eq(sorted(a["slug"] for a in body["articles"]), ["api-new", "api-old"], "stories since %s" % q)
        body = expect_json(srv.get("/api/v1/articles?since=0&limit=1"), "since=0")
        expect_eq(body["total"], len(state["after"]), "since=0 keeps every story")

    t.check("api: ?since= (unix seconds or RFC 3339 with Z or offset) keeps stories published or updated since", since)

    def bad():
        for q in ("limit=0", "limit=101", "limit=x", "page=0", "cursor=", "cursor=abc", "cursor=%00", "cursor=" + "A" * 300,
                  "cursor=MTY5ODI0OTYwMC44OQ&page=2", "since=", "since=yesterday", "since=2023-13-01", "since=-5",
                  "since=99999999999999999999", "since=2023-10-26T25:00:00Z"):
            body = expect_json_error(srv.get("/api/v1/articles?" + q), "GET /api/v1/articles?" + q, 400)
            expect(len(body["error"]) > 15, "unclear message for %s: %r" % (q, body["error"]))
        for q in ("topic=nope", "author=nope", "author=../x"):
            expect_json_error(srv.get("/api/v1/articles?" + q), "GET /api/v1/articles?" + q, 404)
        for p in ("/api/v1/topics/nope", "/api/v1/authors/nope", "/api/v1/topics/..%2Fx", "/api/v1/articles/nope"):
            expect_json_error(srv.get(p), "GET " + p, 404)
        expect_json_error(srv.get("/api/v1/search?q=ferry&cursor=zzz"), "search with a bad cursor", 400)

    t.check("api: bad limit, page, cursor or since → 400 JSON with a clear message; unknown topic/author → 404", bad)

    def directory():
        topics = expect_json(srv.get("/api/v1/topics"), "topics")["topics"]
        one = next(x for x in topics if x["slug"] == TOPIC)
        listed = expect_json(srv.get("/api/v1/articles?limit=1&topic=" + TOPIC), "topic list")
        expect_eq(one["article_count"], listed["total"], "article_count of the topic vs the list's total")
        page = expect_json(srv.get("/api/v1/topics/" + TOPIC), "one topic")
        expect_eq(page["topic"]["slug"], TOPIC, "topic slug")
        expect_eq([a["slug"] for a in page["articles"]], [a["slug"] for a in expect_json(srv.get("/api/v1/articles?limit=10&topic=" + TOPIC), "x")["articles"]], "the topic's newest stories")
        authors = expect_json(srv.get("/api/v1/authors"), "authors")["authors"]
        expect("api-reporter" in [a["slug"] for a in authors], "the new author is not listed")
        expect_eq(expect_json(srv.get("/api/v1/authors/api-reporter"), "author")["author"]["article_count"], 2, "stories of api-reporter")

    t.check("api: /api/v1/topics, /topics/{slug}, /authors, /authors/{slug} with counts that match the lists", directory)

    def search():
        body = expect_json(srv.get("/api/v1/search?q=the&limit=5"), "search")
        expect(body["next_cursor"] and body["limit"] == 5, "search: no next_cursor / limit")
        seen, path = [], "/api/v1/search?q=the&limit=5"
        for _ in range(3):
            r = srv.get(path)
            body = expect_json(r, path)
            seen += [a["slug"] for a in body["results"]]
            link = r.header("Link")
            path = link[link.index("/api/v1/"):link.index(">")]
        paged = []
        for p in (1, 2, 3):
            paged += [a["slug"] for a in expect_json(srv.get("/api/v1/search?q=the&limit=5&page=%d" % p), "page")["results"]]
        expect_eq(seen, paged, "search pages by cursor vs by page number")
        topic = expect_json(srv.get("/api/v1/search?q=Hamas&topic=" + TOPIC), "search topic")
        expect(topic["results"] and all(TOPIC in [x["slug"] for x in a["topics"]] for a in topic["results"]), "search topic filter")

    t.check("api: /api/v1/search pages by cursor and Link like the list, and filters by topic", search)


# ---- read keys ----------------------------------------------------------------------------------

def _keys(t, gz, db, srv):
    state = {}

    def cli():
        r = gz.run("api-key", "add", "phone-app", "--db", db)
        expect_rc(r, 0, "api-key add")
        key = r.stdout.strip()
        expect(re.match(r"^gzk_[0-9a-f]{64}$", key), "api-key add printed %r" % key)
        expect_rc(gz.run("api-key", "add", "web", "--db", db), 0, "api-key add web")
        dup = gz.run("api-key", "add", "phone-app", "--db", db)
        expect(dup.rc == 1 and "exists" in dup.stderr, "a second key with the same name: %s" % dup.describe())
        expect_eq(gz.run("api-key", "add", "bad name!", "--db", db).rc, 2, "api-key add with a bad name")
        listed = gz.run("api-key", "list", "--db", db)
        expect_rc(listed, 0, "api-key list")
        expect_eq([l.split("\t")[0] for l in listed.stdout.splitlines()], ["phone-app", "web"], "api-key list names")
        expect(key not in listed.stdout and key[4:] not in listed.stdout, "api-key list shows the key")
        with open(db, "rb") as f:
            expect(key.encode() not in f.read(), "the key itself is stored in the database")
        state["key"] = key

    t.check("api: `gazette api-key add` prints a key once; list shows names only; the key is not stored", cli)

    def required():
        key = state["key"]
        path = "/api/v1/articles?limit=3"
        for _ in range(2):  # made and kept by the cache while keys are off
            r = srv.get(path)
            expect_status(r, 200, "keys off, no key")
        expect("public" in r.header("Cache-Control", ""), "Cache-Control with keys off: %r" % r.header("Cache-Control"))
        _setting(gz, db, "api_read_keys", "required")
        try:
            for headers in ({}, {"X-Api-Key": "gzk_" + "0" * 64}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic " + key}):
                r = srv.get(path, headers=headers)
                expect_json_error(r, "keys required, %r" % headers, 401)
                expect(r.header("WWW-Authenticate", "").startswith("Bearer"), "401 without WWW-Authenticate: Bearer")
            for headers in ({"Authorization": "Bearer " + key}, {"X-Api-Key": key}, {"Authorization": "bearer " + key}):
                r = srv.get(path, headers=headers)
                expect_json(r, "keys required, %r" % list(headers))
                expect("private" in r.header("Cache-Control", ""), "a keyed answer is not private: %r" % r.header("Cache-Control"))
            # a keyed X-Api-Key request goes through the page cache's door: a keyless one after it must not get its copy
            for _ in range(3):
                expect_status(srv.get(path, headers={"X-Api-Key": key}), 200, "with the key")
                expect_json_error(srv.get(path), "without a key after a keyed request", 401)
            expect_status(srv.request("HEAD", path), 401, "HEAD without a key")
            expect_status(srv.get("/api/v1/openapi.json"), 200, "the description needs no key")
            expect_status(srv.get("/"), 200, "the site's pages need no key")
            expect_rc(gz.run("api-key", "revoke", "phone-app", "--db", db), 0, "api-key revoke")
            expect_json_error(srv.get(path, headers={"X-Api-Key": key}), "a revoked key", 401)
            expect_eq(gz.run("api-key", "revoke", "phone-app", "--db", db).rc, 1, "revoking it again")
            expect_eq([l.split("\t")[0] for l in gz.run("api-key", "list", "--db", db).stdout.splitlines()], ["web"], "list after revoke")
        finally:
            _setting(gz, db, "api_read_keys", "off")
        expect_status(srv.get(path), 200, "keys off again")

    t.check("api: api_read_keys required → 401 + WWW-Authenticate without a valid key, 200 (private) with one; "
            "the page cache never serves a keyless client; revoke works at once", required)


# ---- CORS ---------------------------------------------------------------------------------------

def _cors(t, gz, db, srv):
    def per_origin():
        _setting(gz, db, "api_cors_origins", "%s %s" % (ORIGIN_A, ORIGIN_B))
        token = gz.run("admin-token", "--db", db).stdout.strip().split()[-1]
        hits = lambda: expect_json(srv.get("/api/v1/admin/cache", headers={"Authorization": "Bearer " + token}), "cache figures")["hits"]
        path = "/api/v1/articles?limit=2&cors=1"
        before = hits()
        for round_ in range(3):  # later rounds come from the page cache
            for origin, want in ((ORIGIN_A, ORIGIN_A), (None, None), (ORIGIN_B, ORIGIN_B), (ORIGIN_EVIL, None), ("null", None)):
                r = srv.get(path, headers={"Origin": origin} if origin else {})
                expect_status(r, 200, "GET with Origin %r" % origin)
                expect_eq(r.header("Access-Control-Allow-Origin"), want, "Access-Control-Allow-Origin for Origin %r (round %d)" % (origin, round_ + 1))
                expect("Origin" in ", ".join(r.headers.get_all("Vary") or []), "no Vary: Origin for Origin %r" % origin)
                if want:
                    expect("Link" in r.header("Access-Control-Expose-Headers", ""), "Link not exposed")
        expect(hits() - before >= 10, "the page cache answered only %d of the 15 requests: this proves nothing" % (hits() - before))
        r = srv.get("/api/v1/articles/nope", headers={"Origin": ORIGIN_A})
        expect_json_error(r, "a 404 to an allowed origin", 404)
        expect_eq(r.header("Access-Control-Allow-Origin"), ORIGIN_A, "CORS on an error")

    t.check("api: CORS: each allowed origin gets its own Access-Control-Allow-Origin, others none, "
            "also from the page cache (3 rounds)", per_origin)

    def preflight():
        h = {"Origin": ORIGIN_A, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}
        for path in ("/api/v1/articles", "/api/v1/articles/" + TOP, "/api/v1/topics", "/api/v1/search"):
            r = srv.request("OPTIONS", path, headers=h)
            expect_status(r, 204, "OPTIONS " + path)
            expect_eq(r.header("Access-Control-Allow-Origin"), ORIGIN_A, "preflight origin")
            for name, part in (("Access-Control-Allow-Methods", "GET"), ("Access-Control-Allow-Headers", "Authorization"),
                               ("Access-Control-Allow-Headers", "X-Api-Key")):
                expect(part in r.header(name, ""), "%s: %r lacks %s" % (name, r.header(name), part))
            expect(int(r.header("Access-Control-Max-Age", "0")) > 0, "no Access-Control-Max-Age")
        r = srv.request("OPTIONS", "/api/v1/articles", headers=dict(h, Origin=ORIGIN_EVIL))
        expect_status(r, 204, "preflight from another origin")
        expect(r.header("Access-Control-Allow-Origin") is None and r.header("Access-Control-Allow-Methods") is None,
               "another origin got CORS headers in the preflight")
        expect_status(srv.request("OPTIONS", "/api/v1/nothing", headers=h), 404, "OPTIONS /api/v1/nothing")
        expect_status(srv.request("OPTIONS", "/api/v1/admin/cache", headers=h), 405, "OPTIONS /api/v1/admin/cache")
        expect_status(srv.request("OPTIONS", "/", headers=h), 405, "OPTIONS /")

    t.check("api: OPTIONS preflight → 204 with Allow-Origin/Methods/Headers/Max-Age for an allowed origin, none for others", preflight)

    def star():
        _setting(gz, db, "api_cors_origins", "*")
        try:
            for origin in (ORIGIN_EVIL, None):
                r = srv.get("/api/v1/topics", headers={"Origin": origin} if origin else {})
                expect_eq(r.header("Access-Control-Allow-Origin"), "*", "Allow-Origin with '*' for %r" % origin)
        finally:
            _setting(gz, db, "api_cors_origins", "")
        r = srv.get("/api/v1/topics", headers={"Origin": ORIGIN_A})
        expect(r.header("Access-Control-Allow-Origin") is None, "CORS headers with the setting emptied")

    t.check("api: api_cors_origins '*' → Access-Control-Allow-Origin: * for all; empty → none", star)


# ---- caching ------------------------------------------------------------------------------------

def _caching(t, gz, db, srv):
    def cache_control():
        for path in ("/api/v1/articles", "/api/v1/articles/" + TOP, "/api/v1/topics", "/api/v1/authors/api-reporter",
                     "/api/v1/search?q=ferry", "/api/v1/topics/" + TOPIC):
            r = srv.get(path)
            cc = r.header("Cache-Control", "")
            expect("public" in cc and "max-age=60" in cc, "%s: Cache-Control %r" % (path, cc))
        r = srv.get("/api/v1/articles/" + TOP)
        lm = r.headers.get_all("Last-Modified")
        expect(lm and email.utils.parsedate_to_datetime(lm[0]), "no Last-Modified on a story: %r" % lm)
        expect(srv.get("/api/v1/nope").header("Cache-Control") == "no-store", "an error is cacheable")

    t.check("api: public reads say Cache-Control: public, max-age=60 and carry Last-Modified; errors no-store", cache_control)

    def publish_reaches():
        path = "/api/v1/topics/api-desk"
        before = expect_json(srv.get(path), "topic")["topic"]["article_count"]
        expect_json(srv.get(path), "topic again")  # from the cache
        listed = expect_json(srv.get("/api/v1/articles?limit=1"), "list")
        now = datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
        expect_rc(gz.run("article", "add", "--db", db, _story(gz, "api-third.md", "API test: a third story", "api-third", now)), 0, "add")
        expect_eq(expect_json(srv.get(path), "topic after")["topic"]["article_count"], before + 1, "article_count right after a publish")
        expect_eq(expect_json(srv.get("/api/v1/articles?limit=1"), "list after")["articles"][0]["slug"], "api-third", "newest story right after a publish")
        expect(listed["articles"][0]["slug"] != "api-third", "setup")

    t.check("api: a story published with the CLI is in cached API answers at once (tags)", publish_reaches)

    def not_modified():
        for path in ("/api/v1/articles/" + TOP, "/api/v1/articles?limit=5", "/api/v1/topics"):
            r = srv.get(path)
            etag = r.header("ETag")
            expect(etag, "%s: no ETag" % path)
            r2 = srv.get(path, headers={"If-None-Match": etag})
            expect_status(r2, 304, "%s with If-None-Match" % path)
            expect_eq(r2.body, b"", "body of the 304")
            lm = r.header("Last-Modified")
            expect_eq(len(r.headers.get_all("Last-Modified")), 1, "%s: Last-Modified headers" % path)
            expect_status(srv.get(path, headers={"If-Modified-Since": lm}), 304, "%s with If-Modified-Since" % path)
        etag = srv.get("/api/v1/topics").header("ETag")
        _setting(gz, db, "api_read_keys", "required")
        try:  # a conditional request without a key learns nothing either; with one, a 304
            expect_json_error(srv.get("/api/v1/topics", headers={"If-None-Match": etag}), "If-None-Match without a key", 401)
            key = gz.run("api-key", "add", "conditional", "--db", db).stdout.strip()
            keyed = srv.get("/api/v1/topics", headers={"X-Api-Key": key})
            expect_status(srv.get("/api/v1/topics", headers={"X-Api-Key": key, "If-None-Match": keyed.header("ETag")}), 304,
                          "If-None-Match with a key (an answer the page cache does not keep)")
        finally:
            _setting(gz, db, "api_read_keys", "off")

    t.check("api: If-None-Match (ETag) and If-Modified-Since (the handler's one Last-Modified) → 304; never to a client without a required key", not_modified)
