#!/usr/bin/env bash
# Gateway benchmark: the hub's /v1/chat/completions side by side with the direct fake upstream and the Portkey
# gateway, with the shared recipe in ../shared/bench (wrk, curl and a Node streaming probe; loopback only).
#
# usage (from the project root, after `mvn -B -DskipTests package`):
#   distribution/src/bench/hub-bench.sh                 # RUNS=3 DURATION=20: about 25 minutes
#   RUNS=1 DURATION=5 CONNS="1 16" distribution/src/bench/hub-bench.sh   # a quick look
# env: BENCH_DIR (a writable copy of the recipe, default /tmp/moryflow-bench), HUB_PORT (18787), HUB_OPTS (extra
#      JAVA_OPTS for the hub), NO_PORTKEY=1 (hub and direct only), plus the recipe's RUNS DURATION CONNS N ...
# out: $BENCH_DIR/results/summary.md (mean [min-max] over runs, paired deltas against direct), rss.csv
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
SHARED="${SHARED_BENCH:-$ROOT/../shared/bench}"
BENCH_DIR="${BENCH_DIR:-/tmp/moryflow-bench}"
HUB_PORT="${HUB_PORT:-18787}"
DIST=$(ls -d "$ROOT"/distribution/target/moryflow-*/ 2>/dev/null | head -n 1)
[ -n "$DIST" ] || { echo "no runtime in distribution/target: run 'mvn -B -DskipTests package' first" >&2; exit 1; }
[ -d "$SHARED" ] || { echo "no benchmark recipe at $SHARED" >&2; exit 1; }

mkdir -p "$BENCH_DIR"
# the recipe, without what an earlier run left (node_modules is kept: npm ci is slow)
(cd "$SHARED" && tar --exclude=./node_modules --exclude=./run --exclude=./results -cf - .) | (cd "$BENCH_DIR" && tar -xf -)
chmod +x "$BENCH_DIR"/*.sh
"$BENCH_DIR/install.sh"
. "$BENCH_DIR/config.sh"

# a fresh hub, one provider on the fake upstream, a known gateway token
HUB="$BENCH_DIR/hub"
rm -rf "$HUB" && cp -r "$DIST" "$HUB"
cat >"$HUB/deploy/moryflow.provider.openai-bench.cfg" <<CFG
name = Benchmark upstream
baseUrl = http://127.0.0.1:$UP_PORT/v1
apiKey = sk-bench-upstream-key
models = $MODEL
CFG
printf 'token = bench-gateway-token\n' >"$HUB/deploy/moryflow.gateway.cfg"
printf 'Authorization: Bearer bench-gateway-token\n' >"$BENCH_DIR/headers/hub.txt"

STOP_MARK=felix.jar
export STOP_MARK
start_bg hub "$RUN_DIR/hub.log" "$GW_CPUS" env JAVA_OPTS="-Dorg.osgi.service.http.port=$HUB_PORT ${HUB_OPTS:-}" \
  "$HUB/bin/moryflow"
for i in $(seq 1 300); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer bench-gateway-token' \
    "http://127.0.0.1:$HUB_PORT/v1/models" || true)
  [ "$code" = 200 ] && break
  sleep 0.1
done
[ "$code" = 200 ] || { echo "the hub did not answer on port $HUB_PORT (see $RUN_DIR/hub.log)" >&2; exit 1; }
# bin/moryflow execs java: the recorded PID is the JVM's own

cat >"$BENCH_DIR/targets-hub.sh" <<'TARGETS'
add_target direct "http://127.0.0.1:$UP_PORT/v1/chat/completions" "$RUN_DIR/upstream.pid" ""
[ "${NO_PORTKEY:-0}" = 1 ] || add_target portkey "http://127.0.0.1:$PK_PORT/v1/chat/completions" "$RUN_DIR/portkey.pid" "$GWB_DIR/headers/portkey.txt"
add_target moryflow "http://127.0.0.1:$HUB_PORT/v1/chat/completions" "$RUN_DIR/hub.pid" "$GWB_DIR/headers/hub.txt"
TARGETS
export HUB_PORT
if [ "${NO_PORTKEY:-0}" = 1 ]; then
  # run-all.sh starts Portkey itself; without it, run the rounds here (keeping earlier results aside, as it does)
  if [ -n "$(ls -A "$RES_DIR" 2>/dev/null)" ]; then mv "$RES_DIR" "$RES_DIR.$(date +%Y%m%d-%H%M%S)"; mkdir -p "$RES_DIR"; fi
  "$BENCH_DIR/start-upstream.sh"
  trap '"$BENCH_DIR/stop-all.sh"' EXIT
  for r in $(seq 1 "${RUNS:-3}"); do
    RUN_ID="$r" "$BENCH_DIR/bench-target.sh" direct "http://127.0.0.1:$UP_PORT/v1/chat/completions" "$RUN_DIR/upstream.pid"
    RUN_ID="$r" "$BENCH_DIR/bench-target.sh" moryflow "http://127.0.0.1:$HUB_PORT/v1/chat/completions" \
      "$RUN_DIR/hub.pid" "$BENCH_DIR/headers/hub.txt"
  done
  node "$BENCH_DIR/summarize.mjs" "$RES_DIR" direct moryflow | tee "$RES_DIR/summary.md"
else
  TARGETS_FILE="$BENCH_DIR/targets-hub.sh" "$BENCH_DIR/run-all.sh"
fi
echo "results: $RES_DIR/summary.md"
