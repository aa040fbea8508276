import { readFileSync } from 'node:fs';

export const TENET_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;
export const SHIPPED_POLICY_DIR = new URL('../../policies', import.meta.url).pathname;
