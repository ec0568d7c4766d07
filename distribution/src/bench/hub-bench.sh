#!/usr/bin/env bash
# Gateway benchmark: the hub's /v1/chat/completions side by side with the direct fake upstream and the Portkey
# gateway, with the shared recipe in ../shared/bench (wrk, curl, Node probes; loopback only). One hub per Java in
# HUB_JAVAS, all running at once on their own ports, so every figure of one invocation is from the same run.
#
# Two modes (BENCH_MODES, default "short conc"):
#   short  the recipe's rounds: wrk at CONNS connections, whole and streamed answers (20 chunks, no delay), and the
#          sequential streaming probes, against a fast fake upstream
#   conc   N streams at once for each N in CONC_NS (conc-client.mjs), against a second fake upstream that streams
#          100 chunks 100 ms apart (10 s per answer); per target: completed, failed, first-chunk p50/p99/max, total
#          p99, peak threads and RSS of the target process, RSS 10 s after
#
# usage (from the project root, after `mvn -B -DskipTests package`):
#   distribution/src/bench/hub-bench.sh                 # RUNS=3 DURATION=20 CONC_NS="400 2000 10000": ~1 hour
#   RUNS=1 DURATION=5 CONNS="1 16" BENCH_MODES=short distribution/src/bench/hub-bench.sh   # a quick look
#   HUB_JAVAS="/usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64" RUNS=2 CONC_NS="400 2000" \
#     distribution/src/bench/hub-bench.sh               # Java 17 and 25 side by side
# env: BENCH_DIR (a writable copy of the recipe, default /tmp/moryflow-bench), HUB_PORT (18787; the next hubs take
#      the next ports), HUB_JAVAS (JAVA_HOMEs, one hub each, labelled moryflow-j<major>; default: the java on the
#      PATH, labelled moryflow), HUB_OPTS (extra JAVA_OPTS for every hub), HUB_VARIANTS (several hubs per Java,
#      each "name=opt,opt,...", labelled moryflow-j<major>-name; e.g. "= c1=-XX:+TieredCompilation,-XX:TieredStopAtLevel=1
#      tiered=-XX:+TieredCompilation"; "=" is the defaults, unlabelled), NO_PORTKEY=1 (no Portkey),
#      SLOW_PORT (UP_PORT+1), CONC_NS, CONC_WORKERS (client processes; default 1 per 2500 streams, at most 4),
#      CONC_PAUSE (s between targets, 3), CONC_WARMUP (streams per target before the rounds, not recorded; 200),
#      CONC_TIMEOUT (s per stream, 120), KEEP_RUNNING=1 (leave everything running; $BENCH_DIR/stop-all.sh stops it),
#      IDLE_WAIT (s before the fresh idle RSS, 20), plus the recipe's RUNS DURATION CONNS N UP_PORT PK_PORT ...
# out: $BENCH_DIR/results/summary.md (short: mean [min-max] over runs, paired deltas against direct; conc: the
#      concurrency table, also in concurrency.md), rss.csv, conc/conc.jsonl (one line per run and target), env.txt
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
SRC="$ROOT/distribution/src/bench"
SHARED="${SHARED_BENCH:-$ROOT/../shared/bench}"
BENCH_DIR="${BENCH_DIR:-/tmp/moryflow-bench}"
HUB_PORT="${HUB_PORT:-18787}"
BENCH_MODES="${BENCH_MODES:-short conc}"
CONC_NS="${CONC_NS:-400 2000 10000}"
RUNS="${RUNS:-3}"; export DURATION="${DURATION:-20}" CONNS="${CONNS:-1 16 64}" N="${N:-200}"
DIST=$(ls -d "$ROOT"/distribution/target/moryflow-*/ 2>/dev/null | head -n 1)
[ -n "$DIST" ] || { echo "no runtime in distribution/target: run 'mvn -B -DskipTests package' first" >&2; exit 1; }
[ -d "$SHARED" ] || { echo "no benchmark recipe at $SHARED" >&2; exit 1; }

# a stream through a gateway holds two sockets there (client and upstream); the client's workers hold one each
ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"
NOFILE=$(ulimit -n)
for n in $CONC_NS; do
  case " $BENCH_MODES " in *" conc "*)
    [ "$NOFILE" -ge $((2 * n + 200)) ] || echo "warning: open files limited to $NOFILE (hard limit): a gateway carrying" \
      "$n streams needs about $((2 * n + 200)); expect 'Too many open files' at N=$n" >&2 ;;
  esac
done

mkdir -p "$BENCH_DIR"
# the recipe, without what an earlier run left (node_modules is kept: npm ci is slow)
(cd "$SHARED" && tar --exclude=./node_modules --exclude=./run --exclude=./results -cf - .) | (cd "$BENCH_DIR" && tar -xf -)
cp "$SRC/conc-client.mjs" "$SRC/conc-summary.mjs" "$BENCH_DIR/"
chmod +x "$BENCH_DIR"/*.sh
"$BENCH_DIR/install.sh"
. "$BENCH_DIR/config.sh"
SLOW_PORT="${SLOW_PORT:-$((UP_PORT + 1))}"
SLOW_MODEL=gpt-4o-mini-slow
sed "s/\"$MODEL\"/\"$SLOW_MODEL\"/" "$BENCH_DIR/body-stream.json" >"$BENCH_DIR/body-conc.json"
{ echo "x-portkey-provider: openai"; echo "x-portkey-custom-host: http://127.0.0.1:$SLOW_PORT/v1"
  echo "Authorization: Bearer sk-fake-not-used"; } >"$BENCH_DIR/headers/portkey-slow.txt"
sed -i "s#http://127.0.0.1:[0-9]*/v1#http://127.0.0.1:$UP_PORT/v1#" "$BENCH_DIR/headers/portkey.txt"
printf 'Authorization: Bearer bench-gateway-token\n' >"$BENCH_DIR/headers/hub.txt"

if [ -n "$(ls -A "$RES_DIR" 2>/dev/null)" ]; then mv "$RES_DIR" "$RES_DIR.$(date +%Y%m%d-%H%M%S)"; mkdir -p "$RES_DIR"; fi
STOP_MARK=felix.jar
export STOP_MARK HUB_PORT
[ "${KEEP_RUNNING:-0}" = 1 ] || trap '"$BENCH_DIR/stop-all.sh"' EXIT

# the fake upstreams: fast (short mode) and slow (conc mode: 100 chunks 100 ms apart)
"$BENCH_DIR/start-upstream.sh"
if [[ " $BENCH_MODES " == *" conc "* ]]; then
  start_bg upstream-slow "$RUN_DIR/upstream-slow.log" "$UP_CPUS" "$BENCH_DIR/fakeup" -a 127.0.0.1 -p "$SLOW_PORT" \
    -n 100 -d 0 -i 100000
  wait_http "http://127.0.0.1:$SLOW_PORT/health"
fi
[ "${NO_PORTKEY:-0}" = 1 ] || "$BENCH_DIR/start-portkey.sh"

# the hubs: a fresh runtime each, two providers (fast and slow upstream), a known gateway token
labels=(direct); urls=("http://127.0.0.1:$UP_PORT/v1/chat/completions"); pids=("$RUN_DIR/upstream.pid")
hdrs=(""); curls=("http://127.0.0.1:$SLOW_PORT/v1/chat/completions"); chdrs=(""); cpids=("$RUN_DIR/upstream-slow.pid")
if [ "${NO_PORTKEY:-0}" != 1 ]; then
  labels+=(portkey); urls+=("http://127.0.0.1:$PK_PORT/v1/chat/completions"); pids+=("$RUN_DIR/portkey.pid")
  hdrs+=("$BENCH_DIR/headers/portkey.txt"); curls+=("${urls[-1]}"); chdrs+=("$BENCH_DIR/headers/portkey-slow.txt")
  cpids+=("${pids[-1]}")
fi
read -r -a javas <<<"${HUB_JAVAS:-}"
[ "${#javas[@]}" -gt 0 ] || javas=("")
read -r -a variants <<<"${HUB_VARIANTS:-}"
[ "${#variants[@]}" -gt 0 ] || variants=("=")
port=$HUB_PORT
hub_ports=()
for j in "${javas[@]}"; do
 for v in "${variants[@]}"; do
  vname=${v%%=*}; vopts=${v#*=}; vopts=${vopts//,/ }
  if [ -n "$j" ]; then
    major=$("$j/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1)
    label="moryflow-j$major"
  else label=moryflow; fi
  [ -z "$vname" ] || label="$label-$vname"
  hub="$BENCH_DIR/$label"
  rm -rf "$hub" && cp -r "$DIST" "$hub"
  cat >"$hub/deploy/moryflow.provider.openai-bench.cfg" <<CFG
name = Benchmark upstream
baseUrl = http://127.0.0.1:$UP_PORT/v1
apiKey = sk-bench-upstream-key
models = $MODEL
CFG
  cat >"$hub/deploy/moryflow.provider.openai-slow.cfg" <<CFG
name = Benchmark upstream, 10 s streams
baseUrl = http://127.0.0.1:$SLOW_PORT/v1
apiKey = sk-bench-upstream-key
models = $SLOW_MODEL
CFG
  printf 'token = bench-gateway-token\n' >"$hub/deploy/moryflow.gateway.cfg"
  if [ -n "$j" ]; then
    start_bg "$label" "$RUN_DIR/$label.log" "$GW_CPUS" env JAVA_HOME="$j" \
      JAVA_OPTS="-Dorg.osgi.service.http.port=$port ${HUB_OPTS:-} $vopts" "$hub/bin/moryflow"
  else
    start_bg "$label" "$RUN_DIR/$label.log" "$GW_CPUS" env JAVA_OPTS="-Dorg.osgi.service.http.port=$port ${HUB_OPTS:-} $vopts" \
      "$hub/bin/moryflow"
  fi
  # bin/moryflow execs java: the recorded PID is the JVM's own
  labels+=("$label"); urls+=("http://127.0.0.1:$port/v1/chat/completions"); pids+=("$RUN_DIR/$label.pid")
  hdrs+=("$BENCH_DIR/headers/hub.txt"); curls+=("${urls[-1]}"); chdrs+=("$BENCH_DIR/headers/hub.txt"); cpids+=("${pids[-1]}")
  hub_ports+=("$port"); port=$((port + 1))
 done
done
for i in "${!hub_ports[@]}"; do
  p=${hub_ports[$i]}; models=""
  for t in $(seq 1 900); do
    models=$(curl -s -H 'Authorization: Bearer bench-gateway-token' "http://127.0.0.1:$p/v1/models" || true)
    [[ "$models" == *"\"$SLOW_MODEL\""* && "$models" == *"\"$MODEL\""* ]] && break
    sleep 0.1
  done
  [[ "$models" == *"\"$SLOW_MODEL\""* ]] || { echo "the hub on port $p did not list both models (see $RUN_DIR/)" >&2; exit 1; }
done

{ echo "date: $(date -Is)"; echo "kernel: $(uname -r)"; echo "cpus: $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-))"
  echo "node: $(node -v)"; echo "wrk: $(wrk -v 2>&1 | head -1)"; echo "open files: $NOFILE"
  (cd "$BENCH_DIR" && npm ls --depth=1 2>/dev/null | grep -E 'gateway|hono') || true
  for j in "${javas[@]}"; do echo "hub java ${j:-$(command -v java)}: $("${j:+$j/bin/}java" -version 2>&1 | head -n 1)"; done
  echo "HUB_OPTS=${HUB_OPTS:-}"; echo "BENCH_MODES=$BENCH_MODES RUNS=$RUNS DURATION=$DURATION CONNS=$CONNS N=$N CONC_NS=$CONC_NS"
  for i in "${!labels[@]}"; do [[ "${labels[$i]}" == moryflow* ]] && echo "${labels[$i]} cmdline: $(tr '\0' ' ' <"/proc/$(cat "${pids[$i]}")/cmdline")"; done
} >"$RES_DIR/env.txt"

sleep "${IDLE_WAIT:-20}"   # idle RSS: after 20 s idle, both providers applied
for i in "${!labels[@]}"; do
  echo "${labels[$i]},fresh_idle,$(rss_kb "$(cat "${pids[$i]}")")" >>"$RES_DIR/rss.csv"
done

if [[ " $BENCH_MODES " == *" short "* ]]; then
  for r in $(seq 1 "$RUNS"); do
    for i in "${!labels[@]}"; do
      echo "=== short, round $r: ${labels[$i]}"
      RUN_ID="$r" "$BENCH_DIR/bench-target.sh" "${labels[$i]}" "${urls[$i]}" "${pids[$i]}" "${hdrs[$i]}"
    done
  done
  sleep 10
  for i in "${!labels[@]}"; do
    echo "${labels[$i]},idle_after_load,$(rss_kb "$(cat "${pids[$i]}")")" >>"$RES_DIR/rss.csv"
  done
  node "$BENCH_DIR/summarize.mjs" "$RES_DIR" "${labels[@]}" >"$RES_DIR/summary.md"
fi

if [[ " $BENCH_MODES " == *" conc "* ]]; then
  mkdir -p "$RES_DIR/conc"
  conc_run() { # index n workers run csv -> one CONCRESULT json line
    local i="$1" hdr=()
    if [ -n "${chdrs[$i]}" ]; then while IFS= read -r h; do [ -n "$h" ] && hdr+=(--header "$h"); done <"${chdrs[$i]}"; fi
    node "$BENCH_DIR/conc-client.mjs" --url "${curls[$i]}" --n "$2" --workers "$3" --label "${labels[$i]}" \
      --pid "$(cat "${cpids[$i]}")" --body-file "$BENCH_DIR/body-conc.json" --timeout-s "${CONC_TIMEOUT:-120}" \
      --after-s "$4" --csv "$5" "${hdr[@]}" | sed -n 's/^CONCRESULT //p'
  }
  if [ "${CONC_WARMUP:-200}" -gt 0 ]; then  # not recorded: the first streams after a start meet cold code
    for i in "${!labels[@]}"; do
      echo "=== conc warm-up, ${CONC_WARMUP:-200} streams: ${labels[$i]}"
      conc_run "$i" "${CONC_WARMUP:-200}" 1 0 /dev/null | cut -c1-200
    done
  fi
  for r in $(seq 1 "$RUNS"); do
    for n in $CONC_NS; do
      workers=${CONC_WORKERS:-$(( (n + 2499) / 2500 > 4 ? 4 : (n + 2499) / 2500 ))}
      for i in "${!labels[@]}"; do
        echo "=== conc, round $r, N=$n: ${labels[$i]}"
        res=$(conc_run "$i" "$n" "$workers" 10 "$RES_DIR/conc/${labels[$i]}-n$n-r$r.csv")
        echo "$res" | sed "s/^{/{\"run\":$r,/" | tee -a "$RES_DIR/conc/conc.jsonl"
        sleep "${CONC_PAUSE:-3}"
      done
    done
  done
  node "$BENCH_DIR/conc-summary.mjs" "$RES_DIR/conc/conc.jsonl" direct | tee "$RES_DIR/concurrency.md" >>"$RES_DIR/summary.md"
fi
if [ -f "$RES_DIR/summary.md" ]; then cat "$RES_DIR/summary.md"; echo "results: $RES_DIR/summary.md"
else echo "idle RSS (kB):"; cat "$RES_DIR/rss.csv"; fi
