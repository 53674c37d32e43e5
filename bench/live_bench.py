"""live_bench.py — publish-to-delivery latency of live updates (bench/live.sh runs it): a
gazette server with STREAMS open Server-Sent Event streams on loopback (half on a topic, half
on /live), ROUNDS stories published one after another with `gazette article add`; for every
story, the time from the CLI's exit (the story is committed by then) until each stream has
it. Prints p50, p99 and max over all deliveries, the server's threads and its idle CPU."""

import os
import resource
import selectors
import socket
import subprocess
import sys
import time

GAZETTE, DB, PORT, WORK = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
PID = int(sys.argv[5])
STREAMS = int(os.environ.get("STREAMS", "2000"))
ROUNDS = int(os.environ.get("ROUNDS", "20"))
TOPIC = "city-hall"


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def threads(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(next(l for l in f if l.startswith("Threads:")).split()[1])


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, STREAMS + 1000), hard))
    sel = selectors.DefaultSelector()
    threads_before = threads(PID)
    for i in range(STREAMS):
        s = socket.create_connection(("127.0.0.1", PORT))
        path = "/live/topic/" + TOPIC if i % 2 == 0 else "/live"
        s.sendall(("GET %s HTTP/1.1\r\nHost: b\r\n\r\n" % path).encode())
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, {"data": b""})
    keys = list(sel.get_map().values())

    def pump(until, done, marker=None, stamps=None):
        while time.monotonic() < until and not done():
            for key, _ in sel.select(timeout=0.05):
                chunk = key.fileobj.recv(65536)
                if not chunk:
                    raise SystemExit("bench: the server closed a stream")
                key.data["data"] += chunk
                if marker and key.fd not in stamps and marker in key.data["data"]:
                    stamps[key.fd] = time.monotonic()
                    key.data["data"] = b""

    pump(time.monotonic() + 30, lambda: all(b": live" in k.data["data"] for k in keys))
    for k in keys:
        k.data["data"] = b""
    cpu0, t0 = cpu_seconds(PID), time.monotonic()
    time.sleep(3)
    idle = (cpu_seconds(PID) - cpu0) / (time.monotonic() - t0)
    delays, cli = [], []
    for r in range(ROUNDS):
        slug = "live-bench-%d-%d" % (os.getpid(), r)
        path = os.path.join(WORK, slug + ".md")
        with open(path, "w") as f:
            f.write("---\nheadline: Live bench %d\nslug: %s\ntopics: City Hall\n"
                    "authors: Bench\n---\nA story.\n" % (r, slug))
        c0 = time.monotonic()
        subprocess.run([GAZETTE, "article", "add", "--db", DB, path], check=True,
                       stdout=subprocess.DEVNULL)
        c1 = time.monotonic()
        cli.append(c1 - c0)
        stamps = {}
        pump(c1 + 10, lambda: len(stamps) == STREAMS, slug.encode(), stamps)
        if len(stamps) < STREAMS:
            raise SystemExit("bench: %d streams missed story %d" % (STREAMS - len(stamps), r))
        delays += [at - c1 for at in stamps.values()]
        time.sleep(0.2)
    delays.sort()
    pct = lambda p: delays[min(len(delays) - 1, int(len(delays) * p))] * 1e3
    print("live: %d streams, %d stories: delivery p50 %.1f ms, p99 %.1f ms, max %.1f ms after "
          "the CLI exit (CLI median %.0f ms); threads %d -> %d; idle CPU %.1f%% of a core"
          % (STREAMS, ROUNDS, pct(0.5), pct(0.99), delays[-1] * 1e3,
             sorted(cli)[len(cli) // 2] * 1e3, threads_before, threads(PID), idle * 100))


main()
