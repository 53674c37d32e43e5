#!/usr/bin/env bash
# bench/import.sh — speed and memory of `gazette import wordpress` on a generated export of
# N posts (bench/gen_wxr.py: categories, tags, authors, featured images, comments, ~2 KB HTML
# bodies with block comments), into a new database. Prints posts/s (wall clock, and per CPU
# second), the importer's peak memory (its own getrusage ru_maxrss, --stats) and, as a
# reference in the same run, the time and memory of libxml2 alone streaming the same file
# (`xmllint --stream --noout`, package libxml2-utils), so the ratio shows the importer's own
# work (it reads the file twice, sanitises every body and writes to SQLite with full-text
# indexing). Appends a section to bench/RESULTS.md.
#
# Usage: bench/import.sh   (env: N=50000 RESULTS=bench/RESULTS.md — RESULTS= to not append)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-50000}
RESULTS=${RESULTS-bench/RESULTS.md}
COMMAND="bench/import.sh"
[ "$N" = 50000 ] || COMMAND="N=$N $COMMAND"
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
if ! command -v xmllint >/dev/null || [ ! -x /usr/bin/time ]; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libxml2-utils time >/dev/null
fi
[ -x ./gazette ] || make --no-print-directory gazette >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/gazette-import.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

python3 bench/gen_wxr.py "$N" "$work/export.xml"
size_mb=$(awk -v b="$(stat -c %s "$work/export.xml")" 'BEGIN { printf "%.0f", b / 1048576 }')
./gazette init --db "$work/site.db" >/dev/null

/usr/bin/time -f "%e %U %S %M" -o "$work/time" \
    ./gazette import wordpress "$work/export.xml" --db "$work/site.db" --quiet --stats >"$work/out"
read -r wall user sys rss_time <"$work/time"
stats=$(grep '^stats:' "$work/out")
rss_kb=$(echo "$stats" | sed -E 's/.*peak memory ([0-9]+) KB.*/\1/')
posts=$(grep -oE '^imported: [0-9]+ posts' "$work/out" | grep -oE '[0-9]+')

/usr/bin/time -f "%e %M" -o "$work/xtime" xmllint --stream --noout "$work/export.xml"
read -r xwall xrss <"$work/xtime"

line=$(awk -v n="$posts" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss_kb" -v xw="$xwall" \
    -v xr="$xrss" -v mb="$size_mb" 'BEGIN {
    printf "posts=%d export_mb=%d wall_s=%.1f posts_per_s=%.0f posts_per_cpu_s=%.0f peak_rss_mb=%.1f xmllint_stream_s=%.2f xmllint_rss_mb=%.1f ratio_vs_xmllint=%.0f",
        n, mb, w, n / w, n / (u + s), r / 1024, xw, xr / 1024, w / xw }')
echo "$line"
if [ -n "$RESULTS" ]; then
    {
        echo
        echo "## bench/import.sh — $(date -u '+%Y-%m-%d %H:%M') UTC"
        echo
        echo "\`$COMMAND\` (gazette $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)):"
        echo
        echo "    $line"
    } >>"$RESULTS"
fi
