// editor.mjs — the story editor in a real browser: an author writes a story and watches the
// live preview (editor.js posting to /admin/preview, shown in a sandboxed iframe), a crashed tab
// gets its unsaved text back from localStorage, the story is saved, scheduled two seconds ahead
// and goes live on the public page by itself, is edited, a revision is restored, and a save over
// someone else's newer version shows the conflict warning; each role's refusals (contributor,
// author, forged requests). screenshots() shoots the story list and the story screen.
import { expect, expectEq } from "../tap.mjs";

const HEADLINE = "Gull Island ferry gets a new captain";

// The site's wall-clock time (UTC unless the time_zone setting says otherwise) seconds from
// now, as a datetime-local input holds it.
function localIn(seconds) {
  const value = new Date(Date.now() + seconds * 1000).toISOString().slice(0, 19);
  return value.endsWith(":00") ? value.slice(0, 16) : value; // chromium writes 10:00:00 as 10:00
}

async function waitLive(page, url, seconds) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const answer = await page.goto(url);
    if (answer.status() === 200) return answer;
    if (Date.now() > deadline) throw new Error(`${url} did not go live within ${seconds} s`);
    await page.waitForTimeout(250);
  }
}

async function previewHas(page, text) {
  const frame = page.frameLocator("#preview");
  await frame.locator("body", { hasText: text }).waitFor({ timeout: 10000 });
}

async function click(page, selector) {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

export async function run(t, site) {
  const base = site.base;
  const state = {};

  await t.check("browser editor: an author writes a story and sees the live preview", async () => {
    const page = await site.signedIn("author");
    await page.goto(`${base}/admin/stories/new`);
    await page.fill('input[name="headline"]', HEADLINE);
    await page.fill('input[name="kicker"]', "Port");
    await page.fill('textarea[name="body"]', "Captain **Ines Varga** takes the helm on Monday.");
    await page.fill('input[name="topics"]', "Port, Ferries");
    await previewHas(page, HEADLINE);
    const strong = await page.frameLocator("#preview").locator(".body strong").textContent();
    expectEq(strong, "Ines Varga", "the Markdown in the preview");
    expect((await page.getAttribute("#preview", "sandbox")) === "", "the preview frame is not sandboxed");
    state.page = page;
  });

  await t.check("browser editor: a crashed tab's unsaved text comes back from the browser", async () => {
    const tab = await state.page.context().newPage();
    await tab.goto(`${base}/admin/stories/new`);
    await tab.waitForSelector("#autosave-restore", { timeout: 5000 });
    expect((await tab.textContent("#autosave-restore")).startsWith("Restore unsaved text from"), "the offer's text");
    await tab.click("#autosave-restore");
    expectEq(await tab.inputValue('input[name="headline"]'), HEADLINE, "the restored headline");
    expect((await tab.inputValue('textarea[name="body"]')).includes("Ines Varga"), "the restored body");
    await tab.close();
  });

  await t.check("browser editor: saving keeps the story and drops the browser's copy", async () => {
    const page = state.page;
    await click(page, 'button[value="save"]');
    expect((await page.textContent(".notice")).includes("Saved."), "no 'Saved.' notice");
    state.url = page.url().replace(/\?.*$/, "");
    expect(/\/admin\/stories\/\d+$/.test(state.url), `the story's address: ${state.url}`);
    const left = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("gazette:story:")));
    expectEq(left.join(","), "", "autosaved copies left after the save");
    state.slug = await page.inputValue('input[name="slug"]');
    expectEq(state.slug, "gull-island-ferry-gets-a-new-captain", "the slug made from the headline");
  });

  await t.check("browser editor: scheduled two seconds ahead, the story goes live by itself", async () => {
    const page = state.page;
    await page.fill('input[name="publish_at"]', localIn(2));
    await click(page, 'button[value="schedule"]');
    expect((await page.textContent(".notice")).includes("Scheduled"), "no 'Scheduled' notice");
    const reader = await site.browser.newPage();
    const first = await reader.goto(`${base}/news/${state.slug}/`);
    expectEq(first.status(), 404, "the story before its time");
    await waitLive(reader, `${base}/news/${state.slug}/`, 20);
    expect((await reader.textContent("h1")).includes(HEADLINE), "the live story's headline");
    await reader.goto(`${base}/`);
    expect((await reader.textContent("body")).includes(HEADLINE), "the story is not on the home page");
    await reader.close();
  });

  await t.check("browser editor: an edit is live at once", async () => {
    const page = state.page;
    await page.goto(state.url);
    await page.fill('input[name="headline"]', "Gull Island ferry: Ines Varga is the new captain");
    await click(page, 'button[value="save"]');
    const reader = await site.browser.newPage();
    await reader.goto(`${base}/news/${state.slug}/`);
    expect((await reader.textContent("h1")).includes("Ines Varga is the new captain"), "the edit is not live");
    await reader.close();
  });

  await t.check("browser editor: a revision is shown as a diff and restored", async () => {
    const page = state.page;
    await page.goto(`${state.url}/revisions`);
    expect((await page.locator("tbody tr").count()) >= 3, "fewer revisions than saves");
    await click(page, 'tbody a:text-is("1")');
    expect((await page.locator("pre.diff del").count()) > 0, "no removed lines in the diff");
    expect((await page.textContent("pre.diff ins")).includes(HEADLINE), "the diff does not show the old headline");
    await click(page, 'button:has-text("Restore this revision")');
    expect((await page.textContent(".notice")).includes("Restored"), "no 'Restored' notice");
    expectEq(await page.inputValue('input[name="headline"]'), HEADLINE, "the restored headline");
    const reader = await site.browser.newPage();
    await reader.goto(`${base}/news/${state.slug}/`);
    expect((await reader.textContent("h1")).includes(HEADLINE), "the restored headline is not live");
    await reader.close();
  });

  await t.check("browser editor: a save over someone else's newer version warns instead", async () => {
    const mine = state.page;
    await mine.goto(state.url);
    const editor = await site.signedIn("editor");
    await editor.goto(state.url);
    await editor.fill('textarea[name="lead"]', "The editor's lead.");
    await click(editor, 'button[value="save"]');
    await mine.fill('textarea[name="lead"]', "The author's lead.");
    const [answer] = await Promise.all([mine.waitForNavigation(), mine.click('button[value="save"]')]);
    expectEq(answer.status(), 409, "the status of the stale save");
    const warning = await mine.textContent("#conflict h2");
    expect(warning.includes("This story was edited by The Editor at"), `the warning: ${warning}`);
    expect((await mine.textContent("#conflict pre.diff del")).includes("The editor's lead."), "their text in the diff");
    expect((await mine.textContent("#conflict pre.diff ins")).includes("The author's lead."), "my text in the diff");
    expectEq(await mine.inputValue('textarea[name="lead"]'), "The author's lead.", "my text kept in the form");
    await click(mine, "#overwrite");
    expect((await mine.textContent(".notice")).includes("Saved."), "the deliberate overwrite was not saved");
    expectEq(await mine.inputValue('textarea[name="lead"]'), "The author's lead.", "the lead after the overwrite");
    await editor.context().close();
  });

  await t.check("browser editor: a contributor may save drafts only, and only their own", async () => {
    const page = await site.signedIn("contributor");
    await page.goto(`${base}/admin/stories/new`);
    expectEq(await page.locator('button[value="publish"], button[value="schedule"]').count(), 0,
      "publish or schedule buttons offered to a contributor");
    await page.fill('input[name="headline"]', "A contributor's draft");
    await click(page, 'button[value="save"]');
    expect((await page.textContent(".notice")).includes("Saved."), "the contributor's draft was not saved");
    const statuses = await page.evaluate(async () => {
      const form = document.getElementById("story-form");
      const out = [];
      for (const action of ["publish", "schedule", "unpublish"]) {
        const body = new URLSearchParams(new FormData(form));
        body.set("action", action);
        body.set("publish_at", "2030-01-01T10:00");
        out.push((await fetch(form.getAttribute("action"), { method: "POST", body })).status);
      }
      return out;
    });
    expectEq(statuses.join(","), "403,403,403", "forged publish, schedule and unpublish");
    const other = await page.goto(state.url);
    expectEq(other.status(), 403, "a contributor opening the author's story");
    const list = await page.goto(`${base}/admin/stories`);
    expectEq(list.status(), 200, "the contributor's list");
    expect(!(await page.textContent("main")).includes("Gull Island"), "a contributor sees the author's story");
    await page.context().close();
  });

  await t.check("browser editor: an author reads others' stories but cannot change them", async () => {
    const editor = await site.signedIn("editor");
    await editor.goto(`${base}/admin/stories/new`);
    await editor.fill('input[name="headline"]', "The editor's own story");
    await click(editor, 'button[value="save"]');
    const url = editor.url().replace(/\?.*$/, "");
    await editor.context().close();
    const author = await site.signedIn("author");
    const answer = await author.goto(url);
    expectEq(answer.status(), 200, "an author reading another's story");
    expectEq(await author.locator('button[value="save"]').count(), 0, "a save button on another's story");
    expect(await author.isDisabled('input[name="headline"]'), "the fields are editable");
    const status = await author.evaluate(async () => {
      const form = document.getElementById("story-form");
      form.querySelector("fieldset").disabled = false;
      const body = new URLSearchParams(new FormData(form));
      body.set("action", "save");
      body.set("headline", "Hijacked");
      return (await fetch(form.getAttribute("action"), { method: "POST", body })).status;
    });
    expectEq(status, 403, "a forged save of another's story");
    await author.context().close();
  });

  await t.check("browser editor: the story screen works at phone width", async () => {
    const page = await site.signedIn("author", { width: 390, height: 844 });
    await page.goto(state.url);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width <= 400, `the page scrolls sideways at phone width (${width}px)`);
    await page.context().close();
  });
  if (state.page) await state.page.context().close();
}

export async function screenshots(site, shoot) {
  const page = await site.signedIn("editor");
  await page.goto(`${site.base}/admin/stories/new`);
  await page.fill('input[name="headline"]', "Harbour wall repairs: the first stones are back");
  await page.fill('input[name="kicker"]', "Port");
  await page.fill('textarea[name="lead"]', "Masons from Gull Island set the first of 400 stones.");
  await page.fill(
    'textarea[name="body"]',
    "Work on the **old harbour wall** began on Monday.\n\n## What changes\n\nThe path stays open on weekdays.",
  );
  await page.fill('input[name="topics"]', "Port");
  await page.frameLocator("#preview").locator("h1", { hasText: "first stones" }).waitFor({ timeout: 10000 });
  await shoot(page, "story-screen");
  await page.goto(`${site.base}/admin/stories`);
  await shoot(page, "stories");
  await page.context().close();
}
