#!/usr/bin/env bash
# Benchmarks of the Spark jobs (not timed tests). Subcommands:
#   batch [--rows N] [--features F] [--master M] [--pipeline P] [--redis URI] [--dir D]
#         [--rounds R] [--layouts hash,packed] [--migrate true]
#       batch ingestion of N rows x F features into local Redis vs a raw pipelined HSET loop
#       of the same hashes (default 1M x 20); prints rows/s of both and the ratio (target >= 30 %);
#       --migrate true also times the layout migration job moving the rows to packed and back.
#   historical [--entities N] [--feature-rows N] [--tables T] [--keys K] [--rounds R] [--master M] [--data D]
#       point-in-time retrieval of N entity rows against T tables x N feature rows (default 1M vs
#       3 x 5M, local[2]) vs a Spark job that reads the same inputs and writes a same-size output;
#       data generated once into D (target/bench/historical-data); prints both times and the ratio
#       per round and the median of rounds 2..R (default R = 5; round 1 warms the JVM up).
# Needs the stack's Redis (scripts/stack start redis). Builds the module first when its jar is missing.
set -euo pipefail
MODULE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$MODULE_DIR")"
JAR="$MODULE_DIR/target/larder-ingestion-jobs-0.1.0-SNAPSHOT.jar"
CLASSPATH_FILE="$MODULE_DIR/target/runtime-classpath.txt"

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }

ensure_built() {
  if [ ! -f "$JAR" ] || [ ! -f "$CLASSPATH_FILE" ]; then
    (cd "$ROOT" && flock /tmp/larder-mvn.lock mvn -B -ntp -o -q -pl ingestion-jobs -am package -DskipTests)
  fi
}

# The --add-opens list Spark's launcher passes on Java 17 (pom property spark.jvm.args).
spark_jvm_args() {
  sed -n 's:.*<spark.jvm.args>\(.*\)</spark.jvm.args>.*:\1:p' "$MODULE_DIR/pom.xml"
}

run_main() {  # run_main CLASS ARGS...
  local class="$1"; shift
  ensure_built
  # shellcheck disable=SC2046
  (cd "$MODULE_DIR" && SPARK_LOCAL_IP=127.0.0.1 java -Xmx${BENCH_HEAP:-4g} $(spark_jvm_args) \
    -cp "$JAR:$(cat "$CLASSPATH_FILE")" "$class" "$@")
}

[ $# -ge 1 ] || usage
command="$1"; shift
case "$command" in
  batch) run_main io.larder.jobs.bench.BatchIngestionBenchmark "$@" ;;
  historical) BENCH_HEAP="${BENCH_HEAP:-8g}" run_main io.larder.jobs.bench.HistoricalRetrievalBenchmark "$@" ;;
  -h|--help|help) usage ;;
  *) echo "unknown benchmark '$command'" >&2; usage ;;
esac
