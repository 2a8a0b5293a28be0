#!/usr/bin/env bash
# Raw HTTP benchmark: wrk against Engram's GET /health and against nginx returning the same fixed
# 200 body, on this machine, in one run, at 1, 64 and 256 keep-alive connections.
# Both servers write an access log to a file. Usage: scripts/bench-http.sh [seconds per run]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-${BENCH_SECONDS:-10}}
engram_port=18080
nginx_port=18081
work=$(mktemp -d)
engram_pid=""
cleanup() {
  [ -n "$engram_pid" ] && kill "$engram_pid" 2>/dev/null && wait "$engram_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
mkdir -p "$work/nginx"
cat > "$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log $work/nginx/access.log;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  keepalive_requests 10000;
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      default_type application/json;
      return 200 '{"status":"ok"}';
    }
  }
}
CONF
"$nginx_bin" -c "$work/nginx.conf" -p "$work/nginx" 2>/dev/null

.build/release/engram serve --host 127.0.0.1 --port "$engram_port" --data-dir "$work/data" 2>"$work/engram.log" &
engram_pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$engram_port/health" >/dev/null && curl -sf "http://127.0.0.1:$nginx_port/" >/dev/null && break
  sleep 0.1
done

# Prints "requests_per_second p99_milliseconds" for one wrk run.
measure() {
  local url=$1 connections=$2 threads=2
  [ "$connections" -lt 2 ] && threads=1
  wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$url" | python3 -c '
import re, sys
text = sys.stdin.read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", text).groups()
p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
errors = re.search(r"Socket errors:.*|Non-2xx.*", text)
print(f"{rps:.0f} {p99:.2f}" + (" !" if errors else ""))
'
}

echo "wrk, ${seconds}s per run, $(nproc) cores, GET /health vs nginx fixed 200"
printf '%-12s %14s %12s %14s %12s %8s\n' connections engram_req/s engram_p99 nginx_req/s nginx_p99 ratio
for connections in 1 64 256; do
  read -r engram_rps engram_p99 engram_flag <<<"$(measure "http://127.0.0.1:$engram_port/health" "$connections")"
  read -r nginx_rps nginx_p99 nginx_flag <<<"$(measure "http://127.0.0.1:$nginx_port/" "$connections")"
  ratio=$(python3 -c "print(f'{$engram_rps / $nginx_rps:.2f}')")
  printf '%-12s %14s %10sms %14s %10sms %7sx %s\n' "$connections" "$engram_rps" "$engram_p99" "$nginx_rps" "$nginx_p99" "$ratio" "${engram_flag:-}${nginx_flag:-}"
done
