"""security_tests.py — web security of a small site: the security headers on every kind of
response (pages, errors, assets, media, API JSON, redirects, 304s, refused requests) and no
server banner; a Content-Security-Policy the default theme fits (no inline script or style,
nothing from elsewhere but images); path traversal on /assets/ and /media/ in all its
encodings, and no directory listings; request smuggling (Content-Length with
Transfer-Encoding, two lengths, codings other than chunked, bad chunk sizes) refused with 400
and the connection closed, spoken over raw sockets; and no redirect that leaves the site.
(demo_tests has the first traversal and odd-URL checks; these go further.)"""

import datetime
import os
import re

from checks import expect, expect_eq, expect_rc, expect_status, snippet
from comments_tests import encode
from gazette import parse_raw_response
from site_tests import stop_server, story, write

SLUG = "security-story"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"><rect width="4" height="3"/></svg>'
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
CSP_PARTS = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
             "base-uri 'self'", "form-action 'self'", "object-src 'none'")


def security_headers_problems(headers, what, csp_parts=CSP_PARTS):
    """headers: a mapping with .get (case-insensitive, or lower-case names for raw answers)."""
    def get(name):
        v = headers.get(name)
        return v if v is not None else headers.get(name.lower())

    bad = []
    for name, want in HEADERS.items():
        if get(name) != want:
            bad.append("%s: %s is %r, expected %r" % (what, name, get(name), want))
    if not get("Referrer-Policy"):
        bad.append("%s: no Referrer-Policy" % what)
    csp = get("Content-Security-Policy") or ""
    missing = [p for p in csp_parts if p not in csp]
    if missing:
        bad.append("%s: Content-Security-Policy %r lacks %s" % (what, csp, ", ".join(missing)))
    for banner in ("Server", "X-Powered-By"):
        if get(banner):
            bad.append("%s: a %s header gives the software away: %r" % (what, banner, get(banner)))
    return bad


def run(t, gz):
    db = gz.path("security.db")
    media = gz.path("security-media")
    src = gz.path("security-stories")
    srv = gz.server("security server", "serve", "--db", db, "--media", media)

    def setup():
        write(os.path.join(media, "pic.svg"), SVG)
        write(os.path.join(media, "sub", "inner.svg"), SVG)
        write(gz.path("outside.svg"), SVG)
        os.symlink("/etc/passwd", os.path.join(media, "passwd.svg"))
        os.symlink(gz.path("outside.svg"), os.path.join(media, "link.svg"))
        expect_rc(gz.run("init", "--db", db), 0, "gazette init")
        expect_rc(gz.run("settings", "set", "--db", db, "comments.min_seconds", "0"), 0, "settings set")
        published = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        path = story(os.path.join(src, "s.md"), "A story to attack.\n\nSee also: [[%s]]\n" % SLUG,
                     headline="Security story", topics="Security", published=published, slug=SLUG,
                     image="/media/pic.svg", alt="A black box", authors="Sam Secure")
        expect_rc(gz.run("article", "add", "--db", db, path), 0, "article add")
        srv.start()

    if not t.check("security: a site with a story and a media folder is served", setup):
        return
    try:
        _headers(t, srv)
        _traversal(t, srv)
        _smuggling(t, srv)
        _redirects(t, srv)
    finally:
        stop_server(t, gz, srv, "security server")


def _headers(t, srv):
    def every_response():
        home = srv.get("/")
        css = re.search(r'href="(/assets/style\.[0-9a-f]+\.css)"', home.text)
        expect(css, "no stylesheet link on the home page")
        bad = []
        cases = [
            ("GET", "/", None, None), ("GET", "/news/%s/" % SLUG, None, None), ("GET", "/news/nope/", None, None),
            ("GET", "/topic/security/", None, None), ("GET", "/search?q=story", None, None),
            ("GET", css.group(1), None, None), ("GET", "/api/v1/articles", None, None),
            ("GET", "/api/v1/articles/nope", None, None), ("GET", "/api/v1/search?q=story", None, None),
            ("GET", "/comments/feed.xml", None, None), ("GET", "/news/%s" % SLUG, None, None),
            ("DELETE", "/", None, None), ("HEAD", "/", None, None),
            ("POST", "/news/%s/comments" % SLUG, "comment=x", {"Content-Type": "application/x-www-form-urlencoded"}),
            ("GET", "/api/v1/admin/comments", None, None),
        ]
        statuses = set()
        for method, path, body, headers in cases:
            r = srv.request(method, path, body=body, headers=headers)
            statuses.add(r.status)
            bad += security_headers_problems(r.headers, "%s %s → %d" % (method, path, r.status))
        # media keeps its own stricter policy (an SVG opened directly runs nothing)
        r = srv.get("/media/pic.svg")
        expect_status(r, 200, "GET /media/pic.svg")
        bad += security_headers_problems(r.headers, "GET /media/pic.svg", csp_parts=("default-src 'none'",))
        expect_eq(len(r.headers.get_all("Content-Security-Policy")), 1, "Content-Security-Policy headers on a media file")
        # a 304, when the server answers conditional requests
        page = srv.get("/news/%s/" % SLUG)
        validators = {}
        if page.header("ETag"):
            validators["If-None-Match"] = page.header("ETag")
        if page.header("Last-Modified"):
            validators["If-Modified-Since"] = page.header("Last-Modified")
        if validators:
            r = srv.get("/news/%s/" % SLUG, headers=validators)
            statuses.add(r.status)
            bad += security_headers_problems(r.headers, "conditional GET → %d" % r.status)
        # a request refused before any handler runs (ambiguous framing)
        raw = srv.raw(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", timeout=5)
        status, headers, _ = parse_raw_response(raw)
        statuses.add(status)
        bad += security_headers_problems(headers, "two Content-Length headers → %s" % status)
        t.diag("security headers checked on statuses %s" % ", ".join(str(s) for s in sorted(statuses, key=str)))
        expect(not bad, "\n".join(bad))
        expect({200, 301, 400, 404, 405}.issubset(statuses), "statuses covered: %s" % sorted(statuses, key=str))

    t.check("headers: CSP, nosniff, Referrer-Policy, X-Frame-Options DENY and no Server banner on pages, "
            "errors, assets, media, API, redirects, 304s and refused requests", every_response)

    def theme_fits_csp():
        bad = []
        for path in ("/", "/news/%s/" % SLUG, "/topic/security/", "/search?q=story", "/news/nope/"):
            r = srv.get(path)
            doc = r.doc()
            for el in doc.iter():
                # a JSON-LD data block is never run, so CSP does not apply to it (feeds_tests)
                if el.tag == "script" and el.get("type") == "application/ld+json":
                    continue
                if el.tag == "script" and (not el.get("src") or el.raw_text().strip()):
                    bad.append("%s: inline <script>" % path)
                if el.tag == "style":
                    bad.append("%s: inline <style>" % path)
                if "style" in el.attrs:
                    bad.append("%s: style attribute on <%s>" % (path, el.tag))
                for name in el.attrs:
                    if name.startswith("on"):
                        bad.append("%s: event handler %s on <%s>" % (path, name, el.tag))
                if el.tag in ("script", "link", "iframe", "object", "embed") or (el.tag == "form"):
                    url = el.get("src") or el.get("action") or (el.get("href") if el.get("rel") in ("stylesheet", "preload", "icon") else None)
                    if url and not (url.startswith("/") and not url.startswith("//")):
                        bad.append("%s: <%s> loads %r from elsewhere" % (path, el.tag, url))
        expect(not bad, "the theme does not fit the Content-Security-Policy:\n" + "\n".join(sorted(set(bad))[:20]))

    t.check("headers: the default theme fits its CSP (no inline script, style or handlers; stylesheet and forms local)", theme_fits_csp)


def _traversal(t, srv):
    def traversal():
        bad = []
        paths = [
            "/assets/../Makefile", "/assets/%2e%2e/Makefile", "/assets/%2E%2E%2FMakefile", "/assets/..%2fMakefile",
            "/assets/%252e%252e%252fMakefile", "/assets/..%5c..%5cMakefile", "/assets/style.css%00.css",
            "/assets//etc/passwd", "/assets/%2fetc%2fpasswd", "/assets/layout.mustache", "/assets/.", "/assets/..",
            "/media/../security.db", "/media/%2e%2e/security.db", "/media/%2e%2e%2fsecurity.db", "/media/..%2fsecurity.db",
            "/media/%252e%252e%252fsecurity.db", "/media/..%5csecurity.db", "/media/%5c..%5csecurity.db",
            "/media/pic.svg%00.png", "/media/pic.svg%00", "/media/%00pic.svg", "/media//etc/passwd",
            "/media/%2fetc%2fpasswd.svg", "/media/sub/../pic.svg", "/media/sub/%2e%2e/pic.svg", "/media/./pic.svg",
            "/media/passwd.svg", "/media/link.svg", "/media/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
            "/media/%c0%ae%c0%ae/security.db", "/media/..%c0%afsecurity.db", "/media/PIC.SVG/..",
        ]
        for path in paths:
            r = srv.get(path)
            if r.status not in (400, 404) or b"root:" in r.body or b"SQLite format" in r.body:
                bad.append("%s → %d: %s" % (path, r.status, snippet(r, 80)))
        for raw_path in (b"/media/..\\security.db", b"/media\\..\\security.db", b"/assets/..\\..\\Makefile",
                         b"/media/sub\\..\\pic.svg", b"/media/\\etc\\passwd"):
            status, _, body = parse_raw_response(srv.raw(b"GET " + raw_path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", timeout=5))
            if status not in (400, 404) or b"root:" in body or b"SQLite format" in body:
                bad.append("%r → %s" % (raw_path, status))
        expect(not bad, "traversal attempts not refused with 404/400:\n" + "\n".join(bad))
        expect_status(srv.get("/media/sub/inner.svg"), 200, "GET /media/sub/inner.svg (a real file in a sub-folder)")

    t.check("traversal: .., %2e%2e, %2f, %00, backslashes, double and overlong encodings, absolute paths and "
            "symbolic links on /assets/ and /media/ → 404/400", traversal)

    def no_listing():
        for path in ("/media/", "/media", "/media/sub", "/media/sub/", "/assets/", "/assets", "/media/.", "/media/sub/."):
            r = srv.get(path)
            expect(r.status in (301, 400, 404), "GET %s → %d: %s" % (path, r.status, snippet(r)))
            expect(b"pic.svg" not in r.body and b"inner.svg" not in r.body, "GET %s lists the folder: %s" % (path, snippet(r)))
            if r.status == 301:
                expect_status(srv.get(r.header("Location")), (400, 404), "GET %s (redirected from %s)" % (r.header("Location"), path))

    t.check("traversal: no directory listing for /media/, /assets/ or a media sub-folder", no_listing)


SMUGGLING = [
    ("Content-Length and Transfer-Encoding", b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    ("Transfer-Encoding and Content-Length", b"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n"),
    ("two different Content-Length", b"Content-Length: 3\r\nContent-Length: 40\r\n\r\nabc"),
    ("two equal Content-Length", b"Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc"),
    ("Content-Length list", b"Content-Length: 3, 3\r\n\r\nabc"),
    ("negative Content-Length", b"Content-Length: -3\r\n\r\nabc"),
    ("signed Content-Length", b"Content-Length: +3\r\n\r\nabc"),
    ("Transfer-Encoding: chunked, identity", b"Transfer-Encoding: chunked, identity\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
    ("Transfer-Encoding: identity", b"Transfer-Encoding: identity\r\n\r\nabc"),
    ("Transfer-Encoding: xchunked", b"Transfer-Encoding: xchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
    ("Transfer-Encoding: gzip, chunked", b"Transfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
    ("two Transfer-Encoding", b"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
    ("space before the colon", b"Transfer-Encoding : chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
    ("bad chunk size", b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
    ("negative chunk size", b"Transfer-Encoding: chunked\r\n\r\n-3\r\nabc\r\n0\r\n\r\n"),
    ("huge chunk size", b"Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n"),
]


def _smuggling(t, srv):
    def refused():
        bad = []
        for name, rest in SMUGGLING:
            # a second request rides behind each one: it must never be answered
            data = (b"POST /news/%s/comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    % SLUG.encode()) + rest + b"GET /smuggled/ HTTP/1.1\r\nHost: x\r\n\r\n"
            raw = srv.raw(data, timeout=5)
            status, headers, _ = parse_raw_response(raw)
            # libmicrohttpd 0.9.75 writes the status line and headers of its own 400 for a
            # Content-Length it cannot parse twice; the same refusal twice is not a second answer
            answers = set(re.findall(rb"(?:^|\r\n)HTTP/1\.[01] (\d{3}) ", raw))
            if status not in (400, 413) or answers != {str(status).encode()} or b"smuggled" in raw:
                bad.append("%s → %s, answers %s" % (name, status, sorted(answers)))
            elif status == 400 and "close" not in headers.get("connection", "close").lower():
                bad.append("%s → 400 without Connection: close" % name)
        expect(not bad, "ambiguous requests not refused with one 400/413 and a closed connection:\n" + "\n".join(bad))
        expect_status(srv.get("/"), 200, "GET / afterwards")

    t.check("smuggling: CL+TE, two lengths, codings other than chunked, a space before the colon and bad chunk "
            "sizes → one 400 (413 for a huge chunk), connection closed; the request behind is never answered", refused)

    def chunked_ok():
        form = encode({"comment": ""}).encode()
        data = (b"POST /news/%s/comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (SLUG.encode(), len(form), form))
        status, _, body = parse_raw_response(srv.raw(data, timeout=5))
        expect(status in (400, 403, 422), "a well-formed chunked comment post (empty comment) → %s, expected the form's refusal" % status)
        expect(b"comment-form" in body, "the chunked post was not read as a form (no form shown again)")

    t.check("smuggling: a well-formed chunked body is read as one request (the form answers it)", chunked_ok)


def _redirects(t, srv):
    def no_open_redirect():
        bad = []
        paths = [
            "//evil.example", "//evil.example/", "///evil.example", "//evil.example/news/%s" % SLUG,
            "/%2F%2Fevil.example", "/%2F%2Fevil.example/", "/%5Cevil.example", "/%5C%5Cevil.example",
            "/news/%2F%2Fevil.example", "/topic/%2F%2Fevil.example", "/news/%s/..%%2F%%2Fevil.example" % SLUG,
            "/http://evil.example", "/news/%s%%2F%%2Fevil.example" % SLUG, "/%09/evil.example", "/%0d%0aLocation:%20//evil",
        ]
        raw_paths = [b"/\\evil.example", b"/\\\\evil.example", b"/\\/evil.example", b"//evil.example\\news",
                     b"/news/" + SLUG.encode() + b"\\", b"http://evil.example/news/" + SLUG.encode()]
        answers = [(p, srv.get(p)) for p in paths]
        for p in raw_paths:
            status, headers, _ = parse_raw_response(srv.raw(b"GET " + p + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", timeout=5))
            answers.append((p.decode("latin-1"), (status, headers.get("location"))))
        for p, r in answers:
            status, loc = r if isinstance(r, tuple) else (r.status, r.header("Location"))
            if status is None or status >= 500:
                bad.append("%s → %s" % (p, status))
            if loc is not None and (not loc.startswith("/") or loc.startswith("//") or loc.replace("\\", "/").startswith("//")):
                bad.append("%s → %s Location %r leaves the site" % (p, status, loc))
        expect(not bad, "\n".join(bad))
        r = srv.get("/news/%s" % SLUG)
        expect_status(r, 301, "GET /news/%s" % SLUG)
        expect_eq(r.header("Location"), "/news/%s/" % SLUG, "the trailing-slash redirect still works")

    t.check("redirects: //evil.example, /\\evil, encoded slashes and absolute URLs never give a Location off the site", no_open_redirect)
