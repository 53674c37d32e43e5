#!/usr/bin/env bash
# bench/render_instructions.sh — instructions per uncached article page, counted by callgrind:
# unlike pages/s or CPU time it does not move with the machine's load, so it shows what a change
# to the render path is worth. Serves the demo with the page cache off under
# `valgrind --tool=callgrind` (counting only inside the request handler, on_request: routing,
# the page, its ETag and handing it to libmicrohttpd; not the kernel), warms up (each worker
# thread opens its database connection on its first request), zeroes the counters, asks for the
# page REQUESTS times over one keep-alive connection and divides.
# Usage: bench/render_instructions.sh   (env: REQUESTS=500 GAZETTE=./gazette ARGS="--story-views 0")
set -euo pipefail
cd "$(dirname "$0")/.."
REQUESTS=${REQUESTS:-500}
GAZETTE=${GAZETTE:-./gazette}
PAGE=${PAGE:-/news/maria-zakharova-hamas-visited-moscow/}
for tool in valgrind callgrind_control curl; do
    command -v $tool >/dev/null || { echo "bench: $tool is missing (apt-get install valgrind curl)"; exit 1; }
done
work=$(mktemp -d /tmp/gazette-instructions.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
many() { local args=(); for _ in $(seq "$1"); do args+=(-o /dev/null "$url"); done; curl -sf "${args[@]}"; }

port=$(free_port)
"$GAZETTE" demo --db "$work/demo.db" --listen 127.0.0.1:$port >"$work/demo.log" 2>&1 &
pid=$!
url="http://127.0.0.1:$port$PAGE"
wait_http "$url" 120
kill "$pid"; wait "$pid" 2>/dev/null || true
port=$(free_port)
url="http://127.0.0.1:$port$PAGE"
# shellcheck disable=SC2086
valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" --toggle-collect=on_request \
    "$GAZETTE" serve --db "$work/demo.db" --listen 127.0.0.1:$port --cache-mb 0 ${ARGS:-} \
    >"$work/serve.log" 2>&1 &
pid=$!
wait_http "$url" 120
sleep 2 # the related index and the freshness watcher take in the demo's stories
many 100
callgrind_control -z "$pid" >/dev/null 2>&1
many "$REQUESTS"
callgrind_control -d "$pid" >/dev/null 2>&1
total=$(callgrind_annotate "$work"/callgrind.out.* 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}')
echo "instructions per page: $((total / REQUESTS)) ($REQUESTS requests of $PAGE, --cache-mb 0 ${ARGS:-})"
if [ -n "${TOP:-}" ]; then callgrind_annotate --inclusive=yes "$work"/callgrind.out.* 2>/dev/null | sed -n '/file:function/,$p' | head -"$TOP"; fi
