import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROLS_BY_ID } from '../../controls/catalogue/index.ts';
import { parseControlSettings } from '../../controls/settings.ts';
import { LocalSigner, newSigningKeyPem } from '../../evidence/ledger/keys.ts';
import { buildPack } from '../../evidence/packs/build-pack.ts';
import { makePackDeps } from '../../evidence/packs/pack-deps.ts';
import { startTestApp, type TestApp } from '../../test/helpers/test-app.ts';
import { ControlRuns } from './control-runs.ts';

const CONTROL = 'storage.s3-versioning';
const dir = mkdtempSync(path.join(tmpdir(), 'tenet-latest-run-'));
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ controls: { settings: {} } });
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function insertRun(status: 'pass' | 'fail', startedAt: Date, finishedAt: Date, summary: string): Promise<string> {
  const row = await t.database.db
    .insertInto('control_runs')
    .values({
      control_id: CONTROL,
      trigger: 'manual',
      replica: 'test',
      status,
      started_at: startedAt,
      finished_at: finishedAt,
      duration_ms: 1,
      summary,
      findings: '[]',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

describe('the latest run of a control', () => {
  it('is the one that finished last, whatever the id order: the console, the posture history and a pack agree', async () => {
    const now = Date.now();
    // A slow run started first (lower id) and finished after a quick run started later (higher id).
    const slow = await insertRun('pass', new Date(now - 5_000), new Date(now - 1_000), 'finished last');
    const quick = await insertRun('fail', new Date(now - 4_000), new Date(now - 2_000), 'finished first');
    expect(Number(slow)).toBeLessThan(Number(quick));

    const latest = await new ControlRuns(t.database.db).latest();
    expect(latest.get(CONTROL)).toMatchObject({ id: slow, status: 'pass' });
    // As of a time between the two finishes, the quick run was the latest.
    expect((await new ControlRuns(t.database.db).latest(new Date(now - 1_500))).get(CONTROL)).toMatchObject({ id: quick, status: 'fail' });

    const control = await t.call(`/v1/controls/${CONTROL}`, { role: 'auditor' });
    expect(control.status).toBe(200);
    expect(control.body).toMatchObject({ status: 'pass', lastRun: { id: slow, summary: 'finished last' } });

    const history = await t.call('/v1/posture/history?days=1', { role: 'auditor' });
    expect(history.status).toBe(200);
    expect(history.body.days.at(-1)).toMatchObject({ pass: 1, fail: 0 });
    // Changes in finish order: the quick run's fail (the first result), then the slow run's pass.
    expect(history.body.changes.filter((c: { controlId: string }) => c.controlId === CONTROL)).toMatchObject([
      { runId: slow, from: 'fail', to: 'pass' },
      { runId: quick, from: null, to: 'fail' },
    ]);

    const deps = await makePackDeps({
      db: t.database.db,
      authz: t.authz,
      settings: parseControlSettings({}),
      catalogue: CONTROLS_BY_ID,
      keys: { signer: new LocalSigner(newSigningKeyPem()), scannerSecret: 'latest-run-test-secret-0123456789abcdef' },
    });
    const file = path.join(dir, 'pack.zip');
    const out = createWriteStream(file);
    await buildPack(deps, { profile: 'sp-api', from: new Date(now - 86_400_000), to: new Date(now + 1_000), out });
    const csv = Buffer.from(unzipSync(readFileSync(file))['controls.csv']).toString();
    const line = csv.split('\r\n').find((l) => l.startsWith(`${CONTROL},`));
    expect(line).toContain(',pass,2,1,');
    expect(line).toContain('finished last');
  });
});
