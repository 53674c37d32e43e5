#!/usr/bin/env python3
"""gen_wxr.py — writes a synthetic WordPress export (WXR 1.2) of N posts for bench/import.sh:
20 categories (a few nested), 200 tags, 5 authors, one attachment per 10 posts used as the
featured image, 3 comments on every fifth post (one a reply), bodies of ~2 KB of HTML with block
comments, a [caption] shortcode now and then. Deterministic (seeded); streamed to the file so
any N fits in little memory.

Usage: bench/gen_wxr.py N OUT.xml"""

import random
import sys

WORDS = ("harbour council bridge ferry budget river school festival election market storm "
         "police hospital museum library stadium tram housing water energy port alder mayor "
         "report year city north south east west night morning plan vote court").split()


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def body(rng, i):
    parts = []
    for k in range(6):
        parts.append("<!-- wp:paragraph -->\n<p>%s <strong>%s</strong> %s.</p>\n<!-- /wp:paragraph -->"
                     % (words(rng, 30).capitalize(), words(rng, 3), words(rng, 25)))
        if k == 2 and i % 7 == 0:
            parts.append('[caption id="attachment_%d" align="alignnone" width="300"]'
                         '<img src="https://old.example.org/wp-content/uploads/2020/01/p%d.jpg" '
                         'alt="x" width="300" height="200" /> %s[/caption]' % (i, i, words(rng, 5)))
    return "\n\n".join(parts)


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(7)
    w = open(out, "w", encoding="utf-8")
    w.write('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            '<title>Bench</title>\n<link>https://old.example.org</link>\n'
            '<wp:wxr_version>1.2</wp:wxr_version>\n')
    for a in range(5):
        w.write("<wp:author><wp:author_id>%d</wp:author_id><wp:author_login><![CDATA[writer%d]]>"
                "</wp:author_login><wp:author_email>w%d@example.org</wp:author_email>"
                "<wp:author_display_name><![CDATA[Writer %d]]></wp:author_display_name>"
                "</wp:author>\n" % (a + 1, a, a, a))
    for c in range(20):
        parent = "cat-%d" % (c - 10) if c >= 15 else ""
        w.write("<wp:category><wp:term_id>%d</wp:term_id><wp:category_nicename>cat-%d"
                "</wp:category_nicename><wp:category_parent>%s</wp:category_parent>"
                "<wp:cat_name><![CDATA[Category %d]]></wp:cat_name></wp:category>\n"
                % (c + 1, c, parent, c))
    for t in range(200):
        w.write("<wp:tag><wp:term_id>%d</wp:term_id><wp:tag_slug>tag-%d</wp:tag_slug>"
                "<wp:tag_name><![CDATA[Tag %d]]></wp:tag_name></wp:tag>\n" % (1000 + t, t, t))
    cid = 1
    for i in range(1, n + 1):
        pid = 10 * i
        day = "20%02d-%02d-%02d %02d:%02d:00" % (10 + i % 14, 1 + i % 12, 1 + i % 28, i % 24, i % 60)
        if i % 10 == 0:
            w.write("<item><title>Photo %d</title><link>https://old.example.org/photo-%d/</link>"
                    "<wp:post_id>%d</wp:post_id><wp:post_date>%s</wp:post_date>"
                    "<wp:post_date_gmt>%s</wp:post_date_gmt><wp:post_name>photo-%d</wp:post_name>"
                    "<wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type>"
                    "<wp:attachment_url>https://old.example.org/wp-content/uploads/2020/01/p%d.jpg"
                    "</wp:attachment_url></item>\n" % (i, i, pid + 1, day, day, i, i))
        title = words(rng, 7).capitalize()
        slug = "post-%d-%s" % (i, title.lower().replace(" ", "-")[:40].strip("-"))
        w.write("<item>\n<title><![CDATA[%s]]></title>\n<link>https://old.example.org/%s/%s/</link>\n"
                "<dc:creator><![CDATA[writer%d]]></dc:creator>\n"
                "<content:encoded><![CDATA[%s]]></content:encoded>\n"
                "<excerpt:encoded><![CDATA[%s]]></excerpt:encoded>\n"
                "<wp:post_id>%d</wp:post_id><wp:post_date>%s</wp:post_date>"
                "<wp:post_date_gmt>%s</wp:post_date_gmt><wp:comment_status>open</wp:comment_status>"
                "<wp:post_name>%s</wp:post_name><wp:status>%s</wp:status>"
                "<wp:post_type>post</wp:post_type><wp:is_sticky>0</wp:is_sticky>\n"
                % (title, day[:7].replace("-", "/"), slug, i % 5, body(rng, i),
                   words(rng, 20) if i % 3 == 0 else "", pid, day, day, slug,
                   "draft" if i % 50 == 0 else "publish"))
        w.write('<category domain="category" nicename="cat-%d"><![CDATA[Category %d]]></category>\n'
                % (i % 20, i % 20))
        for t in range(3):
            tag = (i * 7 + t * 13) % 200
            w.write('<category domain="post_tag" nicename="tag-%d"><![CDATA[Tag %d]]></category>\n' % (tag, tag))
        if i % 10 == 0:
            w.write("<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
                    "<wp:meta_value>%d</wp:meta_value></wp:postmeta>\n" % (pid + 1))
        if i % 5 == 0:
            first = cid
            for k in range(3):
                w.write("<wp:comment><wp:comment_id>%d</wp:comment_id>"
                        "<wp:comment_author><![CDATA[Reader %d]]></wp:comment_author>"
                        "<wp:comment_author_email>r%d@example.org</wp:comment_author_email>"
                        "<wp:comment_date>%s</wp:comment_date><wp:comment_date_gmt>%s</wp:comment_date_gmt>"
                        "<wp:comment_content><![CDATA[%s]]></wp:comment_content>"
                        "<wp:comment_approved>%s</wp:comment_approved><wp:comment_type></wp:comment_type>"
                        "<wp:comment_parent>%d</wp:comment_parent></wp:comment>\n"
                        % (cid, k, k, day, day, words(rng, 25), "1" if k else "0",
                           first if k == 2 else 0))
                cid += 1
        w.write("</item>\n")
    w.write("</channel>\n</rss>\n")
    w.close()


if __name__ == "__main__":
    main()
