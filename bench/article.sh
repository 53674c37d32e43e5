#!/usr/bin/env bash
# bench/article.sh — the seed article page served by Gazette vs nginx serving the same bytes
# as a static file, measured in the same run with wrk over loopback (keep-alive), at 64 and at
# 8 connections: Gazette with its page cache (the default) and with it off (--cache-mb 0: every
# request renders the page). Prints requests/s and ratio_vs_nginx= (Gazette / nginx; higher is
# better). Each pair is measured ROUNDS times, alternating, and the medians are compared.
# Appends the figures to bench/RESULTS.md (RESULTS=0 to skip).
# The uncached server still keeps each story's view (the parts of its page that are the same for
# every reader, docs/caching.md); UNCACHED_ARGS="--story-views 0" measures the render from the
# store alone.
# Usage: bench/article.sh   (env: DURATION=10s ROUNDS=3 THREADS=2 RESULTS=1 UNCACHED_ARGS=)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
PAGE=/news/maria-zakharova-hamas-visited-moscow/
for tool in wrk nginx curl; do
    command -v $tool >/dev/null || { echo "bench: $tool is missing (make bench installs it)"; exit 1; }
done
[ -x ./gazette ] || make gazette >/dev/null

work=$(mktemp -d /tmp/gazette-bench.XXXXXX)
chmod 755 "$work" # nginx workers run as an unprivileged user
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

. "$(dirname "$0")/lib.sh"

gport=$(free_port)
./gazette demo --db "$work/demo.db" --listen 127.0.0.1:$gport >"$work/gazette.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$gport$PAGE"
uport=$(free_port)
./gazette serve --db "$work/demo.db" --listen 127.0.0.1:$uport --cache-mb 0 ${UNCACHED_ARGS:-} >"$work/uncached.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$uport$PAGE"

mkdir -p "$work/www/news/maria-zakharova-hamas-visited-moscow"
curl -sf "http://127.0.0.1:$gport$PAGE" -o "$work/www/news/maria-zakharova-hamas-visited-moscow/index.html"
bytes=$(stat -c %s "$work/www/news/maria-zakharova-hamas-visited-moscow/index.html")

nport=$(free_port)
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
daemon off;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    types { text/html html; }
    default_type text/html;
    client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
    uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
    server { listen 127.0.0.1:$nport; root $work/www; index index.html; }
}
CONF
mkdir -p "$work/tmp"
nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
wait_http "http://127.0.0.1:$nport$PAGE"


out="$work/figures.txt"
echo "page: $PAGE ($bytes bytes), wrk -t$THREADS -d$DURATION, $ROUNDS rounds, $(nproc) cores" | tee "$out"
for conns in 64 8; do
    g=() n=() u=()
    for r in $(seq "$ROUNDS"); do
        g+=("$(rps "$conns" "http://127.0.0.1:$gport$PAGE")")
        n+=("$(rps "$conns" "http://127.0.0.1:$nport$PAGE")")
        u+=("$(rps "$conns" "http://127.0.0.1:$uport$PAGE")")
    done
    gm=$(printf '%s\n' "${g[@]}" | median)
    nm=$(printf '%s\n' "${n[@]}" | median)
    um=$(printf '%s\n' "${u[@]}" | median)
    ratio=$(awk -v g="$gm" -v n="$nm" 'BEGIN {printf "%.2f", g / n}')
    uratio=$(awk -v g="$um" -v n="$nm" 'BEGIN {printf "%.2f", g / n}')
    echo "cached   connections=$conns gazette_rps=$gm nginx_rps=$nm ratio_vs_nginx=$ratio  (gazette: ${g[*]}; nginx: ${n[*]})" | tee -a "$out"
    echo "uncached connections=$conns gazette_rps=$um nginx_rps=$nm ratio_vs_nginx=$uratio  (pages rendered per request; goal >= 10000/s; runs: ${u[*]})" | tee -a "$out"
done
if [ "${RESULTS:-1}" = 1 ]; then
    {
        echo
        echo "### Article page vs nginx — $(date -u +%Y-%m-%d) — \`DURATION=$DURATION ROUNDS=$ROUNDS${UNCACHED_ARGS:+ UNCACHED_ARGS=\"$UNCACHED_ARGS\"} bench/article.sh\`"
        echo
        echo '```'
        cat "$out"
        echo '```'
    } >>bench/RESULTS.md
fi
