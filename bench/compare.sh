#!/usr/bin/env bash
# Puts `rpc` beside its peers in one run on this machine; see docs/performance.md.
#
#   bash bench/setup.sh && bash bench/compare.sh
#
# Builds the release binaries (rpc, and the jsonrpsee, hyper and tonic servers in bench/servers),
# starts each server on a port the OS picks, loads it with wrk at concurrency 1 and 64 (rpc bench
# where wrk cannot go: raw TCP, WebSocket; h2load for gRPC), times one-shot clients with hyperfine,
# measures one client run on big payloads beside curl and jq (GNU time), and prints one table with
# the ratios the targets are stated in. Environment: DURATION (seconds per load row, default 5),
# RUNS (hyperfine runs per client, default 40), OUT (directory for the raw results, default a
# temporary one).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
duration=${DURATION:-5}
runs=${RUNS:-40}
out=${OUT:-$(mktemp -d -t rpc-bench.XXXXXX)}
mkdir -p "$out"
results="$out/results.tsv"
: >"$results"

say() { printf '%s\n' "$*" >&2; }

for tool in cargo wrk h2load hyperfine curl python3 jq; do
  command -v "$tool" >/dev/null || { say "compare.sh needs $tool: run bash bench/setup.sh first"; exit 2; }
done
[ -x /usr/bin/time ] || { say "compare.sh needs GNU time (/usr/bin/time): run bash bench/setup.sh first"; exit 2; }

[ -x "$root/target/peers/venv/bin/python" ] || { say "compare.sh needs the Python peers (grpcio): run bash bench/setup.sh first"; exit 2; }

# --- build -----------------------------------------------------------------------------------
say "building release binaries (rpc, bench/servers)…"
(cd "$root" && cargo build --release --locked --quiet)
(cd "$root/bench/servers" && cargo build --release --locked --quiet)
rpc="$root/target/release/rpc"
servers="$root/bench/servers/target/release"
peers="$root/bench/peers"
tutorial="$root/tests/peers/tcp_tutorial_server.py"
post_lua="$root/bench/wrk/post.lua"

# --- servers ---------------------------------------------------------------------------------
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# start NAME CMD…: runs CMD in the background, waits for its `listening on HOST:PORT` line, and
# sets $pid and $addr. stderr goes to $out/NAME.err (rpc serve's log, when it is on).
start() {
  local name=$1
  shift
  "$@" >"$out/$name.out" 2>"$out/$name.err" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 300); do
    addr=$(sed -n 's/^listening on //p' "$out/$name.out" | head -n1)
    [ -n "$addr" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  say "$name did not start; its stderr:"
  cat "$out/$name.err" >&2
  exit 1
}

stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# Peak resident memory of a running process, in MiB (VmHWM: the high-water mark since start).
peak_rss() {
  awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# record GROUP NAME CONCURRENCY REQ_PER_SEC NOTE
record() {
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$results"
  say "  $1 | $2 | c=$3 | $4 req/s ${5:-}"
}

# wrk_rps CONCURRENCY URL: requests per second that wrk drives ($BODY and $CONTENT_TYPE are the
# request). Socket errors and non-2xx answers are noted on stderr.
wrk_rps() {
  local c=$1 url=$2 threads=2
  [ "$c" -lt 2 ] && threads=1
  local text
  text=$(wrk -t"$threads" -c"$c" -d"${duration}s" -s "$post_lua" "$url" 2>&1 || true)
  if ! grep -q '^Requests/sec:' <<<"$text"; then
    say "    wrk gave no rate; once more. It said: $(tr '\n' ' ' <<<"$text")"
    text=$(wrk -t"$threads" -c"$c" -d"${duration}s" -s "$post_lua" "$url" 2>&1 || true)
  fi
  if grep -qE 'Socket errors|Non-2xx' <<<"$text"; then
    say "    wrk: $(grep -E 'Socket errors|Non-2xx' <<<"$text" | tr '\n' ' ')"
  fi
  awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$text"
}

# bench_rps ARGS…: requests per second that `rpc bench ARGS --json` reports (errors noted).
bench_rps() {
  "$rpc" bench "$@" -d "$duration" --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
if r["errors"]:
    print("    rpc bench errors: %s" % r["errors_by_kind"], file=sys.stderr)
print("%.0f" % r["requests_per_sec"])'
}

json_body='{"jsonrpc":"2.0","method":"add","params":[2,3],"id":1}'
xml_body='<?xml version="1.0"?><methodCall><methodName>add</methodName><params><param><value><int>2</int></value></param><param><value><int>3</int></value></param></params></methodCall>'

# load_http GROUP NAME URL: wrk at concurrency 1 and 64.
load_http() {
  local group=$1 name=$2 url=$3
  # A second of warm-up, not counted: a server's first calls (page faults, lazy set-up, thread
  # placement) are not its steady state.
  wrk -t1 -c4 -d1s -s "$post_lua" "$url" >/dev/null 2>&1 || true
  for c in 1 64; do
    record "$group" "$name" "$c" "$(wrk_rps "$c" "$url")"
  done
}

# --- JSON-RPC ---------------------------------------------------------------------------------
say "JSON-RPC (wrk, ${duration}s per row)"
export BODY=$json_body CONTENT_TYPE=application/json

start rpc "$rpc" serve -q --addr 127.0.0.1:0
rpc_pid=$pid rpc_addr=$addr
load_http json-rpc "rpc serve -q" "http://$rpc_addr/"

start rpc-log "$rpc" serve --addr 127.0.0.1:0
load_http json-rpc "rpc serve (log on)" "http://$addr/"
record rss "rpc serve (log on)" 64 "$(peak_rss "$pid")"
stop "$pid"

start jsonrpsee "$servers/jsonrpsee-server" 0
load_http json-rpc "jsonrpsee" "http://$addr/"
record rss "jsonrpsee" 64 "$(peak_rss "$pid")"
stop "$pid"

start hyper "$servers/hyper-ceiling" 0
load_http json-rpc "hyper fixed body (ceiling)" "http://$addr/"
record rss "hyper fixed body (ceiling)" 64 "$(peak_rss "$pid")"
stop "$pid"

# --- Reach ------------------------------------------------------------------------------------
say "Reach (wrk)"
BODY='[2,3]' load_http reach "rpc serve -q" "http://$rpc_addr/add"

# --- XML-RPC ----------------------------------------------------------------------------------
say "XML-RPC (wrk)"
export BODY=$xml_body CONTENT_TYPE=text/xml
load_http xml-rpc "rpc serve -q" "http://$rpc_addr/RPC2"

start pyxml python3 "$peers/xmlrpc_server.py"
load_http xml-rpc "SimpleXMLRPCServer" "http://$addr/RPC2"
record rss "SimpleXMLRPCServer" 64 "$(peak_rss "$pid")"
stop "$pid"

start pyxml-threading python3 "$peers/xmlrpc_server.py" --threading
load_http xml-rpc "SimpleXMLRPCServer threading" "http://$addr/RPC2"
record rss "SimpleXMLRPCServer threading" 64 "$(peak_rss "$pid")"
stop "$pid"

# --- raw-tcp (wrk speaks only HTTP: rpc bench drives these rows) ------------------------------
say "raw-tcp (rpc bench)"
for c in 1 64; do
  record raw-tcp "rpc serve -q, connection per call" "$c" \
    "$(bench_rps "tcp://$rpc_addr" add 2 3 -c "$c" --connections per-call)"
done
for c in 1 64; do
  record raw-tcp "rpc serve -q, keep-alive" "$c" "$(bench_rps "tcp://$rpc_addr" add 2 3 -c "$c")"
done
for c in 1 64; do
  record raw-tcp "rpc serve -q, pipelined 16" "$c" \
    "$(bench_rps "tcp://$rpc_addr" add 2 3 -c "$c" --pipeline 16)"
done
start tutorial python3 "$tutorial"
for c in 1 64; do
  record raw-tcp "Python tutorial server, connection per call" "$c" \
    "$(bench_rps "tcp://$addr" add 2 3 -c "$c" --connections per-call)"
done
record rss "Python tutorial server" 64 "$(peak_rss "$pid")"
stop "$pid"

# --- load generators: rpc bench vs wrk against the same rpc serve -----------------------------
say "rpc bench vs wrk (JSON-RPC, same rpc serve)"
export BODY=$json_body CONTENT_TYPE=application/json
for c in 1 64; do
  record generator "wrk" "$c" "$(wrk_rps "$c" "http://$rpc_addr/")"
  record generator "rpc bench" "$c" "$(bench_rps "http://$rpc_addr/" add 2 3 -c "$c")"
done

# --- JSON-RPC over WebSocket: rpc bench ws:// against two servers that take HTTP and WebSocket ---
# on one port (wrk speaks no WebSocket). Each connection is one WebSocket, calls one text frame each.
say "JSON-RPC over WebSocket (rpc bench)"
start jsonrpsee-ws "$servers/jsonrpsee-server" 0
for c in 1 64; do
  record websocket "rpc serve -q" "$c" "$(bench_rps "ws://$rpc_addr/" add 2 3 -c "$c")"
  record websocket "jsonrpsee" "$c" "$(bench_rps "ws://$addr/" add 2 3 -c "$c")"
done
for c in 1 64; do
  record websocket "rpc serve -q, pipelined 16" "$c" \
    "$(bench_rps "ws://$rpc_addr/" add 2 3 -c "$c" --pipeline 16)"
  record websocket "jsonrpsee, pipelined 16" "$c" \
    "$(bench_rps "ws://$addr/" add 2 3 -c "$c" --pipeline 16)"
done
record rss "jsonrpsee (WebSocket rows)" 64 "$(peak_rss "$pid")"
stop "$pid"

record rss "rpc serve -q (all rows above)" 64 "$(peak_rss "$rpc_pid")"

# --- gRPC: h2load posts one pre-framed GetRoute request; "c=64" is 4 connections x 16 streams ---
say "gRPC (h2load, ${duration}s per row)"
grpc_frame="$out/getroute.bin"
# Destination{network: "10.0.0.0"}: field 1, length-delimited; then the 5-byte gRPC prefix.
python3 -c '
import struct, sys
message = b"\x0a\x08" + b"10.0.0.0"
sys.stdout.buffer.write(b"\x00" + struct.pack(">I", len(message)) + message)' >"$grpc_frame"

# streams_for C: h2load/rpc bench connections and streams for the table's concurrency C.
streams_for() {
  if [ "$1" -eq 1 ]; then echo "1 1"; else echo "4 16"; fi
}

# h2load_rps C URL: requests per second h2load drives at the table's concurrency C. h2load counts
# HTTP statuses only; failed or errored requests are noted on stderr.
h2load_rps() {
  local c=$1 url=$2 connections streams threads=2
  read -r connections streams <<<"$(streams_for "$c")"
  [ "$connections" -lt 2 ] && threads=1
  local text
  text=$(h2load -t"$threads" -c"$connections" -m"$streams" -D"$duration" --warm-up-time=1 \
    -d "$grpc_frame" -H 'content-type: application/grpc' -H 'te: trailers' "$url" 2>&1 || true)
  if ! grep -q '^finished in' <<<"$text"; then
    say "    h2load gave no rate. It said: $(tr '\n' ' ' <<<"$text" | cut -c1-300)"
  fi
  local failed
  failed=$(awk '/^requests:/ { print $10 + $12 + $14 }' <<<"$text")
  [ "${failed:-0}" != 0 ] && say "    h2load: $(grep '^requests:' <<<"$text")"
  awk '/^finished in/ { printf "%.0f", $4 }' <<<"$text"
}

# load_grpc NAME ADDR: h2load at the table's concurrency 1 and 64 against ADDR's GetRoute.
load_grpc() {
  local name=$1 addr=$2
  for c in 1 64; do
    record grpc "$name" "$c" "$(h2load_rps "$c" "http://$addr/Router/GetRoute")"
  done
}

start rpc-grpc "$rpc" serve -q --addr 127.0.0.1:0
grpc_pid=$pid grpc_addr=$addr
load_grpc "rpc serve -q" "$grpc_addr"

start tonic "$servers/tonic-ceiling" 0
load_grpc "tonic GetRoute (ceiling)" "$addr"
record rss "tonic GetRoute (ceiling)" 64 "$(peak_rss "$pid")"
stop "$pid"

start grpcio "$root/target/peers/venv/bin/python" "$root/tests/peers/grpc_route_server.py"
load_grpc "grpcio (the seed's Python server)" "$addr"
record rss "grpcio (the seed's Python server)" 64 "$(peak_rss "$pid")"
stop "$pid"

say "rpc bench vs h2load (gRPC GetRoute, same rpc serve)"
for c in 1 64; do
  read -r connections streams <<<"$(streams_for "$c")"
  record grpc-generator "h2load" "$c" "$(h2load_rps "$c" "http://$grpc_addr/Router/GetRoute")"
  record grpc-generator "rpc bench" "$c" "$(bench_rps "grpc://$grpc_addr" GetRoute network:=10.0.0.0 \
    -c "$connections" --streams "$streams" --warmup 1)"
done
record rss "rpc serve -q (gRPC rows)" 64 "$(peak_rss "$grpc_pid")"
stop "$grpc_pid"

# --- one-shot clients (hyperfine) -------------------------------------------------------------
say "one-shot clients (hyperfine, $runs runs each)"
hyperfine -N --style none --warmup 5 --runs "$runs" --export-json "$out/clients.json" \
  -n "rpc call (json-rpc)" "$rpc call http://$rpc_addr/ add 2 3" \
  -n "curl (same json-rpc body)" "curl -s -X POST -H 'Content-Type: application/json' --data-binary '$json_body' http://$rpc_addr/" \
  -n "rpc call -P xml-rpc" "$rpc call -P xml-rpc http://$rpc_addr/RPC2 add 2 3" \
  -n "python3 xmlrpc.client" "python3 -c 'import xmlrpc.client as x; print(x.ServerProxy(\"http://$rpc_addr/RPC2\").add(2, 3))'" \
  >/dev/null
python3 - "$out/clients.json" >>"$results" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("client\t%s\t1\t%.2f\t" % (r["command"], r["mean"] * 1000))
EOF

# --- big payloads: one client run each, wall time and peak RSS (GNU time; a pipeline's largest
# process), beside curl and jq on the same bytes (issue 24's cases) --------------------------------
say "big payloads (one run each: wall time, peak RSS)"
payloads="$out/payloads"
python3 "$peers/payloads.py" "$payloads"

# measure NAME LINE: records LINE's wall seconds (payload-time) and peak RSS in MiB (payload-rss),
# its stdout discarded.
measure() {
  /usr/bin/time -f '%e %M' -o "$out/time.txt" sh -c "$2" >/dev/null
  local secs kib
  read -r secs kib <"$out/time.txt"
  record payload-time "$1" 1 "$secs"
  record payload-rss "$1" 1 "$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')"
}

# size CASE FILE: the case's payload size in MiB.
size() {
  record payload-size "$1" 1 "$(awk -v b="$(stat -c %s "$2")" 'BEGIN { printf "%.1f", b / 1048576 }')"
}

all_call='{"jsonrpc":"2.0","method":"all","id":1}'
start blob-answer python3 "$peers/blob_server.py" "$payloads/answer.json" application/json
size "JSON-RPC answer" "$payloads/answer.json"
measure "JSON-RPC answer: rpc call, piped" "$rpc call http://$addr/ all"
measure "JSON-RPC answer: rpc call -v, piped" "$rpc call -v http://$addr/ all 2>/dev/null"
measure "JSON-RPC answer: rpc call --raw, piped" "$rpc call --raw http://$addr/ all"
measure "JSON-RPC answer: curl | jq -c .result" \
  "curl -s -H 'Content-Type: application/json' --data-binary '$all_call' http://$addr/ | jq -c .result"
stop "$pid"

start blob-small python3 "$peers/blob_server.py" "$payloads/small.json" application/json
size "params -d @FILE" "$payloads/params.json"
measure "params -d @FILE: rpc call" "$rpc call http://$addr/ take -d @$payloads/params.json"
measure "params -d @FILE: curl --data-binary" \
  "curl -s -H 'Content-Type: application/json' --data-binary @$payloads/call.json http://$addr/"
stop "$pid"

start rpc-echo "$rpc" serve -q --addr 127.0.0.1:0 --max-body 200000000
size "echo -d @FILE" "$payloads/ints.json"
measure "echo -d @FILE: rpc call" "$rpc call http://$addr/ echo -d @$payloads/ints.json"
measure "echo -d @FILE: curl --data-binary" \
  "curl -s -H 'Content-Type: application/json' --data-binary @$payloads/echo.json http://$addr/"
record payload-rss "echo -d @FILE: rpc serve (both clients)" 1 "$(peak_rss "$pid")"
stop "$pid"

start blob-xml python3 "$peers/blob_server.py" "$payloads/answer.xml" text/xml
size "XML-RPC answer" "$payloads/answer.xml"
measure "XML-RPC answer: rpc call, piped" "$rpc call -P xml-rpc http://$addr/RPC2 all"
stop "$pid"

# --- the table ----------------------------------------------------------------------------------
machine="$(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$root/bench/table.py" "$results" "$machine" "$duration" | tee "$out/table.txt"
say "raw results in $out"
