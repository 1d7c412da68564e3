#!/usr/bin/env bash
# Catch-up backlog drain, MariaDB part (sourced by ops/bench/catchup-bench.sh as its "mysql" section, or run alone).
#
#   backlog: sysbench oltp_write_only --threads=4 --time=30 on the source while catch-up is stopped, per workload in
#            WORKLOADS: `independent` (sysbench's default row choice, as the earlier figures: 75% of picks on 1% of
#            the rows, few transactions share one) and `hot` (HOT_RAND: most transactions on about ten rows, so
#            parallel apply must keep them in order)
#   livemigrate: catchup --until-caught-up --max-lag 1s from the position before the backlog, once per value of
#                APPLY_THREADS (catchup.apply-threads), each plan with its own copy in its own target database
#   native:      a MariaDB replica (CHANGE MASTER TO, same start position) with its SQL thread stopped during the
#                load, then START SLAVE SQL_THREAD until Exec_Master_Log_Pos reaches the source's head
#   steady state: catch-up running while the same sysbench load runs; every 0.1 s the source's binlog head is
#                sampled, and a sample's lag is the time until the position the target's livemigrate.catchup_state
#                holds reaches it (binlog event times have whole seconds only, too coarse to measure with)
#   highest sustained rate: the replica (both threads running) and each plan in SUSTAIN_THREADS (default
#                APPLY_THREADS), caught up first and then running, under `sysbench oltp_write_only --rate=r` for
#                SUSTAIN_SECONDS at each rate r of RATES in turn; lag is read every 200 ms on each consumer as its
#                clock minus a heartbeat row (microseconds) the source stamps every 100 ms, the same replicated row
#                for both. The highest rate whose p99 lag stays under 1 s is what the consumer sustains; the search
#                ends at the first rate over it. SUSTAIN=off skips it.
#
# The local MariaDB on 3306 may run with log_bin off (and may not be restarted), so this starts its own pair:
# a source mariadbd with --log-bin --binlog-format=ROW --binlog-row-image=FULL on $SRC_PORT and a replica on
# $REP_PORT, and a third as the livemigrate target on $TGT_PORT. Data directories live under a temp dir.
# Needs: /usr/sbin/mariadbd, mariadb-install-db, mariadb, sysbench, target/livemigrate.jar.
# Usage: ops/bench/catchup-bench-mysql.sh   (ROWS=200000 TIME=30 THREADS=4 SRC_PORT=3316 REP_PORT=3317 TGT_PORT=3318
#        APPLY_THREADS="1 2 4" WORKLOADS="independent hot" STEADY_THREADS=1 RATES="250 500 1000" SUSTAIN_SECONDS=20;
#        STEADY=off skips the steady state, SUSTAIN=off the sustained rates)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-200000}
TIME=${TIME:-30}
THREADS=${THREADS:-4}
SRC_PORT=${SRC_PORT:-3316} REP_PORT=${REP_PORT:-3317} TGT_PORT=${TGT_PORT:-3318}
APPLY_THREADS=${APPLY_THREADS:-1 2 4}
APPLY_THREADS=${APPLY_THREADS//,/ }
WORKLOADS=${WORKLOADS:-independent hot}
STEADY_THREADS=${STEADY_THREADS:-${APPLY_THREADS%% *}}
SUSTAIN_THREADS=${SUSTAIN_THREADS:-$APPLY_THREADS}
RATES=${RATES:-250 500 750 1000 1500 2000 3000}
SUSTAIN_SECONDS=${SUSTAIN_SECONDS:-20}
# the hot workload's row choice: a Pareto distribution that puts about 90% of sysbench's row picks on the first ten
# of 200,000 rows (x = n * r^(ln h / ln(1 - h)), exponent about 94)
HOT_RAND=${HOT_RAND:---rand-type=pareto --rand-pareto-h=0.035}
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
MYWORK=$(mktemp -d)
WORK=${WORK:-$MYWORK} # where lib.sh's CPU sampler writes
PIDS=()
cleanup_mysql() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$MYWORK"
}
trap cleanup_mysql EXIT

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mysql_plan() { echo "$MYWORK/plan-t$1.yml"; }

bench_mysql_catchup() {
  echo "== MariaDB catch-up: sysbench oltp_write_only --threads=$THREADS --time=$TIME backlogs ($WORKLOADS), $ROWS rows, apply connections: $APPLY_THREADS"
  local src="mariadb -h127.0.0.1 -P$SRC_PORT -uroot" rep="mariadb -h127.0.0.1 -P$REP_PORT -uroot"
  local tgt="mariadb -h127.0.0.1 -P$TGT_PORT -uroot" t
  start_mariadbd "$MYWORK/src" "$SRC_PORT" 11 --log-bin=mysql-bin --binlog-format=ROW --binlog-row-image=FULL
  start_mariadbd "$MYWORK/rep" "$REP_PORT" 12 --relay-log=relay-bin --skip-slave-start --slave-parallel-threads="$THREADS"
  start_mariadbd "$MYWORK/tgt" "$TGT_PORT" 13

  # 1. the table everywhere, same rows (the copy phase is not what is measured here)
  $src -e "CREATE DATABASE sb; CREATE TABLE sb.lm_heartbeat (id int PRIMARY KEY, ts datetime(6));
           INSERT INTO sb.lm_heartbeat VALUES (1, NOW(6))"
  sysbench oltp_write_only --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$SRC_PORT" --mysql-user=root \
    --mysql-db=sb --tables=1 --table-size="$ROWS" prepare > /dev/null
  mariadb-dump -h127.0.0.1 -P"$SRC_PORT" -uroot --databases sb | $rep
  # 2. the start position, recorded before the backlog, for both consumers
  local file pos
  read -r file pos < <($src -N -e "SHOW MASTER STATUS" | awk '{print $1, $2}')
  $rep -e "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$SRC_PORT, MASTER_USER='root',
           MASTER_LOG_FILE='$file', MASTER_LOG_POS=$pos; START SLAVE IO_THREAD"
  for t in $APPLY_THREADS; do
    cat > "$(mysql_plan "$t")" <<YAML
name: catchup-bench-mysql-t$t
source: { url: "jdbc:mysql://127.0.0.1:$SRC_PORT/sb", user: root }
target: { url: "jdbc:mysql://127.0.0.1:$TGT_PORT/sb_t$t", user: root }
tables: { include: ["sb.*"] }
catchup: { apply-threads: $t }
YAML
    # livemigrate fills its target with its own copy, which records where catch-up starts (before the backlog)
    $tgt -e "CREATE DATABASE sb_t$t"
    (cd "$MYWORK" && livemigrate copy --plan "$(mysql_plan "$t")" > "$MYWORK/copy-t$t.log" 2>&1) \
      || { cat "$MYWORK/copy-t$t.log"; exit 1; }
    # catch-up once right after the copy, as in a migration (nothing to apply yet); the first run also writes the
    # launcher's class-data archive for the command
    (cd "$MYWORK" && livemigrate catchup --plan "$(mysql_plan "$t")" --until-caught-up --max-lag 1s \
        > "$MYWORK/first-catchup-t$t.log" 2>&1) || { cat "$MYWORK/first-catchup-t$t.log"; exit 1; }
  done

  local workload rand txns head_file head_pos bytes t0 t1 native streaming a b c
  declare -A lm=() stream=() cpu=()
  local native_cpu
  for workload in $WORKLOADS; do
    case "$workload" in
      independent) rand="" ;;
      hot) rand=$HOT_RAND ;;
      *) echo "unknown workload $workload (independent, hot)"; exit 2 ;;
    esac
    # 3. the backlog, with both consumers stopped (the replica's IO thread only fetches the binlog)
    # shellcheck disable=SC2086
    sysbench oltp_write_only --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$SRC_PORT" --mysql-user=root \
      --mysql-db=sb --tables=1 --table-size="$ROWS" --threads="$THREADS" --time="$TIME" --report-interval=0 $rand run \
      > "$MYWORK/sysbench-$workload.log"
    txns=$(awk '/transactions:/ {print $2}' "$MYWORK/sysbench-$workload.log")
    read -r head_file head_pos < <($src -N -e "SHOW MASTER STATUS" | awk '{print $1, $2}')
    bytes=$(( head_pos - pos ))
    [ "$head_file" = "$file" ] || bytes=unknown
    pos=$head_pos
    # wait until the replica has fetched everything, so the native drain measures applying only
    for _ in $(seq 1 600); do
      [ "$($rep -e 'SHOW SLAVE STATUS\G' | awk '/ Read_Master_Log_Pos:/ {print $2}')" = "$head_pos" ] && break
      sleep 0.2
    done

    # 4. native: the replica's SQL thread drains the relay log
    cpu_start "$(cat "$MYWORK/rep/pid")"
    t0=$(now)
    $rep -e "START SLAVE SQL_THREAD"
    while [ "$($rep -e 'SHOW SLAVE STATUS\G' | awk '/Exec_Master_Log_Pos:/ {print $2}')" != "$head_pos" ]; do sleep 0.05; done
    t1=$(now)
    cpu_stop > "$MYWORK/drain.cpu"
    native_cpu="replica $(awk '$1 == "total" { print $2 }' "$MYWORK/drain.cpu")"
    native=$(echo "$t1 - $t0" | bc -l)
    $rep -e "STOP SLAVE SQL_THREAD"

    # 5. livemigrate, each apply-threads value in turn: catchup until caught up (lag under 1 s, nothing left to read)
    for t in $APPLY_THREADS; do
      cpu_start "$(cat "$MYWORK/tgt/pid")"
      t0=$(now)
      { TIMEFORMAT='%U %S'; time (cd "$MYWORK" && livemigrate catchup --plan "$(mysql_plan "$t")" --until-caught-up \
          --max-lag 1s > "$MYWORK/catchup-$workload-t$t.log" 2>&1) || { cat "$MYWORK/catchup-$workload-t$t.log"; exit 1; }; } \
        2> "$MYWORK/drain.time"
      t1=$(now)
      cpu_stop > "$MYWORK/drain.cpu"
      cpu[$t]="java $(awk '{ printf "%.1f", $1 + $2 }' "$MYWORK/drain.time"), target $(awk '$1 == "total" { print $2 }' "$MYWORK/drain.cpu")"
      lm[$t]=$(echo "$t1 - $t0" | bc -l)
      # catch-up's own account of this run: from its stream opening to caught up, without JVM and Spring start-up
      stream[$t]=$(sed -n 's/.* applied in \([0-9.]*\) s of streaming.*/\1/p' "$MYWORK/catchup-$workload-t$t.log" | tail -1)
    done

    # 6. same data everywhere
    a=$($src -N -e "CHECKSUM TABLE sb.sbtest1" | awk '{print $2}')
    b=$($rep -N -e "CHECKSUM TABLE sb.sbtest1" | awk '{print $2}')
    [ "$a" = "$b" ] || { echo "checksum mismatch: source $a replica $b"; exit 1; }
    for t in $APPLY_THREADS; do
      c=$($tgt -N -e "CHECKSUM TABLE sb_t$t.sbtest1" | awk '{print $2}')
      [ "$a" = "$c" ] || { echo "checksum mismatch: source $a livemigrate with $t apply connection(s) $c"; exit 1; }
    done
    printf 'MariaDB    %s backlog: %s transactions, %s bytes of binlog\n' "$workload" "$txns" "$bytes"
    printf 'MariaDB    %-36s %8.2f s %10.0f txn/s  CPU s: %s\n' "native replica (SQL thread)" "$native" \
      "$(echo "$txns / $native" | bc -l)" "$native_cpu"
    for t in $APPLY_THREADS; do
      printf 'MariaDB    %-36s %8.2f s %10.0f txn/s  %.2fx native (includes JVM start)  CPU s: %s\n' \
        "livemigrate, $t apply connection(s)" "${lm[$t]}" "$(echo "$txns / ${lm[$t]}" | bc -l)" \
        "$(echo "$native / ${lm[$t]}" | bc -l)" "${cpu[$t]}"
      if [ -n "${stream[$t]}" ]; then
        printf 'MariaDB    %-36s %8.2f s %10.0f txn/s  %.2fx native (stream open to caught up)\n' "  streaming" \
          "${stream[$t]}" "$(echo "$txns / ${stream[$t]}" | bc -l)" "$(echo "$native / ${stream[$t]}" | bc -l)"
      fi
    done
  done

  [ "${STEADY:-on}" = off ] || steady_state_lag "$src" "$tgt"
  [ "${SUSTAIN:-on}" = off ] || sustained_rates "$src" "$rep" "$tgt"
}

# lag_samples <client> <database> <file>: in the background, every 200 ms, that consumer's clock minus the heartbeat
# the source stamped; the client's pid in SAMPLER.
lag_samples() {
  while :; do echo "SELECT TIMESTAMPDIFF(MICROSECOND, ts, NOW(6)) / 1e6 FROM $2.lm_heartbeat;"; sleep 0.2; done \
    | $1 -N --unbuffered >> "$3" 2> /dev/null &
  SAMPLER=$!
}

# sustain <label> <client> <database>: with that consumer running and caught up, steps through RATES.
sustain() {
  local label=$1 client=$2 db=$3 best=none r lag tps
  for r in $RATES; do
    until [ "$($client -N -e "SELECT TIMESTAMPDIFF(MICROSECOND, ts, NOW(6)) < 500000 FROM $db.lm_heartbeat")" = 1 ]; do sleep 0.2; done
    sysbench oltp_write_only --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$SRC_PORT" --mysql-user=root \
      --mysql-db=sb --tables=1 --table-size="$ROWS" --threads="$THREADS" --rate="$r" --time="$SUSTAIN_SECONDS" \
      --report-interval=0 run > "$MYWORK/sustain.sysbench" &
    local load=$!
    sleep 2 # the step's own start is not lag
    : > "$MYWORK/sustain.lag"
    lag_samples "$client" "$db" "$MYWORK/sustain.lag"
    wait "$load" || true
    kill "$SAMPLER" 2> /dev/null || true
    lag=$(sort -g "$MYWORK/sustain.lag" | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else printf "%.3f", a[int((NR - 1) * 0.99) + 1] }')
    tps=$(sed -n 's/.*transactions: *[0-9]* *(\([0-9.]*\) per sec.*/\1/p' "$MYWORK/sustain.sysbench" | head -1)
    printf 'MariaDB    %-36s rate %5d/s asked, %6.0f/s reached: lag p99 %s s\n' "$label" "$r" "${tps:-0}" "$lag"
    if [ "$(echo "$lag < 1" | bc -l)" = 1 ]; then best="$r (reached ${tps%.*}/s)"; else break; fi
  done
  SUSTAINED+=("$label: $best/s")
}

sustained_rates() { # source-client replica-client target-client
  local src=$1 rep=$2 tgt=$3 t catchup heartbeat
  echo "== MariaDB highest sustained rate with lag under 1 s: sysbench oltp_write_only --threads=$THREADS --rate=<rate> for $SUSTAIN_SECONDS s per rate"
  while :; do echo "UPDATE sb.lm_heartbeat SET ts = NOW(6) WHERE id = 1;"; sleep 0.1; done | $src > /dev/null 2>&1 &
  heartbeat=$!
  PIDS+=("$heartbeat")
  SUSTAINED=()
  $rep -e "START SLAVE"
  sustain "native replica" "$rep" sb
  $rep -e "STOP SLAVE SQL_THREAD"
  for t in $SUSTAIN_THREADS; do
    (cd "$MYWORK" && livemigrate catchup --plan "$(mysql_plan "$t")" --until-caught-up --max-lag 1s \
        > "$MYWORK/sustain-first-t$t.log" 2>&1) || { cat "$MYWORK/sustain-first-t$t.log"; exit 1; }
    (cd "$MYWORK" && exec_livemigrate catchup --plan "$(mysql_plan "$t")" > "$MYWORK/sustain-t$t.log" 2>&1) &
    catchup=$!
    PIDS+=("$catchup")
    # running, not starting: the lag the first step reads must be this process's, not a JVM start's
    until grep -qs "streaming changes" "$MYWORK/sustain-t$t.log"; do
      kill -0 "$catchup" 2> /dev/null || { cat "$MYWORK/sustain-t$t.log"; exit 1; }
      sleep 0.2
    done
    sustain "livemigrate, $t apply connection(s)" "$tgt" "sb_t$t"
    (cd "$MYWORK" && livemigrate stop --plan "$(mysql_plan "$t")" > /dev/null 2>&1) || true
    wait "$catchup" 2> /dev/null || true
  done
  kill "$heartbeat" 2> /dev/null || true
  printf 'MariaDB    sustained  %s\n' "${SUSTAINED[@]}"
}

# Lag of a running catch-up under the same load: per 0.1 s sample of the source's binlog head, the time until the
# target's recorded position passes it. Prints p50/p99/max over the samples taken while the load ran.
steady_state_lag() { # source-client target-client
  local src=$1 tgt=$2
  echo "== MariaDB steady state: catch-up ($STEADY_THREADS apply connection(s)) running with sysbench oltp_write_only --threads=$THREADS --time=$TIME"
  (cd "$MYWORK" && exec_livemigrate catchup --plan "$(mysql_plan "$STEADY_THREADS")" > "$MYWORK/steady.log" 2>&1) &
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
      "$($tgt -N -e "SELECT position FROM livemigrate.catchup_state WHERE plan = 'catchup-bench-mysql-t$STEADY_THREADS'" \
          | sed -n 's/.*file=\([^;]*\);pos=\([0-9]*\).*/\1:\2/p')" >> "$MYWORK/positions.txt"
    sleep 0.1
  done
  wait "$load" || true
  (cd "$MYWORK" && livemigrate stop --plan "$(mysql_plan "$STEADY_THREADS")" > /dev/null 2>&1) || true
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
