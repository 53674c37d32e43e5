#!/usr/bin/env python3
"""bench/push.py — how long a breaking-news alert takes to reach every subscriber (Web Push
fan-out, docs/push.md). Starts a site with one story, a push service on the loopback interface
that answers each POST with 201 after DELAY_MS (a distant push service), subscribes
SUBSCRIBERS browsers to it, runs `gazette article breaking`, and prints the seconds until the
last alert arrived and the alerts per second.

    SUBSCRIBERS=500 DELAY_MS=100 python3 bench/push.py [./gazette]

Needs the Python `cryptography` package (for the subscribers' keys)."""

import base64
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

SUBSCRIBERS = int(os.environ.get("SUBSCRIBERS", "500"))
DELAY_MS = int(os.environ.get("DELAY_MS", "100"))


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    gazette = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "./gazette")
    tmp = tempfile.mkdtemp(prefix="gazette-push-bench.")
    arrived = []
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(DELAY_MS / 1000)
            with lock:
                arrived.append(time.monotonic())
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    service = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.daemon_threads = True
    threading.Thread(target=service.serve_forever, daemon=True).start()
    server = None
    try:
        db = os.path.join(tmp, "site.db")
        story = os.path.join(tmp, "story.md")
        with open(story, "w") as f:
            f.write("---\nheadline: Dam gives way\nlead: Water is rising.\nslug: dam\ntopics: City\n"
                    "published: 2024-01-01T00:00:00Z\n---\nBody.\n")
        run = lambda *a: subprocess.run([gazette] + list(a), check=True, capture_output=True)
        run("init", "--db", db)
        run("article", "add", "--db", db, story)
        run("settings", "set", "--db", db, "push_allow_insecure", "1")
        run("settings", "set", "--db", db, "push_rate_limit", "1000000")
        port = free_port()
        server = subprocess.Popen([gazette, "serve", "--db", db, "--listen", "127.0.0.1:%d" % port],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/api/v1/push/key" % port).read()
                break
            except OSError:
                time.sleep(0.1)
        key = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        for i in range(SUBSCRIBERS):
            body = json.dumps({"endpoint": "http://127.0.0.1:%d/push/%d" % (service.server_address[1], i),
                               "keys": {"p256dh": b64u(key), "auth": b64u(os.urandom(16))}}).encode()
            req = urllib.request.Request("http://127.0.0.1:%d/api/v1/push/subscriptions" % port, data=body,
                                         headers={"Content-Type": "application/json"})
            urllib.request.urlopen(req).read()
        t0 = time.monotonic()
        run("article", "breaking", "--db", db, "dam")
        while len(arrived) < SUBSCRIBERS and time.monotonic() - t0 < 600:
            time.sleep(0.05)
        seconds = (arrived[-1] if len(arrived) >= SUBSCRIBERS else time.monotonic()) - t0
        print("subscribers=%d delay_ms=%d delivered=%d seconds=%.2f alerts_per_second=%.0f"
              % (SUBSCRIBERS, DELAY_MS, len(arrived), seconds, len(arrived) / seconds))
    finally:
        if server:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
        service.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
