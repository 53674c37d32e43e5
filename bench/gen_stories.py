#!/usr/bin/env python3
"""gen_stories.py — N synthetic news stories replicated from the labelled BBC set, written as
Markdown files for Gazette (story-file front matter, docs/writing.md) or for Hugo (YAML front
matter: title, date, slug, summary, tags, categories, authors). Both formats get the same
stories for the same N and seed, so bench/export.sh compares like with like.

Story i keeps the headline of BBC story i % count (with " (part K)" appended from the second
round on, K = i // count + 1, so headlines stay distinct), its category as topic and kicker, a
lead taken from the first paragraph of the base story, and a body of as many paragraphs as the
original had, drawn from the shuffled paragraphs of 3 random same-category stories (so word
distributions stay realistic and no two copies are identical). Dates are spread over the 2 years
before 2026-01-01; authors are drawn from 24 made-up desk names. The slug is made from the
BBC headline plus "-i". Files go to OUTDIR/NNN/slug.md (1,000 to a folder).

The BBC set is read in place (default ../shared/data/news/bbc relative to the repository root)
and never copied into the repository. Standard library only.

Usage: gen_stories.py N OUTDIR gazette|hugo [--data DIR] [--seed S]
"""
import argparse
import html
import json
import os
import random
import re
import sys
import unicodedata
from datetime import datetime, timedelta, timezone

AUTHORS = [
    "Lena Fischer", "Tomas Okafor", "Priya Natarajan", "Hugo Lindqvist", "Amara Mensah",
    "Jonas Weber", "Sofia Marchetti", "Daniel Byrne", "Yuki Tanaka", "Noor Haddad",
    "Elena Petrova", "Marcus Reid", "Ines Duarte", "Kofi Asante", "Clara Novak",
    "Rafael Ortega", "Hannah Cole", "Samir Qureshi", "Maya Lindgren", "Oliver Grant",
    "Business Desk", "Sports Desk", "Politics Desk", "Newsroom",
]
SOURCES = 3
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
SPAN_S = 2 * 365 * 24 * 3600


def slugify(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return text[:80].rstrip("-") or "story"


def load(data):
    stories = []  # (category, headline, [paragraphs])
    for cat in sorted(os.listdir(data)):
        d = os.path.join(data, cat)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if not name.endswith(".txt"):
                continue
            with open(os.path.join(d, name), encoding="utf-8", errors="replace") as f:
                text = f.read().replace("\r\n", "\n")
            head, _, rest = text.partition("\n")
            paras = [" ".join(html.unescape(p).split()) for p in rest.split("\n\n")]
            paras = [p for p in paras if p]
            if head.strip() and paras:
                stories.append((cat, " ".join(html.unescape(head).split()), paras))
    if not stories:
        sys.exit(f"gen_stories: no stories in {data}")
    return stories


def main():
    ap = argparse.ArgumentParser(description="synthetic stories from the BBC set")
    ap.add_argument("n", type=int)
    ap.add_argument("outdir")
    ap.add_argument("format", choices=["gazette", "hugo"])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "news", "bbc"))
    ap.add_argument("--seed", type=int, default=2026)
    a = ap.parse_args()

    stories = load(a.data)
    by_cat = {}
    for s in stories:
        by_cat.setdefault(s[0], []).append(s)
    rng = random.Random(a.seed)
    count = len(stories)
    for i in range(a.n):
        cat, headline, paras = stories[i % count]
        rnd = i // count
        if rnd:
            headline = f"{headline} (part {rnd + 1})"
        pool = []
        for _ in range(SOURCES):
            pool.extend(rng.choice(by_cat[cat])[2])
        rng.shuffle(pool)
        body = pool[: max(1, len(paras) - 1)]
        lead = paras[0]
        topic = cat.capitalize()
        author = AUTHORS[rng.randrange(len(AUTHORS))]
        when = START + timedelta(seconds=rng.randrange(SPAN_S))
        stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        slug = f"{slugify(stories[i % count][1])}-{i}"  # "-i": BBC headlines repeat now and then
        folder = os.path.join(a.outdir, f"{i // 1000:03d}")
        os.makedirs(folder, exist_ok=True)
        body_md = "\n\n".join(body) + "\n"
        if a.format == "gazette":
            text = (
                "---\n"
                f"headline: {headline}\n"
                f"kicker: {topic}\n"
                f"lead: {lead}\n"
                f"topics: {topic}\n"
                f"slug: {slug}\n"
                f"published: {stamp}\n"
                f"authors: {author}\n"
                "---\n" + body_md
            )
        else:
            q = lambda s: json.dumps(s, ensure_ascii=False)  # a JSON string is a YAML scalar
            text = (
                "---\n"
                f"title: {q(headline)}\n"
                f"date: {stamp}\n"
                f"slug: {q(slug)}\n"
                f"summary: {q(lead)}\n"
                f"kicker: {q(topic)}\n"
                f"topics: [{q(topic)}]\n"
                f"authors: [{q(author)}]\n"
                "---\n" + body_md
            )
        with open(os.path.join(folder, slug + ".md"), "w", encoding="utf-8") as f:
            f.write(text)
    print(f"gen_stories: {a.n} {a.format} stories from {count} BBC stories in {a.outdir}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
