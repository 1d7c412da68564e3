#!/usr/bin/env bash
# Rehearse benchmark, MariaDB part (ops/bench/rehearse-bench.sh is the PostgreSQL part): `livemigrate rehearse`
# against pt-upgrade (percona-toolkit) on the same captured slow log, and what the rehearsal costs the source.
#
#  1. Two throwaway mariadbd (lib.sh's start_mariadbd, free ports): the source with its binlog (ROW, FULL) and the
#     target. sysbench oltp_read_only prepare (ROWS rows), livemigrate copy, catch-up running from then on.
#  2. Capture: SET GLOBAL slow_query_log_file, long_query_time = 0, slow_query_log = 1 (new sessions log every
#     statement), then sysbench oltp_read_only at TPS transactions/s from CLIENTS threads for SECONDS_LOAD s, then
#     the slow log off again. The source's CPU over that run is the application alone (with the log on).
#  3. rehearse --log <slow log> --sessions SESSIONS, catch-up running, so every read is compared at a matched
#     position: statements/s as replayed reads over the whole command (JVM start included) and over the job (its
#     own "replayed in this run in N s"), and the source's CPU over the run.
#  4. pt-upgrade <slow log> source target (its defaults: SELECT and SET only, results compared by row count and
#     checksum, warnings and times), with --max-class-size raised so no statement of a query class is discarded:
#     the same two servers, one statement at a time. Statements/s; the ratio rehearse / pt-upgrade.
#
# Figures are printed, not judged: rehearse runs a source position and a wait for catch-up to pass it before each
# target statement (pt-upgrade assumes static servers), so the ratio says what lag-free comparison costs.
# Needs: /usr/sbin/mariadbd, mariadb-install-db, mariadb, sysbench, pt-upgrade (Debian package percona-toolkit),
# python3, bc, and target/livemigrate.jar (./mvnw -q -DskipTests package), run through bin/livemigrate (lib.sh).
# Usage: ops/bench/rehearse-bench-mysql.sh   (ROWS=100000 CLIENTS=8 TPS=30 SECONDS_LOAD=20 SESSIONS=8 to change sizes)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-100000}
CLIENTS=${CLIENTS:-8}
TPS=${TPS:-30}
SECONDS_LOAD=${SECONDS_LOAD:-20}
SESSIONS=${SESSIONS:-8}
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
THREADS=2
command -v pt-upgrade > /dev/null || { echo "pt-upgrade not found: apt-get install percona-toolkit" >&2; exit 2; }
command -v sysbench > /dev/null || { echo "sysbench not found: apt-get install sysbench" >&2; exit 2; }
WORK=$(mktemp -d)
PIDS=()
source ops/bench/lib.sh

cleanup() {
  local rc=$?
  if [[ $rc != 0 && -f "$WORK/catchup.log" ]]; then echo "-- catch-up log (last lines):"; tail -15 "$WORK/catchup.log"; fi
  [[ -n "${CATCHUP_PID:-}" ]] && kill "$CATCHUP_PID" 2>/dev/null && wait "$CATCHUP_PID" 2>/dev/null || true
  [[ -n "${CPU_SAMPLER:-}" ]] && kill "$CPU_SAMPLER" 2>/dev/null || true
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

SRC_PORT=$(free_port) TGT_PORT=$(free_port)
src() { mariadb -h127.0.0.1 -P"$SRC_PORT" -uroot "$@"; }
sb() { sysbench oltp_read_only --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$SRC_PORT" --mysql-user=root \
         --mysql-db=sb --tables=1 --table-size="$ROWS" "$@"; }
echo "== machine: $(nproc) cores, $(uptime | sed 's/.*load/load/')"
echo "== setup: source :$SRC_PORT and target :$TGT_PORT ($(/usr/sbin/mariadbd --version | awk '{print $3}')), sysbench prepare $ROWS rows, copy, catch-up"
start_mariadbd "$WORK/src" "$SRC_PORT" 31 --log-bin=mysql-bin --binlog-format=ROW --binlog-row-image=FULL
SRC_PID=${PIDS[-1]}
start_mariadbd "$WORK/tgt" "$TGT_PORT" 32
src -e "CREATE DATABASE sb"
sb prepare > /dev/null
src -e "ANALYZE TABLE sb.sbtest1" > /dev/null
mariadb -h127.0.0.1 -P"$TGT_PORT" -uroot -e "CREATE DATABASE sb"

cat > "$WORK/plan.yml" <<YAML
name: rbench
source: { url: "jdbc:mysql://127.0.0.1:$SRC_PORT/sb", user: root }
target: { url: "jdbc:mysql://127.0.0.1:$TGT_PORT/sb", user: root }
tables: { include: ["sb.*"] }
copy: { threads: $THREADS }
YAML
use_plan "$WORK/plan.yml"
lm copy > "$WORK/copy.log" 2>&1 || { cat "$WORK/copy.log"; exit 1; }
start_catchup

await_caught_up

echo "== capture: sysbench oltp_read_only --threads=$CLIENTS --rate=$TPS --time=$SECONDS_LOAD, slow log with long_query_time = 0"
src -e "SET GLOBAL slow_query_log_file = '$WORK/src/slow.log', GLOBAL long_query_time = 0, GLOBAL slow_query_log = 1"
cpu_start "$SRC_PID"
t0=$(now)
sb --threads="$CLIENTS" --rate="$TPS" --time="$SECONDS_LOAD" --report-interval=0 run > "$WORK/sysbench.log" 2>&1 \
  || { cat "$WORK/sysbench.log"; exit 1; }
t1=$(now)
cpu_stop > "$WORK/cpu-app.txt"
APP_S=$(secs "$t0" "$t1")
src -e "SET GLOBAL slow_query_log = 0, GLOBAL long_query_time = 10"
cp "$WORK/src/slow.log" "$WORK/capture.log"
STATEMENTS=$(awk '/^ *total:/ {print $2; exit}' "$WORK/sysbench.log")
READS=$(awk '/^ *read:/ {print $2; exit}' "$WORK/sysbench.log")
APP_CPU=$(awk '$1 == "total" {print $2}' "$WORK/cpu-app.txt")
printf '   %s statements in %.1f s (%s reads), %s of log; %s\n' "$STATEMENTS" "$APP_S" "$READS" \
  "$(du -h "$WORK/capture.log" | cut -f1)" "$(grep -E 'transactions:' "$WORK/sysbench.log" | sed 's/^ *//')"
await_caught_up

timed_rehearsal "$WORK/capture.log"

echo "== pt-upgrade source target (--max-class-size 100000000)"
cpu_start "$SRC_PID"
t0=$(now)
PT_RC=0
{ TIMEFORMAT='%U %S'; time pt-upgrade --max-class-size 100000000 "$WORK/capture.log" \
    "h=127.0.0.1,P=$SRC_PORT,u=root" "h=127.0.0.1,P=$TGT_PORT,u=root" > "$WORK/pt-upgrade.log" 2> "$WORK/pt-upgrade.err" \
    || PT_RC=$?; } 2> "$WORK/pt-upgrade.time"
# 4: query differences (reported, as rehearse's are); anything else is a failure
[[ $PT_RC == 0 || $PT_RC == 4 ]] || { tail -30 "$WORK/pt-upgrade.log"; cat "$WORK/pt-upgrade.err"; echo "pt-upgrade exited $PT_RC"; exit 1; }
t1=$(now)
cpu_stop > "$WORK/cpu-pt.txt"
PT_S=$(secs "$t0" "$t1")
PT_CPU=$(awk '$1 == "total" {print $2}' "$WORK/cpu-pt.txt")
stat_of() { awk -v k="$1" '$1 == k {print $2}' "$WORK/pt-upgrade.log"; }
PT_N=$(( $(stat_of queries_no_diffs) + $(stat_of queries_with_diffs) + $(stat_of queries_with_errors) ))
echo "   pt-upgrade (exit $PT_RC): $(stat_of queries_read) read, $(stat_of not_select) not SELECT, $(stat_of queries_no_diffs) without differences, $(stat_of queries_with_diffs) with, $(stat_of queries_with_errors) with errors"

echo "== results (MariaDB, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uptime | sed 's/.*load/load/'))"
read -r RH_USER RH_SYS < "$WORK/rehearse.time"
read -r PT_USER PT_SYS < "$WORK/pt-upgrade.time"
print_rate "rehearse, whole command (JVM start included)" "$REPLAYED" "$RH_S"
print_rate "rehearse, the job (its own figure)" "$REPLAYED" "$JOB_S"
print_rate "pt-upgrade, both servers" "$PT_N" "$PT_S"
printf '   ratio rehearse / pt-upgrade (statements/s): %.2fx whole command, %.2fx job\n' \
  "$(echo "($REPLAYED / $RH_S) / ($PT_N / $PT_S)" | bc -l)" "$(echo "($REPLAYED / $JOB_S) / ($PT_N / $PT_S)" | bc -l)"
echo "   source CPU (mariadbd, /proc):"
print_cpu "application alone ($STATEMENTS statements)" "$APP_CPU" "$APP_S" "$STATEMENTS"
print_cpu "rehearse ($REPLAYED reads replayed)" "$RH_CPU" "$RH_S" "$REPLAYED"
print_cpu "pt-upgrade ($PT_N statements)" "$PT_CPU" "$PT_S" "$PT_N"
printf '     rehearse / application: %.2fx the CPU per second, %.2fx per statement\n' \
  "$(echo "($RH_CPU / $RH_S) / ($APP_CPU / $APP_S)" | bc -l)" "$(echo "($RH_CPU / $REPLAYED) / ($APP_CPU / $STATEMENTS)" | bc -l)"
printf '   clients: rehearse JVM %.2f CPU-s user + %.2f system; pt-upgrade %.2f + %.2f\n' "$RH_USER" "$RH_SYS" "$PT_USER" "$PT_SYS"
