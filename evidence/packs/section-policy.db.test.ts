import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import type { DatabaseHandle } from '../../engine/db/database.ts';
import { policySection } from './section-policy.ts';

let database: DatabaseHandle;
const DAY = 86_400_000;
const to = new Date('2026-11-20T12:00:00.000Z');
const from = new Date(to.getTime() - 30 * DAY);
const at = (days: number) => new Date(from.getTime() + days * DAY);

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  await sql`DELETE FROM policy_sets WHERE name = 'platform'`.execute(db);
  const version = (v: number, status: string, when: Date, by: string, policies: string, comment: string | null) =>
    sql`INSERT INTO policy_sets (name, version, hash, policies, schema, status, created_at, created_by, comment)
        VALUES ('platform', ${v}, ${`hash-${v}`}, ${policies}, '', ${status}, ${when}, ${by}, ${comment})`.execute(db);
  // v1 before the period, v2 accepted in it, v3 rejected in it, v4 after it (the current one, not the pack's)
  await version(1, 'superseded', at(-10), 'shipped files', 'permit (principal, action == Action::"read", resource);', 'shipped');
  await version(2, 'superseded', at(5), 'priya.security@astrix.example', 'forbid (principal, action, resource) when { false };', 'tighten reads');
  await version(3, 'rejected', at(6), 'Ada Admin', 'permit (principal, action, resource);', 'too broad');
  await version(4, 'active', at(40), 'Ada Admin', 'permit (principal, action, resource) when { false };', 'later');
  const link = (id: string, created: Date, removed: Date | null) =>
    sql`INSERT INTO policy_links (policy_set, link_id, template_id, principal, resource, created_at, created_by, removed_at, removed_by)
        VALUES ('platform', ${id}, 'client-may-read-report', ${JSON.stringify({ type: 'User', id: id })}::jsonb, ${JSON.stringify({ type: 'Report', id: 'r-1' })}::jsonb,
                ${created}, 'Ada Admin', ${removed}, ${removed ? 'Ada Admin' : null})`.execute(db);
  await link('kept-from-before', at(-3), null);
  await link('added-in-period', at(2), null);
  await link('removed-in-period', at(-3), at(10));
  await link('removed-before', at(-9), at(-8));
  await link('added-after', at(35), null);
});
afterAll(async () => {
  await database?.close();
});

describe('the Cedar policy section', () => {
  it('the set in force at the period end as text, the history in the period, the template links in force', async () => {
    const { section, files } = await policySection(database.db, { from, to });
    expect(files.find((f) => f.path === 'policies/active.cedar')?.text).toBe('forbid (principal, action, resource) when { false };\n');
    expect(section.intro).toMatch(
      /^The platform's Cedar policy set in force at the period end is version 2 \(hash hash-2\), accepted 2026-10-26 12:00 UTC from pr\*+ty at astrix\.example;/,
    );
    expect(section.table!.rows).toEqual([
      ['1', '2026-10-11 12:00 UTC', 'shipped files', 'superseded', 'hash-1', 'shipped'],
      ['2', '2026-10-26 12:00 UTC', 'pr**********ty at astrix.example', 'superseded', 'hash-2', 'tighten reads'],
      ['3', '2026-10-27 12:00 UTC', 'Ada Admin', 'rejected', 'hash-3', 'too broad'],
    ]);
    const links = JSON.parse(files.find((f) => f.path === 'policies/links.json')!.text);
    expect(links.map((l: { linkId: string }) => l.linkId)).toEqual(['kept-from-before', 'added-in-period']);
    expect(links[0]).toMatchObject({ templateId: 'client-may-read-report', principal: { type: 'User', id: 'kept-from-before' }, createdBy: 'Ada Admin' });
    expect(section.paragraphs).toEqual([
      'Template links: 2 in force at the period end (policies/links.json: template, principal, resource, who made it and when); 1 added and 1 removed in the period.',
    ]);
  });

  it('nothing stored by the period end: says so, no files', async () => {
    const { section, files } = await policySection(database.db, { from: new Date('2020-01-01T00:00:00Z'), to: new Date('2020-02-01T00:00:00Z') });
    expect(section.intro).toBe('No platform policy set was stored by the period end.');
    expect(files).toEqual([]);
  });
});
