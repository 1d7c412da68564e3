#!/usr/bin/env bash
# Catch-up benchmark, PostgreSQL part (ops/bench/catchup-bench-mysql.sh is the MariaDB part).
#
#  1. Backlog drain: pgbench -i (scale 10, pgbench_history given a bigserial primary key); one livemigrate plan per
#     APPLY_THREADS value (catchup.apply-threads), each copied into its own target database with its own slot,
#     catch-up not running; a native logical replication slot + subscription (create_slot=false, copy_data=false,
#     disabled) starts from the same state into another database. Per workload in WORKLOADS, a backlog is written on
#     the source with every consumer stopped, so each drains the same WAL: `independent` is `pgbench -N` (accounts and
#     history only: few transactions share a row), `hot` is pgbench's TPC-B-like script, whose every transaction also
#     updates one of the SCALE rows of pgbench_branches (and one of the tellers), so parallel apply must keep them in
#     order. Then `catchup --until-caught-up --max-lag 0` (JVM start included) is timed for each plan in turn, then
#     the subscription draining to the source's WAL end (ALTER SUBSCRIPTION ENABLE until the slot's
#     confirmed_flush_lsn reaches it). Prints each drain in source transactions/s and as a ratio to the native one,
#     with the CPU seconds of the JVM and of the server's processes by kind (walsender, backend: the apply
#     sessions, logical: the subscription's apply worker) over the drain.
#  2. Steady state: catch-up running (STEADY_THREADS apply connections) while `pgbench -N -c CLIENTS -T
#     SECONDS_LOAD` runs; lag sampled every 200 ms as the target's clock minus a heartbeat row the source stamps every
#     100 ms (part 3's); prints p50/p99/max.
#
#  3. Highest sustained rate: for the native subscription and for each plan in SUSTAIN_THREADS (default
#     APPLY_THREADS), caught up first and then running, `pgbench -N -c CLIENTS -R r` for SUSTAIN_SECONDS at each rate r
#     of RATES in turn; lag is read every 200 ms on the target as its clock minus a heartbeat row the source stamps
#     every 100 ms (the same replicated row for every consumer, so both are measured alike). The highest rate whose p99
#     lag stays under 1 s is what the consumer sustains (with the rate pgbench reached: the source on the same cores
#     may not reach the rate asked); the search ends at the first rate over it. SUSTAIN=off skips it.
#
# Needs: PostgreSQL with wal_level=logical at PGHOST/PGPORT/PGUSER (default 127.0.0.1:5432 postgres, trust auth),
# pgbench, pg_dump, psql, and target/livemigrate.jar (./mvnw -q -DskipTests package), run through bin/livemigrate (lib.sh).
# Usage: ops/bench/catchup-bench.sh   (SCALE=10 CLIENTS=4 SECONDS_LOAD=30 APPLY_THREADS="1 2 4"
#        WORKLOADS="independent hot" (none: no drain) STEADY_THREADS=1 RATES="500 1000 2000" SUSTAIN_SECONDS=20 to change sizes;
#        STEADY=off skips part 2, SUSTAIN=off part 3; KEEP=<dir> keeps each step's lag samples there)
set -euo pipefail
cd "$(dirname "$0")/../.."
SCALE=${SCALE:-10}
CLIENTS=${CLIENTS:-4}
SECONDS_LOAD=${SECONDS_LOAD:-30}
APPLY_THREADS=${APPLY_THREADS:-1 2 4}
APPLY_THREADS=${APPLY_THREADS//,/ }
WORKLOADS=${WORKLOADS:-independent hot}
STEADY_THREADS=${STEADY_THREADS:-${APPLY_THREADS%% *}}
SUSTAIN_THREADS=${SUSTAIN_THREADS:-$APPLY_THREADS}
RATES=${RATES:-500 1000 1500 2000 3000 4000 6000}
SUSTAIN_SECONDS=${SUSTAIN_SECONDS:-20}
PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
WORK=$(mktemp -d)
SRC=lm_cbench_src NAT=lm_cbench_native
source ops/bench/lib.sh

tgt_db() { echo "lm_cbench_tgt_t$1"; }
plan_of() { echo "$WORK/plan-t$1.yml"; }
REPO="jdbc:h2:file:$WORK/repo;AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE"
lm() { local t=$1; shift; (cd "$WORK" && livemigrate "$@" --plan "$(plan_of "$t")" --repository "$REPO"); }

cleanup() {
  [[ -n "${HEARTBEAT_PID:-}" ]] && kill "$HEARTBEAT_PID" 2>/dev/null || true
  [[ -n "${CATCHUP_PID:-}" ]] && kill "$CATCHUP_PID" 2>/dev/null && wait "$CATCHUP_PID" 2>/dev/null || true
  psql -qAt -d "$NAT" -c "ALTER SUBSCRIPTION lm_cbench_sub DISABLE" >/dev/null 2>&1 || true
  psql -qAt -d "$NAT" -c "ALTER SUBSCRIPTION lm_cbench_sub SET (slot_name = NONE)" >/dev/null 2>&1 || true
  psql -qAt -d "$NAT" -c "DROP SUBSCRIPTION IF EXISTS lm_cbench_sub" >/dev/null 2>&1 || true
  psql -qAt -d postgres -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                            WHERE (slot_name = 'lm_cbench_native' OR slot_name LIKE 'livemigrate_cbench_t%') AND NOT active" >/dev/null 2>&1 || true
  for db in $SRC $NAT $(for t in $APPLY_THREADS; do tgt_db "$t"; done); do dropdb --if-exists --force "$db" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# The server's CPU over a drain, by kind of process (cpu_start/cpu_stop, cpu_line in lib.sh).
PG_PID=$(head -1 "$(psql -qAt -d postgres -c "SHOW data_directory")/postmaster.pid")
wal_end() { psql -qAt -d "$SRC" -c "SELECT pg_current_wal_lsn()"; }

for db in $SRC $NAT $(for t in $APPLY_THREADS; do tgt_db "$t"; done); do dropdb --if-exists --force "$db"; createdb "$db"; done
echo "== setup: pgbench -i -s $SCALE, history keyed; one plan per apply-threads value: $APPLY_THREADS"
pgbench -i -q -s "$SCALE" "$SRC" >/dev/null 2>&1
psql -qAt -d "$SRC" -c "ALTER TABLE pgbench_history ADD COLUMN id bigserial PRIMARY KEY" -c "VACUUM ANALYZE" \
  -c "CREATE TABLE lm_heartbeat (id int PRIMARY KEY, ts timestamptz)" -c "INSERT INTO lm_heartbeat VALUES (1, now())" >/dev/null
for t in $APPLY_THREADS; do
  cat > "$(plan_of "$t")" <<YAML
name: cbench_t$t
source: { url: "jdbc:postgresql://$PGHOST:$PGPORT/$SRC", user: "$PGUSER" }
target: { url: "jdbc:postgresql://$PGHOST:$PGPORT/$(tgt_db "$t")", user: "$PGUSER" }
tables: { include: ["public.*"] }
copy: { threads: 4, chunk-rows: 10000, partition-rows: 250000 }
catchup: { apply-threads: $t }
YAML
  lm "$t" copy > "$WORK/copy-t$t.log" 2>&1 || { cat "$WORK/copy-t$t.log"; exit 1; }
  # Catch-up runs once right after the copy, as in a migration (nothing to apply yet); the first run of the command
  # also writes the launcher's class-data archive for it, which later runs start from.
  lm "$t" catchup --until-caught-up --max-lag 0 > "$WORK/first-catchup-t$t.log" 2>&1 \
    || { cat "$WORK/first-catchup-t$t.log"; exit 1; }
done
# The native side starts from the same state: its slot now (no writes in between), then a dump of the data.
psql -qAt -d "$SRC" -c "CREATE PUBLICATION lm_cbench_pub FOR TABLE pgbench_accounts, pgbench_branches, pgbench_tellers, pgbench_history, lm_heartbeat" \
  -c "SELECT pg_create_logical_replication_slot('lm_cbench_native', 'pgoutput')" >/dev/null
pg_dump -s "$SRC" | psql -q -d "$NAT" >/dev/null
pg_dump -a "$SRC" | psql -q -d "$NAT" >/dev/null
psql -qAt -d "$NAT" -c "CREATE SUBSCRIPTION lm_cbench_sub CONNECTION 'host=$PGHOST port=$PGPORT user=$PGUSER dbname=$SRC'
  PUBLICATION lm_cbench_pub WITH (create_slot = false, slot_name = 'lm_cbench_native', copy_data = false, enabled = false)" >/dev/null

same_data() { # every pgbench table equal on the source and in database $1
  local t a b
  for t in pgbench_accounts pgbench_branches pgbench_tellers pgbench_history; do
    a=$(psql -qAt -d "$SRC" -c "SELECT count(*), sum(hashtext($t::text)) FROM $t")
    b=$(psql -qAt -d "$1" -c "SELECT count(*), sum(hashtext($t::text)) FROM $t")
    [[ "$a" == "$b" ]] || { echo "MISMATCH $t in $1: source $a, $b"; exit 1; }
  done
}

for workload in $WORKLOADS; do
  case "$workload" in
    independent) FLAGS=(-N) ;;
    hot) FLAGS=() ;;
    none) continue ;;
    *) echo "unknown workload $workload (independent, hot)"; exit 2 ;;
  esac
  echo "== $workload backlog: pgbench ${FLAGS[*]} -c $CLIENTS -T $SECONDS_LOAD (catch-up and subscription stopped)"
  TX=$(pgbench -n "${FLAGS[@]}" -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_LOAD" "$SRC" 2>/dev/null | awk '/number of transactions actually processed/ {print $6}' | cut -d/ -f1)
  END=$(wal_end)
  BACKLOG=$(psql -qAt -d "$SRC" -c "SELECT pg_size_pretty(pg_wal_lsn_diff('$END', confirmed_flush_lsn)) FROM pg_replication_slots WHERE slot_name = 'lm_cbench_native'")
  echo "   $TX transactions, $BACKLOG of WAL"
  declare -A LM_S=() STREAM_S=() CPU=()
  for t in $APPLY_THREADS; do
    cpu_start "$PG_PID"
    t0=$(now)
    { TIMEFORMAT='%U %S'; time lm "$t" catchup --until-caught-up --max-lag 0 > "$WORK/drain-$workload-t$t.log" 2>&1 \
      || { cat "$WORK/drain-$workload-t$t.log"; exit 1; }; } 2> "$WORK/drain.time"
    t1=$(now)
    cpu_stop > "$WORK/drain.cpu"
    CPU[$t]="java $(awk '{ printf "%.1f", $1 + $2 }' "$WORK/drain.time"), server $(cpu_line < "$WORK/drain.cpu")"
    LM_S[$t]=$(secs "$t0" "$t1")
    # catch-up's own account of this run: from its stream opening to caught up, without JVM and Spring start-up
    STREAM_S[$t]=$(sed -n 's/.* applied in \([0-9.]*\) s of streaming.*/\1/p' "$WORK/drain-$workload-t$t.log" | tail -1)
  done
  cpu_start "$PG_PID"
  t0=$(now)
  psql -qAt -d "$NAT" -c "ALTER SUBSCRIPTION lm_cbench_sub ENABLE" >/dev/null
  until [[ $(psql -qAt -d "$SRC" -c "SELECT confirmed_flush_lsn >= '$END' FROM pg_replication_slots WHERE slot_name = 'lm_cbench_native'") == t ]]; do sleep 0.05; done
  t1=$(now)
  cpu_stop > "$WORK/drain.cpu"
  NAT_CPU="server $(cpu_line < "$WORK/drain.cpu")"
  NAT_S=$(secs "$t0" "$t1")
  psql -qAt -d "$NAT" -c "ALTER SUBSCRIPTION lm_cbench_sub DISABLE" >/dev/null
  for t in $APPLY_THREADS; do same_data "$(tgt_db "$t")"; done
  same_data "$NAT"
  printf '   %-34s %6.1f s  %8.0f tx/s  CPU s: %s\n' "native subscription" "$NAT_S" "$(echo "$TX / $NAT_S" | bc -l)" "$NAT_CPU"
  for t in $APPLY_THREADS; do
    printf '   %-34s %6.1f s  %8.0f tx/s  %.2fx native (JVM start included)  CPU s: %s\n' \
      "livemigrate, $t apply connection(s)" "${LM_S[$t]}" "$(echo "$TX / ${LM_S[$t]}" | bc -l)" \
      "$(echo "$NAT_S / ${LM_S[$t]}" | bc -l)" "${CPU[$t]}"
    if [[ -n "${STREAM_S[$t]}" ]]; then
      printf '   %-34s %6.1f s  %8.0f tx/s  %.2fx native (stream open to caught up)\n' "  streaming" \
        "${STREAM_S[$t]}" "$(echo "$TX / ${STREAM_S[$t]}" | bc -l)" "$(echo "$NAT_S / ${STREAM_S[$t]}" | bc -l)"
    fi
  done
done

steady_state() {
echo "== steady state: catch-up ($STEADY_THREADS apply connection(s)) running with pgbench -N -c $CLIENTS -T $SECONDS_LOAD"
(cd "$WORK" && exec_livemigrate catchup --plan "$(plan_of "$STEADY_THREADS")" --repository "$REPO" > "$WORK/steady.log" 2>&1) &
CATCHUP_PID=$!
# Lag is the heartbeat's (the catch-up state's commit time stands still until the run's first change): the load
# starts once catch-up is streaming and the target shows a fresh heartbeat, so the samples measure neither a JVM
# start nor the heartbeat row the copy left.
psql -qAt -d "$SRC" <<< 'UPDATE lm_heartbeat SET ts = clock_timestamp() \watch 0.1' > /dev/null 2>&1 &
HEARTBEAT_PID=$!
until grep -qs "streaming changes" "$WORK/steady.log" \
  && [[ $(psql -qAt -d "$(tgt_db "$STEADY_THREADS")" -c "SELECT extract(epoch FROM clock_timestamp() - ts) < 0.5 FROM lm_heartbeat") == t ]]; do
  kill -0 "$CATCHUP_PID" 2>/dev/null || { cat "$WORK/steady.log"; exit 1; }
  sleep 0.2
done
pgbench -n -N -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_LOAD" "$SRC" > "$WORK/pgbench2.log" 2>&1 &
LOAD=$!
sleep 2
: > "$WORK/lag.txt"
psql -qAt -d "$(tgt_db "$STEADY_THREADS")" <<< "$LAG_QUERY" >> "$WORK/lag.txt" 2>/dev/null &
local sampler=$!
wait "$LOAD" || true
kill "$sampler" "$HEARTBEAT_PID" 2>/dev/null || true
lm "$STEADY_THREADS" stop > /dev/null 2>&1 || true
wait "$CATCHUP_PID" 2>/dev/null || true
CATCHUP_PID=
sort -g "$WORK/lag.txt" | awk '{a[NR]=$1} END {printf "   lag samples %d: p50 %.3f s, p99 %.3f s, max %.3f s\n", NR, a[int(NR*0.5)], a[int(NR*0.99)], a[NR]}'
grep "tps = " "$WORK/pgbench2.log" | head -1 | sed 's/^/   pgbench /'
grep -E "catchup: lag|ERROR|error" "$WORK/steady.log" | tail -${STEADY_LOG_LINES:-3} | sed 's/^/   /'
}

# Every 200 ms, the target's clock minus the heartbeat the source stamped (psql's \watch: one session, no forks).
LAG_QUERY='SELECT greatest(0, extract(epoch FROM clock_timestamp() - ts)) FROM lm_heartbeat \watch 0.2'
p99() { sort -g "$1" | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else printf "%.3f", a[int((NR - 1) * 0.99) + 1] }'; }

# sustain <label> <target database>: with that consumer running and caught up, steps through RATES.
sustain() {
  local label=$1 db=$2 best=none r lag tps
  for r in $RATES; do
    until [[ $(psql -qAt -d "$db" -c "SELECT extract(epoch FROM clock_timestamp() - ts) < 0.5 FROM lm_heartbeat") == t ]]; do sleep 0.2; done
    : > "$WORK/sustain.lag"
    pgbench -n -N -c "$CLIENTS" -j "$CLIENTS" -R "$r" -T "$SUSTAIN_SECONDS" "$SRC" > "$WORK/sustain.pgbench" 2>&1 &
    local load=$!
    sleep 2 # the consumer's own start-up of the step is not lag
    psql -qAt -d "$db" <<< "$LAG_QUERY" >> "$WORK/sustain.lag" 2>/dev/null &
    local sampler=$!
    wait "$load" || true
    kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
    lag=$(p99 "$WORK/sustain.lag")
    [[ -z ${KEEP:-} ]] || cp "$WORK/sustain.lag" "$KEEP/sustain-${label//[ ,()]/_}-$r.lag"
    tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/sustain.pgbench" | head -1)
    printf '   %-34s rate %5d/s asked, %6.0f/s reached: lag p99 %s s\n' "$label" "$r" "${tps:-0}" "$lag"
    if (( $(echo "$lag < 1" | bc -l) )); then best="$r (reached ${tps%.*}/s)"; else break; fi
  done
  SUSTAINED[$label]=$best
}

sustained_rates() {
  echo "== highest sustained rate with lag under 1 s: pgbench -N -c $CLIENTS -R <rate> for $SUSTAIN_SECONDS s per rate"
  psql -qAt -d "$SRC" <<< 'UPDATE lm_heartbeat SET ts = clock_timestamp() \watch 0.1' > /dev/null 2>&1 &
  HEARTBEAT_PID=$!
  declare -gA SUSTAINED=()
  local t end
  end=$(wal_end)
  psql -qAt -d "$NAT" -c "ALTER SUBSCRIPTION lm_cbench_sub ENABLE" >/dev/null
  until [[ $(psql -qAt -d "$SRC" -c "SELECT confirmed_flush_lsn >= '$end' FROM pg_replication_slots WHERE slot_name = 'lm_cbench_native'") == t ]]; do sleep 0.1; done
  sustain "native subscription" "$NAT"
  psql -qAt -d "$NAT" -c "ALTER SUBSCRIPTION lm_cbench_sub DISABLE" >/dev/null
  for t in $SUSTAIN_THREADS; do
    lm "$t" catchup --until-caught-up --max-lag 1s > "$WORK/sustain-first-t$t.log" 2>&1 || { cat "$WORK/sustain-first-t$t.log"; exit 1; }
    (cd "$WORK" && exec_livemigrate catchup --plan "$(plan_of "$t")" --repository "$REPO" > "$WORK/sustain-t$t.log" 2>&1) &
    CATCHUP_PID=$!
    # running, not starting: the lag the first step reads must be this process's, not a JVM start's
    until grep -qs "streaming changes" "$WORK/sustain-t$t.log"; do
      kill -0 "$CATCHUP_PID" 2>/dev/null || { cat "$WORK/sustain-t$t.log"; exit 1; }
      sleep 0.2
    done
    sustain "livemigrate, $t apply connection(s)" "$(tgt_db "$t")"
    lm "$t" stop > /dev/null 2>&1 || true
    wait "$CATCHUP_PID" 2>/dev/null || true
    CATCHUP_PID=
  done
  kill "$HEARTBEAT_PID" 2>/dev/null || true
  for label in "native subscription" $(for t in $SUSTAIN_THREADS; do echo "t$t"; done); do
    [[ $label == t* ]] && label="livemigrate, ${label#t} apply connection(s)"
    printf '   sustained  %-34s %s/s\n' "$label" "${SUSTAINED[$label]}"
  done
}

[[ "${STEADY:-on}" == off ]] || steady_state
[[ "${SUSTAIN:-on}" == off ]] || sustained_rates
