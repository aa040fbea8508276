import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openDatabase } from '../../engine/db/database.ts';
import { spawnTenet } from '../helpers/spawn-tenet.ts';
import { createChildDatabase } from '../helpers/test-database.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tenet-sigterm-'));
const admin = 'sigterm-test-admin-token-0123456789abcdef';
let database: Awaited<ReturnType<typeof createChildDatabase>> | undefined;

afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  await database?.drop();
});

it('SIGTERM during load: every decision that was answered is in the log', async () => {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    TENET_DATA_DIR: dataDir,
    TENET_BOOTSTRAP_TOKEN: admin,
    LOG_LEVEL: 'info',
    PORT: '0',
  };
  database = await createChildDatabase('tenet_sigterm');
  const databaseUrl: string | undefined = database.url;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;

  const { url, child, exited } = await spawnTenet({ args: ['serve', '--demo'], env });
  const answered: string[] = [];
  let stop = false;
  const body = JSON.stringify({ principal: { type: 'User', id: 'asha' }, action: { id: 'read' }, resource: { type: 'Order', id: 'o-1001' } });
  const worker = async () => {
    while (!stop) {
      try {
        const res = await fetch(`${url}/v1/authorize`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body,
        });
        if (res.status === 200) answered.push(((await res.json()) as { decisionId: string }).decisionId);
        else await res.text();
      } catch {
        if (stop) return;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  };
  const workers = Array.from({ length: 16 }, worker);
  await new Promise((r) => setTimeout(r, 1500));
  const beforeSignal = answered.length;
  child.kill('SIGTERM');
  const code = await exited;
  stop = true;
  await Promise.all(workers);
  expect(code).toBe(0);
  expect(beforeSignal).toBeGreaterThan(50);

  const h = await openDatabase({ databaseUrl, dataDir });
  try {
    const ids = new Set((await h.db.selectFrom('decisions').select('id').where('id', 'in', answered).execute()).map((r) => r.id));
    const lost = answered.filter((id) => !ids.has(id));
    expect(lost).toEqual([]);
    expect(ids.size).toBe(answered.length);
  } finally {
    await h.close();
  }
}, 120_000);
