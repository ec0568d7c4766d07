#!/usr/bin/env bash
# Smoke test of the assembled MoryFlow runtime: starts a copy of it, checks it over HTTP, stops it.
#
# Usage:  distribution/src/test/sh/smoke.sh [RUNTIME_DIR]
#         (default RUNTIME_DIR: distribution/target/moryflow-<version>, built by `mvn -B install`)
# Environment (all optional):
#   PORT=18080         HTTP port to start on (default: a free one)
#   START_TIMEOUT=90   seconds to wait for the Web Console
#   MAX_RSS_MB=128     resident memory the hub may use once started
#   KEEP=1             keep the scratch copy (it is always kept after a failure)
# Needs bash and curl. Prints one PASS/FAIL/SKIP line per check and "N passed, N failed" at the end;
# exits 1 if a check failed. Works with whatever bundle set the runtime has: checks that need a bundle
# (provider-openai, credentials, shell) are skipped when it is not there.
set -u  # no pipefail: "... | grep -q" would fail whenever grep stops reading early

here=$(cd "$(dirname "$0")" && pwd)
RUNTIME=${1:-}
if [ -z "$RUNTIME" ]; then
  RUNTIME=$(ls -d "$here"/../../../target/moryflow-*/ 2>/dev/null | head -n 1)
fi
if [ -z "$RUNTIME" ] || [ ! -x "$RUNTIME/bin/moryflow" ]; then
  echo "smoke: no runtime at '${RUNTIME:-distribution/target/moryflow-<version>}'. Build it first (mvn -B -DskipTests install) or pass its folder." >&2
  exit 2
fi
RUNTIME=$(cd "$RUNTIME" && pwd)
command -v curl >/dev/null 2>&1 || { echo "smoke: curl is needed" >&2; exit 2; }

START_TIMEOUT=${START_TIMEOUT:-90}
MAX_RSS_MB=${MAX_RSS_MB:-128}
PASSED=0; FAILED=0; SKIPPED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $*"; }
skip() { SKIPPED=$((SKIPPED + 1)); echo "SKIP $*"; }
info() { echo "     $*"; }

# ---- a scratch copy, on a free port ------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/moryflow-smoke.XXXXXX")
cp -a "$RUNTIME/." "$WORK/"
rm -rf "$WORK/data"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ -z "${PORT:-}" ]; then
  for _ in $(seq 1 50); do
    PORT=$((20000 + RANDOM % 40000))
    port_in_use "$PORT" || break
  done
fi
BASE="http://127.0.0.1:$PORT"
CONSOLE="$BASE/system/console"
# the Web Console has no default password: the hub prints the one it made at the first start (read below)
CONSOLE_PASSWORD=""
AUTH=(-u "admin:")
echo "smoke: runtime $RUNTIME"
echo "smoke: copy in $WORK, port $PORT"

PID=""
stop_hub() {
  [ -n "$PID" ] || return 0
  kill -TERM "$PID" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; PID=""; return 1; fi
  wait "$PID" 2>/dev/null; PID=""; return 0
}
finish() {
  stop_hub
  if [ "$FAILED" -gt 0 ] || [ -n "${KEEP:-}" ]; then
    echo "smoke: kept $WORK (console output: $WORK/console.log, log: $WORK/data/log/moryflow.log)"
  else
    rm -rf "$WORK"
  fi
}
trap finish EXIT

# a key exported before start, as a Groq user has it: the Groq preset must come up ready with it
SMOKE_GROQ_KEY="gsk-smoke-$RANDOM$RANDOM-from-the-environment"
start_hub() {
  ( cd "$WORK" && export GROQ_API_KEY="$SMOKE_GROQ_KEY" \
      && JAVA_OPTS="-Dorg.osgi.service.http.port=$PORT ${JAVA_OPTS:-}" exec bin/moryflow ) \
    </dev/null >>"$WORK/console.log" 2>&1 &
  PID=$!
}

http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
get() { curl -s --max-time 10 "${AUTH[@]}" "$@"; }
# one JSON object per line for the Web Console's flat lists ({"data":[{...},{...}]})
entries() { sed 's/},{/}\n{/g'; }
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }
# wait_until <seconds> <command...>: runs the command every 0.2 s until it succeeds; 1 on timeout
wait_until() {
  local limit=$1; shift
  local end=$((SECONDS + limit))
  while true; do
    "$@" && return 0
    [ "$SECONDS" -ge "$end" ] && return 1
    kill -0 "$PID" 2>/dev/null || return 1
    sleep 0.2
  done
}

bundles_json() { get "$CONSOLE/bundles.json"; }
# "symbolicName state" for every bundle not Active (fragments are fine resolved)
inactive_bundles() {
  bundles_json | entries | grep '"symbolicName"' | grep -v '"state":"Active"' | grep -v '"fragment":true' |
    while read -r line; do echo "$(echo "$line" | field symbolicName) ($(echo "$line" | field state))"; done
}
bundle_active() { bundles_json | entries | grep "\"symbolicName\":\"$1\"" | grep -q '"state":"Active"'; }
no_inactive_bundles() { [ -z "$(inactive_bundles)" ]; }

# ---- start ----------------------------------------------------------------------------------------------------
t0=$SECONDS
start_hub
password_lines() { grep -c '^Web Console password for user admin: ' "$WORK/console.log" 2>/dev/null; }
password_printed() { [ "$(password_lines)" -ge 1 ]; }
if wait_until "$START_TIMEOUT" password_printed; then
  CONSOLE_PASSWORD=$(sed -n 's/^Web Console password for user admin: \([A-Za-z0-9_-]*\).*$/\1/p' "$WORK/console.log" | head -n 1)
  AUTH=(-u "admin:$CONSOLE_PASSWORD")
  pass "the first start printed a Web Console password on standard output (${#CONSOLE_PASSWORD} characters)"
else
  fail "no line 'Web Console password for user admin: ...' on the console within $START_TIMEOUT s"
fi
webconsole_up() { [ "$(http_code "${AUTH[@]}" "$CONSOLE/bundles.json")" = 200 ]; }
if wait_until "$START_TIMEOUT" webconsole_up; then
  pass "Web Console answers 200 on /system/console/bundles.json with the printed password ($((SECONDS - t0)) s after launch)"
else
  fail "Web Console did not answer 200 on $CONSOLE/bundles.json with the printed password within $START_TIMEOUT s"
  info "last lines of the console output:"; tail -n 30 "$WORK/console.log" | sed 's/^/       /'
  echo "smoke: $PASSED passed, $FAILED failed, $SKIPPED skipped"
  exit 1
fi

code=$(http_code -u admin:wrong "$CONSOLE/bundles.json")
if [ "$code" = 401 ]; then pass "Web Console refuses a wrong password (401)"; else fail "Web Console answered $code to a wrong password, expected 401"; fi
code=$(http_code -u admin:admin "$CONSOLE/bundles.json")
if [ "$code" = 401 ]; then pass "Web Console refuses admin/admin (401): no default password"; else fail "Web Console answered $code to admin/admin, expected 401"; fi
stored=$(get "$CONSOLE/configMgr/org.apache.felix.webconsole.internal.servlet.OsgiManager.json")
if echo "$stored" | grep -q -- "$CONSOLE_PASSWORD" || grep -r -q -- "$CONSOLE_PASSWORD" "$WORK/data" 2>/dev/null; then
  fail "the Web Console password is stored in clear (configuration or data/)"
else
  pass "the Web Console password is stored hashed only"
fi

# ---- admin surfaces cannot be driven from outside: foreign Host, cross-site posts ------------------------------
code=$(http_code "${AUTH[@]}" -H "Host: evil.example:$PORT" "$CONSOLE/bundles.json")
if [ "$code" = 403 ]; then pass "a request for Host evil.example (DNS rebinding) is refused (403)"; else
  fail "a request with 'Host: evil.example:$PORT' got $code, expected 403"; fi
# (a harmless form post: the guard answers before the console reads it)
answer=$(curl -s --max-time 5 -w '\n%{http_code}' "${AUTH[@]}" -H "Origin: http://evil.example" -X POST \
  -d "action=none" "$CONSOLE/bundles")
code=$(echo "$answer" | tail -n 1)
if [ "$code" = 403 ] && echo "$answer" | grep -q '"code":"cross_origin_refused"'; then
  pass "a Web Console POST with a foreign Origin is refused (403 cross_origin_refused), even with the password"
else
  fail "a Web Console POST with 'Origin: http://evil.example' got $code ($(echo "$answer" | cut -c1-160)), expected 403"
fi
code=$(http_code "${AUTH[@]}" -H "Referer: http://evil.example/page" -X POST -d "action=none" "$CONSOLE/bundles")
if [ "$code" = 403 ]; then pass "a Web Console POST with only a foreign Referer is refused (403)"; else
  fail "a Web Console POST with 'Referer: http://evil.example/page' got $code, expected 403"; fi

if command -v ss >/dev/null 2>&1; then
  listen=$(ss -Hltn "sport = :$PORT" 2>/dev/null | awk '{print $4}' | sort -u | tr '\n' ' ')
  case "$listen" in
    "127.0.0.1:$PORT "|"[::ffff:127.0.0.1]:$PORT ") pass "HTTP listens on 127.0.0.1:$PORT only" ;;
    *) fail "HTTP listens on '$listen', expected 127.0.0.1:$PORT only" ;;
  esac
else
  skip "HTTP bound to 127.0.0.1 (no 'ss' command here)"
fi

# ---- bundles --------------------------------------------------------------------------------------------------
jars=$(ls "$WORK"/boot/*.jar "$WORK"/bundle/*.jar 2>/dev/null | wc -l)
if wait_until 60 no_inactive_bundles; then
  pass "all bundles Active"
else
  fail "bundles not Active after 60 s: $(inactive_bundles | tr '\n' ',' | sed 's/,$//; s/,/, /g')"
fi
total=$(bundles_json | entries | grep -c '"symbolicName"')
if [ "$total" -eq $((jars + 1)) ]; then
  pass "every jar of boot/ and bundle/ is installed ($jars bundles and the framework)"
else
  fail "$total bundles installed, expected $((jars + 1)) ($jars jars in boot/ and bundle/, and the framework): a jar is not a bundle?"
fi

components() { get "$CONSOLE/components.json" | entries | grep '"name"'; }
# components that should run but do not: activation failed, or a mandatory service is missing
broken_components() { components | grep -E '"state":"(failed[^"]*|unsatisfied \(reference\))"' | while read -r line; do
  echo "$(echo "$line" | field name) ($(echo "$line" | field state))"; done; }
no_broken_components() { [ -z "$(broken_components)" ]; }
if [ "$(http_code "${AUTH[@]}" "$CONSOLE/components.json")" != 200 ]; then
  skip "DS components (no Web Console DS plugin)"
elif wait_until 30 no_broken_components; then
  pass "no DS component failed or waits for a missing service ($(components | wc -l) components)"
else
  fail "DS components not running: $(broken_components | tr '\n' ',' | sed 's/,$//; s/,/, /g')"
fi

# ---- Gogo shell -----------------------------------------------------------------------------------------------
services() { get "$CONSOLE/services.json" | entries; }
if bundle_active org.apache.felix.gogo.runtime && bundle_active org.apache.felix.gogo.jline \
   && services | grep -q 'org.apache.felix.service.command.CommandProcessor'; then
  pass "Gogo shell running (gogo.runtime and gogo.jline Active, CommandProcessor registered)"
else
  fail "Gogo shell not running (gogo bundles not Active or no CommandProcessor service)"
fi
if grep -q -E 'gosh_profile.*(ERROR|Exception)|Exception.*gosh_profile' "$WORK/console.log"; then
  fail "etc/gosh_profile failed: $(grep -m 1 -E 'gosh_profile' "$WORK/console.log")"
else
  pass "etc/gosh_profile ran without error"
fi
if [ -n "$(ls "$WORK"/bundle/moryflow-shell-*.jar 2>/dev/null)" ]; then
  shell_ids=$(services | grep '"bundleSymbolicName":"dev.moryflow.shell"' | field id)
  found=""
  for id in $shell_ids; do
    get "$CONSOLE/services/$id.json" | grep -q '"key":"osgi.command.scope","value":"moryflow"' && found=yes
  done
  if [ -n "$found" ]; then pass "moryflow:* shell commands registered"; else fail "no service with osgi.command.scope=moryflow from dev.moryflow.shell"; fi
else
  skip "moryflow:* shell commands (no moryflow-shell bundle)"
fi

# ---- deploy/: configurations --------------------------------------------------------------------------------
for example in lmstudio.cfg.example custom-provider.cfg.example azure-openai.cfg.example; do
  if [ -f "$WORK/deploy/$example" ]; then pass "deploy/$example shipped"; else fail "deploy/$example missing"; fi
done
config_json() { get "$CONSOLE/configMgr/$1.json"; }
config_has() { config_json "$1" | grep -q -- "$2"; }
config_gone() { ! config_json "$1" | grep -q '"pid"'; }

if get "$CONSOLE/configMgr/*.json" | grep -q -E '\.(cfg|config)\.example'; then
  fail "a deploy/*.example file became a configuration (the FileInstall filter should skip it)"
else
  pass "deploy/*.example files are not read"
fi

# ---- presets: every one listed with its status on a fresh runtime ---------------------------------------------
TOKEN=$(sed -n 's/.*access token .*: \(mf-[A-Za-z0-9_-]*\).*/\1/p' "$WORK/console.log" | head -n 1)
api() { curl -s --max-time 10 -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/$1"; }
preset_status() { api "providers/$1" | grep -q "\"status\":\"$2\""; }
listed() { api "providers/$1" | grep -q "\"id\":\"$1\""; }
if [ -z "$TOKEN" ]; then
  fail "no gateway access token printed on the console at the first start"
else
  missing=""
  for p in openai azure groq together perplexity lmstudio vllm ollama openrouter deepseek mistral gemini xai \
      fireworks cerebras; do
    wait_until 15 listed "$p" || missing="$missing $p"
  done
  if [ -z "$missing" ]; then pass "all 15 presets listed by GET /api/providers"; else fail "presets missing:$missing"; fi
  if wait_until 10 preset_status groq ready; then
    pass "GROQ_API_KEY exported before start makes the groq preset ready"
  else
    fail "groq preset not ready with GROQ_API_KEY set: $(api providers/groq | cut -c1-200)"
  fi
  if [ -z "${DEEPSEEK_API_KEY:-}" ]; then
    if preset_status deepseek "needs key"; then pass "a preset without a key says \"needs key\""; \
    else fail "deepseek preset: $(api providers/deepseek | cut -c1-200)"; fi
  fi
  if preset_status azure disabled && preset_status lmstudio ready; then
    pass "the Azure template waits disabled for its resource; LM Studio needs no key"
  else
    fail "azure/lmstudio presets: $(api providers/azure | cut -c1-160) $(api providers/lmstudio | cut -c1-160)"
  fi
fi
if [ -n "$TOKEN" ]; then
  code=$(http_code -H "Authorization: Bearer $TOKEN" -H "Origin: http://evil.example" -H "Content-Type: application/json" \
    -X POST -d '{"id":"crosssite","baseUrl":"http://127.0.0.1:9/v1"}' "http://127.0.0.1:$PORT/api/providers")
  if [ "$code" = 403 ] && ! listed crosssite; then
    pass "POST /api/providers with a foreign Origin is refused (403) and creates nothing"
  else
    fail "POST /api/providers with 'Origin: http://evil.example' got $code (expected 403), or created provider crosssite"
  fi
fi
if grep -r -q "$SMOKE_GROQ_KEY" "$WORK/data" "$WORK/deploy" "$WORK/console.log" 2>/dev/null; then
  fail "the key from GROQ_API_KEY was written somewhere under the runtime"
else
  pass "the key from GROQ_API_KEY is written nowhere (data/, deploy/, console)"
fi

cp "$WORK/deploy/lmstudio.cfg.example" "$WORK/deploy/moryflow.provider.openai-smoke.cfg"
if wait_until 15 config_has "moryflow.provider.openai~smoke" 'localhost:1234'; then
  pass "deploy/moryflow.provider.openai-smoke.cfg -> configuration moryflow.provider.openai~smoke"
else
  fail "deploy/moryflow.provider.openai-smoke.cfg did not show in /system/console/configMgr/moryflow.provider.openai~smoke.json within 15 s"
fi
if ls "$WORK"/data/config/moryflow/provider/*smoke* >/dev/null 2>&1; then
  pass "Config Admin persists configurations under data/config"
else
  fail "no persisted configuration under data/config (felix.cm.dir)"
fi

provider_registered() {  # provider_registered <id>
  local id
  for id in $(services | grep 'dev.moryflow.provider.ProviderService' | field id); do
    get "$CONSOLE/services/$id.json" | grep -q "\"key\":\"provider.id\",\"value\":\"$1\"" && return 0
  done
  return 1
}
if bundle_active dev.moryflow.provider.openai; then
  if wait_until 15 provider_registered smoke; then
    pass "provider 'smoke' registered as a ProviderService"
  else
    fail "no ProviderService with provider.id=smoke within 15 s of its configuration"
  fi
else
  skip "ProviderService from the configuration (no dev.moryflow.provider.openai bundle)"
fi

# a key in a deploy/ file never reaches a log; with the credential store it leaves the file and the configuration
KEY="sk-smoke-$RANDOM$RANDOM$RANDOM"
sed "s/^apiKey = .*/apiKey = $KEY/" "$WORK/deploy/custom-provider.cfg.example" > "$WORK/deploy/moryflow.provider.openai-smokekey.cfg"
wait_until 15 config_has "moryflow.provider.openai~smokekey" 'api.example.com' || true
if bundle_active dev.moryflow.provider.openai && bundle_active dev.moryflow.credentials; then
  # the Web Console shows a password field as "unmodified" whatever it holds: read Config Admin's own store instead
  key_moved() { ! grep -q "$KEY" "$WORK/deploy/moryflow.provider.openai-smokekey.cfg" \
    && ls "$WORK"/data/config/moryflow/provider/*smokekey* >/dev/null 2>&1 \
    && ! grep -rqF "$KEY" "$WORK/data/config"; }
  if wait_until 15 key_moved; then
    pass "apiKey moved out of deploy/moryflow.provider.openai-smokekey.cfg and out of data/config (Config Admin's store)"
  else
    fail "apiKey still in deploy/moryflow.provider.openai-smokekey.cfg or data/config after 15 s"
  fi
else
  skip "apiKey moved into the credential store (needs dev.moryflow.provider.openai and dev.moryflow.credentials)"
fi

# ---- a chat through /v1 with a key from a deploy file, to a fake upstream RuntimeSmokeIT runs on loopback --------
CHAT_KEY="sk-smokechat-$RANDOM$RANDOM$RANDOM"
if [ -n "${SMOKE_UPSTREAM:-}" ] && [ -n "$TOKEN" ]; then
  printf 'name = Smoke chat\nbaseUrl = %s\napiKey = %s\nmodels = smoke-model\n' "$SMOKE_UPSTREAM" "$CHAT_KEY" \
    > "$WORK/deploy/moryflow.provider.openai-smokechat.cfg"
  chat_ready() { api "providers/smokechat" | grep -q '"status":"ready"'; }
  v1_chat() {  # v1_chat <stream true|false>
    curl -s --max-time 10 -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      -d "{\"model\":\"smokechat/smoke-model\",\"stream\":$1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}" \
      "http://127.0.0.1:$PORT/v1/chat/completions"
  }
  if wait_until 15 chat_ready; then
    whole=$(v1_chat false)
    streamed=$(v1_chat true)
    if echo "$whole" | grep -q 'Hello from the smoke upstream' && echo "$streamed" | grep -q 'the smoke upstream' \
        && echo "$streamed" | grep -q '\[DONE\]'; then
      pass "a whole and a streamed chat through /v1 reach the upstream and come back"
    else
      fail "chat through /v1 failed: whole: $(echo "$whole" | cut -c1-160) streamed: $(echo "$streamed" | cut -c1-160)"
    fi
    if [ "$(grep -c "^Authorization: Bearer $CHAT_KEY\$" "$SMOKE_UPSTREAM_LOG")" -ge 2 ]; then
      pass "the upstream received the key of its deploy file, on both chats"
    else
      fail "the upstream did not receive the provider's key: $(sed 's/sk-[A-Za-z0-9-]*/<a key>/g' "$SMOKE_UPSTREAM_LOG" | head -3)"
    fi
  else
    fail "provider smokechat not ready within 15 s: $(api providers/smokechat | cut -c1-200)"
  fi
  # every console page that prints configurations, components and services holds no key
  pages=""
  for page in status-Configurations.txt components.json services.json configMgr/*.json bundles.json; do
    pages="$pages$(get "$CONSOLE/$page")"
  done
  if ! echo "$pages" | grep -q 'smokechat'; then
    fail "the Web Console pages did not load (no sign of provider smokechat): the key scan would prove nothing"
  elif echo "$pages" | grep -q -e "$KEY" -e "$CHAT_KEY"; then
    fail "a key appears on a Web Console page (status printer, components, services or configurations)"
  else
    pass "no key on the Web Console's configuration, component, service and status pages"
  fi
else
  skip "a chat through /v1 (SMOKE_UPSTREAM not set: run through RuntimeSmokeIT, or set it to a fake upstream)"
fi

rm -f "$WORK/deploy/moryflow.provider.openai-smoke.cfg"
if wait_until 15 config_gone "moryflow.provider.openai~smoke"; then
  pass "removing the file removes configuration moryflow.provider.openai~smoke"
else
  fail "configuration moryflow.provider.openai~smoke still there 15 s after its file was removed"
fi

# ---- logging (FileInstall has logged the configurations above by now) ------------------------------------------
log_written() { [ -s "$WORK/data/log/moryflow.log" ]; }
if wait_until 10 log_written; then
  pass "log written to data/log/moryflow.log (etc/log4j2.xml in effect)"
else
  fail "no data/log/moryflow.log: etc/log4j2.xml not in effect?"
fi

# ---- deploy/: a bundle dropped in starts ------------------------------------------------------------------------
extra=$(ls "$WORK"/extras/*.jar 2>/dev/null | head -n 1)
if [ -n "$extra" ]; then
  cp "$extra" "$WORK/deploy/"
  bsn=$(unzip -p "$extra" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\r' | sed -n 's/^Bundle-SymbolicName: *\([^;]*\).*/\1/p')
  if [ -n "$bsn" ] && wait_until 20 bundle_active "$bsn"; then
    pass "extras/$(basename "$extra") dropped into deploy/ is Active ($bsn)"
  else
    fail "extras/$(basename "$extra") dropped into deploy/ did not become Active within 20 s"
  fi
else
  skip "bundle dropped into deploy/ (extras/ has no jar)"
fi

# ---- stop, change deploy/ while stopped, start again -------------------------------------------------------------
cp "$WORK/deploy/lmstudio.cfg.example" "$WORK/deploy/moryflow.provider.openai-kept.cfg"
cp "$WORK/deploy/lmstudio.cfg.example" "$WORK/deploy/moryflow.provider.openai-dropped.cfg"
wait_until 15 config_has "moryflow.provider.openai~kept" 'localhost:1234' || true
wait_until 15 config_has "moryflow.provider.openai~dropped" 'localhost:1234' || true
if stop_hub; then pass "stops on SIGTERM within 20 s"; else fail "did not stop within 20 s of SIGTERM (killed)"; fi

rm -f "$WORK/deploy/moryflow.provider.openai-dropped.cfg"
sed -i 's/^name = .*/name = Renamed While Stopped/' "$WORK/deploy/moryflow.provider.openai-kept.cfg"
t0=$SECONDS
start_hub
if wait_until "$START_TIMEOUT" webconsole_up; then
  pass "starts again on the same data/ ($((SECONDS - t0)) s)"
  if wait_until 15 config_has "moryflow.provider.openai~kept" 'Renamed While Stopped'; then
    pass "a deploy/ file changed while stopped is read at the next start"
  else
    fail "configuration moryflow.provider.openai~kept does not show the change made while stopped"
  fi
  if config_gone "moryflow.provider.openai~dropped"; then
    pass "a deploy/ file deleted while stopped leaves no configuration behind"
  else
    fail "configuration moryflow.provider.openai~dropped came back although its file was deleted while stopped"
  fi
  if [ "$(password_lines)" = 1 ]; then pass "the restart keeps the Web Console password (printed once, at the first start)"; else
    fail "the Web Console password was printed $(password_lines) times, expected once (at the first start)"; fi
  if wait_until 30 no_inactive_bundles; then pass "all bundles Active after the restart"; else
    fail "bundles not Active after the restart: $(inactive_bundles | tr '\n' ',' | sed 's/,$//; s/,/, /g')"; fi
  # now with provider configurations in place: their components must be able to run too
  if [ "$(http_code "${AUTH[@]}" "$CONSOLE/components.json")" = 200 ]; then
    if wait_until 30 no_broken_components; then
      pass "no DS component failed or waits for a missing service, with providers configured"
    else
      fail "DS components not running, with providers configured: $(broken_components | tr '\n' ',' | sed 's/,$//; s/,/, /g')"
    fi
  fi
  # ---- memory, once the hub idles: resident size steady (within 1 MiB over the last 6 s: four samples 2 s apart),
  # at most 30 s. Idle as the README means it: the JIT's work areas of the last requests' compilations are given back
  # some seconds after (Java frees them every 5 s, bin/moryflow's trim hands them to the system every 2 s); a size
  # steady over 2 s only could be read on that plateau, up to ~15 MiB above idle.
  rss_mb() { local kb; kb=$(ps -o rss= -p "$PID" 2>/dev/null | tr -d ' '); echo $(( ${kb:-0} / 1024 )); }
  if command -v ps >/dev/null 2>&1 && [ "$(rss_mb)" -gt 0 ]; then
    samples=$(rss_mb)
    rss_steady() {
      samples="$(printf '%s\n' $samples | tail -n 3) $(rss_mb)"
      local lo hi
      lo=$(printf '%s\n' $samples | sort -n | head -n 1); hi=$(printf '%s\n' $samples | sort -n | tail -n 1)
      [ "$(printf '%s\n' $samples | wc -l)" -ge 4 ] && [ $((hi - lo)) -le 1 ]
    }
    slow_steady() { sleep 1.8; rss_steady; }
    wait_until 30 slow_steady || true
    rss=$(rss_mb)
    if [ "$rss" -lt "$MAX_RSS_MB" ]; then pass "idle resident memory $rss MiB < $MAX_RSS_MB MiB"; else
      fail "idle resident memory $rss MiB, more than $MAX_RSS_MB MiB"; fi
  else
    skip "resident memory (no ps)"
  fi
  if stop_hub; then pass "stops again on SIGTERM"; else fail "did not stop within 20 s of SIGTERM the second time (killed)"; fi
else
  fail "did not start again within $START_TIMEOUT s"
fi

# ---- secrets and errors in the logs ---------------------------------------------------------------------------
if grep -r -q -e "$KEY" -e "$CHAT_KEY" "$WORK/console.log" "$WORK/data/log" 2>/dev/null; then
  fail "the apiKey of a deploy file appears in a log"
else
  pass "the apiKey appears in no log"
fi
if [ -n "$CONSOLE_PASSWORD" ] && grep -r -q -- "$CONSOLE_PASSWORD" "$WORK/data/log" 2>/dev/null; then
  fail "the Web Console password appears in data/log (it belongs on standard output only)"
else
  pass "the Web Console password appears in no log file"
fi
# The Web Console registers its servlet again when Configuration Admin hands it its (empty) configuration; a request
# of this script's polling that arrives in that instant is answered 500, and Felix HTTP logs an ERROR whose next line
# is "ServletException: Servlet has been unregistered". That start-up race is the Web Console's: it is reported,
# not failed. Every other ERROR fails.
races=$(awk '/ ERROR .*Exception while processing request to \/system\/console/ {e=$0; next}
  e != "" { if ($0 ~ /Servlet has been unregistered/) n++; e="" } END {print n+0}' "$WORK/data/log/moryflow.log" 2>/dev/null || echo 0)
if [ "${races:-0}" != "0" ]; then
  echo "NOTE $races Web Console request(s) hit its servlet while it re-registered at start (Felix HTTP logged ERROR)"
fi
# This script polls /system/console/configMgr/<pid>.json while FileInstall deletes that configuration; a request that
# reads it in the instant it goes fails with "IllegalStateException: Configuration <pid> deleted", logged by the Web
# Console ("Error reading configuration PID <pid>") or, when the console's doGet lets it out, by Felix HTTP
# ("Exception while processing request to /system/console/configMgr/<pid>.json"). That race is the script's and the
# console's: reported, not failed.
deleted_race='/ ERROR .*(o\.a\.f\.webconsole - Error reading configuration PID|o\.a\.f\.http - Exception while processing request to \/system\/console\/configMgr\/)/'
deleted=$(awk "$deleted_race"' {e=$0; next}
  e != "" { if ($0 ~ /IllegalStateException: Configuration .* deleted/) n++; e="" } END {print n+0}' \
  "$WORK/data/log/moryflow.log" 2>/dev/null || echo 0)
if [ "${deleted:-0}" != "0" ]; then
  echo "NOTE $deleted Web Console request(s) read a configuration while it was being deleted (the console logged ERROR)"
fi
errors=$(awk '/^[0-9-]+ [0-9:.]+ ERROR/ {if (e != "") print e; e=$0; next}
  e != "" { if (!(($0 ~ /Servlet has been unregistered/ && e ~ /request to \/system\/console/) ||
                 ($0 ~ /IllegalStateException: Configuration .* deleted/ && e ~ '"$deleted_race"'))) print e; e="" }
  END {if (e != "") print e}' "$WORK/data/log/moryflow.log" 2>/dev/null | head -n 5)
if [ -z "$errors" ]; then
  pass "no ERROR in data/log/moryflow.log"
else
  fail "ERROR lines in data/log/moryflow.log:"; echo "$errors" | cut -c1-240 | sed 's/^/       /'
fi

echo "smoke: $PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ]
