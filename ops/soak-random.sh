#!/usr/bin/env bash
# Soak test: runs the randomized schema-and-workload test (RandomSchemaWorkloadTest) over many seeds on both engines,
# against the embedded servers, and prints which seeds ran and which failed. A failing seed belongs in the test's
# REGRESSIONS list once its defect is fixed; record each soak's seed range and result in docs/benchmarks.md.
#
#   ops/soak-random.sh 50          # seeds 1..50
#   ops/soak-random.sh 200 101     # seeds 101..300
#   APPLY_THREADS=4 ops/soak-random.sh 50   # catch-up with 4 apply connections only (default: 1 and 4)
set -euo pipefail
count=${1:?usage: ops/soak-random.sh <seed count> [first seed]}
first=${2:-1}
last=$((first + count - 1))
cd "$(dirname "$0")/.."
echo "soak: seeds $first-$last on PostgreSQL and MariaDB ($(date -u +%FT%TZ), $(git rev-parse --short HEAD))"
status=0
./mvnw -q -B test -Dtest=RandomSchemaWorkloadTest -Dlivemigrate.random.seeds="$first-$last" \
  -Dlivemigrate.random.apply-threads="${APPLY_THREADS:-1,4}" \
  -Dsurefire.failIfNoSpecifiedTests=false || status=$?
report=target/surefire-reports/TEST-io.livemigrate.randomized.RandomSchemaWorkloadTest.xml
if [[ -f "$report" ]]; then
  grep -o 'testcase name="[^"]*"' "$report" | wc -l | xargs echo "soak: cases run:"
  python3 - "$report" <<'PY'
import sys, xml.etree.ElementTree as ET
failed = [c.get('name') for c in ET.parse(sys.argv[1]).getroot().iter('testcase')
          if c.find('failure') is not None or c.find('error') is not None]
print("soak: failed:", ", ".join(failed) if failed else "none")
PY
fi
exit $status
