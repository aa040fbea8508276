#!/usr/bin/env node
// Starts the CLI from the compiled build in dist/ (npm run build; npm ci builds it too), the fast path and the only
// one on a production install. While a source under engine/, controls/ or evidence/ is newer than the build (a
// developer's edit, a checkout) and tsx is installed, it runs the TypeScript sources instead, so a stale build never
// answers for changed code. TENET_FROM_SOURCE=1 forces the sources, TENET_FROM_SOURCE=0 the build.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const stamp = new URL('dist/.build-stamp', root);

/** The newest modification time of the compiled sources (tests excluded), in ms. */
function newestSource() {
  let newest = 0;
  for (const dir of ['engine', 'controls', 'evidence']) {
    for (const e of readdirSync(new URL(dir, root), { recursive: true, withFileTypes: true })) {
      if (!e.isFile() || !/\.(ts|mjs)$/.test(e.name) || e.name.endsWith('.test.ts')) continue;
      const path = `${e.parentPath ?? e.path}/${e.name}`;
      if (path.includes('/node_modules/') || path.includes('/engine/client/') || path.includes('/engine/bin/')) continue;
      const t = statSync(path).mtimeMs;
      if (t > newest) newest = t;
    }
  }
  return newest;
}

async function fromSource() {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    return undefined;
  }
  return import('../main/cli.ts');
}

const built = existsSync(stamp);
const from = process.env.TENET_FROM_SOURCE;
const wantSources = from === '1' || !built || (from !== '0' && newestSource() > statSync(stamp).mtimeMs);
let cli = wantSources ? await fromSource() : undefined;
if (!cli) {
  if (!built) {
    console.error('tenet: no build in dist/ and no tsx to run the sources: run `npm ci && npm run build` here first (README, "Production")');
    process.exit(2);
  }
  if (wantSources)
    console.error('tenet: warning: running the build in dist/, which is older than the sources (no tsx to run them; `npm run build` refreshes it)');
  cli = await import(new URL('dist/cli.js', root).href);
}
process.exitCode = await cli.main(process.argv.slice(2));
