#!/bin/bash
# The access log's cost in the configuration users run, measured in pairs that share the machine's
# moment, PAIRS times with fresh processes: crossgate with its access log (stdout a file) and crossgate with --no-access-log run at the
# same time, both pinned to CPU 0 (the scheduler gives each half of it), each driven by its own wrk on
# CPU 1 (50 connections, preflights). Whatever slows the machine in a round slows both servers alike,
# so the ratio of their req/s is far steadier than that of two servers measured one after the other
# (on this VM the same server's req/s moves by up to 2x between rounds; the paired ratio by a few %).
# A process has its own luck too (a pair of identical servers differs by up to 5% for as long as they
# run, either way), so every pair is new processes, and their places (which starts first, which wrk
# starts first) alternate. Prints each round's req/s and ratio, and the median ratio of all rounds.
# Needs wrk and a build (npm run build).
#
#   bash bench/access-log-ab.sh [PAIRS=6] [SECONDS=5] [ROUNDS_PER_PAIR=2]
#   SAME=1 bash bench/access-log-ab.sh ...   both servers with --no-access-log: the instrument's own spread
#   B_ROOT=DIR B_MODE=on bash bench/access-log-ab.sh ...   B is another build (a checkout with bin/ and dist/),
#                                                          in mode B_MODE: a change measured against the one before it
#   PROTOCOL=h2 bash bench/access-log-ab.sh ...   over HTTP/2: an https listener (a self-signed certificate
#                                                 made with openssl) driven by h2load, 5 connections of 10 streams
set -euo pipefail
pairs=${1:-6}
seconds=${2:-5}
per_pair=${3:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$dir"' EXIT
cat >"$dir/config.json" <<'JSON'
{"corsPolicies":[{"name":"bench","allowOrigins":["https://a.example.com","https://b.example.com","https://c.example.com"],"allowMethods":["GET","PUT","POST"],"allowHeaders":["X-Sdk-Date"],"maxAge":600}],
 "apis":[{"name":"simple","method":"GET","path":"/simple","corsPolicy":"bench","backend":{"type":"mock","body":"ok"}},
         {"name":"put","method":"PUT","path":"/simple","corsPolicy":"bench","backend":{"type":"mock","body":"ok"}}]}
JSON
cat >"$dir/preflight.lua" <<'LUA'
wrk.method = "OPTIONS"
wrk.headers["Origin"] = "https://b.example.com"
wrk.headers["Access-Control-Request-Method"] = "PUT"
wrk.headers["Access-Control-Request-Headers"] = "X-Sdk-Date"
LUA

scheme=http
if [ "${PROTOCOL:-http1}" = h2 ]; then
  scheme=https
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
  node -e 'const f = process.argv[1]; const c = JSON.parse(require("fs").readFileSync(f, "utf8"));
    c.tls = { certificates: [{ default: true, cert: "cert.pem", key: "key.pem" }] };
    require("fs").writeFileSync(f, JSON.stringify(c));' "$dir/config.json"
fi

start() { # $1: port, $2: on|off, $3: stdout file, $4: the build's root (default: this one)
  local flag=()
  [ "$2" = off ] && flag=(--no-access-log)
  local listen="127.0.0.1:$1"
  [ "$scheme" = https ] && listen="https://127.0.0.1:$1"
  taskset -c 0 node "${4:-$root}/bin/crossgate.js" start --config "$dir/config.json" --listen "$listen" \
    "${flag[@]}" >"$3" 2>"$3.err" &
  pids+=($!)
  for _ in $(seq 50); do curl -sk -o /dev/null "$scheme://127.0.0.1:$1/" && return; sleep 0.2; done
  echo "crossgate did not start on port $1: $(cat "$3.err")" >&2
  exit 1
}
load() { # $1: seconds, $2: port -> req/s
  if [ "$scheme" = https ]; then
    taskset -c 1 h2load -D "$1" -c5 -m10 -t1 -H ":method: OPTIONS" -H "origin: https://b.example.com" \
      -H "access-control-request-method: PUT" -H "access-control-request-headers: X-Sdk-Date" \
      "https://127.0.0.1:$2/simple" 2>/dev/null | awk '/^finished in/ {print int($4)}'
    return
  fi
  taskset -c 1 wrk -t1 -c50 -d"$1s" -s "$dir/preflight.lua" "http://127.0.0.1:$2/simple" |
    awk '/Requests\/sec/ {print int($2)}'
}

a_mode=on
[ "${SAME:-}" = 1 ] && a_mode=off
b_mode=${B_MODE:-off}
b_root=${B_ROOT:-$root}
stop_pair() { kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; pids=(); }

ratios=()
for pair in $(seq "$pairs"); do
  half=$(( pair % 2 == 1 ? 1 : 2 ))
  pa=$((20000 + RANDOM % 6000)) # below the ephemeral range (32768 and up), where wrk's own sockets are
  pb=$((26000 + RANDOM % 6000))
  if [ "$half" = 1 ]; then
    start "$pa" "$a_mode" "$dir/a.log"
    start "$pb" "$b_mode" "$dir/b.log" "$b_root"
  else
    start "$pb" "$b_mode" "$dir/b.log" "$b_root"
    start "$pa" "$a_mode" "$dir/a.log"
  fi
  load 2 "$pa" >/dev/null &
  w=$!
  load 2 "$pb" >/dev/null
  wait "$w"
  for r in $(seq "$per_pair"); do
    if [ "$half" = 1 ]; then
      load "$seconds" "$pa" >"$dir/ra" &
      w=$!
      load "$seconds" "$pb" >"$dir/rb"
    else
      load "$seconds" "$pb" >"$dir/rb" &
      w=$!
      load "$seconds" "$pa" >"$dir/ra"
    fi
    wait "$w"
    a=$(cat "$dir/ra")
    b=$(cat "$dir/rb")
    ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.3f", a / b}')")
    echo "pair $pair round $r: access log $a_mode $a req/s, B $b_mode $b req/s, ratio ${ratios[-1]}"
  done
  stop_pair
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
echo "median ratio ($a_mode/B $b_mode) of ${#ratios[@]} rounds in $pairs pairs: $median"
