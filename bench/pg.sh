#!/usr/bin/env bash
# bench/pg.sh — read throughput of one Gazette node on PostgreSQL against the same node on
# SQLite, with the same seed stories (content/demo, added with `gazette article add` to a new
# database of each kind), measured in the same run with wrk over loopback (keep-alive) at 8 and
# 64 connections: with nothing kept in memory (--cache-mb 0 --story-views 0: every request reads
# the store) and with the defaults (page cache and story views on). Each pair is measured
# ROUNDS times, alternating, and the medians are compared: ratio_pg_vs_sqlite= (PostgreSQL /
# SQLite; higher is better). PostgreSQL is a throwaway cluster of its own (tests/pg/cluster.sh:
# loopback TCP, fsync off), started here and stopped at the end.
# Appends the figures to bench/RESULTS.md (RESULTS=0 to skip).
# Usage: bench/pg.sh   (env: DURATION=5s ROUNDS=3 THREADS=2 RESULTS=1)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
PAGE=/news/maria-zakharova-hamas-visited-moscow/
for tool in wrk curl python3; do
    command -v $tool >/dev/null || { echo "bench: $tool is missing (make bench installs it)"; exit 1; }
done
[ -x ./gazette ] || make gazette >/dev/null

work=$(mktemp -d /tmp/gazette-bench-pg.XXXXXX)
pg_dir=$(mktemp -d /tmp/gazette-bench-pgdata.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    tests/pg/cluster.sh stop "$pg_dir" || true
    rm -rf "$work"
}
trap cleanup EXIT

. "$(dirname "$0")/lib.sh"

admin=$(tests/pg/cluster.sh start "$pg_dir")
pg_db="${admin%/postgres}/gazette_bench"
psql "$admin" -qc "CREATE DATABASE gazette_bench" >/dev/null
sqlite_db="$work/site.db"
for db in "$sqlite_db" "$pg_db"; do
    ./gazette init --db "$db" >/dev/null
    ./gazette article add --db "$db" content/demo/*.md >/dev/null
done

# serve NAME DB ARGS...: starts a node, remembers its port in port_NAME
serve() {
    local name=$1 db=$2 port
    shift 2
    port=$(free_port)
    ./gazette serve --db "$db" --listen 127.0.0.1:$port "$@" >"$work/$name.log" 2>&1 &
    pids+=($!)
    wait_http "http://127.0.0.1:$port$PAGE"
    printf -v "port_$name" '%s' "$port"
}
serve sqlite_bare "$sqlite_db" --cache-mb 0 --story-views 0
serve pg_bare "$pg_db" --cache-mb 0 --story-views 0
serve sqlite_default "$sqlite_db"
serve pg_default "$pg_db"
bytes=$(curl -sf "http://127.0.0.1:$port_pg_default$PAGE" | wc -c)


out="$work/figures.txt"
echo "page: $PAGE ($bytes bytes), $(ls content/demo/*.md | wc -l) demo stories, wrk -t$THREADS -d$DURATION, $ROUNDS rounds, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out"
for mode in bare default; do
    for conns in 8 64; do
        s=() p=()
        for r in $(seq "$ROUNDS"); do
            sport=port_sqlite_$mode pport=port_pg_$mode
            s+=("$(rps "$conns" "http://127.0.0.1:${!sport}$PAGE")")
            p+=("$(rps "$conns" "http://127.0.0.1:${!pport}$PAGE")")
        done
        sm=$(printf '%s\n' "${s[@]}" | median)
        pm=$(printf '%s\n' "${p[@]}" | median)
        ratio=$(awk -v p="$pm" -v s="$sm" 'BEGIN {printf "%.2f", p / s}')
        args="defaults (page cache and story views on)"
        [ "$mode" = bare ] && args="--cache-mb 0 --story-views 0"
        echo "$args connections=$conns sqlite_rps=$sm pg_rps=$pm ratio_pg_vs_sqlite=$ratio  (sqlite: ${s[*]}; pg: ${p[*]})" | tee -a "$out"
    done
done
if [ "${RESULTS:-1}" = 1 ]; then
    {
        echo
        echo "### One node on PostgreSQL vs SQLite — $(date -u +%Y-%m-%d) — \`DURATION=$DURATION ROUNDS=$ROUNDS bench/pg.sh\`"
        echo
        echo "Gazette $(git rev-parse --short HEAD)$(git diff --quiet -- src || echo ' + uncommitted src/ changes'); PostgreSQL on loopback TCP"
        echo "(tests/pg/cluster.sh: fsync off), SQLite in WAL mode on the same disk; the machine was shared with other work."
        echo
        echo '```'
        cat "$out"
        echo '```'
    } >>bench/RESULTS.md
fi
