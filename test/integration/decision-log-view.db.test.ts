import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * The decision log as the console reads it: platform decisions apart from Tenet's own route checks (`set`), callers
 * by API key name, and the CSV export with the same filters.
 */
let t: TestApp;
let serviceKeyId: string;
const now = Date.now();

const row = (over: Record<string, unknown>) => ({
  id: randomUUID(),
  at: new Date(now - 60_000),
  principal_type: 'User',
  principal_id: 'asha',
  action: 'read',
  resource_type: 'Order',
  resource_id: 'o-1001',
  decision: 'allow' as const,
  reasons: JSON.stringify(['permit-agency-staff-client-data']),
  errors: JSON.stringify([]),
  policy_hash: 'h1',
  entity_version: 'v1',
  latency_us: 120,
  context_keys: JSON.stringify([]),
  request_id: 'req-1',
  caller: null as string | null,
  ...over,
});

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
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
      records.push([...record, field]);
      record = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field || record.length) records.push([...record, field]);
  return records;
}

beforeAll(async () => {
  t = await startTestApp();
  const key = await t.database.db.selectFrom('api_keys').select(['id', 'key_hash']).where('name', '=', 'test service').executeTakeFirstOrThrow();
  serviceKeyId = key.id;
  await t.database.db
    .insertInto('decisions')
    .values([
      row({ principal_id: 'view-asha', caller: serviceKeyId, at: new Date(now - 50_000) }),
      row({
        principal_id: 'view-formula',
        resource_id: '=HYPERLINK("http://evil")',
        decision: 'deny',
        reasons: JSON.stringify(['forbid-a,b "quoted"']),
        caller: '@unknown-caller',
        at: new Date(now - 40_000),
      }),
      row({
        principal_type: 'Tenet::ApiKey',
        principal_id: serviceKeyId,
        action: 'read',
        resource_type: 'Tenet::Area',
        resource_id: 'decisions',
        reasons: JSON.stringify(['tenet-security-officer-read']),
        caller: serviceKeyId,
        at: new Date(now - 30_000),
      }),
    ])
    .execute();
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('GET /v1/decisions', () => {
  it('set=platform leaves out Tenet’s own route checks, set=tenet shows only them, no set shows both', async () => {
    // A route check of our own, logged by the guard as every allow outside the authorization hot path is.
    await t.call('/v1/decisions?limit=1', { role: 'security_officer' });
    await t.authz.decisionLog.flush();
    const platform = await t.call('/v1/decisions?set=platform&limit=1000', { role: 'auditor' });
    expect(platform.status).toBe(200);
    expect(platform.body.decisions.length).toBeGreaterThan(0);
    expect(platform.body.decisions.every((d: any) => d.resource.type !== 'Tenet::Area' && d.set === 'platform')).toBe(true);
    expect(platform.body.decisions.some((d: any) => d.principal.id === 'view-asha')).toBe(true);

    const tenet = await t.call('/v1/decisions?set=tenet&limit=1000', { role: 'auditor' });
    expect(tenet.status).toBe(200);
    expect(tenet.body.decisions.length).toBeGreaterThan(1);
    expect(tenet.body.decisions.every((d: any) => d.resource.type === 'Tenet::Area' && d.set === 'tenet')).toBe(true);

    const all = await t.call('/v1/decisions?limit=1000', { role: 'auditor' });
    const sets = new Set(all.body.decisions.map((d: any) => d.set));
    expect(sets).toEqual(new Set(['platform', 'tenet']));
  });

  it('refuses an unknown set with a 400 naming the parameter', async () => {
    const res = await t.call('/v1/decisions?set=everything', { role: 'auditor' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('set');
  });

  it('names the calling API key, never the key or its hash; other callers have no name', async () => {
    const res = await t.call('/v1/decisions?set=platform&principal=User::view-asha', { role: 'auditor' });
    expect(res.body.decisions).toHaveLength(1);
    expect(res.body.decisions[0].caller).toBe(serviceKeyId);
    expect(res.body.decisions[0].callerName).toBe('test service');
    const hash = (await t.database.db.selectFrom('api_keys').select('key_hash').where('id', '=', serviceKeyId).executeTakeFirstOrThrow()).key_hash;
    const all = JSON.stringify((await t.call('/v1/decisions?limit=1000', { role: 'auditor' })).body);
    expect(all).not.toContain(hash);
    expect(all).not.toContain(t.keys.service);
    const unknown = await t.call('/v1/decisions?principal=User::view-formula', { role: 'auditor' });
    expect(unknown.body.decisions[0].callerName).toBeNull();
  });

  it('the PII-reveal audit names the calling key too', async () => {
    const asked = await t.call('/v1/authorize', {
      role: 'service',
      body: { principal: { type: 'User', id: 'asha' }, action: { id: 'reveal_buyer_pii' }, resource: { type: 'Order', id: 'o-1001' }, context: { mfa: true } },
    });
    expect(asked.status).toBe(200);
    await t.authz.decisionLog.flush();
    const reveals = await t.call('/v1/pii-reveals?principal=User::asha', { role: 'auditor' });
    const row = reveals.body.reveals.find((r: any) => r.decisionId === asked.body.decisionId);
    expect(row).toMatchObject({ caller: serviceKeyId, callerName: 'test service' });
    expect(JSON.stringify(reveals.body)).not.toContain(t.keys.service);
  });
});

describe('GET /v1/decisions/export', () => {
  const download = async (query: string, role: 'auditor' | 'service' = 'auditor') => {
    const res = await fetch(`${t.url}/v1/decisions/export${query}`, { headers: { authorization: `Bearer ${t.keys[role]}` } });
    return { res, text: await res.text() };
  };

  it('is a CSV attachment of the filtered log, quoted, with the formula guard and the key name', async () => {
    const { res, text } = await download(
      `?format=csv&set=platform&from=${encodeURIComponent(new Date(now - 55_000).toISOString())}&to=${encodeURIComponent(new Date(now - 35_000).toISOString())}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="decisions-platform-\d{4}-\d{2}-\d{2}\.csv"$/);
    const records = parseCsv(text);
    const header = records[0]!;
    expect(header.slice(0, 4)).toEqual(['id', 'at', 'set', 'decision']);
    const col = (name: string) => header.indexOf(name);
    const body = records.slice(1);
    // Only the two platform rows seeded here fall in the window.
    expect(body.map((r) => r[col('principal_id')])).toEqual(['view-formula', 'view-asha']);
    const [formula, asha] = body as [string[], string[]];
    expect(formula[col('resource_id')]).toBe('\'=HYPERLINK("http://evil")');
    expect(formula[col('caller')]).toBe("'@unknown-caller");
    expect(formula[col('reasons')]).toBe('forbid-a,b "quoted"');
    expect(text).toContain('"forbid-a,b ""quoted"""');
    expect(asha[col('caller_name')]).toBe('test service');
    expect(text).not.toMatch(/(^|,)[=+@-]/m);
  });

  it('exports Tenet’s route checks with set=tenet, caps rows with limit, and refuses bad filters and roles', async () => {
    const tenet = parseCsv((await download('?set=tenet')).text).slice(1);
    expect(tenet.length).toBeGreaterThan(0);
    expect(tenet.every((r) => r[2] === 'tenet' && r[7] === 'Tenet::Area')).toBe(true);
    const platform = parseCsv((await download('?set=platform')).text).slice(1);
    expect(platform.length).toBeGreaterThan(2);
    expect(platform.every((r) => r[2] === 'platform' && r[7] !== 'Tenet::Area')).toBe(true);
    const capped = parseCsv((await download('?limit=1')).text);
    expect(capped).toHaveLength(2);
    expect((await download('?set=nope')).res.status).toBe(400);
    expect((await download('?limit=100001')).res.status).toBe(400);
    expect((await download('', 'service')).res.status).toBe(403);
    expect((await fetch(`${t.url}/v1/decisions/export`)).status).toBe(401);
  });
});
