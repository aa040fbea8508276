#!/usr/bin/env bash
# The install bar, on a clone of this commit in a temporary folder:
#  1. a fresh machine without a system Chromium: `npm ci`, then the browser pre-flight and a console end-to-end
#     test with /usr/bin/chromium hidden (Chromium comes from the @sparticuz/chromium npm package);
#  2. production: `npm ci --omit=dev` over that build (no vite, tsx or typescript installed), then `tenet scan-logs`
#     scans in its worker threads and `npx tenet serve` answers /healthz;
#  3. start-up, measured against its bars: every CLI command against 0.5 s from process start to its own argument
#     check (best of 3 runs of `tenet <command> --no-such-option`), and `tenet serve` to /healthz on an existing data
#     directory against 3 s (best of 5 of `node engine/bin/tenet.mjs`, as a service unit runs it; npx adds npm's own
#     start-up, printed apart). A figure over its bar is reported; one over twice its bar fails the run. The margin is
#     the machine's: the same commit measured serve at 1.6 s and 3.8 s on two runs of this 2-core machine, while the
#     regression the check exists for (compiling TypeScript at every start) takes 1.7-4 s per command and 7.5-9.6 s
#     for serve.
# Prints what it measured; exits non-zero when an install or run check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill -- "-$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
git clone --quiet "$repo" "$tmp/tenet"
cd "$tmp/tenet"
export TENET_DATA_DIR="$tmp/data" LOG_LEVEL=warn
status=0

echo "-- npm ci (development install: builds the console, dist/ and the client)"
npm ci --no-audit --no-fund --loglevel=error >/dev/null
test -f dist/.build-stamp && test -f console/dist/index.html && test -f engine/client/dist/index.js

echo "-- without a system Chromium: the browser pre-flight and a console end-to-end test"
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
  upper=$(mktemp -d) work=$(mktemp -d)
  unshare -m bash -c "mount -t overlay overlay -o lowerdir=/usr/bin,upperdir=$upper,workdir=$work /usr/bin && rm -f /usr/bin/chromium && \
    npx tsx -e \"import('./test/e2e/browser.ts').then(async (m) => { const f = await m.resolveChromium(); if (f.source === 'system') throw new Error('the system Chromium is still visible'); const b = await m.launchChromium(); console.log('chromium from ' + f.source + ': ' + b.version()); await b.close(); })\" && \
    npx vitest run --config test/vitest.config.ts test/e2e/console-layout.e2e.test.ts --reporter=dot" || status=1
  rm -rf "$upper" "$work"
else
  echo "cannot hide the system Chromium here (needs root and unshare)"
  status=1
fi

echo "-- npm ci --omit=dev (production install over the build)"
npm ci --omit=dev --no-audit --no-fund --loglevel=error
for dev in vite tsx typescript vitest; do
  if [ -e "node_modules/$dev" ]; then echo "dev dependency $dev is installed"; status=1; fi
done
echo "-- @tenet/client from its build (what an app service imports)"
node --input-type=module -e "
  import { planToSql, TenetClient } from '@tenet/client';
  import { TenetAuthorization } from '@tenet/client/express';
  const q = planToSql({ op: 'eq', attribute: 'client', value: { type: 'Client', id: 'c-1' } }, { table: 'orders', attributes: { client: 'client_id' } });
  if (typeof TenetClient !== 'function' || typeof TenetAuthorization !== 'function' || q.params[0] !== 'c-1') throw new Error('unexpected: ' + JSON.stringify(q));
  console.log('  ' + q.sql + '  ' + JSON.stringify(q.params));
" || status=1

echo "-- tenet scan-logs in worker threads from the build (12 MiB: past the first 8 MiB scanned in its own thread)"
node -e '
  const lines = [];
  for (let k = 0; k < 120000; k++) lines.push(`2026-11-28T10:00:00Z [order-sync] INFO order ${k} buyer pan=ABCPK${String(1000 + (k % 9000)).padStart(4, "0")}Z phone 98450${String(k).padStart(5, "0")} note ${"x".repeat(40)}`);
  require("fs").writeFileSync(process.argv[1], lines.join("\n") + "\n");
' "$tmp/scan.log"
TENET_SCANNER_SECRET=ci-scan-secret-0123456789abcdef0123456789 node engine/bin/tenet.mjs scan-logs "$tmp/scan.log" --format json --workers 2 > "$tmp/scan-2.json" || [ $? = 1 ]
TENET_SCANNER_SECRET=ci-scan-secret-0123456789abcdef0123456789 node engine/bin/tenet.mjs scan-logs "$tmp/scan.log" --format json --workers 0 > "$tmp/scan-0.json" || [ $? = 1 ]
node -e '
  const [a, b] = process.argv.slice(1).map((f) => JSON.parse(require("fs").readFileSync(f, "utf8")));
  if (a.workers !== 2 || b.workers !== 0 || a.lines !== 120000 || a.findings.length < 120000 || JSON.stringify(a.findings) !== JSON.stringify(b.findings)) throw new Error("worker and own-thread reports differ");
  console.log(`  ${a.lines} lines, ${a.findings.length} findings, the same with 2 workers and none`);
' "$tmp/scan-2.json" "$tmp/scan-0.json" || status=1

ms() { date +%s%3N; }
judge() { # $1: measured ms, $2: the bar in ms; prints the verdict (FAILED past twice the bar: see `failed_if`)
  if [ "$1" -le "$2" ]; then echo ok
  elif [ "$1" -le $(($2 * 2)) ]; then echo "OVER the $2 ms bar (reported; the run fails past $(($2 * 2)) ms)"
  else echo "FAILED: more than twice the $2 ms bar"
  fi
}
failed_if() { case "$1" in FAILED*) status=1 ;; esac; }
best_of_3() { # prints the smallest wall time in ms of running "$@" three times (output discarded)
  local best=999999 t0 t1
  for _ in 1 2 3; do
    t0=$(ms); "$@" >/dev/null 2>&1 || true; t1=$(ms)
    [ $((t1 - t0)) -lt "$best" ] && best=$((t1 - t0))
  done
  echo "$best"
}

echo "-- start-up of every command (tenet <command> --no-such-option: loads the command, refuses the option)"
commands=$(node engine/bin/tenet.mjs --help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' | sort -u)
for c in $commands; do
  t=$(best_of_3 node engine/bin/tenet.mjs "$c" --no-such-option)
  verdict=$(judge "$t" 500)
  failed_if "$verdict"
  printf '  tenet %-12s %4d ms  %s\n' "$c" "$t" "$verdict"
done

serve_to_healthz() { # $1: port, then the command; prints ms from spawn to the first 200 from /healthz, then stops it
  local port=$1 t0 t1
  shift
  t0=$(ms)
  # its own process group: npx runs tenet as a child, and the stop below must reach both
  setsid "$@" serve --port "$port" >"$tmp/serve.log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do
    kill -0 "$pid" 2>/dev/null || { echo "tenet serve exited:" >&2; tail -20 "$tmp/serve.log" >&2; return 1; }
    sleep 0.02
  done
  t1=$(ms)
  kill -TERM -- "-$pid"; wait "$pid" || true
  # npx may exit before the tenet it started has closed its database: wait for the whole group (30 s at most), or
  # the next start finds the data directory still held
  local waited=0
  while kill -0 -- "-$pid" 2>/dev/null; do
    [ "$waited" -lt 1500 ] || { echo "tenet serve did not stop within 30 s of SIGTERM" >&2; return 1; }
    sleep 0.02; waited=$((waited + 1))
  done
  pid=""
  ! curl -sf -o /dev/null "http://127.0.0.1:$port/healthz" || { echo "tenet serve did not stop" >&2; return 1; }
  echo $((t1 - t0))
}

echo "-- npx tenet serve on the production install"
port=$(node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')
first=$(serve_to_healthz "$port" npx tenet) || exit 1
echo "  npx tenet serve, first start (creates the data directory): $first ms"
again=$(serve_to_healthz "$port" npx tenet) || exit 1
echo "  npx tenet serve again (npm's own start-up included): $again ms"
best=999999
for _ in 1 2 3 4 5; do
  t=$(serve_to_healthz "$port" node engine/bin/tenet.mjs) || exit 1
  [ "$t" -lt "$best" ] && best=$t
done
# Most of serve's start is PGlite starting in its worker, beside the server loading on the other core.
verdict=$(judge "$best" 3000)
failed_if "$verdict"
echo "  tenet serve to /healthz on the existing data directory: $best ms (best of 5)  $verdict"
exit $status
