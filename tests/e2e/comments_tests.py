"""comments_tests.py — readers' comments (docs/comments.md): the "Leave a Reply" form, posting
(303 back to the comment), moderation modes, validation with the typed text kept, threading,
the anti-spam rules (signed token + CSRF cookie, honeypot, links, blocked words and addresses,
rate limit, duplicates), closed stories, the moderation CLI and admin API, escaping of hostile
input (tests/e2e/data/xss_payloads.txt) in the page, the feeds and the API, the privacy of the
commenter's email, and a bounded concurrent load of posts.

Servers here are started on a database of their own with the settings written before
`gazette serve` (comments.rate_limit is only read at start); the other settings are read by the
server as it goes, so a few checks change them with `gazette settings set` while it runs and put
them back afterwards."""

import datetime
import http.client
import itertools
import os
import re
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

import html_tree
from checks import expect, expect_eq, expect_html, expect_json, expect_rc, expect_status, snippet, text_of
from gazette import tail
from site_tests import stop_server, story

HERE = os.path.dirname(os.path.abspath(__file__))
PAYLOADS_FILE = os.path.join(HERE, "data", "xss_payloads.txt")

OPEN = "harbour-wall-repairs-begin"  # comments open, published an hour ago
OTHER = "library-opens-on-sundays"  # comments open, for tokens of another article
CLOSED = "court-ruling-on-the-pier"  # comments: off
OLD = "the-great-flood-of-2015"  # published long ago (close_after_days)
OLD_DAYS = "the-dry-summer-of-2016"  # published long ago with "comments: 30" of its own
THREAD = "market-square-redesign"  # threading checks
XSS = "xss-story"  # hostile input
LOAD = "load-test-story"  # the concurrent load

NOTES = "Your email address will not be published. Required fields are marked *"
FAST_SETTINGS = {
    "comments.min_seconds": "0",
    "comments.rate_limit": "1000000",
    "comments.max_links": "2",
    "comments.moderation": "hold-first",
}

_unique = itertools.count(1)


def unique(prefix="c"):
    return "%s-%d-%d" % (prefix, os.getpid(), next(_unique))


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- talking to the comment form ---------------------------------------------------------------

class Form:
    """The comment form as a browser has it: the hidden fields (readers get no cookie: cookie
    stays None unless a test sets one, which the server ignores)."""

    def __init__(self, slug, token, parent, cookie, doc):
        self.slug, self.token, self.parent, self.cookie, self.doc = slug, token, parent, cookie, doc


def get_form(srv, slug, cookie=None, query="", strict=True):
    """strict: the page gets expect_html's checks (not for a page that shows hostile input,
    where a literal "{{" in a comment is expected)."""
    path = "/news/%s/%s" % (slug, query)
    r = srv.get(path, headers={"Cookie": "gz_nonce=" + cookie} if cookie else {})
    if strict:
        doc = expect_html(r, "GET " + path)
    else:
        expect_status(r, 200, "GET " + path)
        doc = r.doc()
    form = doc.find("form", "comment-form")
    expect(form is not None, "GET %s: no form.comment-form" % path)
    token = form.find("input", name="gz_token")
    parent = form.find("input", name="comment_parent")
    expect(token is not None and token.get("value"), "GET %s: no gz_token value in the form" % path)
    expect(r.header("Set-Cookie") is None, "GET %s: a cookie was set for a reader: %r" % (path, r.header("Set-Cookie")))
    return Form(slug, token.get("value"), parent.get("value") if parent is not None else None, cookie, doc)


def encode(fields):
    """application/x-www-form-urlencoded; values may be str or bytes (bytes are sent as is,
    percent-encoded, so invalid UTF-8 can be posted)."""
    parts = []
    for k, v in fields.items():
        if v is None:
            continue
        raw = v if isinstance(v, bytes) else v.encode("utf-8")
        parts.append("%s=%s" % (urllib.parse.quote_plus(k), urllib.parse.quote_plus(raw)))
    return "&".join(parts)


def post(srv, slug, fields, cookie=None, extra_headers=None, raw_body=None):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = "gz_nonce=" + cookie
    headers.update(extra_headers or {})
    body = raw_body if raw_body is not None else encode(fields)
    return srv.request("POST", "/news/%s/comments" % slug, headers=headers, body=body)


def comment_fields(form, **over):
    """A valid submission from form; keyword arguments replace fields (None drops one)."""
    fields = {
        "comment": "A fine comment %s." % unique("body"),
        "author": "Ann Reader",
        "email": "%s@example.org" % unique("ann"),
        "url": "",
        "comment_parent": form.parent or "0",
        "gz_token": form.token,
        "gz_website": "",
    }
    fields.update(over)
    return fields


def send(srv, form, cookie=True, **over):
    return post(srv, form.slug, comment_fields(form, **over), cookie=form.cookie if cookie is True else cookie)


REDIRECT_RE = re.compile(r"^/news/([a-z0-9-]+)/(\?held=(\d+)-([0-9a-f]+))?#comment-(\d+)$")


def posted(r, what="POST"):
    """The (id, held ticket or None) of a 303 answer to a good post."""
    expect_status(r, 303, what)
    loc = r.header("Location", "")
    m = REDIRECT_RE.match(loc)
    expect(m, "%s: Location %r is not /news/SLUG/#comment-ID or /news/SLUG/?held=ID-SIG#comment-ID" % (what, loc))
    cid = int(m.group(5))
    if m.group(2):
        expect_eq(int(m.group(3)), cid, "%s: the id in held= and in the anchor" % what)
        return cid, "%s-%s" % (m.group(3), m.group(4))
    return cid, None


def comment_li(doc, cid):
    return doc.find("li", id="comment-%d" % cid)


def form_message(doc):
    box = doc.find("div", "form-errors")
    return box.text() if box is not None else ""


def field_error(doc, field):
    el = doc.find("span", "field-error", id="%s-error" % field)
    return el.text() if el is not None else None


def kept_values(doc):
    form = doc.find("form", "comment-form")
    expect(form is not None, "the page shown again has no comment form")
    ta = form.find("textarea", name="comment")
    vals = {"comment": ta.raw_text() if ta is not None else None}
    for name in ("author", "email", "url"):
        el = form.find("input", name=name)
        vals[name] = el.get("value") if el is not None else None
    return vals


class Site:
    """A database with a few stories and a server on it."""

    def __init__(self, t, gz, name, settings, stories):
        self.t, self.gz, self.name = t, gz, name
        safe = re.sub(r"[^a-z0-9]+", "-", name.lower())
        self.db = gz.path("%s.db" % safe)
        self.src = gz.path("%s-stories" % safe)
        self.settings = settings
        self.stories = stories
        self.srv = gz.server(name, "serve", "--db", self.db, "--site-name", "Comment Gazette",
                             "--base-url", "https://comments.example")

    def setup(self):
        expect_rc(self.gz.run("init", "--db", self.db), 0, "gazette init")
        for key, value in self.settings.items():
            self.set(key, value)
        paths = []
        for i, (slug, front, body) in enumerate(self.stories):
            paths.append(story(os.path.join(self.src, "%02d-%s.md" % (i, slug)), body, slug=slug, **front))
        r = self.gz.run("article", "add", "--db", self.db, *paths)
        expect_rc(r, 0, "article add")
        self.srv.start()

    def set(self, key, value):
        r = self.gz.run("settings", "set", "--db", self.db, key, value)
        expect_rc(r, 0, "settings set %s %s" % (key, value))

    def list(self, status=None):
        """`gazette comments list`: [(id, status, slug, "name <email>", excerpt)]."""
        args = ["comments", "list", "--db", self.db] + (["--status", status] if status else [])
        r = self.gz.run(*args)
        expect_rc(r, 0, " ".join(args))
        rows = []
        for line in r.stdout.splitlines():
            cols = line.split("\t")
            expect(len(cols) >= 6 and cols[0].isdigit(), "`comments list` line is not ID<TAB>STATUS<TAB>...: %r" % line)
            rows.append((int(cols[0]), cols[1], cols[3], cols[4], cols[5] if len(cols) > 5 else ""))
        return rows

    def status_of(self, cid):
        for row in self.list():
            if row[0] == cid:
                return row[1]
        return None

    def log_since(self, mark):
        return self.srv.stderr()[mark:]

    def log_mark(self):
        return len(self.srv.stderr())


def default_stories():
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    recent = iso(now - datetime.timedelta(hours=1))
    return [
        (OPEN, {"headline": "Harbour wall repairs begin", "topics": "Harbour", "published": recent},
         "Work on the harbour wall starts on Monday.\n"),
        (OTHER, {"headline": "Library opens on Sundays", "topics": "Culture", "published": iso(now - datetime.timedelta(hours=2))},
         "The central library opens on Sundays from May.\n"),
        (CLOSED, {"headline": "Court ruling on the pier", "topics": "Courts", "published": iso(now - datetime.timedelta(hours=3)), "comments": "off"},
         "The court ruled on the pier case.\n"),
        (OLD, {"headline": "The great flood of 2015", "topics": "History", "published": "2015-06-01T08:00:00Z"},
         "Ten years ago the river rose.\n"),
        (OLD_DAYS, {"headline": "The dry summer of 2016", "topics": "History", "published": "2016-07-01T08:00:00Z", "comments": "30"},
         "The reservoirs ran low.\n"),
        (THREAD, {"headline": "Market square redesign", "topics": "Harbour", "published": iso(now - datetime.timedelta(hours=4))},
         "Plans for the market square are out.\n"),
        (XSS, {"headline": "Hostile input check", "topics": "Tests", "published": iso(now - datetime.timedelta(hours=5))},
         "Comments below are hostile on purpose.\n"),
        (LOAD, {"headline": "A story with many comments", "topics": "Tests", "published": iso(now - datetime.timedelta(hours=6))},
         "Thousands of readers write in.\n"),
    ]


# ---- the module ---------------------------------------------------------------------------------

def run(t, gz):
    site = Site(t, gz, "comments server", dict(FAST_SETTINGS), default_stories())
    if not t.check("comments: init, settings, stories added, `gazette serve` answers", site.setup):
        return
    try:
        _form(t, site)
        _moderation(t, site)
        _validation(t, site)
        _threading(t, site)
        _antispam(t, site)
        _closed(t, site)
        _cli_and_api(t, site)
        _xss(t, site)
        _privacy(t, site)
        _load(t, site)
    finally:
        stop_server(t, gz, site.srv, "comments server")
    _rate_limit(t, gz)


def _form(t, site):
    srv = site.srv

    def form_fields():
        f = get_form(srv, OPEN)
        doc = f.doc
        sec = doc.find("section", "comments")
        expect(sec is not None, "no section.comments on the article page")
        expect_eq(text_of(sec.find("h3", "respond-title")), "Leave a Reply", "respond title")
        notes = sec.find("p", "comment-notes")
        expect_eq(text_of(notes), NOTES, "comment notes")
        form = sec.find("form", "comment-form")
        expect_eq(form.get("method"), "post", "form method")
        expect_eq(form.get("action").split("#")[0], "/news/%s/comments" % OPEN, "form action")
        labels = {l.get("for"): l for l in form.find_all("label")}
        for field, label, required in (("comment", "Comment", True), ("author", "Name", True),
                                       ("email", "Email", True), ("url", "Website", False)):
            expect(field in labels, "no <label for=%s>" % field)
            lab = labels[field]
            expect_eq(lab.text(), label + (" *" if required else ""), "label of %s" % field)
            star = lab.find("span", "required")
            expect((star is not None and star.text() == "*") == required, "required mark on the %s label: %r" % (field, star))
            el = form.find(id=field)
            expect(el is not None and el.get("name") == field, "no element id=%s name=%s" % (field, field))
            expect(("required" in el.attrs) == required, "%s: required attribute is %s" % (field, "required" in el.attrs))
        expect_eq(form.find("textarea", name="comment").tag, "textarea", "comment is a textarea")
        expect_eq(form.find("input", name="email").get("type"), "email", "type of the email input")
        for hidden in ("comment_parent", "gz_token"):
            el = form.find("input", name=hidden)
            expect(el is not None and el.get("type") == "hidden", "no hidden input %s" % hidden)
        expect_eq(form.find("input", name="comment_parent").get("value"), "0", "comment_parent of a new comment")
        expect(re.match(r"^v1\.\d+\.\d+\.[0-9a-f]{32}\.[0-9a-f]{64}$", f.token), "token shape: %r" % f.token)
        hp = form.find("input", name="gz_website")
        expect(hp is not None and hp.get("value") == "" and hp.get("tabindex") == "-1", "honeypot input gz_website (empty, tabindex -1)")
        wrap = hp.parent
        expect(wrap.get("aria-hidden") == "true" and "gz-hp" in wrap.classes, "honeypot is not in an aria-hidden .gz-hp wrapper")
        expect(form.find("button", type="submit") is not None, "no submit button")
        expect_eq(text_of(sec.find("p", "no-comments")), "No comments yet.", "empty comment list text")

    t.check("comments: the form has labels, required '*' marks, WordPress field names, the email note and a hidden honeypot", form_fields)

    def no_cookies():
        for path in ("/", "/news/%s/" % OPEN):
            r = srv.get(path)
            expect(r.header("Set-Cookie") is None, "GET %s sets a cookie: %r" % (path, r.header("Set-Cookie")))
        f = get_form(srv, OPEN)
        r = post(srv, OPEN, comment_fields(f, email="not-an-email"))
        expect(r.header("Set-Cookie") is None, "a refused post sets a cookie: %r" % r.header("Set-Cookie"))

    t.check("comments: readers get no cookie (the form token binds to none, so the page can be cached)", no_cookies)

    def same_origin_accepted():
        f = get_form(srv, OPEN)
        origin = "http://127.0.0.1:%d" % srv.port
        r = post(srv, OPEN, comment_fields(f), extra_headers={"Origin": origin, "Sec-Fetch-Site": "same-origin",
                                                             "Referer": origin + "/news/%s/" % OPEN})
        expect_status(r, 303, "a post from the site's own page (Origin %s)" % origin)

    t.check("comments: a post naming this site as its Origin (what browsers send) is accepted", same_origin_accepted)


def _moderation(t, site):
    srv = site.srv
    email = unique("first") + "@Example.org"
    state = {}

    def hold_first():
        f = get_form(srv, OPEN)
        text = "My first comment ever %s" % unique()
        cid, ticket = posted(send(srv, f, comment=text, author="First Timer", email=email), "first post")
        expect(ticket is not None, "hold-first: the first comment of an email was not held (no ?held=)")
        state.update(cid=cid, ticket=ticket, text=text)
        expect_eq(site.status_of(cid), "pending", "status in `comments list`")
        pub = expect_html(srv.get("/news/%s/" % OPEN), "GET the story")
        expect(comment_li(pub, cid) is None, "a pending comment is shown to everybody")
        expect(text not in srv.get("/news/%s/" % OPEN).text, "the pending text is in the public page")
        held = srv.get("/news/%s/?held=%s" % (OPEN, ticket))
        hd = expect_html(held, "GET ?held=")
        li = comment_li(hd, cid)
        expect(li is not None, "the held URL does not show the writer's comment")
        expect_eq(text_of(li.find("p", "awaiting-moderation")), "Your comment is awaiting moderation.", "held note")
        expect(text in li.text(), "the held comment's text is not shown")
        expect("comment-pending" in li.classes, "li lacks class comment-pending")
        expect(li.find("p", "reply") is None, "a pending comment has a Reply link")
        expect("no-store" in (held.header("Cache-Control") or ""), "held page is cacheable: %r" % held.header("Cache-Control"))

    t.check("hold-first: first comment → 303 ?held=ID-SIG; pending, hidden publicly, shown 'awaiting moderation' at the held URL", hold_first)

    def forged_held():
        cid, ticket = state["cid"], state["ticket"]
        sig = ticket.split("-", 1)[1]
        forged = ["%d-%s" % (cid, "0" * len(sig)), "%d-%s" % (cid, sig[:-1] + ("0" if sig[-1] != "0" else "1")),
                  str(cid), "%d-%s" % (cid, sig.upper()), "%d-%s" % (cid - 1, sig), "%d-%sff" % (cid, sig), "-1-" + sig, "abc"]
        for h in forged:
            d = expect_html(srv.get("/news/%s/?held=%s" % (OPEN, urllib.parse.quote(h))), "GET ?held=%s" % h)
            expect(comment_li(d, cid) is None, "forged held=%s shows the pending comment" % h)
            expect(d.find("p", "awaiting-moderation") is None, "forged held=%s shows an awaiting-moderation note" % h)

    t.check("hold-first: a forged or altered held= value shows nothing", forged_held)

    def approve_then_straight():
        cid = state["cid"]
        r = site.gz.run("comments", "approve", "--db", site.db, cid)
        expect_rc(r, 0, "comments approve")
        d = expect_html(srv.get("/news/%s/" % OPEN), "GET the story")
        li = comment_li(d, cid)
        expect(li is not None and state["text"] in li.text(), "the approved comment is not shown")
        expect(li.find("p", "awaiting-moderation") is None, "an approved comment says awaiting moderation")
        expect_eq(text_of(li.find(cls="comment-author")), "First Timer", "author name")
        expect_eq(text_of(d.find("span", "comment-count")), "(1)", "comment count in the heading")
        f = get_form(srv, OPEN)
        cid2, ticket2 = posted(send(srv, f, author="First Timer", email=email.upper()), "second post, email in upper case")
        expect(ticket2 is None, "a known email (other case) was held again")
        expect_eq(site.status_of(cid2), "approved", "status of the second comment")
        expect(comment_li(expect_html(srv.get("/news/%s/" % OPEN), "GET"), cid2) is not None, "second comment not shown")

    t.check("hold-first: approve via CLI → shown; the same email in another case then goes straight through", approve_then_straight)

    def cards():
        home = expect_html(srv.get("/topic/harbour/"), "GET /topic/harbour/")
        links = [a for a in home.find_all("a", "card-comments") if a.get("href") == "/news/%s/#comments" % OPEN]
        expect(links, "no card-comments link for the story on its topic page")
        expect_eq(links[0].text(), "2 comment(s)", "comment count on the card")

    t.check("lists: the story card shows its approved comment count", cards)

    def hold_all():
        site.set("comments.moderation", "hold-all")
        try:
            f = get_form(srv, OPEN)
            cid, ticket = posted(send(srv, f, author="First Timer", email=email), "hold-all post by a known email")
            expect(ticket is not None, "hold-all: a known email was not held")
            expect_eq(site.status_of(cid), "pending", "status under hold-all")
            expect(comment_li(expect_html(srv.get("/news/%s/" % OPEN), "GET"), cid) is None, "held comment shown publicly")
        finally:
            site.set("comments.moderation", "publish")
        try:
            f = get_form(srv, OPEN)
            cid, ticket = posted(send(srv, f, email=unique("newbie") + "@example.org"), "publish-mode post by a new email")
            expect(ticket is None, "publish: a new email was held")
            expect_eq(site.status_of(cid), "approved", "status under publish")
        finally:
            site.set("comments.moderation", "hold-first")

    t.check("moderation modes: hold-all holds a known email; publish shows a new email at once", hold_all)


def _validation(t, site):
    srv = site.srv

    def case(name, over, field, message_part, status=422):
        def fn():
            before = len(site.list())
            f = get_form(srv, OPEN)
            fields = comment_fields(f, **over)
            r = post(srv, OPEN, fields, cookie=f.cookie)
            doc = expect_html(r, "POST with %s" % name, status=status)
            top = form_message(doc)
            expect("Please correct the fields marked below." in top, "no summary message; form-errors: %r" % top)
            if field in ("comment", "author", "email", "url"):
                got = field_error(doc, field)
                expect(got is not None and message_part in got, "field-error of %s: %r (expected to contain %r)" % (field, got, message_part))
                p = doc.find(id=field).parent
                expect("has-error" in p.classes, "the %s field's wrapper lacks has-error" % field)
                expect_eq(doc.find(id=field).get("aria-invalid"), "true", "aria-invalid on %s" % field)
            else:
                expect(message_part in top, "form-errors lacks %r: %r" % (message_part, top))
            kept = kept_values(doc)
            for k in ("comment", "author", "url"):
                sent = fields[k]
                if isinstance(sent, bytes):
                    continue
                expect_eq(kept[k], sent.strip(), "the %s the reader typed, kept in the form" % k)
            expect_eq(len(site.list()), before, "comments stored after a refused post")
        return fn

    ok_url = "https://reader.example/blog?x=1"
    cases = [
        ("an empty comment", {"comment": "   ", "url": ok_url}, "comment", "Please write a comment."),
        ("5001 characters", {"comment": "ä" * 5001, "url": ok_url}, "comment", "too long"),
        ("an empty name", {"author": "", "url": ok_url}, "author", "Please give your name."),
        ("a 101-character name", {"author": "N" * 101, "url": ok_url}, "author", "at most 100 characters"),
        ("a bad email", {"email": "not-an-email@", "url": ok_url}, "email", "does not look right"),
        ("an empty email", {"email": "", "url": ok_url}, "email", "Please give your email address."),
        ("an ftp:// website", {"url": "ftp://files.example/x"}, "url", "must start with http:// or https://"),
        ("a javascript: website", {"url": "javascript:alert(1)"}, "url", "must start with http:// or https://"),
        ("a website with a quote", {"url": "https://x.example/\"onmouseover=alert(1)"}, "url", "does not look right"),
        ("a control character in the comment", {"comment": "bell\x07here", "url": ok_url}, "comment", "control characters"),
        ("garbage comment_parent", {"comment_parent": "12abc", "url": ok_url}, "comment_parent", "could not be found"),
        ("negative comment_parent", {"comment_parent": "-3", "url": ok_url}, "comment_parent", "could not be found"),
    ]
    for name, over, field, msg in cases:
        t.check("validation: %s → 422, message by the field, typed text kept, nothing stored" % name, case(name, over, field, msg))

    def exactly_5000():
        f = get_form(srv, OPEN)
        body = "ä" * 4999 + "!"
        cid, _ = posted(send(srv, f, comment=body), "5000 characters")
        rows = [r for r in site.list() if r[0] == cid]
        expect(rows, "comment %d not in `comments list`" % cid)

    t.check("validation: 5000 characters (2-byte UTF-8) are accepted", exactly_5000)

    def invalid_utf8():
        before = len(site.list())
        f = get_form(srv, OPEN)
        fields = comment_fields(f, comment=b"Bad bytes \xff\xfe here", author="Byte Tester")
        r = post(srv, OPEN, fields, cookie=f.cookie)
        expect_status(r, 422, "POST with %FF in the comment")
        try:
            r.text
        except UnicodeDecodeError as e:
            raise AssertionError("the page shown again is not valid UTF-8 (the raw bytes were echoed): %s" % e)
        doc = expect_html(r, "POST with %FF", status=422)
        expect(doc.find("form", "comment-form") is not None, "the page shown again has no comment form at all")
        got = field_error(doc, "comment")
        expect(got is not None and "not valid UTF-8" in got, "field-error of comment: %r" % got)
        expect_eq(kept_values(doc)["author"], "Byte Tester", "name kept")
        expect_eq(len(site.list()), before, "comments stored")

    t.check("validation: invalid UTF-8 (%FF%FE) in the comment → 422 'not valid UTF-8', valid UTF-8 page with the form", invalid_utf8)

    def invalid_utf8_name():
        before = len(site.list())
        f = get_form(srv, OPEN)
        r = post(srv, OPEN, comment_fields(f, author=b"Bad \xc3\x28 name", comment="kept text"), cookie=f.cookie)
        doc = expect_html(r, "POST with invalid UTF-8 in the name", status=422)
        expect(doc.find("form", "comment-form") is not None, "the page shown again has no comment form at all")
        got = field_error(doc, "author")
        expect(got is not None and "not valid UTF-8" in got, "field-error of author: %r" % got)
        expect_eq(kept_values(doc)["comment"], "kept text", "comment kept")
        expect_eq(len(site.list()), before, "comments stored")

    t.check("validation: invalid UTF-8 (%C3%28) in the name → 422 'not valid UTF-8' by the name field, comment kept", invalid_utf8_name)

    def unreadable():
        f = get_form(srv, OPEN)
        r = post(srv, OPEN, None, cookie=f.cookie, raw_body="comment=%ZZ&author=x")
        doc = expect_html(r, "POST with a bad %-escape", status=400)
        expect("could not be read" in form_message(doc), "message: %r" % form_message(doc))
        r = post(srv, OPEN, None, cookie=f.cookie, raw_body='{"comment": "json"}', extra_headers={"Content-Type": "application/json"})
        expect_html(r, "POST as application/json", status=400)

    t.check("validation: an unreadable form (bad %-escape, JSON body) → 400 with a message", unreadable)


def _threading(t, site):
    srv = site.srv
    st = {}

    def reply_nests():
        site.set("comments.moderation", "publish")
        f = get_form(srv, THREAD)
        a, _ = posted(send(srv, f, author="Parent Poster", comment="Top level %s" % unique()), "top-level post")
        rf = get_form(srv, THREAD, cookie=f.cookie, query="?reply=%d" % a)
        expect_eq(rf.parent, str(a), "comment_parent of the reply form (?reply=%d)" % a)
        expect_eq(text_of(rf.doc.find("h3", "respond-title")), "Reply to Parent Poster", "respond title of the reply form")
        b, _ = posted(send(srv, rf, author="Replier"), "reply")
        d = expect_html(srv.get("/news/%s/" % THREAD), "GET")
        li_a, li_b = comment_li(d, a), comment_li(d, b)
        expect(li_a is not None and li_b is not None, "comments not shown")
        ol = li_b.parent
        expect(ol.tag == "ol" and "children" in ol.classes and ol.parent is li_a, "the reply is not in ol.children of its parent")
        expect("comment-list" in li_a.parent.classes, "the parent is not at the top level")
        st.update(a=a, b=b, cookie=f.cookie)

    t.check("threading: ?reply=ID fills comment_parent; the reply nests in ol.children under its parent", reply_nests)

    def depth_limit():
        site.set("comments.max_depth", "2")
        try:
            d = expect_html(srv.get("/news/%s/" % THREAD), "GET")
            expect(comment_li(d, st["a"]).find("p", "reply") is not None, "depth 1 has no Reply link")
            reply_b = comment_li(d, st["b"]).find("p", "reply")
            expect(reply_b is None, "a comment at depth 2 (= max_depth) has a Reply link")
            before = len(site.list())
            f = get_form(srv, THREAD)
            r = send(srv, f, comment_parent=str(st["b"]))
            doc = expect_html(r, "reply to a depth-2 comment", status=422)
            expect("cannot be answered" in form_message(doc), "message: %r" % form_message(doc))
            expect_eq(len(site.list()), before, "comments stored")
        finally:
            site.set("comments.max_depth", "3")

    t.check("threading: max_depth 2 → no Reply link at depth 2, and a reply to it is refused (422) with a message", depth_limit)

    def bad_parents():
        site.set("comments.moderation", "hold-all")
        try:
            f = get_form(srv, THREAD)
            pending, _ = posted(send(srv, f), "a held comment")
        finally:
            site.set("comments.moderation", "publish")
        f = get_form(srv, OPEN)
        other_article = posted(send(srv, f), "a comment on another story")[0]
        for parent, what in ((pending, "a pending comment"), (999999, "a missing comment"), (other_article, "a comment of another story")):
            before = len(site.list())
            f = get_form(srv, THREAD)
            r = send(srv, f, comment_parent=str(parent), comment="reply text %s" % unique())
            doc = expect_html(r, "reply to %s" % what, status=422)
            expect("cannot be answered" in form_message(doc) or "could not be found" in form_message(doc),
                   "reply to %s: message %r" % (what, form_message(doc)))
            expect(kept_values(doc)["comment"].startswith("reply text"), "reply to %s: text not kept" % what)
            expect_eq(len(site.list()), before, "comments stored after a reply to %s" % what)

    t.check("threading: a reply to a pending, missing or other story's comment → 422 with a message, nothing stored", bad_parents)
    site.set("comments.moderation", "hold-first")


def _antispam(t, site):
    srv = site.srv

    def refused(name, make, status, message_part, reason):
        def fn():
            site.set("comments.moderation", "publish")
            before = site.list()
            mark = site.log_mark()
            r, fields = make()
            doc = expect_html(r, name, status=status)
            msg = form_message(doc)
            expect(message_part in msg, "message: %r (expected %r)" % (msg, message_part))
            if fields and "comment" in fields and isinstance(fields["comment"], str):
                expect_eq(kept_values(doc)["comment"], fields["comment"].strip(), "comment text kept")
            expect_eq(site.list(), before, "`comments list` after the refusal")
            log = site.log_since(mark)
            pat = "comment refused on %s from 127.0.0.1: %s" % (OPEN, reason)
            expect(pat in log, "server log lacks %r; new stderr: %r" % (pat, log[-400:]))
        return fn

    def with_form(**over):
        def make():
            f = get_form(srv, OPEN)
            fields = comment_fields(f, **over)
            return post(srv, OPEN, fields, cookie=f.cookie), fields
        return make

    def missing_token():
        f = get_form(srv, OPEN)
        fields = comment_fields(f, gz_token=None)
        return post(srv, OPEN, fields, cookie=f.cookie), fields

    def tampered():
        f = get_form(srv, OPEN)
        tok = f.token
        tok = tok[:-1] + ("0" if tok[-1] != "0" else "1")
        fields = comment_fields(f, gz_token=tok)
        return post(srv, OPEN, fields, cookie=f.cookie), fields

    def tampered_time():
        f = get_form(srv, OPEN)
        parts = f.token.split(".")
        parts[2] = str(int(parts[2]) - 100000)
        fields = comment_fields(f, gz_token=".".join(parts))
        return post(srv, OPEN, fields, cookie=f.cookie), fields

    def other_article():
        f = get_form(srv, OTHER)
        fields = comment_fields(f)
        return post(srv, OPEN, fields, cookie=f.cookie), fields

    def cross_site(**headers):
        def make():
            f = get_form(srv, OPEN)
            fields = comment_fields(f)
            return post(srv, OPEN, fields, extra_headers=headers), fields
        return make

    def blocked(key, value, **over):
        def make():
            site.set(key, value)
            try:
                return with_form(**over)()
            finally:
                site.set(key, "")
        return make

    cases = [
        ("honeypot filled", with_form(gz_website="http://spam.example/"), 403, "could not be accepted", "honeypot filled"),
        ("token missing", missing_token, 403, "could not be read", "form token refused"),
        ("token signature tampered", tampered, 403, "could not be verified", "form token refused"),
        ("token time changed", tampered_time, 403, "could not be verified", "form token refused"),
        ("token of another article", other_article, 403, "belongs to a different article", "form token refused"),
        ("posted from another site (Origin)", cross_site(Origin="http://evil.example"), 403, "sent from another site", "cross-site post"),
        ("posted from another site (Sec-Fetch-Site)", cross_site(**{"Sec-Fetch-Site": "cross-site"}), 403, "sent from another site", "cross-site post"),
        ("posted from another site (Referer)", cross_site(Referer="https://evil.example/page"), 403, "sent from another site", "cross-site post"),
        ("posted from a sandboxed page (Origin: null)", cross_site(Origin="null"), 403, "sent from another site", "cross-site post"),
        ("3 links (max_links 2)", with_form(comment="see http://a.example https://b.example and www.c.example"), 403, "more links than we allow", "too many links"),
        ("blocked word (any case)", blocked("comments.blocked_words", "casino, viagra", comment="Cheap ViAgRa here"), 403, "word or address that we do not accept", "blocked word"),
        ("blocked word in the email", blocked("comments.blocked_words", "spammy.example", email="x@spammy.example"), 403, "word or address", "blocked word"),
        ("blocked IP 127.0.0.1", blocked("comments.blocked_ips", "10.0.0.1, 127.0.0.1", comment="from a blocked address"), 403, "cannot accept comments from your network", "blocked IP"),
    ]
    for name, make, status, msg, reason in cases:
        t.check("anti-spam: %s → %d with a message, nothing stored, 'comment refused ... %s' logged" % (name, status, reason),
                refused(name, make, status, msg, reason))

    def two_links_ok():
        f = get_form(srv, OPEN)
        cid, _ = posted(send(srv, f, comment="two links: http://a.example and https://b.example/x"), "2 links")
        li = comment_li(expect_html(srv.get("/news/%s/" % OPEN), "GET"), cid)
        hrefs = [a.get("href") for a in li.find("div", "comment-text").find_all("a")]
        expect_eq(hrefs, ["http://a.example", "https://b.example/x"], "links made from the URLs")
        for a in li.find("div", "comment-text").find_all("a"):
            expect("nofollow" in a.get("rel", ""), "link without rel=nofollow")

    t.check("anti-spam: 2 links (= max_links) pass and become rel=nofollow links", two_links_ok)

    def timing():
        site.set("comments.moderation", "publish")
        f = get_form(srv, OPEN)
        site.set("comments.min_seconds", "2")
        try:
            before = site.list()
            mark = site.log_mark()
            body = "too fast %s" % unique()
            doc = expect_html(send(srv, f, comment=body), "post at once (min_seconds 2)", status=403)
            expect("too quickly" in form_message(doc), "message: %r" % form_message(doc))
            expect_eq(kept_values(doc)["comment"], body, "comment kept")
            expect_eq(site.list(), before, "stored")
            expect("form token refused" in site.log_since(mark), "no log line")
            time.sleep(2.3)
            posted(send(srv, f, comment=body), "the same form 2.3 s later")
            site.set("comments.max_age_seconds", "1")
            before = site.list()
            doc = expect_html(send(srv, f, comment="expired %s" % unique()), "post 2.3 s later (max_age_seconds 1)", status=403)
            expect("expired" in form_message(doc), "message: %r" % form_message(doc))
            expect_eq(site.list(), before, "stored")
        finally:
            site.set("comments.min_seconds", "0")
            site.set("comments.max_age_seconds", "86400")

    t.check("anti-spam: min_seconds 2 → an at-once post is refused 'too quickly', the same form 2.3 s later passes; max_age_seconds 1 → expired", timing)

    def duplicate():
        site.set("comments.moderation", "publish")
        f = get_form(srv, OPEN)
        email = unique("dup") + "@example.org"
        body = "Exactly the same words %s" % unique()
        posted(send(srv, f, comment=body, email=email), "first post")
        before = site.list()
        doc = expect_html(send(srv, f, comment=body, email=email.upper()), "the same post again", status=409)
        expect("already posted this comment" in form_message(doc), "message: %r" % form_message(doc))
        expect_eq(kept_values(doc)["comment"], body, "comment kept")
        expect_eq(site.list(), before, "stored")
        posted(send(srv, f, comment=body, email=unique("dup2") + "@example.org"), "the same text from another email")

    t.check("anti-spam: the same text from the same email (any case) → 409 'already posted'; another email may", duplicate)
    site.set("comments.moderation", "hold-first")


def _rate_limit(t, gz):
    settings = dict(FAST_SETTINGS, **{"comments.rate_limit": "3", "comments.moderation": "publish"})
    site = Site(t, gz, "rate-limit server", settings, default_stories()[:1])
    if not t.check("rate limit: a server started with comments.rate_limit 3", site.setup):
        return
    try:
        def limit():
            f = get_form(site.srv, OPEN)
            for i in range(3):
                posted(send(site.srv, f), "post %d of 3" % (i + 1))
            before = site.list()
            mark = site.log_mark()
            body = "the fourth %s" % unique()
            doc = expect_html(send(site.srv, f, comment=body), "4th post", status=429)
            expect("several comments in a short time" in form_message(doc), "message: %r" % form_message(doc))
            expect_eq(kept_values(doc)["comment"], body, "comment kept")
            expect_eq(site.list(), before, "stored")
            expect("comment refused on %s from 127.0.0.1: rate limit" % OPEN in site.log_since(mark), "no 'rate limit' log line")
            expect_eq(len(before), 3, "comments stored in all")

        t.check("rate limit: 3 posts pass, the 4th → 429 with a message, nothing stored, logged", limit)
    finally:
        stop_server(t, gz, site.srv, "rate-limit server")


def _closed(t, site):
    srv = site.srv

    def closed_story():
        d = expect_html(srv.get("/news/%s/" % CLOSED), "GET the closed story")
        expect(d.find("form", "comment-form") is None, "a comments: off story has a comment form")
        expect_eq(text_of(d.find("p", "comments-closed")), "Comments are closed.", "closed note")
        f = get_form(srv, OPEN)
        before = site.list()
        fields = comment_fields(f)
        doc = expect_html(post(srv, CLOSED, fields, cookie=f.cookie), "POST to the closed story", status=403)
        expect("Comments are closed" in doc.text(), "no closed message in the 403 page")
        expect_eq(site.list(), before, "stored")

    t.check("closed: a 'comments: off' story has no form, says 'Comments are closed.', POST → 403, nothing stored", closed_story)

    def close_after():
        f_old = get_form(srv, OLD)
        site.set("comments.close_after_days", "1")
        try:
            d = expect_html(srv.get("/news/%s/" % OLD), "GET the old story")
            expect(d.find("form", "comment-form") is None, "a story from 2015 still has a form with close_after_days 1")
            expect_eq(text_of(d.find("p", "comments-closed")), "Comments are closed.", "closed note")
            before = site.list()
            expect_html(send(srv, f_old), "POST to the old story", status=403)
            expect_eq(site.list(), before, "stored")
            expect(expect_html(srv.get("/news/%s/" % OPEN), "GET").find("form", "comment-form") is not None,
                   "a story published an hour ago lost its form")
        finally:
            site.set("comments.close_after_days", "0")
        expect(expect_html(srv.get("/news/%s/" % OLD), "GET").find("form", "comment-form") is not None,
               "close_after_days 0 did not reopen the old story")

    t.check("closed: close_after_days 1 closes a story published in 2015 (POST → 403); 0 reopens it", close_after)

    def own_days():
        d = expect_html(srv.get("/news/%s/" % OLD_DAYS), "GET the story with comments: 30")
        expect(d.find("form", "comment-form") is None, "a story with 'comments: 30' from 2016 still has a form")
        expect_eq(text_of(d.find("p", "comments-closed")), "Comments are closed.", "closed note")
        d = expect_html(srv.get("/news/%s/" % OLD), "GET the old story without a number of its own")
        expect(d.find("form", "comment-form") is not None, "the site default (never) did not apply to the other old story")

    t.check("closed: 'comments: 30' in a story's front matter closes its comments 30 days after publication", own_days)


def _cli_and_api(t, site):
    srv, gz = site.srv, site.gz
    ids = {}

    def make():
        site.set("comments.moderation", "hold-all")
        try:
            f = get_form(srv, OPEN)
            for k in ("a", "b", "c", "d"):
                ids[k] = posted(send(srv, f, comment="moderate me %s %s" % (k, unique())), "post %s" % k)[0]
        finally:
            site.set("comments.moderation", "hold-first")

    def cli():
        make()
        pending = [r[0] for r in site.list("pending")]
        for k in "abcd":
            expect(ids[k] in pending, "comment %s not in --status pending" % k)
        for action, k, status in (("approve", "a", "approved"), ("spam", "b", "spam"), ("trash", "c", "trash")):
            r = gz.run("comments", action, "--db", site.db, ids[k])
            expect_rc(r, 0, "comments %s" % action)
            expect_eq(site.status_of(ids[k]), status, "status after %s" % action)
            listed = [row[0] for row in site.list(status)]
            expect(ids[k] in listed, "%d not in --status %s" % (ids[k], status))
            others = [row for row in site.list(status) if row[1] != status]
            expect(not others, "--status %s lists other statuses: %r" % (status, others[:3]))
        r = gz.run("comments", "delete", "--db", site.db, ids["c"])
        expect_rc(r, 0, "comments delete")
        expect(site.status_of(ids["c"]) is None, "deleted comment still listed")
        d = expect_html(srv.get("/news/%s/" % OPEN), "GET")
        expect(comment_li(d, ids["a"]) is not None, "approved comment not shown")
        expect(comment_li(d, ids["b"]) is None, "spam comment shown")

    t.check("moderation CLI: list --status, approve/spam/trash/delete change the status (and the page)", cli)

    def cli_errors():
        before = site.list()
        r = gz.run("comments", "approve", "--db", site.db, ids["d"], 99999999)
        expect_rc(r, 1, "comments approve with a missing id")
        expect("nothing was changed" in r.stderr, "stderr: %r" % r.stderr)
        expect_eq(site.list(), before, "list after the failed approve")
        r = gz.run("comments", "delete", "--db", site.db, 99999999)
        expect_rc(r, 1, "comments delete of a missing id")
        r = gz.run("comments", "list", "--db", site.db, "--status", "bogus")
        expect_rc(r, 2, "comments list --status bogus")
        expect("bogus" in r.stderr, "stderr does not name the bad status: %r" % r.stderr)
        r = gz.run("comments", "approve", "--db", site.db, "abc")
        expect_rc(r, 2, "comments approve abc")

    t.check("moderation CLI: a missing id → exit 1 and nothing changed; bad --status or id → exit 2", cli_errors)

    def api():
        r = gz.run("admin-token", "--db", site.db)
        expect_rc(r, 0, "admin-token")
        token = r.stdout.strip().split()[-1]
        base = "/api/v1/admin/comments"
        for hdr in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": token}, {"Authorization": "Bearer "}):
            resp = srv.get(base + "?status=pending", headers=hdr)
            expect_status(resp, 401, "GET %s with %r" % (base, hdr))
            expect("Bearer" in (resp.header("WWW-Authenticate") or ""), "401 without WWW-Authenticate")
        resp = srv.request("POST", base + "/%d/approve" % ids["d"], headers={"Authorization": "Bearer nope"})
        expect_status(resp, 401, "POST approve without a valid token")
        expect_eq(site.status_of(ids["d"]), "pending", "status after the refused API call")
        auth = {"Authorization": "Bearer " + token}
        body = expect_json(srv.get(base + "?status=pending", headers=auth), "GET pending with the token")
        got = [c["id"] for c in body["comments"]]
        expect(ids["d"] in got, "pending comment %d not in the admin list %r" % (ids["d"], got[:10]))
        expect(all(c["status"] == "pending" for c in body["comments"]), "status=pending lists others")
        expect("email" in body["comments"][0], "admin list lacks the email")
        expect_status(srv.get(base + "?status=bogus", headers=auth), 400, "status=bogus")
        resp = srv.request("POST", base + "/%d/approve" % ids["d"], headers=auth)
        expect_json(resp, "POST approve")
        expect_eq(site.status_of(ids["d"]), "approved", "status after the API approve")
        for action, status in (("spam", "spam"), ("trash", "trash")):
            expect_json(srv.request("POST", base + "/%d/%s" % (ids["d"], action), headers=auth), "POST " + action)
            expect_eq(site.status_of(ids["d"]), status, "status after API %s" % action)
        expect_status(srv.request("POST", base + "/%d/frobnicate" % ids["d"], headers=auth), 404, "unknown action")
        expect_status(srv.request("POST", base + "/99999999/approve", headers=auth), 404, "missing id")
        expect_json(srv.request("POST", base + "/%d/delete" % ids["d"], headers=auth), "POST delete")
        expect(site.status_of(ids["d"]) is None, "deleted by the API but still listed")

    t.check("admin API: 401 without/with a wrong token (nothing changed); with it list by status, approve/spam/trash/delete, 404s", api)


def _allowed_href(value):
    v = value.strip().lower()
    return v.startswith("http://") or v.startswith("https://") or v.startswith("#") or v.startswith("/") or v.startswith("?")


SAFE_TAGS = {"section", "h2", "h3", "span", "ol", "li", "article", "header", "a", "time", "p", "div", "br",
             "ul", "form", "label", "textarea", "input", "button"}


def check_tree(root, where):
    """Every element below root: known tags only, no event handler or style attribute, links
    only to http(s) or the page itself."""
    problems = []
    for el in root.iter():
        if el.tag not in SAFE_TAGS:
            problems.append("<%s> element" % el.tag)
        for name, value in el.attrs.items():
            if name.startswith("on") or name in ("style", "srcdoc", "formaction", "xlink:href"):
                problems.append("%s=%r on <%s>" % (name, value, el.tag))
            if name in ("href", "src", "action") and not _allowed_href(value):
                problems.append("%s=%r on <%s>" % (name, value, el.tag))
    expect(not problems, "%s: %d unsafe things, first: %s" % (where, len(problems), "; ".join(problems[:5])))


def check_raw(text, where):
    # the theme's own scripts (assets/live.js, after the comments: a local file, no inline code)
    text = re.sub(r'<script src="/assets/[A-Za-z0-9_.-]+\.js" defer></script>', "", text)
    low = text.lower()
    for bad in ("<script", "<iframe", "<svg", "<img", "<object", "<embed", "<body", "<style", "<math"):
        i = low.find(bad)
        expect(i < 0, "%s: %r appears unescaped: ...%s..." % (where, bad, text[max(0, i - 80): i + 80]))
    m = re.search(r"<[a-z][^<>]*\son[a-z]+\s*=", low)
    expect(m is None, "%s: an on...= attribute inside a tag: %r" % (where, m and text[m.start(): m.end() + 40]))


def check_feed(srv, path, where_payloads=()):
    r = srv.get(path)
    expect_status(r, 200, "GET " + path)
    expect("xml" in r.content_type, "GET %s: Content-Type %r" % (path, r.content_type))
    try:
        root = ET.fromstring(r.body)
    except ET.ParseError as e:
        raise AssertionError("GET %s is not well-formed XML: %s" % (path, e))
    items = root.findall("./channel/item")
    for item in items:
        desc = item.findtext("description") or ""
        doc = html_tree.parse(desc)
        for el in doc.iter():
            expect(el.tag in ("p", "br", "a"), "%s: <%s> in an item's description HTML" % (path, el.tag))
            for name, value in el.attrs.items():
                expect(name in ("href", "rel"), "%s: attribute %s=%r in a description" % (path, name, value))
                if name == "href":
                    expect(_allowed_href(value), "%s: href=%r in a description" % (path, value))
        check_raw(desc, path + " description")
    return r, items


def load_payloads():
    with open(PAYLOADS_FILE, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def _xss(t, site):
    srv = site.srv
    state = {"ids": {}, "names": {}, "urls": {}}

    def post_all():
        payloads = load_payloads()
        expect(len(payloads) >= 100, "only %d payloads in %s" % (len(payloads), PAYLOADS_FILE))
        site.set("comments.moderation", "publish")
        site.set("comments.max_links", "1000")
        f = get_form(srv, XSS, strict=False)
        refused = []
        for i, p in enumerate(payloads):
            r = send(srv, f, comment=p, author="Payload %d" % i, email="xss%d@example.org" % i)
            if r.status != 303:
                refused.append((i, r.status, p))
                continue
            state["ids"][posted(r)[0]] = p
        expect(not refused, "%d payload comments refused, first: %r" % (len(refused), refused[:3]))
        names = [p for p in payloads if len(p) <= 100][:40]
        for i, p in enumerate(names):
            r = send(srv, f, comment="name payload %d %s" % (i, unique()), author=p, email="name%d@example.org" % i)
            if r.status == 303:
                state["names"][posted(r)[0]] = p
            else:
                check_raw(r.text.split('class="comments"', 1)[-1], "422 page for name payload %r" % p)
        urls = ["http://example.com/\"onmouseover=\"alert(1)", "https://example.com/#javascript:alert(1)",
                "http://evil.example/onmouseover=alert(1)//", "https://example.com/?a=1&b=<script>",
                "http://[::1]/x", "https://example.com/(javascript:alert(1))", "javascript:alert(1)",
                "data:text/html,<script>alert(1)</script>", "https://user@evil.example/", "HTTPS://EXAMPLE.COM/UP"]
        for i, u in enumerate(urls):
            r = send(srv, f, comment="url payload %d %s" % (i, unique()), author="Url %d" % i, email="url%d@example.org" % i, url=u)
            if r.status == 303:
                state["urls"][posted(r)[0]] = u
            else:
                expect_status(r, 422, "website %r" % u)
                check_tree(r.doc().find("section", "comments"), "the form shown again for website %r" % u)
        t.diag("xss: %d comment payloads, %d name payloads, %d of %d website payloads accepted"
               % (len(state["ids"]), len(state["names"]), len(state["urls"]), len(urls)))

    if not t.check("xss: every payload of data/xss_payloads.txt (>= 100) is accepted as a comment (303); some as name and website", post_all):
        return

    def page():
        r = srv.get("/news/%s/" % XSS)
        expect_status(r, 200, "GET the xss story")
        doc = r.doc()
        sec = doc.find("section", "comments")
        check_tree(sec, "section.comments")
        html = r.text
        comments_html = html[html.find('<section class="comments"'):]
        check_raw(comments_html, "the comments section")
        for cid, p in state["ids"].items():
            li = comment_li(doc, cid)
            expect(li is not None, "payload comment %d not shown" % cid)
            expect_eq(li.find("div", "comment-text").text(), " ".join(p.split()), "text of payload comment %d (shown literally)" % cid)
        for cid, p in state["names"].items():
            li = comment_li(doc, cid)
            expect_eq(li.find("span", "comment-author").text(), " ".join(p.split()), "name payload shown literally")
        for cid, u in state["urls"].items():
            a = comment_li(doc, cid).find("span", "comment-author").find("a")
            expect(a is not None and a.get("href") == u, "website %r: author link %r" % (u, a and a.get("href")))
        stripped = re.sub(r'<div class="comment-text">.*?</div>', "", html, flags=re.S)
        stripped = re.sub(r'<span class="comment-author">.*?</span>', "", stripped, flags=re.S)
        i = stripped.find("{{")
        expect(i < 0, "template braces outside comment text: ...%s..." % stripped[max(0, i - 80): i + 80])
        for cid, p in state["ids"].items():
            if p == "{{7*7}}":
                expect("{{7*7}}" in comment_li(doc, cid).text(), "{{7*7}} was evaluated")

    t.check("xss: the story page shows every payload literally; no unsafe element, attribute or URL in section.comments", page)

    def reply_page():
        for cid in list(state["names"])[:15]:
            r = srv.get("/news/%s/?reply=%d" % (XSS, cid))
            expect_status(r, 200, "GET ?reply=%d" % cid)
            sec = r.doc().find("section", "comments")
            check_tree(sec, "?reply=%d" % cid)
            title = sec.find("h3", "respond-title").text()
            expect_eq(title, "Reply to " + " ".join(state["names"][cid].split()), "respond title")

    t.check("xss: 'Reply to NAME' with a hostile name is escaped", reply_page)

    def reshown():
        f = get_form(srv, XSS, strict=False)
        for p in load_payloads()[:60]:
            r = send(srv, f, comment=p, author=p[:100], email="bad", url=p[:500])
            expect_status(r, 422, "payload with a bad email")
            doc = r.doc()
            check_tree(doc.find("section", "comments"), "the 422 page for %r" % p)
            kept = kept_values(doc)
            expect_eq(kept["comment"], p.strip(), "payload kept in the textarea")
            expect_eq(kept["author"], p[:100].strip(), "payload kept in the name field")

    t.check("xss: the form shown again (422) keeps each payload as inert text in the textarea and inputs", reshown)

    def feeds():
        check_feed(srv, "/comments/feed.xml")
        r, items = check_feed(srv, "/news/%s/comments/feed.xml" % XSS)
        expect(len(items) > 0, "no items in the story's comment feed")
        titles = [i.findtext("title") for i in items]
        expect(any(t.startswith("Comment by ") for t in titles), "titles: %r" % titles[:3])

    t.check("xss: both comment feeds are well-formed XML; descriptions hold only p/br/a with http(s) links", feeds)

    def api():
        for path in ("/api/v1/articles/%s" % XSS, "/api/v1/articles?limit=100"):
            r = srv.get(path)
            expect_json(r, "GET " + path)
            check_raw(r.text, path)

    t.check("xss: the API article and list carry no unescaped payload", api)
    site.set("comments.max_links", "2")
    site.set("comments.moderation", "hold-first")


def _privacy(t, site):
    srv, gz = site.srv, site.gz
    marker = "privacy-marker-%s@Mail-Secret.example" % unique("m")
    low = marker.lower()

    def private():
        site.set("comments.moderation", "publish")
        try:
            f = get_form(srv, OPEN)
            cid, _ = posted(send(srv, f, email=marker, author="Private Person", url="https://person.example/"), "post")
            rf = get_form(srv, OPEN, query="?reply=%d" % cid)
            posted(send(srv, rf, email=marker, author="Private Person"), "reply")
        finally:
            site.set("comments.moderation", "hold-first")
        paths = ["/", "/news/%s/" % OPEN, "/news/%s/?reply=%d" % (OPEN, cid), "/topic/harbour/",
                 "/comments/feed.xml", "/news/%s/comments/feed.xml" % OPEN, "/api/v1/articles?limit=100",
                 "/api/v1/articles/%s" % OPEN, "/feed.xml", "/sitemap.xml"]
        for p in paths:
            r = srv.get(p)
            if r.status == 404 and p in ("/feed.xml", "/sitemap.xml"):
                continue
            expect_status(r, 200, "GET " + p)
            body = r.body.decode("utf-8", "replace").lower()
            expect(low not in body and low.split("@")[0] not in body, "%s shows the commenter's email" % p)
            for hdr, value in r.headers.items():
                expect(low not in value.lower(), "%s: header %s has the email" % (p, hdr))
        d = expect_html(srv.get("/news/%s/" % OPEN), "GET")
        expect(comment_li(d, cid) is not None, "the comment is not shown at all")
        r = gz.run("admin-token", "--db", site.db)
        token = r.stdout.strip().split()[-1]
        admin = srv.get("/api/v1/admin/comments?status=approved", headers={"Authorization": "Bearer " + token})
        expect(marker in admin.text, "the admin API (with a token) lacks the email")
        expect(marker in gz.run("comments", "list", "--db", site.db).stdout, "`comments list` lacks the email")

    t.check("privacy: the commenter's email is in no page, feed or public API answer; only in the admin API and CLI", private)


def _load(t, site):
    srv, gz = site.srv, site.gz
    total = 1000 if gz.sanitized else 10000
    writers, readers = 8, 2
    budget = 60.0  # seconds at most for the posting phase

    def load():
        site.set("comments.moderation", "publish")
        acked, bad, read_bad, reads = [], [], [], [0]
        lock = threading.Lock()
        stop = threading.Event()
        deadline = time.monotonic() + gz.remaining(budget)
        counter = itertools.count()

        def writer(w):
            f = get_form(srv, LOAD)
            conn = None
            while not stop.is_set():
                n = next(counter)
                if n >= total or time.monotonic() > deadline:
                    return
                body = encode(comment_fields(f, comment="load comment number %d from writer %d" % (n, w),
                                             author="Writer %d" % w, email="writer%d@load.example" % w))
                try:
                    if conn is None:
                        conn = srv.connection(timeout=30)
                    conn.request("POST", "/news/%s/comments" % LOAD, body=body,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
                    r = conn.getresponse()
                    r.read()
                    loc = r.getheader("Location", "")
                    if r.getheader("Connection", "").lower() == "close":
                        conn.close()
                        conn = None
                except (OSError, http.client.HTTPException) as e:
                    with lock:
                        bad.append((n, "%s: %s" % (type(e).__name__, e)))
                    conn = None
                    continue
                m = REDIRECT_RE.match(loc or "")
                with lock:
                    if r.status == 303 and m and not m.group(2):
                        acked.append(int(m.group(5)))
                    else:
                        bad.append((n, "HTTP %d Location %r" % (r.status, loc)))
            if conn is not None:
                conn.close()

        def reader():
            paths = ["/", "/news/%s/" % OPEN, "/comments/feed.xml", "/topic/tests/"]
            i = 0
            while not stop.is_set():
                p = paths[i % len(paths)]
                i += 1
                try:
                    c = srv.connection(timeout=30)
                    c.request("GET", p)
                    r = c.getresponse()
                    r.read()
                    c.close()
                    with lock:
                        reads[0] += 1
                        if r.status != 200:
                            read_bad.append((p, r.status))
                except (OSError, http.client.HTTPException) as e:
                    with lock:
                        read_bad.append((p, str(e)))

        t0 = time.monotonic()
        ws = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(writers)]
        rs = [threading.Thread(target=reader, daemon=True) for _ in range(readers)]
        for th in ws + rs:
            th.start()
        for th in ws:
            th.join(timeout=gz.remaining(budget + 30))
        stop.set()
        for th in rs:
            th.join(timeout=10)
        took = time.monotonic() - t0
        site.set("comments.moderation", "hold-first")
        t.diag("load: %d comments in %.1f s (%.0f/s); %d page reads alongside" % (len(acked), took, len(acked) / took if took else 0, reads[0]))
        expect(not bad, "%d posts not acknowledged with a 303, first: %r" % (len(bad), bad[:5]))
        expect(not read_bad, "%d page reads failed, first: %r" % (len(read_bad), read_bad[:5]))
        expect_eq(len(acked), total, "posts acknowledged within %.0f s" % budget)
        expect_eq(len(set(acked)), len(acked), "distinct comment ids in the 303 answers")
        rows = [r for r in site.list() if r[2] == LOAD]
        stored = [r[0] for r in rows]
        dup = len(stored) - len(set(stored))
        expect(dup == 0, "%d ids listed twice" % dup)
        missing = set(acked) - set(stored)
        expect(not missing, "%d acknowledged comments not stored, e.g. %r" % (len(missing), sorted(missing)[:5]))
        expect_eq(len(stored), len(acked), "comments stored on the load story vs acknowledged posts")
        expect(all(r[1] == "approved" for r in rows), "a load comment is not approved")

    t.check("load: %d posts from %d threads while %d threads read; every 303 id stored exactly once" % (total, writers, readers), load)
