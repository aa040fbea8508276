#!/usr/bin/env node
// Builds what `tenet` runs in production: the console (vite → console/dist/), the server (esbuild → dist/: the
// CLI bundled with its pure-JavaScript dependencies, split so each command loads only what it imports, plus the
// stamp tenet.mjs compares with the sources) and the client package (tsc → engine/client/dist/, with declarations).
//
//   node engine/bin/build.mjs              build all three (npm run build); needs the dev dependencies
//   node engine/bin/build.mjs --if-tools   the prepare script: build when the dev dependencies are installed; on a
//                                          production install (npm ci --omit=dev) keep the build already there
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ifTools = process.argv.includes('--if-tools');
const tsc = `${root}node_modules/typescript/bin/tsc`;
const vite = `${root}node_modules/vite/bin/vite.js`;
const esbuild = `${root}node_modules/esbuild/lib/main.js`;

/**
 * Dependencies left in node_modules rather than bundled: they find files next to their own modules at run time
 * (cedar-wasm's glue and .wasm, PGlite's .wasm and data, pino's transport workers) or load optional native code (pg).
 */
const EXTERNAL = ['@cedar-policy/cedar-wasm', '@electric-sql/pglite', '@electric-sql/pglite-socket', 'pg', 'pino'];
/** Worker scripts the server starts by URL next to its modules (new URL('./x.mjs', import.meta.url)). */
const WORKERS = ['engine/authz/cedar-sandbox-worker.mjs', 'engine/db/embedded-postgres-worker.mjs'];

if (![tsc, vite, esbuild].every((f) => existsSync(f))) {
  if (!ifTools) {
    console.error('tenet build: the build needs the dev dependencies (vite, typescript, esbuild): run `npm ci` first');
    process.exit(1);
  }
  const built = existsSync(`${root}dist/.build-stamp`) && existsSync(`${root}console/dist/index.html`);
  console.log(
    built
      ? 'tenet: production install: using the build in dist/ and console/dist/'
      : 'tenet: production install without a build: `tenet` will not start until `npm ci && npm run build` has run here (README, "Production")',
  );
  process.exit(0);
}

function step(what, started) {
  if (!ifTools) console.log(`built ${what} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function run(what, command, args) {
  const started = Date.now();
  const r = spawnSync(process.execPath, [command, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`tenet build: ${what} failed`);
    process.exit(r.status ?? 1);
  }
  step(what, started);
}

run('the console (console/dist/)', vite, ['build', '--config', 'console/vite.config.ts', '--logLevel', 'warn']);

const started = Date.now();
rmSync(`${root}dist`, { recursive: true, force: true });
const { build } = await import(esbuild);
await build({
  // the CLI, and the scan-logs worker thread (started by URL next to the CLI's modules)
  entryPoints: { cli: `${root}engine/main/cli.ts`, 'scan-logs-worker': `${root}engine/main/commands/scan-logs-worker.ts` },
  outdir: `${root}dist`,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL.flatMap((p) => [p, `${p}/*`]),
  // bundled CommonJS modules call require() for Node's own modules
  banner: { js: "import { createRequire as __tenetRequire } from 'node:module'; const require = __tenetRequire(import.meta.url);" },
  logLevel: 'warning',
});
for (const w of WORKERS) copyFileSync(`${root}${w}`, `${root}dist/${w.slice(w.lastIndexOf('/') + 1)}`);
// Only after a successful build: tenet.mjs runs dist/ while no source is newer than this stamp.
writeFileSync(`${root}dist/.build-stamp`, `${new Date().toISOString()}\n`);
step('the server (dist/)', started);

run('the client (engine/client/dist/)', tsc, ['-p', 'engine/client/tsconfig.build.json']);
// tsc does not copy declaration files; the client's declarations import the API's generated types.
copyFileSync(`${root}engine/client/schema.d.ts`, `${root}engine/client/dist/schema.d.ts`);
