#!/usr/bin/env bash
# Scale-out benchmark: copy throughput with 1 and with 2 remote workers (issue 7), on the copy benchmark's data
# (pgbench scale 50: 5,000,000 pgbench_accounts rows), then the ratio.
#
# Needs: a PostgreSQL server (PGHOST/PGPORT/PGUSER, default 127.0.0.1:5432 postgres, trust auth) holding the source,
# both targets and the shared job repository; RabbitMQ (BROKER, default amqp://guest:guest@127.0.0.1:5672);
# pgbench, psql, bc; target/livemigrate.jar (./mvnw -q -DskipTests package).
# Usage: ops/bench/scaleout-bench.sh   (SCALE=50 THREADS=2 to change the data size or partitions per worker)
# Every worker runs THREADS partitions at a time, so 2 workers offer twice the parallelism of 1: on a machine whose
# cores are already busy with one worker (source, target and workers share them here) expect little gain.
set -euo pipefail
cd "$(dirname "$0")/../.."
SCALE=${SCALE:-50}
THREADS=${THREADS:-2}
BROKER=${BROKER:-amqp://guest:guest@127.0.0.1:5672}
PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
export LIVEMIGRATE_REPOSITORY_USER=${LIVEMIGRATE_REPOSITORY_USER:-$PGUSER}
JAVA_OPTS=${JAVA_OPTS:--Xmx256m}
source ops/bench/lib.sh
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
REPO="jdbc:postgresql://$PGHOST:$PGPORT/lm_so_repo"
SRC="jdbc:postgresql://$PGHOST:$PGPORT/lm_so_src"


plan() { # name target-db
  cat > "$WORK/$1.yml" <<YAML
name: $1
source: { url: "$SRC", user: "$PGUSER" }
target: { url: "jdbc:postgresql://$PGHOST:$PGPORT/$2", user: "$PGUSER" }
tables: { include: ["public.pgbench_accounts", "public.pgbench_branches", "public.pgbench_tellers"] }
copy: { threads: $THREADS, chunk-rows: 10000, partition-rows: 250000 }
workers: { mode: remote, broker: "$BROKER" }
YAML
  echo "$WORK/$1.yml"
}

run_with_workers() { # n -> prints "seconds rows_per_s_reported"
  local n=$1 name="lm-so-${1}w-$$" db="lm_so_t$1" p t0 t1 i
  dropdb --if-exists "$db"; createdb "$db"
  p=$(plan "$name" "$db")
  for i in $(seq 1 "$n"); do
    exec_livemigrate worker --plan "$p" --repository "$REPO" > "$WORK/worker-$n-$i.log" 2>&1 &
    PIDS+=($!)
  done
  for i in $(seq 1 "$n"); do # wait until every worker listens
    until grep -q "partition(s) at a time" "$WORK/worker-$n-$i.log"; do
      kill -0 "${PIDS[$((i - 1))]}" 2> /dev/null || { echo "worker $i did not start:" >&2; cat "$WORK/worker-$n-$i.log" >&2; exit 1; }
      sleep 0.5
    done
  done
  t0=$(now)
  livemigrate copy --plan "$p" --repository "$REPO" > "$WORK/copy-$n.log" 2>&1 \
    || { cat "$WORK/copy-$n.log"; exit 1; }
  t1=$(now)
  for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null || true; done
  PIDS=()
  [ "$(psql -qAt -d "$db" -c 'SELECT count(*) FROM pgbench_accounts')" = "$ACCOUNTS" ] || { echo "row count mismatch"; exit 1; }
  local workers
  workers=$(psql -qAt -d lm_so_repo -c "SELECT count(DISTINCT worker) FROM livemigrate_partition_lease
    WHERE job_execution_id = (SELECT max(job_execution_id) FROM livemigrate_partition_lease)")
  echo "$(echo "$t1 - $t0" | bc -l) $(grep -o '([0-9,]* rows/s)' "$WORK/copy-$n.log" | tr -dc '0-9') $workers"
  dropdb --if-exists "$db"
}

echo "== PostgreSQL: pgbench scale $SCALE, $THREADS partition(s) at a time per worker, $(nproc) core(s)"
for db in lm_so_src lm_so_repo; do dropdb --if-exists "$db"; createdb "$db"; done
pgbench -i -q -s "$SCALE" lm_so_src > /dev/null 2>&1
psql -qAt -d lm_so_src -c "VACUUM ANALYZE" > /dev/null
ACCOUNTS=$(psql -qAt -d lm_so_src -c "SELECT count(*) FROM pgbench_accounts")
ROWS=$(psql -qAt -d lm_so_src -c "SELECT (SELECT count(*) FROM pgbench_accounts)+(SELECT count(*) FROM pgbench_branches)+(SELECT count(*) FROM pgbench_tellers)")

read -r s1 r1 w1 <<< "$(run_with_workers 1)"
read -r s2 r2 w2 <<< "$(run_with_workers 2)"
printf '%-28s %10s rows %8.1f s wall %10.0f rows/s wall %10s rows/s in the copy step (%s worker(s) ran partitions)\n' \
  "livemigrate copy, 1 worker" "$ROWS" "$s1" "$(echo "$ROWS / $s1" | bc -l)" "$r1" "$w1"
printf '%-28s %10s rows %8.1f s wall %10.0f rows/s wall %10s rows/s in the copy step (%s worker(s) ran partitions)\n' \
  "livemigrate copy, 2 workers" "$ROWS" "$s2" "$(echo "$ROWS / $s2" | bc -l)" "$r2" "$w2"
printf 'ratio 2 workers / 1 worker: %.2fx\n' "$(echo "$s1 / $s2" | bc -l)"
for db in lm_so_src lm_so_repo; do dropdb --if-exists "$db"; done
