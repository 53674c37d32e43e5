# bench/lib.sh — the helpers every benchmark script sources: a free loopback port, waiting for
# a server to answer, the median of numbers on stdin, and wrk's requests per second.
#   . "$(dirname "$0")/lib.sh"

# A free TCP port on 127.0.0.1 (the kernel's pick).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_http URL [SECONDS]: until URL answers 2xx (default 10 s, polled every 0.1 s), else exits 1.
wait_http() {
    local tries=$(( ${2:-10} * 10 ))
    for _ in $(seq "$tries"); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
    echo "bench: $1 did not answer"
    exit 1
}

# The median of the numbers on stdin, one per line.
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# rps CONNECTIONS URL: requests per second of one wrk run ($THREADS threads for $DURATION).
rps() { wrk -t"$THREADS" -c"$1" -d"$DURATION" "$2" | awk '/Requests\/sec/ {print $2}'; }
