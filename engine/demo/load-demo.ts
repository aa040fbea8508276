import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TENET_ROLES, type ApiKeyStore, type TenetRole } from '../authz/api-keys.ts';
import type { Authz } from '../authz/create-authz.ts';
import type { Logger } from '../kernel/logger.ts';
import { buildDemoEntities } from './demo-entities.ts';

export type DemoKeys = Record<TenetRole, string>;

/**
 * Loads the demo platform and makes one API key per Tenet role. The keys are random, made once per data
 * directory and kept in demo-keys.json (mode 0600) so a restarted demo prints the same ones.
 */
export async function loadDemo(props: { authz: Authz; apiKeys: ApiKeyStore; dataDir: string; logger: Logger }): Promise<DemoKeys> {
  const { authz, apiKeys, dataDir, logger } = props;
  await authz.entityStore.upsert(buildDemoEntities());
  const file = path.resolve(dataDir, 'demo-keys.json');
  let keys: DemoKeys | undefined;
  try {
    keys = JSON.parse(await readFile(file, 'utf8')) as DemoKeys;
  } catch {
    keys = undefined;
  }
  if (!keys || !TENET_ROLES.every((r) => typeof keys?.[r] === 'string')) {
    keys = Object.fromEntries(TENET_ROLES.map((r) => [r, `tnt_demo_${r.replace('_', '')}_${randomBytes(24).toString('base64url')}`])) as DemoKeys;
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600 });
  }
  for (const role of TENET_ROLES) await apiKeys.create({ name: `demo ${role}`, role, key: keys[role], createdBy: 'demo' });
  logger.warn('demo mode: demo data and demo API keys are loaded; never use --demo in production');
  return keys;
}
