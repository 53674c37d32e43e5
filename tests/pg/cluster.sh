#!/usr/bin/env bash
# tests/pg/cluster.sh — a throwaway PostgreSQL cluster for the tests and benchmarks: made in a
# directory of the caller's (a mktemp dir), listening on a free loopback port, with trust auth
# for 127.0.0.1 and no durability (fsync off), stopped by its postmaster's PID and removed
# afterwards. No system service is touched. Installs Debian's postgresql with apt when no
# initdb exists.
#
#   tests/pg/cluster.sh start DIR    makes and starts the cluster; prints its admin URL
#                                    (postgres://postgres@127.0.0.1:PORT/postgres)
#   tests/pg/cluster.sh restart DIR  restarts it on the same port (pg_ctl restart -m fast)
#   tests/pg/cluster.sh stop DIR     stops it (pg_ctl stop -m fast, then the PID) and removes DIR
#
# The data directory is DIR/data, the unix socket and the server log are in DIR. When run as
# root the cluster belongs to the postgres user (initdb refuses root) and DIR is chown'ed to it.
set -euo pipefail

die() { echo "pg cluster: $*" >&2; exit 1; }

bin_dir() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$d" ] && [ -x "$d/initdb" ] && { echo "$d"; return 0; }
    return 1
}

install_postgresql() {
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    echo "pg cluster: installing Debian's postgresql" >&2
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2
}

# Runs a command as the cluster's owner: the postgres user when we are root, else ourselves.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Whether PID runs: a postmaster that exited stays a zombie when PID 1 (a container's) reaps
# no orphans, and kill -0 succeeds on a zombie.
alive() {
    local state
    state=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

postmaster_pid() { # the PID in DIR/data/postmaster.pid, or nothing
    [ -f "$1/data/postmaster.pid" ] && head -1 "$1/data/postmaster.pid" || true
}

wait_ready() { # DIR PORT: until the server answers, at most ~30 s
    local bin=$1 dir=$2 port=$3
    for _ in $(seq 300); do
        "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -t 1 && return 0
        sleep 0.1
    done
    tail -20 "$dir/server.log" >&2 || true
    die "the server in $dir did not answer on port $port"
}

start() {
    local dir=$1 bin port
    [ -d "$dir" ] || die "$dir is not a directory (make one with mktemp -d)"
    dir=$(cd "$dir" && pwd)
    bin=$(bin_dir) || { install_postgresql; bin=$(bin_dir) || die "no initdb after installing postgresql"; }
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    chmod 700 "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    port=$(free_port)
    cat >>"$dir/data/postgresql.conf" <<CONF
# tests/pg/cluster.sh: a throwaway cluster
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 64MB
logging_collector = off
CONF
    cat >"$dir/data/pg_hba.conf" <<HBA
local all all trust
host  all all 127.0.0.1/32 trust
HBA
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
        { tail -20 "$dir/server.log" >&2; die "pg_ctl start failed"; }
    wait_ready "$bin" "$dir" "$port"
    echo "postgres://postgres@127.0.0.1:$port/postgres"
}

restart() {
    local dir=$1 bin port
    dir=$(cd "$dir" && pwd)
    bin=$(bin_dir) || die "no PostgreSQL installed"
    port=$(sed -n 's/^port = \([0-9]*\)$/\1/p' "$dir/data/postgresql.conf" | tail -1)
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 restart >/dev/null ||
        { tail -20 "$dir/server.log" >&2; die "pg_ctl restart failed"; }
    wait_ready "$bin" "$dir" "$port"
}

stop() {
    local dir=$1 bin pid
    [ -d "$dir" ] || return 0
    dir=$(cd "$dir" && pwd)
    pid=$(postmaster_pid "$dir")
    if [ -n "$pid" ] && alive "$pid"; then
        bin=$(bin_dir) || true
        [ -n "$bin" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 20 stop >/dev/null 2>&1 || true
        if alive "$pid"; then
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
            alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf "$dir"
}

case "${1:-}" in
start) [ $# = 2 ] || die "usage: $0 start DIR"; start "$2" ;;
restart) [ $# = 2 ] || die "usage: $0 restart DIR"; restart "$2" ;;
stop) [ $# = 2 ] || die "usage: $0 stop DIR"; stop "$2" ;;
*) die "usage: $0 start|restart|stop DIR" ;;
esac
