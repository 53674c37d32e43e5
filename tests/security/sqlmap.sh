#!/usr/bin/env bash
# tests/security/sqlmap.sh — SQL injection probe of every endpoint that takes reader input
# (`make security`; not part of `make test`: it takes minutes and needs the sqlmap package).
#
# Installs Debian's sqlmap when missing, builds ./gazette, serves the demo stories from a
# temporary database on a free loopback port, runs sqlmap (--batch --level 2 --risk 1, bounded
# by SQLMAP_TIMEOUT seconds per endpoint, default 600) against the search page, the search and
# articles API, one article by slug and the comment form, stops the server by its PID, and
# prints one line per endpoint with sqlmap's verdict. Exit status 0 when no endpoint was found
# injectable and every run finished, 1 otherwise.
set -u
cd "$(dirname "$0")/../.."
per_run=${SQLMAP_TIMEOUT:-600}
sudo_cmd=$([ "$(id -u)" = 0 ] || echo sudo)

if ! command -v sqlmap >/dev/null; then
    echo "installing sqlmap (Debian package)"
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq sqlmap >/dev/null || {
        echo "cannot install sqlmap" >&2
        exit 1
    }
fi
make --no-print-directory gazette >/dev/null || exit 1

tmp=$(mktemp -d /tmp/gazette-sqlmap.XXXXXX)
pid=
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        wait "$pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

db=$tmp/site.db
./gazette init --db "$db" >/dev/null &&
    ./gazette article add --db "$db" content/demo >/dev/null &&
    ./gazette settings set --db "$db" comments.rate_limit 1000000 &&
    ./gazette settings set --db "$db" comments.min_seconds 0 || exit 1
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
./gazette serve --db "$db" --media content/media --listen "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
    curl -sf -o /dev/null "$base/api/v1/articles?limit=1" && break
    sleep 0.1
done
slug=$(curl -sf "$base/api/v1/articles?limit=1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["articles"][0]["slug"])')
topic=$(curl -sf "$base/api/v1/articles?limit=1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["articles"][0]["topics"][0]["slug"])')
# the comment form's signed token (and its gz_nonce cookie, on versions that set one)
curl -sf -D "$tmp/headers" -o "$tmp/article.html" "$base/news/$slug/" || exit 1
token=$(sed -n 's/.*name="gz_token" value="\([^"]*\)".*/\1/p' "$tmp/article.html" | head -1)
nonce=$(sed -n 's/^Set-Cookie: gz_nonce=\([0-9a-f]*\).*/\1/pi' "$tmp/headers" | head -1)
if [ -z "$slug" ] || [ -z "$topic" ] || [ -z "$token" ]; then
    echo "the demo server did not give a story, a topic and a comment form; its log:" >&2
    tail -5 "$tmp/server.log" >&2
    exit 1
fi

echo "sqlmap $(sqlmap --version 2>/dev/null | head -1) against $base (demo stories; --batch --level 2 --risk 1; ${per_run} s per run)"
status=0
probe() { # name, then sqlmap arguments
    local name=$1 out rc verdict
    out=$tmp/$(printf '%s' "$1" | tr -c 'A-Za-z0-9' '_').log
    shift
    timeout "$per_run" sqlmap --batch --level 2 --risk 1 --disable-coloring --flush-session \
        --output-dir "$tmp/sqlmap" --threads 2 "$@" >"$out" 2>&1
    rc=$?
    if grep -qiE 'is vulnerable|appears to be .*injectable|sqlmap identified the following injection' "$out" &&
        ! grep -qi 'do not appear to be injectable' "$out"; then
        verdict="INJECTABLE: $(grep -iE 'Parameter: |appears to be' "$out" | head -3 | tr '\n' ' ')"
        status=1
    elif grep -qi 'all tested parameters do not appear to be injectable' "$out"; then
        verdict="not injectable ($(grep -c "\] \[INFO\] testing '" "$out") techniques tried; all tested parameters do not appear to be injectable)"
    elif [ $rc -eq 124 ]; then
        verdict="TIMED OUT after ${per_run} s"
        status=1
    else
        verdict="NO VERDICT (exit $rc): $(grep -E '\[(CRITICAL|ERROR)\]' "$out" | tail -1)"
        status=1
    fi
    printf '%-44s %s\n' "$name" "$verdict"
    [ "$status" = 0 ] || { echo "  (sqlmap output, last lines:)"; tail -5 "$out" | sed 's/^/  /'; }
}

probe "GET /search?q=" -u "$base/search?q=harbour" -p q
probe "GET /api/v1/search?q=" -u "$base/api/v1/search?q=harbour" -p q
probe "GET /api/v1/articles?topic=&page=" -u "$base/api/v1/articles?topic=$topic&page=1" -p topic,page
probe "GET /api/v1/articles/{slug}" -u "$base/api/v1/articles/$slug*"
probe "POST /news/{slug}/comments" -u "$base/news/$slug/comments" \
    --data "comment=A+reader+writes+in.&author=Ann+Reader&email=ann%40example.org&url=&comment_parent=0&gz_token=$token&gz_website=" \
    ${nonce:+--cookie "gz_nonce=$nonce"} -p comment,author,email,url,comment_parent
kill -TERM "$pid" && wait "$pid" 2>/dev/null
pid=
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp/server.log"; then
    echo "sanitizer report in the server log" && status=1
fi
echo "$(date -u +%Y-%m-%dT%H:%MZ) sqlmap: $([ $status = 0 ] && echo 'no injectable parameter' || echo 'FAILED')"
exit $status
