#!/usr/bin/env bash
# bench/cached_instructions.sh — instructions per cached article page, counted by callgrind: the
# page cache's hit path (what bench/article.sh compares with nginx) measured so that the
# machine's load does not move the figure. Serves the demo with the page cache on under
# `valgrind --tool=callgrind`, warms up (each worker thread opens its database connection on
# its first request, the first request fills the cache), zeroes the counters, asks for the page
# REQUESTS times over one keep-alive connection and divides. Two figures: the worker threads
# (callgrind's per-thread counts of the threads that ran on_request: libmicrohttpd reading the
# request and sending the page, our handler, the end of the request; not the background
# threads, whose count depends on how long the run took, nor the kernel) and our request
# handler alone (on_request, inclusive).
# Usage: bench/cached_instructions.sh   (env: REQUESTS=2000 GAZETTE=./gazette ARGS=... TOP=40)
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${REQUESTS:-2000}
GAZETTE=${GAZETTE:-./gazette}
PAGE=${PAGE:-/news/maria-zakharova-hamas-visited-moscow/}
for tool in valgrind callgrind_control callgrind_annotate curl; do
    command -v $tool >/dev/null || { echo "bench: $tool is missing (apt-get install valgrind curl)"; exit 1; }
done
work=$(mktemp -d /tmp/gazette-cached-instructions.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
# one curl, one keep-alive connection, no Accept-Encoding: the identity body, as wrk asks in
# bench/article.sh
many() { local args=(); for _ in $(seq "$1"); do args+=(-o /dev/null "$url"); done; curl -sf "${args[@]}"; }
inclusive() { # function name → its inclusive count (0 when absent)
    awk -v f="$1" '{ n = $1; gsub(",", "", n); if ($0 ~ (":" f " ") || $0 ~ (":" f "$")) { print n; found = 1; exit } }
                   END { if (!found) print 0 }' "$work/inclusive"
}

port=$(free_port)
"$GAZETTE" demo --db "$work/demo.db" --listen 127.0.0.1:$port >"$work/demo.log" 2>&1 &
pid=$!
url="http://127.0.0.1:$port$PAGE"
wait_http "$url" 120
kill "$pid"; wait "$pid" 2>/dev/null || true
port=$(free_port)
url="http://127.0.0.1:$port$PAGE"
# shellcheck disable=SC2086
valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$work/callgrind.out" \
    "$GAZETTE" serve --db "$work/demo.db" --listen 127.0.0.1:$port ${ARGS:-} \
    >"$work/serve.log" 2>&1 &
pid=$!
wait_http "$url" 120
sleep 2 # the related index and the freshness watcher take in the demo's stories
many 200
callgrind_control -z "$pid" >/dev/null 2>&1
many "$REQUESTS"
callgrind_control -d "$pid" >/dev/null 2>&1
# the dump is written by the server's threads as they next run: wait for every thread's file
for _ in $(seq 100); do
    compgen -G "$work/callgrind.out.1-*" >/dev/null && break
    sleep 0.2
done
sleep 1
workers=0
handler=0
for f in "$work"/callgrind.out.1-*; do
    callgrind_annotate --inclusive=yes "$f" 2>/dev/null >"$work/inclusive"
    h=$(inclusive on_request)
    [ "$h" -gt 0 ] || continue
    handler=$((handler + h))
    workers=$((workers + $(awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}' "$work/inclusive")))
    cp "$work/inclusive" "$work/inclusive.worker"
done
echo "instructions per cached page: $((workers / REQUESTS)) in the worker threads," \
     "$((handler / REQUESTS)) of them in on_request" \
     "($REQUESTS requests of $PAGE over one keep-alive connection ${ARGS:-})"
# TOP=N: the heaviest functions (inclusive) of the worker thread that served the page
if [ -n "${TOP:-}" ]; then sed -n '/file:function/,$p' "$work/inclusive.worker" | head -"$TOP"; fi
