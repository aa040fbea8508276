import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTITY_BATCH_BYTES, ENTITY_BATCH_MAX } from '../../engine/http/routes/authz-routes.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const ref = (type: string, id: string) => ({ __entity: { type, id } });

/**
 * Entities shaped as the platform pushes them: agencies, clients and users with UUIDs, Amazon order ids, WhatsApp
 * conversations and shipments, each with its tenancy attributes and parents.
 */
function realisticEntities(n: number, seed = 7): unknown[] {
  const out: unknown[] = [];
  let rnd = seed;
  const digits = (k: number) => {
    let s = '';
    for (let i = 0; i < k; i++) {
      rnd = (rnd * 1103515245 + 12345) % 2147483648;
      s += String(rnd % 10);
    }
    return s;
  };
  while (out.length < n) {
    const agency = randomUUID();
    out.push({ uid: { type: 'Agency', id: agency }, attrs: {}, parents: [] });
    for (let c = 0; c < 4 && out.length < n; c++) {
      const client = randomUUID();
      out.push({
        uid: { type: 'Client', id: client },
        attrs: { agency: ref('Agency', agency), integrations: ['amazon_spapi', 'whatsapp', 'google_ads', 'delhivery'].map((i) => ref('Integration', i)) },
        parents: [{ type: 'Agency', id: agency }],
      });
      for (let u = 0; u < 3 && out.length < n; u++) {
        out.push({
          uid: { type: 'User', id: randomUUID() },
          attrs: { agency: ref('Agency', agency) },
          parents: [
            { type: 'Role', id: 'client_user' },
            { type: 'Agency', id: agency },
            { type: 'Client', id: client },
          ],
        });
      }
      for (let o = 0; o < 40 && out.length < n; o++) {
        const type = o % 8 === 7 ? 'Shipment' : o % 8 === 6 ? 'Conversation' : 'Order';
        const id = type === 'Order' ? `${digits(3)}-${digits(7)}-${digits(7)}` : `${type.toLowerCase()}-${randomUUID()}`;
        const integration = type === 'Shipment' ? 'delhivery' : type === 'Conversation' ? 'whatsapp' : 'amazon_spapi';
        out.push({
          uid: { type, id },
          attrs: {
            agency: ref('Agency', agency),
            client: ref('Client', client),
            integration: ref('Integration', integration),
            ...(type === 'Order' ? { pii_redacted: o % 3 === 0 } : {}),
          },
          parents: [{ type: 'Client', id: client }],
        });
      }
    }
  }
  return out;
}

const put = async (body: string) => {
  const res = await fetch(`${t.url}/v1/entities`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${t.keys.service}`, 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, body: (await res.json()) as any };
};
const stored = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM entities`.execute(t.database.db)).rows[0].n);

describe('PUT /v1/entities limits', () => {
  it(`takes ${ENTITY_BATCH_MAX} realistic entities in one call`, async () => {
    const entities = realisticEntities(ENTITY_BATCH_MAX);
    const body = JSON.stringify({ entities });
    const bytes = Buffer.byteLength(body);
    console.log(`${ENTITY_BATCH_MAX} realistic entities: ${bytes} bytes (${Math.round(bytes / ENTITY_BATCH_MAX)} per entity); limit ${ENTITY_BATCH_BYTES}`);
    expect(bytes).toBeGreaterThan(2 * 1024 * 1024); // more than every other route takes
    expect(bytes).toBeLessThan(ENTITY_BATCH_BYTES / 2); // and well inside this one's limit
    const before = await stored();
    const res = await put(body);
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
    expect(res.body.upserted).toBe(ENTITY_BATCH_MAX);
    expect(await stored()).toBe(before + ENTITY_BATCH_MAX);
  }, 120_000);

  it(`refuses ${ENTITY_BATCH_MAX + 1} entities with a 413 naming the entity limit, writing nothing`, async () => {
    const entities = realisticEntities(ENTITY_BATCH_MAX + 1, 11);
    const before = await stored();
    const res = await put(JSON.stringify({ entities }));
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({
      code: 'payload_too_large',
      details: { limitItems: ENTITY_BATCH_MAX, limitBytes: ENTITY_BATCH_BYTES, field: 'entities', items: ENTITY_BATCH_MAX + 1 },
    });
    expect(res.body.error.message).toBe(
      'PUT /v1/entities takes at most 10,000 entities and 8,388,608 bytes (8 MiB) per call: this request has 10,001 entities. Send them in several calls.',
    );
    expect(await stored()).toBe(before);
  }, 60_000);

  it('refuses a body over the byte limit with a 413 naming it, writing nothing', async () => {
    // Fewer than 10,000 entities, but with padding in an attribute: over 8 MiB.
    const entities = realisticEntities(2_000, 13).map((e) => ({ ...(e as object), attrs: { ...(e as { attrs: object }).attrs, note: 'x'.repeat(4_300) } }));
    const body = JSON.stringify({ entities });
    expect(Buffer.byteLength(body)).toBeGreaterThan(ENTITY_BATCH_BYTES);
    const before = await stored();
    const res = await put(body);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'payload_too_large', details: { limitBytes: ENTITY_BATCH_BYTES, limitItems: ENTITY_BATCH_MAX } });
    expect(res.body.error.message).toBe(
      'The request body is larger than 8,388,608 bytes (8 MiB): PUT /v1/entities takes at most 10,000 entities and 8,388,608 bytes (8 MiB) per call.',
    );
    expect(await stored()).toBe(before);
  }, 60_000);

  it('keeps the 2 MiB limit on other routes', async () => {
    const res = await fetch(`${t.url}/v1/authorize`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.keys.service}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).error).toMatchObject({ code: 'payload_too_large', message: 'The request body is too large.' });
  });
});
