"""fault_tests.py — faults answered cleanly while the server keeps serving everyone else:
the disk holding the database fills up (a small tmpfs; skipped where mounting is not
allowed), another process holds the database's write lock past the busy timeout, clients
send their request one byte a second (slowloris) or vanish in the middle of a large answer,
10,000 connections sit idle (release pass only), and connections beyond the server's limit
arrive."""

import datetime
import errno
import os
import re
import resource
import socket
import sqlite3
import struct
import subprocess
import threading
import time

from checks import expect, expect_eq, expect_html, expect_rc, expect_status, snippet
from comments_tests import encode
from site_tests import stop_server, story, write
from tap import Skip

SLUG = "fault-story"
TOKEN_RE = re.compile(r'name="gz_token" value="([^"]+)"')
NONCE_RE = re.compile(r"gz_nonce=([0-9a-f]+)")
SLOW_TIMEOUT = 2  # --timeout of the server the slow clients meet


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_site(gz, db, src):
    expect_rc(gz.run("init", "--db", db), 0, "gazette init")
    for key, value in (("comments.min_seconds", "0"), ("comments.rate_limit", "1000000"),
                       ("comments.moderation", "publish")):
        expect_rc(gz.run("settings", "set", "--db", db, key, value), 0, "settings set " + key)
    published = iso(datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1))
    path = story(os.path.join(src, "fault.md"), "Things go wrong around this story.\n" * 20,
                 headline="Fault story", topics="Faults", published=published, slug=SLUG)
    expect_rc(gz.run("article", "add", "--db", db, path), 0, "article add")


def post_comment(srv, text, timeout=20):
    """The real form flow: GET the story (its signed token; the gz_nonce cookie when one is
    set), POST the comment."""
    r = srv.get("/news/%s/" % SLUG)
    expect_status(r, 200, "GET /news/%s/" % SLUG)
    token = TOKEN_RE.search(r.text)
    cookie = NONCE_RE.search(r.header("Set-Cookie") or "")
    expect(token, "no form token on the story page")
    fields = {"comment": text, "author": "Fault Reader", "email": "fault@example.org", "url": "",
              "comment_parent": "0", "gz_token": token.group(1), "gz_website": ""}
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = "gz_nonce=" + cookie.group(1)
    return srv.request("POST", "/news/%s/comments" % SLUG, body=encode(fields), timeout=timeout, headers=headers)


def expect_error_page(r, what, statuses=(500, 503)):
    expect_status(r, statuses, what)
    doc = expect_html(r, what, status=r.status)
    expect(doc.find("header", "masthead") is not None, "%s: not the theme's error page (no masthead): %s" % (what, snippet(r)))
    return doc


def timed_get(srv, path, limit, what):
    t0 = time.monotonic()
    r = srv.get(path, timeout=limit + 5)
    took = time.monotonic() - t0
    expect_status(r, 200, what)
    expect(took < limit, "%s took %.2f s (limit %.1f s)" % (what, took, limit))
    return took


def run(t, gz):
    db = gz.path("fault.db")
    src = gz.path("fault-stories")
    media = gz.path("fault-media")
    srv = gz.server("fault server", "serve", "--db", db, "--media", media)

    def setup():
        # a large file for the vanishing clients (an SVG of 4 MB)
        write(os.path.join(media, "big.svg"), b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<!-- padding -->" * 262144 + b"</svg>")
        make_site(gz, db, src)
        srv.start()

    if not t.check("faults: a site and its server", setup):
        return
    try:
        _locked(t, srv, db)
        _disconnects(t, srv)
        if not gz.sanitized:
            _idle_connections(t, srv)
    finally:
        stop_server(t, gz, srv, "fault server")
    _slow_clients(t, gz, db)
    _over_the_limit(t, gz, db)
    _disk_full(t, gz)


# ---- a locked database -----------------------------------------------------------------------

def _locked(t, srv, db):
    def locked():
        con = sqlite3.connect(db, timeout=1, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")  # the write lock, held past the 5 s busy timeout
            result = {}

            def poster():
                t0 = time.monotonic()
                try:
                    result["r"] = post_comment(srv, "Written while the database is locked.", timeout=30)
                except AssertionError as e:
                    result["error"] = str(e)
                result["took"] = time.monotonic() - t0

            th = threading.Thread(target=poster, daemon=True)
            th.start()
            time.sleep(0.5)
            reads = [timed_get(srv, p, 2.0, "GET %s while the database is locked" % p)
                     for p in ("/", "/news/%s/" % SLUG, "/api/v1/articles")]
            th.join(timeout=30)
            expect("r" in result, "the post while locked: %s" % result.get("error", "no answer"))
            r = result["r"]
            expect_error_page(r, "a comment post while another process holds the write lock", statuses=(503,))
            expect(r.header("Retry-After", "").isdigit(), "503 without a Retry-After (in seconds): %r" % r.header("Retry-After"))
            t.diag("locked database: the post got 503 after %.1f s (Retry-After: %s); reads meanwhile took %s s"
                   % (result["took"], r.header("Retry-After"), ", ".join("%.2f" % x for x in reads)))
        finally:
            con.rollback() if con.in_transaction else None
            con.close()
        r = post_comment(srv, "Written once the lock is gone.")
        expect_status(r, 303, "a comment post after the lock is released")

    t.check("locked database: a write past the busy timeout → 503 with Retry-After and the error page; reads "
            "still answer at once; writes work once the lock is released", locked)


# ---- clients that vanish mid-answer ----------------------------------------------------------

def _disconnects(t, srv):
    def vanish():
        def one(i):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
            try:
                path = "/media/big.svg" if i % 2 == 0 else "/news/%s/" % SLUG
                s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
                s.recv(200)
                if i % 3 == 0:  # an abortive close (RST) for some, an orderly one for others
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            finally:
                s.close()

        threads = [threading.Thread(target=lambda k=k: [one(k * 10 + j) for j in range(10)], daemon=True) for k in range(6)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=30)
        r = srv.get("/media/big.svg", timeout=20)
        expect_status(r, 200, "GET /media/big.svg afterwards")
        expect(len(r.body) > 4000000, "the large file came back short: %d bytes" % len(r.body))
        expect_html(srv.get("/"), "GET / after 60 clients vanished mid-answer")

    t.check("vanishing clients: 60 clients close (or reset) after the first bytes of a 4 MB file or a page; "
            "the server keeps serving", vanish)


# ---- 10,000 idle connections -----------------------------------------------------------------

def _raise_nofile(want):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < want:
        raise Skip("the descriptor limit (hard %d) is below %d" % (hard, want))
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want if hard == resource.RLIM_INFINITY else hard, hard))


def _reset_close(socks):
    """Closes with RST, so that no TIME_WAIT is left holding local ports."""
    for s in socks:
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        except OSError:
            pass


def _idle_connections(t, srv):
    n = 10000

    def idle():
        _raise_nofile(n + 500)
        socks = []
        try:
            t0 = time.monotonic()
            for _ in range(n):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.settimeout(5)
                s.connect(("127.0.0.1", srv.port))
                socks.append(s)
            opened = time.monotonic() - t0
            time.sleep(0.5)  # let the server accept them all
            took = [timed_get(srv, p, 2.0, "GET %s with %d idle connections open" % (p, n))
                    for p in ("/", "/news/%s/" % SLUG, "/api/v1/articles")]
            # the idle ones are still there (not silently dropped by a crash)
            expect(srv.running(), "the server died with %d connections open" % n)
            t.diag("%d idle connections opened in %.1f s; GET /, a story and the API took %s s meanwhile"
                   % (n, opened, ", ".join("%.3f" % x for x in took)))
        finally:
            _reset_close(socks)
        time.sleep(0.3)
        expect_html(srv.get("/"), "GET / after the idle connections closed")

    t.check("10,000 idle connections: a normal client still gets the home page, a story and the API within 2 s", idle)


# ---- slow clients ----------------------------------------------------------------------------

def _slow_clients(t, gz, db):
    srv = gz.server("slow-client server", "serve", "--db", db, "--timeout", str(SLOW_TIMEOUT))

    def slowloris():
        srv.start()
        results = []

        def slow(kind):
            if kind == "headers":
                data = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: " + b"s" * 40 + b"\r\n\r\n"
            else:  # the headers at once, then the body a byte a second
                data = (b"POST /news/%s/comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                        b"Content-Length: 60\r\n\r\n" % SLUG.encode()) + b"c" * 60
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=1)
            t0 = time.monotonic()
            sent = 0
            outcome = "still open after 12 s"
            try:
                start = data.index(b"\r\n\r\n") + 4 if kind == "body" else 0
                if start:
                    s.sendall(data[:start])
                    sent = start
                while time.monotonic() - t0 < 12 and sent < len(data):
                    try:
                        s.sendall(data[sent:sent + 1])
                        sent += 1
                    except OSError:
                        outcome = "closed"
                        break
                    try:
                        got = s.recv(4096)
                        outcome = "closed" if not got else "answered %r" % got[:40]
                        break
                    except socket.timeout:
                        pass
                    except OSError:
                        outcome = "closed"
                        break
            finally:
                s.close()
            results.append((kind, outcome, time.monotonic() - t0, sent, len(data)))

        threads = [threading.Thread(target=slow, args=("headers" if i % 2 == 0 else "body",), daemon=True) for i in range(20)]
        for th in threads:
            th.start()
        time.sleep(0.3)
        took = []
        while any(th.is_alive() for th in threads) and len(took) < 40:
            took.append(timed_get(srv, "/", 1.0, "GET / while 20 slow clients trickle"))
            time.sleep(0.1)
        for th in threads:
            th.join(timeout=20)
        bad = ["%s: %s after %.1f s (%d of %d bytes sent)" % r for r in results
               if r[1] != "closed" or r[2] > SLOW_TIMEOUT + 3]
        expect(len(results) == 20, "only %d of the 20 slow clients finished" % len(results))
        expect(not bad, "slow clients not cut off within %d s:\n%s" % (SLOW_TIMEOUT + 3, "\n".join(bad)))
        t.diag("slow clients closed after %.1f-%.1f s (--timeout %d); %d GET / meanwhile, slowest %.3f s"
               % (min(r[2] for r in results), max(r[2] for r in results), SLOW_TIMEOUT, len(took), max(took)))

    t.check("slowloris: 20 clients sending headers or a body one byte a second are closed after --timeout %d s; "
            "GET / answers within 1 s all along" % SLOW_TIMEOUT, slowloris)

    def keep_alive_ok():
        c = srv.connection()
        try:
            for _ in range(2):
                c.request("GET", "/")
                r = c.getresponse()
                r.read()
                expect_eq(r.status, 200, "GET / on a kept-alive connection")
                time.sleep(1)  # each request arrives well within the timeout: kept
        finally:
            c.close()

    t.check("slowloris: a keep-alive client pausing between quick requests is not cut off", keep_alive_ok)
    stop_server(t, gz, srv, "slow-client server")


# ---- more connections than the server takes ---------------------------------------------------

def _over_the_limit(t, gz, db):
    srv = gz.server("limited server", "serve", "--db", db)
    srv.nofile = 256  # a descriptor limit of 256: the server takes about 170 connections

    def excess():
        srv.start()
        _raise_nofile(1000)
        socks, refused = [], 0
        try:
            for _ in range(400):
                try:
                    socks.append(socket.create_connection(("127.0.0.1", srv.port), timeout=2))
                except OSError:
                    refused += 1
            time.sleep(1)
            closed = 0  # connections the server accepted and closed at once
            for s in socks:
                s.setblocking(False)
                try:
                    if s.recv(1) == b"":
                        closed += 1
                except BlockingIOError:
                    pass
                except OSError:
                    closed += 1
            expect(srv.running(), "the server died with 400 connections arriving")
            t.diag("400 connections to a server with 256 descriptors: %d refused at connect, %d closed by the server, %d kept"
                   % (refused, closed, len(socks) - closed))
            expect(refused + closed > 0, "all 400 connections were kept by a server with 256 descriptors")
        finally:
            _reset_close(socks)
        time.sleep(0.5)
        expect_html(srv.get("/"), "GET / once the excess connections are gone")
        r = post_comment(srv, "Written after the flood of connections.")
        expect_status(r, 303, "a comment post after the flood (the database still opens its files)")

    t.check("connection limit: 400 connections to a server with 256 descriptors → the excess are refused or "
            "closed, never a crash; it serves pages and writes afterwards", excess)
    stop_server(t, gz, srv, "limited server")


# ---- a full disk -------------------------------------------------------------------------------

def _disk_full(t, gz):
    mnt = gz.path("small-disk")
    db = os.path.join(mnt, "full.db")
    srv = gz.server("disk-full server", "serve", "--db", db)
    state = {"mounted": False}

    def mount():
        os.makedirs(mnt, exist_ok=True)
        try:
            p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "none", mnt],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise Skip("cannot mount a tmpfs: %s" % e)
        if p.returncode != 0:
            raise Skip("cannot mount a tmpfs (not permitted here): %s" % p.stdout.decode("utf-8", "replace").strip()[:120])
        state["mounted"] = True
        make_site(gz, db, gz.path("full-stories"))
        srv.start()
        expect_status(post_comment(srv, "Written while there is room."), 303, "a comment post on the small disk")

    try:
        if not t.check("disk full: the database on an 8 MB tmpfs, served", mount) or not state["mounted"]:
            return
        filler = os.path.join(mnt, "filler")

        def fill():
            # unbuffered: a buffered file would try to write its last bytes again on close and
            # raise ENOSPC there, outside the try
            with open(filler, "wb", buffering=0) as f:
                try:
                    while True:
                        f.write(b"\0" * 65536)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise

        def full():
            fill()
            failed = None
            for i in range(300):  # the WAL may still hold free pages: write until it is out of room
                r = post_comment(srv, "Comment %d on a full disk, " % i + "with words to take room. " * 40)
                if r.status != 303:
                    failed = r
                    break
            expect(failed is not None, "300 comment posts succeeded on a full disk")
            expect_error_page(failed, "a comment post on a full disk")
            t.diag("full disk: the comment post got %d after %d stored (Retry-After: %s)"
                   % (failed.status, i, failed.header("Retry-After")))
            for p in ("/", "/news/%s/" % SLUG, "/api/v1/articles"):
                expect_status(srv.get(p), 200, "GET %s on a full disk" % p)
            expect_error_page(post_comment(srv, "Another try on the full disk."), "a second post on the full disk")

        if not t.check("disk full: a comment post gets the theme's error page (5xx), reads keep working", full):
            return

        def freed():
            os.unlink(filler)
            r = post_comment(srv, "Written once there is room again.")
            expect_status(r, 303, "a comment post after space was freed")
            con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
            try:
                expect_eq([row[0] for row in con.execute("PRAGMA integrity_check")], ["ok"], "integrity_check")
            finally:
                con.close()

        t.check("disk full: once space is freed, writes work again and the database is intact", freed)
        stop_server(t, gz, srv, "disk-full server")
    finally:
        if srv.running():
            srv.kill()
        if state["mounted"]:
            subprocess.run(["umount", "-l", mnt], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)
