#!/usr/bin/env bash
# Request-count and speed benchmark of `wowctl run` against the simulated GitLab.
#
# Usage:  benches/run.sh            (from anywhere; builds target/release/wowctl if missing)
#         BENCH_SCENARIOS="1k-20ms" benches/run.sh    (a subset)
#         BENCH_EXTRA=1 benches/run.sh               (also 1k issues at 100/min)
#         WOWCTL_BIN=/path/to/wowctl benches/run.sh  (bench another build, no build step)
#         BENCH_OUT=/tmp/dir benches/run.sh          (keep logs and reports there)
#
# For each scenario it starts `wowctl sandbox --issues N --updated-share 0.1
# --latency-ms 20 [--rate-limit R]` on a free port, runs `wowctl run` against it
# as a scheduled pipeline on Wednesday 2026-11-25 09:00 UTC under
# `/usr/bin/time -f '%e %M'`, reads the sandbox's request log
# (GET /_sandbox/requests) and the report's `requests`, and prints one table row
# per scenario plus the checks against the targets (benches/measure.py holds the
# minimum-request formula and the arithmetic). Exit status 0 when every target
# is met, 1 otherwise. Needs bash, curl, python3 and GNU time (apt-get install time).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${WOWCTL_BIN:-$ROOT/target/release/wowctl}"   # WOWCTL_BIN: bench another build
NOW="2026-11-25T09:00:00Z"
SHARE=0.1
CONCURRENCY=8   # wowctl's default api.concurrency
OUT="${BENCH_OUT:-$(mktemp -d /tmp/wowctl-bench.XXXXXX)}"
mkdir -p "$OUT"
ROWS="$OUT/rows.jsonl"
: > "$ROWS"

# name issues latency_ms rate_limit(0 = none)
ALL_SCENARIOS=(
  "1k-20ms 1000 20 0"
  "10k-20ms 10000 20 0"
  "1k-600rpm 1000 20 600"
)
# Where the limit binds (166 requests, 100 a minute: one window wait, ~65 s);
# run with BENCH_EXTRA=1 or BENCH_SCENARIOS="1k-100rpm".
EXTRA_SCENARIOS=(
  "1k-100rpm 1000 20 100"
)
if [[ -n "${BENCH_EXTRA:-}" || "${BENCH_SCENARIOS:-}" == *rpm* ]]; then
  ALL_SCENARIOS+=("${EXTRA_SCENARIOS[@]}")
fi

if [[ ! -x /usr/bin/time ]]; then
  echo "GNU time is missing: apt-get install time" >&2
  exit 2
fi
if [[ -z "${WOWCTL_BIN:-}" ]] && [[ ! -x "$BIN" || -n "$(find "$ROOT/src" "$ROOT/Cargo.toml" -newer "$BIN" -print -quit)" ]]; then
  echo "building $BIN ..." >&2
  (cd "$ROOT" && cargo build --release --quiet)
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

SANDBOX_PID=""
cleanup() { if [[ -n "$SANDBOX_PID" ]]; then kill "$SANDBOX_PID" 2>/dev/null || true; wait "$SANDBOX_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT

for spec in "${ALL_SCENARIOS[@]}"; do
  read -r name issues latency rate <<<"$spec"
  if [[ -n "${BENCH_SCENARIOS:-}" && " $BENCH_SCENARIOS " != *" $name "* ]]; then
    continue
  fi
  port="$(free_port)"
  args=(sandbox --issues "$issues" --updated-share "$SHARE" --latency-ms "$latency" --port "$port" --now "$NOW")
  [[ "$rate" != 0 ]] && args+=(--rate-limit "$rate")
  "$BIN" "${args[@]}" > "$OUT/$name.sandbox.log" 2>&1 &
  SANDBOX_PID=$!
  for _ in $(seq 1 200); do
    curl -fsS "http://127.0.0.1:$port/_sandbox/requests" -o /dev/null 2>/dev/null && break
    sleep 0.1
  done
  curl -fsS "http://127.0.0.1:$port/_sandbox/requests" -o /dev/null

  mkdir -p "$OUT/$name"
  set +e
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
    WOW_API_URL="http://127.0.0.1:$port/api/v4" WOW_TOKEN=sandbox-token WOW_PROJECT=1 \
    CI_PIPELINE_SOURCE=schedule WOW_NOW="$NOW" WOW_REPORT_DIR="$OUT/$name/tmp" NO_COLOR=1 \
    /usr/bin/time -o "$OUT/$name.time" -f '%e %M' "$BIN" run > "$OUT/$name.stdout" 2> "$OUT/$name.stderr"
  code=$?
  set -e
  curl -fsS "http://127.0.0.1:$port/_sandbox/requests" -o "$OUT/$name.requests.json"
  cleanup
  SANDBOX_PID=""
  read -r wall rss < <(tail -n 1 "$OUT/$name.time")
  echo "$name: exit $code, ${wall}s, ${rss} KiB (logs in $OUT)" >&2
  python3 "$ROOT/benches/measure.py" row "$name" "$issues" "$SHARE" "$latency" "$rate" "$CONCURRENCY" \
    "$OUT/$name/tmp/report.json" "$OUT/$name.requests.json" "$wall" "$rss" >> "$ROWS"
done

echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -m | awk '/Mem:/{print $2}') MiB RAM"
python3 "$ROOT/benches/measure.py" table "$ROWS"
