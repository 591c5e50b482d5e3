#!/usr/bin/env bash
# loadtest/bench.sh — the online-gateway benchmark in one go, on loopback:
#   1. starts the registry and the gateway from their built jars, unless they already listen
#   2. generates the data (N entities x 50 features over 5 tables, one INT64 entity) and registers
#      its tables; skipped when Redis already holds the same shape for the project
#   3. at a fixed arrival rate (open model, latency from the intended send time), per batch size:
#      the raw-Redis baseline (the same pipelined HMGETs, straight to Redis), then the gateway
#   4. at saturation (closed model, K calls in flight), rows10_features50: baseline, then gateway
#      (gRPC), then the gateway before the change (BENCH_BASELINE_GATEWAY_JAR, when set), then the
#      gateway's HTTP JSON and NDJSON endpoints (h2c: HTTP/2 with prior knowledge, no TLS);
#      the gateway's and Redis's CPU time (utime+stime of /proc/<pid>/stat) is read when each
#      measured window opens and closes, so warm-up and drain are not in it
#   5. one large request at a time (BENCH_LARGE_ROWS x 50 features): baseline, gRPC, gRPC stream,
#      HTTP JSON and NDJSON
#   6. prints them side by side with their ratios and issue 13's targets, next to the gRPC floor:
#      the same driver against a canned server that answers the same shape without any lookup
# Services it started are stopped at the end (BENCH_KEEP_SERVICES=1 keeps them).
#
# Assumes `scripts/stack start` (Redis, PostgreSQL) and a built tree
# (`mvn -B -q package -DskipTests`). Settings (environment):
#   BENCH_ENTITIES      entities to generate (100000; 1000000 = the published Feast shape)
#   BENCH_PROJECT       registry project / key namespace (bench-<entities>)
#   BENCH_ROWS          batch sizes at the fixed rate (1,10,50,100)
#   BENCH_RATE          requests per second (100)
#   BENCH_DURATION      measured time per batch size (15s); BENCH_WARMUP uncounted before it (3s)
#   BENCH_SATURATION_ROWS, BENCH_CONCURRENCY   saturation shape and calls in flight (10, 32)
#   BENCH_DEADLINE      deadline of every call (1s)
#   BENCH_API           gateway RPC: grpc (GetOnlineFeaturesV2) or grpc_stream (grpc)
#   BENCH_GATEWAY_WARMUP  uncounted closed-loop load on the gateway before measuring (30s; 0 = none)
#   BENCH_FLOOR         also measure the canned gRPC server at each fixed rate (1; 0 = skip)
#   BENCH_FLOOR_PORT    its port (6599)
#   BENCH_BASELINE_GATEWAY_JAR  a gateway jar from before the change (unset = no comparison): started
#                       beside the gateway with the same settings, warmed up alike, and measured
#                       at saturation the same way; the table shows CPU per row now / before
#   BENCH_BASELINE_GRPC_PORT, BENCH_BASELINE_HTTP_PORT   its ports (6576, 8091)
#   BENCH_HTTP          also measure HTTP JSON and NDJSON at saturation and one large request (1)
#   BENCH_HTTP_CONNECTIONS  h2c connections of the HTTP driver (4)
#   BENCH_HTTP_WARMUP   uncounted closed-loop load on each HTTP endpoint before measuring (60s; 0 =
#                       none): on 2 busy cores the JIT takes about a minute to settle the JSON path;
#                       measured after 5 s it cost 2x the CPU per row, after 15 s 1.8x
#   BENCH_H2LOAD        also saturate the gateway with h2load (nghttp2-client), gRPC, JSON and NDJSON
#                       (1; skipped when h2load is not installed); BENCH_H2LOAD_CONNECTIONS (4),
#                       streams per connection = BENCH_CONCURRENCY / connections; BENCH_H2LOAD_WARMUP
#                       (45s: on 2 busy cores the JIT settles the gRPC path only after about a
#                       minute of load); BENCH_H2LOAD_BIN (h2load)
#   BENCH_LARGE_ROWS    rows of the one-at-a-time large request (10000; 0 = skip)
#   BENCH_LARGE_DURATION, BENCH_LARGE_DEADLINE   its measured time, after a 3 s warm-up, and its
#                       call deadline (8s, 30s)
#   BENCH_GATLING=1     also run the two Gatling HTTP simulations (JSON, NDJSON) at BENCH_RATE
#   BENCH_MVN           Maven command for the Gatling step (mvn)
#   BENCH_OUT           output directory (loadtest/target/bench/<time>)
#   BENCH_FAULT=postgres  instead of the benchmark, the fault scenario: PostgreSQL stopped for
#                       BENCH_FAULT_OUTAGE (30s) under registry and gateway load, a table of what
#                       each saw and how long the registry took to fail and recover
#   BENCH_DRIVER_JAVA_OPTS, BENCH_GATEWAY_JAVA_OPTS, BENCH_REGISTRY_JAVA_OPTS   JVM options
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

entities="${BENCH_ENTITIES:-100000}"
project="${BENCH_PROJECT:-bench-$entities}"
rows="${BENCH_ROWS:-1,10,50,100}"
rate="${BENCH_RATE:-100}"
duration="${BENCH_DURATION:-15s}"
warmup="${BENCH_WARMUP:-3s}"
saturation_rows="${BENCH_SATURATION_ROWS:-10}"
concurrency="${BENCH_CONCURRENCY:-32}"
deadline="${BENCH_DEADLINE:-1s}"
api="${BENCH_API:-grpc}"
out="${BENCH_OUT:-$root/loadtest/target/bench/$(date +%Y%m%d-%H%M%S)}"
# slf4j.internal.verbosity: no "no SLF4J providers" banner; Netty and Lettuce then log through JUL.
driver_opts="${BENCH_DRIVER_JAVA_OPTS:--Xms512m -Xmx512m -Dslf4j.internal.verbosity=ERROR}"
gateway_opts="${BENCH_GATEWAY_JAVA_OPTS:-}"
registry_opts="${BENCH_REGISTRY_JAVA_OPTS:-}"

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

# --- prerequisites ---------------------------------------------------------------------------
eval "$(scripts/stack env)"
redis_port="${LARDER_REDIS_PORT:-6379}"
registry_port="${LARDER_REGISTRY_GRPC_PORT:-6565}"
gateway_port="${LARDER_GATEWAY_GRPC_PORT:-6566}"
gateway_http_port="${LARDER_GATEWAY_HTTP_PORT:-8081}"
scripts/stack status redis postgres >/dev/null \
  || die "Redis and PostgreSQL must run: scripts/stack start"

jar_of() {  # jar_of MODULE ARTIFACT
  ls "$1"/target/"$2"-*.jar 2>/dev/null | grep -v -- '-plain\|-sources' | head -n1 || true
}
registry_jar="$(jar_of registry larder-registry)"
gateway_jar="$(jar_of online-gateway larder-online-gateway)"
[ -f loadtest/target/runtime-classpath.txt ] && [ -d loadtest/target/classes ] \
  || die "loadtest is not built: mvn -B -q -pl loadtest package -DskipTests"
classpath="loadtest/target/classes:$(cat loadtest/target/runtime-classpath.txt)"

mkdir -p "$out"
results="$out/results.txt"
: >"$results"
started_pids=()

stop_started() {
  if [ "${BENCH_KEEP_SERVICES:-0}" = 1 ]; then
    [ ${#started_pids[@]} -gt 0 ] && log "leaving services running (pids ${started_pids[*]})"
    return
  fi
  for pid in "${started_pids[@]}"; do
    kill "$pid" 2>/dev/null && log "stopped pid $pid" || true
  done
}
trap stop_started EXIT

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() {  # wait_for_port NAME PORT PID LOG
  for _ in $(seq 1 120); do
    port_open "$2" && return 0
    if ! kill -0 "$3" 2>/dev/null; then
      log "$1 exited during start-up; last lines of $4:"
      tail -n 30 "$4" >&2
      return 1
    fi
    sleep 0.5
  done
  die "$1 did not open port $2 within 60 s; see $4"
}

start_service() {  # start_service NAME JAR PORT JAVA_OPTS [ENV=VALUE...] -- [ARGS...]
  local name="$1" jar="$2" port="$3" opts="$4"
  shift 4
  if port_open "$port"; then
    log "$name already listens on 127.0.0.1:$port; using it"
    return 0
  fi
  [ -n "$jar" ] || die "$name is not running and not built (mvn -B -q package -DskipTests)"
  local envs=() args=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  args=("$@")
  log "starting $name ($jar), log $out/$name.log"
  # shellcheck disable=SC2086  # opts holds several JVM options
  env "${envs[@]}" java $opts -jar "$jar" "${args[@]}" >"$out/$name.log" 2>&1 &
  local pid=$!
  started_pids+=("$pid")
  wait_for_port "$name" "$port" "$pid" "$out/$name.log"
}

run_java() {  # run_java MAIN ARGS... — a load tool, bounded in time
  # shellcheck disable=SC2086
  timeout 900 java $driver_opts -cp "$classpath" "$@"
}

# h2load (nghttp2's C load tool): installed from Debian's nghttp2-client when missing and root;
# h2load_on=0 when it cannot be had.
h2load_bin="${BENCH_H2LOAD_BIN:-h2load}"
h2load_on="${BENCH_H2LOAD:-1}"
ensure_h2load() {
  if [ "$h2load_on" = 1 ] && ! command -v "$h2load_bin" >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    log "installing h2load (Debian's nghttp2-client)"
    { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nghttp2-client \
        || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
          --no-install-recommends nghttp2-client; }; } >"$out/apt-nghttp2.log" 2>&1 || true
  fi
  if [ "$h2load_on" = 1 ] && ! command -v "$h2load_bin" >/dev/null 2>&1; then
    log "h2load not found (apt-get install nghttp2-client): its saturation runs are skipped"
    h2load_on=0
  fi
}

# Only loopback: services started here bind 127.0.0.1.
loopback=(--larder.grpc.host=127.0.0.1 --server.address=127.0.0.1)

# --- 1. services, 2. data --------------------------------------------------------------------
start_service registry "$registry_jar" "$registry_port" "$registry_opts" \
  LARDER_LOG_FORMAT=logstash -- "${loopback[@]}"

log "data: $entities entities x 50 features (5 tables) in project $project"
run_java io.larder.loadtest.generate.DataGenerator \
  --project "$project" --entities "$entities" \
  --redis "redis://127.0.0.1:$redis_port" --registry "127.0.0.1:$registry_port" \
  --skip-if-present 2>&1 | tee -a "$out/generate.log"

gateway_env=(LARDER_LOG_FORMAT=logstash LARDER_REGISTRY_TARGET="127.0.0.1:$registry_port"
  LARDER_REDIS_URI="redis://127.0.0.1:$redis_port")
start_service gateway "$gateway_jar" "$gateway_port" "$gateway_opts" \
  "${gateway_env[@]}" -- "${loopback[@]}"

# The gateway as it was before the change, on ports of its own, for the CPU-per-row comparison.
before_jar="${BENCH_BASELINE_GATEWAY_JAR:-}"
before_port="${BENCH_BASELINE_GRPC_PORT:-6576}"
before_http_port="${BENCH_BASELINE_HTTP_PORT:-8091}"
if [ -n "$before_jar" ]; then
  [ -f "$before_jar" ] || die "BENCH_BASELINE_GATEWAY_JAR=$before_jar is not a file"
  start_service before "$before_jar" "$before_port" "$gateway_opts" \
    "${gateway_env[@]}" -- "${loopback[@]}" \
    --larder.grpc.port="$before_port" --server.port="$before_http_port"
fi
await_ready() {  # await_ready HTTP_PORT
  for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$1/actuator/health/readiness" >/dev/null 2>&1 && return 0
    sleep 1
  done
}
await_ready "$gateway_http_port"
[ -z "$before_jar" ] || await_ready "$before_http_port"

# A fault scenario instead of the benchmark: the same services and data, then only the scenario.
case "${BENCH_FAULT:-}" in
  "") ;;
  postgres)
    log "fault: PostgreSQL stopped for ${BENCH_FAULT_OUTAGE:-30s} under load"
    run_java io.larder.loadtest.faults.PostgresOutageRun --project "$project" \
      --entities "$entities" --registry "127.0.0.1:$registry_port" \
      --registry-http "http://127.0.0.1:${LARDER_REGISTRY_HTTP_PORT:-8080}" \
      --gateway "127.0.0.1:$gateway_port" --outage "${BENCH_FAULT_OUTAGE:-30s}" \
      --stack "$root/scripts/stack" --out "$out" | tee "$out/fault-postgres.txt"
    log "results in $out"
    exit 0 ;;
  *) die "BENCH_FAULT=${BENCH_FAULT}: unknown scenario (postgres)" ;;
esac

# CPU time is read from the processes' own counters, so the drivers need their pids: whoever
# listens on the port (a service this script started or one it found running).
pid_on_port() {
  ss -ltnpH "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2
}
clk_tck="$(getconf CLK_TCK)"
redis_pid="$(pid_on_port "$redis_port")"
[ -n "$redis_pid" ] || redis_pid="$(cat "${LARDER_STACK_DIR:-$root/.stack}/redis/redis.pid" 2>/dev/null || true)"
cpu_of() {  # cpu_of GATEWAY_PORT — the driver options counting the gateway's and Redis's CPU
  local pid
  pid="$(pid_on_port "$1")"
  [ -n "$pid" ] || log "no pid found listening on port $1: its CPU is not measured"
  [ -n "$redis_pid" ] || log "no Redis pid found: its CPU is not measured"
  echo --clk-tck "$clk_tck" ${pid:+--cpu-pid gateway=$pid} ${redis_pid:+--cpu-pid redis=$redis_pid}
}
# shellcheck disable=SC2207  # pids and numbers only, no spaces
gateway_cpu=($(cpu_of "$gateway_port"))
# shellcheck disable=SC2207
redis_cpu=(--clk-tck "$clk_tck" ${redis_pid:+--cpu-pid redis=$redis_pid})
before_cpu=()
# shellcheck disable=SC2207
[ -z "$before_jar" ] || before_cpu=($(cpu_of "$before_port"))

# The layouts scenario instead of the benchmark: one table of BENCH_LAYOUT_FEATURES features in
# each online layout (two projects), saturated in turn with h2load over gRPC, rounds alternating.
if [ "${BENCH_SCENARIO:-}" = layouts ]; then
  layout_entities="${BENCH_LAYOUT_ENTITIES:-$entities}"
  layout_features="${BENCH_LAYOUT_FEATURES:-55}"
  layout_rows="${BENCH_LAYOUT_ROWS:-10}"
  layout_rounds="${BENCH_LAYOUT_ROUNDS:-2}"
  layout_connections="${BENCH_H2LOAD_CONNECTIONS:-4}"
  layout_streams=$(( (concurrency + layout_connections - 1) / layout_connections ))
  ensure_h2load
  [ "$h2load_on" = 1 ] || die "the layouts scenario needs h2load (apt-get install nghttp2-client)"
  layout_shape() {  # layout_shape LAYOUT
    echo --project "layouts-$1-$layout_entities" --entities "$layout_entities" --tables 1 \
      --features-per-table "$layout_features" --layout "$1"
  }
  for layout in hash packed; do
    log "data: $layout_entities entities x $layout_features features, $layout layout"
    # shellcheck disable=SC2046  # words of options only
    run_java io.larder.loadtest.generate.DataGenerator $(layout_shape "$layout") \
      --redis "redis://127.0.0.1:$redis_port" --registry "127.0.0.1:$registry_port" \
      --skip-if-present 2>&1 | tee -a "$out/generate.log"
  done
  for round in $(seq 1 "$layout_rounds"); do
    for layout in hash packed; do
      log "round $round: $layout layout, h2load gRPC, $layout_rows rows x $layout_features features"
      # shellcheck disable=SC2046
      run_java io.larder.loadtest.h2load.H2loadRun --api grpc --h2load "$h2load_bin" \
        --grpc-target "127.0.0.1:$gateway_port" --url "http://127.0.0.1:$gateway_http_port" \
        $(layout_shape "$layout") --rows "$layout_rows" \
        --connections "$layout_connections" --streams "$layout_streams" \
        --warmup "${BENCH_H2LOAD_WARMUP:-45s}" --duration "$duration" \
        --work-dir "$out/h2load-$layout" --results "$out/layouts-$layout.txt" \
        $(cpu_of "$gateway_port") 2>&1 | tee -a "$out/runs.log"
    done
  done
  best() {  # best LAYOUT — the most rows/s of its rounds
    sed -n 's/.* rows_s=\([0-9.]*\).*/\1/p' "$out/layouts-$1.txt" | sort -g | tail -n1
  }
  hash_rows="$(best hash)"
  packed_rows="$(best packed)"
  {
    echo "layouts: 1 table x $layout_features features, $layout_rows rows per request,"
    echo "  h2load gRPC, $layout_connections x $layout_streams in flight, best of $layout_rounds rounds"
    printf '  hash layout   : %10.0f rows/s\n' "$hash_rows"
    printf '  packed layout : %10.0f rows/s\n' "$packed_rows"
    awk -v p="$packed_rows" -v h="$hash_rows" \
      'BEGIN { printf "  packed / hash : %10.2fx  (target >= 3x)\n", (h > 0 ? p / h : 0) }'
  } | tee "$out/layouts.txt"
  log "results in $out"
  exit 0
fi

shape=(--project "$project" --entities "$entities" --deadline "$deadline" --results "$results")
closed_load=(--mode closed --rows "$saturation_rows" --concurrency "$concurrency"
  --warmup "$warmup" --duration "$duration")

floor="${BENCH_FLOOR:-1}"
floor_port="${BENCH_FLOOR_PORT:-6599}"
if [ "$floor" = 1 ]; then
  if port_open "$floor_port"; then
    die "port $floor_port is in use; set BENCH_FLOOR_PORT (or BENCH_FLOOR=0)"
  fi
  log "starting the canned gRPC server (the floor) on 127.0.0.1:$floor_port"
  # shellcheck disable=SC2086
  java $driver_opts -cp "$classpath" io.larder.loadtest.floor.CannedServingServer \
    --port "$floor_port" >"$out/floor.log" 2>&1 &
  floor_pid=$!
  started_pids+=("$floor_pid")
  wait_for_port floor "$floor_port" "$floor_pid" "$out/floor.log"
  if [ "${BENCH_GATEWAY_WARMUP:-30s}" != 0 ]; then
    # Warmed like the gateway, so both are compared in steady state.
    run_java io.larder.loadtest.grpc.GrpcLoadDriver --target "127.0.0.1:$floor_port" --api grpc \
      --label floor --project "$project" --entities "$entities" --deadline "$deadline" \
      --mode closed --rows "$saturation_rows" --concurrency 8 --warmup 0 \
      --duration "${BENCH_GATEWAY_WARMUP:-30s}" --await-ready 0 >"$out/floor-warmup.log" 2>&1 \
      || { tail -n 20 "$out/floor-warmup.log" >&2; exit 1; }
  fi
fi

# --- 3. fixed rate, 4. saturation --------------------------------------------------------------
filter() { tee -a "$out/runs.log"; }
# A gateway that just started runs interpreted code; steady state is what is compared. Uncounted.
gateway_warmup="${BENCH_GATEWAY_WARMUP:-30s}"
if [ "$gateway_warmup" != 0 ]; then
  log "warming the gateway up for $gateway_warmup (closed loop, not counted)"
  run_java io.larder.loadtest.grpc.GrpcLoadDriver --target "127.0.0.1:$gateway_port" --api "$api" \
    --project "$project" --entities "$entities" --deadline "$deadline" --mode closed \
    --rows "$saturation_rows" --concurrency 8 --warmup 0 --duration "$gateway_warmup" \
    >"$out/gateway-warmup.log" 2>&1 || { tail -n 20 "$out/gateway-warmup.log" >&2; exit 1; }
  if [ -n "$before_jar" ]; then
    log "warming the gateway before the change up for $gateway_warmup (closed loop, not counted)"
    run_java io.larder.loadtest.grpc.GrpcLoadDriver --target "127.0.0.1:$before_port" --api "$api" \
      --label before --project "$project" --entities "$entities" --deadline "$deadline" \
      --mode closed --rows "$saturation_rows" --concurrency 8 --warmup 0 \
      --duration "$gateway_warmup" >"$out/before-warmup.log" 2>&1 \
      || { tail -n 20 "$out/before-warmup.log" >&2; exit 1; }
  fi
fi
# Baseline and gateway alternate per shape, so a change in the machine's background load hits
# both sides of a ratio alike.
IFS=, read -r -a batch_sizes <<<"$rows"
for batch in "${batch_sizes[@]}"; do
  open_load=(--mode open --rows "$batch" --rate "$rate" --warmup "$warmup" --duration "$duration")
  log "fixed rate, $batch rows: raw Redis"
  run_java io.larder.loadtest.baseline.RawRedisBaseline --redis "redis://127.0.0.1:$redis_port" \
    "${shape[@]}" "${open_load[@]}" "${redis_cpu[@]}" 2>&1 | filter
  log "fixed rate, $batch rows: gateway ($api)"
  run_java io.larder.loadtest.grpc.GrpcLoadDriver --target "127.0.0.1:$gateway_port" --api "$api" \
    "${shape[@]}" "${open_load[@]}" "${gateway_cpu[@]}" 2>&1 | filter
  if [ "$floor" = 1 ]; then
    log "fixed rate, $batch rows: canned gRPC server (floor)"
    run_java io.larder.loadtest.grpc.GrpcLoadDriver --target "127.0.0.1:$floor_port" --api grpc \
      --label floor "${shape[@]}" "${open_load[@]}" 2>&1 | filter
  fi
done
# Each saturation is measured again with h2load (nghttp2, C) right after the Java driver's run of the
# same API, while the gateway's JIT is warm for it: h2load costs ~0.03 CPU-s per 10k rows against the
# Java drivers' 0.2-0.6, which on a small machine take the cores the gateway and Redis need. It
# repeats one request body, so raw Redis is also measured reading those same entities (redis_same).
ensure_h2load
h2load_connections="${BENCH_H2LOAD_CONNECTIONS:-4}"
h2load_streams=$(( (concurrency + h2load_connections - 1) / h2load_connections ))
h2load_run() {  # h2load_run API
  [ "$h2load_on" = 1 ] || return 0
  log "saturation: gateway ($1) driven by h2load, $h2load_connections connections x $h2load_streams streams"
  # shellcheck disable=SC2046  # pids and numbers only
  run_java io.larder.loadtest.h2load.H2loadRun --api "$1" --h2load "$h2load_bin" \
    --grpc-target "127.0.0.1:$gateway_port" --url "http://127.0.0.1:$gateway_http_port" \
    --project "$project" --entities "$entities" --rows "$saturation_rows" \
    --connections "$h2load_connections" --streams "$h2load_streams" \
    --warmup "${BENCH_H2LOAD_WARMUP:-45s}" --duration "$duration" \
    --work-dir "$out/h2load" --results "$results" $(cpu_of "$gateway_port") 2>&1 | filter
}
if [ "$h2load_on" = 1 ]; then
  log "saturation: raw Redis, the same entities every call (h2load's counterpart)"
  run_java io.larder.loadtest.baseline.RawRedisBaseline --redis "redis://127.0.0.1:$redis_port" \
    --same-entities "${shape[@]}" --mode closed --rows "$saturation_rows" \
    --concurrency $(( h2load_connections * h2load_streams )) --warmup "$warmup" \
    --duration "$duration" "${redis_cpu[@]}" 2>&1 | filter
fi
log "saturation: raw Redis"
run_java io.larder.loadtest.baseline.RawRedisBaseline --redis "redis://127.0.0.1:$redis_port" \
  "${shape[@]}" "${closed_load[@]}" "${redis_cpu[@]}" 2>&1 | filter
log "saturation: gateway ($api)"
run_java io.larder.loadtest.grpc.GrpcLoadDriver --target "127.0.0.1:$gateway_port" --api "$api" \
  "${shape[@]}" "${closed_load[@]}" "${gateway_cpu[@]}" 2>&1 | filter
h2load_run grpc
if [ -n "$before_jar" ]; then
  log "saturation: gateway before the change ($api, $before_jar)"
  run_java io.larder.loadtest.grpc.GrpcLoadDriver --target "127.0.0.1:$before_port" --api "$api" \
    --label before "${shape[@]}" "${closed_load[@]}" "${before_cpu[@]}" 2>&1 | filter
fi

http="${BENCH_HTTP:-1}"
http_connections="${BENCH_HTTP_CONNECTIONS:-4}"
http_warmup="${BENCH_HTTP_WARMUP:-60s}"
http_driver=(io.larder.loadtest.http.HttpLoadDriver --url "http://127.0.0.1:$gateway_http_port"
  --connections "$http_connections")
if [ "$http" = 1 ]; then
  for http_api in http_json http_ndjson; do
    if [ "$http_warmup" != 0 ]; then
      log "warming $http_api up for $http_warmup (closed loop, not counted)"
      run_java "${http_driver[@]}" --api "$http_api" --project "$project" \
        --entities "$entities" --deadline "$deadline" --mode closed --rows "$saturation_rows" \
        --concurrency 8 --warmup 0 --duration "$http_warmup" >"$out/$http_api-warmup.log" 2>&1 \
        || { tail -n 20 "$out/$http_api-warmup.log" >&2; exit 1; }
    fi
    log "saturation: gateway ($http_api, h2c, $http_connections connections)"
    run_java "${http_driver[@]}" --api "$http_api" "${shape[@]}" "${closed_load[@]}" \
      "${gateway_cpu[@]}" 2>&1 | filter
    h2load_run "$http_api"
  done
fi

# One large request at a time: latency of a request at the gateway's row limit, no queueing.
large_rows="${BENCH_LARGE_ROWS:-10000}"
if [ "$large_rows" != 0 ] && [ "$large_rows" -gt "$entities" ]; then
  log "BENCH_LARGE_ROWS=$large_rows is more than BENCH_ENTITIES=$entities: large request skipped"
  large_rows=0
fi
if [ "$large_rows" != 0 ]; then
  large_shape=(--project "$project" --entities "$entities" --results "$results"
    --deadline "${BENCH_LARGE_DEADLINE:-30s}")
  # The warm-up lets the first (coldest) call end before the window opens.
  large_load=(--mode closed --rows "$large_rows" --concurrency 1 --warmup 3s
    --duration "${BENCH_LARGE_DURATION:-8s}")
  log "one request at a time, $large_rows rows: raw Redis"
  run_java io.larder.loadtest.baseline.RawRedisBaseline --redis "redis://127.0.0.1:$redis_port" \
    "${large_shape[@]}" "${large_load[@]}" "${redis_cpu[@]}" 2>&1 | filter
  for large_api in grpc grpc_stream; do
    log "one request at a time, $large_rows rows: gateway ($large_api)"
    run_java io.larder.loadtest.grpc.GrpcLoadDriver --target "127.0.0.1:$gateway_port" \
      --api "$large_api" "${large_shape[@]}" "${large_load[@]}" "${gateway_cpu[@]}" 2>&1 | filter
  done
  if [ "$http" = 1 ]; then
    for large_api in http_json http_ndjson; do
      log "one request at a time, $large_rows rows: gateway ($large_api, h2c)"
      run_java "${http_driver[@]}" --api "$large_api" "${large_shape[@]}" "${large_load[@]}" \
        "${gateway_cpu[@]}" 2>&1 | filter
    done
  fi
fi

seconds_of() {  # 15s -> 15, 2m -> 120 (Gatling takes seconds)
  case "$1" in
    *ms) echo 1 ;;
    *m) echo $(( ${1%m} * 60 )) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}
if [ "${BENCH_GATLING:-0}" = 1 ]; then
  for simulation in OnlineJsonSimulation OnlineStreamSimulation; do
    log "Gatling $simulation (HTTP/1.1, $rate req/s, rows $saturation_rows)"
    # shellcheck disable=SC2086  # BENCH_MVN may hold a wrapper, e.g. "flock /tmp/lock mvn"
    ${BENCH_MVN:-mvn} -B -ntp -q -pl loadtest gatling:test \
      -Dgatling.simulationClass="io.larder.loadtest.gatling.$simulation" \
      -DbaseUrl="http://127.0.0.1:$gateway_http_port" -Dproject="$project" \
      -Dentities="$entities" -Drate="$rate" -Dduration="$(seconds_of "$duration")" \
      -Drows="$saturation_rows" 2>&1 | tee -a "$out/gatling.log" \
      | grep -E 'request count|percentile|failed events|found [0-9]|Reports' || true
  done
fi

# --- 5. the table ------------------------------------------------------------------------------
{
  echo "Larder online gateway vs raw Redis — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs"
  echo "data: $entities entities x 50 features over 5 tables; project $project; deadline $deadline"
  echo "CPU: utime+stime of /proc/<pid>/stat (CLK_TCK $clk_tck) over each measured window, warm-up excluded"
  [ "$http" != 1 ] || echo "HTTP: h2c (HTTP/2 with prior knowledge, no TLS), $http_connections connections"
  [ -z "$before_jar" ] || echo "before: $before_jar on 127.0.0.1:$before_port, same settings and warm-up"
  run_java io.larder.loadtest.report.BenchTable "$results"
} | tee "$out/table.txt"
log "results in $out"
