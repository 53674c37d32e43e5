"""crash_tests.py — crash safety. Readers post comments through the real form (GET the story
for its signed token, and gz_nonce cookie when one is set, POST /news/SLUG/comments) from a few threads while an editor
publishes stories with `gazette article add`, and the server is killed with SIGKILL at random
moments, again and again, and restarted on the same database. Afterwards every write that was
acknowledged (a 303 naming the comment's id; the command's exit status 0) must be in the
database, `PRAGMA integrity_check` must say ok after every kill, and the site must serve its
pages. SIGKILL ends the process, not the machine: this is about the server's own crashes
(SQLite in WAL mode with synchronous=NORMAL is durable against those; a power cut may lose the
last commits, never the database's integrity)."""

import datetime
import http.client
import os
import random
import re
import sqlite3
import threading
import time

from checks import expect, expect_eq, expect_html, expect_rc
from comments_tests import encode
from site_tests import stop_server, story

SLUG = "crash-test-story"
CYCLES = 50
BUDGET_SECONDS = 60  # for the kill cycles
CLIENTS = 3
LOCATION_RE = re.compile(r"#comment-(\d+)$")
TOKEN_RE = re.compile(r'name="gz_token" value="([^"]+)"')
NONCE_RE = re.compile(r"gz_nonce=([0-9a-f]+)")


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def integrity(db):
    """PRAGMA integrity_check through a read-only connection."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        return [row[0] for row in con.execute("PRAGMA integrity_check")]
    finally:
        con.close()


class Load:
    """The writers: comment posters (threads speaking HTTP to whatever port the server has now)
    and one publisher running `gazette article add`. Acknowledged writes are recorded."""

    def __init__(self, gz, db, src):
        self.gz, self.db, self.src = gz, db, src
        self.port = None
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.comments = []  # (id, body) answered with a 303
        self.stories = []  # slugs added with exit status 0
        self.attempts = 0
        self.errors = []  # unexpected answers (not a refused or cut connection)
        self.threads = [threading.Thread(target=self.poster, args=(i,), daemon=True) for i in range(CLIENTS)]
        self.threads.append(threading.Thread(target=self.publisher, daemon=True))

    def start(self):
        for th in self.threads:
            th.start()

    def finish(self):
        self.stop.set()
        for th in self.threads:
            th.join(timeout=30)

    def poster(self, n):
        cookie = None
        seq = 0
        while not self.stop.is_set():
            port = self.port
            if port is None:
                time.sleep(0.01)
                continue
            seq += 1
            body = "Crash test comment %d-%d-%d, still here after the kill." % (os.getpid(), n, seq)
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                c.request("GET", "/news/%s/" % SLUG, headers={"Cookie": "gz_nonce=" + cookie} if cookie else {})
                r = c.getresponse()
                page = r.read().decode("utf-8", "replace")
                m = NONCE_RE.search(r.getheader("Set-Cookie") or "")
                if m:
                    cookie = m.group(1)
                token = TOKEN_RE.search(page)
                if r.status != 200 or not token:
                    continue
                fields = {"comment": body, "author": "Crash Reader", "email": "crash%d@example.org" % n,
                          "url": "", "comment_parent": "0", "gz_token": token.group(1), "gz_website": ""}
                with self.lock:
                    self.attempts += 1
                headers = {"Content-Type": "application/x-www-form-urlencoded"}
                if cookie:  # the CSRF cookie, on versions that set one
                    headers["Cookie"] = "gz_nonce=" + cookie
                c.request("POST", "/news/%s/comments" % SLUG, body=encode(fields), headers=headers)
                r = c.getresponse()
                r.read()
                m = LOCATION_RE.search(r.getheader("Location") or "")
                if r.status == 303 and m:
                    with self.lock:
                        self.comments.append((int(m.group(1)), body))
                elif r.status not in (503,):
                    with self.lock:
                        self.errors.append("POST → %d" % r.status)
            except (OSError, http.client.HTTPException):
                pass  # the server was killed under us: nothing was acknowledged
            finally:
                c.close()

    def publisher(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        seq = 0
        while not self.stop.is_set():
            seq += 1
            slug = "crash-published-%d" % seq
            path = story(os.path.join(self.src, "%s.md" % slug), "Published during the crash test.\n",
                         headline="Crash published story %d" % seq, topics="Crash",
                         published=iso(now - datetime.timedelta(minutes=seq)), slug=slug)
            try:
                r = self.gz.run("article", "add", "--db", self.db, path, timeout=30)
            except AssertionError as e:
                with self.lock:
                    self.errors.append(str(e))
                continue
            if r.rc == 0:
                with self.lock:
                    self.stories.append(slug)
            else:
                with self.lock:
                    self.errors.append(r.describe())
            time.sleep(0.05)


def run(t, gz):
    db = gz.path("crash.db")
    src = gz.path("crash-stories")
    srv = gz.server("crash server", "serve", "--db", db)
    now = datetime.datetime.now(datetime.timezone.utc)

    def setup():
        expect_rc(gz.run("init", "--db", db), 0, "gazette init")
        for key, value in (("comments.min_seconds", "0"), ("comments.rate_limit", "1000000"),
                           ("comments.moderation", "publish")):
            expect_rc(gz.run("settings", "set", "--db", db, key, value), 0, "settings set " + key)
        path = story(os.path.join(src, "story.md"), "Readers write in while the server dies.\n",
                     headline="Crash test story", topics="Crash", published=iso(now - datetime.timedelta(hours=1)),
                     slug=SLUG)
        expect_rc(gz.run("article", "add", "--db", db, path), 0, "article add")

    if not t.check("crash: a site with a story open for comments", setup):
        return
    load = Load(gz, db, src)
    figures = {}

    def cycles():
        rnd = random.Random(1234)
        t0 = time.monotonic()
        load.start()
        done = 0
        bad = []
        try:
            while done < CYCLES and time.monotonic() - t0 < BUDGET_SECONDS:
                srv.start()
                load.port = srv.port
                time.sleep(rnd.uniform(0.05, 0.4))
                srv.kill()  # SIGKILL, wherever it is
                done += 1
                result = integrity(db)
                if result != ["ok"]:
                    bad.append("after kill %d: %s" % (done, "; ".join(result[:5])))
        finally:
            load.finish()
        figures.update(cycles=done, seconds=time.monotonic() - t0)
        expect(not bad, "PRAGMA integrity_check failed:\n" + "\n".join(bad[:10]))
        expect(done >= CYCLES, "only %d kill cycles in %d s" % (done, BUDGET_SECONDS))
        expect(len(load.comments) >= 10 and len(load.comments) + len(load.stories) >= CYCLES,
               "only %d comments and %d stories acknowledged in %d cycles (%d posts tried); errors: %s"
               % (len(load.comments), len(load.stories), done, load.attempts, load.errors[:5]))
        expect(not load.errors, "unexpected answers while posting or publishing:\n" + "\n".join(e[:300] for e in load.errors[:8]))

    if not t.check("crash: %d SIGKILLs at random moments during comment posts and `article add`; integrity_check ok after each" % CYCLES, cycles):
        return

    def acknowledged():
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
        try:
            bodies = dict(con.execute("SELECT id, body FROM comments"))
            slugs = {row[0] for row in con.execute("SELECT slug FROM articles")}
        finally:
            con.close()
        lost = ["comment %d" % cid for cid, body in load.comments if bodies.get(cid) != body]
        lost += ["story %s" % s for s in load.stories if s not in slugs]
        checked = len(load.comments) + len(load.stories)
        t.diag("crash: %d kill cycles, %d acknowledged writes checked, %d lost (%d comments, %d stories; %.1f s)"
               % (figures["cycles"], checked, len(lost), len(load.comments), len(load.stories), figures["seconds"]))
        expect(not lost, "%d acknowledged writes are missing: %s" % (len(lost), ", ".join(lost[:20])))
        expect_eq(integrity(db), ["ok"], "PRAGMA integrity_check at the end")

    t.check("crash: every acknowledged comment and story is in the database (none lost)", acknowledged)

    def serves():
        srv.start()
        expect_html(srv.get("/"), "GET / after the crashes")
        doc = expect_html(srv.get("/news/%s/" % SLUG), "GET /news/%s/ after the crashes" % SLUG)
        expect(doc.find("form", "comment-form") is not None, "the story page has no comment form")
        if load.comments:
            cid = load.comments[-1][0]
            expect(doc.find("li", id="comment-%d" % cid) is not None, "the last acknowledged comment %d is not on the page" % cid)
        if load.stories:
            expect_html(srv.get("/news/%s/" % load.stories[-1]), "GET the last story published")

    t.check("crash: restarted on the same database, the site serves the home page, the story and its comments", serves)
    stop_server(t, gz, srv, "crash server")
