"""media_tests.py — image uploads and the media library (docs/media.md): an author uploads a
JPEG carrying EXIF GPS tags and orientation 6 (multipart/form-data, as a browser sends it) and
gets six renditions (three widths, JPEG and WebP, turned upright) named by content, with no
position left in any file; the JSON answer
for scripts; hostile files refused with clear messages and nothing written (a PHP script named
.jpg and sent as image/jpeg, a PNG claiming 60000×60000 pixels, a truncated JPEG, zero bytes, a
file over the site's media_max_mb); role and CSRF refusals; alt/caption/credit edited by the
uploader, refused to another author, delete by an editor (files gone); the picker; and a
published story whose image is a library image: <picture> with WebP and JPEG srcset, width and
height, every address answering. Test images are made with Debian's `vips` command (libvips-tools)
and by hand (the PNGs)."""

import os
import re
import struct
import subprocess
import zlib

from checks import expect, expect_eq, expect_html, expect_json, expect_rc, expect_status, snippet
from newsroom_tests import Client, signed_in, user_add
from site_tests import stop_server, story

SLUG = "noise-over-the-harbour"
# An EXIF APP1 segment: orientation 6 and a GPS latitude 51°30'N (the same as test_media.c).
EXIF_APP1 = bytes([0xFF, 0xE1, 0x00, 0x64]) + b"Exif\0\0" + bytes([
    0x49, 0x49, 0x2A, 0, 8, 0, 0, 0,
    2, 0, 0x12, 1, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0x25, 0x88, 4, 0, 1, 0, 0, 0, 0x26, 0, 0, 0, 0, 0, 0, 0,
    2, 0, 1, 0, 2, 0, 2, 0, 0, 0, ord("N"), 0, 0, 0, 2, 0, 5, 0, 3, 0, 0, 0, 0x44, 0, 0, 0, 0, 0, 0, 0,
    51, 0, 0, 0, 1, 0, 0, 0, 30, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0])
GPS_LATITUDE_ENTRY = bytes([2, 0, 5, 0, 3, 0, 0, 0])  # tag 2, RATIONAL, 3 values


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width, height, rows=True):
    """An RGB PNG (stripes), or, rows=False, one whose header claims the size with no pixels."""
    head = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    if not rows:
        return head + png_chunk(b"IDAT", b"\x78\x9c") + png_chunk(b"IEND", b"")
    raw = b"".join(b"\0" + bytes((x * 7 + y) % 256 for x in range(width * 3)) for y in range(height))
    return head + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")


def multipart(fields, file_field=None, file_name=None, file_bytes=b"", file_type="image/jpeg"):
    boundary = "----gazette-test-boundary-7d3f"
    out = []
    for name, value in fields.items():
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, name, value)).encode())
    if file_field:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                    "Content-Type: %s\r\n\r\n" % (boundary, file_field, file_name, file_type)).encode())
        out.append(file_bytes + b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return b"".join(out), "multipart/form-data; boundary=%s" % boundary


def upload(client, data, name="photo.jpg", fields=None, json_answer=False, csrf=None, file_type="image/jpeg"):
    form = {"csrf": csrf if csrf is not None else client.csrf("/admin/media")}
    form.update(fields or {})
    body, ctype = multipart(form, "file", name, data, file_type)
    headers = client._headers({"Content-Type": ctype})
    if json_answer:
        headers["Accept"] = "application/json"
    return client._keep(client.srv.request("POST", "/admin/media", headers=headers, body=body, timeout=60))


def library_files(media):
    lib = os.path.join(media, "library")
    return sorted(os.listdir(lib)) if os.path.isdir(lib) else []


def run(t, gz):
    db = gz.path("media.db")
    media = gz.path("media-folder")
    src = gz.path("media-stories")
    img = {}

    def setup():
        expect_rc(gz.run("init", "--db", db), 0, "gazette init")
        for login, role in (("writer", "author"), ("other", "author"), ("contrib", "contributor"), ("ed", "editor")):
            rc, _, err = user_add(gz, db, login, role)
            expect_eq(rc, 0, "user add %s (stderr: %s)" % (login, err))
        noise = gz.path("noise.v")
        for argv in (["vips", "gaussnoise", noise, "1200", "800"],
                     ["vips", "cast", noise, gz.path("noise8.v"), "uchar"],
                     ["vips", "jpegsave", gz.path("noise8.v"), gz.path("plain.jpg")]):
            p = subprocess.run(argv, capture_output=True, timeout=120)
            expect(p.returncode == 0, "%s failed: %s" % (" ".join(argv), p.stderr.decode()[-300:]))
        with open(gz.path("plain.jpg"), "rb") as f:
            plain = f.read()
        img["gps"] = plain[:2] + EXIF_APP1 + plain[2:]
        # over 1 MiB, for the size limit: refused by length before anyone looks at the bytes
        img["big"] = b"\xff\xd8\xff" + os.urandom(1200 * 1024)
        img["truncated"] = plain[: len(plain) // 2]
        img["png"] = png(500, 300)
        img["bomb"] = png(60000, 60000, rows=False)
        expect(len(img["bomb"]) < 100, "the bomb is tiny on disk")

    t.check("media: users, a 1200×800 JPEG with EXIF GPS, a PNG, hostile files", setup)
    if not img:
        return
    srv = gz.server("media server", "serve", "--db", db, "--media", media, "--cache-mb", "16")
    t.check("media: `gazette serve --media DIR` answers", srv.start)
    if not srv.running():
        return
    try:
        _uploads(t, gz, srv, db, media, src, img)
    finally:
        stop_server(t, gz, srv, "media server")


def _uploads(t, gz, srv, db, media, src, img):
    state = {}

    def upload_jpeg():
        c = signed_in(srv, "writer")
        r = upload(c, img["gps"], "Harbour at dawn.jpg", {"alt": "Grey noise", "caption": "The harbour", "credit": "Photo: Test"})
        expect_status(r, 303, "upload")
        expect(re.match(r"^/admin/media\?uploaded=\d+$", r.header("Location") or ""), "Location: %r" % r.header("Location"))
        files = library_files(media)
        expect_eq(len(files), 6, "renditions written (%s)" % files)
        # EXIF orientation 6: the 1200×800 picture stands upright, 800×1200
        largest = [f for f in files if f.endswith("-800x1200.jpg")]
        expect(largest, "the largest JPEG is named HASH-800x1200.jpg (turned upright): %s" % files)
        m = re.match(r"^([0-9a-f]{32})-800x1200\.jpg$", largest[0])
        expect(m, "a content-hash name: %s" % largest[0])
        state["url"] = "/media/library/%s" % m.group(0)
        widths = sorted(int(f.split("-")[1].split("x")[0]) for f in files if f.endswith(".jpg"))
        expect_eq(widths, [320, 640, 800], "the widths (the standard ones below 800, then 800; never upscaled)")
        for f in files:
            with open(os.path.join(media, "library", f), "rb") as fh:
                data = fh.read()
            expect(GPS_LATITUDE_ENTRY not in data and b"51/1" not in data, "%s still carries the GPS position" % f)
            if f.endswith(".jpg"):
                expect(b"Exif" not in data, "%s still carries an EXIF block" % f)
                expect(data[:3] == b"\xff\xd8\xff", "%s is a JPEG" % f)
            else:
                expect(data[:4] == b"RIFF" and data[8:12] == b"WEBP", "%s is a WebP" % f)
        r = c.get("/admin/media?uploaded=1")
        expect_html(r, "the library after the upload")
        expect("The image was uploaded." in r.text, "the library says the image was uploaded")
        r = c.get("/admin/media")
        expect("Harbour at dawn.jpg" in r.text and "Grey noise" in r.text, "the library lists the image: %s" % snippet(r, 2000))
        expect(r.header("Cache-Control") == "no-store" or "no-store" in (r.header("Cache-Control") or ""), "no-store on the library")
        state["writer"] = c

    t.check("media: an author uploads a JPEG: turned upright, three widths × JPEG+WebP, content-hash names, GPS and EXIF gone", upload_jpeg)

    def upload_json():
        c = state["writer"]
        r = upload(c, img["png"], "stripes.png", json_answer=True, file_type="application/octet-stream")
        j = expect_json(r, "JSON upload", status=201)
        expect_eq((j["width"], j["height"], j["widths"]), (500, 300, [320, 500]), "a 500×300 PNG is not upscaled")
        expect(j["url"].startswith("/media/library/") and j["url"].endswith("-500x300.jpg"), "url: %r" % j["url"])
        for w, h in ((320, 192), (500, 300)):
            for ext, ctype in (("jpg", "image/jpeg"), ("webp", "image/webp")):
                path = j["url"].replace("-500x300.jpg", "-%dx%d.%s" % (w, h, ext))
                f = srv.get(path)
                expect_status(f, 200, "GET " + path)
                expect_eq(f.content_type, ctype, "Content-Type of " + path)
                expect("immutable" in (f.header("Cache-Control") or ""), "%s is cached for good (named by content)" % path)
        r = upload(c, img["png"], "again.png", json_answer=True)
        j2 = expect_json(r, "the same bytes again", status=201)
        expect_eq(j2["id"], j["id"], "the same image, not a second copy")
        expect_eq(len(library_files(media)), 10, "files after the PNG")
        state["png_id"] = j["id"]

    t.check("media: JSON answer (Accept: application/json) with url and widths; a small PNG is not upscaled; re-upload dedupes", upload_json)

    def refusals():
        c = state["writer"]
        before = library_files(media)
        cases = [
            ("a PHP script named .jpg, sent as image/jpeg", b"<?php system($_GET['c']); ?>\n", "shell.jpg", "not an image"),
            ("a PNG claiming 60000×60000 pixels", img["bomb"], "bomb.png", "image too large: 60000×60000 pixels"),
            ("a truncated JPEG", img["truncated"], "cut.jpg", "damaged or incomplete"),
            ("zero bytes", b"", "empty.jpg", "the file is empty"),
        ]
        for what, data, name, message in cases:
            r = upload(c, data, name, json_answer=True)
            j = expect_json(r, what, status=400)
            expect(message in j.get("error", ""), "%s: the message says %r: %r" % (what, message, j))
            r = upload(c, data, name)
            expect_html(r, what + " (HTML form)", status=400)
            expect(message.replace("×", "&times;") in r.text or message in r.text, "%s: the page says %r: %s" % (what, message, snippet(r, 3000)))
        r = upload(c, b"", "x.jpg", json_answer=True)
        after = library_files(media)
        expect_eq(after, before, "files after the refusals (nothing written, no temporary file left)")

    t.check("media: hostile files refused with clear messages, nothing written", refusals)

    def size_limit():
        c = state["writer"]
        expect_rc(gz.run("settings", "set", "--db", db, "media_max_mb", "1"), 0, "settings set media_max_mb 1")
        big = img["big"]
        deadline_ok = False
        for _ in range(50):  # the server reads settings again when it notices the change (until
            # then: 400, not an image)
            r = upload(c, big, "big.jpg", json_answer=True)
            if r.status == 413:
                deadline_ok = True
                break
        expect(deadline_ok, "an upload over media_max_mb: expected 413, got %d" % r.status)
        expect_rc(gz.run("settings", "set", "--db", db, "media_max_mb", "20"), 0, "settings set media_max_mb 20")

    t.check("media: a file over media_max_mb is refused (413)", size_limit)

    def roles_and_csrf():
        before = library_files(media)
        stranger = Client(srv)
        body, ctype = multipart({"csrf": "x"}, "file", "a.png", img["png"])
        r = stranger.srv.request("POST", "/admin/media", headers={"Content-Type": ctype}, body=body)
        expect_status(r, 401, "upload without a session")
        r = stranger.get("/admin/media")
        expect_status(r, 303, "the library without a session")
        body, ctype = multipart({"csrf": "x"}, "file", "big.jpg", img["big"])
        r = stranger.srv.request("POST", "/admin/media", headers={"Content-Type": ctype}, body=body)
        expect_status(r, 413, "a stranger's 1.2 MB upload (cut at the usual 1 MiB, never buffered)")
        contrib = signed_in(srv, "contrib")
        r = contrib.get("/admin/media")
        expect_html(r, "a contributor sees the library")
        expect('type="file"' not in r.text, "a contributor is offered no upload form")
        r = upload(contrib, img["png"], "a.png", csrf=contrib.csrf("/admin/account"))
        expect_status(r, 403, "a contributor uploads")
        r = upload(state["writer"], img["png"], "b.png", csrf="not-the-token")
        expect_status(r, 403, "an upload with a wrong CSRF token")
        expect("The form has expired" in r.text, "the CSRF refusal says why: %s" % snippet(r))
        expect_eq(library_files(media), before, "files after the refused uploads")

    t.check("media: stranger 401 (413 past 1 MiB), contributor 403 (may look, not upload), wrong CSRF 403, nothing written", roles_and_csrf)

    def edit_and_delete():
        writer, other, ed = state["writer"], signed_in(srv, "other"), signed_in(srv, "ed")
        pid = state["png_id"]
        r = writer.post("/admin/media/%d" % pid, {"csrf": writer.csrf("/admin/media"), "alt": "Stripes <b>", "caption": "Test card", "credit": "Gazette"})
        expect_status(r, 303, "the uploader saves alt/caption/credit")
        r = writer.get("/admin/media")
        expect("Stripes &lt;b&gt;" in r.text, "the new alt text, escaped: %s" % snippet(r, 3000))
        r = other.post("/admin/media/%d" % pid, {"csrf": other.csrf("/admin/media"), "alt": "mine now"})
        expect_status(r, 403, "another author edits the image")
        r = other.post("/admin/media/%d/delete" % pid, {"csrf": other.csrf("/admin/media")})
        expect_status(r, 403, "another author deletes the image")
        r = ed.post("/admin/media/%d/delete" % pid, {"csrf": "wrong"})
        expect_status(r, 403, "delete with a wrong CSRF token")
        expect_eq(len(library_files(media)), 10, "files after the refused changes")
        r = ed.post("/admin/media/%d/delete" % pid, {"csrf": ed.csrf("/admin/media")})
        expect_status(r, 303, "an editor deletes the image")
        files = library_files(media)
        expect_eq(len(files), 6, "files after the delete (%s)" % files)
        expect(not any("-500x300." in f for f in files), "the PNG's renditions are gone")
        r = ed.post("/admin/media/%d/delete" % pid, {"csrf": ed.csrf("/admin/media")})
        expect_status(r, 404, "deleting it again")

    t.check("media: alt/caption/credit by the uploader; another author refused; an editor deletes (files gone)", edit_and_delete)

    def picker():
        r = state["writer"].get("/admin/media?pick=1&return=/admin/stories/new")
        expect_html(r, "the picker")
        expect('class="pick"' in r.text and 'data-url="%s"' % state["url"] in r.text, "a 'Use this image' button with the URL: %s" % snippet(r, 3000))
        expect('data-return="/admin/stories/new"' in r.text, "the return path")
        expect(re.search(r'<script src="/admin/assets/media\.[0-9a-f]+\.js"', r.text), "media.js is loaded")
        r = state["writer"].get("/admin/media?pick=1&return=//evil.example/")
        expect("evil.example" not in r.text, "a foreign return address is dropped")

    t.check("media: the picker (?pick=1) offers each image's URL for image_url; return paths stay local", picker)

    def story_page():
        os.makedirs(src, exist_ok=True)
        story(os.path.join(src, "s.md"), "Grey noise over the harbour.\n", headline="Noise over the harbour", slug=SLUG,
              topics="Weather", image=state["url"], alt="Grey noise", caption="The harbour", credit="Photo: Test")
        expect_rc(gz.run("article", "add", "--db", db, src), 0, "article add")
        for _ in range(50):
            r = srv.get("/news/%s/" % SLUG)
            if r.status == 200:
                break
        expect_html(r, "the story page")
        text = r.text
        m = re.search(r'<picture><source type="image/webp" srcset="([^"]+)" sizes="[^"]+"><img src="([^"]+)" srcset="([^"]+)" sizes="[^"]+" alt="Grey noise" width="800" height="1200"></picture>', text)
        expect(m, "a <picture> with WebP and JPEG srcset, sizes, width and height: %s" % text[text.find("<figure"):text.find("</figure>")][:1500])
        expect_eq(m.group(2), state["url"], "the fallback src")
        for srcset, ext in ((m.group(1), "webp"), (m.group(3), "jpg")):
            entries = [e.strip().split(" ") for e in srcset.split(",")]
            expect_eq([w for _, w in entries], ["320w", "640w", "800w"], "%s widths" % ext)
            for url, _ in entries:
                expect(url.endswith("." + ext), "%s ends with .%s" % (url, ext))
                expect_status(srv.get(url), 200, "GET " + url)
        home = srv.get("/")
        expect('type="image/webp"' in home.text, "the home page's top story has the <picture> too")

    t.check("media: a story with a library image: <picture> with WebP+JPEG srcset, sizes, width/height; every file answers", story_page)
