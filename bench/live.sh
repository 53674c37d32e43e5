#!/usr/bin/env bash
# bench/live.sh — live updates: publish-to-delivery latency with STREAMS Server-Sent Event
# streams open on loopback (bench/live_bench.py does the measuring): the demo site served by
# `gazette demo`, ROUNDS stories published one by one with `gazette article add`; prints p50,
# p99 and max of the delay between the CLI's exit and each stream receiving the story, the
# server's thread count before and after the streams opened, and its CPU while they are idle.
# Appends the line to bench/RESULTS.md (RESULTS=0 to skip).
# Usage: bench/live.sh   (env: STREAMS=2000 ROUNDS=20 RESULTS=1)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x ./gazette ] || make gazette >/dev/null
work=$(mktemp -d /tmp/gazette-live-bench.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
./gazette demo --db "$work/demo.db" --listen 127.0.0.1:$port >"$work/gazette.log" 2>&1 &
pid=$!
for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
line=$(python3 bench/live_bench.py ./gazette "$work/demo.db" "$port" "$work" "$pid")
echo "$line"
if [ "${RESULTS:-1}" != 0 ]; then
    printf '\n%s (bench/live.sh, %s, %s cores)\n' "$line" "$(date -u +%Y-%m-%d)" "$(nproc)" >>bench/RESULTS.md
fi
