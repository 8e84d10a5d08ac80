#!/bin/bash
# The access log's cost in the configuration users run, more rounds than bench/run.mjs gives it: crossgate
# started with its access log (stdout a file) and with --no-access-log, alternated ROUNDS times, each
# under SECONDS of wrk preflights (50 connections; crossgate on CPU 0, wrk on CPU 1, after a 2 s warm-up).
# Prints req/s per round, the pairs' ratios, and the medians. Needs wrk and a build (npm run build).
#
#   bash bench/access-log-ab.sh [ROUNDS=5] [SECONDS=8]
set -euo pipefail
rounds=${1:-5}
seconds=${2:-8}
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
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

one() { # $1: on|off -> req/s
  local port=$((20000 + RANDOM % 20000)) flag=() pid rps
  [ "$1" = off ] && flag=(--no-access-log)
  taskset -c 0 node "$root/bin/crossgate.js" start --config "$dir/config.json" --listen "127.0.0.1:$port" \
    "${flag[@]}" >"$dir/stdout-$1.log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do grep -q listening "$dir/stdout-$1.log" 2>/dev/null && break; sleep 0.2; done
  taskset -c 1 wrk -t1 -c50 -d2s -s "$dir/preflight.lua" "http://127.0.0.1:$port/simple" >/dev/null
  rps=$(taskset -c 1 wrk -t1 -c50 -d"${seconds}s" -s "$dir/preflight.lua" "http://127.0.0.1:$port/simple" |
    awk '/Requests\/sec/ {print int($2)}')
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$rps"
}

on=(); off=(); ratios=()
for r in $(seq "$rounds"); do
  a=$(one on); b=$(one off)
  on+=("$a"); off+=("$b"); ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", a / b}')")
  echo "round $r: access log on $a req/s, off $b req/s, on/off ${ratios[-1]}"
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
mon=$(median "${on[@]}"); moff=$(median "${off[@]}")
echo "medians: on $mon req/s, off $moff req/s, on/off $(awk -v a="$mon" -v b="$moff" 'BEGIN {printf "%.2f", a / b}'); median of the rounds' ratios $(median "${ratios[@]}")"
