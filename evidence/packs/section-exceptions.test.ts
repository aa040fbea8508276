import { describe, expect, it } from 'vitest';
import { createScanner } from '../../engine/scanner/scanner.ts';
import { person } from './pack-people.ts';
import { exceptionRegister, type PackException } from './section-exceptions.ts';

const exception = (over: Partial<PackException> = {}): PackException => ({
  id: 'e-1',
  controlId: 'pii.redaction-backfill',
  integrationId: 'amazon_spapi',
  requestedBy: 'Sam Security',
  reason: 'Backfill job BF-112 is running.',
  ticket: 'BF-112',
  approvedBy: 'Ada Admin',
  approvedAt: '2026-11-20T10:00:00.000Z',
  from: '2026-11-20T10:00:00.000Z',
  expiresAt: '2026-11-27T10:00:00.000Z',
  revokedAt: null,
  revokedBy: null,
  inForceAtEnd: true,
  controlStatus: 'fail',
  ...over,
});

describe('exception register', () => {
  it('a table row per exception, the file, and the cover notice naming the requirements met by exception', () => {
    const r = exceptionRegister(
      [exception(), exception({ id: 'e-2', inForceAtEnd: false, revokedAt: '2026-11-21T08:00:00.000Z', revokedBy: 'Ada Admin' })],
      ['2.1'],
    );
    expect(r.section.table!.rows).toEqual([
      [
        'pii.redaction-backfill',
        'amazon_spapi',
        'Sam Security',
        'Backfill job BF-112 is running.',
        'BF-112',
        'Ada Admin',
        '2026-11-20 10:00 UTC',
        '2026-11-27 10:00 UTC',
        'in force',
        'fail',
      ],
      [
        'pii.redaction-backfill',
        'amazon_spapi',
        'Sam Security',
        'Backfill job BF-112 is running.',
        'BF-112',
        'Ada Admin',
        '2026-11-20 10:00 UTC',
        '2026-11-21 08:00 UTC (revoked by Ada Admin; was until 2026-11-27 10:00 UTC)',
        'ended',
        'fail',
      ],
    ]);
    expect(r.notices).toEqual([
      'Requirement 2.1 is met only by exception. Exceptions in force at the period end: pii.redaction-backfill (amazon_spapi) is failing and counts as satisfied under an exception approved by Ada Admin until 2026-11-27 10:00 UTC. See the exception register.',
    ]);
    expect(JSON.parse(r.files[0].text)).toHaveLength(2);
  });

  it('no exception: the section says so, no notice', () => {
    const r = exceptionRegister([]);
    expect(r.section.table).toBeUndefined();
    expect(r.section.intro).toMatch(/No exception was in force/);
    expect(r.notices).toEqual([]);
    expect(r.files).toEqual([{ path: 'exceptions.json', text: '[]\n' }]);
  });

  it('people: an e-mail address is masked so the PII scanner finds nothing; other names stay', () => {
    const scanner = createScanner({ secret: 'people-test-secret-0123456789abcdef0' });
    expect(scanner.scan('priya.security@astrix.example')).not.toEqual([]);
    const shown = person('Priya <priya.security@astrix.example>');
    expect(shown).toBe('Priya <pr**********ty at astrix.example>');
    expect(scanner.scan(shown)).toEqual([]);
    expect(person('Ada Admin (user demo-admin)')).toBe('Ada Admin (user demo-admin)');
    expect(person(null)).toBe('not recorded');
  });
});
