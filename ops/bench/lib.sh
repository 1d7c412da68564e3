# Shared helpers of the ops/bench scripts: timing, plan files, throwaway MariaDB servers. Source it; it expects WORK
# and THREADS set (start_mariadbd: a PIDS array, which the caller's cleanup kills).
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l; }
rate() { printf '%.0f' "$(echo "$1 / $2" | bc -l)"; }

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
