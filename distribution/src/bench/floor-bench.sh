#!/usr/bin/env bash
# The floor of the hub's stack, measured beside the hub: a no-op Felix HTTP Jetty servlet (/floor/noop), a bare
# Jetty + OkHttp pass-through (/floor/proxy) and the hub's /v1/chat/completions, in one runtime, against the shared
# recipe's fake upstream (../shared/bench), with wrk. Shows how much of the gateway's cost is the stack's own.
#
# usage (from the project root, after `mvn -B -DskipTests package` and one hub-bench.sh run, which installs the
# recipe): distribution/src/bench/floor-bench.sh        env: RUNS (3), DURATION (8), CONNS ("1 16 64")
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
BENCH_DIR="${BENCH_DIR:-/tmp/moryflow-bench}"
DIST=$(ls -d "$ROOT"/distribution/target/moryflow-*/ 2>/dev/null | head -n 1)
[ -n "$DIST" ] || { echo "no runtime in distribution/target: run 'mvn -B -DskipTests package' first" >&2; exit 1; }
[ -x "$BENCH_DIR/fakeup" ] || { echo "no recipe in $BENCH_DIR: run distribution/src/bench/hub-bench.sh once" >&2; exit 1; }
RUNS="${RUNS:-3}"; DURATION="${DURATION:-8}"; CONNS="${CONNS:-1 16 64}"; PORT="${HUB_PORT:-18787}"; UP=18080
WORK=$(mktemp -d /tmp/moryflow-floor.XXXXXX)
cleanup() { [ -n "${HUB_PID:-}" ] && kill "$HUB_PID" 2>/dev/null; [ -n "${UP_PID:-}" ] && kill "$UP_PID" 2>/dev/null; true; }
trap cleanup EXIT

# the floor bundle, compiled against the runtime's own jars
cp -r "$DIST" "$WORK/hub"
CP=$(ls "$WORK"/hub/bundle/org.apache.felix.http.servlet-api-*.jar "$WORK"/hub/bundle/okhttp-jvm-*.jar \
  "$WORK"/hub/bundle/okio-jvm-*.jar "$WORK"/hub/bundle/kotlin-osgi-bundle-*.jar "$WORK"/hub/bin/felix.jar | paste -sd:)
mkdir -p "$WORK/floor/classes"
javac -q -d "$WORK/floor/classes" -cp "$CP" "$ROOT"/distribution/src/bench/floor/floor/FloorActivator.java 2>/dev/null \
  || javac -d "$WORK/floor/classes" -cp "$CP" "$ROOT"/distribution/src/bench/floor/floor/FloorActivator.java
printf 'Bundle-ManifestVersion: 2\nBundle-SymbolicName: floor.bench\nBundle-Version: 1.0.0\nBundle-Activator: floor.FloorActivator\nImport-Package: jakarta.servlet,jakarta.servlet.http,okhttp3,org.osgi.framework\n' \
  >"$WORK/floor/manifest.mf"
jar cfm "$WORK/hub/deploy/floor.jar" "$WORK/floor/manifest.mf" -C "$WORK/floor/classes" .
cat >"$WORK/hub/deploy/moryflow.provider.openai-bench.cfg" <<CFG
baseUrl = http://127.0.0.1:$UP/v1
apiKey = sk-bench-upstream-key
models = gpt-4o-mini
CFG
printf 'token = bench-gateway-token\n' >"$WORK/hub/deploy/moryflow.gateway.cfg"

"$BENCH_DIR/fakeup" -a 127.0.0.1 -p "$UP" -n 20 -d 0 -i 0 >"$WORK/upstream.log" 2>&1 & UP_PID=$!
(cd "$WORK/hub" && JAVA_OPTS="-Dorg.osgi.service.http.port=$PORT" exec bin/moryflow) </dev/null >"$WORK/hub.log" 2>&1 &
HUB_PID=$!
post() { curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer bench-gateway-token' \
  -H 'Content-Type: application/json' -d @"$BENCH_DIR/body-json.json" "http://127.0.0.1:$PORT$1"; }
for i in $(seq 1 150); do
  [ "$(post /v1/chat/completions)" = 200 ] && [ "$(post /floor/proxy)" = 200 ] && break; sleep 0.2
done
[ "$(post /v1/chat/completions)" = 200 ] || { echo "the hub did not answer (see $WORK/hub.log)" >&2; exit 1; }

wrk_run() { # path conns seconds -> "rps p50_us p99_us"
  BODY_FILE="$BENCH_DIR/body-json.json" wrk -t"$([ "$2" = 1 ] && echo 1 || echo 2)" -c"$2" -d"$3s" \
    -s "$BENCH_DIR/wrk-post.lua" -H 'Authorization: Bearer bench-gateway-token' "http://127.0.0.1:$PORT$1" \
    | sed -n 's/^RESULT .*rps=\([0-9.]*\) p50_us=\([0-9]*\) p90_us=[0-9]* p99_us=\([0-9]*\).*/\1 \2 \3/p'
}
wrk_run http://127.0.0.1:$UP/v1/chat/completions 1 1 >/dev/null 2>&1 || true
for p in /floor/noop /floor/proxy /v1/chat/completions; do wrk_run "$p" 64 5 >/dev/null; done   # warm-up (C1 JIT)
echo "| target | conns | req/s mean [min-max] | p50 ms mean | p99 ms mean |"
echo "|---|---|---|---|---|"
for c in $CONNS; do
  for p in direct /floor/noop /floor/proxy /v1/chat/completions; do
    rows=""
    for r in $(seq 1 "$RUNS"); do
      if [ "$p" = direct ]; then
        out=$(BODY_FILE="$BENCH_DIR/body-json.json" wrk -t"$([ "$c" = 1 ] && echo 1 || echo 2)" -c"$c" -d"${DURATION}s" \
          -s "$BENCH_DIR/wrk-post.lua" "http://127.0.0.1:$UP/v1/chat/completions" \
          | sed -n 's/^RESULT .*rps=\([0-9.]*\) p50_us=\([0-9]*\) p90_us=[0-9]* p99_us=\([0-9]*\).*/\1 \2 \3/p')
      else
        out=$(wrk_run "$p" "$c" "$DURATION")
      fi
      rows="$rows$out"$'\n'
    done
    printf '%s' "$rows" | awk -v t="$p" -v c="$c" 'NF==3 {n++; r+=$1; p+=$2; q+=$3; if (min==""||$1<min) min=$1; if ($1>max) max=$1}
      END {printf "| %s | %s | %.0f [%.0f-%.0f] | %.3f | %.3f |\n", t, c, r/n, min, max, p/n/1000, q/n/1000}'
  done
done
