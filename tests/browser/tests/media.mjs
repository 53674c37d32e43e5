// media.mjs — the media library in a real browser: an author uploads an image through the form
// (a PNG made here), sees it in the grid with its alt text and the thumbnail loads; a file that
// is not an image (named .jpg) is refused with the message on the page; the picker's "Use this
// image" button (media.js) sends the image's URL and texts to the page it was opened for.
// screenshots() shoots the library for docs/screenshots/.
import zlib from "node:zlib";

import { expect, expectEq } from "../tap.mjs";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(kind, data) {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(kind, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}

// A width x height RGB PNG of colour bands.
function png(width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = (x * 255) / width;
      row[2 + x * 3] = (y * 255) / height;
      row[3 + x * 3] = 160;
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

async function uploadForm(page, file, alt) {
  await page.setInputFiles('form.media-upload input[name="file"]', file);
  if (alt) await page.fill('form.media-upload input[name="alt"]', alt);
  const [answer] = await Promise.all([page.waitForNavigation(), page.click('form.media-upload button[type="submit"]')]);
  return answer;
}

export async function run(t, site) {
  const base = site.base;

  await t.check("browser: an author uploads an image in the media library and sees it in the grid", async () => {
    const page = await site.signedIn("author");
    await page.click('nav.nav a[href="/admin/media"]');
    await page.waitForURL(`${base}/admin/media`);
    await uploadForm(page, { name: "bands.png", mimeType: "image/png", buffer: png(800, 450) }, "Colour bands");
    expect(/\/admin\/media\?uploaded=\d+$/.test(page.url()), `after the upload: ${page.url()}`);
    expect((await page.textContent(".notice")).includes("The image was uploaded."), "no notice after the upload");
    const thumb = page.locator('.media-grid img[alt="Colour bands"]');
    expectEq(await thumb.count(), 1, "thumbnails with the alt text");
    await thumb.evaluate((img) => (img.complete ? null : new Promise((r) => img.addEventListener("load", r))));
    const size = await thumb.evaluate((img) => [img.naturalWidth, img.naturalHeight]);
    expectEq(size.join("x"), "320x180", "the thumbnail's size (the 320-pixel rendition)");
    expect((await page.textContent(".media-grid")).includes("bands.png · 800×450"), "the file name and size");
    await page.context().close();
  });

  await t.check("browser: a text file named .jpg is refused with a clear message", async () => {
    const page = await site.signedIn("author");
    await page.goto(`${base}/admin/media`);
    const answer = await uploadForm(page, { name: "photo.jpg", mimeType: "image/jpeg", buffer: Buffer.from("<?php echo 1; ?>\n") });
    expectEq(answer.status(), 400, "status of the refusal");
    expect((await page.textContent(".error")).includes("not an image"), "the refusal's message");
    await page.context().close();
  });

  await t.check("browser: the picker's 'Use this image' sends image_url, image_alt... to the story page", async () => {
    const page = await site.signedIn("author");
    await page.goto(`${base}/admin/media?pick=1&return=/admin/`);
    await Promise.all([page.waitForNavigation(), page.click('.media-grid button.pick >> nth=0')]);
    const url = new URL(page.url());
    expectEq(url.pathname, "/admin/", "the page the picker returned to");
    expect(/^\/media\/library\/[0-9a-f]{32}-800x450\.jpg$/.test(url.searchParams.get("image_url")), `image_url: ${url.search}`);
    expectEq(url.searchParams.get("image_alt"), "Colour bands", "image_alt");
    await page.context().close();
  });

  await t.check("browser: a story written with a library image: the story screen's picker fills the image fields, the published page serves its srcset", async () => {
    const page = await site.signedIn("author");
    await page.goto(`${base}/admin/stories/new`);
    await page.fill('input[name="headline"]', "Harbour bands photographed at dawn");
    await page.fill('textarea[name="body"]', "The bands of colour over the harbour.");
    const [picker] = await Promise.all([page.context().waitForEvent("page"), page.click("a.pick-image")]);
    await picker.waitForLoadState();
    await Promise.all([picker.waitForEvent("close"), picker.click(".media-grid button.pick >> nth=0")]);
    const chosen = await page.inputValue('input[name="image_url"]');
    expect(/^\/media\/library\/[0-9a-f]{32}-800x450\.jpg$/.test(chosen), `image_url filled by the picker: ${chosen}`);
    expectEq(await page.inputValue('input[name="image_alt"]'), "Colour bands", "image_alt filled by the picker");
    await Promise.all([page.waitForNavigation(), page.click('button[value="publish"]')]);
    const slug = await page.inputValue('input[name="slug"]');
    const story = await page.goto(`${base}/news/${slug}/`);
    expectEq(story.status(), 200, "the published story");
    const srcset = await page.getAttribute('picture source[type="image/webp"]', "srcset");
    expect(srcset && srcset.includes(".webp"), `the story's WebP srcset: ${srcset}`);
    const loaded = await page.evaluate(() => { const img = document.querySelector("picture img"); return img && img.complete && img.naturalWidth > 0; });
    expect(loaded, "the story's image loaded");
    await page.context().close();
  });
}

export async function screenshots(site, shoot) {
  const page = await site.signedIn("editor");
  await page.goto(`${site.base}/admin/media`);
  await uploadForm(page, { name: "harbour-bands.png", mimeType: "image/png", buffer: png(1200, 675) }, "Colour bands");
  await page.goto(`${site.base}/admin/media`);
  await shoot(page, "media");
  await page.context().close();
}
