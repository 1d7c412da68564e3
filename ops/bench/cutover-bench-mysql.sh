#!/usr/bin/env bash
# Cutover benchmark, MariaDB: the write pause of `cutover` with the read-only fence and the HAProxy switch while
# sysbench writes through HAProxy at a fixed rate. Target (issue 5): "MariaDB read-only+HAProxy at most 1 s" of
# maximum transaction latency around the switch.
#
#   source: the local MariaDB (MYHOST:MYPORT, root without password), database $DB. It must have log_bin on with
#           binlog_format=ROW and binlog_row_image=FULL; this script never reconfigures it (exit 2 says how).
#   target: a throwaway mariadbd on a free port (binlog on: the reverse stream needs it), database $DB too.
#           Not a second database on the local server: read_only is server-wide, so fencing the source would fence
#           the target with it, and the application's connection names its database, which must exist under the
#           same name behind the proxy.
#   HAProxy: started here on free ports, TCP, backend "db" with servers source (in service) and target (in
#           maintenance), runtime API on TCP; no health checks (routing is by the runtime API only).
#   load:   sysbench with ops/bench/cutover-insert.lua (oltp_insert's insert, retried on a new connection after an
#           error, as an application does), THREADS threads at RATE tx/s for TIME s, through HAProxy as an
#           application user without SUPER / READ ONLY ADMIN (read_only stops it); an insert refused while fenced,
#           or cut off by the switch, is retried, and its latency includes the pause.
#   steps:  sysbench prepare, copy, catchup (background), sysbench run, after WARMUP s `cutover --skip-verify`.
#
# Prints the pause the cutover held writes (its own output), sysbench's maximum latency over the run (it includes the
# switch; per-second figures are in the log it keeps under $WORK), the failed attempts the clients retried, and checks
# that the target holds every row: prepared rows + transactions sysbench saw committed.
# The local server is left as found: read_only restored, the database, the application user and livemigrate's state
# rows for this plan removed.
# Needs: haproxy, sysbench, mariadb, mariadbd, mariadb-install-db, python3, bc, target/livemigrate.jar
#        (./mvnw -q -DskipTests package).
# Usage: ops/bench/cutover-bench-mysql.sh   (ROWS=100000 RATE=200 THREADS=4 TIME=40 WARMUP=15 MAX_PAUSE=10s;
#        KEEP=1 keeps the logs: copy, catch-up, cutover, sysbench, haproxy)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-100000}
RATE=${RATE:-200}
THREADS=${THREADS:-4}
TIME=${TIME:-40}
WARMUP=${WARMUP:-15}
MAX_PAUSE=${MAX_PAUSE:-10s}
MYHOST=${MYHOST:-127.0.0.1} MYPORT=${MYPORT:-3306} MYUSER=${MYUSER:-root}
DB=lm_cutbench
APP_USER=lm_cutbench_app APP_PASSWORD=lm-cutbench-app
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT # until the servers and the proxy start: then cleanup() below
PIDS=()
source "$(dirname "$0")/lib.sh"

src() { mariadb -h"$MYHOST" -P"$MYPORT" -u"$MYUSER" "$@"; }

for bin in haproxy sysbench mariadb mariadb-install-db /usr/sbin/mariadbd python3 bc; do
  command -v "$bin" > /dev/null || { echo "needs $bin" >&2; exit 2; }
done
[ -f "$JAR" ] || { echo "build first: ./mvnw -q -DskipTests package" >&2; exit 2; }
read -r LOG_BIN FORMAT IMAGE READ_ONLY < <(src -N -e "SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@read_only") \
  || { echo "cannot log in to MariaDB at $MYHOST:$MYPORT as $MYUSER without a password" >&2; exit 2; }
if [ "$LOG_BIN" != 1 ] || [ "$FORMAT" != ROW ] || [ "$IMAGE" != FULL ]; then
  cat >&2 <<EOF
The MariaDB at $MYHOST:$MYPORT has log_bin=$LOG_BIN, binlog_format=$FORMAT, binlog_row_image=$IMAGE; the cutover's
source needs log_bin=1, ROW and FULL (catch-up reads the binary log). This script does not reconfigure the server.
Enable it, e.g. in /etc/mysql/mariadb.conf.d/60-livemigrate.cnf:
  [mariadbd]
  log_bin = mysql-bin
  binlog_format = ROW
  binlog_row_image = FULL
  server_id = 1
then restart MariaDB (systemctl restart mariadb) and run this again.
EOF
  exit 2
fi
if [ "$READ_ONLY" != 0 ]; then
  echo "the MariaDB at $MYHOST:$MYPORT is read_only: it cannot be a primary to cut over from" >&2
  exit 2
fi
HAD_STATE_DB=$(src -N -e "SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'livemigrate'")

cleanup() {
  [[ -n "${SYSBENCH_PID:-}" ]] && kill "$SYSBENCH_PID" 2>/dev/null || true
  [[ -n "${CATCHUP_PID:-}" ]] && kill "$CATCHUP_PID" 2>/dev/null || true
  [[ -n "${HAPROXY_PID:-}" ]] && kill "$HAPROXY_PID" 2>/dev/null || true
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # the local server as it was found: a cutover leaves its old primary read_only on purpose
  src -e "SET GLOBAL read_only = $READ_ONLY" 2>/dev/null || true
  src -e "DROP DATABASE IF EXISTS $DB; DROP USER IF EXISTS '$APP_USER'@'%'" 2>/dev/null || true
  if [ "$HAD_STATE_DB" = 0 ]; then
    src -e "DROP DATABASE IF EXISTS livemigrate" 2>/dev/null || true
  else
    src -e "DELETE FROM livemigrate.catchup_state WHERE plan LIKE 'cutbench-mysql%';
            DELETE FROM livemigrate.cutover_marker WHERE plan LIKE 'cutbench-mysql%'" 2>/dev/null || true
  fi
  if [ -n "${KEEP:-}" ]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "== MariaDB cutover: read-only fence + HAProxy switch, sysbench (oltp_insert with retries) $THREADS threads at $RATE tx/s"
TGT_PORT=$(free_port)
start_mariadbd "$WORK/target" "$TGT_PORT" 7301 --log-bin=mysql-bin --binlog-format=ROW --binlog-row-image=FULL
tgt() { mariadb -h127.0.0.1 -P"$TGT_PORT" -uroot "$@"; }

# 1. data on the source, an empty database of the same name on the target, the application's user on both
src -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB"
tgt -e "CREATE DATABASE $DB"
for side in src tgt; do
  $side -e "CREATE USER IF NOT EXISTS '$APP_USER'@'%' IDENTIFIED BY '$APP_PASSWORD';
            GRANT SELECT, INSERT, UPDATE, DELETE ON $DB.* TO '$APP_USER'@'%'"
done
LOAD=ops/bench/cutover-insert.lua
sysbench $LOAD --db-driver=mysql --mysql-host="$MYHOST" --mysql-port="$MYPORT" --mysql-user="$MYUSER" \
  --mysql-db=$DB --tables=1 --table-size="$ROWS" prepare > "$WORK/prepare.log"

# 2. HAProxy in front of both
HAP_PORT=$(free_port) ADMIN_PORT=$(free_port)
cat > "$WORK/haproxy.cfg" <<EOF
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
    server source $MYHOST:$MYPORT
    server target 127.0.0.1:$TGT_PORT disabled
EOF
haproxy -f "$WORK/haproxy.cfg" -db > "$WORK/haproxy.log" 2>&1 &
HAPROXY_PID=$!

# 3. the plan, the copy, catch-up in the background
PLAN=$(bench_plan cutbench-mysql "jdbc:mysql://$MYHOST:$MYPORT/$DB" "jdbc:mysql://127.0.0.1:$TGT_PORT/$DB" "\"$DB.*\"" "$MYUSER")
cat >> "$PLAN" <<YAML
cutover:
  fence: read-only
  switch: haproxy
  max-pause: $MAX_PAUSE
  max-lag: 2s
  app-roles: [$APP_USER]
  haproxy: { admin: "127.0.0.1:$ADMIN_PORT", backend: db, source-server: source, target-server: target }
YAML
REPO="jdbc:h2:file:$WORK/repo;AUTO_SERVER=TRUE"
lm() { (cd "$WORK" && livemigrate "$@" --plan "$PLAN" --repository "$REPO"); }
lm copy > "$WORK/copy.log" 2>&1 || { cat "$WORK/copy.log"; exit 1; }
lm catchup > "$WORK/catchup.log" 2>&1 &
CATCHUP_PID=$!

# 4. the application writes through HAProxy; after the warm-up, the cutover
sysbench $LOAD --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$HAP_PORT" --mysql-user="$APP_USER" \
  --mysql-password="$APP_PASSWORD" --mysql-db=$DB --tables=1 --table-size="$ROWS" --threads="$THREADS" \
  --rate="$RATE" --time="$TIME" --report-interval=1 --percentile=99 run \
  > "$WORK/sysbench.log" 2>&1 &
SYSBENCH_PID=$!
sleep "$WARMUP"
for attempt in 1 2 3 4 5; do # exit 2: a precondition (catch-up lag) not met yet; nothing was touched
  set +e; lm cutover --skip-verify > "$WORK/cutover.log" 2>&1; rc=$?; set -e
  [ "$rc" = 2 ] || break
  sleep 2
done
wait "$SYSBENCH_PID" || true
SYSBENCH_PID=
[ "$rc" = 0 ] || { cat "$WORK/cutover.log"; echo "cutover failed (exit $rc)"; exit 1; }

# 5. figures and checks
held=$(sed -n 's/^cutover: writes were held \([0-9]*\) ms.*/\1/p' "$WORK/cutover.log")
max=$(awk '/^ *max:/ {print $2; exit}' "$WORK/sysbench.log")
txns=$(awk '/transactions:/ {print $2; exit}' "$WORK/sysbench.log")
failed=$(awk '/^failed attempts:/ {n += $3} END {print n + 0}' "$WORK/sysbench.log")
worst_second=$(awk '/^\[ [0-9]+s \]/ {for (i = 1; i <= NF; i++) if ($i == "lat") {v = $(i + 2) + 0; if (v > m) {m = v; s = $2}}}
                    END {print m " ms at " s}' "$WORK/sysbench.log")
rows=$(tgt -N -e "SELECT count(*) FROM $DB.sbtest1")
src_ro=$(src -N -e "SELECT @@read_only")
grep -E '^  [0-9]-' "$WORK/cutover.log" || true
printf 'MariaDB read-only+HAProxy  pause held by cutover:              %s ms\n' "$held"
printf 'MariaDB read-only+HAProxy  max transaction latency (sysbench): %s ms   (target: at most 1000 ms)\n' "$max"
printf 'MariaDB read-only+HAProxy  worst per-second p99 latency:       %s\n' "$worst_second"
printf 'MariaDB read-only+HAProxy  failed client transactions:         %s attempts refused or cut off, each retried on a new connection\n' \
  "$failed"
printf 'MariaDB read-only+HAProxy  %s transactions committed; target rows %s (prepared + committed: %s); source read_only=%s\n' \
  "$txns" "$rows" "$((ROWS + txns))" "$src_ro"
[ "$rows" = "$((ROWS + txns))" ] || { echo "MISMATCH: the target does not hold every committed insert"; exit 1; }
[ "$src_ro" = 1 ] || { echo "the old primary was not left read_only"; exit 1; }
