#!/usr/bin/env bash
# bench/memory.sh — Gazette's resident memory with 100,000 stories loaded and the page cache
# warm. Generates N stories replicated from the BBC set (bench/gen_stories.py; the set is read
# in place from ../shared/data/news/bbc), loads them with `gazette article add` (timed), starts
# `gazette serve`, requests the home page and its first pages, every topic and author page, and
# PAGES distinct article pages, then reads VmRSS and VmHWM from /proc/PID/status. Goal: RSS
# <= 200 MB. There is no external reference program to compare memory with meaningfully, so
# the figures are absolute (no ratio), like bench/related.sh.
#
# Usage: bench/memory.sh   (env: N=100000 PAGES=20000 BATCH=10000 (stories per 'article add')
#                           CACHE_MB= (passed as --cache-mb when set) TIMEOUT=1800 (s, load
#                           and start-up each) WARM_TIMEOUT=1800 (s: the warm-up stops there
#                           and the figures are read anyway, marked as such)
#                           RESULTS=bench/RESULTS.md — set RESULTS= to not append;
#                           GAZETTE=./gazette (the binary to measure);
#                           KEEP=DIR keeps the stories and the database in DIR, and a later
#                           run with the same KEEP and N reuses them instead of loading again)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
PAGES=${PAGES:-20000}
BATCH=${BATCH:-10000}
CACHE_MB=${CACHE_MB:-}
TIMEOUT=${TIMEOUT:-1800}
WARM_TIMEOUT=${WARM_TIMEOUT:-1800}
RESULTS=${RESULTS-bench/RESULTS.md}
KEEP=${KEEP:-}
GAZETTE=${GAZETTE:-./gazette}
GOAL_MB=200
COMMAND="bench/memory.sh"
[ "$N$PAGES" = 10000020000 ] || COMMAND="N=$N PAGES=$PAGES $COMMAND"
[ -z "$CACHE_MB" ] || COMMAND="CACHE_MB=$CACHE_MB $COMMAND"
[ "$WARM_TIMEOUT" = 1800 ] || COMMAND="WARM_TIMEOUT=$WARM_TIMEOUT $COMMAND"
[ -z "$KEEP" ] || COMMAND="KEEP=$KEEP $COMMAND"

SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
if ! command -v curl >/dev/null || ! command -v python3 >/dev/null; then
    $SUDO apt-get update -qq >/dev/null || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends curl python3 >/dev/null
fi
[ -x "$GAZETTE" ] || make --no-print-directory gazette >/dev/null
build=$(git log -1 --format=%h 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain -- src 2>/dev/null)" ] || build="$build + uncommitted src/ changes"

work=$(mktemp -d "${TMPDIR:-/tmp}/gazette-memory.XXXXXX")
data=$work
if [ -n "$KEEP" ]; then mkdir -p "$KEEP" && data=$(cd "$KEEP" && pwd); fi
pid=
cleanup() {
    set +e
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "bench/memory.sh: $*" >&2; exit 1; }
secs_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}'; }
status_mb() { awk -v k="$1:" '$1 == k {printf "%.1f", $2 / 1024}' "/proc/$pid/status"; }
# CPU seconds (user + system) the server has used: on a shared machine the start-up's wall
# time says more about the neighbours than about the build
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$pid/stat"; }

# ---- stories and the database ---------------------------------------------------------------
if [ -f "$data/site.db" ] && [ "$(cat "$data/n" 2>/dev/null)" = "$N" ]; then
    gen_s=kept
    load_s=kept
    load_text="database reused (KEEP)"
    n_calls=kept
    echo "reusing the stories and database in $data (KEEP)"
else
    rm -rf "$data/stories" "$data/site.db" "$data/n"
    t0=$(date +%s.%N)
    python3 bench/gen_stories.py "$N" "$data/stories" gazette 2>/dev/null
    gen_s=$(secs_since "$t0")
    "$GAZETTE" init --db "$data/site.db" >/dev/null
    # 'gazette article add' checks that the slugs of its files are unique by comparing every
    # pair (quadratic: 100,000 files in one call spend many minutes in strcmp alone), so the
    # stories go in batches of BATCH files (gen_stories.py writes 1,000 to a folder), one call
    # each; the later calls add to a database that already holds the earlier batches.
    mapfile -t dirs < <(find "$data/stories" -mindepth 1 -maxdepth 1 -type d | sort)
    per=$(( (BATCH + 999) / 1000 ))
    n_calls=$(( (${#dirs[@]} + per - 1) / per ))
    t0=$(date +%s.%N)
    for ((i = 0; i < ${#dirs[@]}; i += per)); do
        timeout "$TIMEOUT" "$GAZETTE" article add --quiet --db "$data/site.db" "${dirs[@]:i:per}" >>"$work/add.log" 2>&1 ||
            { tail -20 "$work/add.log" >&2; die "gazette article add failed"; }
    done
    load_s=$(secs_since "$t0")
    load_text="load $load_s s"
    echo "$N" >"$data/n"
fi
db_mb=$(du -m "$data/site.db" | cut -f1)
echo "$N stories (replicated BBC set, generated in ${gen_s} s), $(nproc) cores; gazette $build, --cache-mb ${CACHE_MB:-default}"
echo "load: gazette article add, $n_calls calls of up to $((BATCH)) stories, took ${load_s} s; database $db_mb MB"

# ---- serve and warm the cache ---------------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
cache_opt=()
[ -z "$CACHE_MB" ] || cache_opt=(--cache-mb "$CACHE_MB")
t0=$(date +%s.%N)
"$GAZETTE" serve --db "$data/site.db" --listen 127.0.0.1:$port "${cache_opt[@]}" >"$work/serve.log" 2>&1 &
pid=$!
up=0
for _ in $(seq $((TIMEOUT * 10))); do
    kill -0 "$pid" 2>/dev/null || { tail -20 "$work/serve.log" >&2; die "gazette serve exited"; }
    if curl -sf -o /dev/null --max-time 30 "$base/"; then up=1; break; fi
    sleep 0.1
done
[ $up = 1 ] || die "gazette serve did not answer within ${TIMEOUT}s"
start_s=$(secs_since "$t0")
rss_start=$(status_mb VmRSS)
cpu_start=$(cpu_s)
echo "start-up: first answer after ${start_s} s (${cpu_start} s of CPU); RSS then $rss_start MB"

# The URLs: home and its first 10 pages, every topic and author (first 3 pages each), and
# PAGES distinct stories spread over the whole site. Two curl processes, keep-alive each.
find "$data/stories" -name '*.md' | sort >"$work/all"
total=$(wc -l <"$work/all")
[ "$PAGES" -le "$total" ] || PAGES=$total
{
    echo "$base/"
    for p in $(seq 2 10); do echo "$base/?page=$p"; done
    for kind in topic author; do
        grep -rh "^${kind}s: " "$data/stories" | sed 's/^[a-z]*: //' | tr ',' '\n' | sed 's/^ *//' | sort -u |
            python3 -c 'import re, sys, unicodedata
for line in sys.stdin:
    t = unicodedata.normalize("NFKD", line.strip()).encode("ascii", "ignore").decode().lower()
    print(re.sub(r"[^a-z0-9]+", "-", t).strip("-"))' |
            while read -r s; do
                echo "$base/$kind/$s/"
                for p in 2 3; do echo "$base/$kind/$s/?page=$p"; done
            done
    done
    awk -v n="$total" -v k="$PAGES" '{ if (int((NR - 1) * k / n) != int(NR * k / n)) print }' "$work/all" |
        sed 's#.*/##; s#\.md$##' | sed "s#^#$base/news/#; s#\$#/#"
} >"$work/urls"
n_urls=$(wc -l <"$work/urls")
split -n l/2 "$work/urls" "$work/urls."
for f in "$work"/urls.a?; do
    sed 's/.*/url = "&"\noutput = "\/dev\/null"/' "$f" >"$f.curl"
done
t0=$(date +%s.%N)
cpids=()
for f in "$work"/urls.a?.curl; do
    # the status codes go to stderr, unbuffered, so a warm-up cut short by WARM_TIMEOUT still
    # counts what was answered
    timeout "$WARM_TIMEOUT" curl -s -K "$f" -w '%{stderr}%{http_code}\n' 2>"$f.codes" &
    cpids+=($!)
done
complete=yes
for c in "${cpids[@]}"; do
    rc=0
    wait "$c" || rc=$?
    [ $rc = 0 ] || { [ $rc = 124 ] && complete=no; } || die "warm-up requests failed (curl exit $rc)"
done
warm_s=$(secs_since "$t0")
ok=$(cat "$work"/urls.a?.curl.codes | grep -c '^200$' || true)
bad=$(cat "$work"/urls.a?.curl.codes | grep -vc '^200$' || true)
[ "$bad" = 0 ] || echo "bench/memory.sh: warning: $bad requests did not answer 200" >&2
rss=$(status_mb VmRSS)
hwm=$(status_mb VmHWM)
verdict=$(awk -v r="$rss" -v g="$GOAL_MB" 'BEGIN {print (r <= g) ? "ok" : "MISSED"}')
done_n=$(cat "$work"/urls.a?.curl.codes | wc -l)
if [ $complete = yes ]; then
    echo "warm-up: $n_urls requests ($ok answered 200; $PAGES distinct stories) in ${warm_s} s"
else
    echo "warm-up: cut short after ${WARM_TIMEOUT} s: $done_n of $n_urls requests done ($ok answered 200)"
fi
line="rss_mb=$rss hwm_mb=$hwm (goal rss <= $GOAL_MB MB: $verdict); start-up rss $rss_start MB after ${start_s} s (${cpu_start} s CPU); $load_text; warm-up $done_n of $n_urls requests in ${warm_s} s"
echo "$line"
echo "no reference: there is no external program to compare this memory with meaningfully (absolute figure against the goal)"

if [ -n "$RESULTS" ]; then
    {
        echo
        echo "## bench/memory.sh — $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo
        echo "\`$COMMAND\` (gazette $build, --cache-mb ${CACHE_MB:-default}; $N stories, database $db_mb MB, $(nproc) cores; after $n_urls requests" \
             "($PAGES distinct stories, home, topic and author pages); no reference program:" \
             "absolute figure against the goal):"
        echo
        echo "    $line"
    } >>"$RESULTS"
fi
