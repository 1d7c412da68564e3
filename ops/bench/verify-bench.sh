#!/usr/bin/env bash
# Verify benchmark: livemigrate verify (server-side chunk digests) against a naive comparison that streams every row
# of both sides into the JVM (livemigrate verify --naive), on the copy benchmark's data, same machine.
#
#   PostgreSQL:    pgbench -i -s 50 (5,000,000 accounts rows), copied with livemigrate copy
#   MariaDB/MySQL: sysbench oltp_read_write prepare, 2,000,000 rows, copied with livemigrate copy
#
# Needs what ops/bench/copy-bench.sh needs, and target/livemigrate.jar (./mvnw -q -DskipTests package).
# Usage: ops/bench/verify-bench.sh [postgres|mysql|all]   (SCALE=50 ROWS=2000000 THREADS=4 to change sizes;
# INNODB_BUFFER_POOL=2G sizes MariaDB's buffer pool for the run, see lib.sh)
# Targets (2 cores): PostgreSQL >= 1,500,000 rows/s per side, MariaDB >= 1,000,000 rows/s per side, -Xmx256m.
set -euo pipefail
cd "$(dirname "$0")/../.."
WHICH=${1:-all}
SCALE=${SCALE:-50}
ROWS=${ROWS:-2000000}
THREADS=${THREADS:-4}
PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
MYHOST=${MYHOST:-127.0.0.1} MYPORT=${MYPORT:-3306} MYUSER=${MYUSER:-root}
export PGHOST PGPORT PGUSER
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
JAVA_OPTS=${JAVA_OPTS:--Xmx256m}

source "$(dirname "$0")/lib.sh"

lm() { # log-name command... ; exit code 0 or 3 accepted for verify
  local rc=0
  (cd "$WORK" && livemigrate "${@:2}" > "$WORK/$1.log" 2>&1) || rc=$?
  if [ "$rc" -ne 0 ]; then cat "$WORK/$1.log"; echo "livemigrate ${2} exited $rc"; exit 1; fi
}

timed() { # log-name command... -> prints seconds
  local t0 t1
  t0=$(now); lm "$@"; t1=$(now)
  secs "$t0" "$t1"
}

bench() { # engine rows plan
  lm copy copy --plan "$3"
  local v n
  v=$(timed verify verify --plan "$3")
  grep -E "^verify: EQUAL" "$WORK/verify.log" > /dev/null || { cat "$WORK/verify.log"; echo "verify did not say EQUAL"; exit 1; }
  # The naive baseline is a Java loop over every row: it runs with C2, as the launcher gives copy (verify itself
  # waits on the servers and runs with C1 alone).
  n=$(LIVEMIGRATE_JIT=full timed naive verify --naive --plan "$3")
  printf '%-10s %-42s %10s rows %8.1f s %12s rows/s per side\n' "$1" "livemigrate verify ($THREADS threads, -Xmx256m)" "$2" "$v" "$(rate "$2" "$v")"
  printf '%-10s %-42s %10s rows %8.1f s %12s rows/s per side\n' "$1" "naive: stream both sides into the JVM" "$2" "$n" "$(rate "$2" "$n")"
  printf '%-10s ratio verify / naive: %.2fx (wall time includes JVM start: ~1.5 s through bin/livemigrate, ~3 s with LIVEMIGRATE_CDS=off)\n' "$1" "$(echo "$n / $v" | bc -l)"
  grep -E "^verify: EQUAL" "$WORK/verify.log"
  grep -E "^verify --naive" "$WORK/naive.log"
}

bench_postgres() {
  echo "== PostgreSQL: pgbench scale $SCALE"
  for db in lm_vbench_src lm_vbench_tgt; do dropdb --if-exists "$db"; createdb "$db"; done
  pgbench -i -q -s "$SCALE" lm_vbench_src > /dev/null 2>&1
  psql -qAt -d lm_vbench_src -c "VACUUM ANALYZE" > /dev/null
  local rows p
  rows=$(psql -qAt -d lm_vbench_src -c "SELECT (SELECT count(*) FROM pgbench_accounts)+(SELECT count(*) FROM pgbench_branches)+(SELECT count(*) FROM pgbench_tellers)")
  p=$(bench_plan pgbench_verify "jdbc:postgresql://$PGHOST:$PGPORT/lm_vbench_src" "jdbc:postgresql://$PGHOST:$PGPORT/lm_vbench_tgt" \
      '"public.pgbench_accounts", "public.pgbench_branches", "public.pgbench_tellers"' "$PGUSER")
  warm_up postgres verify
  bench PostgreSQL "$rows" "$p"
  for db in lm_vbench_src lm_vbench_tgt; do dropdb --if-exists "$db"; done
}

bench_mysql() {
  echo "== MariaDB: sysbench oltp_read_write, $ROWS rows"
  local m="mariadb -h$MYHOST -P$MYPORT -u$MYUSER" p
  with_buffer_pool "$m"
  for db in lm_vbench_src lm_vbench_tgt; do $m -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db"; done
  sysbench oltp_read_write --db-driver=mysql --mysql-host="$MYHOST" --mysql-port="$MYPORT" --mysql-user="$MYUSER" \
    --mysql-db=lm_vbench_src --tables=1 --table-size="$ROWS" prepare > /dev/null
  $m -e "ANALYZE TABLE lm_vbench_src.sbtest1" > /dev/null
  p=$(bench_plan sysbench_verify "jdbc:mysql://$MYHOST:$MYPORT/lm_vbench_src" "jdbc:mysql://$MYHOST:$MYPORT/lm_vbench_tgt" \
      '"lm_vbench_src.*"' "$MYUSER")
  warm_up mysql verify
  bench MariaDB "$ROWS" "$p"
  for db in lm_vbench_src lm_vbench_tgt; do $m -e "DROP DATABASE IF EXISTS $db"; done
}

case "$WHICH" in
  postgres) bench_postgres ;;
  mysql) bench_mysql ;;
  all) bench_postgres; bench_mysql ;;
esac
