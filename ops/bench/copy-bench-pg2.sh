#!/usr/bin/env bash
# PostgreSQL copy benchmark with source and target on two separate servers, as a user moving a database has them:
# `livemigrate copy` (whole command, JVM start included) against `pg_dump -a | psql` into the same schema with its
# primary key already in place.
#
# Starts two throwaway PostgreSQL 15 servers on free ports (the same settings on both: initdb's defaults,
# wal_level=logical for the copy's slot, fsync on), fills the source with `pgbench -i -s SCALE`, then runs RUNS
# interleaved rounds. Each round loads once with each contender, in an order that rotates from round to round; each
# load goes into an empty database created for it, after a CHECKPOINT on both servers and a sync (so no load pays
# for writing back what ran before it), and the database is dropped
# once its rows are counted. Every load prints its wall time, the CPU seconds of each process (java, pg_dump, psql;
# the sessions and the background processes of each server), the WAL the target wrote, what the machine wrote to its
# disks in that time (every process's writes, not only these servers') and the load average when it ended; the
# summary prints the median of each contender and the ratio of the medians.
#
# Needs: PostgreSQL 15's binaries under PG_BIN (default /usr/lib/postgresql/15/bin), pgbench, /usr/bin/time, python3,
# and target/livemigrate.jar (./mvnw -q -DskipTests package), run through bin/livemigrate (lib.sh).
# Usage: ops/bench/copy-bench-pg2.sh   SCALE=20 (200 for the large case) RUNS=3 THREADS=4
#   BUILDS="old=/tmp/lm-old new=.": interleaved A/B of several builds, each a directory holding bin/livemigrate and
#   target/livemigrate.jar (e.g. `git archive <commit> bin | tar -x -C /tmp/lm-old` plus that commit's jar)
#   PLAN_COPY='chunk-rows: 100000': more settings for the plan's copy section; PLAN_COPY_<label> for one build only
#   (BUILDS="a=. b=." PLAN_COPY_b='partition-rows: 500000' compares two settings of one build)
#   JFR=<dir>: record each livemigrate run with Java Flight Recorder (profile settings) into <dir>; the launcher then
#   runs plain java -jar
#   LOGS=<dir>: keep every command's log there
#   JVM_THREADS=1: also the JVM's CPU by thread (JIT compilers, GC, copy threads, main), read from /proc
#   NICE=-10: give both servers and this script (every contender runs in it) that niceness as sessions (as root), so
#   that other work on a shared machine takes less of the CPU from the benchmark; all contenders get the same
set -euo pipefail
cd "$(dirname "$0")/../.."
SCALE=${SCALE:-20}
RUNS=${RUNS:-3}
THREADS=${THREADS:-4}
BUILDS=${BUILDS:-livemigrate=.}
JAVA_OPTS=${JAVA_OPTS:--Xmx256m}
WORK=$(mktemp -d)
chmod 755 "$WORK"
source ops/bench/lib.sh

SRC_DIR=$WORK/pg-source DST_DIR=$WORK/pg-target
cleanup() {
  [[ -z ${LOGS:-} ]] || { mkdir -p "$LOGS" && cp "$WORK"/*.log "$LOGS"/ 2> /dev/null || true; }
  stop_postgres "$SRC_DIR"
  stop_postgres "$DST_DIR"
  rm -rf "$WORK"
}
trap cleanup EXIT
SRC_PORT=$(free_port)
start_postgres "$SRC_DIR" "$SRC_PORT"
DST_PORT=$(free_port)
start_postgres "$DST_DIR" "$DST_PORT"
if [[ -n ${NICE:-} ]]; then
  # Linux shares the CPU between sessions first (autogroups: each server is a session of its own, as is this
  # script), so a process's own niceness does not reach past its session; the autogroup's does.
  for pid in "$(head -1 "$SRC_DIR/data/postmaster.pid")" "$(head -1 "$DST_DIR/data/postmaster.pid")" $$; do
    echo "$NICE" > "/proc/$pid/autogroup"
  done
fi
export PGHOST=127.0.0.1 PGUSER=postgres
src() { PGPORT=$SRC_PORT "$@"; }
dst() { PGPORT=$DST_PORT "$@"; }
# Each load starts from a checkpoint on both servers and a sync: nothing left of what ran before it to write back.
checkpoint() { src psql -qAt -d postgres -c CHECKPOINT > /dev/null; dst psql -qAt -d postgres -c CHECKPOINT > /dev/null; sync; }

echo "== PostgreSQL 15, two servers (source :$SRC_PORT, target :$DST_PORT), pgbench scale $SCALE, $RUNS round(s)"
src createdb lm_src
src pgbench -i -q -s "$SCALE" lm_src > /dev/null 2>&1
src psql -qAt -d lm_src -c "VACUUM ANALYZE" > /dev/null
ROWS=$(src psql -qAt -d lm_src -c "SELECT count(*) FROM pgbench_accounts")
echo "   pgbench_accounts: $ROWS rows, $(src psql -qAt -d lm_src -c "SELECT pg_size_pretty(pg_table_size('pgbench_accounts'))")"
src pg_dump --schema-only lm_src > "$WORK/schema.sql"
# Untimed: one pass over the source, so the first timed load does not read it from disk alone.
src pg_dump -a lm_src > /dev/null
checkpoint

plan() { # name database [label] -> path of a plan copying the pgbench tables (pgbench_history has no key, no rows)
  local own=PLAN_COPY_${3:-} settings=${PLAN_COPY:-}
  [[ -z ${3:-} || -z ${!own:-} ]] || settings=${settings:+$settings, }${!own}
  cat > "$WORK/$1.yml" <<YAML
name: $1
source: { url: "jdbc:postgresql://127.0.0.1:$SRC_PORT/lm_src", user: postgres }
target: { url: "jdbc:postgresql://127.0.0.1:$DST_PORT/$2", user: postgres }
tables: { include: ["public.pgbench_accounts", "public.pgbench_branches", "public.pgbench_tellers"] }
copy: { threads: $THREADS${settings:+, $settings} }
YAML
  echo "$WORK/$1.yml"
}
# forget <plan>: removes what a copy left on the source (its slot and publication), so the next run starts alike.
forget() {
  src psql -qAt -d lm_src -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'livemigrate_$1'" \
    -c "DROP PUBLICATION IF EXISTS livemigrate_$1" > /dev/null
}

# Each build copies a small table once untimed, so its timed runs start from the launcher's class-data archive as
# every run after a machine's first does.
src psql -qAt -d lm_src -c "CREATE TABLE warm (id int PRIMARY KEY, v text)" \
  -c "INSERT INTO warm SELECT g, md5(g::text) FROM generate_series(1, 1000) g" > /dev/null
launcher() { (cd "${1#*=}" && echo "$PWD/bin/livemigrate"); } # label=directory -> its launcher
for entry in $BUILDS; do
  label=${entry%%=*}
  dst createdb lm_warm
  sed -e 's/"public.pgbench_accounts", "public.pgbench_branches", "public.pgbench_tellers"/"public.warm"/' \
    "$(plan "warm_$label" lm_warm)" > "$WORK/warm.yml"
  mkdir -p "$WORK/warm-$label"
  run=$(launcher "$entry")
  (cd "$WORK/warm-$label" && JAVA_OPTS=$JAVA_OPTS "$run" copy --plan "$WORK/warm.yml" > "$WORK/warm-$label.log" 2>&1) \
    || { cat "$WORK/warm-$label.log"; exit 1; }
  forget "warm_$label"
  dst dropdb lm_warm
done
src psql -qAt -d lm_src -c "DROP TABLE warm" > /dev/null

cpu_of() { awk 'NR == 1 { printf "%.2f", $2 + $3 }' "$1"; } # a /usr/bin/time -f '%e %U %S' file -> user + system seconds
diff_cpu() { echo "$1 $2" | awk '{ printf "%.2f %.2f", $3 - $1, $4 - $2 }'; }

if [[ -n ${JVM_THREADS:-} ]]; then timer=("$LM_HOME/ops/bench/cpu-by-thread.py" "$WORK/java.time")
else timer=(/usr/bin/time -f '%e %U %S' -o "$WORK/java.time"); fi

# load <contender> <round>: one timed load; appends "<contender> <seconds>" to $WORK/times.
load() {
  local who=$1 round=$2 db=lm_dst_$2 t0 t1 s0 d0 s1 d1 procs
  dst createdb "$db"
  [[ $who != pg_dump ]] || dst psql -q -d "$db" -f "$WORK/schema.sql" > /dev/null
  checkpoint
  s0=$(server_cpu "$SRC_DIR") d0=$(server_cpu "$DST_DIR") w0=$(dst wal_written) k0=$(disk_written)
  t0=$(now)
  if [[ $who == pg_dump ]]; then
    src /usr/bin/time -f '%e %U %S' -o "$WORK/pg_dump.time" pg_dump -a lm_src \
      | dst /usr/bin/time -f '%e %U %S' -o "$WORK/psql.time" psql -q -d "$db" > /dev/null
    t1=$(now)
    procs="CPU s: pg_dump $(cpu_of "$WORK/pg_dump.time") psql $(cpu_of "$WORK/psql.time")"
  else
    local run name=${who}_$round
    run=$(launcher "$(tr ' ' '\n' <<< "$BUILDS" | grep "^$who=")")
    mkdir -p "$WORK/$name"
    (cd "$WORK/$name" && \
      JAVA_OPTS="$JAVA_OPTS${JFR:+ -XX:StartFlightRecording=filename=$JFR/$name.jfr,settings=profile}" \
      "${timer[@]}" "$run" copy --plan "$(plan "$name" "$db" "$who")" > "$WORK/$name.log" 2>&1) \
      || { cat "$WORK/$name.log"; exit 1; }
    t1=$(now)
    # The job's own time (the copy's progress clock, from its first step) and its key and index build, from its log.
    procs="job $(sed -n 's/^copy: COMPLETED.* rows in \([0-9.]*\) s.*/\1/p' "$WORK/$name.log") s, keys built in\
 $(sed -n 's/.*5\/5 built .* in \([0-9.]*\) s;.*/\1/p' "$WORK/$name.log") s; CPU s: java $(cpu_of "$WORK/java.time")\
${JVM_THREADS:+ (by thread: $(sed -n 2p "$WORK/java.time"))}"
    forget "$name"
  fi
  s1=$(server_cpu "$SRC_DIR") d1=$(server_cpu "$DST_DIR") w1=$(dst wal_written) k1=$(disk_written)
  local copied
  copied=$(dst psql -qAt -d "$db" -c "SELECT count(*) FROM pgbench_accounts")
  [[ $copied == "$ROWS" ]] || { echo "$who: $copied rows of $ROWS on the target"; exit 1; }
  dst dropdb "$db"
  local secs_
  secs_=$(secs "$t0" "$t1")
  echo "$who $secs_" >> "$WORK/times"
  printf '   round %d  %-12s %6.2f s  %s, source sessions/background %s, target %s (load %s)\n' "$round" "$who" \
    "$secs_" "$procs" "$(diff_cpu "$s0" "$s1" | tr ' ' /)" "$(diff_cpu "$d0" "$d1" | tr ' ' /)" "$(cut -d' ' -f1 /proc/loadavg)"
  printf '   %27s target WAL %d MB; the machine wrote %d MB to its disks\n' '' $((w1 - w0)) $((k1 - k0))
}

contenders=(pg_dump)
for entry in $BUILDS; do contenders+=("${entry%%=*}"); done
n=${#contenders[@]}
for round in $(seq 1 "$RUNS"); do
  for i in $(seq 0 $((n - 1))); do load "${contenders[$(((i + round - 1) % n))]}" "$round"; done
done

median() { grep "^$1 " "$WORK/times" | awk '{ print $2 }' | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
base=$(median pg_dump)
printf '   median  %-12s %6.2f s  %9s rows/s\n' pg_dump "$base" "$(rate "$ROWS" "$base")"
for entry in $BUILDS; do
  label=${entry%%=*} m=$(median "${entry%%=*}")
  printf '   median  %-12s %6.2f s  %9s rows/s  ratio pg_dump/livemigrate %.2fx\n' "$label" "$m" "$(rate "$ROWS" "$m")" \
    "$(echo "$base / $m" | bc -l)"
done
