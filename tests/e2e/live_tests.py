"""live_tests.py — live updates over Server-Sent Events (docs/live.md): /live, /live/topic/{slug}
and /live/news/{slug}. The event format and headers, 404s for an unknown topic or story (a page,
not a stream), a story's update reaching its own stream and its topic's but not the home page's,
Last-Event-ID replay, the --max-streams cap, and the bounded test the issue names: 2,000 streams
open at once on loopback (half on a topic, half on the home page) each receive a story published
with the CLI within 1 s of its publication, while the server's thread count does not grow and an
idle server with all of them open uses next to no CPU. Finally the server stops cleanly with the
streams still open."""

import json
import os
import resource
import selectors
import shutil
import socket
import subprocess
import time

from checks import expect, expect_eq, expect_html, expect_rc, expect_status

TOPIC = "live-desk"
STREAMS = 2000


def story_text(slug, headline, lead="A story the live tests write.", topics="Live Desk"):
    return ("---\nheadline: %s\nslug: %s\nlead: %s\ntopics: %s\nauthors: Live Reporter\n---\n"
            "The body of %s.\n" % (headline, slug, lead, topics, slug))


def add_story(gz, db, slug, headline, **kw):
    path = gz.path(slug + ".md")
    with open(path, "w") as f:
        f.write(story_text(slug, headline, **kw))
    t0 = time.monotonic()
    expect_rc(gz.run("article", "add", "--db", db, path), 0, "article add " + slug)
    return t0, time.monotonic()


# ---- one stream, read with a plain socket ---------------------------------------------------

class Stream:
    """A GET of a live path on a raw socket; collects the body (de-chunked) and the events."""

    def __init__(self, srv, path, headers=None):
        self.sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        extra = "".join("%s: %s\r\n" % kv for kv in (headers or {}).items())
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\n%s\r\n"
                           % (path, extra)).encode())
        self.raw = b""
        self.status, self.headers, self.body = None, {}, b""
        self._read_head()

    def _fill(self, deadline):
        self.sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return False
        if not chunk:
            raise AssertionError("the server closed the stream")
        self.raw += chunk
        return True

    def _read_head(self):
        deadline = time.monotonic() + 10
        while b"\r\n\r\n" not in self.raw:
            expect(time.monotonic() < deadline, "no response head within 10 s")
            self._fill(deadline)
        head, self.raw = self.raw.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()

    def _dechunk(self):
        """Moves the complete chunks of self.raw into self.body."""
        while True:
            end = self.raw.find(b"\r\n")
            if end < 0:
                return
            size = int(self.raw[:end].split(b";")[0], 16)
            if len(self.raw) < end + 2 + size + 2:
                return
            self.body += self.raw[end + 2 : end + 2 + size]
            self.raw = self.raw[end + 2 + size + 2 :]

    def events(self, want, seconds=5, name="story"):
        """Reads until want events of that name have arrived (or seconds pass); returns all so
        far."""
        deadline = time.monotonic() + seconds
        while True:
            self._dechunk()
            found = parse_events(self.body, name)
            if len(found) >= want or time.monotonic() >= deadline:
                return found
            self._fill(deadline)

    def until(self, marker, seconds=5):
        """Reads until the body holds marker (bytes); false when seconds pass first."""
        deadline = time.monotonic() + seconds
        while True:
            self._dechunk()
            if marker in self.body:
                return True
            if time.monotonic() >= deadline:
                return False
            self._fill(deadline)

    def close(self):
        self.sock.close()


def parse_events(body, name="story"):
    """The events called name in an SSE body: dicts with id (or None) and data (parsed)."""
    out = []
    for block in body.decode("utf-8").split("\n\n")[:-1]:
        fields = {}
        for line in block.split("\n"):
            if line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            fields[field] = value[1:] if value.startswith(" ") else value
        if fields.get("event") == name:
            out.append({"id": fields.get("id"), "data": json.loads(fields["data"])})
    return out


# ---- the checks -----------------------------------------------------------------------------

def run(t, gz):
    db = gz.path("live.db")
    expect_rc(gz.run("init", "--db", db), 0, "init")
    add_story(gz, db, "live-first", "The first live story")
    add_story(gz, db, "live-elsewhere", "A story on another desk", topics="Other Desk")
    for key, value in (("comments.min_seconds", "0"), ("comments.moderation", "hold-all")):
        expect_rc(gz.run("settings", "set", "--db", db, key, value), 0, "settings set " + key)
    srv = gz.server("live server", "serve", "--db", db)
    t.check("live: the server starts", srv.start)
    state = {}
    try:
        t.check("live: /live/topic/SLUG is an event stream that is never cached",
                _headers, srv)
        t.check("live: unknown topics and stories are 404 pages, not streams", _not_found, srv)
        t.check("live: a story published with the CLI arrives as a 'new' event in the SSE format",
                _new_story, gz, srv, db, state)
        t.check("live: an edited story arrives as 'updated' on its own stream and its topic's, "
                "not on the home page's", _updated_story, gz, srv, db, state)
        t.check("live: Last-Event-ID replays the events missed, and only those", _replay, srv,
                state)
        t.check("live: a story's stream gets its approved comment count when it moves",
                _comments, gz, srv, db)
        t.check("live: the home, topic and article pages carry a status region and the local "
                "live.js", _theme, srv)
        t.check("live: live.js counts new stories on a list and says a story was updated "
                "(run in node with a stand-in DOM)", _script, srv)
        t.check("live: %d open streams each receive a publish within 1 s; no thread per stream; "
                "an idle server stays idle" % _stream_count(gz), _many_streams, t, gz, srv, db,
                state)
    finally:
        _close_all(state)
        srv.stop()
    t.check("live: the server stops cleanly with streams open", _clean_stop, gz, srv, state)
    t.check("live: after a restart, an older Last-Event-ID is answered from the database",
            _replay_after_restart, gz, db, state)
    t.check("live: --max-streams caps open streams (503 beyond); streams outlive --timeout",
            _cap, gz, db)


def _stream_count(gz):
    return STREAMS


def _headers(srv):
    s = Stream(srv, "/live/topic/" + TOPIC)
    try:
        expect_eq(s.status, 200, "status")
        expect(s.headers.get("content-type", "").startswith("text/event-stream"),
               "Content-Type is %r" % s.headers.get("content-type"))
        expect_eq(s.headers.get("cache-control"), "no-store", "Cache-Control")
        expect_eq(s.headers.get("transfer-encoding"), "chunked", "Transfer-Encoding")
        expect("etag" not in s.headers and "last-modified" not in s.headers,
               "a stream has no validators: %r" % s.headers)
        expect(s.until(b": live\n\n"), "the stream's opening within 5 s: %r" % s.body[:60])
        expect(s.body.startswith(b"retry: "), "the stream opens with a retry hint: %r" % s.body[:40])
    finally:
        s.close()


def _not_found(srv):
    for path in ("/live/topic/no-such-topic", "/live/news/no-such-story", "/live/topic/BAD!"):
        expect_html(srv.get(path), "GET " + path, status=404)


def _new_story(gz, srv, db, state):
    topic, home = Stream(srv, "/live/topic/" + TOPIC), Stream(srv, "/live")
    other = Stream(srv, "/live/topic/other-desk")
    state["home"], state["topic"], state["other"] = home, topic, other
    time.sleep(0.1)
    add_story(gz, db, "live-second", "The second live story")
    for name, s in (("topic", topic), ("home", home)):
        events = s.events(1)
        expect_eq(len(events), 1, "events on the %s stream" % name)
        e = events[0]
        expect(e["id"] and e["id"].isdigit(), "a numeric id: %r" % e["id"])
        d = e["data"]
        for key in ("id", "slug", "url", "headline", "kicker", "topic", "published_at",
                    "updated_at", "kind"):
            expect(key in d, "the event's data has %r: %r" % (key, d))
        expect_eq((d["slug"], d["url"], d["headline"], d["topic"], d["kind"]),
                  ("live-second", "/news/live-second/", "The second live story", TOPIC, "new"),
                  "the event on the %s stream" % name)
    state["first_id"] = int(topic.events(1)[0]["id"])
    expect_eq(other.events(1, seconds=0.3), [], "events on another topic's stream")


def _updated_story(gz, srv, db, state):
    story = Stream(srv, "/live/news/live-first")
    state["story"] = story
    time.sleep(0.1)
    add_story(gz, db, "live-first", "The first live story, updated", lead="Now with news.")
    add_story(gz, db, "live-third", "The third live story")
    got = story.events(1)
    expect_eq(len(got), 1, "events on the story's stream")
    expect_eq((got[0]["data"]["headline"], got[0]["data"]["kind"]),
              ("The first live story, updated", "updated"), "the story's event")
    topic = [e["data"]["slug"] for e in state["topic"].events(3)]
    expect_eq(topic, ["live-second", "live-first", "live-third"], "events on the topic's stream")
    home = [e["data"]["slug"] for e in state["home"].events(2)]
    expect_eq(home, ["live-second", "live-third"], "events on the home stream (new stories only)")
    ids = [int(e["id"]) for e in state["topic"].events(3)]
    expect(ids == sorted(ids) and len(set(ids)) == 3, "ids increase: %r" % ids)
    state["last_id"] = ids[-1]


def _replay(srv, state):
    s = Stream(srv, "/live/topic/" + TOPIC, {"Last-Event-ID": str(state["first_id"])})
    try:
        slugs = [e["data"]["slug"] for e in s.events(2, seconds=3)]
        expect_eq(slugs, ["live-first", "live-third"], "events replayed after the first one")
    finally:
        s.close()
    s = Stream(srv, "/live/topic/" + TOPIC, {"Last-Event-ID": str(state["last_id"])})
    try:
        expect_eq(s.events(1, seconds=0.5), [], "events replayed after the last one")
    finally:
        s.close()
    s = Stream(srv, "/live/topic/" + TOPIC, {"Last-Event-ID": "not-a-number"})
    try:
        expect_eq(s.status, 200, "a stream with a malformed Last-Event-ID")
        expect_eq(s.events(1, seconds=0.3), [], "events replayed for a malformed id")
    finally:
        s.close()


def _theme(srv):
    for path, stream, kind in (("/", "/live", "list"),
                               ("/topic/%s/" % TOPIC, "/live/topic/" + TOPIC, "list"),
                               ("/news/live-first/", "/live/news/live-first", "story")):
        doc = expect_html(srv.get(path), "GET " + path)
        regions = [el for el in doc.iter() if el.get("data-live") is not None]
        expect_eq(len(regions), 1, "live regions on " + path)
        r = regions[0]
        expect_eq((r.get("data-live"), r.get("data-live-kind"), r.get("role"), r.get("aria-live")),
                  (stream, kind, "status", "polite"), "the live region of " + path)
        scripts = [el.get("src") for el in doc.iter() if el.tag == "script" and el.get("src")]
        # live.js, beside the theme's other local scripts (push.js: breaking-news alerts)
        live = [src for src in scripts if src.startswith("/assets/live.") and src.endswith(".js")]
        expect(len(live) == 1 and all(src.startswith("/assets/") for src in scripts),
               "the scripts of %s: %r" % (path, scripts))
        r = srv.get(live[0])
        expect_status(r, 200, "GET " + live[0])
        expect(r.content_type.startswith("text/javascript"), "live.js type %r" % r.content_type)
        srv.script_body = r.body  # for _script


# A stand-in for the browser: one region element, an EventSource whose events the test sends.
NODE_HARNESS = r"""
const source = require("fs").readFileSync(0, "utf8");
function element(tag) {
  return { tag, children: [], attrs: {}, classes: new Set(), text: "",
    set textContent(v) { this.text = v; this.children = []; },
    get textContent() { return this.text + this.children.map(c => c.textContent).join(""); },
    appendChild(c) { this.children.push(c); }, getAttribute(n) { return this.attrs[n] ?? null; },
    get classList() { const s = this.classes; return { add: c => s.add(c) }; } };
}
const results = {};
for (const kind of ["list", "story"]) {
  const region = element("div");
  region.attrs = { "data-live": "/live", "data-live-kind": kind };
  let es = null;
  global.window = { location: { pathname: "/", search: "" } };
  global.document = { querySelector: () => region, createElement: element };
  global.EventSource = window.EventSource = function (url) {
    es = this; this.url = url; this.listeners = {}; this.readyState = 1;
    this.addEventListener = (n, f) => { this.listeners[n] = f; }; this.close = () => {};
  };
  window.EventSource.CLOSED = 2;
  new Function(source)();
  const send = (d) => es.listeners.story({ data: JSON.stringify(d) });
  const seen = [region.textContent];
  send({ id: 1, kind: "new" }); seen.push(region.textContent);
  send({ id: 1, kind: "new" }); seen.push(region.textContent);
  send({ id: 2, kind: "new" }); seen.push(region.textContent);
  send({ id: 3, kind: "updated" }); seen.push(region.textContent);
  es.listeners.story({ data: "not json" }); seen.push(region.textContent);
  results[kind] = { url: es.url, seen, shown: region.classes.has("live-bar-shown") };
}
console.log(JSON.stringify(results));
"""


def _script(srv):
    node = shutil.which("node") or shutil.which("nodejs")
    if not node:
        return  # the page works without it; nothing to run the script with here
    p = subprocess.run([node, "-e", NODE_HARNESS], input=srv.script_body, capture_output=True,
                       timeout=20)
    expect(p.returncode == 0, "node failed: %s" % p.stderr.decode()[-800:])
    got = json.loads(p.stdout)
    expect_eq(got["list"]["seen"], ["", "1 new story \u2014 Show", "1 new story \u2014 Show",
                                    "2 new stories \u2014 Show",
                                    "2 new stories, 1 story updated \u2014 Show",
                                    "2 new stories, 1 story updated \u2014 Show"],
              "the list page's region after each event")
    expect_eq(got["story"]["seen"][1:2], ["This story has been updated. Reload"],
              "the article page's region after an event")
    expect(got["list"]["shown"] and got["list"]["url"] == "/live", "the bar is shown: %r" % got)


def _comments(gz, srv, db):
    import comments_tests

    s = Stream(srv, "/live/news/live-first")
    try:
        time.sleep(0.1)
        form = comments_tests.get_form(srv, "live-first")
        cid, ticket = comments_tests.posted(comments_tests.send(srv, form), "POST a comment")
        expect(ticket, "the comment is held for moderation (hold-all)")
        expect_eq(s.events(1, seconds=0.5, name="comments"), [],
                  "comment events while the comment is held (the count has not moved)")
        expect_rc(gz.run("comments", "approve", "--db", db, str(cid)), 0, "comments approve")
        got = [e["data"] for e in s.events(1, name="comments")]
        expect_eq(got, [{"id": got[0]["id"] if got else None, "comment_count": 1}],
                  "comment events after the approval")
    finally:
        s.close()


def _status(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def _threads(pid):
    return _status(pid, "Threads")


def _cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _open_many(srv, n, sel):
    """n raw streams, half on the topic and half on the home page; returns their sockets."""
    socks = []
    for i in range(n):
        path = "/live/topic/%s" % TOPIC if i % 2 == 0 else "/live"
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        s.sendall(("GET %s HTTP/1.1\r\nHost: t\r\n\r\n" % path).encode())
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, {"data": b"", "at": None})
        socks.append(s)
    return socks


def _pump(sel, until, done, now_fn=time.monotonic):
    """Reads every ready stream until done() or the deadline; stamps when each saw the slug."""
    while time.monotonic() < until and not done():
        for key, _ in sel.select(timeout=0.05):
            try:
                chunk = key.fileobj.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            if not chunk:
                raise AssertionError("the server closed a stream")
            key.data["data"] += chunk
            if key.data["at"] is None and b"live-published" in key.data["data"]:
                key.data["at"] = now_fn()


def _many_streams(t, gz, srv, db, state):
    n = _stream_count(gz)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 1000), hard))
    pid = srv.proc.pid
    threads_before, rss_before = _threads(pid), _status(pid, "VmRSS")
    sel = selectors.DefaultSelector()
    state["selector"] = sel
    state["socks"] = _open_many(srv, n, sel)
    keys = list(sel.get_map().values())
    _pump(sel, time.monotonic() + 15, lambda: all(b": live" in k.data["data"] for k in keys))
    opened = sum(1 for k in keys if b": live" in k.data["data"])
    expect_eq(opened, n, "streams answered")
    threads_open, rss_open = _threads(pid), _status(pid, "VmRSS")
    expect(threads_open <= threads_before + 1,
           "threads went from %d to %d with %d streams" % (threads_before, threads_open, n))
    cpu0, w0 = _cpu_seconds(pid), time.monotonic()
    time.sleep(1.5)
    idle = (_cpu_seconds(pid) - cpu0) / (time.monotonic() - w0)
    expect(idle < 0.10, "an idle server with %d streams used %.0f%% of a core" % (n, idle * 100))
    t0, t1 = add_story(gz, db, "live-published", "Published to every stream")
    _pump(sel, t1 + 5, lambda: all(k.data["at"] is not None for k in keys))
    late = [k for k in keys if k.data["at"] is None]
    expect(not late, "%d of %d streams did not receive the story within 5 s" % (len(late), n))
    delays = sorted(k.data["at"] - t1 for k in keys)
    p50, p99, worst = delays[len(delays) // 2], delays[int(len(delays) * 0.99)], delays[-1]
    t.diag("live: %d streams; delivery after the CLI returned: p50 %.0f ms, p99 %.0f ms, max %.0f ms "
           "(the CLI ran %.0f ms); threads %d -> %d; idle CPU %.1f%%; RSS %d -> %d MB"
           % (n, p50 * 1e3, p99 * 1e3, worst * 1e3, (t1 - t0) * 1e3, threads_before, threads_open,
              idle * 100, rss_before // 1024, rss_open // 1024))
    expect(worst <= 1.0, "the slowest stream received the story %.0f ms after the publish" % (worst * 1e3))


def _close_all(state):
    for key in ("home", "topic", "other", "story"):
        if key in state:
            state[key].close()


def _clean_stop(gz, srv, state):
    try:
        expect_eq(srv.exit_code, 0, "exit status after SIGTERM with streams open")
        expect(srv.stop_seconds is not None and srv.stop_seconds < 5,
               "stopping took %s s" % srv.stop_seconds)
        if "selector" in state:
            # every stream was ended by the server: each socket reads to its end
            ended = 0
            for key in list(state["selector"].get_map().values()):
                key.fileobj.setblocking(True)
                key.fileobj.settimeout(2)
                try:
                    while key.fileobj.recv(65536):
                        pass
                    ended += 1
                except OSError:
                    ended += 1  # reset: ended too
            expect_eq(ended, len(state["socks"]), "streams ended by the server")
    finally:
        for s in state.get("socks", []):
            s.close()
        if "selector" in state:
            state["selector"].close()
    expect(not [l for l in srv.stderr().splitlines() if "Sanitizer" in l or "runtime error" in l],
           "sanitizer reports: %s" % srv.stderr()[-2000:])


def _replay_after_restart(gz, db, state):
    expect("first_id" in state, "no event id from the first server to reconnect with")
    # the watcher takes stories saved in the second it starts for news (it reads whole seconds):
    # start in a later second than the last publish
    time.sleep(1.1)
    srv = gz.server("live restarted server", "serve", "--db", db)
    srv.start()
    try:
        s = Stream(srv, "/live/topic/" + TOPIC, {"Last-Event-ID": str(state["first_id"])})
        try:
            expect(s.until(b"\n\nid: "), "no id to resume from after the replay: %r" % s.body[-200:])
            got = parse_events(s.body)
            slugs = [e["data"]["slug"] for e in got]
            for slug in ("live-first", "live-third", "live-published"):
                expect(slug in slugs, "%s is not replayed after the restart: %r" % (slug, slugs))
            expect("live-elsewhere" not in slugs, "another topic's story is replayed: %r" % slugs)
            expect(all(e["id"] is None for e in got), "replayed stories carry ids: %r" % got)
        finally:
            s.close()
        s = Stream(srv, "/live/topic/" + TOPIC, {"Last-Event-ID": "1000"})  # 1970: too old
        try:
            s.until(b"\n\nid: ", seconds=1)
            expect_eq(parse_events(s.body), [], "stories replayed for an id from 1970")
        finally:
            s.close()
    finally:
        expect_eq(srv.stop(), 0, "exit status of the restarted server")


def _cap(gz, db):
    """--max-streams 2 and --timeout 1: a third stream is refused, the two open ones outlive the
    idle timeout and the slow-client watchdog, and closed ones free their slots."""
    srv = gz.server("live capped server", "serve", "--db", db, "--max-streams", "2", "--timeout", "1")
    srv.start()
    streams = []
    try:
        streams = [Stream(srv, "/live"), Stream(srv, "/live/topic/" + TOPIC)]
        for s in streams:
            expect_eq(s.status, 200, "a stream under the cap")
        third = Stream(srv, "/live")
        streams.append(third)
        expect_eq(third.status, 503, "a stream over the cap")
        expect_status(srv.get("/"), 200, "the home page with the streams at their cap")
        time.sleep(2.5)
        add_story(gz, db, "live-cap-one", "A story after the idle timeout")
        for s in streams[:2]:
            got = [e["data"]["slug"] for e in s.events(1)]
            expect_eq(got, ["live-cap-one"], "events on a stream open longer than --timeout")
        for s in streams:
            s.close()
        streams = []
        # a suspended connection learns its client has gone when it next writes (a heartbeat,
        # every 20 s, or an event): two events, as the first write to a closed socket succeeds
        add_story(gz, db, "live-cap-two", "A story that frees the slots")
        add_story(gz, db, "live-cap-three", "Another story that frees the slots")
        deadline, n = time.monotonic() + 15, 0
        while True:
            s = Stream(srv, "/live")
            streams.append(s)
            if s.status == 200 or time.monotonic() > deadline:
                break
            s.close()
            streams.pop()
            # writes coalesced into one send do not reveal the closed socket: write again
            n += 1
            add_story(gz, db, "live-cap-more-%d" % n, "One more story that frees the slots")
            time.sleep(0.2)
        expect_eq(s.status, 200, "a stream once the others have closed")
    finally:
        for s in streams:
            s.close()
        expect_eq(srv.stop(), 0, "exit status of the capped server")
