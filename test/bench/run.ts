/**
 * `npm run bench`: runs every benchmark in its own process (so memory figures are its own) and passes their
 * JSON lines through. Each line says what was measured, on what input, and the command that reproduces it.
 * Usage: npm run bench [-- name ...]   (names: files in test/bench without .bench.ts)
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.includes(f.replace('.bench.ts', '')))
  .sort();
let failed = 0;
for (const file of benches) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', `${dir}${file}`], { stdio: 'inherit', env: { ...process.env, LOG_LEVEL: 'warn' } });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${file} exited with ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);
