"""gazette.py — driving the real gazette binary: running CLI commands, starting and stopping
servers on free loopback ports, and speaking HTTP to them (http.client for ordinary requests,
raw sockets for the malformed and oversized ones).

Every process started here is registered, and kill_all() (called from run.py's finally block
and from atexit) ends whatever is still running, so a failing or interrupted run leaves
nothing behind."""

import atexit
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time

import html_tree

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

_processes = []  # every Popen we started
_processes_lock = threading.Lock()


def hard_kill(p):
    """SIGKILL to a process we started and to its process group (each is started in a session
    of its own, whose id is its PID), so that nothing it forked outlives it. Called only while
    the process has not been reaped, so the group id is still ours."""
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if p.poll() is None:
        try:
            p.kill()
        except OSError:
            pass
    try:
        p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def kill_all():
    """Ends every process this suite started (and its group) that may still be running."""
    with _processes_lock:
        procs = list(_processes)
    for p in procs:
        if p.poll() is None:  # never signal a group whose leader we have already reaped
            hard_kill(p)


atexit.register(kill_all)


def _register(p):
    with _processes_lock:
        _processes.append(p)
    return p


def free_port():
    """A port that was free a moment ago: bind 127.0.0.1:0, read the port, close."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


SANITIZER_RE = re.compile(r"Sanitizer|runtime error:")


def sanitizer_lines(text):
    return [line for line in text.splitlines() if SANITIZER_RE.search(line)]


def tail(text, n=12):
    lines = text.rstrip("\n").splitlines()
    return "\n".join(lines[-n:])


class Result:
    """What a finished CLI command did."""

    def __init__(self, args, rc, stdout, stderr, seconds):
        self.args, self.rc, self.stdout, self.stderr, self.seconds = args, rc, stdout, stderr, seconds

    def describe(self):
        return "`gazette %s` exited %s\nstdout: %s\nstderr: %s" % (
            " ".join(self.args),
            self.rc,
            tail(self.stdout, 6) or "(empty)",
            tail(self.stderr, 6) or "(empty)",
        )


class Response:
    def __init__(self, status, reason, headers, body):
        self.status, self.reason, self.headers, self.body = status, reason, headers, body
        self._text = None
        self._doc = None

    def header(self, name, default=None):
        value = self.headers.get(name)
        return default if value is None else value

    @property
    def content_type(self):
        return self.header("Content-Type", "")

    @property
    def text(self):
        """The body decoded as UTF-8 (strict: raises UnicodeDecodeError if it is not)."""
        if self._text is None:
            self._text = self.body.decode("utf-8")
        return self._text

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def doc(self):
        if self._doc is None:
            self._doc = html_tree.parse(self.text)
        return self._doc

    def __repr__(self):
        return "HTTP %d (%s, %d bytes)" % (self.status, self.content_type, len(self.body))


class ServerDown(AssertionError):
    pass


class Server:
    """One running `gazette serve` / `gazette demo`."""

    def __init__(self, gz, name, args):
        self.gz, self.name, self.args = gz, name, list(args)
        self.proc = None
        self.port = None
        self.timeouts = 0
        safe = re.sub(r"[^a-z0-9]+", "-", name.lower())
        self.out_path = os.path.join(gz.tmp, "%s.stdout" % safe)
        self.err_path = os.path.join(gz.tmp, "%s.stderr" % safe)
        self.exit_code = None
        self.stop_seconds = None
        self.nofile = None  # a descriptor limit (soft and hard) to start the server with

    def _limits(self):
        import resource

        resource.setrlimit(resource.RLIMIT_NOFILE, (self.nofile, self.nofile))

    # ---- life cycle ------------------------------------------------------------------------
    def start(self, wait_seconds=10):
        """Starts the server on a free port and waits until it answers HTTP. Retries with
        another port if the one picked was taken in the meantime."""
        last = ""
        wait_seconds = self.gz.remaining(wait_seconds)
        for attempt in range(3):
            self.port = free_port()
            argv = [self.gz.binary] + self.args + ["--listen", "127.0.0.1:%d" % self.port]
            out = open(self.out_path, "ab")
            err = open(self.err_path, "ab")
            try:
                self.proc = _register(
                    subprocess.Popen(
                        argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                        cwd=self.gz.tmp, env=self.gz.env, start_new_session=True,
                        preexec_fn=self._limits if self.nofile else None,
                    )
                )
            finally:
                out.close()
                err.close()
            deadline = time.monotonic() + wait_seconds
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if self._answers():
                    return self
                time.sleep(0.05)
            if self.proc.poll() is None:
                self.kill()
                raise AssertionError(
                    "%s did not answer on port %d within %d s\nstderr: %s"
                    % (self.name, self.port, wait_seconds, tail(self.stderr()))
                )
            last = self.stderr()
            if "cannot listen" not in last:
                break
        raise AssertionError(
            "%s exited with status %s before answering\nstdout: %s\nstderr: %s"
            % (self.name, self.proc.returncode, tail(self.stdout()), tail(last))
        )

    def _answers(self):
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            c.request("GET", "/api/v1/articles?limit=1")
            c.getresponse().read()
            c.close()
            return True
        except (OSError, http.client.HTTPException):
            return False

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace=10):
        """SIGTERM, then wait up to grace seconds; SIGKILL if it does not exit. Returns the
        exit status (negative for a signal) and remembers how long the exit took."""
        if self.proc is None:
            return None
        if self.proc.poll() is not None:
            self.exit_code = self.proc.returncode
            return self.exit_code
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.exit_code = self.proc.wait(timeout=grace)
            self.stop_seconds = time.monotonic() - t0
        except subprocess.TimeoutExpired:
            self.kill()
            self.exit_code = None
            self.stop_seconds = None
        return self.exit_code

    def kill(self):
        if self.proc is not None:
            hard_kill(self.proc)

    def stdout(self):
        return _read(self.out_path)

    def stderr(self):
        return _read(self.err_path)

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.port

    # ---- HTTP ------------------------------------------------------------------------------
    def _check_alive(self):
        if self.proc is None:
            raise ServerDown("%s was never started" % self.name)
        if self.proc.poll() is not None:
            raise ServerDown(
                "%s is not running (exit status %s)\nstderr: %s"
                % (self.name, self.proc.returncode, tail(self.stderr(), 6))
            )
        if self.timeouts >= 3:
            raise ServerDown("%s stopped answering (3 requests timed out)" % self.name)

    def request(self, method, path, headers=None, body=None, timeout=10):
        self._check_alive()
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            self.timeouts = 0
            return Response(r.status, r.reason, r.headers, data)
        except socket.timeout:
            self.timeouts += 1
            raise AssertionError("%s %s: no answer within %d s" % (method, path, timeout))
        except (ConnectionError, http.client.HTTPException) as e:
            self._check_alive()  # a crash explains it best
            raise AssertionError("%s %s: %s: %s" % (method, path, type(e).__name__, e))
        finally:
            c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def connection(self, timeout=10):
        """A keep-alive connection for several requests."""
        self._check_alive()
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def raw(self, data, timeout=10):
        """Sends raw bytes (from a thread, so that an early answer is read even while the
        request is still being sent) and returns everything received until the server closes
        the connection or timeout seconds pass."""
        self._check_alive()
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        send_error = []

        def send():
            try:
                s.sendall(data)
            except OSError as e:
                send_error.append(e)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        chunks = []
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    break
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
            sender.join(timeout=5)
        return b"".join(chunks)


def parse_raw_response(data):
    """(status, headers dict with lower-case names, body bytes) of a raw HTTP/1.1 answer;
    status is None when nothing usable came back."""
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return None, {}, b""
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
    if not m:
        return None, {}, b""
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(m.group(1)), headers, body


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


class Gazette:
    """The binary under test, the temporary directory, and the CLI runs made so far."""

    def __init__(self, binary, tmp, sanitized, deadline=None):
        self.deadline = deadline  # time.monotonic() by which everything must be done
        self.tmp = tmp
        self.sanitized = sanitized
        self.given = binary
        self.notes = []
        self.binary = self._locate(binary)
        self.env = dict(os.environ)
        if sanitized:
            self.env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
            self.env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
        self.runs = []  # every Result, for the sanitizer check
        self.servers = []

    def _locate(self, binary):
        """gazette finds themes/default and content/demo next to its own file. The release
        binary sits in the repository root where both are; a binary elsewhere (the ASan build
        in build/asan/) is run as a hard link (or copy) in TMP/bin/ beside symbolic links to
        the repository's themes/ and content/, so that it finds them the same way."""
        path = os.path.abspath(binary)
        if not os.path.isfile(path) or not os.access(path, os.X_OK):
            raise FileNotFoundError("no executable gazette at %s" % binary)
        real = os.path.realpath(path)
        here = os.path.dirname(real)
        if os.path.isdir(os.path.join(here, "themes", "default")) and os.path.isdir(
            os.path.join(here, "content", "demo")
        ):
            return path
        bindir = os.path.join(self.tmp, "bin")
        os.makedirs(bindir, exist_ok=True)
        dst = os.path.join(bindir, "gazette")
        try:
            os.link(real, dst)
            how = "hard link"
        except OSError:
            shutil.copy2(real, dst)
            how = "copy"
        os.symlink(os.path.join(REPO, "themes"), os.path.join(bindir, "themes"))
        os.symlink(os.path.join(REPO, "content"), os.path.join(bindir, "content"))
        self.notes.append(
            "%s has no themes/default and content/demo beside it; running a %s of it in "
            "TMP/bin/ with links to the repository's themes/ and content/" % (binary, how)
        )
        return dst

    def remaining(self, wanted):
        """wanted seconds, or less when the suite's deadline is nearer (at least 1)."""
        if self.deadline is None:
            return wanted
        return max(1.0, min(wanted, self.deadline - time.monotonic()))

    def run(self, *args, timeout=30):
        args = [str(a) for a in args]
        timeout = self.remaining(timeout)
        t0 = time.monotonic()
        p = _register(
            subprocess.Popen(
                [self.binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL, cwd=self.tmp, env=self.env, start_new_session=True,
            )
        )
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            hard_kill(p)
            try:
                out, err = p.communicate(timeout=2)
            except subprocess.TimeoutExpired:
                pass
            raise AssertionError("`gazette %s` did not finish within %.0f s (killed)" % (" ".join(args), timeout))
        r = Result(
            args, p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
            time.monotonic() - t0,
        )
        self.runs.append(r)
        return r

    def server(self, name, *args):
        s = Server(self, name, args)
        self.servers.append(s)
        return s

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)
