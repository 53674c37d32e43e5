"""checks.py — assertions with messages that say what was expected and what came back, and the
checks every page or JSON answer gets."""

import glob
import os
import re

from gazette import REPO, sanitizer_lines, tail

RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


def expect_eq(got, want, what):
    if got != want:
        raise AssertionError("%s:\n  expected %r\n  got      %r" % (what, want, got))


def snippet(r, n=300):
    return r.body[:n].decode("utf-8", "replace").replace("\n", "\\n")


def expect_status(r, want, what):
    wants = want if isinstance(want, (tuple, list, set)) else (want,)
    if r.status not in wants:
        raise AssertionError(
            "%s: expected HTTP %s, got %d (%s)\n  body starts: %s"
            % (what, "/".join(map(str, wants)), r.status, r.content_type, snippet(r))
        )


def expect_html(r, what, status=200):
    """Status, the exact HTML content type, a body that is valid UTF-8, no template leftovers."""
    expect_status(r, status, what)
    ct = r.content_type.replace(" ", "").lower()
    expect(ct == "text/html;charset=utf-8", "%s: Content-Type is %r, expected 'text/html; charset=utf-8'" % (what, r.content_type))
    try:
        text = r.text
    except UnicodeDecodeError as e:
        raise AssertionError("%s: body is not valid UTF-8: %s" % (what, e))
    for leftover in ("{{", "}}"):
        i = text.find(leftover)
        if i >= 0:
            raise AssertionError("%s: template leftover %r in the HTML: ...%s..." % (what, leftover, text[max(0, i - 60) : i + 60]))
    return r.doc()


def expect_json(r, what, status=200):
    expect_status(r, status, what)
    expect(
        r.content_type.split(";")[0].strip().lower() == "application/json",
        "%s: Content-Type is %r, expected application/json" % (what, r.content_type),
    )
    try:
        return r.json()
    except ValueError as e:
        raise AssertionError("%s: body is not JSON (%s): %s" % (what, e, snippet(r)))


def expect_json_error(r, what, status):
    body = expect_json(r, what, status)
    expect(isinstance(body, dict), "%s: error body is not an object: %r" % (what, body))
    expect(isinstance(body.get("error"), str) and body["error"], "%s: no 'error' message in %r" % (what, body))
    expect_eq(body.get("status"), status, "%s: 'status' field of the error" % what)
    return body


def expect_no_sanitizer(text, what):
    found = sanitizer_lines(text)
    if found:
        raise AssertionError("%s: sanitizer report:\n%s" % (what, "\n".join(found[:10])))


def expect_rc(result, rc, what=None):
    if result.rc != rc:
        raise AssertionError("%sexpected exit status %d\n%s" % (what + ": " if what else "", rc, result.describe()))


def links(el):
    """(href, text) of every <a href> below el."""
    return [(a.get("href"), a.text()) for a in el.find_all("a") if a.get("href") is not None]


def text_of(el):
    return el.text() if el is not None else None


# ---- the demo stories, read from their files --------------------------------------------------

def front_matter(path):
    """The key: value lines of a story file's front matter (no validation: these are the demo
    files the suite trusts)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    fm = {}
    assert lines[0].strip() == "---", path
    for line in lines[1:]:
        if line.strip() == "---":
            break
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, _, value = line.partition(":")
        fm[key.strip()] = value.strip()
    fm["topics_list"] = [t.strip() for t in fm.get("topics", "").split(",") if t.strip()]
    return fm


def demo_stories():
    """Published demo stories, newest first."""
    stories = []
    for path in sorted(glob.glob(os.path.join(REPO, "content", "demo", "*.md"))):
        fm = front_matter(path)
        fm.setdefault("slug", os.path.basename(path)[:-3])
        if fm.get("status", "published") == "published":
            stories.append(fm)
    stories.sort(key=lambda s: s["published"], reverse=True)
    return stories


def expected_related(stories, slug, count=4):
    """The related stories by the rule in store.h: ranked by the number of shared topics, the
    article's primary topic counting double, then newest first; topped up with the newest
    other stories when fewer share a topic."""
    me = next(s for s in stories if s["slug"] == slug)
    mine = me["topics_list"]
    scored = []
    for s in stories:
        if s["slug"] == slug:
            continue
        score = sum((2 if t == mine[0] else 1) for t in s["topics_list"] if t in mine)
        if score:
            scored.append((score, s["published"], s["slug"]))
    scored.sort(key=lambda x: (-x[0], _neg(x[1])))
    chosen = [x[2] for x in scored[:count]]
    for s in stories:  # newest first
        if len(chosen) >= count:
            break
        if s["slug"] != slug and s["slug"] not in chosen:
            chosen.append(s["slug"])
    return chosen


def _neg(iso):
    # sort newest first inside a score: invert the ISO string's characters
    return "".join(chr(0x10FFFF - ord(c)) for c in iso)


# ---- lists ------------------------------------------------------------------------------------

def api_all(srv):
    """Every live story from the API, newest first (all pages of 100)."""
    out, page = [], 1
    while True:
        body = expect_json(srv.get("/api/v1/articles?limit=100&page=%d" % page), "GET /api/v1/articles?limit=100&page=%d" % page)
        out += body["articles"]
        if page >= body["pages"] or not body["articles"]:
            return out
        page += 1


def sections_of(summaries):
    """What a home page shows for these stories: [(topic name, topic URL, [story URLs])], one
    section per primary topic in order of first appearance (pages.c, docs/themes.md)."""
    sections = []
    for s in summaries:
        topic = s["primary_topic"] or {"name": "More news", "url": "/"}
        for sec in sections:
            if sec[1] == topic["url"]:
                sec[2].append(s["url"])
                break
        else:
            sections.append((topic["name"], topic["url"], [s["url"]]))
    return sections


def card_urls(container):
    return [a.get("href") for h in container.find_all("h3", "card-headline") for a in h.find_all("a")]


def page_sections(doc):
    """The sections a home page shows, in the shape of sections_of."""
    got = []
    for sec in doc.find_all("section", "topic-section"):
        h = sec.find(cls="section-heading")
        a = h.find("a") if h else None
        got.append((text_of(h), a.get("href") if a else None, card_urls(sec)))
    return got
