"""export_tests.py — `gazette export static DIR` (docs/export.md) on the demo stories: every
story and list page is written, every internal link of every exported page resolves to a file
of the export, each file holds the bytes the running server sends for its path, and the command
refuses bad arguments clearly. Also the path-based list pages (/page/N/, /topic/SLUG/page/N/,
/author/SLUG/page/N/) on the server."""

import html.parser
import os
import re
import stat

from checks import api_all, demo_stories, expect, expect_eq, expect_html, expect_rc, expect_status
from gazette import REPO

PAGE_SIZE = 24  # stories per list page (cmd_serve.c)
SUMMARY = re.compile(r"^exported (\d+) pages, (\d+) files \((\d+\.\d) MB\) in (\d+\.\d) s$", re.M)
TOKEN = re.compile(rb'(name="gz_token" value=")[^"]*(")')


class _Links(html.parser.HTMLParser):
    """Every href and src of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.urls.append(value)


def page_links(path):
    p = _Links()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    return p.urls


def file_for(root, url):
    """The file a static server sends for a local URL (query and fragment ignored)."""
    path = url.split("#", 1)[0].split("?", 1)[0]
    return os.path.join(root, path.lstrip("/")) + ("index.html" if path.endswith("/") else "")


def url_for(root, file):
    rel = "/" + os.path.relpath(file, root)
    return rel[: -len("index.html")] if rel.endswith("/index.html") or rel == "/index.html" else rel


def files_under(root):
    out = []
    for d, _, names in os.walk(root):
        out += [os.path.join(d, n) for n in names]
    return sorted(out)


def run(t, gz):
    db, media = gz.path("export.db"), os.path.join(REPO, "content", "media")
    out = gz.path("export-out")
    stories = demo_stories()
    state = {}

    def build():
        expect_rc(gz.run("init", "--db", db), 0, "gazette init")
        expect_rc(gz.run("article", "add", "--db", db, os.path.join(REPO, "content", "demo"), timeout=60), 0, "gazette article add content/demo")
        srv = gz.server("export server", "serve", "--db", db, "--media", media)
        srv.start()
        state["srv"] = srv
        r = gz.run("export", "static", out, "--db", db, "--media", media, "--base-url", srv.base_url, timeout=60)
        expect_rc(r, 0, "gazette export static")
        m = SUMMARY.search(r.stdout)
        expect(m, "no 'exported N pages, M files (X MB) in S s' line in stdout:\n%s" % r.stdout)
        state["pages"], state["files"] = int(m.group(1)), int(m.group(2))
        state["seconds"] = r.seconds
        all_files = files_under(out)
        expect_eq(len(all_files), state["files"], "files in DIR vs the summary's count")
        leftovers = [f for f in all_files if f.endswith(".tmp")]
        expect(not leftovers, "temporary files left behind: %r" % leftovers[:5])
        t.diag("export of %d demo stories: %d pages, %d files in %.2f s (command wall time)" % (len(stories), state["pages"], state["files"], r.seconds))

    if not t.check("export: `gazette export static DIR` writes the demo site (exit 0, summary line, no temporary files)", build):
        return
    srv = state["srv"]
    try:
        _files(t, out, srv, stories)
        _same_bytes(t, out, srv)
        _pagination_routes(t, srv)
        _usage(t, gz, db, out)
    finally:
        srv.stop()


def _files(t, out, srv, stories):
    def every_story():
        missing = [s["slug"] for s in stories if not os.path.isfile(os.path.join(out, "news", s["slug"], "index.html"))]
        expect(not missing, "%d stories without news/SLUG/index.html: %r" % (len(missing), missing[:5]))
        for s in stories[:3]:
            feed = os.path.join(out, "news", s["slug"], "comments", "feed.xml")
            expect(os.path.isfile(feed), "no %s" % feed)
        for f in ("index.html", "404.html", "comments/feed.xml"):
            expect(os.path.isfile(os.path.join(out, f)), "no %s in DIR" % f)
        expect(os.listdir(os.path.join(out, "assets")), "no theme assets in DIR/assets/")
        expect(os.path.isdir(os.path.join(out, "media")), "no media files in DIR/media/")

    t.check("export: every demo story has news/SLUG/index.html; the feeds, 404.html, assets and media are there", every_story)

    pages = max(1, (len(stories) - 1 + PAGE_SIZE - 1) // PAGE_SIZE)

    def home_pages():
        for n in range(1, pages + 1):
            f = os.path.join(out, "index.html") if n == 1 else os.path.join(out, "page", str(n), "index.html")
            expect(os.path.isfile(f), "home page %d: no %s" % (n, f))
            nav = [u for u in page_links(f) if re.match(r"^/(page/\d+/)?$", u)]
            want = []
            if n > 1:
                want.append("/" if n == 2 else "/page/%d/" % (n - 1))
            if n < pages:
                want.append("/page/%d/" % (n + 1))
            for u in want:
                expect(u in nav, "home page %d does not link to %s (links: %r)" % (n, u, nav))
                expect(os.path.isfile(file_for(out, u)), "home page %d links to %s, which is not in DIR" % (n, u))
        expect(not os.path.exists(os.path.join(out, "page", str(pages + 1))), "a home page %d past the last" % (pages + 1))
        expect(not os.path.exists(os.path.join(out, "page", "1")), "page/1/ was written (it redirects to /)")

    t.check("export: home pages 1..%d exist and their newer/older links point at files of the export" % pages, home_pages)

    def link_check():
        broken, checked = {}, 0
        for f in files_under(out):
            if not f.endswith(".html"):
                continue
            for u in page_links(f):
                if not u.startswith("/") or u.startswith("//"):
                    continue
                checked += 1
                if not os.path.isfile(file_for(out, u)):
                    broken.setdefault(u, url_for(out, f))
        t.diag("link check: %d internal links in the exported pages" % checked)
        expect(checked > 1000, "only %d internal links found: is the parser right?" % checked)
        expect(not broken, "%d internal links lead nowhere in DIR, e.g. %s" % (len(broken), ", ".join("%s (on %s)" % kv for kv in list(broken.items())[:8])))

    t.check("export: every internal link (href, src) of every exported page resolves to a file of the export", link_check)


def _same_bytes(t, out, srv):
    def compare():
        differ, compared = [], 0
        for f in files_under(out):
            url = url_for(out, f)
            r = srv.get(url)
            with open(f, "rb") as fh:
                written = fh.read()
            if url == "/404.html":
                expect_status(r, 404, "GET /404.html")
            else:
                expect_status(r, 200, "GET " + url)
            got = r.body
            if url.startswith("/news/") and url.endswith("/"):  # the comment form's token is per request
                written, got = TOKEN.sub(rb"\1\2", written), TOKEN.sub(rb"\1\2", got)
            compared += 1
            if written != got:
                differ.append(url)
        expect(compared > 300, "only %d files compared" % compared)
        expect(not differ, "%d exported files differ from what the server sends, e.g. %r" % (len(differ), differ[:5]))

    t.check("export: each exported file is byte for byte what the server sends for its path (form token aside)", compare)


def _pagination_routes(t, srv):
    def list_pages():
        stories = api_all(srv)
        topics, authors = {}, {}
        for s in stories:
            for tp in s["topics"]:
                topics[tp["slug"]] = topics.get(tp["slug"], 0) + 1
            for a in s.get("authors", []):
                authors[a["slug"]] = authors.get(a["slug"], 0) + 1
        doc = expect_html(srv.get("/page/2/"), "GET /page/2/")
        nxt, prev = doc.find("a", rel="next"), doc.find("a", rel="prev")
        expect(nxt is not None and nxt.get("href") == "/page/3/", "next link on /page/2/: %r" % (nxt and nxt.get("href")))
        expect(prev is not None and prev.get("href") == "/", "previous link on /page/2/: %r" % (prev and prev.get("href")))
        same = expect_html(srv.get("/?page=2"), "GET /?page=2 (old links keep working)")
        expect_eq([a.get("href") for a in same.find("main").find_all("a")], [a.get("href") for a in doc.find("main").find_all("a")], "links of /?page=2 and /page/2/")
        big = max(topics, key=topics.get)
        expect(topics[big] > PAGE_SIZE, "no demo topic has more than %d stories" % PAGE_SIZE)
        doc = expect_html(srv.get("/topic/%s/page/2/" % big), "GET /topic/%s/page/2/" % big)
        prev = doc.find("a", rel="prev")
        expect(prev is not None and prev.get("href") == "/topic/%s/" % big, "previous link on topic page 2: %r" % (prev and prev.get("href")))
        first = expect_html(srv.get("/topic/%s/" % big), "GET /topic/%s/" % big)
        nxt = first.find("a", rel="next")
        expect(nxt is not None and nxt.get("href") == "/topic/%s/page/2/" % big, "next link on topic page 1: %r" % (nxt and nxt.get("href")))
        writer = max(authors, key=authors.get) if authors else None
        if writer and authors[writer] > PAGE_SIZE:
            expect_html(srv.get("/author/%s/page/2/" % writer), "GET /author/%s/page/2/" % writer)
        else:
            expect_html(srv.get("/author/%s/page/2/" % writer), "GET /author/%s/page/2/ (one page only)" % writer, status=404)

    t.check("pages: /page/2/ and /topic/SLUG/page/2/ answer with path links (newer page 1 is the bare URL); ?page=2 still works", list_pages)

    def redirects_and_404():
        for path, where in (("/page/1/", "/"), ("/topic/weather/page/1/", "/topic/weather/")):
            r = srv.get(path)
            expect_status(r, 301, "GET " + path)
            expect_eq(r.header("Location"), where, "Location of " + path)
        r = srv.get("/page/2")
        expect_status(r, 301, "GET /page/2")
        expect_eq(r.header("Location"), "/page/2/", "Location of /page/2")
        for path in ("/page/0/", "/page/abc/", "/page/02/", "/page/-1/", "/page/999/", "/page/99999999999999999999/", "/topic/no-such-topic/page/2/", "/author/nobody/page/2/", "/page/"):
            expect_html(srv.get(path), "GET " + path, status=404)

    t.check("pages: /page/1/ → 301 to the first page; /page/0/, /page/abc/, /page/02/ and past the last → 404", redirects_and_404)


def _usage(t, gz, db, out):
    def bad_arguments():
        for args, what in (
            (["export"], "say what to export"),
            (["export", "dynamic", gz.path("x")], "only kind of export"),
            (["export", "static", "--db", db], "folder to write is missing"),
            (["export", "static", gz.path("x")], "--db FILE is required"),
            (["export", "static", gz.path("x"), "--db", db, "--threads", "0"], "--threads"),
            (["export", "static", gz.path("x"), "--db", db, "--threads", "abc"], "--threads"),
            (["export", "static", gz.path("x"), "--db", db, "--bogus"], "unknown option"),
            (["export", "static", gz.path("x"), gz.path("y"), "--db", db], "unexpected argument"),
            (["export", "static", out, "--db", db], "not empty"),
        ):
            r = gz.run(*args)
            expect_rc(r, 2, " ".join(args))
            expect(what in r.stderr, "`gazette %s`: stderr lacks %r:\n%s" % (" ".join(args), what, r.stderr))
        expect(not os.path.exists(gz.path("x")), "a refused export created its folder")

    t.check("export: bad arguments and a non-empty DIR without --force → exit 2 with a clear message", bad_arguments)

    def help_and_force():
        r = gz.run("export", "--help")
        expect_rc(r, 0, "export --help")
        for word in ("--force", "--threads", "--base-url", "404.html"):
            expect(word in r.stdout, "export --help does not mention %s" % word)
        victim = os.path.join(out, "index.html")
        with open(victim, "w") as f:
            f.write("stale")
        keep = os.path.join(out, "mine.txt")
        with open(keep, "w") as f:
            f.write("mine")
        r = gz.run("export", "static", out, "--db", db, "--force", "--threads", "1", timeout=60)
        expect_rc(r, 0, "export --force into the exported folder")
        with open(victim) as f:
            expect(f.read() != "stale", "--force did not replace index.html")
        expect(os.path.isfile(keep), "--force removed a file the export does not write")

    t.check("export: --help; --force writes into a non-empty DIR, replacing its own files only", help_and_force)

    def unusable_dirs():
        plain = gz.path("a-file")
        with open(plain, "w") as f:
            f.write("x")
        r = gz.run("export", "static", plain, "--db", db)
        expect_rc(r, 1, "export into a file")
        expect("is not a folder" in r.stderr, "stderr: %s" % r.stderr)
        r = gz.run("export", "static", os.path.join(plain, "sub"), "--db", db)
        expect_rc(r, 1, "export below a file")
        expect("cannot use" in r.stderr and "Not a directory" in r.stderr, "stderr: %s" % r.stderr)
        r = gz.run("export", "static", gz.path("new-out"), "--db", gz.path("missing.db"))
        expect_rc(r, 1, "export of a missing database")
        expect("cannot open database" in r.stderr, "stderr: %s" % r.stderr)
        if os.geteuid() != 0:  # root reads and writes any folder
            locked = gz.path("locked")
            os.mkdir(locked)
            os.chmod(locked, 0)
            try:
                r = gz.run("export", "static", locked, "--db", db)
                expect_rc(r, 1, "export into an unreadable folder")
                expect("cannot read the folder" in r.stderr and "Permission denied" in r.stderr, "stderr: %s" % r.stderr)
            finally:
                os.chmod(locked, stat.S_IRWXU)

    t.check("export: a DIR that is a file, below a file, or unreadable → exit 1 with the reason", unusable_dirs)
