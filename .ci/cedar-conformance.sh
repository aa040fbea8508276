#!/usr/bin/env bash
# Cedar's conformance suite through Tenet's evaluator (`tenet cedar-test`): the hand-written integration tests and
# every request of the generated corpus, from ../shared/cedar-integration-tests (the corpus is unpacked to a
# temporary folder, never into the repository). Prints one "N passed, N failed" line; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
suite="${CEDAR_INTEGRATION_TESTS:-../shared/cedar-integration-tests}"
test -d "$suite/tests" || { echo "cedar-conformance: no Cedar integration tests at $suite"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

tar -xzf "$suite/corpus-tests.tar.gz" -C "$tmp"
# The test files are the *.json beside the policies, schemas and *.entities.json they name.
find "$suite/tests" -name '*.json' ! -name '*.entities.json' | sort > "$tmp/hand.txt"
find "$tmp/corpus-tests" -name '*.json' ! -name '*.entities.json' | sort > "$tmp/corpus.txt"

run() { # $1: label, $2: suite root, $3: list of test files -> JSON summary in $tmp/$1.json
  set +e
  xargs -a "$3" node engine/bin/tenet.mjs cedar-test --root "$2" --format json > "$tmp/$1.json"
  local code=$?
  set -e
  # xargs splits long lists over several runs: the summaries are concatenated JSON lines, added up below.
  node -e '
    const fs = require("fs");
    const lines = fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const sum = (k) => lines.reduce((a, l) => a + l[k], 0);
    const failed = lines.flatMap((l) => l.results.filter((r) => !r.ok));
    for (const r of failed.slice(0, 50)) console.log(`  FAIL ${r.test} #${r.index}: ${r.decision} ${JSON.stringify(r.reasons)} (Cedar: ${JSON.stringify(r.expected)})${r.failure ? " " + r.failure : ""}`);
    console.log(`${process.argv[2]}: ${sum("tests")} tests, ${sum("requests")} requests: ${sum("passed")} passed, ${sum("failed")} failed (${sum("minorDifferences")} with other deny reasons or error ids)`);
  ' "$tmp/$1.json" "$1"
  return $code
}

started=$(date +%s)
status=0
run hand-written "$suite" "$tmp/hand.txt" || status=1
run corpus "$tmp" "$tmp/corpus.txt" || status=1
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0;
  for (const f of process.argv.slice(1)) for (const l of fs.readFileSync(f, "utf8").split("\n").filter(Boolean)) { const s = JSON.parse(l); passed += s.passed; failed += s.failed; }
  console.log(`cedar conformance: ${passed} passed, ${failed} failed`);
' "$tmp/hand-written.json" "$tmp/corpus.json"
echo "cedar conformance took $(( $(date +%s) - started )) s"
exit $status
