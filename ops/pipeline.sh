#!/usr/bin/env bash
# The migration pipeline's stages, one command each: the Jenkinsfile runs `ops/pipeline.sh <stage>` in order, and
# PipelineStagesTest runs the same stages in the Jenkinsfile's order against real servers, so the two cannot drift.
#
#   check, copy, verify            the commands of the same name (each resumes when run again)
#   catchup                        starts forward catch-up in the background (unless it runs already) and returns
#                                  once its lag is under MAX_LAG; it keeps running across verify (which rechecks rows
#                                  in flux while it does), approval and cutover
#   status                         the migration's status (before the approval)
#   cutover                        cutover (its step 9 stops the forward catch-up); waits until that process ended
#   reverse-stream                 starts `catchup --reverse` in the background, the way back; returns once caught up
#   verify-after-cutover           verify --reverse: the new primary against the old one, while the reverse stream runs
#   complete                       stops the reverse stream, then complete (drops slots and state tables)
#   revert                         revert (its step 9 stops the reverse stream), then the forward catch-up again
#
# Environment: PLAN (plan file, required), REPOSITORY (job repository JDBC URL; empty: the default), MAX_LAG (1s),
# LM (the livemigrate command, default bin/livemigrate), STATE_DIR (where background catch-ups keep their pid and
# log files, default reports/). Exit codes are livemigrate's (0 ok, 1 job failed: run the stage again, 2 bad input,
# 3 differences); a background catch-up that dies or does not catch up within CATCHUP_WAIT seconds (600) is 1.
set -euo pipefail

stage=${1:?usage: ops/pipeline.sh <stage>}
: "${PLAN:?PLAN must name the plan file}"
LM=${LM:-bin/livemigrate}
MAX_LAG=${MAX_LAG:-1s}
STATE_DIR=${STATE_DIR:-reports}
CATCHUP_WAIT=${CATCHUP_WAIT:-600}
mkdir -p "$STATE_DIR"
read -r -a lm <<< "$LM"
repo=()
[[ -n "${REPOSITORY:-}" ]] && repo=(--repository "$REPOSITORY")

run() { "${lm[@]}" "$1" --plan "$PLAN" "${repo[@]}" "${@:2}"; }

# Jenkins ends every process a build step started when the step ends, unless the process carries this cookie.
export JENKINS_NODE_COOKIE=dontKillMe BUILD_ID=dontKillMe

# lag_under <max seconds> [--reverse]: whether the running catch-up's lag, as the job repository shows it, is under it.
lag_under() {
  local max=$1; shift
  run status "$@" --json 2> /dev/null | python3 -c '
import json, sys
c = json.load(sys.stdin).get("catchup") or {}
lag = c.get("lagSeconds")
sys.exit(0 if c.get("status") == "STARTED" and lag is not None and 0 <= lag < float(sys.argv[1]) else 1)' "$max"
}

seconds() { # 500ms, 1s, 2m -> seconds
  case $1 in *ms) awk -v v="${1%ms}" 'BEGIN { print v / 1000 }' ;; *s) echo "${1%s}" ;; *m) echo "$(( ${1%m} * 60 ))" ;; *) echo "$1" ;; esac
}

# start_catchup <name> [--reverse]: a background catch-up owned by the pipeline, its pid in STATE_DIR/<name>.pid.
start_catchup() {
  local name=$1; shift
  local pidfile=$STATE_DIR/$name.pid
  if [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2> /dev/null; then
    echo "$name: already running (pid $(cat "$pidfile"))"
  else
    nohup "${lm[@]}" catchup --plan "$PLAN" "${repo[@]}" "$@" >> "$STATE_DIR/$name.log" 2>&1 &
    echo $! > "$pidfile"
    echo "$name: started (pid $!, log $STATE_DIR/$name.log)"
  fi
  local deadline=$((SECONDS + CATCHUP_WAIT)) max
  max=$(seconds "$MAX_LAG")
  until lag_under "$max" "$@"; do
    if ! kill -0 "$(cat "$pidfile")" 2> /dev/null; then
      echo "$name: the catch-up process ended; its log:" >&2
      tail -20 "$STATE_DIR/$name.log" >&2
      exit 1
    fi
    if (( SECONDS > deadline )); then
      echo "$name: lag not under $MAX_LAG within $CATCHUP_WAIT s; it keeps running (see $STATE_DIR/$name.log)" >&2
      exit 1
    fi
    sleep 1
  done
  echo "$name: lag under $MAX_LAG"
}

# await_end <name>: waits (60 s) for a background catch-up a cutover's step 9 stopped.
await_end() {
  local pidfile=$STATE_DIR/$1.pid
  [[ -f $pidfile ]] || return 0
  local pid deadline=$((SECONDS + 60))
  pid=$(cat "$pidfile")
  while kill -0 "$pid" 2> /dev/null; do
    (( SECONDS > deadline )) && { echo "$1 (pid $pid) still runs 60 s after the switch stopped it" >&2; exit 1; }
    sleep 0.5
  done
  rm -f "$pidfile"
}

stop_catchup() {
  local pidfile=$STATE_DIR/$1.pid
  [[ -f $pidfile ]] || return 0
  kill "$(cat "$pidfile")" 2> /dev/null || true # SIGTERM: catch-up stops cleanly, its position recorded
  await_end "$1"
}

case $stage in
  check | copy | verify | status) run "$stage" ;;
  catchup) start_catchup catchup ;;
  cutover) run cutover && await_end catchup ;;
  reverse-stream) start_catchup catchup-reverse --reverse ;;
  verify-after-cutover) run verify --reverse ;;
  complete) stop_catchup catchup-reverse && run complete ;;
  revert) run revert && await_end catchup-reverse && start_catchup catchup ;;
  *) echo "unknown stage '$stage': one of check copy verify catchup status cutover reverse-stream verify-after-cutover complete revert" >&2
     exit 2 ;;
esac
