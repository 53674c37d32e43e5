// newsroom.mjs — the newsroom in a real browser: signing in (a wrong password refused), comment
// moderation (approve, spam) seen on the public page, each role's refusals, the frame at phone
// width, and signing out. screenshots() shoots the main screens for docs/screenshots/.
import { expect, expectEq } from "../tap.mjs";
import { STORY } from "../setup.mjs";

async function newPage(site, viewport) {
  const context = await site.browser.newContext({ viewport: viewport || { width: 1280, height: 800 } });
  return context.newPage();
}

// The row of the moderation table holding text.
function row(page, text) {
  return page.locator("tr", { hasText: text });
}

export async function run(t, site) {
  const base = site.base;

  await t.check("browser: a wrong password is refused on the sign-in page", async () => {
    const page = await newPage(site);
    await page.goto(`${base}/admin/login`);
    await page.fill('input[name="login"]', "editor");
    await page.fill('input[name="password"]', "not the password");
    const [answer] = await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    expectEq(answer.status(), 401, "status of a wrong sign-in");
    expect((await page.textContent(".error")).includes("Wrong login or password"), "no error message");
    const cookies = await page.context().cookies();
    expect(!cookies.some((c) => c.name === "gz_session"), "a session cookie after a wrong password");
    await page.context().close();
  });

  await t.check("browser: signing in leads to the dashboard, with an HttpOnly session cookie", async () => {
    const page = await site.signedIn("editor");
    expect((await page.textContent("h1")).includes("Newsroom"), "the dashboard's title");
    expect((await page.textContent(".who")).includes("The Editor"), "the bar names the user");
    const cookie = (await page.context().cookies()).find((c) => c.name === "gz_session");
    expect(cookie && cookie.httpOnly && cookie.sameSite === "Lax", `the cookie: ${JSON.stringify(cookie)}`);
    expect(!(await page.evaluate(() => document.cookie)).includes("gz_session"), "scripts can read the session");
    await page.context().close();
  });

  await t.check("browser: an editor approves a comment and marks one as spam", async () => {
    const page = await site.signedIn("editor");
    await page.click('nav.nav a[href="/admin/comments"]');
    await page.waitForURL(`${base}/admin/comments`);
    expectEq(await page.locator("tbody tr").count(), 3, "held comments in the pending queue");
    await Promise.all([page.waitForNavigation(), row(page, "Mara Quinn").locator('button:has-text("Approve")').click()]);
    expect((await page.textContent(".notice")).includes("1 comment changed"), "no notice after approving");
    await Promise.all([page.waitForNavigation(), row(page, "Cheap Pills").locator('button:has-text("Spam")').click()]);
    expectEq(await page.locator("tbody tr").count(), 1, "pending comments left");
    await page.click('nav.tabs a:has-text("spam")');
    await page.waitForURL(/status=spam/);
    expect((await page.textContent("tbody")).includes("Buy cheap pills"), "the spam queue lacks the spam");
    const story = await newPage(site);
    await story.goto(`${base}/news/${STORY}/`);
    const text = await story.textContent("body");
    expect(text.includes("Will the harbour path stay open"), "the approved comment is not on the story page");
    expect(!text.includes("Buy cheap pills"), "the spam is on the story page");
    await story.context().close();
    await page.context().close();
  });

  await t.check("browser: bulk approve with checkboxes", async () => {
    const page = await site.signedIn("editor");
    await page.goto(`${base}/admin/comments?status=pending`);
    await page.check(`tbody tr input[type="checkbox"]`);
    await page.selectOption('select[name="action"]', "approve");
    await Promise.all([page.waitForNavigation(), page.click('button[name="bulk"]')]);
    expect((await page.textContent("main")).includes("No pending comments"), "the queue is not empty");
    await page.context().close();
  });

  const refusals = [
    ["contributor", ["/admin/comments", "/admin/topics", "/admin/settings", "/admin/users"]],
    ["author", ["/admin/comments", "/admin/settings", "/admin/users"]],
    ["editor", ["/admin/settings", "/admin/users"]],
  ];
  for (const [role, paths] of refusals)
    await t.check(`browser: ${role === "author" || role === "editor" ? "an" : "a"} ${role} is refused ${paths.join(", ")} (403) and does not see them`, async () => {
      const page = await site.signedIn(role);
      const nav = await page.locator("nav.nav").innerHTML();
      for (const p of paths) {
        expect(!nav.includes(`href="${p}"`), `the ${role}'s navigation shows ${p}`);
        const answer = await page.goto(`${base}${p}`);
        expectEq(answer.status(), 403, `${p} as ${role}`);
        expect((await page.textContent("h1")).includes("Not allowed"), `the refusal page for ${p}`);
      }
      await page.context().close();
    });

  await t.check("browser: an admin opens settings and users", async () => {
    const page = await site.signedIn("admin");
    for (const p of ["/admin/settings", "/admin/users", "/admin/topics", "/admin/comments"]) {
      const answer = await page.goto(`${base}${p}`);
      expectEq(answer.status(), 200, `${p} as admin`);
    }
    await page.context().close();
  });

  await t.check("browser: the frame fits a phone (390 px): no sideways scrolling", async () => {
    const page = await site.signedIn("admin", { width: 390, height: 844 });
    for (const p of ["/admin/", "/admin/comments?status=approved", "/admin/topics", "/admin/settings", "/admin/users"]) {
      await page.goto(`${base}${p}`);
      const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      expect(scroll <= width, `${p} is ${scroll} px wide in a ${width} px window`);
    }
    await page.context().close();
  });

  await t.check("browser: signing out ends the session", async () => {
    const page = await site.signedIn("author");
    await Promise.all([page.waitForURL(`${base}/admin/login`), page.click('form.signout button')]);
    await page.goto(`${base}/admin/`);
    expect(page.url().startsWith(`${base}/admin/login`), `after signing out /admin/ shows ${page.url()}`);
    await page.context().close();
  });
}

export async function screenshots(site, shoot) {
  const login = await newPage(site);
  await login.goto(`${site.base}/admin/login`);
  await shoot(login, "login");
  await login.context().close();
  const page = await site.signedIn("admin");
  for (const [name, p] of [
    ["dashboard", "/admin/"],
    ["comments", "/admin/comments?status=pending"],
    ["topics", "/admin/topics"],
    ["settings", "/admin/settings"],
    ["users", "/admin/users"],
  ]) {
    await page.goto(`${site.base}${p}`);
    await shoot(page, name);
  }
  await page.context().close();
}
