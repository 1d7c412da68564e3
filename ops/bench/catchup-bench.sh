#!/usr/bin/env bash
# Catch-up benchmark, PostgreSQL part (ops/bench/catchup-bench-mysql.sh is the MariaDB part).
#
#  1. Backlog drain: pgbench -i (scale 10, pgbench_history given a bigserial primary key), livemigrate copy, catch-up
#     not running; a native logical replication slot + subscription (create_slot=false, copy_data=false, disabled)
#     starts from the same state into a third database. Run `pgbench -N -c 4 -T 30` on the source: both backlogs
#     are the same WAL. Then time `catchup --until-caught-up --max-lag 0` (JVM start included) and, after it, the
#     subscription draining to the source's WAL end (ALTER SUBSCRIPTION ENABLE until the slot's confirmed_flush_lsn
#     reaches it). Prints both rates in source transactions/s and the ratio.
#  2. Steady state: catch-up running while `pgbench -N -c 4 -T 30` runs; lag sampled every 200 ms as now() minus the
#     source commit time the target's livemigrate.catchup_state holds (0 when the target's position is the source's
#     WAL end); prints p50/p99/max.
#
# Needs: PostgreSQL with wal_level=logical at PGHOST/PGPORT/PGUSER (default 127.0.0.1:5432 postgres, trust auth),
# pgbench, pg_dump, psql, and target/livemigrate.jar (./mvnw -q -DskipTests package), run through bin/livemigrate (lib.sh).
# Usage: ops/bench/catchup-bench.sh   (SCALE=10 CLIENTS=4 SECONDS_LOAD=30 to change sizes)
set -euo pipefail
cd "$(dirname "$0")/../.."
SCALE=${SCALE:-10}
CLIENTS=${CLIENTS:-4}
SECONDS_LOAD=${SECONDS_LOAD:-30}
PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
WORK=$(mktemp -d)
SRC=lm_cbench_src TGT=lm_cbench_tgt NAT=lm_cbench_native
source ops/bench/lib.sh

cleanup() {
  [[ -n "${CATCHUP_PID:-}" ]] && kill "$CATCHUP_PID" 2>/dev/null && wait "$CATCHUP_PID" 2>/dev/null || true
  psql -qAt -d "$NAT" -c "ALTER SUBSCRIPTION lm_cbench_sub DISABLE" >/dev/null 2>&1 || true
  psql -qAt -d "$NAT" -c "ALTER SUBSCRIPTION lm_cbench_sub SET (slot_name = NONE)" >/dev/null 2>&1 || true
  psql -qAt -d "$NAT" -c "DROP SUBSCRIPTION IF EXISTS lm_cbench_sub" >/dev/null 2>&1 || true
  psql -qAt -d postgres -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                            WHERE slot_name IN ('lm_cbench_native', 'livemigrate_cbench') AND NOT active" >/dev/null 2>&1 || true
  for db in $SRC $TGT $NAT; do dropdb --if-exists --force "$db" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

wal_end() { psql -qAt -d "$SRC" -c "SELECT pg_current_wal_lsn()"; }

for db in $SRC $TGT $NAT; do dropdb --if-exists --force "$db"; createdb "$db"; done
echo "== setup: pgbench -i -s $SCALE, history keyed"
pgbench -i -q -s "$SCALE" "$SRC" >/dev/null 2>&1
psql -qAt -d "$SRC" -c "ALTER TABLE pgbench_history ADD COLUMN id bigserial PRIMARY KEY" -c "VACUUM ANALYZE" >/dev/null
cat > "$WORK/plan.yml" <<YAML
name: cbench
source: { url: "jdbc:postgresql://$PGHOST:$PGPORT/$SRC", user: "$PGUSER" }
target: { url: "jdbc:postgresql://$PGHOST:$PGPORT/$TGT", user: "$PGUSER" }
tables: { include: ["public.*"] }
copy: { threads: 4, chunk-rows: 10000, partition-rows: 250000 }
YAML
REPO="jdbc:h2:file:$WORK/repo;AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE"
lm() { (cd "$WORK" && livemigrate "$@" --plan "$WORK/plan.yml" --repository "$REPO"); }
lm copy > "$WORK/copy.log" 2>&1 || { cat "$WORK/copy.log"; exit 1; }
# Catch-up runs once right after the copy, as in a migration (nothing to apply yet); this first run of the command
# also writes the launcher's class-data archive for it, which later runs start from.
lm catchup --until-caught-up --max-lag 0 > "$WORK/first-catchup.log" 2>&1 || { cat "$WORK/first-catchup.log"; exit 1; }
# The native side starts from the same state: its slot now (no writes in between), then a dump of the data.
psql -qAt -d "$SRC" -c "CREATE PUBLICATION lm_cbench_pub FOR TABLE pgbench_accounts, pgbench_branches, pgbench_tellers, pgbench_history" \
  -c "SELECT pg_create_logical_replication_slot('lm_cbench_native', 'pgoutput')" >/dev/null
pg_dump -s "$SRC" | psql -q -d "$NAT" >/dev/null
pg_dump -a "$SRC" | psql -q -d "$NAT" >/dev/null
psql -qAt -d "$NAT" -c "CREATE SUBSCRIPTION lm_cbench_sub CONNECTION 'host=$PGHOST port=$PGPORT user=$PGUSER dbname=$SRC'
  PUBLICATION lm_cbench_pub WITH (create_slot = false, slot_name = 'lm_cbench_native', copy_data = false, enabled = false)" >/dev/null

echo "== backlog: pgbench -N -c $CLIENTS -T $SECONDS_LOAD (catch-up and subscription stopped)"
TX=$(pgbench -n -N -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_LOAD" "$SRC" 2>/dev/null | awk '/number of transactions actually processed/ {print $6}' | cut -d/ -f1)
END=$(wal_end)
BACKLOG=$(psql -qAt -d "$SRC" -c "SELECT pg_size_pretty(pg_wal_lsn_diff('$END', confirmed_flush_lsn)) FROM pg_replication_slots WHERE slot_name = 'lm_cbench_native'")
echo "   $TX transactions, $BACKLOG of WAL"

t0=$(now); lm catchup --until-caught-up --max-lag 0 > "$WORK/drain.log" 2>&1 || { cat "$WORK/drain.log"; exit 1; }; t1=$(now)
LM_S=$(secs "$t0" "$t1")
t0=$(now)
psql -qAt -d "$NAT" -c "ALTER SUBSCRIPTION lm_cbench_sub ENABLE" >/dev/null
until [[ $(psql -qAt -d "$SRC" -c "SELECT confirmed_flush_lsn >= '$END' FROM pg_replication_slots WHERE slot_name = 'lm_cbench_native'") == t ]]; do sleep 0.05; done
t1=$(now)
NAT_S=$(secs "$t0" "$t1")
psql -qAt -d "$NAT" -c "ALTER SUBSCRIPTION lm_cbench_sub DISABLE" >/dev/null
for t in pgbench_accounts pgbench_history; do
  a=$(psql -qAt -d "$SRC" -c "SELECT count(*), sum(hashtext($t::text)) FROM $t")
  b=$(psql -qAt -d "$TGT" -c "SELECT count(*), sum(hashtext($t::text)) FROM $t")
  [[ "$a" == "$b" ]] || { echo "MISMATCH $t: source $a target $b"; exit 1; }
done
printf '   livemigrate catchup: %6.1f s  %8.0f tx/s (JVM start included)\n' "$LM_S" "$(echo "$TX / $LM_S" | bc -l)"
printf '   native subscription: %6.1f s  %8.0f tx/s\n' "$NAT_S" "$(echo "$TX / $NAT_S" | bc -l)"
printf '   ratio livemigrate/native: %.2fx\n' "$(echo "$NAT_S / $LM_S" | bc -l)"
# catch-up's own account of this run: from its stream opening to caught up, without JVM and Spring start-up
STREAM_S=$(sed -n 's/.* applied in \([0-9.]*\) s of streaming.*/\1/p' "$WORK/drain.log" | tail -1)
if [[ -n "$STREAM_S" ]]; then
  printf '   livemigrate streaming: %4.1f s  %8.0f tx/s (stream open to caught up)\n' "$STREAM_S" "$(echo "$TX / $STREAM_S" | bc -l)"
  printf '   ratio livemigrate streaming/native: %.2fx\n' "$(echo "$NAT_S / $STREAM_S" | bc -l)"
fi
grep -E "caught up|lag" "$WORK/drain.log" | tail -2 | sed 's/^/   /'

echo "== steady state: catch-up running with pgbench -N -c $CLIENTS -T $SECONDS_LOAD"
(cd "$WORK" && exec_livemigrate catchup --plan "$WORK/plan.yml" --repository "$REPO" > "$WORK/steady.log" 2>&1) &
CATCHUP_PID=$!
sleep 6
pgbench -n -N -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_LOAD" "$SRC" > "$WORK/pgbench2.log" 2>&1 &
LOAD=$!
sleep 2
: > "$WORK/lag.txt"
while kill -0 "$LOAD" 2>/dev/null; do
  psql -qAt -d "$TGT" -c "SELECT greatest(0, extract(epoch FROM clock_timestamp() - commit_time::timestamptz))
                           FROM livemigrate.catchup_state" >> "$WORK/lag.txt" 2>/dev/null || true
  sleep 0.2
done
wait "$LOAD" || true
lm stop > /dev/null 2>&1 || true
wait "$CATCHUP_PID" 2>/dev/null || true
CATCHUP_PID=
sort -g "$WORK/lag.txt" | awk '{a[NR]=$1} END {printf "   lag samples %d: p50 %.3f s, p99 %.3f s, max %.3f s\n", NR, a[int(NR*0.5)], a[int(NR*0.99)], a[NR]}'
grep "tps = " "$WORK/pgbench2.log" | head -1 | sed 's/^/   pgbench /'
grep -E "catchup: lag|ERROR|error" "$WORK/steady.log" | tail -${STEADY_LOG_LINES:-3} | sed 's/^/   /'
