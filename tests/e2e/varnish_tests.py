"""varnish_tests.py — Gazette behind Varnish (docs/varnish.vcl, docs/deploy.md): the demo served
by `gazette demo --varnish URL` with Debian's varnishd (and the xkey vmod of varnish-modules)
in front, started here on a free loopback port with the sample VCL (its backend pointed at the
server), in a temporary -n directory, in the foreground, and stopped by PID.

Checked: pages carry `Surrogate-Key` and `xkey` with the same, header-safe keys; a story asked
twice through Varnish is a hit the second time; after the story is edited with the CLI the new
headline is seen through Varnish within 2 s (the server purged it); a page not showing the story
is still a hit; the VCL refuses a PURGE without keys; `/api/v1/admin/cache` counts the purges;
a node that does not answer is counted as failed, logged once, and does not stop the server
(release build only: its retries take seconds); and `--varnish` refuses what is not an http(s)
URL. Skipped (TAP skip) only when varnishd or the xkey vmod is missing, which happens only when
`make test` could not install them with apt."""

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import time

from cache_tests import TOP, TOP_FILE
from checks import REPO, expect, expect_eq, expect_json, expect_rc, expect_status
from gazette import _register, free_port, hard_kill
from tap import Skip

VCL = os.path.join(REPO, "docs", "varnish.vcl")
KEY_RE = re.compile(r"^[\x21-\x7e]+$")


def varnishd_path():
    found = shutil.which("varnishd") or ("/usr/sbin/varnishd" if os.access("/usr/sbin/varnishd", os.X_OK) else None)
    vmods = glob.glob("/usr/lib/*/varnish/vmods/libvmod_xkey.so") + glob.glob("/usr/lib/varnish/vmods/libvmod_xkey.so")
    return found if found and vmods else None


class Varnish:
    """varnishd -F with the sample VCL in front of the gazette on backend_port."""

    def __init__(self, gz, binary, port, backend_port):
        self.gz, self.binary, self.port = gz, binary, port
        self.workdir = gz.path("varnish")
        os.makedirs(self.workdir, exist_ok=True)
        with open(VCL, encoding="utf-8") as f:
            vcl = f.read()
        expect('.port = "8080";' in vcl, "docs/varnish.vcl no longer names port 8080 for its backend")
        self.vcl = os.path.join(self.workdir, "gazette.vcl")
        with open(self.vcl, "w", encoding="utf-8") as f:
            f.write(vcl.replace('.port = "8080";', '.port = "%d";' % backend_port))
        self.log = os.path.join(self.workdir, "varnishd.log")
        self.proc = None

    def start(self):
        argv = [self.binary, "-F", "-j", "none", "-n", os.path.join(self.workdir, "n"),
                "-a", "127.0.0.1:%d" % self.port, "-f", self.vcl, "-s", "malloc,32m",
                "-p", "ban_lurker_sleep=0.1"]
        with open(self.log, "ab") as log:
            self.proc = _register(subprocess.Popen(argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                                   cwd=self.workdir, start_new_session=True))
        deadline = time.monotonic() + self.gz.remaining(20)
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if self.get("/").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        with open(self.log, encoding="utf-8", errors="replace") as f:
            tail = f.read()[-1500:]
        raise AssertionError("varnishd did not answer on port %d (exit status %s):\n%s"
                             % (self.port, self.proc.poll(), tail))

    def request(self, method, path, headers=None):
        import http.client

        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            c.request(method, path, headers=headers or {})
            r = c.getresponse()
            r.body = r.read()
            return r
        finally:
            c.close()

    def get(self, path):
        return self.request("GET", path)

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            hard_kill(self.proc)


def is_hit(r):
    """A Varnish hit names two transactions in X-Varnish (this one and the one that fetched)."""
    return len((r.getheader("X-Varnish") or "").split()) == 2 and r.getheader("Age") is not None


def keys_of(r):
    return (r.header("xkey") or "").split()


def run(t, gz):
    binary = varnishd_path()
    if not binary:
        def skip():
            raise Skip("varnishd or its xkey vmod is missing: `make test` could not install varnish and varnish-modules")

        t.check("varnish: Gazette behind Varnish", skip)
        return
    t.check("varnish: --varnish refuses what is not an http(s) URL", _bad_urls, gz)
    db = gz.path("varnish.db")
    node_port = free_port()  # varnishd's, known before the server starts
    srv = gz.server("varnish server", "demo", "--db", db, "--varnish", "http://127.0.0.1:%d/" % node_port)
    if not t.check("varnish: `gazette demo --varnish URL` starts", srv.start):
        return
    state = {}
    varnish = None
    try:
        expect_rc(gz.run("admin-token", "--db", db), 0, "admin-token")
        state["token"] = gz.runs[-1].stdout.strip().splitlines()[-1]
        varnish = Varnish(gz, binary, node_port, srv.port)
        if not t.check("varnish: varnishd starts with docs/varnish.vcl in front of the server", varnish.start):
            return
        t.check("varnish: a purge sent before varnishd listened arrives when it does (retries)",
                _late_purge, srv, state)
        t.check("varnish: pages carry Surrogate-Key and xkey: the same header-safe keys", _keys, srv, state)
        t.check("varnish: a story asked twice through Varnish is a hit the second time", _hit, varnish, state)
        t.check("varnish: a page that does not show the story is a hit too", _other_page, srv, varnish, state)
        t.check("varnish: a story edited with the CLI shows through Varnish within 2 s", _edit, gz, db, varnish, state)
        t.check("varnish: the page that does not show the story is still a hit after the edit",
                _still_hit, varnish, state)
        t.check("varnish: the VCL answers PURGE by xkey-purge and refuses one without keys", _purge_rules, varnish, state)
        t.check("varnish: /api/v1/admin/cache counts the purges sent", _figures, srv, state)
    finally:
        if varnish:
            varnish.stop()
        srv.stop()
    if not gz.sanitized:
        t.check("varnish: a node that does not answer is counted as failed and logged once", _dead_node, gz, db)


def _bad_urls(gz):
    for bad in ("ftp://127.0.0.1:1/", "127.0.0.1:6081", "http://", "http://a b"):
        r = gz.run("serve", "--db", gz.path("nowhere.db"), "--varnish", bad)
        expect_rc(r, 2, "serve --varnish %r" % bad)
        expect("--varnish" in r.stderr and "http" in r.stderr, "unclear error for %r: %s" % (bad, r.stderr))
    r = gz.run("serve", "--help")
    expect("--varnish URL" in r.stdout, "serve --help does not describe --varnish")


def admin_figures(srv, token):
    r = srv.get("/api/v1/admin/cache", headers={"Authorization": "Bearer " + token})
    return expect_json(r, "admin cache figures")["varnish"]


def _late_purge(srv, state):
    """admin-token wrote to the database before varnishd started: the server's purge of
    everything failed then, and its retries (0.25, 1 and 3 s later) must get it through."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        figures = admin_figures(srv, state["token"])
        if figures["sent"] >= 1 and figures["queued"] == 0:
            break
        time.sleep(0.2)
    expect(figures["sent"] >= 1 and figures["everything"] >= 1, "the purge never arrived: %s" % figures)
    expect_eq(figures["failed"], 0, "purges given up")


def _keys(srv, state):
    story = expect_json(srv.get("/api/v1/articles/" + TOP), "the story from the API")
    story = story.get("article", story)
    state["id"] = story["id"]
    state["tags"] = {"a:%d" % story["id"], "s:" + TOP, "home", "related", "a:*", "comments"}
    state["tags"] |= {"t:" + x["slug"] for x in story["topics"]} | {"u:" + x["slug"] for x in story["authors"]}
    for path, must in (("/news/%s/" % TOP, "a:%d" % story["id"]), ("/", "home")):
        r = srv.get(path)
        expect_status(r, 200, "GET " + path)
        expect_eq(r.header("Surrogate-Key"), r.header("xkey"), "Surrogate-Key and xkey of " + path)
        keys = keys_of(r)
        expect(must in keys, "%s: %s not among its keys %s" % (path, must, keys[:10]))
        bad = [k for k in keys if not KEY_RE.match(k) or "," in k]
        expect(not bad, "%s: keys that are not header-safe: %r" % (path, bad))
        expect(len(keys) == len(set(keys)), "%s: a key twice" % path)
    r = srv.get("/search?q=harbour")
    expect(r.header("xkey") is None, "search results carry keys (they are never purged)")


def _hit(varnish, state):
    time.sleep(1.5)  # the demo's stories were saved as the server started: let those purges pass
    path = "/news/%s/" % TOP
    first = varnish.get(path)
    expect_eq(first.status, 200, "GET %s through Varnish" % path)
    second = varnish.get(path)
    expect_eq(second.status, 200, "GET %s through Varnish again" % path)
    expect(is_hit(second), "not a hit: X-Varnish %r, Age %r, X-Cache %r"
           % (second.getheader("X-Varnish"), second.getheader("Age"), second.getheader("X-Cache")))
    expect(second.getheader("xkey") is None, "the VCL lets the keys reach readers")
    state["headline"] = re.search(r"^headline: (.*)$", open(TOP_FILE, encoding="utf-8").read(), re.M).group(1)


def _other_page(srv, varnish, state):
    """A topic or author page whose keys share nothing with what the edit purges."""
    paths = ["/topic/%s/" % x["slug"] for x in expect_json(srv.get("/api/v1/topics"), "topics")["topics"]]
    paths += ["/author/%s/" % x["slug"] for x in expect_json(srv.get("/api/v1/authors"), "authors")["authors"]]
    for path in paths:
        r = srv.get(path)
        if r.status == 200 and keys_of(r) and not set(keys_of(r)) & state["tags"]:
            state["other"] = path
            break
    expect("other" in state, "no topic or author page is free of the story's keys")
    varnish.get(state["other"])
    r = varnish.get(state["other"])
    expect(is_hit(r), "%s asked twice: not a hit (X-Varnish %r)" % (state["other"], r.getheader("X-Varnish")))


def _edit(gz, db, varnish, state):
    new = "Harbour board rewrites its story for Varnish"
    with open(TOP_FILE, encoding="utf-8") as f:
        text = f.read().replace("headline: " + state["headline"], "headline: " + new)
    edited = gz.path("varnish-edit.md")
    with open(edited, "w", encoding="utf-8") as f:
        f.write(text)
    path = "/news/%s/" % TOP
    expect(state["headline"].encode() in varnish.get(path).body, "the old headline is not on the page through Varnish")
    expect_rc(gz.run("article", "add", "--db", db, edited), 0, "article add (edit)")
    t0 = time.monotonic()
    while True:
        r = varnish.get(path)
        if new.encode() in r.body:
            break
        expect(time.monotonic() - t0 < 2, "the new headline is not shown through Varnish 2 s after the edit")
        time.sleep(0.05)


def _still_hit(varnish, state):
    time.sleep(1.2)  # the related index's purge ("related") comes within a second: it must not touch it
    r = varnish.get(state["other"])
    expect(is_hit(r), "%s is no longer a hit after an edit it does not show (X-Varnish %r)"
           % (state["other"], r.getheader("X-Varnish")))


def _purge_rules(varnish, state):
    r = varnish.request("PURGE", "/")
    expect_eq(r.status, 400, "PURGE without xkey-purge")
    r = varnish.request("PURGE", "/", {"xkey-purge": "a:%d" % state["id"]})
    expect_eq(r.status, 200, "PURGE with xkey-purge")
    r = varnish.get(state["other"])
    expect(is_hit(r), "a purge of another story's key dropped %s" % state["other"])


def _figures(srv, state):
    figures = admin_figures(srv, state["token"])
    expect(figures["enabled"] is True and figures["nodes"] == 1, "varnish figures: %s" % figures)
    expect(figures["sent"] >= 1, "no purge counted as sent: %s" % figures)
    expect_eq(figures["failed"], 0, "purges failed (%s)" % json.dumps(figures))


def _dead_node(gz, db):
    dead = free_port()  # nothing listens there
    srv = gz.server("varnish dead-node server", "serve", "--db", db, "--varnish", "http://127.0.0.1:%d" % dead)
    srv.start()
    try:
        token = gz.run("admin-token", "--db", db).stdout.strip().splitlines()[-1]  # a change: purge all
        expect_rc(gz.run("settings", "set", "--db", db, "site_name", "The Dead Node Courier"), 0, "settings set")
        deadline = time.monotonic() + 15
        figures = {}
        while time.monotonic() < deadline:
            figures = admin_figures(srv, token)
            if figures["failed"] >= 1:
                break
            time.sleep(0.2)
        expect(figures.get("failed", 0) >= 1 and figures["retries"] >= 1,
               "a purge to a closed port was not counted as failed after retries: %s" % figures)
        r = srv.get("/")
        expect_status(r, 200, "the home page while the Varnish node is down")
        expect("The Dead Node Courier" in r.text, "the server's own pages did not change")
        lines = [l for l in srv.stderr().splitlines() if "varnish: purge" in l]
        expect(len(lines) == 1, "expected one log line for the failures, got %d: %s" % (len(lines), lines[:3]))
    finally:
        srv.stop()
