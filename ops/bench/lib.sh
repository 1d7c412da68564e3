# Shared helpers of the ops/bench scripts: timing, plan files, throwaway MariaDB servers. Source it; it expects WORK
# and THREADS set (start_mariadbd: a PIDS array, which the caller's cleanup kills).
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }
rate() { printf '%.0f' "$(echo "$1 / $2" | bc -l)"; }

# How the benchmarks start livemigrate: bin/livemigrate, the launcher an operator uses (class-data sharing, so each
# command starts about 1.3 s sooner; LIVEMIGRATE_CDS=off runs plain `java -jar`), with the script's JAVA_OPTS.
# LIVEMIGRATE_JAR=<jar> benchmarks another build; LM_CP=<class path> runs a class path instead.
LM_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
lm_argv() {
  if [[ -n "${LM_CP:-}" ]]; then LM_ARGV=(java ${JAVA_OPTS:-} -cp "$LM_CP" io.livemigrate.cli.Main)
  else LM_ARGV=(env JAVA_OPTS="${JAVA_OPTS:-}" "$LM_HOME/bin/livemigrate"); fi
}
livemigrate() { lm_argv; "${LM_ARGV[@]}" "$@"; }
# As livemigrate, replacing the calling (sub)shell, so its pid is the JVM's (the launcher execs java once it has an
# archive for the command).
exec_livemigrate() { lm_argv; exec "${LM_ARGV[@]}" "$@"; }

# bench_plan <name> <source-url> <target-url> <include-patterns> <user>: writes $WORK/<name>.yml, prints its path.
# include-patterns is the inside of a YAML flow list, e.g. '"public.a", "public.b"'.
bench_plan() {
  cat > "$WORK/$1.yml" <<YAML
name: $1
source: { url: "$2", user: "$5" }
target: { url: "$3", user: "$5" }
tables: { include: [$4] }
copy: { threads: $THREADS, partition-rows: 250000 }
YAML
  echo "$WORK/$1.yml"
}

# free_port: a TCP port nobody listens on now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_mariadbd <dir> <port> <server-id> [mariadbd args...]: a throwaway MariaDB server with its data in <dir>,
# root over TCP without a password, started in the background (its pid appended to PIDS); returns once it answers.
start_mariadbd() {
  local dir=$1 port=$2 id=$3; shift 3
  mkdir -p "$dir"
  mariadb-install-db --no-defaults --user="$(whoami)" --datadir="$dir/data" --auth-root-authentication-method=normal \
    > "$dir/install.log" 2>&1
  /usr/sbin/mariadbd --no-defaults --user="$(whoami)" --datadir="$dir/data" --port="$port" --bind-address=127.0.0.1 \
    --socket="$dir/sock" --pid-file="$dir/pid" --server-id="$id" --skip-name-resolve \
    --innodb-buffer-pool-size=512M --innodb-flush-log-at-trx-commit=2 --sync-binlog=0 --max-connections=200 \
    --default-time-zone=+00:00 "$@" > "$dir/err.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 60); do
    mariadb -h127.0.0.1 -P"$port" -uroot -e "SELECT 1" > /dev/null 2>&1 && break
    sleep 0.5
  done
  mariadb -h127.0.0.1 -P"$port" -uroot -e "SET sql_log_bin=0; CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';
    GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION" 2>/dev/null || true
}

# warm_up <postgres|mysql> [verify]: copies (and verifies) a 1,000-row table between two scratch databases, untimed,
# so the timed runs start from the launcher's class-data archive of each command as every run after a machine's
# first does. Needs WORK and the PG*/MY* connection variables of the calling script.
warm_up() {
  local engine=$1 plan src dst
  shift
  case "$engine" in
    postgres)
      for db in lm_bench_warm_src lm_bench_warm_dst; do dropdb --if-exists "$db"; createdb "$db"; done
      psql -qAt -d lm_bench_warm_src -c "CREATE TABLE t (id int PRIMARY KEY, v text)" \
        -c "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 1000) g" > /dev/null
      src="jdbc:postgresql://$PGHOST:$PGPORT/lm_bench_warm_src" dst="jdbc:postgresql://$PGHOST:$PGPORT/lm_bench_warm_dst"
      plan=$(bench_plan warmup "$src" "$dst" '"public.t"' "$PGUSER") ;;
    mysql)
      local m="mariadb -h$MYHOST -P$MYPORT -u$MYUSER"
      $m -e "DROP DATABASE IF EXISTS lm_bench_warm_src; DROP DATABASE IF EXISTS lm_bench_warm_dst;
             CREATE DATABASE lm_bench_warm_src; CREATE DATABASE lm_bench_warm_dst;
             CREATE TABLE lm_bench_warm_src.t (id int PRIMARY KEY, v varchar(40));
             USE lm_bench_warm_src; INSERT INTO t SELECT seq, md5(seq) FROM seq_1_to_1000"
      src="jdbc:mysql://$MYHOST:$MYPORT/lm_bench_warm_src" dst="jdbc:mysql://$MYHOST:$MYPORT/lm_bench_warm_dst"
      plan=$(bench_plan warmup "$src" "$dst" '"lm_bench_warm_src.*"' "$MYUSER") ;;
  esac
  (cd "$WORK" && livemigrate copy --plan "$plan" && for c in "$@"; do livemigrate "$c" --plan "$plan" || exit 1; done) \
    > "$WORK/warm-up.log" 2>&1 || { cat "$WORK/warm-up.log"; echo "warm-up failed"; exit 1; }
  rm -rf "$WORK/.livemigrate"
  case "$engine" in
    postgres)
      psql -qAt -d lm_bench_warm_src -c "SELECT pg_drop_replication_slot('livemigrate_warmup')" > /dev/null
      for db in lm_bench_warm_src lm_bench_warm_dst; do dropdb --if-exists "$db"; done ;;
    mysql) mariadb -h"$MYHOST" -P"$MYPORT" -u"$MYUSER" -e "DROP DATABASE lm_bench_warm_src; DROP DATABASE lm_bench_warm_dst" ;;
  esac
}

# with_buffer_pool <mariadb-command>: when INNODB_BUFFER_POOL is set (e.g. 2G), sets the server's
# innodb_buffer_pool_size to it for the rest of the run and puts the old size back when the script exits.
# Debian's default is 128 MB: a 2,000,000-row sysbench table (430 MB) then streams through the buffer pool on every
# scan, so each side's plain scan took 1.5 s instead of 0.55 s with the table held in memory.
with_buffer_pool() {
  [[ -n "${INNODB_BUFFER_POOL:-}" ]] || return 0
  local m=$1 old
  old=$($m -N -e "SELECT @@GLOBAL.innodb_buffer_pool_size")
  trap "$m -e 'SET GLOBAL innodb_buffer_pool_size = $old' || true; rm -rf \"\$WORK\"" EXIT
  $m -e "SET GLOBAL innodb_buffer_pool_size = $(numfmt --from=iec "$INNODB_BUFFER_POOL")"
  # The resize runs in the background; wait until the server reports the new size.
  for _ in $(seq 1 60); do
    [[ $($m -N -e "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_resize_status'" | cut -f2) != *ing* ]] && break
    sleep 0.5
  done
  echo "   innodb_buffer_pool_size: $($m -N -e "SELECT @@GLOBAL.innodb_buffer_pool_size") (was $old)"
}

# Shared by the cutover benchmarks (PostgreSQL and MariaDB): one switch's figures read from its command's log, and
# the summary over all switches. switch_figures <log>: sets HELD_MS (fence to unfence) and RECHECKED (step 4's
# "N of M", or empty when re-verification was off).
switch_figures() {
  HELD_MS=$(sed -n 's/.*writes were held \([0-9]*\) ms.*/\1/p' "$1" | tail -1)
  RECHECKED=$(sed -n 's/.*4\/9 re-verif[a-z]* \(partial: \)\{0,1\}\([0-9]*\) of \([0-9]*\) key.*/\2 of \3/p' "$1" | tail -1)
}

# switch_summary <target-ms> <worst-latency-ms> <held-ms>...: p50 and max of the writes held, the worst latency,
# and each switch's steps and pause phases from the cutover-*.log and revert-*.log files under $WORK.
switch_summary() {
  local target=$1 worst=$2 log
  shift 2
  echo "   writes held over $# switches: p50 $(printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }') ms, max $(printf '%s\n' "$@" | sort -n | tail -1) ms (target $target ms)"
  echo "   worst latency over all switches: $worst ms"
  echo "   steps and pause phases of each switch (ms; 2 to 8 are inside the pause, prepare before it):"
  for log in "$WORK"/cutover-*.log "$WORK"/revert-*.log; do
    [[ -f $log ]] || continue
    printf '   %-10s' "$(basename "$log" .log)"
    awk '/^ +([0-9]-)?[0-9a-z-]+ +([A-Z]+ +)?[0-9]+ ms$/ { printf " %s %s", $1, ($2 ~ /^[0-9]+$/ ? $2 : $3) } END { print "" }' "$log"
  done
}

# start_postgres <dir> <port> [postgres -c settings...]: a throwaway PostgreSQL cluster from the system's binaries
# (PG_BIN, default the newest /usr/lib/postgresql/*/bin) with its data in <dir>, trust auth over TCP on 127.0.0.1,
# superuser postgres, wal_level=logical; run as the postgres user when the script runs as root (the server refuses
# root). Returns once it answers; stop_postgres <dir> (the caller's cleanup) stops it.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
as_postgres() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
start_postgres() {
  local dir=$1 port=$2 opts="" s
  shift 2
  mkdir -p "$dir"
  [[ $(id -u) == 0 ]] && chown postgres "$dir"
  as_postgres "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C > "$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log"; return 1; }
  for s in "$@"; do opts+=" -c $s"; done
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c wal_level=logical -c max_connections=200 $opts" start \
    > /dev/null || { cat "$dir/server.log"; return 1; }
}
stop_postgres() { [[ -f "$1/data/postmaster.pid" ]] && as_postgres "$PG_BIN/pg_ctl" -D "$1/data" -m fast -w stop > /dev/null 2>&1 || true; }
# postgres_pid <dir>: the postmaster's pid
postgres_pid() { head -1 "$1/data/postmaster.pid"; }

# cpu_start <server-pid> / cpu_stop: the server's CPU seconds over a phase (ops/bench/server-cpu.py); cpu_stop
# prints the sampler's lines (total first, then per kind of process).
cpu_start() { python3 "$LM_HOME/ops/bench/server-cpu.py" "$1" > "$WORK/cpu.$$" & CPU_SAMPLER=$!; sleep 0.3; }
# cpu_stop must run in the shell that ran cpu_start (not in $(...)): it waits for the sampler to print.
cpu_stop() { kill -INT "$CPU_SAMPLER"; wait "$CPU_SAMPLER" || true; cat "$WORK/cpu.$$"; rm -f "$WORK/cpu.$$"; }
# cpu_line < cpu_stop's output: one line, "total T (walsender W, backend B, ...)".
cpu_line() { awk '$1 == "total" { t = $2; next } { k = k (k ? ", " : "") $1 " " $2 } END { printf "%s (%s)", t, k }'; }

# timed_rehearsal LOG: one untimed warm-up rehearsal of 1% of LOG, then a timed full rehearsal with $SESSIONS
# sessions while catch-up runs, the source server's ($SRC_PID) CPU sampled around it. Sets RC, RH_S (wall seconds),
# RH_CPU (source CPU seconds), SUMMARY (the report's last line), REPLAYED and JOB_S (statements replayed and the job's
# seconds, from that line). Needs lm, cpu_start/cpu_stop, now/secs and $WORK.
timed_rehearsal() {
  # One untimed rehearsal of 1% of the log: its command's first run writes the launcher's class-data archive, which
  # the timed run then starts from, as every run after a machine's first does.
  lm rehearse --log "$1" --sample 1% --sessions "$SESSIONS" > "$WORK/rehearse-warm.log" 2>&1 || true

  echo "== rehearse --sessions $SESSIONS, catch-up running (every read compared at a matched position)"
  cpu_start "$SRC_PID"
  t0=$(now)
  RC=0
  { TIMEFORMAT='%U %S'; time lm rehearse --log "$1" --sessions "$SESSIONS" --show 5 > "$WORK/rehearse.log" 2>&1 || RC=$?; } 2> "$WORK/rehearse.time"
  t1=$(now)
  cpu_stop > "$WORK/cpu-rehearse.txt"
  [[ $RC == 0 || $RC == 3 ]] || { cat "$WORK/rehearse.log"; echo "rehearse exited $RC"; exit 1; }
  RH_S=$(secs "$t0" "$t1")
  RH_CPU=$(awk '$1 == "total" {print $2}' "$WORK/cpu-rehearse.txt")
  SUMMARY=$(grep -E '^rehearse: (CLEAN|DIFFERENCES|NO DIFFERENCES)' "$WORK/rehearse.log" | tail -1)
  REPLAYED=$(sed -n 's/.* \([0-9,]*\) replayed in this run in \([0-9.]*\) s.*/\1/p' <<< "$SUMMARY" | tr -d ,)
  JOB_S=$(sed -n 's/.* replayed in this run in \([0-9.]*\) s.*/\1/p' <<< "$SUMMARY")
  echo "   $SUMMARY (exit $RC)"
  [[ $RC == 0 ]] || sed -n '/^#/,/^rehearse: [0-9]/p' "$WORK/rehearse.log" | head -20 | sed 's/^/   /'
}

# server_cpu <dir>: CPU seconds the server in <dir> has used so far, as "sessions background". Sessions are its
# backends, walsenders and workers: live ones from /proc, ended ones from the postmaster's cutime/cstime (it reaps
# them); background is the postmaster itself, checkpointer, background writer, walwriter and launchers. Take the
# difference of two readings.
server_cpu() {
  python3 - "$(head -1 "$1/data/postmaster.pid")" <<'PY'
import os, sys
pm = sys.argv[1]
tick = os.sysconf('SC_CLK_TCK')
def stat(pid):
    with open(f'/proc/{pid}/stat') as f:
        rest = f.read().rsplit(')', 1)[1].split()
    return rest[1], [int(x) for x in rest[11:15]]  # ppid; utime, stime, cutime, cstime
BACKGROUND = ('checkpointer', 'background writer', 'walwriter', 'autovacuum launcher', 'logical replication launcher',
              'archiver', 'logger', 'stats collector')
_, t = stat(pm)
background, sessions = t[0] + t[1], t[2] + t[3]
for pid in filter(str.isdigit, os.listdir('/proc')):
    try:
        ppid, t = stat(pid)
        if ppid != pm:
            continue
        with open(f'/proc/{pid}/cmdline', 'rb') as f:
            title = f.read().decode(errors='replace')
    except OSError:
        continue
    if any(title.startswith('postgres: ' + b) for b in BACKGROUND):
        background += t[0] + t[1]
    else:
        sessions += t[0] + t[1]
print(f'{sessions / tick:.2f} {background / tick:.2f}')
PY
}


# disk_written: MB written to the machine's disks so far (all processes; whole disks from /proc/diskstats).
disk_written() { awk '$3 ~ /^(sd[a-z]+|vd[a-z]+|xvd[a-z]+|nvme[0-9]+n[0-9]+)$/ { s += $10 } END { printf "%.0f", s * 512 / 1e6 }' /proc/diskstats; }
# wal_written <psql args...>: MB of WAL the server has written so far (pg_stat_wal, PostgreSQL 14+).
wal_written() { psql -qAt "$@" -d postgres -c "SELECT round(wal_bytes / 1e6) FROM pg_stat_wal"; }

# use_plan <plan>: the benchmark's job repository (an H2 file in $WORK that its commands share while catch-up runs)
# and lm <command> [args]: livemigrate run on that plan and repository from $WORK.
use_plan() {
  PLAN=$1
  REPO="jdbc:h2:file:$WORK/repo;AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE"
  lm() { (cd "$WORK" && livemigrate "$@" --plan "$PLAN" --repository "$REPO"); }
}

# start_catchup: the plan's catch-up in the background (CATCHUP_PID), logging to $WORK/catchup.log; returns once it
# streams. Until then no other command may open the H2 repository: the first process to open the file serves it to
# the others, and a short-lived command (status) serving it would take catch-up's repository session with it when it
# exits (catch-up then stops with "Database is already closed"; see ops/RUNBOOK.md).
start_catchup() {
  (cd "$WORK" && exec_livemigrate catchup --plan "$PLAN" --repository "$REPO" > "$WORK/catchup.log" 2>&1) &
  CATCHUP_PID=$!
  until grep -qs "streaming changes" "$WORK/catchup.log"; do
    kill -0 "$CATCHUP_PID" 2> /dev/null || { cat "$WORK/catchup.log"; exit 1; }
    sleep 0.2
  done
}

# await_caught_up: until the plan's catch-up reports a lag under 1 s (`status --json`), at most 120 s.
await_caught_up() {
  local deadline=$((SECONDS + 120)) lag=99
  while (( SECONDS < deadline )); do
    lag=$(lm status --json 2>/dev/null | python3 -c 'import json,sys; c=json.load(sys.stdin).get("catchup") or {}; print(c.get("lagSeconds") if c.get("status")=="STARTED" and c.get("lagSeconds") is not None else 99)' 2>/dev/null || echo 99)
    (( $(echo "$lag < 1" | bc -l) )) && return 0
    sleep 0.5
  done
  echo "catch-up did not catch up within 120 s (lag $lag)"; exit 1
}

# print_rate <label> <statements> <seconds>: one line of a rehearsal benchmark's results.
print_rate() { printf '   %-52s %7s stmts %7.1f s %8.0f stmts/s\n' "$1" "$2" "$3" "$(echo "$2 / $3" | bc -l)"; }
# print_cpu <label> <cpu seconds> <seconds> <statements>: a process's CPU over a phase, per second and per statement.
print_cpu() {
  printf '     %-50s %6.2f CPU-s over %5.1f s = %.2f cores; %.3f CPU-ms per statement\n' \
    "$1" "$2" "$3" "$(echo "$2 / $3" | bc -l)" "$(echo "1000 * $2 / $4" | bc -l)"
}
