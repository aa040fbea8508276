import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import type { DatabaseHandle } from '../../engine/db/database.ts';
import { ControlRuns } from '../../engine/posture/control-runs.ts';
import { cronIntervalMs } from './cron-interval.ts';
import { duration, spanAdjective, utc } from './pack-time.ts';
import { evidenceCoverage } from './section-coverage.ts';

let database: DatabaseHandle;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const to = new Date('2026-11-20T12:00:00.000Z');
const from = new Date(to.getTime() - 10 * DAY);

/** A finished run of `controlId` at `at` (ms), as the runner records one. */
async function run(controlId: string, at: number, status: 'pass' | 'fail' | 'running' = 'pass') {
  await database.db
    .insertInto('control_runs')
    .values({
      control_id: controlId,
      trigger: 'manual',
      replica: 'test',
      status,
      started_at: new Date(at - 1000),
      finished_at: status === 'running' ? null : new Date(at),
      findings: '[]',
    })
    .execute();
}

beforeAll(async () => {
  database = await createTestDatabase();
  // every 30 minutes for the last 10 days, but nothing from day 3 to day 5 (a 2-day gap) and one missed run on day 8
  for (let at = from.getTime() + 5 * MIN; at <= to.getTime(); at += 30 * MIN) {
    const day = (at - from.getTime()) / DAY;
    if (day > 3 && day < 5) continue;
    if (Math.abs(at - (from.getTime() + 8 * DAY + 5 * MIN)) < MIN) continue;
    await run('net.half-hourly', at);
  }
  // daily at 06:00 for the last 3 days only; a running row and one outside the period do not count
  for (let d = 3; d >= 1; d--) await run('net.daily', Date.parse('2026-11-20T06:00:00.000Z') - (d - 1) * DAY, 'fail');
  await run('net.daily', to.getTime() - HOUR, 'running');
  await run('net.daily', from.getTime() - HOUR);
});
afterAll(async () => {
  await database?.close();
});

describe('evidence coverage', () => {
  it('per control: first and last run, runs, and the gaps longer than 1.5 times the schedule, longest first', async () => {
    const { coverage, notices, section } = await evidenceCoverage(new ControlRuns(database.db), {
      from,
      to,
      controls: [
        { id: 'net.half-hourly', schedule: '5,35 * * * *' },
        { id: 'net.daily', schedule: '0 6 * * *' },
        { id: 'net.never', schedule: '*/15 * * * *' },
      ],
    });
    const half = coverage.find((c) => c.controlId === 'net.half-hourly')!;
    expect(half).toMatchObject({ intervalMs: 30 * MIN, first: new Date(from.getTime() + 5 * MIN).toISOString(), gapCount: 2 });
    expect(half.runs).toBe(10 * 48 - 2 * 48 - 1); // 480 ticks, two days of them missing, one missed run
    expect(half.gaps.map((g) => Date.parse(g.to) - Date.parse(g.from))).toEqual([2 * DAY + 30 * MIN, HOUR]);
    const daily = coverage.find((c) => c.controlId === 'net.daily')!;
    expect(daily).toMatchObject({ runs: 3, gapCount: 0, first: '2026-11-18T06:00:00.000Z', last: '2026-11-20T06:00:00.000Z', intervalMs: DAY });
    expect(coverage.find((c) => c.controlId === 'net.never')).toMatchObject({ runs: 0, first: null, last: null, gapCount: 0 });
    // runs from the first 5 minutes to the end: the period is covered, no warning
    expect(notices).toEqual([]);
    expect(section.table!.rows[0]).toEqual([
      'net.half-hourly',
      '5,35 * * * * (every 30 minutes)',
      utc(half.first),
      utc(half.last),
      String(half.runs),
      '2',
      `${utc(half.gaps[0].from)} to ${utc(half.gaps[0].to)} (2 days)\n${utc(half.gaps[1].from)} to ${utc(half.gaps[1].to)} (60 minutes)`,
    ]);
    expect(section.table!.rows[2].slice(2, 4)).toEqual(['none in the period', 'none in the period']);
  });

  it('warns on the cover when the runs cover less than the period, and when nothing ran', async () => {
    const runs = new ControlRuns(database.db);
    const daily = await evidenceCoverage(runs, { from, to, controls: [{ id: 'net.daily', schedule: '0 6 * * *' }] });
    expect(daily.notices).toEqual([
      'Evidence covers 2 days of the 10-day period (first control run 2026-11-18 06:00 UTC, last 2026-11-20 06:00 UTC): the rest of the period has no evidence.',
    ]);
    const none = await evidenceCoverage(runs, { from, to, controls: [{ id: 'net.never', schedule: '*/15 * * * *' }] });
    expect(none.notices).toEqual(['No control ran in the period: this pack holds no evidence for its 10-day period.']);
  });

  it('time words: UTC to the minute, durations, period adjectives, cron intervals', () => {
    expect(utc('2026-11-27T14:05:59.999Z')).toBe('2026-11-27 14:05 UTC');
    expect(utc(null)).toBe('never');
    expect(utc('not a date', '-')).toBe('-');
    expect([duration(30_000), duration(45 * MIN), duration(3 * HOUR), duration(90 * DAY)]).toEqual(['less than a minute', '45 minutes', '3 hours', '90 days']);
    expect([spanAdjective(90 * DAY), spanAdjective(DAY)]).toEqual(['90-day', '24-hour']);
    expect([cronIntervalMs('*/15 * * * *'), cronIntervalMs('2,32 * * * *'), cronIntervalMs('30 2 * * *'), cronIntervalMs('0 0 * * 1')]).toEqual([
      15 * MIN,
      30 * MIN,
      DAY,
      7 * DAY,
    ]);
    expect(cronIntervalMs('not cron')).toBeUndefined();
  });
});
