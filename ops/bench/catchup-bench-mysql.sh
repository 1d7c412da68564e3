#!/usr/bin/env bash
# Catch-up backlog drain, MariaDB part (sourced by ops/bench/catchup-bench.sh as its "mysql" section, or run alone).
#
#   backlog: sysbench oltp_write_only --threads=4 --time=30 on the source while catch-up is stopped
#   livemigrate: catchup --until-caught-up --max-lag 1s from the position before the backlog
#   native:      a MariaDB replica (CHANGE MASTER TO, same start position) with its SQL thread stopped during the
#                load, then START SLAVE SQL_THREAD until Exec_Master_Log_Pos reaches the source's head
#   steady state: catch-up running while the same sysbench load runs; every 0.1 s the source's binlog head is
#                sampled, and a sample's lag is the time until the position the target's livemigrate.catchup_state
#                holds reaches it (binlog event times have whole seconds only, too coarse to measure with)
#
# The local MariaDB on 3306 may run with log_bin off (and may not be restarted), so this starts its own pair:
# a source mariadbd with --log-bin --binlog-format=ROW --binlog-row-image=FULL on $SRC_PORT and a replica on
# $REP_PORT, and a third as the livemigrate target on $TGT_PORT. Data directories live under a temp dir.
# Needs: /usr/sbin/mariadbd, mariadb-install-db, mariadb, sysbench, target/livemigrate.jar.
# Usage: ops/bench/catchup-bench-mysql.sh   (ROWS=200000 TIME=30 THREADS=4 SRC_PORT=3316 REP_PORT=3317 TGT_PORT=3318)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-200000}
TIME=${TIME:-30}
THREADS=${THREADS:-4}
SRC_PORT=${SRC_PORT:-3316} REP_PORT=${REP_PORT:-3317} TGT_PORT=${TGT_PORT:-3318}
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
MYWORK=$(mktemp -d)
PIDS=()
cleanup_mysql() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$MYWORK"
}
trap cleanup_mysql EXIT

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_mysql_catchup() {
  echo "== MariaDB catch-up: sysbench oltp_write_only --threads=$THREADS --time=$TIME backlog, $ROWS rows"
  local src="mariadb -h127.0.0.1 -P$SRC_PORT -uroot" rep="mariadb -h127.0.0.1 -P$REP_PORT -uroot"
  local tgt="mariadb -h127.0.0.1 -P$TGT_PORT -uroot"
  start_mariadbd "$MYWORK/src" "$SRC_PORT" 11 --log-bin=mysql-bin --binlog-format=ROW --binlog-row-image=FULL
  start_mariadbd "$MYWORK/rep" "$REP_PORT" 12 --relay-log=relay-bin --skip-slave-start --slave-parallel-threads="$THREADS"
  start_mariadbd "$MYWORK/tgt" "$TGT_PORT" 13

  # 1. the table everywhere, same rows (the copy phase is not what is measured here)
  $src -e "CREATE DATABASE sb"
  sysbench oltp_write_only --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$SRC_PORT" --mysql-user=root \
    --mysql-db=sb --tables=1 --table-size="$ROWS" prepare > /dev/null
  mariadb-dump -h127.0.0.1 -P"$SRC_PORT" -uroot --databases sb | $rep
  # 2. the start position, recorded before the backlog, for both consumers
  local file pos
  read -r file pos < <($src -N -e "SHOW MASTER STATUS" | awk '{print $1, $2}')
  $rep -e "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$SRC_PORT, MASTER_USER='root',
           MASTER_LOG_FILE='$file', MASTER_LOG_POS=$pos; START SLAVE IO_THREAD"
  cat > "$MYWORK/plan.yml" <<YAML
name: catchup-bench-mysql
source: { url: "jdbc:mysql://127.0.0.1:$SRC_PORT/sb", user: root }
target: { url: "jdbc:mysql://127.0.0.1:$TGT_PORT/sb", user: root }
tables: { include: ["sb.*"] }
YAML
  # livemigrate fills its target with its own copy, which records where catch-up starts (before the backlog)
  $tgt -e "CREATE DATABASE sb"
  (cd "$MYWORK" && livemigrate copy --plan "$MYWORK/plan.yml" > "$MYWORK/copy.log" 2>&1) \
    || { cat "$MYWORK/copy.log"; exit 1; }

  # catch-up once right after the copy, as in a migration (nothing to apply yet); this first run also writes the
  # launcher's class-data archive for the command
  (cd "$MYWORK" && livemigrate catchup --plan "$MYWORK/plan.yml" --until-caught-up --max-lag 1s \
      > "$MYWORK/first-catchup.log" 2>&1) || { cat "$MYWORK/first-catchup.log"; exit 1; }

  # 3. the backlog, with both consumers stopped (the replica's IO thread only fetches the binlog)
  sysbench oltp_write_only --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$SRC_PORT" --mysql-user=root \
    --mysql-db=sb --tables=1 --table-size="$ROWS" --threads="$THREADS" --time="$TIME" --report-interval=0 run \
    > "$MYWORK/sysbench.log"
  local txns head_file head_pos bytes
  txns=$(awk '/transactions:/ {print $2}' "$MYWORK/sysbench.log")
  read -r head_file head_pos < <($src -N -e "SHOW MASTER STATUS" | awk '{print $1, $2}')
  bytes=$(( head_pos - pos ))
  [ "$head_file" = "$file" ] || bytes=unknown
  # wait until the replica has fetched everything, so the native drain measures applying only
  for _ in $(seq 1 600); do
    [ "$($rep -e 'SHOW SLAVE STATUS\G' | awk '/ Read_Master_Log_Pos:/ {print $2}')" = "$head_pos" ] && break
    sleep 0.2
  done

  # 4. native: the replica's SQL thread drains the relay log
  local t0 t1 native lm
  t0=$(now)
  $rep -e "START SLAVE SQL_THREAD"
  while [ "$($rep -e 'SHOW SLAVE STATUS\G' | awk '/Exec_Master_Log_Pos:/ {print $2}')" != "$head_pos" ]; do sleep 0.05; done
  t1=$(now)
  native=$(echo "$t1 - $t0" | bc -l)

  # 5. livemigrate: catchup until caught up (lag under 1 s and nothing left to read)
  t0=$(now)
  (cd "$MYWORK" && livemigrate catchup --plan "$MYWORK/plan.yml" --until-caught-up \
      --max-lag 1s > "$MYWORK/catchup.log" 2>&1) || { cat "$MYWORK/catchup.log"; exit 1; }
  t1=$(now)
  lm=$(echo "$t1 - $t0" | bc -l)

  # 6. same data on all three
  local a b c
  a=$($src -N -e "CHECKSUM TABLE sb.sbtest1" | awk '{print $2}')
  b=$($rep -N -e "CHECKSUM TABLE sb.sbtest1" | awk '{print $2}')
  c=$($tgt -N -e "CHECKSUM TABLE sb.sbtest1" | awk '{print $2}')
  printf 'MariaDB    backlog: %s transactions, %s bytes of binlog\n' "$txns" "$bytes"
  printf 'MariaDB    %-36s %8.2f s %10.0f txn/s\n' "native replica (SQL thread)" "$native" "$(echo "$txns / $native" | bc -l)"
  printf 'MariaDB    %-36s %8.2f s %10.0f txn/s  (includes JVM start)\n' "livemigrate catchup" "$lm" "$(echo "$txns / $lm" | bc -l)"
  printf 'MariaDB    ratio livemigrate / native: %.2fx\n' "$(echo "$native / $lm" | bc -l)"
  # catch-up's own account of this run: from its stream opening to caught up, without JVM and Spring start-up
  local streaming
  streaming=$(sed -n 's/.* applied in \([0-9.]*\) s of streaming.*/\1/p' "$MYWORK/catchup.log" | tail -1)
  if [ -n "$streaming" ]; then
    printf 'MariaDB    %-36s %8.2f s %10.0f txn/s  (stream open to caught up)\n' "livemigrate catchup, streaming" \
      "$streaming" "$(echo "$txns / $streaming" | bc -l)"
    printf 'MariaDB    ratio livemigrate streaming / native: %.2fx\n' "$(echo "$native / $streaming" | bc -l)"
  fi
  [ "$a" = "$b" ] && [ "$a" = "$c" ] || { echo "checksum mismatch: source $a replica $b livemigrate $c"; exit 1; }

  steady_state_lag "$src" "$tgt"
}

# Lag of a running catch-up under the same load: per 0.1 s sample of the source's binlog head, the time until the
# target's recorded position passes it. Prints p50/p99/max over the samples taken while the load ran.
steady_state_lag() { # source-client target-client
  local src=$1 tgt=$2
  echo "== MariaDB steady state: catch-up running with sysbench oltp_write_only --threads=$THREADS --time=$TIME"
  (cd "$MYWORK" && exec_livemigrate catchup --plan "$MYWORK/plan.yml" > "$MYWORK/steady.log" 2>&1) &
  local catchup=$! load
  PIDS+=("$catchup")
  sleep 6
  sysbench oltp_write_only --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$SRC_PORT" --mysql-user=root \
    --mysql-db=sb --tables=1 --table-size="$ROWS" --threads="$THREADS" --time="$TIME" --report-interval=0 run \
    > "$MYWORK/sysbench2.log" &
  load=$!
  sleep 2
  # lines: time, 1 while the load runs (0 after), source head, target's applied position (file:pos each)
  : > "$MYWORK/positions.txt"
  local running=1 until=""
  while :; do
    kill -0 "$load" 2> /dev/null || running=0
    if [ "$running" = 0 ] && [ -z "$until" ]; then until=$(echo "$(now) + 3" | bc -l); fi
    [ -n "$until" ] && [ "$(echo "$(now) > $until" | bc -l)" = 1 ] && break
    printf '%s %s %s %s\n' "$(now)" "$running" \
      "$($src -N -e 'SHOW MASTER STATUS' | awk '{print $1 ":" $2}')" \
      "$($tgt -N -e "SELECT position FROM livemigrate.catchup_state WHERE plan = 'catchup-bench-mysql'" \
          | sed -n 's/.*file=\([^;]*\);pos=\([0-9]*\).*/\1:\2/p')" >> "$MYWORK/positions.txt"
    sleep 0.1
  done
  wait "$load" || true
  (cd "$MYWORK" && livemigrate stop --plan "$MYWORK/plan.yml" > /dev/null 2>&1) || true
  wait "$catchup" 2> /dev/null || true
  # per sample taken under load: the seconds until the applied position passed its head, or "never"
  awk '
    function ord(p,  a) { split(p, a, ":"); sub(/.*\./, "", a[1]); return a[1] * 1e12 + a[2] }
    { t[NR] = $1; run[NR] = $2; head[NR] = ord($3); applied[NR] = ($4 == "" ? -1 : ord($4)) }
    END {
      for (i = 1; i <= NR; i++) {
        if (!run[i]) continue
        for (j = i; j <= NR && applied[j] < head[i]; j++) ;
        if (j > NR) print "never"; else printf "%.3f\n", t[j] - t[i]
      }
    }' "$MYWORK/positions.txt" > "$MYWORK/lags.txt"
  grep -v never "$MYWORK/lags.txt" | sort -g | awk -v never="$(grep -c never "$MYWORK/lags.txt")" \
    '{a[NR]=$1} END {printf "MariaDB    lag samples %d: p50 %.3f s, p99 %.3f s, max %.3f s (%d not reached)\n", NR, a[int(NR*0.5)], a[int(NR*0.99)], a[NR], never}'
  grep -E "transactions:" "$MYWORK/sysbench2.log" | sed 's/^ */MariaDB    sysbench /'
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  bench_mysql_catchup
fi
