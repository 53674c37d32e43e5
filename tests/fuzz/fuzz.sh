#!/usr/bin/env bash
# tests/fuzz/fuzz.sh — runs each libFuzzer target built by `make fuzz` for a bounded time
# (FUZZ_SECONDS, default 60) on a copy of its seed corpus in build/fuzz/corpus/NAME (kept
# between runs, so a later run goes on from there; the seeds in tests/fuzz/corpus are never
# written to). One target at a time, one process each. Prints a line of figures per target
# and fails when any target finds a crash, a leak, a sanitizer report or a timeout; the
# input is kept in build/fuzz/artifacts/NAME/ and the output in build/fuzz/NAME.log.
# Usage: tests/fuzz/fuzz.sh [NAME...]   (default: every build/fuzz/fuzz_* target)
set -u
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-60}
timeout=${FUZZ_TIMEOUT:-20}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for t in build/fuzz/fuzz_*; do
        [ -x "$t" ] && targets+=("${t#build/fuzz/fuzz_}")
    done
fi
failed=()
for name in "${targets[@]}"; do
    corpus=build/fuzz/corpus/$name artifacts=build/fuzz/artifacts/$name
    mkdir -p "$corpus" "$artifacts"
    cp -r "tests/fuzz/corpus/$name/." "$corpus/"
    dict=()
    [ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
    log=build/fuzz/$name.log
    build/fuzz/fuzz_"$name" -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb=2048 \
        -max_len=8192 -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" \
        "$corpus" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)
    printf '%-14s %s  runs %s  exec/s %s  %s\n' "$name" "$([ $rc -eq 0 ] && echo ok || echo FAIL)" \
        "${runs:-?}" "${speed:-?}" "${cov:-}"
    if [ $rc -ne 0 ]; then
        failed+=("$name")
        grep -E -m1 -A12 'ERROR: |runtime error|fuzz check failed|FTS5 refused' "$log" | sed 's/^/    /'
        ls "$artifacts" | sed 's/^/    artifact: /'
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: ${failed[*]} failed (logs in build/fuzz/NAME.log, inputs in build/fuzz/artifacts/)"
    exit 1
fi
echo "fuzz: ${#targets[@]} targets, no crash in $seconds s each"
