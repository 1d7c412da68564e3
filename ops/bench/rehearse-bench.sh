#!/usr/bin/env bash
# Rehearse benchmark, PostgreSQL part (ops/bench/rehearse-bench-mysql.sh is the MariaDB part): `livemigrate
# rehearse` against pgreplay on the same captured statement log, and what the rehearsal costs the source.
#
#  1. Two throwaway clusters (PG_BIN's initdb, free ports): the source (csvlog, wal_level=logical) and the target.
#     pgbench -i -s SCALE on the source as the application's role `app` (pgbench_history given a bigserial primary
#     key), livemigrate copy to the target, `app` granted SELECT there, catch-up running from then on.
#  2. Capture: `ALTER ROLE app SET log_statement = 'all', log_min_duration_statement = 0, log_connections = on,
#     log_disconnections = on` (pgreplay needs the statement entries and the connections; rehearse reads the same
#     entries and passes over the bare durations), then pgbench's select-only and simple-update scripts together
#     (-b select-only -b simple-update) at TPS transactions/s from CLIENTS clients for SECONDS_LOAD s, then RESET.
#     The source's CPU over that run is the application alone (with catch-up streaming its writes and the logging on).
#  3. rehearse --log <capture> --sessions SESSIONS, catch-up running, so every read is compared at a matched
#     position: statements/s as replayed reads over the whole command (JVM start included) and over the job (its
#     own "replayed in this run in N s"), and the source's CPU over the run.
#  4. pgreplay -c -j -s 1000 (idle time skipped, 1000x speed: as fast as it can keep each session's order) of the
#     same log reduced to the statements rehearse replays (the SELECTs, connections kept), against the source: one
#     side, no comparison; then of the whole log (writes too). Statements/s; the ratio rehearse / pgreplay.
#
# Figures are printed, not judged: rehearse does per read what pgreplay does not (a second server, a source
# position and a wait for catch-up to pass it, a canonical hash of every row), so the ratio says what that costs.
# Needs: PostgreSQL's server binaries (PG_BIN), pgbench, psql, pgreplay (Debian package pgreplay), python3, bc, and
# target/livemigrate.jar (./mvnw -q -DskipTests package), run through bin/livemigrate (lib.sh). Runs as root or a
# user that may run initdb.
# Usage: ops/bench/rehearse-bench.sh   (SCALE=10 CLIENTS=8 TPS=100 SECONDS_LOAD=20 SESSIONS=8 to change sizes)
set -euo pipefail
cd "$(dirname "$0")/../.."
SCALE=${SCALE:-10}
CLIENTS=${CLIENTS:-8}
TPS=${TPS:-100}
SECONDS_LOAD=${SECONDS_LOAD:-20}
SESSIONS=${SESSIONS:-8}
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
THREADS=2
command -v pgreplay > /dev/null || { echo "pgreplay not found: apt-get install pgreplay" >&2; exit 2; }
WORK=$(mktemp -d)
chmod 755 "$WORK" # the clusters run as the postgres user, under it
source ops/bench/lib.sh
[[ -x "$PG_BIN/initdb" ]] || { echo "no PostgreSQL server binaries (PG_BIN=$PG_BIN)" >&2; exit 2; }

cleanup() {
  local rc=$?
  if [[ $rc != 0 && -f "$WORK/catchup.log" ]]; then echo "-- catch-up log (last lines):"; tail -15 "$WORK/catchup.log"; fi
  [[ -n "${CATCHUP_PID:-}" ]] && kill "$CATCHUP_PID" 2>/dev/null && wait "$CATCHUP_PID" 2>/dev/null || true
  [[ -n "${CPU_SAMPLER:-}" ]] && kill "$CPU_SAMPLER" 2>/dev/null || true
  stop_postgres "$WORK/src"
  stop_postgres "$WORK/tgt"
  rm -rf "$WORK"
}
trap cleanup EXIT

SRC_PORT=$(free_port) TGT_PORT=$(free_port)
export PGHOST=127.0.0.1 PGUSER=postgres
src() { psql -qAt -p "$SRC_PORT" "$@"; }
tgt() { psql -qAt -p "$TGT_PORT" "$@"; }
echo "== machine: $(nproc) cores, $(uptime | sed 's/.*load/load/')"
echo "== setup: source :$SRC_PORT and target :$TGT_PORT ($PG_BIN), pgbench -i -s $SCALE as app, copy, catch-up"
start_postgres "$WORK/src" "$SRC_PORT" logging_collector=on log_destination=csvlog lc_messages=C
start_postgres "$WORK/tgt" "$TGT_PORT"
SRC_PID=$(postgres_pid "$WORK/src")
for p in "$SRC_PORT" "$TGT_PORT"; do psql -qAt -p "$p" -d postgres -c "CREATE ROLE app LOGIN" > /dev/null; done
createdb -p "$SRC_PORT" -O app bench
createdb -p "$TGT_PORT" bench
pgbench -p "$SRC_PORT" -U app -i -q -s "$SCALE" bench > /dev/null 2>&1
src -U app -d bench -c "ALTER TABLE pgbench_history ADD COLUMN id bigserial PRIMARY KEY" > /dev/null
src -d bench -c "VACUUM ANALYZE" > /dev/null

cat > "$WORK/plan.yml" <<YAML
name: rbench
source: { url: "jdbc:postgresql://127.0.0.1:$SRC_PORT/bench", user: postgres }
target: { url: "jdbc:postgresql://127.0.0.1:$TGT_PORT/bench", user: postgres }
tables: { include: ["public.*"] }
copy: { threads: $THREADS, chunk-rows: 10000, partition-rows: 250000 }
YAML
use_plan "$WORK/plan.yml"
lm copy > "$WORK/copy.log" 2>&1 || { cat "$WORK/copy.log"; exit 1; }
# The application's role reads on the target as on the source (a migration moves grants separately).
tgt -d bench -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO app" > /dev/null
start_catchup

await_caught_up

echo "== capture: pgbench -b select-only -b simple-update -c $CLIENTS -R $TPS -T $SECONDS_LOAD as app, every statement logged"
# statements for the application's role; connections (pgreplay opens and closes sessions by them) for the window
src -d postgres -c "ALTER ROLE app SET log_statement = 'all'" -c "ALTER ROLE app SET log_min_duration_statement = 0" \
  -c "ALTER SYSTEM SET log_connections = on" -c "ALTER SYSTEM SET log_disconnections = on" -c "SELECT pg_reload_conf()" > /dev/null
sleep 0.5
cpu_start "$SRC_PID"
t0=$(now)
pgbench -p "$SRC_PORT" -U app -n -c "$CLIENTS" -j 2 -R "$TPS" -T "$SECONDS_LOAD" -b select-only -b simple-update bench \
  > "$WORK/pgbench.log" 2>&1 || { cat "$WORK/pgbench.log"; exit 1; }
t1=$(now)
cpu_stop > "$WORK/cpu-app.txt"
APP_S=$(secs "$t0" "$t1")
src -d postgres -c "ALTER ROLE app RESET ALL" -c "ALTER SYSTEM RESET log_connections" \
  -c "ALTER SYSTEM RESET log_disconnections" -c "SELECT pg_reload_conf()" > /dev/null
sleep 0.5
# The capture: the application's entries (its role's), in log order (the collector's files sort by time), one
# file; and the same reduced to the SELECTs for pgreplay.
cat $(ls "$WORK"/src/data/log/*.csv | sort) > "$WORK/server-log.csv"
python3 - "$WORK/server-log.csv" "$WORK/capture.csv" "$WORK/reads.csv" > "$WORK/counts.txt" <<'PY'
import csv, sys
statements = reads = 0
with open(sys.argv[1], newline="") as f, open(sys.argv[2], "w", newline="") as everything, \
        open(sys.argv[3], "w", newline="") as out:
    a = csv.writer(everything, lineterminator="\n")
    w = csv.writer(out, lineterminator="\n")
    for row in csv.reader(f):
        if len(row) < 23 or row[1] != "app":
            continue
        a.writerow(row)
        msg = row[13]
        if row[11] == "LOG" and msg.startswith("statement: "):
            statements += 1
            if not msg[len("statement: "):].lstrip().upper().startswith("SELECT"):
                continue
            reads += 1
        w.writerow(row)
print(statements, reads)
PY
read -r STATEMENTS READS < "$WORK/counts.txt"
APP_CPU=$(awk '$1 == "total" {print $2}' "$WORK/cpu-app.txt")
printf '   %s statements in %.1f s (%s reads), %s of log; %s\n' "$STATEMENTS" "$APP_S" "$READS" \
  "$(du -h "$WORK/capture.csv" | cut -f1)" "$(grep -E '^tps' "$WORK/pgbench.log" | head -1)"
await_caught_up

timed_rehearsal "$WORK/capture.csv"

echo "== pgreplay -c -j -s 1000 against the source"
pgreplay_run() { # name file -> sets PR_S, PR_N; pgreplay's report in $WORK/pgreplay-<name>.log
  local t0 t1
  t0=$(now)
  pgreplay -c -j -s 1000 -h 127.0.0.1 -p "$SRC_PORT" "$2" > "$WORK/pgreplay-$1.log" 2>&1 \
    || { cat "$WORK/pgreplay-$1.log"; echo "pgreplay failed"; exit 1; }
  t1=$(now)
  PR_S=$(secs "$t0" "$t1")
  PR_N=$(awk '/^SQL statements executed:/ {print $4}' "$WORK/pgreplay-$1.log")
}
cpu_start "$SRC_PID"
pgreplay_run reads "$WORK/reads.csv"
cpu_stop > "$WORK/cpu-pgreplay.txt"
PR_READS_S=$PR_S PR_READS_N=$PR_N
PR_CPU=$(awk '$1 == "total" {print $2}' "$WORK/cpu-pgreplay.txt")
pgreplay_run all "$WORK/capture.csv"
PR_ALL_S=$PR_S PR_ALL_N=$PR_N

echo "== results (PostgreSQL, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uptime | sed 's/.*load/load/'))"
read -r RH_USER RH_SYS < "$WORK/rehearse.time"
print_rate "rehearse, whole command (JVM start included)" "$REPLAYED" "$RH_S"
print_rate "rehearse, the job (its own figure)" "$REPLAYED" "$JOB_S"
print_rate "pgreplay, the same reads, source only" "$PR_READS_N" "$PR_READS_S"
print_rate "pgreplay, the whole log (writes too), source only" "$PR_ALL_N" "$PR_ALL_S"
printf '   ratio rehearse / pgreplay (same reads, statements/s): %.2fx whole command, %.2fx job\n' \
  "$(echo "($REPLAYED / $RH_S) / ($PR_READS_N / $PR_READS_S)" | bc -l)" "$(echo "($REPLAYED / $JOB_S) / ($PR_READS_N / $PR_READS_S)" | bc -l)"
echo "   source CPU (server processes, /proc):"
print_cpu "application alone ($STATEMENTS statements)" "$APP_CPU" "$APP_S" "$STATEMENTS"
print_cpu "rehearse ($REPLAYED reads replayed)" "$RH_CPU" "$RH_S" "$REPLAYED"
print_cpu "pgreplay, the same reads" "$PR_CPU" "$PR_READS_S" "$PR_READS_N"
printf '     rehearse / application: %.2fx the CPU per second, %.2fx per statement\n' \
  "$(echo "($RH_CPU / $RH_S) / ($APP_CPU / $APP_S)" | bc -l)" "$(echo "($RH_CPU / $REPLAYED) / ($APP_CPU / $STATEMENTS)" | bc -l)"
echo "     by kind of server process (application / rehearse):"
join -a1 -a2 -e 0 -o 0,1.2,2.2 <(tail -n +2 "$WORK/cpu-app.txt" | sort) <(tail -n +2 "$WORK/cpu-rehearse.txt" | sort) \
  | awk '{printf "       %-14s %6.2f / %6.2f CPU-s\n", $1, $2, $3}'
printf '   rehearse JVM (client): %.2f CPU-s user, %.2f CPU-s system\n' "$RH_USER" "$RH_SYS"
