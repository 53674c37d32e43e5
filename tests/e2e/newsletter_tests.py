"""newsletter_tests.py — the daily newsletter (docs/newsletter.md), end to end, against a small
SMTP server written here (SmtpSink: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT on a free
loopback port; it can be told to refuse mail). The story: a reader subscribes from the footer
form, the confirmation email arrives (headers and parts checked with Python's email package),
fetching the link changes nothing, the button's POST confirms; `gazette newsletter send`
delivers a multipart/alternative digest whose hostile headline is escaped in HTML and breaks
no header; a second run the same day sends nothing; the RFC 8058 one-click POST unsubscribes
and the next day's run leaves the reader out. Then what must be refused, with a clear message
and nothing stored or sent: bad addresses (CRLF injection, too long, no @), cross-site posts,
missing tokens, the honeypot, bad and expired links, an SMTP server that refuses (and a retry
that then works). Last, `gazette serve` with newsletter_hour set sends the day's digest itself.

Stories have fixed past dates and every run names its --now, so nothing depends on the clock
but the last check (which adds a story published an hour ago)."""

import datetime
import email
import email.policy
import email.utils
import os
import re
import socket
import sqlite3
import threading
import time
import urllib.parse

from checks import expect, expect_eq, expect_html, expect_rc, expect_status
from site_tests import story

BASE = "https://news.example"
SITE_NAME = "Courrier du Port — édition du matin"  # non-ASCII: RFC 2047 in Subject and From
FROM = "news@newsletter.example"
DAY1 = "2026-01-10T07:00:00Z"
DAY2 = "2026-01-11T07:00:00Z"
HOSTILE = 'Harbour <script>alert("x")</script> & "Bcc: evil@example.org" café'
TOKEN_RE = re.compile(r"/newsletter/confirm\?token=([A-Za-z0-9_-]{43})")


# ---- a small SMTP server ----------------------------------------------------------------------

class SmtpSink:
    """Accepts mail on 127.0.0.1:port and keeps each message as (mail_from, rcpts, bytes).
    refuse=True answers MAIL with 451 (a server that cannot take mail now)."""

    def __init__(self):
        self.messages = []
        self.commands = []
        self.refuse = False
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.stopped = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def stop(self):
        self.stopped = True
        try:
            self.sock.close()
        except OSError:
            pass

    def _accept(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        conn.settimeout(30)
        f = conn.makefile("rb")

        def reply(text):
            conn.sendall(text.encode("ascii") + b"\r\n")

        try:
            reply("220 sink.test ESMTP ready")
            mail_from, rcpts = None, []
            while True:
                line = f.readline()
                if not line:
                    return
                cmd = line.rstrip(b"\r\n").decode("utf-8", "replace")
                verb = cmd.split(" ", 1)[0].upper()
                with self.lock:
                    self.commands.append(cmd)
                if verb == "EHLO":
                    reply("250-sink.test\r\n250-8BITMIME\r\n250 SIZE 10000000")
                elif verb == "HELO":
                    reply("250 sink.test")
                elif verb == "MAIL":
                    if self.refuse:
                        reply("451 4.3.0 try again later")
                        continue
                    mail_from, rcpts = cmd[10:].split(">", 1)[0].strip() + ">", []
                    reply("250 OK")
                elif verb == "RCPT":
                    rcpts.append(cmd[8:].strip())
                    reply("250 OK")
                elif verb == "DATA":
                    reply("354 end with <CRLF>.<CRLF>")
                    data = []
                    while True:
                        l = f.readline()
                        if not l or l == b".\r\n":
                            break
                        data.append(l[1:] if l.startswith(b"..") else l)
                    with self.lock:
                        self.messages.append((mail_from, rcpts, b"".join(data)))
                    reply("250 OK queued")
                elif verb == "RSET":
                    mail_from, rcpts = None, []
                    reply("250 OK")
                elif verb == "NOOP":
                    reply("250 OK")
                elif verb == "QUIT":
                    reply("221 bye")
                    return
                else:
                    reply("502 command not implemented")
        except OSError:
            pass
        finally:
            conn.close()

    def count(self):
        with self.lock:
            return len(self.messages)

    def wait_for(self, n, seconds=20):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.count() >= n:
                return
            time.sleep(0.02)
        raise AssertionError("SMTP sink: expected %d messages, got %d" % (n, self.count()))

    def message(self, i):
        with self.lock:
            return self.messages[i]


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def check_lines(raw, what):
    """Every line ends in CRLF and has at most 78 characters, except an unfoldable
    List-Unsubscribe URL (at most 998)."""
    lines = raw.split(b"\r\n")
    expect(b"\n" not in b"".join(lines), "%s: a bare LF in the message" % what)
    for line in lines:
        limit = 998 if line.startswith(b" <https://") or line.startswith(b" <http://") else 78
        expect(len(line) <= limit, "%s: a line of %d characters: %r" % (what, len(line), line[:100]))
        expect(all(b < 128 for b in line), "%s: a non-ASCII byte in %r" % (what, line[:100]))


def parts(msg):
    expect_eq(msg.get_content_type(), "multipart/alternative", "Content-Type")
    ps = list(msg.iter_parts())
    expect_eq([p.get_content_type() for p in ps], ["text/plain", "text/html"], "the parts")
    for p in ps:
        expect_eq(p.get_content_charset(), "utf-8", "charset")
        expect_eq(p["Content-Transfer-Encoding"], "quoted-printable", "transfer encoding")
    return ps[0].get_content(), ps[1].get_content()


def check_headers(msg, to, what):
    expect_eq(email.utils.parseaddr(msg["To"])[1], to, "%s: To" % what)
    name, addr = email.utils.parseaddr(str(msg["From"]))
    expect_eq((name, addr), (SITE_NAME, FROM), "%s: From" % what)
    expect(msg["Date"] is not None and msg["Date"].datetime is not None, "%s: no RFC 5322 Date" % what)
    expect(re.fullmatch(r"<[^<>@\s]+@newsletter\.example>", str(msg["Message-ID"])), "%s: Message-ID %r" % (what, msg["Message-ID"]))
    expect_eq(msg["MIME-Version"], "1.0", "%s: MIME-Version" % what)
    unsub = str(msg["List-Unsubscribe"]).strip()
    expect(re.fullmatch(r"<https://news\.example/newsletter/unsubscribe\?token=[0-9]+\.[A-Za-z0-9_-]{24}>", unsub),
           "%s: List-Unsubscribe %r" % (what, unsub))
    expect_eq(str(msg["List-Unsubscribe-Post"]), "List-Unsubscribe=One-Click", "%s: List-Unsubscribe-Post" % what)
    for bad in ("Bcc", "Cc"):
        expect(msg[bad] is None, "%s: a %s header appeared" % (what, bad))
    return unsub[1:-1]


def local(url):
    """The path and query of one of the site's absolute URLs."""
    u = urllib.parse.urlsplit(url)
    expect(url.startswith(BASE + "/"), "a link outside the site: %r" % url)
    return u.path + ("?" + u.query if u.query else "")


# ---- the site ----------------------------------------------------------------------------------

class Site:
    def __init__(self, gz):
        self.gz = gz
        self.db = gz.path("newsletter.db")
        self.src = gz.path("newsletter-stories")
        self.smtp = SmtpSink()
        self.srv = gz.server("newsletter server", "serve", "--db", self.db, "--site-name", SITE_NAME,
                             "--base-url", BASE)

    def set(self, key, value):
        expect_rc(self.gz.run("settings", "set", "--db", self.db, key, value), 0, "settings set %s" % key)

    def add(self, name, **front):
        path = story(os.path.join(self.src, name + ".md"), "A paragraph about %s.\n" % name, **front)
        expect_rc(self.gz.run("article", "add", "--db", self.db, path), 0, "article add " + name)

    def setup(self):
        expect_rc(self.gz.run("init", "--db", self.db), 0, "gazette init")
        for key, value in (("smtp_url", "smtp://127.0.0.1:%d" % self.smtp.port), ("smtp_from", FROM),
                           ("comments.min_seconds", "0"), ("newsletter_rate_limit", "1000")):
            self.set(key, value)
        self.add("hostile", headline=HOSTILE, lead="A lead with <b>tags</b> & ampersands.", topics="Harbour",
                 published="2026-01-09T20:00:00Z")
        self.add("council-budget", headline="Council adopts the budget", lead="After a long night.",
                 topics="City Hall", published="2026-01-09T18:00:00Z")
        self.add("old-storm", headline="An old storm", topics="Weather, Harbour", published="2026-01-05T10:00:00Z")
        self.srv.start()

    def rows(self, sql, *args):
        con = sqlite3.connect(self.db, timeout=10)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def subscribers(self):
        return self.rows("SELECT email, status, topics FROM newsletter_subscribers ORDER BY id")

    def form(self, path="/"):
        doc = expect_html(self.srv.get(path), "GET " + path)
        form = doc.find("form", "newsletter-form")
        expect(form is not None, "GET %s: no form.newsletter-form in the page" % path)
        token = form.find("input", name="gz_token")
        expect(token is not None and token.get("value"), "the form has no gz_token")
        return form, token.get("value")

    def subscribe(self, address, topics=(), token=None, headers=None, extra=None):
        if token is None:
            _, token = self.form()
        extra = list(extra or [])
        fields = [("email", address), ("gz_token", token)]
        if not any(name == "gz_website" for name, _ in extra):
            fields.append(("gz_website", ""))
        fields += [("topic", t) for t in topics] + extra
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        return self.srv.request("POST", "/newsletter/subscribe", headers=h, body=urllib.parse.urlencode(fields))

    def send(self, now, *more):
        return self.gz.run("newsletter", "send", "--db", self.db, "--base-url", BASE, "--site-name", SITE_NAME,
                           "--now", now, *more)

    def post_form(self, path, fields, headers=None):
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        return self.srv.request("POST", path, headers=h, body=urllib.parse.urlencode(fields))


def message_text(r):
    doc = r.doc()
    el = doc.find("p", "newsletter-message")
    return el.text() if el is not None else ""


def run(t, gz):
    site = Site(gz)
    state = {}
    if not t.check("newsletter: a site with an SMTP server of the test's own (settings smtp_url, smtp_from)", site.setup):
        site.smtp.stop()
        return
    try:
        _flow(t, gz, site, state)
        _refusals(t, gz, site, state)
        _cli(t, gz, site, state)
        _daily(t, gz, site, state)
    finally:
        site.srv.stop()
        site.smtp.stop()


def _flow(t, gz, site, state):
    def footer_form():
        form, _ = site.form("/")
        expect_eq(form.get("action"), "/newsletter/subscribe", "action")
        expect_eq(form.get("method"), "post", "method")
        topics = sorted(i.get("value") for i in form.find_all("input", name="topic"))
        expect("harbour" in topics and "city-hall" in topics, "topic choices: %r" % topics)
        expect(form.find("input", name="gz_website") is not None, "no honeypot")
        form2, _ = site.form("/newsletter/")
        expect(form2 is not None, "no form on /newsletter/")

    t.check("newsletter: every page's footer has the sign-up form (email, topics, signed token, honeypot); /newsletter/ too", footer_form)

    def subscribe_alice():
        r = site.subscribe("alice@example.org")
        doc = expect_html(r, "subscribe alice")
        expect("confirmation link" in message_text(r), "answer: %r" % message_text(r))
        expect_eq(r.header("Cache-Control"), "private, no-store", "Cache-Control")
        site.smtp.wait_for(1)
        mail_from, rcpts, raw = site.smtp.message(0)
        expect_eq((mail_from, rcpts), ("<%s>" % FROM, ["<alice@example.org>"]), "envelope")
        check_lines(raw, "confirmation")
        msg = parse(raw)
        state["alice_unsub"] = check_headers(msg, "alice@example.org", "confirmation")
        text, html = parts(msg)
        expect_eq(str(msg["Subject"]), "Please confirm your subscription to %s" % SITE_NAME, "Subject")
        m = TOKEN_RE.search(text)
        expect(m, "no confirmation link in the text part:\n%s" % text)
        expect(m.group(0) in html, "no confirmation link in the HTML part")
        state["alice_token"] = m.group(1)
        expect_eq(site.subscribers(), [("alice@example.org", 0, "")], "stored: one pending subscriber")
        expect(not site.rows("SELECT 1 FROM newsletter_subscribers WHERE confirm_hash = ?", m.group(1).encode()),
               "the token itself is stored")

    t.check("newsletter: subscribe → 200 'check your inbox', a pending subscriber, a confirmation email (multipart/alternative, From, Date, Message-ID, List-Unsubscribe + One-Click) with a 43-character link; only its hash stored", subscribe_alice)

    def confirm_get_changes_nothing():
        path = "/newsletter/confirm?token=" + state["alice_token"]
        r = site.srv.get(path)
        doc = expect_html(r, "GET " + path)
        form = doc.find("form", "newsletter-button")
        expect(form is not None and form.get("method") == "post", "no POST button")
        expect_eq(form.find("input", name="token").get("value"), state["alice_token"], "the button's token")
        expect_eq(r.header("Referrer-Policy"), "strict-origin-when-cross-origin", "Referrer-Policy (the token stays on the site)")
        expect_eq(site.subscribers()[0][1], 0, "status after a GET (a link scanner)")

    t.check("newsletter: GET of the confirmation link shows a button (POST) and confirms nothing (mail scanners)", confirm_get_changes_nothing)

    def confirm_post():
        r = site.post_form("/newsletter/confirm", [("token", state["alice_token"])])
        expect_html(r, "POST confirm")
        expect("top stories" in message_text(r), "answer: %r" % message_text(r))
        expect_eq(site.subscribers()[0][1], 1, "status after confirming")
        r = site.post_form("/newsletter/confirm", [("token", state["alice_token"])])
        expect_html(r, "POST confirm again", status=404)
        expect("not valid" in message_text(r), "answer: %r" % message_text(r))

    t.check("newsletter: POST confirm → confirmed; the same link again → 404 'not valid, or already used'", confirm_post)

    def subscribe_bob_and_carol():
        n = site.smtp.count()
        for who, topics in (("bob@example.org", ["city-hall"]), ("carol@example.org", ["weather"])):
            r = site.subscribe(who, topics)
            expect_html(r, "subscribe " + who)
            n += 1
            site.smtp.wait_for(n)
            token = TOKEN_RE.search(parts(parse(site.smtp.message(n - 1)[2]))[0]).group(1)
            expect_html(site.post_form("/newsletter/confirm", [("token", token)]), "confirm " + who)
        expect_eq(site.subscribers(), [("alice@example.org", 1, ""), ("bob@example.org", 1, "city-hall"),
                                       ("carol@example.org", 1, "weather")], "subscribers")

    t.check("newsletter: two more readers subscribe to chosen topics (City Hall; Weather) and confirm", subscribe_bob_and_carol)

    def first_send():
        n = site.smtp.count()
        r = site.send(DAY1)
        expect_rc(r, 0, "newsletter send")
        expect("2 sent" in r.stdout and "1 with nothing new" in r.stdout, "report: %r" % r.stdout)
        site.smtp.wait_for(n + 2)
        by_rcpt = {site.smtp.message(i)[1][0]: site.smtp.message(i)[2] for i in range(n, n + 2)}
        raw = by_rcpt["<alice@example.org>"]
        check_lines(raw, "alice's digest")
        msg = parse(raw)
        unsub = check_headers(msg, "alice@example.org", "digest")
        expect_eq(unsub, state["alice_unsub"], "the unsubscribe link of the digest and of the confirmation")
        expect_eq(str(msg["Subject"]), "%s: the day's top stories, 10 January 2026" % SITE_NAME, "Subject")
        expect(re.search(rb"^Subject: =\?UTF-8\?B\?", raw, re.M), "the raw Subject is not RFC 2047 encoded")
        text, html = parts(msg)
        expect(HOSTILE in text, "the headline in the text part:\n%s" % text)
        expect("<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;Bcc: evil@example.org&quot; café" in html,
               "the headline is not escaped in the HTML part:\n%s" % html)
        expect("&lt;b&gt;tags&lt;/b&gt;" in html, "the lead is not escaped in the HTML part")
        expect("Council adopts the budget" in text and "An old storm" not in text, "stories of the day:\n%s" % text)
        expect(re.search(r'href="https://news\.example/news/[a-z0-9-]+/"', html) and 'href="https://news.example/topic/harbour/"' in html,
               "links to the stories and topics:\n%s" % html)
        bob = parts(parse(by_rcpt["<bob@example.org>"]))[0]
        expect("Council adopts the budget" in bob and "Harbour" not in bob, "bob's digest (City Hall only):\n%s" % bob)
        expect_eq(site.rows("SELECT count(*) FROM newsletter_sends WHERE day = '2026-01-10'"), [(2,)], "sends recorded")

    t.check("newsletter: `newsletter send` → one multipart/alternative digest per subscriber with news (text + HTML, QP, lines ≤ 78, RFC 2047 Subject); hostile headline escaped in HTML, no header injected; topics respected; no email when nothing is new", first_send)

    def second_send():
        n = site.smtp.count()
        r = site.send(DAY1)
        expect_rc(r, 0, "newsletter send again")
        expect("0 sent" in r.stdout and "2 already" in r.stdout, "report: %r" % r.stdout)
        time.sleep(0.3)
        expect_eq(site.smtp.count(), n, "messages after a second run the same day")
        r = site.send(DAY1, "--dry-run")
        expect_rc(r, 0, "dry run")
        expect_eq(site.smtp.count(), n, "messages after a dry run")

    t.check("newsletter: a second run the same day sends nothing ('already had today's'); --dry-run sends nothing", second_send)

    def one_click():
        path = local(state["alice_unsub"])
        r = site.srv.get(path)
        doc = expect_html(r, "GET unsubscribe")
        expect(doc.find("form", "newsletter-button") is not None, "no button")
        expect_eq(site.subscribers()[0][1], 1, "status after a GET")
        r = site.srv.request("POST", path, headers={"Content-Type": "application/x-www-form-urlencoded"},
                             body="List-Unsubscribe=One-Click")
        expect_html(r, "one-click POST")
        expect("unsubscribed" in message_text(r), "answer: %r" % message_text(r))
        expect_eq(site.subscribers()[0][1], 2, "status after the one-click POST")
        r = site.srv.get(path)
        expect_html(r, "GET unsubscribe again")
        expect("already unsubscribed" in message_text(r), "answer: %r" % message_text(r))

    t.check("newsletter: RFC 8058 one-click POST (no CSRF token, from a mail provider) unsubscribes at once; GET shows a button and changes nothing", one_click)

    def next_day():
        site.add("council-vote", headline="Council votes on the pier", topics="City Hall, Harbour",
                 published="2026-01-10T21:00:00Z")
        n = site.smtp.count()
        r = site.send(DAY2)
        expect_rc(r, 0, "newsletter send, day 2")
        site.smtp.wait_for(n + 1)
        time.sleep(0.3)
        expect_eq(site.smtp.count(), n + 1, "messages on day 2")
        mail_from, rcpts, raw = site.smtp.message(n)
        expect_eq(rcpts, ["<bob@example.org>"], "day 2 goes to bob only (alice left, carol has nothing new)")
        expect("Council votes on the pier" in parts(parse(raw))[0], "day 2's story")

    t.check("newsletter: the next day's run leaves the unsubscribed reader out", next_day)


def _refusals(t, gz, site, state):
    def nothing_changed(before, sent):
        expect_eq(site.subscribers(), before, "subscribers")
        time.sleep(0.2)
        expect_eq(site.smtp.count(), sent, "messages sent")

    def bad_addresses():
        before, sent = site.subscribers(), site.smtp.count()
        cases = [
            ("dave@example.org\r\nBcc: evil@example.org", "line breaks"),
            ("dave@example.org\nBcc: evil@example.org", "line breaks"),
            ("a" * 65 + "@example.org", "before the @"),
            ("dave@" + "b" * 250 + ".org", "too long"),
            ("dave.example.org", "needs an @"),
            ("dave@@example.org", "more than one @"),
            ("dave@localhost", "not a valid domain"),
            ("", "enter your email"),
        ]
        for address, words in cases:
            r = site.subscribe(address)
            doc = expect_html(r, "subscribe %r" % address, status=422)
            expect(words in message_text(r), "%r: message %r lacks %r" % (address, message_text(r), words))
            form = doc.find("main").find("form", "newsletter-form")
            expect(form is not None, "%r: the form is not shown again" % address)
        nothing_changed(before, sent)

    t.check("newsletter: bad addresses (CRLF and LF header injection, local part > 64, > 254 characters, no @, two @, one-label domain, empty) → 422 with a message naming the problem; nothing stored or sent", bad_addresses)

    def cross_site_and_tokens():
        before, sent = site.subscribers(), site.smtp.count()
        r = site.subscribe("eve@example.org", headers={"Origin": "https://evil.example"})
        expect_html(r, "cross-site subscribe", status=403)
        expect("another site" in message_text(r), "message: %r" % message_text(r))
        r = site.subscribe("eve@example.org", headers={"Sec-Fetch-Site": "cross-site"})
        expect_html(r, "Sec-Fetch-Site: cross-site", status=403)
        r = site.subscribe("eve@example.org", token="v1.0.1.abc")
        expect_html(r, "a forged token", status=403)
        expect("could not be verified" in message_text(r), "message: %r" % message_text(r))
        r = site.srv.request("POST", "/newsletter/subscribe", headers={"Content-Type": "text/plain"}, body="email=eve@example.org")
        expect_html(r, "not a form", status=400)
        r = site.subscribe("eve@example.org", extra=[("gz_website", "http://spam.example")])
        expect_html(r, "honeypot")  # a bot learns nothing
        r = site.subscribe("eve@example.org", topics=["no-such-topic"])
        expect_html(r, "unknown topic", status=422)
        expect("does not exist" in message_text(r), "message: %r" % message_text(r))
        nothing_changed(before, sent)

    t.check("newsletter: cross-site subscribe (Origin, Sec-Fetch-Site) → 403, forged token → 403, not a form → 400, unknown topic → 422, honeypot → same answer; nothing stored or sent", cross_site_and_tokens)

    def bad_links():
        for path, status, words in (
            ("/newsletter/confirm?token=garbage", 404, "not valid"),
            ("/newsletter/confirm?token=" + "A" * 43, 404, "not valid"),
            ("/newsletter/confirm", 404, "not valid"),
            ("/newsletter/unsubscribe?token=1.AAAAAAAAAAAAAAAAAAAAAAAA", 404, "not valid"),
            ("/newsletter/unsubscribe?token=999999.AAAAAAAAAAAAAAAAAAAAAAAA", 404, "not valid"),
            ("/newsletter/unsubscribe?token=%0d%0a", 404, "not valid"),
        ):
            r = site.srv.get(path)
            expect_html(r, "GET " + path, status=status)
            expect(words in message_text(r), "%s: message %r" % (path, message_text(r)))
        before = site.subscribers()
        r = site.srv.request("POST", "/newsletter/unsubscribe?token=2.AAAAAAAAAAAAAAAAAAAAAAAA",
                             headers={"Content-Type": "application/x-www-form-urlencoded"}, body="List-Unsubscribe=One-Click")
        expect_html(r, "POST with a forged unsubscribe token", status=404)
        r = site.srv.request("POST", local(state["alice_unsub"]), headers={"Content-Type": "application/x-www-form-urlencoded"},
                             body="List-Unsubscribe=Something")
        expect_html(r, "POST without One-Click", status=400)
        expect_eq(site.subscribers(), before, "subscribers")

    t.check("newsletter: bad, unknown and forged confirmation and unsubscribe tokens → 404 'not valid'; a POST without List-Unsubscribe=One-Click → 400; nothing changes", bad_links)

    def expired():
        n = site.smtp.count()
        expect_html(site.subscribe("frank@example.org"), "subscribe frank")
        site.smtp.wait_for(n + 1)
        token = TOKEN_RE.search(parts(parse(site.smtp.message(n)[2]))[0]).group(1)
        con = sqlite3.connect(site.db, timeout=10)
        con.execute("UPDATE newsletter_subscribers SET confirm_expires = 1000 WHERE email = 'frank@example.org'")
        con.commit()
        con.close()
        r = site.srv.get("/newsletter/confirm?token=" + token)
        expect_html(r, "GET an expired link", status=410)
        expect("expired" in message_text(r), "message: %r" % message_text(r))
        r = site.post_form("/newsletter/confirm", [("token", token)])
        expect_html(r, "POST an expired link", status=410)
        expect_eq(site.rows("SELECT status FROM newsletter_subscribers WHERE email = 'frank@example.org'"), [(0,)], "status")

    t.check("newsletter: a confirmation link past its 48 hours → 410 'expired' (GET and POST), the subscriber stays pending", expired)

    def same_answer():
        n = site.smtp.count()
        known = site.subscribe("bob@example.org", ["harbour"])
        unknown = site.subscribe("grace@example.org")
        expect_html(known, "subscribe a confirmed address again")
        expect_html(unknown, "subscribe a new address")
        expect_eq(message_text(known), message_text(unknown), "the answers")
        site.smtp.wait_for(n + 2)
        expect_eq(site.rows("SELECT status, topics FROM newsletter_subscribers WHERE email = 'bob@example.org'"),
                  [(1, "city-hall")], "bob before confirming the new request")
        raw = [site.smtp.message(i) for i in (n, n + 1)]
        bob = [m for m in raw if m[1] == ["<bob@example.org>"]][0]
        token = TOKEN_RE.search(parts(parse(bob[2]))[0]).group(1)
        expect_html(site.post_form("/newsletter/confirm", [("token", token)]), "bob confirms")
        expect_eq(site.rows("SELECT status, topics FROM newsletter_subscribers WHERE email = 'bob@example.org'"),
                  [(1, "harbour")], "bob after confirming")

    t.check("newsletter: subscribing an address again gives the same answer as a new one and re-sends the confirmation; the change applies only once confirmed", same_answer)

    def smtp_down():
        before, sent = site.subscribers(), site.smtp.count()
        site.smtp.refuse = True
        try:
            r = site.subscribe("henry@example.org")
            expect_html(r, "subscribe while SMTP refuses", status=503)
            expect("could not send" in message_text(r) and "try again" in message_text(r), "message: %r" % message_text(r))
            expect_eq(site.subscribers(), before, "subscribers after a failed send")
            expect("cannot send a confirmation email" in site.srv.stderr(), "the failure is not logged")
        finally:
            site.smtp.refuse = False
        r = site.subscribe("henry@example.org")
        expect_html(r, "subscribe again once SMTP works")
        site.smtp.wait_for(sent + 1)
        expect(("henry@example.org", 0, "") in site.subscribers(), "henry is pending")

    t.check("newsletter: an SMTP server refusing mail → 503 'could not send … try again', nothing stored; the retry works", smtp_down)

    def password_never_shown():
        expect("GAZETTE_SMTP_PASSWORD" not in site.srv.stderr(), "stderr mentions the password variable")

    t.check("newsletter: nothing of the SMTP settings or password in the server log", password_never_shown)


def _cli(t, gz, site, state):
    def cli_errors():
        r = gz.run("newsletter", "send", "--db", site.db, "--now", DAY1)
        expect_rc(r, 2, "send without a base URL")
        expect("--base-url" in r.stderr, "message: %r" % r.stderr)
        r = site.send("yesterday")
        expect_rc(r, 2, "a bad --now")
        expect("not a time" in r.stderr, "message: %r" % r.stderr)
        r = gz.run("newsletter", "post", "--db", site.db)
        expect_rc(r, 2, "an unknown subcommand")
        r = gz.run("newsletter", "send", "--help")
        expect_rc(r, 0, "--help")
        expect("GAZETTE_SMTP_PASSWORD" in r.stdout and "--dry-run" in r.stdout, "help: %r" % r.stdout)
        site.set("smtp_url", "smtp://user:secret@127.0.0.1:%d" % site.smtp.port)
        try:
            r = site.send(DAY2)
            expect_rc(r, 1, "credentials in smtp_url")
            expect("smtp_user" in r.stderr and "secret" not in r.stderr + r.stdout, "message: %r" % r.stderr)
        finally:
            site.set("smtp_url", "smtp://127.0.0.1:%d" % site.smtp.port)
        r = site.send(DAY2, "--dry-run")
        expect_rc(r, 0, "dry run")
        expect("would be sent" in r.stdout, "dry run report: %r" % r.stdout)

    t.check("newsletter: `newsletter send` refuses a missing --base-url, a bad --now, an unknown subcommand and credentials in smtp_url (without echoing them), with a message each; --help; --dry-run reports", cli_errors)

    def rate_limit():
        site.srv.stop()
        site.set("newsletter_rate_limit", "2")
        site.srv.start()
        try:
            for i in range(2):
                expect_html(site.subscribe("rate%d@example.org" % i), "sign-up %d within the rate" % i)
            before, sent = site.subscribers(), site.smtp.count()
            site.smtp.wait_for(sent)
            r = site.subscribe("rate9@example.org")
            expect_html(r, "sign-up over the rate", status=429)
            expect("wait an hour" in message_text(r), "message: %r" % message_text(r))
            expect_eq(site.subscribers(), before, "subscribers")
        finally:
            site.srv.stop()
            site.set("newsletter_rate_limit", "1000")
            site.srv.start()

    t.check("newsletter: sign-ups over newsletter_rate_limit per IP and hour → 429 with a message, nothing stored", rate_limit)


def _daily(t, gz, site, state):
    def timer_sends():
        site.srv.stop()
        published = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        site.add("fresh-news", headline="Fresh harbour news", topics="Harbour", published=published)
        site.set("newsletter_hour", "0")
        n = site.smtp.count()
        site.srv.start()
        site.smtp.wait_for(n + 1, seconds=30)
        rcpts = sorted(site.smtp.message(i)[1][0] for i in range(n, site.smtp.count()))
        expect("<bob@example.org>" in rcpts and "<alice@example.org>" not in rcpts, "recipients: %r" % rcpts)
        deadline = time.monotonic() + 10
        while "newsletter of" not in site.srv.stdout() and time.monotonic() < deadline:
            time.sleep(0.05)
        expect("newsletter of" in site.srv.stdout(), "no report in stdout: %r" % site.srv.stdout()[-300:])
        t0 = time.monotonic()
        expect_eq(site.srv.stop(), 0, "exit status")
        expect(time.monotonic() - t0 < 10, "stopping took too long")

    t.check("newsletter: `gazette serve` with newsletter_hour sends the day's digest itself (to confirmed readers with news) and stops cleanly", timer_sends)
