#!/usr/bin/env bash
# orchestrator/bench.sh — the orchestrator (Feast Job Service) benchmark in one go, on loopback:
#   1. starts the registry, the online gateway and the orchestrator from their built jars, unless
#      they already listen; the ones it starts keep their state in their own PostgreSQL schemas, so
#      no other project's stream tables start jobs during the run
#   2. launch overhead of a small batch job: a table over a CSV it writes, then
#      StartOfflineToOnlineIngestionJob N times, one after another; per run request → RUNNING and
#      request → DONE (the job's status history), the job's own progress.seconds; the medians and
#      the overhead = DONE − own seconds
#   3. stream freshness: a table with a JSON Kafka stream source; once the stream job the
#      orchestrator starts for it runs its query and a first event is served, and after a warm-up,
#      E events at R/s from an independent producer, each to its own entity key with its sequence
#      number as value, while an independent poller asks the gateway (GetOnlineFeaturesV2) for the
#      outstanding keys: produce → served p50/p90/p99/max and the events never served; then the
#      stream job's RSS (/proc/<pid>/status) and the -Xmx it runs with
#   4. step 3 again for each further trigger interval, restarting the orchestrator it started
#      (larder.orchestrator.stream.trigger-interval is read at job launch)
#   5. cancels the jobs it started (CancelJob), deletes its tables and topics, prints the summary
# Services it started are stopped at the end, by pid (BENCH_KEEP_SERVICES=1 keeps them).
#
# Assumes `scripts/stack start` (Redis, PostgreSQL, Kafka) and a built tree
# (`mvn -B -q install -DskipTests`). The figures depend on what else uses the cores: on a machine
# shared with builds, run it under the build lock with -o (`flock -o /tmp/mvn.lock
# orchestrator/bench.sh`), so the services and Spark jobs it starts do not inherit the lock's file.
# Settings (environment):
#   BENCH_RUNS              batch jobs requested, one after another (3)
#   BENCH_BATCH_ROWS        rows of the batch CSV (5000)
#   BENCH_STREAM_EVENTS     measured stream events (1000)
#   BENCH_STREAM_RATE       events per second (50)
#   BENCH_STREAM_WARMUP     uncounted events at the same rate before measuring, as a duration (30s)
#   BENCH_SERVED_TIMEOUT    an event not served this long after its send is never served (30s)
#   BENCH_POLL_INTERVAL     the poller's lookup interval (20ms)
#   BENCH_STREAM_TRIGGERS   stream trigger intervals, comma-separated (0s,1s); each one after the
#                           first needs the orchestrator started here, and is skipped otherwise
#   BENCH_TARGET_P99_MS     freshness target printed next to the p99 (2000)
#   BENCH_JOB_JAVA_OPTS     the Spark jobs' JVM options (unset: the orchestrator's, -Xmx1g)
#   BENCH_PROJECT           registry project (jobs-bench-<time>)
#   BENCH_REGISTRY_SCHEMA, BENCH_ORCHESTRATOR_SCHEMA   schemas of the services started here
#                           (bench_registry, bench_orchestrator)
#   BENCH_OUT               output directory (orchestrator/target/bench/<time>)
#   BENCH_TOOL_JAVA_OPTS, BENCH_REGISTRY_JAVA_OPTS, BENCH_GATEWAY_JAVA_OPTS,
#   BENCH_ORCHESTRATOR_JAVA_OPTS   JVM options
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

stamp="$(date +%Y%m%d-%H%M%S)"
runs="${BENCH_RUNS:-3}"
batch_rows="${BENCH_BATCH_ROWS:-5000}"
stream_events="${BENCH_STREAM_EVENTS:-1000}"
stream_rate="${BENCH_STREAM_RATE:-50}"
# A fresh stream job needs ~15 micro-batches before their duration settles (JIT): ~30 s here.
stream_warmup="${BENCH_STREAM_WARMUP:-30s}"
served_timeout="${BENCH_SERVED_TIMEOUT:-30s}"
poll_interval="${BENCH_POLL_INTERVAL:-20ms}"
triggers="${BENCH_STREAM_TRIGGERS:-0s,1s}"
target_p99_ms="${BENCH_TARGET_P99_MS:-2000}"
project="${BENCH_PROJECT:-jobs-bench-$stamp}"
registry_schema="${BENCH_REGISTRY_SCHEMA:-bench_registry}"
orchestrator_schema="${BENCH_ORCHESTRATOR_SCHEMA:-bench_orchestrator}"
out="${BENCH_OUT:-$root/orchestrator/target/bench/$stamp}"
# slf4j.internal.verbosity: no "no SLF4J providers" banner (the tool logs nothing itself).
tool_opts="${BENCH_TOOL_JAVA_OPTS:--Xms128m -Xmx256m -Dslf4j.internal.verbosity=ERROR}"
registry_opts="${BENCH_REGISTRY_JAVA_OPTS:-}"
gateway_opts="${BENCH_GATEWAY_JAVA_OPTS:-}"
orchestrator_opts="${BENCH_ORCHESTRATOR_JAVA_OPTS:-}"

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

# --- prerequisites ---------------------------------------------------------------------------
eval "$(scripts/stack env)"
redis_port="${LARDER_REDIS_PORT:-6379}"
kafka="127.0.0.1:${LARDER_KAFKA_PORT:-9092}"
registry_port="${LARDER_REGISTRY_GRPC_PORT:-6565}"
registry_http_port="${LARDER_REGISTRY_HTTP_PORT:-8080}"
gateway_port="${LARDER_GATEWAY_GRPC_PORT:-6566}"
gateway_http_port="${LARDER_GATEWAY_HTTP_PORT:-8081}"
orchestrator_port="${LARDER_ORCHESTRATOR_GRPC_PORT:-6568}"
orchestrator_http_port="${LARDER_ORCHESTRATOR_HTTP_PORT:-8082}"
scripts/stack status redis postgres kafka >/dev/null \
  || die "Redis, PostgreSQL and Kafka must run: scripts/stack start"

jar_of() {  # jar_of MODULE ARTIFACT
  ls "$1"/target/"$2"-*.jar 2>/dev/null | grep -v -- '-plain\|-sources\|-tests' | head -n1 || true
}
registry_jar="$(jar_of registry larder-registry)"
gateway_jar="$(jar_of online-gateway larder-online-gateway)"
orchestrator_jar="$(jar_of orchestrator larder-orchestrator)"
jobs_home="$root/ingestion-jobs/target"
[ -n "$(jar_of ingestion-jobs larder-ingestion-jobs)" ] && [ -f "$jobs_home/runtime-classpath.txt" ] \
  || die "the Spark jobs are not built: mvn -B -q install -DskipTests"
[ -f loadtest/target/runtime-classpath.txt ] && [ -d loadtest/target/classes/io/larder/loadtest/jobs ] \
  || die "loadtest is not built: mvn -B -q -pl loadtest package -DskipTests"
classpath="loadtest/target/classes:$(cat loadtest/target/runtime-classpath.txt)"

mkdir -p "$out"
results="$out/results.txt"
: >"$results"
started_pids=()
started_names=()
orchestrator_pid=""

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stop_pid() {  # stop_pid PID NAME — TERM, then wait up to 30 s for it to exit
  local pid="$1"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { log "stopped $2 (pid $pid)"; return 0; }
    sleep 0.5
  done
  log "$2 (pid $pid) still runs 30 s after TERM; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

wait_for_port() {  # wait_for_port NAME PORT PID LOG
  for _ in $(seq 1 240); do
    port_open "$2" && return 0
    if ! kill -0 "$3" 2>/dev/null; then
      log "$1 exited during start-up; last lines of $4:"
      tail -n 30 "$4" >&2
      return 1
    fi
    sleep 0.5
  done
  die "$1 did not open port $2 within 120 s; see $4"
}

wait_ready() {  # wait_ready NAME HTTP_PORT — Spring readiness, at most 120 s
  for _ in $(seq 1 240); do
    curl -fsS --max-time 2 "http://127.0.0.1:$2/actuator/health/readiness" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "$1 not ready on HTTP port $2 within 120 s"
}

forget_pid() {  # forget_pid PID — a service stopped here before the end, so never signalled again
  local i pids=() names=()
  for i in "${!started_pids[@]}"; do
    [ "${started_pids[$i]}" = "$1" ] && continue
    pids+=("${started_pids[$i]}")
    names+=("${started_names[$i]}")
  done
  started_pids=("${pids[@]}")
  started_names=("${names[@]}")
}

started_pid=""
start_service() {  # start_service NAME LOGFILE JAR PORT JAVA_OPTS [ENV=VALUE...] -- [ARGS...]
  local name="$1" logfile="$2" jar="$3" port="$4" opts="$5"
  shift 5
  started_pid=""
  if port_open "$port"; then
    log "$name already listens on 127.0.0.1:$port; using it"
    return 0
  fi
  [ -n "$jar" ] || die "$name is not running and not built (mvn -B -q install -DskipTests)"
  local envs=() args=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  args=("$@")
  log "starting $name ($jar), log $logfile"
  # shellcheck disable=SC2086  # opts holds several JVM options
  env "${envs[@]}" java $opts -jar "$jar" "${args[@]}" >"$logfile" 2>&1 &
  started_pid=$!
  started_pids+=("$started_pid")
  started_names+=("$name")
  wait_for_port "$name" "$port" "$started_pid" "$logfile"
}

tool() {  # tool VERB ARGS... — the benchmark's client (loadtest's JobsBench), bounded in time
  # shellcheck disable=SC2086
  timeout 1800 java $tool_opts -cp "$classpath" io.larder.loadtest.jobs.JobsBench "$@"
}
connection=(--project "$project" --registry "127.0.0.1:$registry_port"
  --orchestrator "127.0.0.1:$orchestrator_port" --gateway "127.0.0.1:$gateway_port"
  --kafka "$kafka" --results "$results")

finish() {
  local status=$?
  # Jobs first: stream jobs outlive an orchestrator that is stopped (stop-jobs-on-shutdown false).
  if port_open "$orchestrator_port" && port_open "$registry_port"; then
    log "cleaning up project $project (cancel its active jobs, delete its tables)"
    tool cleanup "${connection[@]}" >>"$out/cleanup.log" 2>&1 \
      || log "clean-up failed; see $out/cleanup.log"
  fi
  if [ "${BENCH_KEEP_SERVICES:-0}" = 1 ]; then
    [ ${#started_pids[@]} -gt 0 ] && log "leaving services running (pids ${started_pids[*]})"
  else
    local i
    for ((i = ${#started_pids[@]} - 1; i >= 0; i--)); do
      stop_pid "${started_pids[$i]}" "${started_names[$i]}"
    done
  fi
  exit "$status"
}
trap finish EXIT

# Only loopback: services started here bind 127.0.0.1.
loopback=(--larder.grpc.host=127.0.0.1 --server.address=127.0.0.1)
IFS=, read -r -a trigger_list <<<"$triggers"

# --- 1. services -------------------------------------------------------------------------------
start_service registry "$out/registry.log" "$registry_jar" "$registry_port" "$registry_opts" \
  LARDER_LOG_FORMAT=logstash LARDER_REGISTRY_SCHEMA="$registry_schema" -- "${loopback[@]}"
registry_started="$started_pid"
[ -n "$registry_started" ] && wait_ready registry "$registry_http_port"

start_service gateway "$out/gateway.log" "$gateway_jar" "$gateway_port" "$gateway_opts" \
  LARDER_LOG_FORMAT=logstash LARDER_REGISTRY_TARGET="127.0.0.1:$registry_port" \
  LARDER_REDIS_URI="redis://127.0.0.1:$redis_port" -- "${loopback[@]}"
[ -n "$started_pid" ] && wait_ready gateway "$gateway_http_port"

start_orchestrator() {  # start_orchestrator TRIGGER_INTERVAL LOGFILE
  local envs=(LARDER_LOG_FORMAT=logstash LARDER_REGISTRY_TARGET="127.0.0.1:$registry_port"
    LARDER_REDIS_URI="redis://127.0.0.1:$redis_port"
    LARDER_ORCHESTRATOR_SCHEMA="$orchestrator_schema"
    LARDER_ORCHESTRATOR_HOME="$out/orchestrator-home" LARDER_JOBS_HOME="$jobs_home"
    LARDER_STREAM_TRIGGER_INTERVAL="$1")
  [ -n "${BENCH_JOB_JAVA_OPTS:-}" ] && envs+=(LARDER_JOB_JAVA_OPTS="$BENCH_JOB_JAVA_OPTS")
  start_service orchestrator "$2" "$orchestrator_jar" "$orchestrator_port" "$orchestrator_opts" \
    "${envs[@]}" -- "${loopback[@]}"
  orchestrator_pid="$started_pid"
  [ -n "$orchestrator_pid" ] && wait_ready orchestrator "$orchestrator_http_port"
  return 0
}
start_orchestrator "${trigger_list[0]}" "$out/orchestrator.log"
if [ -z "$orchestrator_pid" ]; then
  log "the orchestrator was already running: its own settings apply (trigger interval unknown)"
elif [ -z "$registry_started" ]; then
  log "note: the orchestrator started here reads the already running registry; stream jobs of its" \
    "other projects' tables start too and share the cores"
fi

# --- 2. launch overhead of a small batch job -----------------------------------------------------
log "batch: $runs StartOfflineToOnlineIngestionJob requests over $batch_rows CSV rows, one after another"
tool batch "${connection[@]}" --table batch_rows --rows "$batch_rows" --runs "$runs" \
  --csv "$out/batch_rows.csv" 2>&1 | tee "$out/batch.log"

# --- 3./4. stream freshness and memory, per trigger interval -----------------------------------
for i in "${!trigger_list[@]}"; do
  trigger="${trigger_list[$i]}"
  label="$trigger"
  if [ "$i" -gt 0 ]; then
    if [ -z "$orchestrator_pid" ]; then
      log "stream, trigger $trigger: skipped (needs an orchestrator started by this script)"
      continue
    fi
    # The previous trigger's job must be gone before the restart (a restarted orchestrator adopts
    # running jobs); the stream step cancels it, clean-up catches what a failure left.
    tool cleanup "${connection[@]}" >>"$out/cleanup.log" 2>&1 || true
    log "restarting the orchestrator with trigger interval $trigger"
    stop_pid "$orchestrator_pid" orchestrator
    forget_pid "$orchestrator_pid"
    start_orchestrator "$trigger" "$out/orchestrator-$trigger.log"
  elif [ -z "$orchestrator_pid" ]; then
    label=as-configured
  fi
  log "stream, trigger $label: $stream_events events at $stream_rate/s after a $stream_warmup warm-up"
  tool stream "${connection[@]}" --table "stream_events_$i" --topic "larder-bench-$stamp-$i" \
    --label "$label" --events "$stream_events" --rate "$stream_rate" --warmup "$stream_warmup" \
    --served-timeout "$served_timeout" --poll-interval "$poll_interval" \
    --key-base "$(( (i + 1) * 1000000 ))" 2>&1 | tee "$out/stream-$i.log"
done

# --- 5. the summary --------------------------------------------------------------------------------
{
  echo "Larder orchestrator (job service) — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs"
  job_opts="${BENCH_JOB_JAVA_OPTS:-the orchestrator default, -Xmx1g}"
  echo "project $project; Spark jobs' JVM options: $job_opts"
  tool report --target-p99 "$target_p99_ms" "$results"
} | tee "$out/table.txt"
log "results in $out (job logs under $out/orchestrator-home/jobs)"
