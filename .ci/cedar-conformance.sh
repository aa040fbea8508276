#!/usr/bin/env bash
# Cedar's conformance suite through Tenet's production decision path (`tenet cedar-test`: compiled as activation
# compiles, decided by the PDP over an entity source it follows): the hand-written integration tests and
# every request of the generated corpus, from a checkout of cedar-integration-tests beside the repository (the corpus is unpacked to a
# temporary folder, never into the repository). Prints one "N passed, N failed" line; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
suite="${CEDAR_INTEGRATION_TESTS:-../shared/cedar-integration-tests}"
test -d "$suite/tests" || { echo "cedar-conformance: no Cedar integration tests at $suite"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$suite/corpus-tests.tar.gz" -C "$tmp"

run() { # $1: label, $2: suite root, $3: folder of test files -> JSON summary in $tmp/$1.json
  set +e
  node engine/bin/tenet.mjs cedar-test "$3" --root "$2" --format json > "$tmp/$1.json"
  local code=$?
  set -e
  node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const r of s.results.filter((r) => !r.ok).slice(0, 50)) console.log(`  FAIL ${r.test} #${r.index}: ${r.decision} ${JSON.stringify(r.reasons)} (Cedar: ${JSON.stringify(r.expected)})${r.failure ? " " + r.failure : ""}`);
    for (const r of s.results.filter((r) => r.deviation)) console.log(`  DEVIATION (a forbid that errors denies) ${r.test} #${r.index}: Tenet denies, Cedar allows ${JSON.stringify(r.expected.reasons)}; erring forbids ${JSON.stringify(r.errors)}`);
    console.log(`${process.argv[2]}: ${s.tests} tests, ${s.requests} requests: ${s.passed} passed, ${s.failed} failed (${s.deviations} of the passed by the documented fail-closed rule; ${s.minorDifferences} with other deny reasons or error ids)`);
  ' "$tmp/$1.json" "$1" || code=1
  return $code
}

started=$(date +%s)
status=0
run hand-written "$suite" "$suite/tests" || status=1
run corpus "$tmp" "$tmp/corpus-tests" || status=1
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0;
  for (const f of process.argv.slice(1)) { try { const s = JSON.parse(fs.readFileSync(f, "utf8")); passed += s.passed; failed += s.failed; } catch { failed += 1; } }
  console.log(`cedar-conformance: ${passed} passed, ${failed} failed`);
' "$tmp/hand-written.json" "$tmp/corpus.json"
echo "cedar conformance took $(( $(date +%s) - started )) s"
exit $status
