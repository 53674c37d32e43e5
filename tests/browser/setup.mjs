// setup.mjs — the site the browser tests run against: a temporary folder with a new database
// (gazette init), a few stories (gazette article add), one user per role (gazette user add,
// the password on standard input), comments held for moderation (written with sqlite3, as a
// reader's post would leave them), and `gazette serve` on a free port (--listen 127.0.0.1:0,
// the port read from its first line). stop() ends the server with SIGTERM and removes the
// folder.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const PASSWORD = "correct horse battery staple";
export const ROLES = ["contributor", "author", "editor", "admin"];
export const STORY = "harbour-wall-repairs";

function run(binary, args, options = {}) {
  const r = spawnSync(binary, args, { encoding: "utf8", timeout: 60000, ...options });
  if (r.status !== 0)
    throw new Error(`\`${path.basename(binary)} ${args.join(" ")}\` exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function writeStories(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const stories = [
    [STORY, "Harbour wall repairs begin", "Port", "Work on the old harbour wall starts on Monday."],
    ["library-opens-on-sundays", "Library opens on Sundays", "Town", "The library will open on Sundays from May."],
    ["ferry-timetable-changes", "Ferry timetable changes", "Port", "The Gull Island ferry runs every half hour."],
  ];
  for (const [slug, headline, topic, body] of stories)
    fs.writeFileSync(
      path.join(dir, `${slug}.md`),
      `---\nheadline: ${headline}\nslug: ${slug}\ntopics: ${topic}\n---\n${body}\n`,
    );
}

function holdComments(db) {
  const rows = [
    ["Mara Quinn", "mara@example.org", "Will the harbour path stay open during the works?"],
    ["Tom Reyes", "tom@example.org", "Finally! The wall has been crumbling for years."],
    ["Cheap Pills", "spam@example.net", "Buy cheap pills at example dot net"],
  ];
  const sql = rows
    .map(
      ([name, email, body], i) =>
        `INSERT INTO comments (article_id, author_name, author_email, body, status, created_at, body_hash)` +
        ` SELECT id, '${name}', '${email}', '${body}', 0, unixepoch() - ${i * 60}, x'00' FROM articles WHERE slug = '${STORY}';`,
    )
    .join("\n");
  run("sqlite3", [db, sql]);
}

function serve(binary, db, dir) {
  return new Promise((resolve, reject) => {
    const err = fs.openSync(path.join(dir, "server.stderr"), "a");
    const proc = spawn(binary, ["serve", "--db", db, "--media", path.join(dir, "media"), "--listen", "127.0.0.1:0"], {
      cwd: dir,
      stdio: ["ignore", "pipe", err],
    });
    let out = "";
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`gazette serve did not start within 20 s: ${out}`));
    }, 20000);
    proc.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/on port (\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, port: Number(m[1]) });
      }
    });
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`gazette serve exited ${code}: ${fs.readFileSync(path.join(dir, "server.stderr"), "utf8")}`));
    });
  });
}

export async function startSite(binary) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gazette-browser."));
  const db = path.join(dir, "site.db");
  run(binary, ["init", "--db", db]);
  writeStories(path.join(dir, "stories"));
  run(binary, ["article", "add", "--db", db, path.join(dir, "stories")]);
  for (const role of ROLES)
    run(binary, ["user", "add", role, "--role", role, "--name", `The ${role[0].toUpperCase()}${role.slice(1)}`, "--db", db], {
      input: `${PASSWORD}\n`,
    });
  holdComments(db);
  const { proc, port } = await serve(binary, db, dir);
  const base = `http://127.0.0.1:${port}`;
  const site = {
    base,
    db,
    dir,
    binary,
    password: PASSWORD,
    // a new page in a context of its own (its own cookies), signed in as login
    async signedIn(login, viewport) {
      const context = await site.browser.newContext({ viewport: viewport || { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${base}/admin/login`);
      await page.fill('input[name="login"]', login);
      await page.fill('input[name="password"]', PASSWORD);
      await Promise.all([page.waitForURL(`${base}/admin/`), page.click('button[type="submit"]')]);
      return page;
    },
    sql(statement) {
      return run("sqlite3", [db, statement]).trim();
    },
    async stop(t) {
      if (proc.exitCode === null) {
        const exited = new Promise((resolve) => proc.on("exit", resolve));
        proc.kill("SIGTERM");
        const timeout = new Promise((resolve) => setTimeout(() => resolve("timeout"), 15000));
        if ((await Promise.race([exited, timeout])) === "timeout") {
          proc.kill("SIGKILL");
          t.diag("gazette serve did not stop within 15 s of SIGTERM (killed)");
        }
      }
      const stderr = fs.readFileSync(path.join(dir, "server.stderr"), "utf8").trim();
      if (stderr) t.diag(`server stderr:\n${stderr.split("\n").slice(-10).join("\n")}`);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return site;
}
