// run.mjs — Gazette's browser tests: starts the real ./gazette on a free port with a fresh
// database in a temporary folder, drives Debian's /usr/bin/chromium headless through
// playwright-core, and prints TAP ("ok N - name", "not ok N - name" with "# " diagnostics, the
// plan last). tests/run.sh runs it, so its results count in the summary line.
//
//   node tests/browser/run.mjs --gazette ./gazette            run every tests/*.mjs module
//   node tests/browser/run.mjs --gazette ./gazette --only newsroom
//   node tests/browser/run.mjs --gazette ./gazette --screenshots docs/screenshots
//
// Each module in tests/ exports `async function run(t, site)`: t.check(name, fn) runs one
// check (fn may be async; a thrown error fails it), site is what setup.mjs made (the server's
// base URL, the users and their password, the database path, helpers to sign in). With
// --screenshots DIR, the modules that export `screenshots(site, shoot)` are asked for theirs
// instead, and shoot(page, name) writes DIR/NAME-desktop.png and DIR/NAME-phone.png.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

import { Tap } from "./tap.mjs";
import { startSite } from "./setup.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
};

function parseArgs(argv) {
  const args = { gazette: null, only: null, screenshots: null };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, "");
    if (!(name in args) || i + 1 >= argv.length) {
      console.error(`usage: node run.mjs --gazette BINARY [--only MODULES] [--screenshots DIR]`);
      process.exit(2);
    }
    args[name] = argv[++i];
  }
  if (!args.gazette) {
    console.error("run.mjs: --gazette BINARY is required");
    process.exit(2);
  }
  return args;
}

async function loadModules(only) {
  const wanted = only ? new Set(only.split(",")) : null;
  const files = fs
    .readdirSync(path.join(HERE, "tests"))
    .filter((f) => f.endsWith(".mjs"))
    .sort();
  const modules = [];
  for (const f of files) {
    const name = f.replace(/\.mjs$/, "");
    if (wanted && !wanted.has(name)) continue;
    modules.push({ name, module: await import(path.join(HERE, "tests", f)) });
  }
  return modules;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const t = new Tap();
  if (!fs.existsSync(CHROMIUM)) {
    t.check(`chromium at ${CHROMIUM}`, () => {
      throw new Error("not installed: `make test` installs Debian's chromium (apt)");
    });
    return t.finish();
  }
  let site = null;
  let browser = null;
  try {
    site = await startSite(path.resolve(args.gazette));
    t.diag(`gazette on ${site.base}, database ${site.db}`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
    site.browser = browser;
    const modules = await loadModules(args.only);
    if (args.screenshots) {
      const dir = path.resolve(args.screenshots);
      fs.mkdirSync(dir, { recursive: true });
      const shoot = async (page, name) => {
        for (const [kind, size] of Object.entries(VIEWPORTS)) {
          await page.setViewportSize(size);
          const file = path.join(dir, `${name}-${kind}.png`);
          await page.screenshot({ path: file, fullPage: kind === "desktop" });
          t.diag(`wrote ${path.relative(process.cwd(), file)}`);
        }
      };
      for (const { name, module } of modules)
        if (module.screenshots) await t.check(`screenshots: ${name}`, () => module.screenshots(site, shoot));
    } else {
      for (const { module } of modules) await module.run(t, site);
    }
  } catch (e) {
    await t.check("the browser test harness", () => {
      throw e;
    });
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (site) await site.stop(t);
  }
  return t.finish();
}

process.exitCode = await main();
