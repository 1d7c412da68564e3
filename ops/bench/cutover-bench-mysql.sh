#!/usr/bin/env bash
# Cutover benchmark, MariaDB part (ops/bench/cutover-bench.sh is the PostgreSQL part): the write pause an application
# sees when livemigrate switches it from source to target through HAProxy with the read-only fence, and back (revert).
#
#   servers: two throwaway mariadbd on free ports (binlog on, ROW, FULL images: catch-up reads it in both directions),
#            database $DB on each. Two servers, not two databases on one: read_only is server-wide, so fencing the
#            source would fence the target with it.
#   HAProxy: started here, TCP, backend "db" with servers source (in service) and target (in maintenance), runtime API
#            on TCP; no health checks (routing is by the runtime API only).
#   load:    sysbench with ops/bench/cutover-insert.lua (oltp_insert's insert, retried on a new connection after an
#            error, as an application does), CLIENTS threads at RATE tx/s for LOAD_SECONDS s per switch, through
#            HAProxy as an application user without SUPER / READ ONLY ADMIN (read_only stops it).
#   switches: ROUNDS (10) alternating `cutover` and `revert`, each with the stream of its direction running and
#            re-verification on: one `verify` before the first cutover, then catch-up re-checks changed keys
#            continuously and step 4 checks what is left.
#
# Per switch it prints the pause livemigrate measured (fence to unfence), sysbench's worst latency (it includes the
# retries around the switch), the attempts the clients retried, step 4's re-check (N of M keys), and checks that the
# side traffic ended on holds every committed insert; then p50 and max of the pause over all switches.
# Target (issue 17): writes held at most 500 ms at every switch.
# Needs: haproxy, sysbench, mariadb, mariadb-install-db, /usr/sbin/mariadbd, python3, bc, target/livemigrate.jar
#        (./mvnw -q -DskipTests package) or LM_CP=<classpath>.
# Usage: ops/bench/cutover-bench-mysql.sh   (ROWS=100000 RATE=150 CLIENTS=8 ROUNDS=10 LOAD_SECONDS=40;
#        KEEP=1 keeps the logs)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-100000}
RATE=${RATE:-150}
CLIENTS=${CLIENTS:-8}
THREADS=2 # copy threads (bench_plan)
ROUNDS=${ROUNDS:-10}
LOAD_SECONDS=${LOAD_SECONDS:-40}
DB=lm_cutbench
APP_USER=lm_cutbench_app APP_PASSWORD=lm-cutbench-app
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
WORK=$(mktemp -d)
PIDS=()
source "$(dirname "$0")/lib.sh"

for bin in haproxy sysbench mariadb mariadb-install-db /usr/sbin/mariadbd python3 bc; do
  command -v "$bin" > /dev/null || { echo "needs $bin" >&2; exit 2; }
done

cleanup() {
  local rc=$?
  if [[ $rc != 0 && -f "$WORK/catchup.log" ]]; then echo "-- catch-up log (last lines):"; tail -25 "$WORK/catchup.log"; fi
  [[ -n "${LOAD:-}" ]] && kill "$LOAD" 2>/dev/null || true
  [[ -n "${CATCHUP_PID:-}" ]] && kill "$CATCHUP_PID" 2>/dev/null || true
  [[ -n "${HAPROXY_PID:-}" ]] && kill "$HAPROXY_PID" 2>/dev/null || true
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

SRC_PORT=$(free_port)
start_mariadbd "$WORK/source" "$SRC_PORT" 7300 --log-bin=mysql-bin --binlog-format=ROW --binlog-row-image=FULL
TGT_PORT=$(free_port)
start_mariadbd "$WORK/target" "$TGT_PORT" 7301 --log-bin=mysql-bin --binlog-format=ROW --binlog-row-image=FULL
on() { local port=$1; shift; mariadb -h127.0.0.1 -P"$port" -uroot "$@"; }

echo "== setup: sysbench prepare ($ROWS rows), copy, HAProxy"
for port in "$SRC_PORT" "$TGT_PORT"; do
  on "$port" -e "SET sql_log_bin = 0; CREATE DATABASE $DB;
                 CREATE USER '$APP_USER'@'%' IDENTIFIED BY '$APP_PASSWORD';
                 GRANT SELECT, INSERT, UPDATE, DELETE ON $DB.* TO '$APP_USER'@'%'"
done
LOAD_SCRIPT=ops/bench/cutover-insert.lua
sysbench $LOAD_SCRIPT --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$SRC_PORT" --mysql-user=root \
  --mysql-db=$DB --tables=1 --table-size="$ROWS" prepare > "$WORK/prepare.log"

HAP_PORT=$(free_port) ADMIN_PORT=$(free_port)
cat > "$WORK/haproxy.cfg" <<CFG
global
    stats socket ipv4@127.0.0.1:$ADMIN_PORT level admin
defaults
    mode tcp
    timeout connect 2s
    timeout client 1h
    timeout server 1h
frontend db_front
    bind 127.0.0.1:$HAP_PORT
    default_backend db
backend db
    server source 127.0.0.1:$SRC_PORT
    server target 127.0.0.1:$TGT_PORT disabled
CFG
haproxy -f "$WORK/haproxy.cfg" -db > "$WORK/haproxy.log" 2>&1 &
HAPROXY_PID=$!

PLAN=$(bench_plan cutbench-mysql "jdbc:mysql://127.0.0.1:$SRC_PORT/$DB" "jdbc:mysql://127.0.0.1:$TGT_PORT/$DB" "\"$DB.*\"" root)
cat >> "$PLAN" <<YAML
cutover:
  fence: read-only
  switch: haproxy
  max-pause: 5s
  max-lag: 2s
  app-roles: [$APP_USER]
  haproxy: { admin: "127.0.0.1:$ADMIN_PORT", backend: db, source-server: source, target-server: target }
YAML
use_plan "$PLAN"
lm copy > "$WORK/copy.log" 2>&1 || { cat "$WORK/copy.log"; exit 1; }

# start_catchup [--reverse]: catch-up in the background until its lag, as the repository shows it, is under 1 s.
start_catchup() {
  (cd "$WORK" && exec_livemigrate catchup --plan "$PLAN" --repository "$REPO" "$@" >> "$WORK/catchup.log" 2>&1) &
  CATCHUP_PID=$!
  local deadline=$((SECONDS + 90)) lag=99
  while (( SECONDS < deadline )); do
    # a change through the proxy, so the lag is measured against a moving source
    on "$HAP_PORT" -e "UPDATE $DB.sbtest1 SET k = k + 1 WHERE id = 1"
    lag=$(lm status "$@" --json 2>/dev/null | python3 -c 'import json,sys; c=json.load(sys.stdin).get("catchup") or {}; print(c.get("lagSeconds") if c.get("status")=="STARTED" and c.get("lagSeconds") is not None else 99)' 2>/dev/null || echo 99)
    (( $(echo "$lag < 1" | bc -l) )) && return 0
    sleep 0.5
  done
  echo "catch-up did not catch up within 90 s (lag $lag):"; tail -20 "$WORK/catchup.log"; exit 1
}
# The switch retires the stream of the old direction (step 9), so it may have exited already.
stop_catchup() { kill "$CATCHUP_PID" 2>/dev/null || true; wait "$CATCHUP_PID" 2>/dev/null || true; CATCHUP_PID=; }
rows_on() { on "$1" -N -e "SELECT count(*) FROM $DB.sbtest1"; }

echo "== verify before the first cutover (the re-checks count changes since it)"
start_catchup
lm verify > "$WORK/verify.log" 2>&1 || { cat "$WORK/verify.log"; exit 1; }
stop_catchup
echo "== $ROUNDS switches under sysbench ($CLIENTS clients, $RATE tx/s) through HAProxy (target: writes held <= 500 ms)"
printf '   %-8s %10s %14s %8s %8s %16s  %s\n' switch "held ms" "worst lat ms" txs retried "re-checked" "all committed on new primary"
WORST=0
HELD=()
for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 == 1 )); then verb=cutover; from=$SRC_PORT; to=$TGT_PORT; extra=()
  else verb=revert; from=$TGT_PORT; to=$SRC_PORT; extra=(--reverse); fi
  start_catchup "${extra[@]}"
  before=$(rows_on "$from")
  sysbench $LOAD_SCRIPT --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$HAP_PORT" --mysql-user="$APP_USER" \
    --mysql-password="$APP_PASSWORD" --mysql-db=$DB --tables=1 --table-size="$ROWS" --threads="$CLIENTS" \
    --rate="$RATE" --time="$LOAD_SECONDS" --report-interval=1 run > "$WORK/sysbench-$round.log" 2>&1 &
  LOAD=$!
  sleep 5
  lm "$verb" > "$WORK/$verb-$round.log" 2>&1 || { cat "$WORK/$verb-$round.log"; exit 1; }
  kill -0 "$LOAD" 2>/dev/null || { echo "sysbench ended before $verb finished: the switch was not under load" >&2; exit 1; }
  wait "$LOAD" || { cat "$WORK/sysbench-$round.log"; exit 1; }
  LOAD=
  stop_catchup
  log=$WORK/sysbench-$round.log
  txs=$(awk '/transactions:/ {print $2; exit}' "$log")
  retried=$(awk '/^failed attempts:/ {n += $3} END {print n + 0}' "$log")
  worst=$(awk '/^ *max:/ {printf "%.0f", $2; exit}' "$log")
  switch_figures "$WORK/$verb-$round.log"; held=$HELD_MS rechecked=$RECHECKED
  after=$(rows_on "$to")
  ok=$([[ $after -eq $((before + txs)) ]] && echo yes || echo "NO: $after rows, expected $((before + txs))")
  printf '   %-8s %10s %14s %8s %8s %16s  %s\n' "$verb" "$held" "$worst" "$txs" "$retried" "${rechecked:-off}" "$ok"
  HELD+=("$held")
  (( worst > WORST )) && WORST=$worst
  [[ $ok == yes ]] || exit 1
  [[ $(on "$from" -N -e "SELECT @@read_only") == 1 ]] || { echo "the old primary was not left read_only"; exit 1; }
done
switch_summary 500 "$WORST" "${HELD[@]}"
