"""newsroom_tests.py — the newsroom's accounts and screens (docs/newsroom.md): `gazette user`
(password from standard input, never a flag), signing in and out, the session cookie's flags
(Secure behind a trusted TLS proxy), sliding expiry and expired sessions, log out everywhere
(screen and CLI), the same answer for a wrong login and a wrong password, CSRF refusals (signed
in and signed out), the login throttle (429 + Retry-After growing, per account and per address;
addresses come from X-Forwarded-For of the trusted proxy 127.0.0.1 so that each check has its
own), every admin route refused to every role below its own (403) and to strangers (303 to the
login page for GET, 401 for POST), no-store on every admin answer, comment moderation (approve,
spam, bulk, staff reply) seen on the public page, topics and settings validated, and the
one-time reset link."""

import hashlib
import os
import pty
import select
import re
import sqlite3
import subprocess
import time
import urllib.parse

from checks import expect, expect_eq, expect_html, expect_rc, expect_status, snippet
from gazette import tail
from site_tests import stop_server, story

PASSWORD = "correct horse battery staple"
ROLES = ["contributor", "author", "editor", "admin"]
SLUG = "harbour-wall-repairs"

# (method, path, the lowest role allowed)
ROUTES = [
    ("GET", "/admin/", "contributor"),
    ("GET", "/admin/account", "contributor"),
    ("GET", "/admin/comments", "editor"),
    ("GET", "/admin/comments?status=spam", "editor"),
    ("POST", "/admin/comments", "editor"),
    ("GET", "/admin/comments/1/reply", "editor"),
    ("POST", "/admin/comments/1/reply", "editor"),
    ("GET", "/admin/topics", "editor"),
    ("POST", "/admin/topics", "editor"),
    ("GET", "/admin/settings", "admin"),
    ("POST", "/admin/settings", "admin"),
    ("GET", "/admin/users", "admin"),
    ("POST", "/admin/users", "admin"),
]


def user_add(gz, db, login, role, password=PASSWORD, extra=()):
    """`gazette user add` with the password on standard input (not a terminal)."""
    p = subprocess.run(
        [gz.binary, "user", "add", login, "--role", role, "--db", db] + list(extra),
        input=(password + "\n").encode(), capture_output=True, cwd=gz.tmp, env=gz.env, timeout=60,
    )
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def cookies_of(r):
    """{name: (value, attributes)} of every Set-Cookie of a response."""
    out = {}
    for header in r.headers.get_all("Set-Cookie") or []:
        first, _, attrs = header.partition(";")
        name, _, value = first.strip().partition("=")
        out.setdefault(name, []).append((value, attrs))
    return out


class Client:
    """A browser's worth of cookies and the newsroom's forms, speaking to srv."""

    def __init__(self, srv, ip=None):
        self.srv, self.jar, self.ip = srv, {}, ip

    def _headers(self, extra=None):
        h = dict(extra or {})
        if self.jar:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.jar.items())
        if self.ip:
            h["X-Forwarded-For"] = self.ip
        return h

    def _keep(self, r):
        for name, values in cookies_of(r).items():
            value, attrs = values[-1]
            if "Max-Age=0" in attrs or value == "":
                self.jar.pop(name, None)
            else:
                self.jar[name] = value
        return r

    def get(self, path, headers=None):
        return self._keep(self.srv.request("GET", path, headers=self._headers(headers)))

    def post(self, path, fields, headers=None):
        body = urllib.parse.urlencode(fields, doseq=True)
        h = self._headers(headers)
        h["Content-Type"] = "application/x-www-form-urlencoded"
        return self._keep(self.srv.request("POST", path, headers=h, body=body))

    def csrf(self, path="/admin/account"):
        r = self.get(path)
        m = re.search(r'name="csrf" value="([^"]+)"', r.text)
        expect(m, "no csrf field in %s: %s" % (path, snippet(r)))
        return m.group(1)

    def login(self, login, password=PASSWORD, next_path=None, headers=None):
        token = self.csrf("/admin/login")
        fields = {"csrf": token, "login": login, "password": password}
        if next_path:
            fields["next"] = next_path
        return self.post("/admin/login", fields, headers=headers)


def signed_in(srv, login, ip=None):
    c = Client(srv, ip)
    r = c.login(login)
    expect_status(r, 303, "sign in as %s" % login)
    expect("gz_session" in c.jar, "no session cookie after signing in as %s" % login)
    return c


def run(t, gz):
    db = gz.path("newsroom.db")
    src = gz.path("newsroom-stories")

    def setup():
        expect_rc(gz.run("init", "--db", db), 0, "gazette init")
        os.makedirs(src, exist_ok=True)
        story(os.path.join(src, "a.md"), "The harbour wall is being repaired.\n",
              headline="Harbour wall repairs", slug=SLUG, topics="Port")
        expect_rc(gz.run("article", "add", "--db", db, src), 0, "article add")
        expect_rc(gz.run("settings", "set", "--db", db, "trusted_proxies", "127.0.0.1"), 0, "settings set")
        with sqlite3.connect(db) as con:
            aid = con.execute("SELECT id FROM articles WHERE slug = ?", (SLUG,)).fetchone()[0]
            for i in range(4):
                con.execute(
                    "INSERT INTO comments (article_id, author_name, author_email, body, status,"
                    " created_at, body_hash) VALUES (?, ?, ?, ?, 0, ?, x'00')",
                    (aid, "Reader %d" % i, "r%d@example.org" % i, "Held comment number %d" % i, int(time.time()) - i),
                )

    t.check("newsroom: a site with a story and four held comments", setup)

    def cli_users():
        for role in ROLES:
            rc, out, err = user_add(gz, db, role, role, extra=("--name", "The %s" % role.title()))
            expect_eq(rc, 0, "user add %s (stderr: %s)" % (role, err))
        rc, _, err = user_add(gz, db, "editor", "editor")
        expect_eq(rc, 1, "a second 'editor' login (stderr: %s)" % err)
        expect("taken" in err, "the refusal says the login is taken: %s" % err)
        rc, _, err = user_add(gz, db, "shorty", "author", password="short")
        expect_eq(rc, 1, "a 5-character password")
        expect("too short" in err, "the refusal says why: %s" % err)
        rc, _, err = user_add(gz, db, "boss", "overlord")
        expect_eq(rc, 2, "an unknown role is a usage error")
        r = gz.run("user", "add", "flagged", "--role", "author", "--password", "x" * 12, "--db", db)
        expect_eq(r.rc, 2, "--password is not an option (passwords never go in flags)")
        r = gz.run("user", "list", "--db", db)
        expect_rc(r, 0, "user list")
        for role in ROLES:
            expect(re.search(r"^%s\t%s\tThe %s\t" % (role, role, role.title()), r.stdout, re.M), "user list lacks %s:\n%s" % (role, r.stdout))
        expect("shorty" not in r.stdout, "the refused user was stored anyway")
        with sqlite3.connect(db) as con:
            hashes = [h for (h,) in con.execute("SELECT password_hash FROM users")]
        expect(all(h.startswith("$argon2id$") for h in hashes), "passwords are not Argon2id strings: %r" % hashes)
        expect(not any(PASSWORD in h for h in hashes), "a password is stored in clear")

    t.check("newsroom: `gazette user add` reads the password from stdin (Argon2id), refuses bad input", cli_users)

    def tty_prompt():
        master, slave = pty.openpty()
        p = None
        try:
            p = subprocess.Popen([gz.binary, "user", "add", "ttyuser", "--role", "author", "--db", db],
                                 stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=gz.tmp, env=gz.env)
            os.close(slave)
            slave = None
            secret = "typed on a terminal"
            echoed = b""
            seen = b""
            for prompt in (b"New password:", b"Once more:"):  # answer each prompt once shown
                deadline = time.monotonic() + 30
                while prompt not in seen and time.monotonic() < deadline:
                    r, _, _ = select.select([p.stderr], [], [], 0.5)
                    if r:
                        seen += os.read(p.stderr.fileno(), 4096)
                expect(prompt in seen, "no prompt %r; stderr: %r" % (prompt, seen))
                os.write(master, (secret + "\n").encode())
            try:
                out, err = p.communicate(timeout=60)
                err = seen + err
            except subprocess.TimeoutExpired:
                p.kill()
                raise AssertionError("`gazette user add` on a terminal did not finish")
            while True:
                r, _, _ = select.select([master], [], [], 0.2)
                if not r:
                    break
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                echoed += chunk
        finally:
            if p is not None and p.poll() is None:  # a failed check leaves nothing running
                p.kill()
                p.wait()
            if slave is not None:
                os.close(slave)
            os.close(master)
        expect_eq(p.returncode, 0, "user add on a terminal (stderr: %s)" % err.decode())
        expect(b"New password:" in err and b"Once more:" in err, "the prompts: %r" % err)
        expect(secret.encode() not in echoed, "the password was echoed: %r" % echoed)

    t.check("newsroom: on a terminal `gazette user add` asks twice, without echo", tty_prompt)

    srv = gz.server("newsroom server", "serve", "--db", db, "--cache-mb", "16")
    t.check("newsroom: `gazette serve` answers", srv.start)
    if not srv.running():
        return
    try:
        _sessions(t, gz, srv, db)
        _throttle(t, srv)
        _roles(t, srv)
        _screens(t, gz, srv, db)
        _reset(t, gz, srv, db)
    finally:
        stop_server(t, gz, srv, "newsroom server")


def _sessions(t, gz, srv, db):
    def login_page():
        r = Client(srv).get("/admin/login")
        expect_html(r, "GET /admin/login")
        expect_eq(r.header("Cache-Control"), "no-store", "Cache-Control of the login page")
        expect('name="csrf"' in r.text and 'type="password"' in r.text, "the form: %s" % snippet(r))
        pre = cookies_of(r).get("gz_prelogin")
        expect(pre and "HttpOnly" in pre[0][1] and "SameSite=Strict" in pre[0][1], "gz_prelogin cookie: %r" % pre)

    t.check("newsroom: GET /admin/login is a form with a CSRF token, no-store", login_page)

    def stranger():
        c = Client(srv)
        r = c.get("/admin/comments?status=spam")
        expect_status(r, 303, "GET /admin/comments signed out")
        expect(r.header("Location", "").startswith("/admin/login?next=/admin/comments"), "Location: %s" % r.header("Location"))
        expect_eq(r.header("Cache-Control"), "no-store", "Cache-Control of the redirect")
        r = c.post("/admin/topics", {"name": "x"})
        expect_status(r, 401, "POST /admin/topics signed out")

    t.check("newsroom: signed out, GET → 303 to /admin/login?next=, POST → 401", stranger)

    def same_answer():
        a, b = Client(srv, "10.9.0.1"), Client(srv, "10.9.0.2")
        t0 = time.monotonic()
        wrong_password = a.login("editor", "not the password")
        t1 = time.monotonic()
        wrong_user = b.login("nobody-here", "not the password")
        t2 = time.monotonic()
        expect_eq(wrong_password.status, 401, "status for a wrong password")
        expect_eq(wrong_user.status, 401, "status for an unknown login")

        def message(r):
            return re.search(r'<p class="error"[^>]*>(.*?)</p>', r.text).group(1)

        expect_eq(message(wrong_user), message(wrong_password), "the message for an unknown login")
        expect("gz_session" not in a.jar and "gz_session" not in b.jar, "a session after a failure")
        slow, fast = max(t1 - t0, t2 - t1), min(t1 - t0, t2 - t1)
        t.diag("wrong password %.3f s, unknown login %.3f s" % (t1 - t0, t2 - t1))
        expect(slow < fast * 5 + 0.5, "timings differ too much: %.3f s vs %.3f s" % (t1 - t0, t2 - t1))

    t.check("newsroom: a wrong password and an unknown login get the same answer (401) in similar time", same_answer)

    def login_cookie():
        c = Client(srv)
        r = c.login("editor", next_path="/admin/topics")
        expect_status(r, 303, "sign in")
        expect_eq(r.header("Location"), "/admin/topics", "Location after signing in with next=")
        sessions = cookies_of(r)["gz_session"]
        paths = sorted(re.search(r"Path=([^;]+)", attrs).group(1) for _, attrs in sessions)
        expect_eq(paths, ["/admin", "/api/v1/admin"], "cookie paths")
        for value, attrs in sessions:
            expect(re.fullmatch(r"[A-Za-z0-9_-]{43}", value), "the token: %r" % value)
            for flag in ("HttpOnly", "SameSite=Lax", "Max-Age=1209600"):
                expect(flag in attrs, "%s missing from %r" % (flag, attrs))
            expect("Secure" not in attrs, "Secure over plain HTTP: %r" % attrs)
        with sqlite3.connect(db) as con:
            stored = [bytes(h) for (h,) in con.execute("SELECT token_hash FROM sessions")]
        expect(stored and all(len(h) == 32 for h in stored), "sessions are stored as 32-byte hashes")
        expect(not any(sessions[0][0].encode() in h for h in stored), "the token is stored as it is")
        r = c.get("/admin/")
        expect_html(r, "the dashboard")
        expect("The Editor" in r.text, "the dashboard names the user")
        expect_eq(r.header("Cache-Control"), "no-store", "Cache-Control of the dashboard")
        r = Client(srv).login("editor", next_path="//evil.example/")
        expect_eq(r.header("Location"), "/admin/", "next=//evil is not followed")

    t.check("newsroom: signing in sets gz_session (HttpOnly, SameSite=Lax, 14 days, hashed in the db)", login_cookie)

    def secure_behind_tls():
        r = Client(srv).login("author", headers={"X-Forwarded-Proto": "https"})
        expect_status(r, 303, "sign in through the trusted proxy")
        for _, attrs in cookies_of(r)["gz_session"]:
            expect("Secure" in attrs, "no Secure behind a TLS proxy: %r" % attrs)

    t.check("newsroom: X-Forwarded-Proto: https from a trusted proxy → Secure cookie", secure_behind_tls)

    def csrf_refused():
        c = signed_in(srv, "editor")
        before = c.get("/admin/topics").text.count("<tr>")
        for fields in ({"name": "No Token"}, {"name": "Bad Token", "csrf": "x" * 43}):
            r = c.post("/admin/topics", fields)
            expect_status(r, 403, "POST /admin/topics with %r" % fields.get("csrf"))
            expect("The form has expired" in r.text, "the refusal: %s" % snippet(r))
        other = signed_in(srv, "admin")
        r = c.post("/admin/topics", {"name": "Other Token", "csrf": other.csrf()})
        expect_status(r, 403, "another session's token")
        expect_eq(c.get("/admin/topics").text.count("<tr>"), before, "topics after refused posts")
        r = Client(srv).post("/admin/login", {"login": "editor", "password": PASSWORD})
        expect_status(r, 403, "a sign-in without the form's token (login CSRF)")

    t.check("newsroom: CSRF: a missing, wrong or foreign token → 403, nothing changed", csrf_refused)

    def logout():
        c = signed_in(srv, "author")
        old = dict(c.jar)
        r = c.post("/admin/logout", {"csrf": c.csrf()})
        expect_status(r, 303, "POST /admin/logout")
        expect_eq(r.header("Location"), "/admin/login", "Location after signing out")
        expect("gz_session" not in c.jar, "the cookie was not cleared")
        stale = Client(srv)
        stale.jar = old
        expect_status(stale.get("/admin/"), 303, "the old cookie after signing out")

    t.check("newsroom: POST /admin/logout ends the session and clears the cookie", logout)

    def logout_everywhere():
        phone, laptop, desk = (signed_in(srv, "contributor") for _ in range(3))
        r = laptop.post("/admin/account/logout-all", {"csrf": laptop.csrf()})
        expect_status(r, 303, "log out everywhere")
        for c in (phone, laptop):
            expect_status(c.get("/admin/"), 303, "a session after log out everywhere")
        expect_status(desk.get("/admin/"), 303, "the third session")
        again = signed_in(srv, "contributor")
        r = gz.run("user", "logout-all", "contributor", "--db", db)
        expect_rc(r, 0, "gazette user logout-all")
        expect("1 session ended" in r.stdout, "stdout: %s" % r.stdout)
        expect_status(again.get("/admin/"), 303, "a session after `gazette user logout-all`")

    t.check("newsroom: log out everywhere (the button and `gazette user logout-all`)", logout_everywhere)

    def expiry():
        c = signed_in(srv, "author")
        expect_status(c.get("/admin/"), 200, "a fresh session")
        with sqlite3.connect(db) as con:
            con.execute("UPDATE sessions SET expires_at = unixepoch() - 1")
        expect_status(c.get("/admin/"), 303, "an expired session")
        d = signed_in(srv, "author")
        with sqlite3.connect(db) as con:
            con.execute("UPDATE sessions SET expires_at = unixepoch() + 60, last_seen_at = unixepoch() - 3600")
        r = d.get("/admin/")
        expect_status(r, 200, "a session used after an hour")
        expect("gz_session" in cookies_of(r), "the cookie is not renewed on use")
        mine = hashlib.sha256(d.jar["gz_session"].encode()).digest()
        with sqlite3.connect(db) as con:
            left = con.execute("SELECT expires_at - unixepoch() FROM sessions WHERE token_hash = ?", (mine,)).fetchone()[0]
        expect(left > 13 * 86400, "the expiry did not slide: %s s left" % left)

    t.check("newsroom: sessions expire, and slide forward (14 days) when used", expiry)


def _throttle(t, srv):
    def per_account():
        c = Client(srv, "10.1.0.1")
        for i in range(5):
            expect_status(c.login("author", "wrong %d" % i), 401, "wrong password %d" % (i + 1))
        r = c.login("author", PASSWORD)
        expect_status(r, 429, "the right password during the delay")
        first = int(r.header("Retry-After", "0"))
        expect(first >= 1, "Retry-After: %r" % r.header("Retry-After"))
        expect("Too many failed sign-ins" in r.text, "the page: %s" % snippet(r))
        other = Client(srv, "10.1.0.2").login("author", PASSWORD)
        expect_status(other, 429, "the same account from another address")
        time.sleep(first + 0.2)
        expect_status(c.login("author", "wrong again"), 401, "a wrong password after the delay")
        r = c.login("author", PASSWORD)
        expect_status(r, 429, "after the 6th failure")
        second = int(r.header("Retry-After", "0"))
        t.diag("Retry-After after 5 failures: %d s, after 6: %d s" % (first, second))
        expect(second > first, "the delay did not grow: %d then %d" % (first, second))
        time.sleep(second + 0.2)
        expect_status(c.login("author", PASSWORD), 303, "the right password after the delay")
        expect_status(Client(srv, "10.1.0.3").login("author", "wrong once more"), 401, "the count was cleared by the success")

    t.check("newsroom: 5 failures on one account → 429 + Retry-After, growing, then a success clears it", per_account)

    def per_address():
        for i in range(20):
            r = Client(srv, "10.2.0.1").login("nobody-%d" % i, "guess")
            expect_status(r, 401, "failure %d from one address" % (i + 1))
        r = Client(srv, "10.2.0.1").login("editor", PASSWORD)
        expect_status(r, 429, "a real account from the throttled address")
        expect(int(r.header("Retry-After", "0")) >= 1, "Retry-After: %r" % r.header("Retry-After"))
        expect_status(Client(srv, "10.2.0.2").login("editor", PASSWORD), 303, "the same account from another address")

    t.check("newsroom: 20 failures from one address (many logins) → 429 for that address only", per_address)


def _roles(t, srv):
    clients = {role: signed_in(srv, role) for role in ROLES}
    tokens = {role: c.csrf() for role, c in clients.items()}

    def refusals():
        refused = allowed = 0
        for method, path, lowest in ROUTES:
            for role in ROLES:
                c = clients[role]
                if method == "GET":
                    r = c.get(path)
                else:
                    r = c.post(path, {"csrf": tokens[role]})
                expect_eq(r.header("Cache-Control"), "no-store", "Cache-Control of %s %s as %s" % (method, path, role))
                if ROLES.index(role) < ROLES.index(lowest):
                    expect_status(r, 403, "%s %s as %s" % (method, path, role))
                    expect("Not allowed" in r.text, "the refusal page for %s %s" % (method, path))
                    refused += 1
                else:
                    expect(r.status != 403, "%s %s as %s was refused: %s" % (method, path, role, snippet(r)))
                    allowed += 1
        t.diag("%d refusals and %d allowed answers checked" % (refused, allowed))

    t.check("newsroom: every admin route refuses every role below its own (403), allows the rest", refusals)

    def nav_by_role():
        for role, hidden in (("contributor", ["/admin/comments", "/admin/settings", "/admin/users"]),
                             ("editor", ["/admin/settings", "/admin/users"]), ("admin", [])):
            nav = re.search(r'<nav class="nav".*?</nav>', clients[role].get("/admin/").text, re.S).group(0)
            for href in hidden:
                expect('href="%s"' % href not in nav, "%s sees %s in the navigation" % (role, href))
        nav = re.search(r'<nav class="nav".*?</nav>', clients["admin"].get("/admin/").text, re.S).group(0)
        expect('href="/admin/settings"' in nav, "the admin does not see Settings")

    t.check("newsroom: the navigation shows only what the role may open", nav_by_role)


def _screens(t, gz, srv, db):
    editor = signed_in(srv, "editor")

    def comment_ids(status):
        r = editor.get("/admin/comments?status=%s" % status)
        expect_html(r, "the %s queue" % status)
        return [int(i) for i in re.findall(r'name="ids" value="(\d+)"', r.text)]

    def moderate():
        pending = comment_ids("pending")
        expect_eq(len(pending), 4, "held comments in the pending queue")
        token = editor.csrf("/admin/comments")
        r = editor.post("/admin/comments", {"csrf": token, "status": "pending", "one": "approve:%d" % pending[0]})
        expect_status(r, 303, "approve one")
        r = editor.post("/admin/comments", {"csrf": token, "status": "pending", "action": "spam", "ids": pending[1:3]})
        expect_status(r, 303, "spam two (bulk)")
        expect_eq(comment_ids("pending"), pending[3:], "pending after approve and spam")
        expect_eq(sorted(comment_ids("spam")), sorted(pending[1:3]), "the spam queue")
        page = srv.get("/news/%s/" % SLUG).text
        with sqlite3.connect(db) as con:
            body = con.execute("SELECT body FROM comments WHERE id = ?", (pending[0],)).fetchone()[0]
        expect(body in page, "the approved comment is not on the story page")
        r = editor.post("/admin/comments/%d/reply" % pending[3], {"csrf": token, "body": "Thanks, we are looking into it."})
        expect_status(r, 303, "reply as staff")
        approved = editor.get("/admin/comments?status=approved").text
        expect("staff</span>" in approved, "the reply is not marked as staff")
        public = srv.get("/news/%s/" % SLUG).text
        expect("Thanks, we are looking into it." in public, "the staff reply is not public")
        expect('class="comment-staff"' in public, "the public page does not mark the staff reply")
        r = editor.post("/admin/comments", {"csrf": token, "status": "spam", "action": "delete", "ids": pending[1:3]})
        expect_status(r, 303, "delete two")
        expect_eq(comment_ids("spam"), [], "the spam queue after deleting")
        r = editor.post("/admin/comments", {"csrf": token, "action": "explode", "ids": [pending[0]]})
        expect_status(r, 400, "an unknown action")

    t.check("newsroom: moderation: approve one, spam two in bulk, reply as staff, delete; the public page follows", moderate)

    def hostile_comment():
        with sqlite3.connect(db) as con:
            aid = con.execute("SELECT id FROM articles").fetchone()[0]
            con.execute("INSERT INTO comments (article_id, author_name, author_email, body, status, created_at, body_hash)"
                        " VALUES (?, '<script>alert(1)</script>', 'x@example.org', '<img src=x onerror=alert(2)>', 0, unixepoch(), x'00')", (aid,))
        r = editor.get("/admin/comments?status=pending")
        expect("<script>alert(1)" not in r.text and "<img src=x" not in r.text, "unescaped input in the queue")
        expect("&lt;script&gt;" in r.text, "the name is not shown escaped")

    t.check("newsroom: hostile comment text is escaped on the moderation screen", hostile_comment)

    def topics():
        token = editor.csrf("/admin/topics")
        r = editor.post("/admin/topics", {"csrf": token, "id": "0", "name": "City Hall", "slug": "", "description": "Council news", "parent": "0"})
        expect_status(r, 303, "add a topic")
        page = editor.get("/admin/topics").text
        expect("city-hall" in page, "the slug made from the name")
        for fields, status in (({"name": "", "slug": "x"}, 400), ({"name": "Bad", "slug": "Not A Slug"}, 400),
                               ({"name": "Dup", "slug": "city-hall"}, 409)):
            fields.update({"csrf": token, "id": "0", "parent": "0"})
            expect_status(editor.post("/admin/topics", fields), status, "topic %r" % fields)
        expect_eq(editor.get("/admin/topics").text.count("<tr>"), page.count("<tr>"), "topics after refusals")

    t.check("newsroom: topics: add (slug from the name), refuse empty names, bad and taken slugs", topics)

    def settings():
        admin = signed_in(srv, "admin")
        token = admin.csrf("/admin/settings")
        good = {"csrf": token, "site_name": "The Harbour Times", "site_language": "en-GB", "comments.moderation": "hold-all",
                "comments.close_after_days": "30", "time_zone": "Europe/Paris"}
        for key, bad in (("time_zone", "../../etc/passwd"), ("site_language", "english!"),
                         ("comments.moderation", "anything"), ("comments.close_after_days", "-1"), ("site_name", "")):
            r = admin.post("/admin/settings", dict(good, **{key: bad}))
            expect_status(r, 400, "setting %s to %r" % (key, bad))
        expect("The Harbour Times" not in srv.get("/").text, "a refused form changed the site")
        expect_status(admin.post("/admin/settings", good), 303, "good settings")
        home = srv.get("/").text
        expect("The Harbour Times" in home and 'lang="en-GB"' in home, "the home page does not follow the settings")
        r = gz.run("settings", "get", "--db", db, "time_zone")
        expect_eq(r.stdout.strip(), "Europe/Paris", "time_zone stored")

    t.check("newsroom: settings: validated (nothing saved on error), then applied to the public site", settings)

    def users():
        admin = signed_in(srv, "admin")
        token = admin.csrf("/admin/users")
        r = admin.post("/admin/users", {"csrf": token, "op": "add", "login": "newbie", "name": "New Bie", "email": "", "role": "contributor"})
        expect_status(r, 200, "add a user")
        link = re.search(r"/admin/reset/[A-Za-z0-9_-]{43}", r.text)
        expect(link, "no reset link for the new user: %s" % snippet(r))
        with sqlite3.connect(db) as con:
            newbie, own = (con.execute("SELECT id FROM users WHERE login = ?", (name,)).fetchone()[0] for name in ("newbie", "admin"))
        expect_status(admin.post("/admin/users", {"csrf": token, "op": "role", "id": newbie, "role": "author"}), 303, "change a role")
        expect_status(admin.post("/admin/users", {"csrf": token, "op": "role", "id": own, "role": "contributor"}), 400, "demote oneself")
        expect_status(admin.post("/admin/users", {"csrf": token, "op": "disable", "id": own}), 400, "disable oneself")
        victim = signed_in(srv, "contributor")
        with sqlite3.connect(db) as con:
            cid = con.execute("SELECT id FROM users WHERE login = 'contributor'").fetchone()[0]
        expect_status(admin.post("/admin/users", {"csrf": token, "op": "disable", "id": cid}), 303, "disable a user")
        expect_status(victim.get("/admin/"), 303, "a disabled user's session")
        expect_status(Client(srv, "10.3.0.1").login("contributor"), 401, "a disabled user signing in")
        expect_status(admin.post("/admin/users", {"csrf": token, "op": "enable", "id": cid}), 303, "enable again")
        signed_in(srv, "contributor", ip="10.3.0.2")

    t.check("newsroom: users: add (with a reset link), change a role, disable (ends sessions), never oneself", users)

    def api_session():
        c = signed_in(srv, "editor")
        cookie = {"Cookie": "gz_session=%s" % c.jar["gz_session"]}
        r = srv.request("GET", "/api/v1/admin/comments?status=approved", headers=cookie)
        expect_status(r, 200, "the admin API with an editor's session")
        ids = [x["id"] for x in r.json()["comments"]]
        r = srv.request("POST", "/api/v1/admin/comments/%d/spam" % ids[0], headers=cookie)
        expect_status(r, 401, "a POST with the session but no X-CSRF-Token")
        author = signed_in(srv, "author", ip="10.4.0.1")
        r = srv.request("GET", "/api/v1/admin/comments", headers={"Cookie": "gz_session=%s" % author.jar["gz_session"]})
        expect_status(r, 401, "the admin API with an author's session")

    t.check("newsroom: the admin API takes an editor's session (GET; writes need X-CSRF-Token), not an author's", api_session)


def _reset(t, gz, srv, db):
    def reset_link():
        r = gz.run("user", "reset-link", "author", "--base-url", "http://news.example", "--db", db)
        expect_rc(r, 0, "gazette user reset-link")
        m = re.fullmatch(r"http://news\.example(/admin/reset/[A-Za-z0-9_-]{43})\n", r.stdout)
        expect(m, "the link printed: %r" % r.stdout)
        path = m.group(1)
        with sqlite3.connect(db) as con:
            stored = [bytes(h) for (h,) in con.execute("SELECT token_hash FROM password_resets")]
        expect(not any(path.rsplit("/", 1)[1].encode() in h for h in stored), "the reset token is stored as it is")
        c = Client(srv, "10.5.0.1")
        r = c.get(path)
        expect_html(r, "GET the reset link")
        token = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
        new = "a brand new passphrase"
        r = c.post(path, {"csrf": token, "password": "short", "password_again": "short"})
        expect_status(r, 400, "a short new password")
        r = c.post(path, {"csrf": token, "password": new, "password_again": new})
        expect_status(r, 200, "set a new password")
        expect("Password set" in r.text, "the answer: %s" % snippet(r))
        r = c.post(path, {"csrf": token, "password": "another passphrase", "password_again": "another passphrase"})
        expect_status(r, 410, "the link a second time")
        expect_status(c.get(path), 410, "GET the used link")
        expect_status(Client(srv, "10.5.0.2").login("author", PASSWORD), 401, "the old password")
        expect_status(Client(srv, "10.5.0.3").login("author", new), 303, "the new password")
        expect_status(Client(srv, "10.5.0.4").get("/admin/reset/" + "A" * 43), 410, "an unknown token")

    t.check("newsroom: `gazette user reset-link` prints a one-time link that sets a password once", reset_link)
