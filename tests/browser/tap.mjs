// tap.mjs — a minimal TAP producer for the browser tests: each check runs a function (async
// allowed); a thrown error makes it "not ok" with the message as "# " lines. The plan comes
// last, as TAP allows.
export class Tap {
  constructor(out = process.stdout) {
    this.out = out;
    this.count = 0;
    this.failed = 0;
    this.started = Date.now();
  }

  diag(text) {
    for (const line of String(text).split("\n")) this.out.write(`# ${line}\n`);
  }

  async check(name, fn) {
    this.count++;
    const label = name.replace(/#/g, "no.").replace(/\n/g, " ");
    const t0 = Date.now();
    try {
      await fn();
      this.out.write(`ok ${this.count} - ${label}\n`);
      const took = (Date.now() - t0) / 1000;
      if (took > 3) this.diag(`(took ${took.toFixed(1)} s)`);
      return true;
    } catch (e) {
      this.failed++;
      this.out.write(`not ok ${this.count} - ${label}\n`);
      this.diag(e && e.stack ? e.stack.split("\n").slice(0, 6).join("\n") : String(e));
      return false;
    }
  }

  finish() {
    this.out.write(`1..${this.count}\n`);
    const secs = ((Date.now() - this.started) / 1000).toFixed(1);
    this.diag(`${this.count} checks, ${this.failed} failed, ${secs} s`);
    return this.failed ? 1 : 0;
  }
}

export function expect(cond, message) {
  if (!cond) throw new Error(message);
}

export function expectEq(got, want, what) {
  if (got !== want) throw new Error(`${what}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
}
