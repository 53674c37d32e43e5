"""push_tests.py — breaking-news alerts by Web Push, end to end. A push service written here
(an HTTP server on the loopback interface) plays every subscriber's browser vendor: it holds each
subscriber's P-256 key pair and auth secret, is subscribed through the API, and checks what
Gazette sends it as a browser would: the VAPID token (ES256 with the key from
/api/v1/push/key, its audience and expiry) and the aes128gcm body decrypted per RFC 8291, whose
JSON must name the story. Also: a 410 removes the subscription, a 500 is tried again, hostile
subscriptions are refused with 400 and store nothing, cross-site requests are refused, a story
marked twice is announced once, only live stories can be marked, and nothing is sent again
after a restart.

Needs the Python `cryptography` package (Debian: python3-cryptography, which `make deps`
installs); without it the module fails with a message saying so."""

import base64
import datetime
import http.server
import json
import os
import sqlite3
import struct
import threading
import time

from checks import expect, expect_eq, expect_json, expect_rc, expect_status
from gazette import sanitizer_lines, tail

try:
    from cryptography.exceptions import InvalidSignature, InvalidTag
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    CRYPTO_ERROR = None
except ImportError as e:  # reported as a failure by run(), never skipped
    CRYPTO_ERROR = e

BASE_URL = "https://alerts.example"
WAIT = 15  # seconds to wait for something the sender does (generous: a loaded machine)


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64u(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ---- the subscriber's side ------------------------------------------------------------------
class Subscriber:
    """One browser: its key pair, auth secret and endpoint path at the push service."""

    def __init__(self, service, name):
        self.name = name
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.auth = os.urandom(16)
        self.endpoint = "%s/push/%s" % (service.url, name)

    def subscription(self):
        return {"endpoint": self.endpoint, "expirationTime": None, "keys": {"p256dh": b64u(self.public), "auth": b64u(self.auth)}}

    def decrypt(self, body):
        """RFC 8291 / RFC 8188, as a browser reads a message; returns the plaintext."""
        expect(len(body) >= 86 + 17, "body of %d bytes is too short for aes128gcm" % len(body))
        salt, rs, idlen = body[:16], struct.unpack(">I", body[16:20])[0], body[20]
        expect_eq(idlen, 65, "idlen (the sender's public key length)")
        expect_eq(rs, 4096, "record size")
        as_public = body[21:86]
        record = body[86:]
        expect(len(record) <= rs, "one record of at most rs bytes, got %d" % len(record))
        peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_public)
        secret = self.key.exchange(ec.ECDH(), peer)
        info = b"WebPush: info\x00" + self.public + as_public
        ikm = HKDF(algorithm=hashes.SHA256(), length=32, salt=self.auth, info=info).derive(secret)
        cek = HKDF(algorithm=hashes.SHA256(), length=16, salt=salt, info=b"Content-Encoding: aes128gcm\x00").derive(ikm)
        nonce = HKDF(algorithm=hashes.SHA256(), length=12, salt=salt, info=b"Content-Encoding: nonce\x00").derive(ikm)
        try:
            padded = AESGCM(cek).decrypt(nonce, record, None)
        except InvalidTag:
            raise AssertionError("the body does not decrypt (AES-GCM tag refused)")
        stripped = padded.rstrip(b"\x00")
        expect(stripped.endswith(b"\x02"), "the last record must end with the 0x02 delimiter")
        return stripped[:-1]


# ---- the push service -----------------------------------------------------------------------
class PushService:
    """Answers POST /push/NAME with the statuses queued for NAME (201 when none is left) and
    keeps every request."""

    def __init__(self):
        self.lock = threading.Condition()
        self.received = []  # (name, headers dict, body bytes, status answered)
        self.answers = {}
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                name = self.path.rsplit("/", 1)[-1]
                with service.lock:
                    queue = service.answers.get(name) or []
                    status = queue.pop(0) if queue else 201
                    service.received.append((name, dict(self.headers.items()), body, status))
                    service.lock.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def requests_for(self, name):
        with self.lock:
            return [r for r in self.received if r[0] == name]

    def wait_for(self, name, count, seconds=WAIT):
        deadline = time.monotonic() + seconds
        with self.lock:
            while True:
                got = [r for r in self.received if r[0] == name]
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("the push service got %d request(s) for %s within %d s, expected %d" % (len(got), name, seconds, count))
                self.lock.wait(left)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def verify_vapid(headers, server_key, audience):
    """Checks Authorization: vapid t=JWT, k=KEY (RFC 8292) and returns the JWT's claims."""
    auth = headers.get("Authorization", "")
    expect(auth.startswith("vapid t="), "Authorization is %r, expected 'vapid t=..., k=...'" % auth[:40])
    token_part, sep, key_part = auth[len("vapid t="):].partition(", k=")
    expect(sep, "Authorization lacks ', k='")
    expect_eq(key_part, server_key, "k= (the VAPID public key, as /api/v1/push/key gives it)")
    parts = token_part.split(".")
    expect_eq(len(parts), 3, "JWT parts")
    header = json.loads(unb64u(parts[0]))
    expect_eq(header.get("alg"), "ES256", "JWT alg")
    claims = json.loads(unb64u(parts[1]))
    signature = unb64u(parts[2])
    expect_eq(len(signature), 64, "ES256 signature length (raw r || s)")
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64u(server_key))
    try:
        public.verify(encode_dss_signature(r, s), (parts[0] + "." + parts[1]).encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise AssertionError("the JWT's ES256 signature does not verify with the site's VAPID key")
    expect_eq(claims.get("aud"), audience, "JWT aud (the push service's origin)")
    now = time.time()
    expect(isinstance(claims.get("exp"), int) and now < claims["exp"] <= now + 24 * 3600 + 60, "JWT exp %r is not within the next 24 hours" % claims.get("exp"))
    expect(isinstance(claims.get("sub"), str) and claims["sub"].startswith(("mailto:", "https:")), "JWT sub %r is not a mailto: or https: contact" % claims.get("sub"))
    return claims


def story(path, slug, headline, lead, status="published", published="2024-05-01T10:00:00Z"):
    text = "---\nheadline: %s\nlead: %s\nslug: %s\ntopics: City\nstatus: %s\npublished: %s\n---\nThe body of %s.\n" % (
        headline, lead, slug, status, published, slug)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


# ---- the checks -----------------------------------------------------------------------------
def run(t, gz):
    if CRYPTO_ERROR is not None:
        def missing():
            raise AssertionError(
                "push_tests needs the Python package 'cryptography' (Debian: apt-get install "
                "python3-cryptography; 'make deps' installs it): %s" % CRYPTO_ERROR)

        t.check("push: the Python 'cryptography' package is available", missing)
        return
    db = gz.path("push.db")
    src = gz.path("push-stories")
    os.makedirs(src, exist_ok=True)

    def setup():
        expect_rc(gz.run("init", "--db", db), 0, "gazette init")
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        try:
            row = con.execute("SELECT length(private_key), length(public_key) FROM push_vapid").fetchone()
        finally:
            con.close()
        expect_eq(row, (32, 65), "VAPID key pair made by `gazette init`")
        paths = [
            story(os.path.join(src, "a.md"), "dam-gives-way", "Dam gives way above Port Alder", "Water is rising in the lower town; the harbour is closed."),
            story(os.path.join(src, "b.md"), "bridge-closed", "Harbour bridge closed", "The bridge is shut while engineers inspect it."),
            story(os.path.join(src, "e.md"), "council-vote", "Council votes tonight", "The budget is on the table."),
            story(os.path.join(src, "c.md"), "draft-story", "A draft", "Not yet.", status="draft"),
            story(os.path.join(src, "d.md"), "future-story", "Scheduled", "Later.", status="scheduled", published="2099-01-01T00:00:00Z"),
        ]
        expect_rc(gz.run("article", "add", "--db", db, *paths), 0, "article add")
        for key, value in (("push_allow_insecure", "1"), ("push_rate_limit", "1000"), ("push_contact", "mailto:desk@alerts.example")):
            expect_rc(gz.run("settings", "set", "--db", db, key, value), 0, "settings set " + key)

    if not t.check("push: `gazette init` makes the VAPID keys; a site with three live stories, a draft and a scheduled one", setup):
        return
    service = PushService()
    srv = gz.server("push server", "serve", "--db", db, "--base-url", BASE_URL)
    try:
        if t.check("push: the server starts (with its sender)", srv.start):
            _checks(t, gz, srv, db, service)
    finally:
        service.close()
        if srv.running():
            srv.stop()


def _count(db, sql, *args):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        return con.execute(sql, args).fetchone()[0]
    finally:
        con.close()


def _checks(t, gz, srv, db, service):
    origin = "http://127.0.0.1:%d" % srv.port
    state = {}
    ok_sub, gone_sub, flaky_sub = Subscriber(service, "ok"), Subscriber(service, "gone"), Subscriber(service, "flaky")
    service.answers = {"gone": [410], "flaky": [500]}

    def post(path, body, headers=None, raw=False):
        h = {"Content-Type": "application/json", "Origin": origin}
        h.update(headers or {})
        data = body if raw else json.dumps(body).encode("utf-8")
        return srv.request("POST", path, headers=h, body=data)

    def subscribers():
        return _count(db, "SELECT count(*) FROM push_subscriptions")

    def key():
        r = srv.get("/api/v1/push/key")
        body = expect_json(r, "GET /api/v1/push/key")
        point = unb64u(body["public_key"])
        expect_eq(len(point), 65, "public key length")
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)  # raises when not on the curve
        expect("private" not in r.text, "the key endpoint mentions a private key")
        state["key"] = body["public_key"]
        sw = srv.get("/sw.js")
        expect_status(sw, 200, "GET /sw.js")
        expect(sw.content_type.startswith("text/javascript"), "/sw.js Content-Type is %r" % sw.content_type)
        expect("showNotification" in sw.text and "notificationclick" in sw.text, "/sw.js does not show alerts")
        home = srv.get("/").text
        expect('class="push-alerts"' in home and " hidden>" in home, "the home page lacks the hidden alerts button")

    t.check("push: GET /api/v1/push/key gives a P-256 point; /sw.js is served at the root; the page has the (hidden) alerts button", key)

    def subscribe():
        for sub in (ok_sub, gone_sub, flaky_sub):
            r = post("/api/v1/push/subscriptions", sub.subscription())
            expect_json(r, "subscribe " + sub.name, status=201)
        r = post("/api/v1/push/subscriptions", ok_sub.subscription())
        expect_json(r, "subscribe ok again", status=201)
        expect_eq(subscribers(), 3, "subscriptions after subscribing three, one of them twice")

    t.check("push: POST /api/v1/push/subscriptions → 201, idempotent on the same endpoint", subscribe)

    def hostile():
        good = ok_sub.subscription()
        bad_point = b64u(b"\x04" + b"\x01" * 64)

        def variant(**changes):
            v = json.loads(json.dumps(good))
            for k, val in changes.items():
                if k in ("p256dh", "auth"):
                    v["keys"][k] = val
                else:
                    v[k] = val
            return v

        cases = [
            ("not JSON", b"{endpoint:", True),
            ("a JSON array", b"[]", True),
            ("duplicate members", b'{"endpoint": "a", "endpoint": "b"}', True),
            ("no endpoint", {"keys": good["keys"]}, False),
            ("endpoint a number", variant(endpoint=5), False),
            ("ftp endpoint", variant(endpoint="ftp://push.example/x"), False),
            ("plain http off the loopback", variant(endpoint="http://push.example/x"), False),
            ("user and password", variant(endpoint="https://u:p@push.example/x"), False),
            ("private address", variant(endpoint="https://10.1.2.3/x"), False),
            ("link-local address", variant(endpoint="https://[fe80::1]/x"), False),
            ("a space", variant(endpoint="https://push.example/a b"), False),
            ("a NUL", variant(endpoint="https://push.example/a\u0000b"), False),
            ("too long", variant(endpoint="https://push.example/" + "a" * 1100), False),
            ("not a URL", variant(endpoint="https//"), False),
            ("no keys", {"endpoint": good["endpoint"]}, False),
            ("keys not an object", variant(keys="x"), False),
            ("p256dh 64 bytes", variant(p256dh=b64u(b"\x04" + b"\x01" * 63)), False),
            ("p256dh off the curve", variant(p256dh=bad_point), False),
            ("p256dh standard base64", variant(p256dh=base64.b64encode(ok_sub.public).decode() + "+/"), False),
            ("auth 15 bytes", variant(auth=b64u(b"a" * 15)), False),
            ("auth a list", variant(auth=["x"]), False),
            ("expirationTime a string", variant(expirationTime="soon"), False),
        ]
        before = subscribers()
        problems = []
        for name, body, raw in cases:
            r = post("/api/v1/push/subscriptions", body if raw else json.dumps(body).encode("utf-8"), raw=True)
            try:
                answer = r.json()
            except ValueError:
                answer = {}
            if r.status != 400 or not answer.get("error"):
                problems.append("%s: HTTP %d %s" % (name, r.status, r.body[:120]))
        r = post("/api/v1/push/subscriptions", b"{" + b" " * 5000 + b"}", raw=True)
        if r.status != 413:
            problems.append("a 5,000-byte body: HTTP %d, expected 413" % r.status)
        r = post("/api/v1/push/subscriptions", good, headers={"Content-Type": "text/plain"})
        if r.status != 415:
            problems.append("text/plain: HTTP %d, expected 415" % r.status)
        expect(not problems, "hostile subscriptions not refused as expected:\n" + "\n".join(problems))
        expect_eq(subscribers(), before, "subscriptions after the hostile ones")

    t.check("push: hostile subscription JSON → 400 with a message (413 too large, 415 not JSON), nothing stored", hostile)

    def cross_site():
        before = subscribers()
        evil = Subscriber(service, "evil").subscription()
        for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}):
            r = post("/api/v1/push/subscriptions", evil, headers=headers)
            expect_json(r, "cross-site subscribe with %r" % headers, status=403)
        r = post("/api/v1/push/unsubscribe", {"endpoint": ok_sub.endpoint}, headers={"Origin": "https://evil.example"})
        expect_json(r, "cross-site unsubscribe", status=403)
        expect_eq(subscribers(), before, "subscriptions after cross-site requests")

    t.check("push: cross-site subscribe and unsubscribe → 403, nothing changed", cross_site)

    def only_live():
        for slug in ("draft-story", "future-story", "no-such-story"):
            r = gz.run("article", "breaking", "--db", db, slug)
            expect_rc(r, 1, "article breaking " + slug)
            expect("no live story" in r.stderr, "stderr does not say why:\n" + r.describe())
        expect_eq(_count(db, "SELECT count(*) FROM push_messages"), 0, "messages queued")

    t.check("push: `gazette article breaking` refuses a draft, a scheduled and a missing story (exit 1)", only_live)

    def breaking():
        r = gz.run("article", "breaking", "--db", db, "dam-gives-way")
        expect_rc(r, 0, "article breaking dam-gives-way")
        expect("3 alerts queued" in r.stdout, "stdout: " + r.stdout)
        got = service.wait_for("ok", 1)
        name, headers, body, status = got[0]
        expect_eq(headers.get("Content-Encoding"), "aes128gcm", "Content-Encoding")
        expect_eq(headers.get("Content-Type"), "application/octet-stream", "Content-Type")
        expect_eq(headers.get("Urgency"), "high", "Urgency")
        expect((headers.get("TTL") or "").isdigit() and int(headers["TTL"]) > 0, "TTL header %r" % headers.get("TTL"))
        verify_vapid(headers, state["key"], service.url)
        alert = json.loads(ok_sub.decrypt(body))
        expect_eq(alert.get("title"), "Dam gives way above Port Alder", "title (the headline)")
        expect_eq(alert.get("body"), "Water is rising in the lower town; the harbour is closed.", "body (the lead)")
        expect_eq(alert.get("url"), BASE_URL + "/news/dam-gives-way/", "url (the story's absolute URL)")
        expect(isinstance(alert.get("tag"), str) and alert["tag"], "tag")

    t.check("push: `gazette article breaking` while serving → the push service gets the alert: VAPID JWT verified (ES256, aud, exp), body decrypted per RFC 8291, JSON names the story", breaking)

    def gone():
        service.wait_for("gone", 1)
        deadline = time.monotonic() + WAIT
        while _count(db, "SELECT count(*) FROM push_subscriptions WHERE endpoint = ?", gone_sub.endpoint) and time.monotonic() < deadline:
            time.sleep(0.1)
        expect_eq(_count(db, "SELECT count(*) FROM push_subscriptions WHERE endpoint = ?", gone_sub.endpoint), 0, "subscriptions of the endpoint that answered 410")

    t.check("push: a 410 from the push service removes the subscription", gone)

    def retried():
        got = service.wait_for("flaky", 2)
        expect_eq([g[3] for g in got[:2]], [500, 201], "statuses answered to the flaky endpoint")
        alert = json.loads(flaky_sub.decrypt(got[1][2]))
        expect_eq(alert.get("url"), BASE_URL + "/news/dam-gives-way/", "url of the retried alert")
        deadline = time.monotonic() + WAIT
        while _count(db, "SELECT count(*) FROM push_messages WHERE state = 1") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        expect_eq(_count(db, "SELECT count(*) FROM push_messages WHERE state = 1"), 2, "messages recorded delivered")

    t.check("push: a 500 is tried again (with a fresh encryption) and then delivered", retried)

    def token():
        r = gz.run("admin-token", "--db", db)
        expect_rc(r, 0, "admin-token")
        return r.stdout.strip()

    def twice():
        r = gz.run("article", "breaking", "--db", db, "dam-gives-way")
        expect_rc(r, 1, "article breaking dam-gives-way a second time")
        expect("already" in r.stderr, "stderr does not say it was marked already:\n" + r.describe())
        state["token"] = token()
        r = post("/api/v1/admin/articles/dam-gives-way/breaking", {}, headers={"Authorization": "Bearer " + state["token"]})
        expect_json(r, "admin breaking, second time", status=409)
        time.sleep(3)
        expect_eq(len(service.requests_for("ok")), 1, "alerts the 'ok' subscriber got for one story marked three times")

    t.check("push: a story marked breaking twice (CLI, then the admin API → 409) is announced once", twice)

    def admin():
        r = post("/api/v1/admin/articles/bridge-closed/breaking", {})
        expect_json(r, "admin breaking without a token", status=401)
        r = post("/api/v1/admin/articles/draft-story/breaking", {}, headers={"Authorization": "Bearer " + state["token"]})
        expect_json(r, "admin breaking of a draft", status=404)
        r = post("/api/v1/admin/articles/bridge-closed/breaking", {}, headers={"Authorization": "Bearer " + state["token"]})
        body = expect_json(r, "admin breaking bridge-closed", status=202)
        expect_eq(body.get("queued"), 2, "alerts queued (the 410 subscriber is gone)")
        got = service.wait_for("ok", 2)
        alert = json.loads(ok_sub.decrypt(got[1][2]))
        expect_eq(alert.get("title"), "Harbour bridge closed", "title of the second alert")
        got = service.wait_for("flaky", 3)
        expect_eq(json.loads(flaky_sub.decrypt(got[2][2])).get("title"), "Harbour bridge closed", "flaky's second alert")

    t.check("push: POST /api/v1/admin/articles/{slug}/breaking (bearer token) → 202 and the alert is sent; 401 without a token, 404 for a draft", admin)

    def unsubscribe():
        for _ in range(2):
            r = post("/api/v1/push/unsubscribe", {"endpoint": flaky_sub.endpoint})
            expect_status(r, 204, "unsubscribe flaky")
        expect_eq(_count(db, "SELECT count(*) FROM push_subscriptions WHERE endpoint = ?", flaky_sub.endpoint), 0, "flaky's subscription")
        r = post("/api/v1/push/unsubscribe", {"nothing": 1})
        expect_json(r, "unsubscribe without an endpoint", status=400)

    t.check("push: POST /api/v1/push/unsubscribe → 204 (again: 204), the subscription is gone", unsubscribe)

    def restart():
        before = len(service.received)
        expect_eq(srv.stop(), 0, "exit status after SIGTERM\nstderr: " + tail(srv.stderr()))
        srv.start()
        time.sleep(2.5)
        expect_eq(len(service.received), before, "requests to the push service after a restart")
        expect_eq(_count(db, "SELECT count(*) FROM push_messages WHERE state = 0"), 0, "messages still waiting")
        r = gz.run("push", "status", "--db", db)
        expect_rc(r, 0, "push status")
        expect_eq(r.stdout.splitlines(), ["subscribers: 1", "alerts waiting: 0", "alerts delivered: 2", "alerts given up: 0"],
                  "`gazette push status` (flaky's alerts left with its subscription)")

    t.check("push: after a restart nothing delivered is sent again; `gazette push status` counts it all", restart)

    def insecure_off():
        expect_rc(gz.run("settings", "set", "--db", db, "push_allow_insecure", "0"), 0, "settings set push_allow_insecure 0")
        before = len(service.received)
        r = gz.run("article", "breaking", "--db", db, "council-vote")
        expect_rc(r, 0, "article breaking council-vote")
        expect("1 alert queued" in r.stdout, "stdout: " + r.stdout)
        deadline = time.monotonic() + WAIT
        while _count(db, "SELECT count(*) FROM push_messages WHERE state = 0") and time.monotonic() < deadline:
            time.sleep(0.1)
        expect_eq(_count(db, "SELECT count(*) FROM push_messages m JOIN articles a ON a.id = m.article_id"
                             " WHERE a.slug = 'council-vote' AND m.state = 2"), 1, "alerts given up")
        expect_eq(len(service.received), before, "requests to the http:// endpoint once insecure endpoints are off")
        expect("dropped" in srv.stderr(), "the server's log does not say the alert was dropped")

    t.check("push: with push_allow_insecure off, an alert to an http:// loopback endpoint is dropped, never sent", insecure_off)

    def stopped_clean():
        expect_eq(srv.stop(), 0, "exit status after SIGTERM\nstderr: " + tail(srv.stderr()))
        expect(srv.stop_seconds is not None and srv.stop_seconds < 10, "the server (and its sender) did not stop within 10 s")
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        try:
            private = con.execute("SELECT private_key FROM push_vapid").fetchone()[0]
        finally:
            con.close()
        out = srv.stdout() + srv.stderr() + "".join(r.stdout + r.stderr for r in gz.runs)
        for form in (b64u(private), private.hex(), base64.b64encode(private).decode()):
            expect(form not in out, "the VAPID private key appears in the output of gazette")
        found = sanitizer_lines(srv.stderr())
        expect(not found, "sanitizer report in the server's stderr:\n" + "\n".join(found[:10]))

    t.check("push: SIGTERM stops the server and its sender (exit 0); the private key is in no output; no sanitizer report", stopped_clean)
