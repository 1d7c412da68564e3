# Shared helpers of the ops/bench scripts: timing and plan files. Source it; it expects WORK and THREADS set.
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
copy: { threads: $THREADS, chunk-rows: 10000, partition-rows: 250000 }
YAML
  echo "$WORK/$1.yml"
}
