#!/usr/bin/env bash
# Copy benchmark: livemigrate copy against the tools a user would otherwise pick, on the same data, same machine.
#
#   PostgreSQL:    pgbench -i -s 50 (5,000,000 accounts rows)  vs  pg_dump --data-only | psql
#   MariaDB/MySQL: sysbench oltp_read_write prepare, 2,000,000 rows  vs  mariadb-dump --no-create-info | mariadb
#
# Needs: a PostgreSQL server (PGHOST/PGPORT/PGUSER, default 127.0.0.1:5432 postgres, trust auth), a MariaDB server
# (MYHOST/MYPORT/MYUSER, default 127.0.0.1:3306 root, no password), pgbench, pg_dump, psql, sysbench, mariadb,
# mariadb-dump, and target/livemigrate.jar (./mvnw -q -DskipTests package).
# Usage: ops/bench/copy-bench.sh [postgres|mysql|all]   (SCALE=50 ROWS=2000000 THREADS=4 to change sizes;
# INNODB_BUFFER_POOL=2G sizes MariaDB's buffer pool for the run, see lib.sh;
# THREADS defaults to copy.threads' default, 4)
# Both sides use their normal mode: the dump tools load into a schema created beforehand from --schema-only/
# --no-data; livemigrate creates the target tables itself and builds secondary indexes after the data.
set -euo pipefail
cd "$(dirname "$0")/../.."
WHICH=${1:-all}
SCALE=${SCALE:-50}
ROWS=${ROWS:-2000000}
THREADS=${THREADS:-4}  # the plan default (copy.threads)
PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
MYHOST=${MYHOST:-127.0.0.1} MYPORT=${MYPORT:-3306} MYUSER=${MYUSER:-root}
export PGHOST PGPORT PGUSER
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
JAVA_OPTS=${JAVA_OPTS:--Xmx256m}

source "$(dirname "$0")/lib.sh"

livemigrate_copy() { # plan-file -> prints seconds; peak heap is bounded by -Xmx256m (the run fails if it needs more)
  local t0 t1
  t0=$(now)
  (cd "$WORK" && livemigrate copy --plan "$1" > "$WORK/lm.log" 2>&1) || { cat "$WORK/lm.log"; exit 1; }
  t1=$(now)
  secs "$t0" "$t1"
}

bench_postgres() {
  echo "== PostgreSQL: pgbench scale $SCALE"
  for db in lm_bench_src lm_bench_dump lm_bench_lm; do dropdb --if-exists "$db"; createdb "$db"; done
  pgbench -i -q -s "$SCALE" lm_bench_src > /dev/null 2>&1
  psql -qAt -d lm_bench_src -c "VACUUM ANALYZE" > /dev/null
  local rows
  rows=$(psql -qAt -d lm_bench_src -c "SELECT (SELECT count(*) FROM pgbench_accounts)+(SELECT count(*) FROM pgbench_branches)+(SELECT count(*) FROM pgbench_tellers)+(SELECT count(*) FROM pgbench_history)")
  pg_dump --schema-only lm_bench_src | psql -q -d lm_bench_dump > /dev/null
  warm_up postgres
  local t0 t1 dump lm
  # Each timed load starts after a checkpoint, so neither pays for flushing what ran before it.
  psql -qAt -c "CHECKPOINT" > /dev/null
  t0=$(now); pg_dump --data-only lm_bench_src | psql -q -d lm_bench_dump > /dev/null; t1=$(now)
  dump=$(secs "$t0" "$t1")
  psql -qAt -c "CHECKPOINT" > /dev/null
  lm=$(livemigrate_copy "$(bench_plan pgbench "jdbc:postgresql://$PGHOST:$PGPORT/lm_bench_src" \
        "jdbc:postgresql://$PGHOST:$PGPORT/lm_bench_lm" '"public.pgbench_accounts", "public.pgbench_branches", "public.pgbench_tellers"' "$PGUSER")")
  local same
  same=$(psql -qAt -d lm_bench_lm -c "SELECT count(*) FROM pgbench_accounts")
  report "PostgreSQL" "pg_dump --data-only | psql" "$rows" "$dump" "$lm"
  [ "$same" = "$(psql -qAt -d lm_bench_src -c 'SELECT count(*) FROM pgbench_accounts')" ] || { echo "row count mismatch"; exit 1; }
  for db in lm_bench_src lm_bench_dump lm_bench_lm; do dropdb --if-exists "$db"; done
}

bench_mysql() {
  echo "== MariaDB: sysbench oltp_read_write, $ROWS rows"
  local m="mariadb -h$MYHOST -P$MYPORT -u$MYUSER"
  with_buffer_pool "$m"
  for db in lm_bench_src lm_bench_dump lm_bench_lm; do $m -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db"; done
  sysbench oltp_read_write --db-driver=mysql --mysql-host="$MYHOST" --mysql-port="$MYPORT" --mysql-user="$MYUSER" \
    --mysql-db=lm_bench_src --tables=1 --table-size="$ROWS" prepare > /dev/null
  $m -e "ANALYZE TABLE lm_bench_src.sbtest1" > /dev/null
  mariadb-dump -h"$MYHOST" -P"$MYPORT" -u"$MYUSER" --no-data lm_bench_src | $m lm_bench_dump
  warm_up mysql
  local t0 t1 dump lm
  # As for PostgreSQL, each timed load starts with no dirty pages left from what ran before it.
  flush_dirty_pages "$m"
  t0=$(now); mariadb-dump -h"$MYHOST" -P"$MYPORT" -u"$MYUSER" --no-create-info lm_bench_src | $m lm_bench_dump; t1=$(now)
  dump=$(secs "$t0" "$t1")
  flush_dirty_pages "$m"
  lm=$(livemigrate_copy "$(bench_plan sysbench "jdbc:mysql://$MYHOST:$MYPORT/lm_bench_src" \
        "jdbc:mysql://$MYHOST:$MYPORT/lm_bench_lm" '"lm_bench_src.*"' "$MYUSER")")
  report "MariaDB" "mariadb-dump | mariadb" "$ROWS" "$dump" "$lm"
  [ "$($m -N -e 'SELECT count(*) FROM lm_bench_lm.sbtest1')" = "$ROWS" ] || { echo "row count mismatch"; exit 1; }
  for db in lm_bench_src lm_bench_dump lm_bench_lm; do $m -e "DROP DATABASE IF EXISTS $db"; done
}

flush_dirty_pages() { # mariadb-command: InnoDB's equivalent of a checkpoint, waited for (at most 120 s)
  local pct
  pct=$($1 -N -e "SELECT @@GLOBAL.innodb_max_dirty_pages_pct")
  $1 -e "SET GLOBAL innodb_max_dirty_pages_pct = 0"
  for _ in $(seq 1 240); do
    [ "$($1 -N -e "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'" | awk '{print $2}')" -lt 100 ] && break
    sleep 0.5
  done
  $1 -e "SET GLOBAL innodb_max_dirty_pages_pct = $pct"
}

report() { # engine baseline-name rows baseline-secs livemigrate-secs
  printf '%-10s %-30s %10s rows %8.1f s %12s rows/s\n' "$1" "$2" "$3" "$4" "$(rate "$3" "$4")"
  printf '%-10s %-30s %10s rows %8.1f s %12s rows/s\n' "$1" "livemigrate copy ($THREADS threads)" "$3" "$5" "$(rate "$3" "$5")"
  printf '%-10s ratio livemigrate / baseline: %.2fx\n' "$1" "$(echo "$4 / $5" | bc -l)"
}

case "$WHICH" in
  postgres) bench_postgres ;;
  mysql) bench_mysql ;;
  all) bench_postgres; bench_mysql ;;
esac
