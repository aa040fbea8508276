import { existsSync, readFileSync } from 'node:fs';

/**
 * The package's root: the nearest folder above this module holding Tenet's package.json. The same from the
 * TypeScript sources (engine/kernel/) and from the compiled build (dist/engine/kernel/).
 */
function packageRoot(): URL {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    const manifest = new URL('package.json', dir);
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'tenet') return dir;
    if (dir.pathname === '/') throw new Error(`no package.json of tenet above ${import.meta.url}`);
  }
}

const root = packageRoot();

export const TENET_VERSION: string = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string }).version;

export const PROJECT_ROOT = root.pathname;
export const SHIPPED_POLICY_DIR = new URL('policies', root).pathname;
