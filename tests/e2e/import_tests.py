"""import_tests.py — `gazette import wordpress` on WordPress's own theme unit test export
(../shared/data/wxr/, read here, never copied): counts checked against the file (computed
independently with xml.etree.iterparse), comment threads, the category hierarchy, sanitised
bodies (a hostile post made here), 301s from old links, a second run that changes nothing, and a
truncated copy and a copy with invalid UTF-8 that stop with exit status 1 and a clear report,
keep what came before the break, and are finished by a run on the whole file."""

import os
import re
import sqlite3
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import subprocess
import sys
import time

from checks import expect, expect_eq, expect_no_sanitizer, expect_rc
from gazette import REPO, _register, hard_kill

DATA = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data", "wxr"))
EXPORT = os.path.join(DATA, "themeunittestdata.wordpress.xml")
BLOCKS = os.path.join(DATA, "64-block-test-data.xml")
WP = "{https://wordpress.org/export/1.2/}"

HOSTILE = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Hostile</title>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:author><wp:author_login>mallory</wp:author_login><wp:author_email>m@example.org</wp:author_email>
<wp:author_display_name><![CDATA[Mallory <b>M</b>]]></wp:author_display_name></wp:author>
<item>
<title>Hostile body</title>
<link>https://old.example.org/2020/01/02/caf%C3%A9-hostile/</link>
<dc:creator>mallory</dc:creator>
<content:encoded><![CDATA[<p>Before.</p><script>alert('script')</script>
<img src="x.png" onerror="alert('onerror')"><a href="javascript:alert('js')">click</a>
<p onclick="alert('click')" style="position:fixed">After.</p>]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>9001</wp:post_id>
<wp:post_date>2020-01-02 10:00:00</wp:post_date>
<wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>
<wp:post_name>hostile-body</wp:post_name>
<wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type>
</item>
</channel>
</rss>
"""


def wxr_facts(path):
    """What the export holds, counted here without Gazette."""
    f = {"posts": 0, "drafts": 0, "scheduled": 0, "pages": 0, "approved": 0, "pending": 0,
         "spam": 0, "pingbacks": 0, "attachments": 0, "categories": [], "threads": [],
         "post_ids": {}, "links": {}, "galleries": [], "attached": {}}
    for _, el in ET.iterparse(path):
        if el.tag == WP + "category":
            f["categories"].append((el.findtext(WP + "category_nicename"), el.findtext(WP + "category_parent") or ""))
        if el.tag != "item":
            continue
        kind, status = el.findtext(WP + "post_type"), el.findtext(WP + "status")
        pid = int(el.findtext(WP + "post_id"))
        if kind == "attachment":
            f["attachments"] += 1
            parent = int(el.findtext(WP + "post_parent") or 0)
            f["attached"][parent] = f["attached"].get(parent, 0) + 1
        body = el.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") or ""
        if kind == "post" and "[gallery]" in body:
            f["galleries"].append(pid)
        if kind in ("post", "page") and status in ("publish", "future", "draft", "pending", "private"):
            f["pages" if kind == "page" else "posts"] += 1
            if kind == "post" and status == "future":
                f["scheduled"] += 1
            elif kind == "post" and status != "publish":
                f["drafts"] += 1
            f["post_ids"][pid] = kind
            f["links"][pid] = el.findtext("link")
            for c in el.findall(WP + "comment"):
                if c.findtext(WP + "comment_type") in ("pingback", "trackback"):
                    f["pingbacks"] += 1
                    continue
                state = c.findtext(WP + "comment_approved")
                f[{"1": "approved", "0": "pending", "spam": "spam"}.get(state, "pending")] += 1
                parent = int(c.findtext(WP + "comment_parent") or 0)
                if parent:
                    f["threads"].append((int(c.findtext(WP + "comment_id")), parent))
        el.clear()
    return f


def db_counts(db):
    con = sqlite3.connect(db)
    try:
        q = lambda sql: con.execute(sql).fetchone()[0]
        return {
            "stories": q("SELECT count(*) FROM articles WHERE kind = 'story'"),
            "pages": q("SELECT count(*) FROM articles WHERE kind = 'page'"),
            "comments": q("SELECT count(*) FROM comments"),
            "topics": q("SELECT count(*) FROM topics"),
            "authors": q("SELECT count(*) FROM authors"),
            "users": q("SELECT count(*) FROM users"),
            "redirects": q("SELECT count(*) FROM redirects"),
            "map": q("SELECT count(*) FROM wp_import_map"),
        }
    finally:
        con.close()


def query(db, sql, *args):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


class _Markup(HTMLParser):
    """Elements and attributes that would run script, found in a piece of a page."""

    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "style"):
            self.problems.append("<%s>" % tag)
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append("%s=" % name)
            if name in ("href", "src") and (value or "").strip().lower().startswith(("javascript:", "data:")):
                self.problems.append("%s=%s" % (name, value))


def inert_problems(html):
    p = _Markup()
    p.feed(html)
    return p.problems


def summary_number(out, label):
    m = re.search(r"(\d+) %s" % re.escape(label), out)
    expect(m, "the summary does not give '%s':\n%s" % (label, out))
    return int(m.group(1))


def run(t, gz):
    if not os.path.exists(EXPORT):
        t.check("import: the WXR test data is there (../shared/data/wxr)", lambda: expect(False, EXPORT))
        return
    facts = wxr_facts(EXPORT)
    db = gz.path("import.db")
    state = {}

    def first_import():
        expect_rc(gz.run("init", "--db", db), 0)
        r = gz.run("import", "wordpress", EXPORT, "--db", db, "--timezone", "Europe/Paris")
        expect_no_sanitizer(r.stderr, "import")
        expect_rc(r, 0, "first import")
        state["summary"] = r.stdout
        state["counts"] = db_counts(db)

    t.check("import: the theme unit test export imports with exit status 0", first_import)
    if "summary" not in state:
        return
    out = state["summary"]

    def counts_match_the_file():
        expect_eq(summary_number(out, "posts"), facts["posts"], "posts in the summary")
        expect_eq(summary_number(out, "drafts"), facts["drafts"], "drafts in the summary")
        expect_eq(summary_number(out, "scheduled"), facts["scheduled"], "scheduled in the summary")
        expect_eq(summary_number(out, "pages"), facts["pages"], "pages in the summary")
        expect_eq(summary_number(out, "approved"), facts["approved"], "approved comments")
        expect_eq(summary_number(out, "pending"), facts["pending"], "pending comments")
        expect_eq(summary_number(out, "kept as remote URLs"), facts["attachments"], "remote attachments")
        expect_eq(summary_number(out, "pingbacks and trackbacks"), facts["pingbacks"], "pingbacks left out")
        c = state["counts"]
        expect_eq(c["stories"], facts["posts"], "stories in the database")
        expect_eq(c["pages"], facts["pages"], "pages in the database")
        expect_eq(c["comments"], facts["approved"] + facts["pending"] + facts["spam"], "comments in the database")
        statuses = dict(query(db, "SELECT status, count(*) FROM articles WHERE kind = 'story' GROUP BY status"))
        expect_eq(statuses.get(0, 0), facts["drafts"], "draft stories")
        expect_eq(statuses.get(1, 0), facts["scheduled"], "scheduled stories")
        expect_eq(query(db, "SELECT count(*) FROM articles WHERE body_format <> 'html'")[0][0], 0, "non-html imported bodies")
        expect_eq(query(db, "SELECT count(*) FROM users WHERE password_hash IS NOT NULL")[0][0], 0, "users with passwords")

    t.check("import: counts per kind match the export (summary and database)", counts_match_the_file)

    def comment_threads():
        expect(facts["threads"], "the export has no threaded comments")
        for child, parent in facts["threads"]:
            rows = query(db, "SELECT c.parent_id, p.local_id FROM wp_import_map m JOIN comments c ON c.id = m.local_id"
                             " JOIN wp_import_map p ON p.kind = 'comment' AND p.wp_id = ?"
                             " WHERE m.kind = 'comment' AND m.wp_id = ?", parent, child)
            expect(rows, "comment %d (reply to %d) was not imported" % (child, parent))
            expect_eq(rows[0][0], rows[0][1], "parent of comment %d" % child)

    t.check("import: every reply keeps its parent (%d threaded comments)" % len(facts["threads"]), comment_threads)

    def category_hierarchy():
        with_parent = [(c, p) for c, p in facts["categories"] if p]
        expect(with_parent, "the export has no nested categories")
        for child, parent in with_parent:
            rows = query(db, "SELECT p.slug FROM topics t JOIN topics p ON p.id = t.parent_id WHERE t.slug = ?", child)
            expect_eq(rows[0][0] if rows else None, parent, "parent topic of %s" % child)

    t.check("import: the category hierarchy is kept (topics.parent_id)", category_hierarchy)

    def galleries_without_ids():
        shown = [pid for pid in facts["galleries"] if facts["attached"].get(pid)]
        expect(shown, "the export has no [gallery] of a post with attachments")
        for pid in shown:
            body = query(db, "SELECT a.body_html FROM wp_import_map m JOIN articles a ON a.id = m.local_id"
                             " WHERE m.kind = 'post' AND m.wp_id = ?", pid)[0][0]
            expect('class="gallery' in body and "<img" in body,
                   "post %d: its [gallery] does not show its %d attached images" % (pid, facts["attached"][pid]))

    t.check("import: a [gallery] without ids shows the post's attached images", galleries_without_ids)

    srv = gz.server("import server", "serve", "--db", db)
    t.check("import: the imported site serves", srv.start)
    try:
        def old_links_redirect():
            posts = [pid for pid, kind in facts["post_ids"].items() if kind == "post"]
            for pid in posts[:12]:
                slug = query(db, "SELECT a.slug, a.status FROM wp_import_map m JOIN articles a ON a.id = m.local_id"
                                 " WHERE m.kind = 'post' AND m.wp_id = ?", pid)[0][0]
                r = srv.get("/?p=%d" % pid)
                expect_eq(r.status, 301, "GET /?p=%d" % pid)
                expect(r.header("Location", "").endswith("/news/%s/" % slug), "/?p=%d goes to %s" % (pid, r.header("Location")))
                link = facts["links"][pid]
                path = re.sub(r"^https?://[^/]+", "", link)
                if path and path != "/" and "?" not in path:
                    r = srv.get(path)
                    expect_eq(r.status, 301, "GET %s (old permalink)" % path)
                    expect(r.header("Location", "").endswith("/news/%s/" % slug), "%s goes to %s" % (path, r.header("Location")))
                    r = srv.get(path.rstrip("/"))
                    expect_eq(r.status, 301, "GET %s (no trailing slash)" % path.rstrip("/"))
            for path, target in [("/feed/", "/feed.xml"), ("/comments/feed/", "/comments/feed.xml"),
                                 ("/category/parent-category/child-category-01/", "/topic/child-category-01/"),
                                 ("/category/parent-category/", "/topic/parent-category/"),
                                 ("/tag/8bit/", "/topic/8bit/"), ("/tag/8bit/feed/", "/topic/8bit/feed.xml")]:
                r = srv.get(path)
                expect_eq(r.status, 301, "GET %s" % path)
                expect(r.header("Location", "").endswith(target), "%s goes to %s, not %s" % (path, r.header("Location"), target))
                expect_eq(srv.get(target).status, 200, "GET %s (where %s goes)" % (target, path))
            expect_eq(srv.get("/no/such/old/path/").status, 404, "an unknown path")

        t.check("import: old links (?p=ID, permalinks, category, tag, feed URLs) answer 301", old_links_redirect)

        def pages_apart():
            page_ids = [pid for pid, kind in facts["post_ids"].items() if kind == "page"]
            slug = query(db, "SELECT a.slug FROM wp_import_map m JOIN articles a ON a.id = m.local_id"
                             " WHERE m.kind = 'page' AND m.wp_id = ?", page_ids[0])[0][0]
            r = srv.get("/pages/%s/" % slug)
            expect_eq(r.status, 200, "GET /pages/%s/" % slug)
            expect_eq(srv.get("/news/%s/" % slug).status, 404, "a page at /news/")
            r = srv.get("/?page_id=%d" % page_ids[0])
            expect_eq(r.status, 301, "GET /?page_id=%d" % page_ids[0])
            listed = srv.get("/api/v1/articles?limit=100").json()
            slugs = [a["slug"] for a in listed["articles"]]
            pages = {row[0] for row in query(db, "SELECT slug FROM articles WHERE kind = 'page'")}
            expect(not pages & set(slugs), "pages listed among the stories: %s" % sorted(pages & set(slugs))[:5])
            expect(all(a["body_format"] == "html" for a in listed["articles"]), "body_format is not html in the API")
            headline = query(db, "SELECT headline FROM articles WHERE slug = ?", slug)[0][0]
            word = max(re.findall(r"[A-Za-z]{4,}", headline) or ["page"], key=len)
            found = srv.get("/api/v1/search?q=%s" % word).json()
            expect(not pages & {h["slug"] for h in found["results"]}, "search finds pages for %r" % word)
            stories = query(db, "SELECT count(*) FROM articles WHERE kind = 'story' AND status = 2")[0][0]
            expect_eq(listed["total"] if "total" in listed else stories, stories, "stories listed")

        t.check("import: pages are served at /pages/SLUG/ and kept out of the story lists", pages_apart)
    finally:
        srv.stop()

    def second_run_changes_nothing():
        r = gz.run("import", "wordpress", EXPORT, "--db", db, "--timezone", "Europe/Paris")
        expect_rc(r, 0, "second import")
        expect_eq(db_counts(db), state["counts"], "database counts after a second run")
        expect_eq(summary_number(r.stdout, "posts"), 0, "posts imported by the second run")

    t.check("import: a second run creates no duplicates (same counts)", second_run_changes_nothing)

    def static_export_has_pages():
        out_dir = gz.path("import-export")
        r = gz.run("export", "static", out_dir, "--db", db, timeout=120)
        expect_rc(r, 0, "export static of the imported site")
        pages = [row[0] for row in query(db, "SELECT slug FROM articles WHERE kind = 'page' AND status = 2")]
        missing = [p for p in pages if not os.path.exists(os.path.join(out_dir, "pages", p, "index.html"))]
        expect(not missing, "pages not exported: %s" % missing[:5])
        expect(not os.path.exists(os.path.join(out_dir, "news", pages[0])), "a page exported as a story")

    t.check("import: `export static` writes the imported pages at pages/SLUG/", static_export_has_pages)

    def hostile_body_is_inert():
        path = gz.path("hostile.xml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(HOSTILE)
        hdb = gz.path("hostile.db")
        expect_rc(gz.run("init", "--db", hdb), 0)
        r = gz.run("import", "wordpress", path, "--db", hdb, "--timezone", "Europe/Paris")
        expect_rc(r, 0, "hostile import")
        # a newer export with a comment on the same post: the post stays, the comment comes in
        with open(path, "w", encoding="utf-8") as f:
            f.write(HOSTILE.replace("</item>", "<wp:comment><wp:comment_id>5</wp:comment_id>"
                                    "<wp:comment_author>Ann</wp:comment_author><wp:comment_content>"
                                    "<![CDATA[<b>Nice</b> one]]></wp:comment_content>"
                                    "<wp:comment_approved>1</wp:comment_approved></wp:comment></item>"))
        r = gz.run("import", "wordpress", path, "--db", hdb, "--timezone", "Europe/Paris")
        expect_rc(r, 0, "the newer export")
        expect_eq(query(hdb, "SELECT count(*), group_concat(body) FROM comments")[0], (1, "Nice one"),
                  "comments after the newer export (text only)")
        expect_eq(query(hdb, "SELECT count(*) FROM articles")[0][0], 1, "articles after the newer export")
        published = query(hdb, "SELECT published_at FROM articles WHERE slug = 'hostile-body'")[0][0]
        expect_eq(published, 1577955600, "post_date 10:00 in Paris (09:00 UTC) when post_date_gmt is zero")
        s = gz.server("hostile server", "serve", "--db", hdb)
        s.start()
        try:
            for old in ("/2020/01/02/caf%C3%A9-hostile/", "/2020/01/02/caf%c3%a9-hostile", "//2020/01//02/caf%C3%A9-hostile/"):
                r = s.get(old)
                expect_eq(r.status, 301, "GET %s (a percent-encoded permalink, normalised)" % old)
                expect(r.header("Location", "").endswith("/news/hostile-body/"), "%s goes to %s" % (old, r.header("Location")))
            page = s.get("/news/hostile-body/")
            expect_eq(page.status, 200, "GET /news/hostile-body/")
            body = page.text
            start = body.find("Before.")
            expect(start >= 0, "the body text is not on the page")
            article = body[start - 200:body.find("After.") + 200]
            found = inert_problems(article)
            expect(not found, "live markup left in the served body: %s\n%s" % (found, article))
            expect("Mallory &lt;b&gt;" in body or "Mallory" in body and "<b>M</b>" not in body,
                   "the author's name is not escaped")
        finally:
            s.stop()

    t.check("import: a hostile post body (script, onerror, javascript:) is inert on the page", hostile_body_is_inert)

    def broken_copy(name, make, expect_text):
        data = open(EXPORT, "rb").read()
        path = gz.path(name + ".xml")
        with open(path, "wb") as f:
            f.write(make(data))
        bdb = gz.path(name + ".db")
        expect_rc(gz.run("init", "--db", bdb), 0)
        r = gz.run("import", "wordpress", path, "--db", bdb)
        expect_no_sanitizer(r.stderr, name)
        expect_rc(r, 1, name + " import")
        expect(re.search(r"stopped: line \d+: ", r.stdout), "no line in the report:\n" + r.stdout)
        expect(expect_text in r.stdout, "%r not in the report:\n%s" % (expect_text, r.stdout))
        cut = int(re.search(r"element starting at line (\d+)", r.stdout).group(1))
        kept = db_counts(bdb)
        expect(kept["stories"] + kept["pages"] > 0, "nothing kept before the break")
        # everything before the break is there: the posts and pages of the items before it
        prefix = gz.path(name + "-prefix.xml")
        with open(prefix, "wb") as f:
            f.write(b"\n".join(data.split(b"\n")[:cut - 1]) + b"\n</channel></rss>\n")
        ok = wxr_facts(prefix)
        before = ok["posts"] + ok["pages"]
        expect_eq(kept["stories"] + kept["pages"], before, "posts and pages kept from before the break")
        r = gz.run("import", "wordpress", EXPORT, "--db", bdb, "--timezone", "Europe/Paris")
        expect_rc(r, 0, "the rerun on the whole file")
        expect_eq(db_counts(bdb), state["counts"], "counts after the rerun finished the job")

    def cut(data):
        i = data.find(b"<wp:comment_parent>", len(data) * 2 // 3)
        return data[:i + 10]

    def bad_utf8(data):
        i = data.find(b"<title>", len(data) // 2) + len("<title>")
        return data[:i] + b"\xff\xfe" + data[i:]

    t.check("import: a truncated export stops with exit 1, keeps what came before, a rerun finishes",
            broken_copy, "truncated", cut, "were not read")
    t.check("import: invalid UTF-8 stops with exit 1 and a clear report, a rerun finishes",
            broken_copy, "badutf8", bad_utf8, "UTF-8")

    def block_export():
        if not os.path.exists(BLOCKS):
            return
        bdb = gz.path("blocks.db")
        expect_rc(gz.run("init", "--db", bdb), 0)
        r = gz.run("import", "wordpress", BLOCKS, "--db", bdb)
        expect_rc(r, 0, "block export import")
        expect(db_counts(bdb)["stories"] > 0, "no stories from the block export")
        body = query(bdb, "SELECT group_concat(body_html, '') FROM articles")[0][0] or ""
        expect("<!-- wp:" not in body, "block comments kept in the bodies")

    t.check("import: the block-editor export imports, block comments dropped", block_export)

    def uploads_copied():
        # two attachments get files in a fake uploads folder: a JPEG, and a ".jpg" that is text
        urls = []
        for _, el in ET.iterparse(EXPORT):
            if el.tag == "item" and el.findtext(WP + "post_type") == "attachment":
                urls.append(el.findtext(WP + "attachment_url"))
        rels = [re.sub(r"^https?://[^/]+/", "", u) for u in urls if u.endswith(".jpg")][:2]
        expect(len(rels) == 2, "fewer than two JPEG attachments in the export")
        up, media = gz.path("uploads"), gz.path("media")
        for n, rel in enumerate(rels):
            dst = os.path.join(up, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "wb") as f:
                f.write(b"\xff\xd8\xff\xe0" + b"\x00" * 60 if n == 0 else b"<html>not an image</html>")
        udb = gz.path("uploads.db")
        expect_rc(gz.run("init", "--db", udb), 0)
        r = gz.run("import", "wordpress", EXPORT, "--db", udb, "--uploads", up, "--media", media, "--quiet")
        expect_rc(r, 0, "import with --uploads")
        expect_eq(summary_number(r.stdout, "copied"), 1, "attachments copied")
        expect("not what its name says" in r.stdout, "no warning about the fake image:\n" + r.stdout)
        copy = os.path.join(media, "wp", rels[0])
        expect(os.path.exists(copy) and os.path.getsize(copy) == 64, "the JPEG was not copied to " + copy)
        expect(not os.path.exists(os.path.join(media, "wp", rels[1])), "the fake image was copied")
        s = gz.server("media server", "serve", "--db", udb, "--media", media)
        s.start()
        try:
            r = s.get("/media/wp/" + rels[0])
            expect_eq(r.status, 200, "GET the copied image")
        finally:
            s.stop()

    t.check("import: --uploads copies files checked by content, others stay remote", uploads_copied)

    def killed_midway():
        big = gz.path("generated.xml")
        subprocess.run([sys.executable, os.path.join(REPO, "bench", "gen_wxr.py"), "600", big],
                       check=True, timeout=60)
        kdb, ref = gz.path("killed.db"), gz.path("reference.db")
        for d in (kdb, ref):
            expect_rc(gz.run("init", "--db", d), 0)
        p = _register(subprocess.Popen([gz.binary, "import", "wordpress", big, "--db", kdb, "--quiet"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       cwd=gz.tmp, env=gz.env, start_new_session=True))
        end = time.monotonic() + gz.remaining(60)
        stories = 0
        while p.poll() is None and time.monotonic() < end:
            try:
                stories = db_counts(kdb)["stories"]
            except sqlite3.OperationalError:
                pass  # locked for a moment
            if stories >= 200:
                break
            time.sleep(0.02)
        hard_kill(p)
        t.diag("import: killed with %d stories committed" % stories)
        expect_rc(gz.run("import", "wordpress", big, "--db", kdb, "--quiet", timeout=90), 0, "the rerun")
        expect_rc(gz.run("import", "wordpress", big, "--db", ref, "--quiet", timeout=90), 0, "the reference import")
        expect_eq(db_counts(kdb), db_counts(ref), "counts after a kill and a rerun")

    t.check("import: killed mid-way (SIGKILL), the same command finishes the job, nothing twice", killed_midway)
