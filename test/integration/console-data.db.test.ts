import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROLS_BY_ID } from '../../controls/catalogue/index.ts';
import type { Entity } from '../../engine/authz/entity.ts';
import { refId } from '../../engine/authz/entity.ts';
import { verifyPack } from '../../evidence/packs/verify-pack.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

const SECRETS = {
  externalId: 'ext-id-SECRET-7f3a9c1e',
  dbPassword: 'pg-pass-SECRET-99x',
  dbUser: 'reader_SECRET_user',
  ordersToken: 'orders-token-SECRET-42ab',
  webhookPassword: 'hookpass-SECRET-5150',
  webhookQueryToken: 'tok-SECRET-123abc',
  ordersQueryKey: 'ordkey-SECRET-777',
};

let t: TestApp;
let jwkX: string;
let jwk: Record<string, unknown>;
const dir = mkdtempSync(path.join(tmpdir(), 'tenet-console-data-'));

beforeAll(async () => {
  process.env.TENET_TEST_PLATFORM_DB_URL = `postgres://${SECRETS.dbUser}:${SECRETS.dbPassword}@db.internal:5432/platform?sslmode=require`;
  process.env.TENET_TEST_ORDERS_TOKEN = `Bearer ${SECRETS.ordersToken}`;
  const { publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  jwk = (await exportJWK(publicKey)) as Record<string, unknown>;
  jwkX = String(jwk.x);
  const snapshot = path.join(dir, 'snapshot.json');
  writeFileSync(snapshot, JSON.stringify({ fileVersion: '1.0', configSnapshotId: 'empty', configurationItems: [] }));
  t = await startTestApp({
    controls: {
      settings: {
        environments: { accounts: { '111111111111': 'production', '222222222222': 'staging' }, resources: { 'arn:aws:s3:::astrix-dev': 'development' } },
        aws: {
          accounts: [
            { accountId: '111111111111', regions: ['ap-south-1'], roleArn: 'arn:aws:iam::111111111111:role/tenet-read', externalId: SECRETS.externalId },
          ],
          endpoint: 'http://127.0.0.1:9',
        },
        logScan: { groups: [{ accountId: '111111111111', region: 'ap-south-1', logGroupName: '/aws/lambda/orders' }], windowHours: 12 },
        snapshots: [snapshot],
        probes: {
          allowedHosts: ['127.0.0.1:9'],
          webhooks: [
            {
              name: 'stripe-webhook',
              url: `https://hooks:${SECRETS.webhookPassword}@127.0.0.1:9/webhook?token=${SECRETS.webhookQueryToken}`,
              provider: 'stripe',
            },
          ],
          orders: {
            url: `https://127.0.0.1:9/orders?key=${SECRETS.ordersQueryKey}`,
            headersFromEnv: { authorization: 'TENET_TEST_ORDERS_TOKEN' },
            buyerFields: ['buyer.name'],
          },
        },
        platformDatabase: { urlEnv: 'TENET_TEST_PLATFORM_DB_URL', unredactedOrdersQuery: 'select id from orders where false' },
        attestations: { trustedKeys: [{ kid: 'k-priya', subject: 'priya@astrix.example', jwk }] },
        integrations: { amazon_spapi: { controls: ['audit.pii-reveal-retention', 'storage.s3-versioning'] } },
        schedules: { 'storage.s3-versioning': '*/5 * * * *' },
      },
    },
  });
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
  delete process.env.TENET_TEST_PLATFORM_DB_URL;
  delete process.env.TENET_TEST_ORDERS_TOKEN;
});

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const at10 = (daysAgo: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - daysAgo, 10));
};

async function insertRun(controlId: string, status: 'pass' | 'fail' | 'error' | 'not_applicable', finishedAt: Date): Promise<string> {
  const row = await t.database.db
    .insertInto('control_runs')
    .values({
      control_id: controlId,
      trigger: 'manual',
      replica: 'test',
      status,
      started_at: finishedAt,
      finished_at: finishedAt,
      duration_ms: 1,
      summary: null,
      findings: '[]',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

describe('GET /v1/posture/history', () => {
  it('counts each control per UTC day, carries results forward (stale after freshFor), and lists status changes', async () => {
    await insertRun('audit.pii-reveal-retention', 'error', at10(5));
    const encryptionRun = await insertRun('storage.s3-encryption', 'fail', at10(3));
    const firstPass = await insertRun('storage.s3-versioning', 'pass', at10(3));
    const secondPass = await insertRun('storage.s3-versioning', 'pass', at10(2));
    const failedAt = new Date(Date.now() - 1);
    const flip = await insertRun('storage.s3-versioning', 'fail', failedAt);

    const res = await t.call('/v1/posture/history?days=7', { role: 'auditor' });
    expect(res.status).toBe(200);
    const days: Array<{
      date: string;
      pass: number;
      fail: number;
      error: number;
      other: number;
      stale: number;
      notApplicable: number;
      passRate: number | null;
    }> = res.body.days;
    expect(days).toHaveLength(7);
    expect(days.map((d) => d.date)).toEqual([...days.map((d) => d.date)].sort());
    const on = (ms: number) => days.find((d) => d.date === utcDay(ms))!;

    // Before anything ran: nothing evaluated.
    expect(days[0]).toMatchObject({ pass: 0, fail: 0, error: 0, other: 0, passRate: null });
    // Five days ago the retention control errored; it stays `error` on every later day.
    expect(on(at10(5).getTime())).toMatchObject({ pass: 0, fail: 0, error: 1, other: 0, passRate: 0 });
    expect(on(at10(4).getTime())).toMatchObject({ error: 1, pass: 0 });
    // Three days ago: versioning passed, encryption failed (both fresh at the end of that day).
    expect(on(at10(3).getTime())).toMatchObject({ pass: 1, fail: 1, error: 1, stale: 0, passRate: 1 / 3 });
    // Two days ago: versioning passed again; encryption's fail (38 h old at midnight, freshFor 26h) is stale.
    expect(on(at10(2).getTime())).toMatchObject({ pass: 1, fail: 0, error: 1, stale: 1, other: 1, passRate: 1 / 3 });
    // Yesterday: no run at all: both carried results are stale.
    expect(on(at10(1).getTime())).toMatchObject({ pass: 0, fail: 0, error: 1, stale: 2, passRate: 0 });
    // The day of the flip: versioning fails.
    expect(on(failedAt.getTime())).toMatchObject({ pass: 0, fail: 1, error: 1, stale: 1 });

    const changes = res.body.changes as Array<{ controlId: string; title: string; from: string | null; to: string; at: string; runId: string }>;
    expect(changes[0]).toEqual({
      controlId: 'storage.s3-versioning',
      title: CONTROLS_BY_ID.get('storage.s3-versioning')!.title,
      from: 'pass',
      to: 'fail',
      at: failedAt.toISOString(),
      runId: flip,
    });
    expect(changes.map((c) => c.runId)).not.toContain(secondPass); // pass → pass is no change
    expect(changes.map((c) => c.runId)).toEqual(expect.arrayContaining([encryptionRun, firstPass]));
    expect(changes.find((c) => c.runId === firstPass)).toMatchObject({ from: null, to: 'pass' });
    expect(changes).toHaveLength(4);
    for (let i = 1; i < changes.length; i++) expect(changes[i - 1].at >= changes[i].at).toBe(true);

    // A shorter window: runs before it still count (carried forward), changes before it are left out.
    const short = await t.call('/v1/posture/history?days=1', { role: 'security_officer' });
    expect(short.body.days).toHaveLength(1);
    expect(short.body.days[0]).toMatchObject({ error: 1 });
    expect(short.body.changes.every((c: { at: string }) => c.at.slice(0, 10) === short.body.days[0].date)).toBe(true);

    expect((await t.call('/v1/posture/history?days=0', { role: 'auditor' })).status).toBe(400);
    expect((await t.call('/v1/posture/history?days=366', { role: 'auditor' })).status).toBe(400);
    expect((await t.call('/v1/posture/history', { role: 'auditor' })).body.days).toHaveLength(30);
    expect((await t.call('/v1/posture/history', { role: 'service' })).status).toBe(403);
  });
});

describe('GET /v1/access-review', () => {
  it('rows agree with asking the PDP directly', async () => {
    const res = await t.call('/v1/access-review', { role: 'auditor' });
    expect(res.status).toBe(200);
    const users = [...t.authz.entityStore.all('User')];
    const clients = [...t.authz.entityStore.all('Client')];
    expect(res.body).toMatchObject({ generatedAt: expect.any(String), users: users.length, clients: clients.length, crossAgency: expect.any(Number) });

    const resourcesOf = (client: string, types: string[]) =>
      [...t.authz.entityStore.all()].filter((e: Entity) => types.includes(e.uid.type) && refId(e.attrs.client) === client);
    const actions: Array<[string, string[]]> = [
      ['reveal_buyer_pii', ['Order']],
      ['export', ['Order', 'Report', 'Conversation']],
      ['read_credential', ['Credential']],
    ];
    for (const user of ['asha', 'meera']) {
      for (const [action, types] of actions) {
        const expected = clients
          .filter((c) =>
            resourcesOf(c.uid.id, types).some(
              (r) =>
                t.authz.platform.authorize({
                  principal: { type: 'User', id: user },
                  action: { id: action },
                  resource: r.uid,
                  context: { mfa: true, purpose: 'access-review' },
                }).decision === 'allow',
            ),
          )
          .map((c) => c.uid.id);
        const row = res.body.rows.find((r: { user: string; action: string }) => r.user === user && r.action === action);
        if (expected.length === 0) expect(row, `${user} ${action}`).toBeUndefined();
        else expect(row, `${user} ${action}`).toMatchObject({ clients: expected });
      }
    }
    const asha = res.body.rows.find((r: { user: string; action: string }) => r.user === 'asha' && r.action === 'export');
    expect(asha).toEqual({ user: 'asha', roles: ['agency_admin'], agency: 'northwind', action: 'export', clients: expect.arrayContaining(['chai-co']) });
    expect(res.body.rows.some((r: { user: string }) => r.user === 'ops-root')).toBe(false); // platform admins get no tenant data
    expect((await t.call('/v1/access-review', { role: 'service' })).status).toBe(403);
  });
});

describe('GET /v1/settings', () => {
  it('shows what is checked and where it came from, and no secret', async () => {
    const res = await t.call('/v1/settings', { role: 'security_officer' });
    expect(res.status).toBe(200);
    const s = res.body;
    expect(s).toMatchObject({
      source: 'inline',
      demo: false,
      aws: {
        accounts: [{ accountId: '111111111111', regions: ['ap-south-1'], roleArn: 'arn:aws:iam::111111111111:role/tenet-read', externalId: 'configured' }],
      },
      logScan: { groups: [{ logGroupName: '/aws/lambda/orders', accountId: '111111111111', region: 'ap-south-1' }], windowHours: 12 },
      platformDatabase: { status: 'configured', host: 'db.internal:5432', database: 'platform', backfillQuery: true },
      retention: { decisionDays: 400, revealDays: 365, evidenceDays: 1095 },
      integrations: [{ id: 'amazon_spapi', controls: ['audit.pii-reveal-retention', 'storage.s3-versioning'] }],
      attestations: { trustedKeys: [{ kid: 'k-priya', fingerprint: `sha256:${await calculateJwkThumbprint(jwk as never, 'sha256')}` }] },
    });
    expect(s.environments).toEqual(
      expect.arrayContaining([
        { environment: 'production', accounts: ['111111111111'], resources: [] },
        { environment: 'development', accounts: [], resources: ['arn:aws:s3:::astrix-dev'] },
      ]),
    );
    expect(s.probes).toEqual([
      expect.objectContaining({ name: 'stripe-webhook', kind: 'webhook', url: 'https://127.0.0.1:9/webhook?…', provider: 'stripe' }),
      expect.objectContaining({ name: 'orders', kind: 'orders', url: 'https://127.0.0.1:9/orders?…', headers: ['authorization'] }),
    ]);
    expect(s.schedules).toHaveLength(CONTROLS_BY_ID.size);
    expect(s.schedules).toContainEqual({ controlId: 'storage.s3-versioning', cron: '*/5 * * * *', overridden: true });
    expect(s.schedules).toContainEqual({ controlId: 'storage.s3-encryption', cron: CONTROLS_BY_ID.get('storage.s3-encryption')!.schedule, overridden: false });

    const text = JSON.stringify(s);
    for (const secret of [...Object.values(SECRETS), jwkX, 'TENET_TEST_ORDERS_TOKEN', 'priya@astrix.example']) expect(text, secret).not.toContain(secret);
    // Auditors read the same view (the scope), secrets absent alike; app services do not.
    const asAuditor = await t.call('/v1/settings', { role: 'auditor' });
    expect(asAuditor.status).toBe(200);
    expect(asAuditor.body).toEqual(s);
    expect((await t.call('/v1/settings', { role: 'service' })).status).toBe(403);
  });
});

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field || record.length) records.push([...record, field]);
  return records;
}

describe('GET /v1/pii-reveals/export', () => {
  const download = async (query: string, role: 'auditor' | 'service' = 'auditor') => {
    const res = await fetch(`${t.url}/v1/pii-reveals/export${query}`, { headers: { authorization: `Bearer ${t.keys[role]}` } });
    return { res, text: await res.text() };
  };

  beforeAll(async () => {
    const now = Date.now();
    const base = { resource_type: 'Order', reasons: JSON.stringify([]) };
    await t.database.db
      .insertInto('pii_reveals')
      .values([
        {
          ...base,
          decision_id: 'd-csv-1',
          at: new Date(now - 3 * 60_000),
          principal_type: 'User',
          principal_id: 'asha',
          resource_id: 'o-1001',
          agency_id: 'northwind',
          client_id: 'chai-co',
          decision: 'allow',
          reasons: JSON.stringify(['permit-agency-staff-client-data']),
          purpose: 'order_support',
          caller: '=cmd|calc',
        },
        {
          ...base,
          decision_id: 'd-csv-2',
          at: new Date(now - 2 * 60_000),
          principal_type: 'User',
          principal_id: 'dev',
          resource_id: 'o-2001',
          agency_id: 'saffron',
          client_id: 'masala-mart',
          decision: 'deny',
          reasons: JSON.stringify(['forbid-reveal-without-mfa', 'forbid-cross-agency']),
          purpose: 'has,comma "and quotes"',
          caller: '@evil',
        },
        {
          ...base,
          decision_id: 'd-csv-3',
          at: new Date(now - 60_000),
          principal_type: 'User',
          principal_id: 'asha',
          resource_id: '-o-9',
          agency_id: 'northwind',
          client_id: 'chai-co',
          decision: 'deny',
          purpose: null,
          caller: '+1',
        },
      ])
      .execute();
    // Bulk rows, several per millisecond: batches must neither skip nor repeat rows that share a timestamp.
    await sql`
      INSERT INTO pii_reveals (decision_id, at, principal_type, principal_id, resource_type, resource_id, agency_id, client_id, decision, reasons, purpose, caller)
      SELECT 'bulk-' || g, now() - interval '1 hour' - (g / 7) * interval '1 millisecond', 'User', 'bulk-user', 'Order', 'o-' || g, 'bulk', 'bulk-client', 'allow', '[]'::jsonb, NULL, 'svc'
      FROM generate_series(1, 2500) AS g`.execute(t.database.db);
  });

  it('is a CSV attachment with a header row, quoting and the formula guard', async () => {
    const { res, text } = await download('?format=csv&agency=northwind');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="pii-reveals-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('id,decision_id,at,principal_type,principal_id,resource_type,resource_id,agency,client,decision,reasons,purpose,caller');
    const records = parseCsv(text);
    expect(records).toHaveLength(3);
    const [, newest, oldest] = records;
    expect(newest[1]).toBe('d-csv-3');
    expect(newest[6]).toBe("'-o-9");
    expect(newest[12]).toBe("'+1");
    expect(oldest[1]).toBe('d-csv-1');
    expect(oldest[12]).toBe("'=cmd|calc");
    expect(oldest[10]).toBe('permit-agency-staff-client-data');
    expect(text).not.toMatch(/(^|,)[=+@-]/m);

    const quoted = await download('?agency=saffron');
    expect(quoted.text).toContain(',"has,comma ""and quotes""",\'@evil\r\n');
    expect(parseCsv(quoted.text)[1]).toEqual([
      expect.any(String),
      'd-csv-2',
      expect.any(String),
      'User',
      'dev',
      'Order',
      'o-2001',
      'saffron',
      'masala-mart',
      'deny',
      'forbid-reveal-without-mfa; forbid-cross-agency',
      'has,comma "and quotes"',
      "'@evil",
    ]);
  });

  it('applies the filters of the JSON route', async () => {
    for (const query of [
      '?client=chai-co',
      '?decision=deny&principal=User::asha',
      '?principal=User::dev',
      `?to=${encodeURIComponent(new Date(Date.now() - 150_000).toISOString())}&agency=northwind`,
    ]) {
      const csv = parseCsv((await download(query)).text)
        .slice(1)
        .map((r) => r[0]);
      const json = (await t.call(`/v1/pii-reveals${query}`, { role: 'auditor' })).body.reveals.map((r: { id: string }) => r.id);
      expect(csv, query).toEqual(json);
      expect(csv.length, query).toBeGreaterThan(0);
    }
    expect(parseCsv((await download('?decision=deny&principal=User::asha')).text)).toHaveLength(2);
    expect((await download('?format=json')).res.status).toBe(400);
    expect((await download('?principal=asha')).res.status).toBe(400);
    expect((await download('', 'service')).res.status).toBe(403);
  });

  it('streams in batches: every row once, newest first, and at most `limit`', async () => {
    const all = parseCsv((await download('?agency=bulk')).text).slice(1);
    expect(all).toHaveLength(2500);
    expect(new Set(all.map((r) => r[0])).size).toBe(2500);
    for (let i = 1; i < all.length; i++) {
      const [a, b] = [all[i - 1], all[i]];
      expect(a[2] > b[2] || (a[2] === b[2] && Number(a[0]) > Number(b[0])), `${a[0]} before ${b[0]}`).toBe(true);
    }
    const limited = parseCsv((await download('?agency=bulk&limit=1200')).text).slice(1);
    expect(limited.map((r) => r[0])).toEqual(all.slice(0, 1200).map((r) => r[0]));
    expect((await download('?limit=100001')).res.status).toBe(400);
  });

  it('the JSON route pages through rows sharing a timestamp without skipping any', async () => {
    const ids: string[] = [];
    let before: string | null = null;
    do {
      const page: { body: { reveals: Array<{ id: string }>; next: string | null } } = await t.call(
        `/v1/pii-reveals?agency=bulk&limit=1000${before ? `&before=${encodeURIComponent(before)}` : ''}`,
        { role: 'auditor' },
      );
      ids.push(...page.body.reveals.map((r) => r.id));
      before = page.body.next;
    } while (before);
    expect(ids).toHaveLength(2500);
    expect(new Set(ids).size).toBe(2500);
    for (const bad of ['garbage', '2024-02-30T00:00:00.000Z|5', '2024-01-01T00:00:00.000Z|x', '2024-01-01T00:00:00.000Z|99999999999999999999']) {
      expect((await t.call(`/v1/pii-reveals?before=${encodeURIComponent(bad)}`, { role: 'auditor' })).status, bad).toBe(400);
    }
  });
});

describe('POST /v1/policies/try', () => {
  const req = (user: string, action: string, order: string, context?: Record<string, unknown>) => ({
    principal: { type: 'User', id: user },
    action: { id: action },
    resource: { type: 'Order', id: order },
    ...(context ? { context } : {}),
  });
  const platformDecisions = async () => {
    await t.authz.decisionLog.flush();
    const row = await t.database.db
      .selectFrom('decisions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('principal_type', '<>', 'Tenet::ApiKey')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };

  it('explains allow and deny with the deciding policies’ text; a draft changes the answer; nothing is logged', async () => {
    const logged = await platformDecisions();
    const platform = (await t.call('/v1/policies', { role: 'admin' })).body.policySets[0];

    const deny = await t.call('/v1/policies/try', { role: 'security_officer', body: req('dev', 'read', 'o-1001') });
    expect(deny.status).toBe(200);
    expect(deny.body).toMatchObject({ decision: 'deny', errors: [], draft: false, policyHash: platform.hash });
    const forbid = deny.body.reasons.find((r: { id: string }) => r.id === 'forbid-cross-agency');
    expect(forbid).toMatchObject({ effect: 'forbid' });
    expect(forbid.text).toMatch(/@id\("forbid-cross-agency"\)/);
    expect(forbid.text).toMatch(/forbid\s*\(/);
    expect(platform.policies).toContain('forbid-cross-agency');

    const allow = await t.call('/v1/policies/try', { role: 'admin', body: req('asha', 'read', 'o-1001') });
    expect(allow.body.decision).toBe('allow');
    expect(allow.body.reasons).toEqual([
      expect.objectContaining({ id: 'permit-agency-staff-client-data', effect: 'permit', text: expect.stringContaining('permit') }),
    ]);
    expect(allow.body.diagnostics).toMatch(/not written to the decision log/);

    // Given entities count, as with /v1/authorize.
    const fresh = {
      uid: { type: 'Order', id: 'o-try' },
      attrs: {
        agency: { __entity: { type: 'Agency', id: 'northwind' } },
        client: { __entity: { type: 'Client', id: 'chai-co' } },
        integration: { __entity: { type: 'Integration', id: 'amazon_spapi' } },
        pii_redacted: false,
      },
      parents: [{ type: 'Client', id: 'chai-co' }],
    };
    expect((await t.call('/v1/policies/try', { role: 'admin', body: { ...req('asha', 'read', 'o-try'), entities: [fresh] } })).body.decision).toBe('allow');

    const draft = `${platform.policies}\n@id("forbid-everything")\nforbid (principal, action, resource);\n`;
    const flipped = await t.call('/v1/policies/try', { role: 'security_officer', body: { ...req('asha', 'read', 'o-1001'), policies: draft } });
    expect(flipped.status).toBe(200);
    expect(flipped.body).toMatchObject({ decision: 'deny', draft: true });
    expect(flipped.body.policyHash).not.toBe(platform.hash);
    expect(flipped.body.reasons).toContainEqual({ id: 'forbid-everything', effect: 'forbid', text: expect.stringContaining('forbid') });

    const broken = await t.call('/v1/policies/try', {
      role: 'security_officer',
      body: { ...req('asha', 'read', 'o-1001'), policies: 'permit (principal, action' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('invalid_request');
    expect(broken.body.error.message).toMatch(/not usable.*:/);
    expect(broken.body.error.message.length).toBeGreaterThan(60);
    const offSchema = await t.call('/v1/policies/try', {
      role: 'security_officer',
      body: { ...req('asha', 'read', 'o-1001'), policies: '@id("x")\npermit (principal, action, resource) when { resource.no_such_attribute == 1 };' },
    });
    expect(offSchema.status).toBe(400);
    expect(offSchema.body.error.message).toMatch(/no_such_attribute/);

    // A bad context value is not echoed (the PDP redacts, as for /v1/authorize).
    const phone = await t.call('/v1/policies/try', { role: 'admin', body: req('asha', 'reveal_buyer_pii', 'o-1001', { mfa: 'call +91 98450 12345' }) });
    expect(phone.body.decision).toBe('deny');
    expect(phone.body.errors.length).toBeGreaterThan(0);
    expect(JSON.stringify(phone.body)).not.toContain('98450');

    expect(await platformDecisions()).toBe(logged);
    expect((await t.call('/v1/policies/try', { role: 'auditor', body: req('asha', 'read', 'o-1001') })).status).toBe(403);
    // The active set is unchanged by a draft.
    expect((await t.call('/v1/policies/try', { role: 'admin', body: req('asha', 'read', 'o-1001') })).body.decision).toBe('allow');
  });
});

describe('GET /v1/entities', () => {
  it('lists stored entities by type and id prefix', async () => {
    const users = await t.call('/v1/entities?type=User', { role: 'security_officer' });
    expect(users.status).toBe(200);
    const ids = users.body.entities.map((e: { uid: { id: string } }) => e.uid.id);
    expect(ids).toEqual(['asha', 'dev', 'kabir', 'meera', 'ops-root', 'ravi']);
    expect(users.body.entities.every((e: { uid: { type: string } }) => e.uid.type === 'User')).toBe(true);
    expect(users.body.entities[0]).toEqual({
      uid: { type: 'User', id: 'asha' },
      attrs: { agency: { __entity: { type: 'Agency', id: 'northwind' } } },
      parents: expect.arrayContaining([{ type: 'Role', id: 'agency_admin' }]),
    });

    const prefixed = await t.call('/v1/entities?type=Order&q=O-100', { role: 'service' });
    expect(prefixed.body.entities.map((e: { uid: { id: string } }) => e.uid.id)).toEqual(['o-1001', 'o-1002']);
    const one = await t.call('/v1/entities?type=User&limit=1', { role: 'admin' });
    expect(one.body).toMatchObject({ entities: [{ uid: { id: 'asha' } }], truncated: true });
    const any = await t.call('/v1/entities?q=chai', { role: 'admin' });
    expect(any.body.entities.map((e: { uid: { type: string; id: string } }) => `${e.uid.type}::${e.uid.id}`)).toEqual(['Client::chai-co']);
    expect((await t.call('/v1/entities?limit=201', { role: 'admin' })).status).toBe(400);
    expect((await t.call('/v1/entities?type=not%20a%20type', { role: 'admin' })).status).toBe(400);
    expect((await t.call('/v1/entities', { role: 'auditor' })).status).toBe(403);
  });
});

describe('packs built in the background', () => {
  const waitFor = async (id: string) => {
    const seen: Array<{ phase: string } | null> = [];
    for (let i = 0; i < 600; i++) {
      const res = await t.call(`/v1/packs/${id}`, { role: 'auditor' });
      expect(res.status).toBe(200);
      if (res.body.status !== 'building') return { pack: res.body, seen };
      seen.push(res.body.progress);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`pack ${id} still building`);
  };

  it('wait: false answers 202 at once; the pack shows its progress, becomes ready, and the download verifies', async () => {
    const started = await t.call('/v1/packs', {
      role: 'auditor',
      body: { profile: 'sp-api', wait: false, from: new Date(Date.now() - 3_600_000).toISOString() },
    });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'building' });
    const { pack, seen } = await waitFor(started.body.id);
    for (const p of seen) {
      if (p)
        expect(p).toMatchObject({ phase: expect.stringMatching(/^(controls|access-review|rendering|evidence|signing|finishing)$/), done: expect.any(Number) });
    }
    expect(pack).toMatchObject({ id: started.body.id, profile: 'sp-api', status: 'ready', progress: null, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const res = await fetch(`${t.url}/v1/packs/${pack.id}/download`, { headers: { authorization: `Bearer ${t.keys.auditor}` } });
    expect(res.status).toBe(200);
    const file = path.join(dir, 'background.zip');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const key = await (await fetch(`${t.url}/v1/packs/public-key`)).text();
    expect(await verifyPack(file, key)).toMatchObject({ ok: true, keySource: 'given', problems: [] });

    // wait defaults to true: the synchronous answer is unchanged.
    const sync = await t.call('/v1/packs', { role: 'auditor', body: { profile: 'google', from: new Date(Date.now() - 3_600_000).toISOString() } });
    expect(sync.status).toBe(201);
    expect(sync.body.status).toBe('ready');
  });

  it('a background build that is refused records why, and nothing is left unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await t.controls!.evidence.append({ controlId: 'storage.s3-encryption', source: 'test', payload: { note: 'buyer called from +91 98450 12345' } });
      const started = await t.call('/v1/packs', {
        role: 'security_officer',
        body: { profile: 'sp-api', wait: false, from: new Date(Date.now() - 3_600_000).toISOString() },
      });
      expect(started.status).toBe(202);
      const { pack } = await waitFor(started.body.id);
      expect(pack).toMatchObject({ status: 'refused', progress: null, error: expect.stringMatching(/holds raw in_phone/) });
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect((await t.call(`/v1/packs/${randomUUID()}`, { role: 'auditor' })).status).toBe(404);
    expect((await t.call('/v1/packs/not-a-uuid', { role: 'auditor' })).status).toBe(400);
    expect((await t.call(`/v1/packs/${randomUUID()}`, { role: 'service' })).status).toBe(403);
  });
});
