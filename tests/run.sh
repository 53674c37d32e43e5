#!/usr/bin/env bash
# tests/run.sh — runs every suite and prints one closing line "N passed, N failed, N skipped".
# Every suite speaks TAP: the cmocka unit tests (CMOCKA_MESSAGE_OUTPUT=TAP), the Mustache spec
# runner, and the end-to-end tests (tests/e2e/run.py, which start the real ./gazette). The unit
# and end-to-end suites run twice: once on the release build, once on the ASan+UBSan build
# (any sanitizer report fails the run). The fuzz replay suites (with the unit ones) run every
# file of tests/fuzz/corpus through its fuzz target on the ASan build. The browser tests
# (tests/browser/run.mjs: chromium driven by playwright-core against the release build) print TAP
# too. TESTS_ONLY=unit|e2e|browser runs one kind.
#
# PostgreSQL: a throwaway cluster (tests/pg/cluster.sh) is started once before the unit tests
# and stopped on exit (failure and interrupt too); GAZETTE_TEST_PG holds its admin URL. The
# store-touching unit tests (PG_TESTS, and every test_pg_*) run a second time against it, on the
# release build, counted as unit/pg/NAME; the e2e suite's pg_tests module runs two servers on
# one database. TESTS_ONLY=pg runs only the PostgreSQL unit runs and pg_tests (make test-pg).
# PG=0 skips PostgreSQL altogether.
set -u
cd "$(dirname "$0")/.."
only=${TESTS_ONLY:-all}
log_dir=$(mktemp -d /tmp/gazette-tests.XXXXXX)
passed=0 failed=0 skipped=0

count() { # count TAP results of file $2 for suite $1
    local p f s
    # cmocka writes a skipped test as "not ok N # SKIP"; a skip is neither a pass nor a failure
    p=$(grep -E '^ok ' "$2" | grep -cvE '# (SKIP|skip)' | tr -d ' ')
    s=$(grep -cE '^(not )?ok .*# (SKIP|skip)' "$2" | tr -d ' ')
    f=$(grep -E '^not ok ' "$2" | grep -cvE '# (SKIP|skip)' | tr -d ' ')
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
    printf '%-40s %4d passed, %d failed, %d skipped\n' "$1" "$p" "$f" "$s"
    grep -E '^not ok ' "$2" | grep -vE '# (SKIP|skip)' | sed 's/^/    /'
}

run_suite() { # name, then the command
    local name=$1; shift
    local out="$log_dir/$(echo "$name" | tr '/ :' '___').tap"
    CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$@" >"$out" 2>"$out.err"
    local rc=$?
    count "$name" "$out"
    if [ $rc -ne 0 ] && [ "$(grep -E '^not ok ' "$out" | grep -cvE '# (SKIP|skip)')" = 0 ]; then
        echo "not ok - $name exited with status $rc" >>"$out"
        failed=$((failed + 1))
        echo "    $name exited with status $rc; its stderr:"; tail -20 "$out.err" | sed 's/^/    /'
    fi
    if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$out.err"; then
        failed=$((failed + 1))
        echo "    sanitizer report in $name:"; grep -E -A5 'Sanitizer|runtime error' "$out.err" | head -30 | sed 's/^/    /'
    fi
    grep -h '^mustache spec: [0-9]' "$out.err" | sed 's/^/    /'
}

PG_TESTS="test_store test_search test_editor test_admin test_newsletter test_push test_media
          test_comments test_api"
pg_dir=""
stop_pg() { [ -n "$pg_dir" ] && tests/pg/cluster.sh stop "$pg_dir"; pg_dir=""; }
trap stop_pg EXIT
trap 'stop_pg; exit 130' INT
trap 'stop_pg; exit 143' TERM
if [ "${PG:-1}" != 0 ] && [ "$only" != browser ]; then
    pg_dir=$(mktemp -d /tmp/gazette-pg.XXXXXX)
    if GAZETTE_TEST_PG=$(tests/pg/cluster.sh start "$pg_dir" 2>"$log_dir/pg-cluster.err"); then
        export GAZETTE_TEST_PG GAZETTE_TEST_PG_DIR=$pg_dir
    else
        echo "not ok - the PostgreSQL test cluster did not start; its messages:"
        sed 's/^/    /' "$log_dir/pg-cluster.err"
        failed=$((failed + 1))
        unset GAZETTE_TEST_PG
        stop_pg
    fi
fi
# Runs the store-touching unit tests of build $1 on the PostgreSQL cluster.
run_pg_units() {
    [ -n "${GAZETTE_TEST_PG:-}" ] || return 0
    local t
    for t in $PG_TESTS $(cd "$1" 2>/dev/null && ls test_pg_* 2>/dev/null); do
        [ -x "$1/$t" ] && run_suite "unit/pg/$t" "$1/$t"
    done
}
# The SQLite runs never see the cluster's URL.
sqlite_env() { env -u GAZETTE_TEST_PG "$@"; }

if [ "$only" = pg ]; then
    run_pg_units build/release/bin
    [ -n "${GAZETTE_TEST_PG:-}" ] && run_suite "e2e/pg" python3 tests/e2e/run.py --gazette ./gazette --only pg_tests,migrate_tests
fi
if [ "$only" = all ] || [ "$only" = unit ]; then
    for t in build/release/bin/test_*; do
        [ -x "$t" ] && run_suite "unit/$(basename "$t")" sqlite_env "$t"
    done
    run_pg_units build/release/bin
    if [ "$only" = all ]; then
        for t in build/asan/bin/test_*; do
            [ -x "$t" ] && run_suite "asan/$(basename "$t")" sqlite_env "$t"
        done
    fi
fi
if [ "$only" = all ] || [ "$only" = unit ]; then
    # every fuzz corpus file, crash regressions included, through its target (tests/fuzz)
    for t in build/asan/bin/fuzz_*; do
        name=${t##*/fuzz_}
        [ -x "$t" ] && run_suite "fuzz/replay/$name" "$t" "$name" tests/fuzz/corpus/"$name"/*
    done
fi
if [ "$only" = all ] || [ "$only" = e2e ]; then
    run_suite "e2e/release" python3 tests/e2e/run.py --gazette ./gazette
    if [ "$only" = all ]; then
        run_suite "e2e/asan" python3 tests/e2e/run.py --gazette build/asan/gazette --sanitized
    fi
fi
if [ "$only" = all ] || [ "$only" = browser ]; then
    run_suite "browser" node tests/browser/run.mjs --gazette ./gazette
fi
echo "logs: $log_dir"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
