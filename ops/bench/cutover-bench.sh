#!/usr/bin/env bash
# Cutover benchmark, PostgreSQL part (ops/bench/cutover-bench-mysql.sh is the MariaDB part): the write pause an
# application sees when livemigrate switches it from source to target through PgBouncer, and back (revert).
#
#  pgbench -i (scale 10, pgbench_history given a bigserial primary key), livemigrate copy, catch-up running; a
#  PgBouncer started here (transaction pooling) in front of the source; pgbench -N through PgBouncer at a fixed rate
#  (-R) for the whole run; in its middle `cutover` (proxy-pause fence, pgbouncer switch); then the reverse stream and
#  `revert` under the same load, ROUNDS (10) times in all, with re-verification on: one `verify` before the first
#  cutover, then every cutover and revert re-checks the changed keys (catch-up re-checks them continuously, step 4
#  checks what is left). Per switch it prints the pause livemigrate measured (fence to unfence), the worst transaction
#  latency pgbench saw (with --rate pgbench counts from the scheduled start, so a transaction held by the pause counts
#  in full), failed transactions, step 4's re-check (N of M keys), and checks that every transaction pgbench
#  committed is on the side traffic ended on (each -N transaction inserts exactly one pgbench_history row); then
#  p50 and max of the pause over all switches. Target (issue 17): writes held at most 300 ms, 0 failed.
#
# Needs: PostgreSQL with wal_level=logical at PGHOST/PGPORT/PGUSER (default 127.0.0.1:5432 postgres, trust auth),
# pgbench, psql, pgbouncer, and target/livemigrate.jar (./mvnw -q -DskipTests package) or LM_CP=<classpath>.
# Usage: ops/bench/cutover-bench.sh   (SCALE=10 CLIENTS=8 RATE=150 ROUNDS=10 LOAD_SECONDS=40 to change the load;
# LOAD_SECONDS must cover the JVM start of cutover/revert)
set -euo pipefail
cd "$(dirname "$0")/../.."
SCALE=${SCALE:-10}
CLIENTS=${CLIENTS:-8}
RATE=${RATE:-150}
ROUNDS=${ROUNDS:-10}
PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}
PGBOUNCER=${PGBOUNCER:-$(command -v pgbouncer || echo /usr/sbin/pgbouncer)}
[[ -x "$PGBOUNCER" ]] || { echo "pgbouncer not found: apt-get install pgbouncer (or PGBOUNCER=/path)" >&2; exit 2; }
[[ $(psql -qAt -d postgres -c "SHOW wal_level") == logical ]] || {
  echo "wal_level is not logical on $PGHOST:$PGPORT: ALTER SYSTEM SET wal_level = logical, then restart PostgreSQL" >&2; exit 2; }
WORK=$(mktemp -d)
chmod 777 "$WORK"   # PgBouncer will not run as root; it drops to the postgres user and writes its log here
SRC=lm_cutbench_src TGT=lm_cutbench_tgt REPO_DB=lm_cutbench_repo
source ops/bench/lib.sh

cleanup() {
  local rc=$?
  if [[ $rc != 0 && -f "$WORK/catchup.log" ]]; then echo "-- catch-up log (last lines):"; tail -25 "$WORK/catchup.log"; fi
  [[ -n "${CATCHUP_PID:-}" ]] && kill "$CATCHUP_PID" 2>/dev/null && wait "$CATCHUP_PID" 2>/dev/null || true
  [[ -f "$WORK/pgbouncer.pid" ]] && kill "$(cat "$WORK/pgbouncer.pid")" 2>/dev/null || true
  sleep 1
  dropdb --if-exists --force "$REPO_DB" 2>/dev/null || true
  for db in $SRC $TGT; do
    psql -qAt -d postgres -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
                              WHERE database = '$db' AND NOT active" >/dev/null 2>&1 || true
    dropdb --if-exists --force "$db" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

for db in $SRC $TGT $REPO_DB; do dropdb --if-exists --force "$db"; createdb "$db"; done
echo "== setup: pgbench -i -s $SCALE, history keyed, copy, PgBouncer"
pgbench -i -q -s "$SCALE" "$SRC" >/dev/null 2>&1
psql -qAt -d "$SRC" -c "ALTER TABLE pgbench_history ADD COLUMN id bigserial PRIMARY KEY" -c "VACUUM ANALYZE" >/dev/null
BOUNCER_PORT=$(free_port)
printf '"%s" ""\n"lm_admin" ""\n' "$PGUSER" > "$WORK/users.txt"
cat > "$WORK/pgbouncer.ini" <<INI
[databases]
app = host=$PGHOST port=$PGPORT dbname=$SRC
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $WORK/users.txt
admin_users = lm_admin
pool_mode = transaction
max_client_conn = 200
default_pool_size = 20
logfile = $WORK/pgbouncer.log
pidfile = $WORK/pgbouncer.pid
INI
chmod 666 "$WORK/pgbouncer.ini" "$WORK/users.txt"
if [[ $(id -u) == 0 ]]; then "$PGBOUNCER" -d -u postgres "$WORK/pgbouncer.ini"; else "$PGBOUNCER" -d "$WORK/pgbouncer.ini"; fi
for _ in $(seq 1 50); do (exec 3<> "/dev/tcp/127.0.0.1/$BOUNCER_PORT") 2>/dev/null && break; sleep 0.1; done

cat > "$WORK/plan.yml" <<YAML
name: cutbench
source: { url: "jdbc:postgresql://$PGHOST:$PGPORT/$SRC", user: "$PGUSER" }
target: { url: "jdbc:postgresql://$PGHOST:$PGPORT/$TGT", user: "$PGUSER" }
tables: { include: ["public.*"] }
copy: { threads: 2, chunk-rows: 10000, partition-rows: 250000 }
cutover:
  fence: proxy-pause
  switch: pgbouncer
  max-pause: 5s
  max-lag: 2s
  pgbouncer: { admin: "127.0.0.1:$BOUNCER_PORT", admin-user: lm_admin, config-file: "$WORK/pgbouncer.ini", database: app }
YAML
# The job repository is a PostgreSQL database, as for a production move: several processes use it at once (catch-up,
# cutover, status), and an H2 file is served by whichever process opened it first, which step 9 may stop.
REPO="jdbc:postgresql://$PGHOST:$PGPORT/$REPO_DB"
export LIVEMIGRATE_REPOSITORY_USER=$PGUSER
lm() { (cd "$WORK" && livemigrate "$@" --plan "$WORK/plan.yml" --repository "$REPO"); }
lm copy > "$WORK/copy.log" 2>&1 || { cat "$WORK/copy.log"; exit 1; }

# start_catchup [--reverse]: runs catch-up in the background until its lag, as the repository shows it, is under 1 s.
start_catchup() {
  (cd "$WORK" && exec_livemigrate catchup --plan "$WORK/plan.yml" --repository "$REPO" "$@" >> "$WORK/catchup.log" 2>&1) &
  CATCHUP_PID=$!
  local deadline=$((SECONDS + 90))
  while (( SECONDS < deadline )); do
    psql -qAt -h 127.0.0.1 -p "$BOUNCER_PORT" -d app -c "UPDATE pgbench_branches SET bbalance = bbalance WHERE bid = 1" >/dev/null
    lag=$(lm status "$@" --json 2>/dev/null | python3 -c 'import json,sys; c=json.load(sys.stdin).get("catchup") or {}; print(c.get("lagSeconds") if c.get("status")=="STARTED" and c.get("lagSeconds") is not None else 99)' 2>/dev/null || echo 99)
    (( $(echo "$lag < 1" | bc -l) )) && return 0
    sleep 0.5
  done
  echo "catch-up did not catch up within 90 s (lag $lag):"; tail -20 "$WORK/catchup.log"; exit 1
}
# The switch retires the catch-up of the old direction (step 9), so it may have exited already.
stop_catchup() { kill "$CATCHUP_PID" 2>/dev/null || true; wait "$CATCHUP_PID" 2>/dev/null || true; CATCHUP_PID=; }
history_rows() { psql -qAt -d "$1" -c "SELECT count(*) FROM pgbench_history"; }

echo "== verify before the first cutover (the re-checks count changes since it)"
start_catchup
lm verify > "$WORK/verify.log" 2>&1 || { cat "$WORK/verify.log"; exit 1; }
stop_catchup
echo "== $ROUNDS switches under pgbench -N -c $CLIENTS -R $RATE through PgBouncer (target: writes held <= 300 ms, 0 failed)"
printf '   %-8s %10s %14s %8s %8s %16s  %s\n' switch "held ms" "worst lat ms" txs failed "re-checked" "all committed on new primary"
WORST=0
HELD=()
for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 == 1 )); then verb=cutover; from=$SRC; to=$TGT; extra=(); else verb=revert; from=$TGT; to=$SRC; extra=(--reverse); fi
  start_catchup "${extra[@]}"
  before=$(history_rows "$from")
  rm -f "$WORK"/pgb.*
  pgbench -n -N -h 127.0.0.1 -p "$BOUNCER_PORT" -c "$CLIENTS" -j 2 -R "$RATE" -T "${LOAD_SECONDS:-40}" -M simple -l \
    --log-prefix "$WORK/pgb" app > "$WORK/pgbench.log" 2>&1 &
  LOAD=$!
  sleep 5
  lm "$verb" > "$WORK/$verb-$round.log" 2>&1 || { cat "$WORK/$verb-$round.log"; exit 1; }
  kill -0 "$LOAD" 2>/dev/null || { echo "pgbench ended before $verb finished: the switch was not under load" >&2; exit 1; }
  wait "$LOAD" || { cat "$WORK/pgbench.log"; exit 1; }
  stop_catchup
  txs=$(awk '/number of transactions actually processed/ {print $6}' "$WORK/pgbench.log" | cut -d/ -f1)
  failed=$(awk '/number of failed transactions/ {print $5}' "$WORK/pgbench.log"); failed=${failed:-0}
  switch_figures "$WORK/$verb-$round.log"; held=$HELD_MS rechecked=$RECHECKED
  worst=$(cat "$WORK"/pgb.* | awk '{ if ($3 > m) m = $3 } END { printf "%.0f", m / 1000 }')
  after=$(history_rows "$to")
  ok=$([[ $after -eq $((before + txs)) ]] && echo yes || echo "NO: $after rows, expected $((before + txs))")
  printf '   %-8s %10s %14s %8s %8s %16s  %s\n' "$verb" "$held" "$worst" "$txs" "$failed" "${rechecked:-off}" "$ok"
  HELD+=("$held")
  (( worst > WORST )) && WORST=$worst
  [[ $ok == yes && $failed == 0 ]] || exit 1
done
switch_summary 300 "$WORST" "${HELD[@]}"
