#!/bin/sh
# related.sh — the related-stories engine and full-text search at scale: builds
# bench/related_bench.c (make bench-related) and runs it on synthetic sites replicated from the
# BBC set (../shared/data/news/bbc, read in place) for each N in N_LIST (default 10000 100000).
# Figures are absolute, checked against the issue's goals: there is no external reference
# program to compare with, so no ratio. Usage: [N_LIST="10000 100000"] bench/related.sh [data-dir]
set -eu
cd "$(dirname "$0")/.."
make --no-print-directory bench-related >/dev/null
echo "bench/related.sh: no external reference program for these figures (absolute numbers" \
     "against the goals, no ratio); $(nproc) cores, $(date -u +%Y-%m-%d)"
for n in ${N_LIST:-10000 100000}; do
    echo
    /usr/bin/time -f "  (whole run: %e s wall, %M KB max RSS)" build/release/bin/related_bench "$n" "$@"
done
