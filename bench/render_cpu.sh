#!/usr/bin/env bash
# bench/render_cpu.sh — server CPU time per uncached page: the seed article page served with the
# page cache off (--cache-mb 0), wrk over loopback (keep-alive); the server's user+sys CPU
# (from /proc/PID/stat before and after each run) divided by the requests wrk completed. Far
# less sensitive to a loaded machine than pages/s. Prints each run and the medians.
# Usage: bench/render_cpu.sh   (env: DURATION=5s ROUNDS=3 CONNS=8 THREADS=2 GAZETTE=./gazette)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-8}
THREADS=${THREADS:-2}
GAZETTE=${GAZETTE:-./gazette}
PAGE=${PAGE:-/news/maria-zakharova-hamas-visited-moscow/}
for tool in wrk curl; do
    command -v $tool >/dev/null || { echo "bench: $tool is missing (make bench installs it)"; exit 1; }
done
work=$(mktemp -d /tmp/gazette-render.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

port=$(free_port)
"$GAZETTE" demo --db "$work/demo.db" --listen 127.0.0.1:$port --cache-mb 0 >"$work/server.log" 2>&1 &
pid=$!
wait_http "http://127.0.0.1:$port$PAGE"
hz=$(getconf CLK_TCK)
runs=() cpus=()
for _ in $(seq "$ROUNDS"); do
    before=$(cpu_ticks "$pid")
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "http://127.0.0.1:$port$PAGE")
    after=$(cpu_ticks "$pid")
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    us=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$requests" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
    echo "run: pages/s=$rps requests=$requests server_cpu_us_per_page=$us"
    runs+=("$rps") cpus+=("$us")
done
echo "median: pages/s=$(printf '%s\n' "${runs[@]}" | median) server_cpu_us_per_page=$(printf '%s\n' "${cpus[@]}" | median) (connections=$CONNS, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
