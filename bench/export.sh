#!/usr/bin/env bash
# bench/export.sh — static export of a 10,000-story site: `gazette export static` vs Hugo
# (Debian's hugo package) building the same stories with a comparable theme of our own
# (bench/hugo-theme: home list, story pages with topic links and four related stories from
# Hugo's .Related on the topics taxonomy, topic and author pages, 24 stories to a list page,
# Hugo's own feeds and sitemap). The stories are replicated from the BBC set
# (../shared/data/news/bbc, read in place) by bench/gen_stories.py, the same stories in both
# formats. Prints both times (medians of ROUNDS alternating runs, each into an empty output
# dir), the pages each wrote, and ratio_vs_hugo= (Gazette time / Hugo time; lower is better;
# the goal is <= 0.5).
#
# What is timed: Gazette's export reads a database that is loaded beforehand (`gazette article
# add`, timed and printed but not part of the figure); Hugo's build includes parsing its
# Markdown content files, as that is how Hugo works.
#
# Usage: bench/export.sh   (env: N=10000 ROUNDS=3 TIMEOUT=1800 (s, per run)
#                           RESULTS=bench/RESULTS.md — set RESULTS= to not append)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
N=${N:-10000}
ROUNDS=${ROUNDS:-3}
TIMEOUT=${TIMEOUT:-1800}
RESULTS=${RESULTS-bench/RESULTS.md}
BASE_URL=http://127.0.0.1:8080
COMMAND="bench/export.sh"
[ "$N$ROUNDS" = 100003 ] || COMMAND="N=$N ROUNDS=$ROUNDS $COMMAND"

SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
if ! command -v hugo >/dev/null || ! command -v python3 >/dev/null; then
    $SUDO apt-get update -qq >/dev/null || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends hugo python3 >/dev/null
fi
[ -x ./gazette ] || make --no-print-directory gazette >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/gazette-export.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "bench/export.sh: $*" >&2; exit 1; }
# A copy of the binary, so that every round runs the same one even if ./gazette is rebuilt
# meanwhile; its theme is named explicitly as it is no longer next to it.
cp ./gazette "$work/gazette"
G=("$work/gazette")
THEME=(--theme "$repo/themes/default")
build=$(git log -1 --format=%h 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain -- src 2>/dev/null)" ] || build="$build + uncommitted src/ changes"

# ---- the stories, in both formats -----------------------------------------------------------
python3 bench/gen_stories.py "$N" "$work/stories" gazette
python3 bench/gen_stories.py "$N" "$work/site/content/posts" hugo
cat >"$work/site/hugo.toml" <<TOML
baseURL = "$BASE_URL/"
title = "The Port Alder Courier"
languageCode = "en"
theme = "hugo-theme"
themesDir = "$repo/bench"
paginate = 24
disableKinds = ["section"] # no /posts/ list: Gazette has no such page
[permalinks] # Gazette's addresses
  posts = "/news/:slug/"
  topics = "/topic/:slug/"
  authors = "/author/:slug/"
[taxonomies]
  topic = "topics"
  author = "authors"
# Related stories: shared topics first, then the same month (Hugo's usual date index).
[related]
  includeNewer = true
  threshold = 1
  toLower = false
  [[related.indices]]
    name = "topics"
    weight = 100
  [[related.indices]]
    name = "date"
    weight = 10
    pattern = "2006-01"
TOML

# ---- Gazette's database (not timed in the figure) -------------------------------------------
"${G[@]}" init --db "$work/site.db" >/dev/null
t0=$(date +%s.%N)
timeout "$TIMEOUT" "${G[@]}" article add --quiet --db "$work/site.db" "$work/stories" >"$work/add.log" 2>&1 ||
    { tail -20 "$work/add.log" >&2; die "gazette article add failed"; }
load_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
db_mb=$(du -m "$work/site.db" | cut -f1)

have_export=1
"${G[@]}" export static --help >/dev/null 2>&1 || have_export=0

# ---- measure --------------------------------------------------------------------------------
elapsed() { # elapsed LOG CMD...: runs CMD (bounded by TIMEOUT), prints its wall time in s
    local log=$1 s
    shift
    s=$(date +%s.%N)
    timeout "$TIMEOUT" "$@" </dev/null >"$log" 2>&1 || { tail -20 "$log" >&2; die "failed: $*"; }
    awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}'
}
pages() { find "$1" -name '*.html' | wc -l; }
files() { find "$1" -type f | wc -l; }
. "$(dirname "$0")/lib.sh"
first_slug=$(sed -n 's/^slug: //p' "$(find "$work/stories" -name '*.md' | sort | head -1)")

echo "$N stories (replicated BBC set), $(nproc) cores, $ROUNDS alternating rounds, each into an empty output dir; gazette $build"
echo "gazette article add (loading the database; not part of the timed figure): ${load_s} s, database $db_mb MB"
echo "timed: Gazette 'export static' from the loaded database; Hugo $(hugo version | grep -o 'v[0-9.]*' | head -1) build including parsing its Markdown content"
g=() h=()
for r in $(seq "$ROUNDS"); do
    if [ $have_export = 1 ]; then
        rm -rf "$work/out-g"
        g+=("$(elapsed "$work/export.log" "${G[@]}" export static "$work/out-g" --db "$work/site.db" "${THEME[@]}" --base-url "$BASE_URL")")
    fi
    rm -rf "$work/out-h" "$work/hugo-cache"
    h+=("$(elapsed "$work/hugo.log" hugo --source "$work/site" --destination "$work/out-h" --cacheDir "$work/hugo-cache")")
done
[ -s "$work/out-h/news/$first_slug/index.html" ] || die "Hugo wrote no page for $first_slug"
hm=$(printf '%s\n' "${h[@]}" | median)
hp=$(pages "$work/out-h") hf=$(files "$work/out-h")
echo "hugo_s=$hm ($hp HTML pages, $hf files; rounds: ${h[*]})"
if [ $have_export = 0 ]; then
    echo "gazette_s=n/a: this ./gazette has no 'export static' command yet; no ratio"
    line="gazette_s=n/a (no 'export static' in this build) hugo_s=$hm ($hp pages, $hf files)"
    status=1
else
    [ -s "$work/out-g/news/$first_slug/index.html" ] || echo "bench/export.sh: warning: Gazette wrote no news/$first_slug/index.html" >&2
    gm=$(printf '%s\n' "${g[@]}" | median)
    gp=$(pages "$work/out-g") gf=$(files "$work/out-g")
    ratio=$(awk -v g="$gm" -v h="$hm" 'BEGIN {printf "%.2f", g / h}')
    per_round=$(for i in "${!g[@]}"; do awk -v g="${g[$i]}" -v h="${h[$i]}" 'BEGIN {printf "%.2f ", g / h}'; done)
    verdict=$(awk -v r="$ratio" 'BEGIN {print (r <= 0.5) ? "ok" : "MISSED"}')
    echo "gazette_s=$gm ($gp HTML pages, $gf files; rounds: ${g[*]})"
    line="gazette_s=$gm ($gp pages, $gf files) hugo_s=$hm ($hp pages, $hf files) ratio_vs_hugo=$ratio (goal <= 0.5: $verdict)"
    echo "ratio_vs_hugo=$ratio (goal <= 0.5: $verdict); per round: ${per_round% }"
    status=0
fi

if [ -n "$RESULTS" ]; then
    {
        echo
        echo "## bench/export.sh — $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo
        echo "\`$COMMAND\` (gazette $build; $N stories, $(nproc) cores, shared machine; medians of $ROUNDS rounds;" \
             "Gazette's database load, not timed in the ratio: ${load_s} s; Hugo's figure includes" \
             "parsing its content):"
        echo
        echo "    $line"
        echo "    rounds: gazette ${g[*]:-n/a}; hugo ${h[*]}; ratio per round: ${per_round:-n/a}" | sed "s/ *$//"
    } >>"$RESULTS"
fi
exit $status
