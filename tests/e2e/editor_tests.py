"""editor_tests.py — the newsroom's story editor over HTTP (/admin/stories, /admin/preview,
revisions): users made with `gazette user add` (the password on stdin), signed in at
/admin/login; a story written, saved, published, unpublished; one scheduled two seconds ahead
that goes live by itself (also across a restart); each role's refusals (contributor, author,
signed out) and the CSRF check; validation that keeps the writer's input; the conflict warning
when someone saved meanwhile, and the deliberate overwrite; revisions, their diff and restore;
unique slugs made from headlines; hostile text escaped on every screen."""

import datetime
import re
import subprocess
import time
import urllib.parse
import zoneinfo

from checks import expect, expect_eq, expect_html, expect_rc, expect_status
from gazette import Result, _register

PASSWORD = "correct horse battery staple"
USERS = [  # login, role, author name
    ("erin", "editor", "Erin Editor"),
    ("abe", "author", "Abe Author"),
    ("ada", "author", "Ada Author"),
    ("cory", "contributor", "Cory Contributor"),
]
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def user_add(gz, login, role, name):
    """`gazette user add` with the password as the first line of standard input."""
    args = ["user", "add", login, "--role", role, "--name", name, "--db", gz.path("editor.db")]
    p = _register(
        subprocess.Popen(
            [gz.binary] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, cwd=gz.tmp, env=gz.env, start_new_session=True,
        )
    )
    t0 = time.monotonic()
    out, err = p.communicate((PASSWORD + "\n").encode(), timeout=gz.remaining(60))
    r = Result(args, p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
               time.monotonic() - t0)
    gz.runs.append(r)
    return r


class Browser:
    """One signed-in user: cookies kept, forms posted urlencoded."""

    def __init__(self, srv):
        self.srv, self.cookies = srv, {}

    def request(self, method, path, form=None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        r = self.srv.request(method, path, headers=headers, body=body)
        for name, value in r.headers.items():
            if name.lower() == "set-cookie":
                k, v = value.split(";")[0].split("=", 1)
                if v:
                    self.cookies[k] = v
                else:
                    self.cookies.pop(k, None)
        return r

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form):
        return self.request("POST", path, form)

    def login(self, login):
        page = self.get("/admin/login")
        r = self.post("/admin/login", {"csrf": csrf_of(page.text), "next": "/admin/", "login": login,
                                       "password": PASSWORD})
        expect_status(r, 303, "signing in as %s" % login)
        expect("gz_session" in self.cookies, "no session cookie after signing in as %s" % login)
        return self

    def csrf(self, path="/admin/stories/new"):
        return csrf_of(self.get(path).text)


def csrf_of(html):
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    expect(m is not None, "no csrf field in the page: %s" % html[:300])
    return m.group(1)


def revision_of(html):
    m = re.search(r'name="revision" value="(\d+)"', html)
    expect(m is not None, "no revision field in the page")
    return m.group(1)


def story_id(r):
    expect_status(r, 303, "saving a story")
    m = re.match(r"^/admin/stories/(\d+)\?done=", r.header("Location") or "")
    expect(m is not None, "the save led to %r" % r.header("Location"))
    return m.group(1)


def form_for(b, path, **fields):
    """The fields a story form posts: what the page shows, changed by fields."""
    page = b.get(path)
    expect_status(page, 200, "GET %s" % path)
    html = page.text
    out = {"csrf": csrf_of(html), "revision": revision_of(html) if "name=\"revision\"" in html else "0",
           "body_format": "markdown", "comments": "on"}
    for name in ("kicker", "headline", "slug", "topics", "authors", "image_url", "image_caption",
                 "image_credit", "image_alt", "comments_days", "publish_at"):
        m = re.search(r'name="%s" value="([^"]*)"' % name, html)
        out[name] = unescape(m.group(1)) if m else ""
    for name in ("lead", "body"):
        m = re.search(r'<textarea name="%s"[^>]*>(.*?)</textarea>' % name, html, re.S)
        out[name] = unescape(m.group(1)) if m else ""
    out.update(fields)
    return out


def unescape(text):
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&#39;", "'").replace("&amp;", "&"))


def local_in(seconds, zone=None):
    """The site's wall-clock time (UTC, or the time_zone setting zone) seconds from now, as a
    datetime-local input holds it."""
    tz = zoneinfo.ZoneInfo(zone) if zone else datetime.timezone.utc
    t = datetime.datetime.now(tz) + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%S")


def wait_live(srv, path, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        r = srv.get(path)
        if r.status == 200:
            return r
        time.sleep(0.25)
    raise AssertionError("%s did not go live within %d s" % (path, seconds))


def run(t, gz):
    db = gz.path("editor.db")
    state = {}

    def setup():
        expect_rc(gz.run("init", "--db", db), 0, "gazette init")
        for login, role, name in USERS:
            expect_rc(user_add(gz, login, role, name), 0, "gazette user add %s" % login)
        srv = gz.server("editor server", "serve", "--db", db).start()
        state["srv"] = srv
        state["b"] = {login: Browser(srv).login(login) for login, _, _ in USERS}

    if not t.check("editor: users added with the password on stdin sign in over HTTP", setup):
        return
    srv, b = state["srv"], state["b"]
    erin, abe, ada, cory = b["erin"], b["abe"], b["ada"], b["cory"]

    def draft_publish_unpublish():
        r = erin.post("/admin/stories/new", form_for(erin, "/admin/stories/new", headline="Harbour ferry late again",
                                                     body="The ferry was late.\n\nAgain.", topics="Harbour, City",
                                                     action="save"))
        sid = story_id(r)
        state["erin_story"] = sid
        page = erin.get("/admin/stories/%s?done=save" % sid)
        expect_html(page, "the story screen")
        expect("Saved." in page.text, "no 'Saved.' notice after saving")
        expect('value="harbour-ferry-late-again"' in page.text, "the slug was not made from the headline")
        expect_status(srv.get("/news/harbour-ferry-late-again/"), 404, "a draft on the public site")
        listing = erin.get("/admin/stories?status=draft")
        expect("Harbour ferry late again" in listing.text, "the draft is not in the drafts list")
        r = erin.post("/admin/stories/%s" % sid, form_for(erin, "/admin/stories/%s" % sid, action="publish"))
        story_id(r)
        pub = srv.get("/news/harbour-ferry-late-again/")
        expect_status(pub, 200, "the published story")
        expect("The ferry was late." in pub.text, "the body is not on the public page")
        r = erin.post("/admin/stories/%s" % sid, form_for(erin, "/admin/stories/%s" % sid, action="unpublish"))
        story_id(r)
        expect_status(srv.get("/news/harbour-ferry-late-again/"), 404, "the unpublished story")
        r = erin.post("/admin/stories/%s" % sid, form_for(erin, "/admin/stories/%s" % sid, action="publish"))
        story_id(r)

    t.check("editor: save a draft (not public), publish (public), unpublish (gone), publish again",
            draft_publish_unpublish)

    def schedule():
        # scheduled now, checked at the end of the module: the other checks pass the time
        expect_rc(gz.run("settings", "set", "--db", db, "time_zone", "Asia/Kolkata"), 0, "setting the time zone")
        try:
            # an hour from now in Kolkata (UTC+5:30) is not that hour UTC: the story waits
            when = local_in(3600, "Asia/Kolkata")
            sid = story_id(erin.post("/admin/stories/new", form_for(
                erin, "/admin/stories/new", headline="Monsoon ferry times", body="Later.", publish_at=when,
                action="schedule")))
            page = erin.get("/admin/stories/%s" % sid)
            shown = when[:16] if when.endswith(":00") else when  # seconds only when not 0
            expect('value="%s"' % shown in page.text, "the time is not shown back in the site's zone: %s" % when)
            expect("(Asia/Kolkata)" in page.text, "the zone is not named on the story screen")
            story_id(erin.post("/admin/stories/new", form_for(
                erin, "/admin/stories/new", headline="Kolkata now", body="Soon.",
                publish_at=local_in(2, "Asia/Kolkata"), action="schedule")))
        finally:
            gz.run("settings", "set", "--db", db, "time_zone", "UTC")
        sid = story_id(erin.post("/admin/stories/new", form_for(
            erin, "/admin/stories/new", headline="Tide tables for winter", body="Low tide at noon.",
            publish_at=local_in(2), action="schedule")))
        state["tide"] = sid
        page = erin.get("/admin/stories/%s" % sid)
        expect("Scheduled" in page.text, "the story screen does not say it is scheduled")
        story_id(erin.post("/admin/stories/new", form_for(
            erin, "/admin/stories/new", headline="Night bus returns", body="From Monday.", publish_at=local_in(3),
            action="schedule")))
        for slug in ("tide-tables-for-winter", "night-bus-returns", "monsoon-ferry-times"):
            expect_status(srv.get("/news/%s/" % slug), 404, "%s before its time" % slug)
        srv.stop()  # what is scheduled must also go live after a restart
        srv.start()
        for login, _, _ in USERS:  # sessions survive the restart (server-side)
            expect_status(b[login].get("/admin/stories"), 200, "%s's session after a restart" % login)

    t.check("editor: stories scheduled seconds ahead (UTC and the site's zone), then a restart", schedule)

    def scheduled_live():
        for slug in ("tide-tables-for-winter", "night-bus-returns", "kolkata-now"):
            wait_live(srv, "/news/%s/" % slug)
        expect("Tide tables for winter" in srv.get("/").text, "the scheduled story is not on the home page")
        expect_status(srv.get("/news/monsoon-ferry-times/"), 404, "the story scheduled an hour ahead")
        # saved again as the screen shows it (its time, to the second, now past): no complaint
        sid = state["tide"]
        story_id(erin.post("/admin/stories/%s" % sid, form_for(erin, "/admin/stories/%s" % sid, lead="Updated.",
                                                               action="save")))
        expect("Updated." in srv.get("/news/tide-tables-for-winter/").text, "the saved lead is not live")


    def refusals_signed_out():
        anon = Browser(srv)
        r = anon.get("/admin/stories")
        expect_status(r, 303, "the story list signed out")
        expect((r.header("Location") or "").startswith("/admin/login"), "not sent to the login page")
        expect_status(anon.post("/admin/stories/new", {"headline": "x", "action": "save"}), 401, "a save signed out")
        expect_status(anon.post("/admin/preview", {"headline": "x"}), 401, "a preview signed out")
        expect_status(anon.get("/admin/stories/1/revisions"), 303, "revisions signed out")

    t.check("editor: signed out, every editor screen refuses", refusals_signed_out)

    def contributor():
        new = form_for(cory, "/admin/stories/new", headline="Cory's draft", body="Notes.")
        expect("name=\"publish_at\"" not in cory.get("/admin/stories/new").text, "a contributor is offered scheduling")
        for action in ("publish", "schedule"):
            r = cory.post("/admin/stories/new", dict(new, action=action, publish_at=local_in(3600)))
            expect_status(r, 403, "a contributor's %s" % action)
        sid = story_id(cory.post("/admin/stories/new", dict(new, action="save")))
        state["cory_story"] = sid
        r = cory.post("/admin/stories/%s" % sid, form_for(cory, "/admin/stories/%s" % sid, action="unpublish"))
        expect_status(r, 403, "a contributor's unpublish")
        r = cory.post("/admin/stories/%s" % sid, form_for(cory, "/admin/stories/%s" % sid, action="publish"))
        expect_status(r, 403, "a contributor publishing their own draft")
        mine = cory.get("/admin/stories")
        expect("Cory&#39;s draft" in mine.text or "Cory's draft" in mine.text, "the contributor's own story is not listed")
        expect("Harbour ferry late again" not in mine.text, "a contributor sees someone else's story")
        other = state["erin_story"]
        expect_status(cory.get("/admin/stories/%s" % other), 403, "a contributor opening someone else's story")
        expect_status(cory.get("/admin/stories/%s/revisions" % other), 403, "a contributor reading someone else's revisions")
        r = cory.post("/admin/stories/%s" % other, dict(new, action="save", revision="1"))
        expect_status(r, 403, "a contributor saving someone else's story")
        r = cory.post("/admin/stories/%s/revisions/1/restore" % other, {"csrf": new["csrf"]})
        expect_status(r, 403, "a contributor restoring someone else's revision")
        # once an editor published it, the contributor may no longer change it
        story_id(erin.post("/admin/stories/%s" % sid, form_for(erin, "/admin/stories/%s" % sid, action="publish")))
        r = cory.post("/admin/stories/%s" % sid, form_for(cory, "/admin/stories/%s" % sid, action="save", headline="Changed"))
        expect_status(r, 403, "a contributor changing their published story")

    t.check("editor: a contributor saves drafts only, and only their own (403 for the rest)", contributor)

    def author():
        sid = story_id(abe.post("/admin/stories/new", form_for(abe, "/admin/stories/new", headline="Abe writes his own story",
                                                               body="Text.", action="publish")))
        state["abe_story"] = sid
        expect_status(srv.get("/news/abe-writes-his-own-story/"), 200, "an author's published story")
        other = state["erin_story"]
        page = ada.get("/admin/stories/%s" % other)
        expect_status(page, 200, "an author reading another's story")
        expect("but not change it" in page.text, "the read-only note is missing")
        f = form_for(ada, "/admin/stories/%s" % other, headline="Hijacked")
        for action in ("save", "publish", "unpublish", "schedule"):
            expect_status(ada.post("/admin/stories/%s" % other, dict(f, action=action, publish_at=local_in(3600))), 403,
                          "an author's %s of another's story" % action)
        expect_status(ada.post("/admin/stories/%s" % sid, form_for(ada, "/admin/stories/%s" % sid, action="unpublish")),
                      403, "an author unpublishing another author's story")
        expect("Hijacked" not in srv.get("/news/harbour-ferry-late-again/").text, "the refused save changed the story")
        # an editor edits anyone's
        story_id(erin.post("/admin/stories/%s" % sid, form_for(erin, "/admin/stories/%s" % sid,
                                                               lead="Edited by the editor.", action="save")))
        expect("Edited by the editor." in srv.get("/news/abe-writes-his-own-story/").text, "the editor's edit is not live")

    t.check("editor: an author publishes their own stories, and may not touch others' (403)", author)

    def csrf():
        sid = state["erin_story"]
        f = form_for(erin, "/admin/stories/%s" % sid, headline="Forged", action="save")
        for bad in ("", "forged-token", csrf_of(abe.get("/admin/stories/new").text)):
            r = erin.post("/admin/stories/%s" % sid, dict(f, csrf=bad))
            expect_status(r, 403, "a save with csrf %r" % bad)
        expect_status(erin.post("/admin/stories/new", dict(f, csrf="")), 403, "a create without csrf")
        expect_status(erin.post("/admin/preview", dict(f, csrf="x")), 403, "a preview without csrf")
        expect_status(erin.post("/admin/stories/%s/revisions/1/restore" % sid, {"csrf": "x"}), 403, "a restore without csrf")
        expect("Forged" not in srv.get("/news/harbour-ferry-late-again/").text, "a forged save changed the story")

    t.check("editor: every state-changing form refuses a missing or foreign CSRF token", csrf)

    def validation():
        f = form_for(erin, "/admin/stories/new", headline="", body="My precious text, kept.", slug="Not A Slug",
                     image_url="javascript:alert(1)", comments_days="forever", action="save")
        r = erin.post("/admin/stories/new", f)
        expect_html(r, "the form shown again", status=422)
        for message in ("Write a headline", "The slug may hold only", "The image address must start", "Comments close after"):
            expect(message in r.text, "no message %r" % message)
        expect("My precious text, kept." in r.text, "the writer's body was lost")
        expect('value="Not A Slug"' in r.text, "the writer's slug was lost")
        expect("No stories match." in erin.get("/admin/stories?q=precious").text, "the refused story was saved")

    t.check("editor: invalid fields re-show the form with the writer's input and clear messages; nothing saved", validation)

    def slugs():
        a = story_id(erin.post("/admin/stories/new", form_for(erin, "/admin/stories/new", headline="Same headline", action="save")))
        b2 = story_id(erin.post("/admin/stories/new", form_for(erin, "/admin/stories/new", headline="Same headline", action="save")))
        expect('value="same-headline"' in erin.get("/admin/stories/%s" % a).text, "first slug")
        expect('value="same-headline-2"' in erin.get("/admin/stories/%s" % b2).text, "second slug")
        r = erin.post("/admin/stories/%s" % b2, form_for(erin, "/admin/stories/%s" % b2, slug="same-headline", action="save"))
        expect_status(r, 409, "taking another story's slug")
        expect("Another story has the address /news/same-headline/" in r.text, "no message about the taken slug")

    t.check("editor: slugs made from headlines are unique; a taken slug typed in is refused", slugs)

    def conflict():
        sid = state["erin_story"]
        path = "/admin/stories/%s" % sid
        erin2 = Browser(srv).login("erin")
        first = form_for(erin, path, body="Erin's first version.", action="save")
        second = form_for(erin2, path, body="The second writer's version.", action="save")
        story_id(erin.post(path, first))
        r = erin2.post(path, second)
        expect_html(r, "the conflict warning", status=409)
        expect("This story was edited by Erin Editor at" in r.text, "no conflict warning naming who saved")
        expect("<del>Erin&#39;s first version.</del>" in r.text, "the diff does not show their text removed")
        expect("<ins>The second writer&#39;s version.</ins>" in r.text, "the diff does not show the writer's text")
        expect("The second writer&#39;s version.</textarea>" in r.text, "the writer's text is not kept in the form")
        expect("Erin's first version." in srv.get("/news/harbour-ferry-late-again/").text, "the stale save overwrote")
        latest = re.search(r'name="overwrite" value="(\d+)"', r.text)
        expect(latest is not None, "no overwrite button")
        r = erin2.post(path, dict(second, action="", conflict_action="save", overwrite=latest.group(1)))
        story_id(r)
        expect("The second writer's version." in srv.get("/news/harbour-ferry-late-again/").text, "the overwrite did not save")

    t.check("editor: a save over a newer revision warns with who, when and the diff; overwrite is deliberate", conflict)

    def revisions():
        sid = state["erin_story"]
        listing = erin.get("/admin/stories/%s/revisions" % sid)
        expect_html(listing, "the revisions list")
        numbers = [int(n) for n in re.findall(r'/admin/stories/%s/revisions/(\d+)"' % sid, listing.text)]
        expect(len(numbers) >= 5, "fewer revisions than saves: %r" % numbers)
        latest = max(numbers)
        one = erin.get("/admin/stories/%s/revisions/1" % sid)
        expect_html(one, "revision 1")
        expect("<del>" in one.text and "<ins>" in one.text, "no diff in the revision page")
        expect("<ins>The ferry was late.</ins>" in one.text, "the diff against the current version is wrong")
        prev = erin.get("/admin/stories/%s/revisions/2?against=previous" % sid)
        expect_html(prev, "revision 2 against 1")
        r = erin.post("/admin/stories/%s/revisions/1/restore" % sid, {"csrf": csrf_of(one.text), "revision": str(latest)})
        expect_eq(r.header("Location"), "/admin/stories/%s?done=restore" % sid, "where the restore led")
        live = srv.get("/news/harbour-ferry-late-again/")
        expect("The ferry was late." in live.text, "the restored text is not live: %s" % live.text[live.text.find('class="body"'):][:300])
        after = erin.get("/admin/stories/%s/revisions" % sid)
        expect("revisions/%d\"" % (latest + 1) in after.text, "the restore did not make a new revision")
        r = erin.post("/admin/stories/%s/revisions/2/restore" % sid, {"csrf": csrf_of(one.text), "revision": str(latest)})
        expect_status(r, 409, "a restore from a stale page")
        expect_status(erin.get("/admin/stories/%s/revisions/999" % sid), 404, "a revision that does not exist")
        expect_status(erin.get("/admin/stories/99999"), 404, "a story that does not exist")
        expect_status(erin.get("/admin/stories/abc"), 404, "a story id that is not a number")

    t.check("editor: revisions are listed, diffed against now or the one before, and restored as a new revision", revisions)

    def preview():
        f = form_for(erin, "/admin/stories/new", headline="Preview " + HOSTILE, body="**Bold** move.\n\n" + HOSTILE,
                     action="preview")
        r = erin.post("/admin/preview", f)
        expect_html(r, "the preview")
        expect("sandbox" in (r.header("Content-Security-Policy") or ""), "the preview has no CSP sandbox")
        expect("no-store" in (r.header("Cache-Control") or ""), "the preview may be cached")
        expect("<strong>Bold</strong> move." in r.text, "the Markdown is not rendered")
        expect("<script>alert" not in r.text and "<img src=x" not in r.text, "hostile HTML went through the preview")
        expect("No stories match." in erin.get("/admin/stories?q=Preview").text, "a preview saved a story")
        # a story just begun (no headline yet) previews too, as the screen opens
        r = erin.post("/admin/preview", dict(f, headline="", body="First words."))
        expect_html(r, "the preview of a story without a headline")
        expect("(no headline yet)" in r.text and "First words." in r.text, "the preview of a story just begun")

    t.check("editor: the preview renders the story with the public theme, sandboxed, saving nothing", preview)

    def hostile():
        sid = story_id(erin.post("/admin/stories/new", form_for(
            erin, "/admin/stories/new", headline=HOSTILE, kicker=HOSTILE, lead=HOSTILE, body=HOSTILE,
            topics="Topic " + HOSTILE[:20], authors="Erin Editor", image_caption=HOSTILE, image_alt=HOSTILE,
            image_url="https://example.org/a.jpg", action="publish")))
        story_id(erin.post("/admin/stories/%s" % sid, form_for(erin, "/admin/stories/%s" % sid, headline=HOSTILE + "!",
                                                               action="save")))
        pages = ["/admin/stories", "/admin/stories/%s" % sid, "/admin/stories/%s/revisions" % sid,
                 "/admin/stories/%s/revisions/1" % sid, "/admin/stories/%s/revisions/1?against=previous" % sid]
        for path in pages:
            r = erin.get(path)
            expect_html(r, path)
            expect("<script>alert" not in r.text and "<img src=x" not in r.text, "hostile text unescaped in %s" % path)
            expect("&lt;script&gt;" in r.text, "the hostile text is not shown escaped in %s" % path)
        slug = re.search(r'name="slug" value="([^"]+)"', erin.get("/admin/stories/%s" % sid).text).group(1)
        pub = srv.get("/news/%s/" % slug)
        expect_status(pub, 200, "the hostile story on the public site")
        expect("<script>alert" not in pub.text and "<img src=x" not in pub.text, "hostile text unescaped on the public page")

    t.check("editor: hostile text in every field is escaped on every screen and the public page", hostile)

    def listing():
        r = erin.get("/admin/stories?status=published&topic=harbour")
        expect_html(r, "filtered list")
        expect("Harbour ferry late again" in r.text and "Tide tables" not in r.text, "topic filter")
        r = erin.get("/admin/stories?author=abe-author")
        expect("Abe writes his own story" in r.text and "Harbour ferry" not in r.text, "author filter")
        r = erin.get("/admin/stories?q=tide")
        expect("Tide tables for winter" in r.text and "Harbour ferry" not in r.text, "text search")
        expect_status(erin.get("/admin/stories?status=nonsense"), 400, "an unknown status")
        expect_status(erin.get("/admin/stories?page=0"), 400, "page 0")
        expect_html(erin.get("/admin/stories?q=%22%28"), "an odd search", status=(200, 400))

    t.check("editor: the story list filters by status, topic, author and words", listing)

    t.check("editor: the scheduled stories went live by themselves (across the restart), in time", scheduled_live)
