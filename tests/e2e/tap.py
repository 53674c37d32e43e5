"""tap.py — a minimal TAP producer: each check runs a function; an AssertionError (or any other
exception) makes it "not ok" with the reason as "# " diagnostic lines. The plan ("1..N") is
printed at the end, which TAP allows, because how many checks run is only known then."""

import sys
import time
import traceback


class Skip(Exception):
    """Raise to report a check as skipped (ok ... # SKIP reason)."""


class Runner:
    def __init__(self, budget_seconds=None, out=sys.stdout):
        self.out = out
        self.count = 0
        self.failures = []
        self.started = time.monotonic()
        self.budget = budget_seconds

    def diag(self, text):
        for line in str(text).splitlines() or [""]:
            self.out.write("# %s\n" % line)
        self.out.flush()

    def elapsed(self):
        return time.monotonic() - self.started

    def over_budget(self):
        return self.budget is not None and self.elapsed() > self.budget

    def check(self, name, fn, *args, **kwargs):
        """Runs fn(*args, **kwargs) as one TAP test point; returns True when it passed."""
        self.count += 1
        name = name.replace("#", "no.").replace("\n", " ")
        if self.over_budget():
            self._not_ok(name, ["the suite's time budget (%d s) is spent; not run" % self.budget])
            return False
        t0 = time.monotonic()
        try:
            fn(*args, **kwargs)
        except Skip as s:
            self.out.write("ok %d - %s # SKIP %s\n" % (self.count, name, s))
            self.out.flush()
            return True
        except AssertionError as e:
            self._not_ok(name, str(e).splitlines() or ["assertion failed"])
            return False
        except Exception as e:  # a crash in the test or an unexpected server behaviour
            lines = ["%s: %s" % (type(e).__name__, e)]
            tb = traceback.extract_tb(e.__traceback__)
            for frame in tb[-3:]:
                lines.append("  at %s:%d in %s" % (frame.filename.rsplit("/", 1)[-1], frame.lineno, frame.name))
            self._not_ok(name, lines)
            return False
        took = time.monotonic() - t0
        self.out.write("ok %d - %s\n" % (self.count, name))
        if took > 3:
            self.out.write("# (took %.1f s)\n" % took)
        self.out.flush()
        return True

    def _not_ok(self, name, lines):
        self.out.write("not ok %d - %s\n" % (self.count, name))
        for line in lines:
            self.out.write("#   %s\n" % line)
        self.out.flush()
        self.failures.append(name)

    def finish(self):
        self.out.write("1..%d\n" % self.count)
        self.out.write(
            "# %d checks, %d failed, %.1f s\n" % (self.count, len(self.failures), self.elapsed())
        )
        self.out.flush()
        return 0 if not self.failures else 1
