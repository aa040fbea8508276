import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { runRetention } from './retention.ts';

let h: DatabaseHandle;
beforeAll(async () => {
  h = await createTestDatabase();
});
afterAll(async () => h?.close());

const day = 86_400_000;
const decision = (id: string, at: Date) => ({
  id,
  at,
  principal_type: 'User',
  principal_id: 'u',
  action: 'reveal_buyer_pii',
  resource_type: 'Order',
  resource_id: 'o',
  decision: 'allow' as const,
  reasons: '[]',
  errors: '[]',
  policy_hash: 'h',
  entity_version: '1',
  latency_us: 1,
  context_keys: '[]',
  request_id: null,
  caller: null,
});
const reveal = (id: string, at: Date) => ({
  decision_id: id,
  at,
  principal_type: 'User',
  principal_id: 'u',
  resource_type: 'Order',
  resource_id: 'o',
  agency_id: 'a',
  client_id: 'c',
  decision: 'allow' as const,
  reasons: '[]',
  purpose: null,
  caller: null,
});

it('deletes audit rows past their retention and keeps 365 days of reveals', async () => {
  const now = new Date('2026-11-22T12:00:00Z');
  const ages = { fresh: 1, year: 364, old: 366, ancient: 500 };
  for (const [id, days] of Object.entries(ages)) {
    const at = new Date(now.getTime() - days * day);
    await h.db.insertInto('decisions').values(decision(id, at)).execute();
    await h.db.insertInto('pii_reveals').values(reveal(id, at)).execute();
  }
  const result = await runRetention({ db: h.db, decisionDays: 400, revealDays: 365, now });
  expect(result).toEqual({ ran: true, decisionsDeleted: 1, revealsDeleted: 2 });
  const reveals = (await h.db.selectFrom('pii_reveals').select('decision_id').orderBy('decision_id').execute()).map((r) => r.decision_id);
  expect(reveals).toEqual(['fresh', 'year']);
  const decisions = (await h.db.selectFrom('decisions').select('id').orderBy('id').execute()).map((r) => r.id);
  expect(decisions).toEqual(['fresh', 'old', 'year']);
});
