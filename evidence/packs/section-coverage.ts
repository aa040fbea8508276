import type { ControlRuns } from '../../engine/posture/control-runs.ts';
import { cronIntervalMs } from './cron-interval.ts';
import type { PackSection } from './pack-model.ts';
import { duration, spanAdjective, utc } from './pack-time.ts';

/** A wait between two runs longer than this many schedule intervals is a gap. */
const GAP_FACTOR = 1.5;
const HOUR = 3_600_000;

export interface ControlCoverage {
  controlId: string;
  schedule: string;
  intervalMs: number | null;
  first: string | null;
  last: string | null;
  runs: number;
  gapCount: number;
  gaps: Array<{ from: string; to: string }>;
}

/**
 * How much of the period the evidence covers: per control, its first and last run in the period, how many, and the
 * waits between two runs longer than 1.5 times its schedule's interval (its cron pattern in force: the settings'
 * override, else its own); and a cover warning when the runs cover less than the period.
 */
export async function evidenceCoverage(
  runs: Pick<ControlRuns, 'coverage'>,
  props: { from: Date; to: Date; controls: ReadonlyArray<{ id: string; schedule: string }> },
): Promise<{ section: PackSection; notices: string[]; coverage: ControlCoverage[] }> {
  const interval = new Map(props.controls.map((c) => [c.id, cronIntervalMs(c.schedule)]));
  const allowed = new Map<string, number>();
  for (const [id, ms] of interval) allowed.set(id, Math.round((ms ?? 24 * HOUR) * GAP_FACTOR));
  const found = await runs.coverage(props.from, props.to, allowed);
  const coverage: ControlCoverage[] = props.controls.map((c) => {
    const f = found.get(c.id);
    return {
      controlId: c.id,
      schedule: c.schedule,
      intervalMs: interval.get(c.id) ?? null,
      first: f?.first ?? null,
      last: f?.last ?? null,
      runs: f?.runs ?? 0,
      gapCount: f?.gapCount ?? 0,
      gaps: f?.gaps ?? [],
    };
  });

  const periodMs = props.to.getTime() - props.from.getTime();
  const firsts = coverage.flatMap((c) => (c.first ? [Date.parse(c.first)] : []));
  const lasts = coverage.flatMap((c) => (c.last ? [Date.parse(c.last)] : []));
  // The evidence runs from the first run to the last: short of the period when the first comes later (or the last
  // earlier) than the most frequent control's allowance after its start (before its end).
  const slack = Math.min(...coverage.flatMap((c) => (c.runs ? [allowed.get(c.controlId)!] : [])), 24 * HOUR);
  const notices: string[] = [];
  if (!firsts.length) notices.push(`No control ran in the period: this pack holds no evidence for its ${spanAdjective(periodMs)} period.`);
  else {
    const start = Math.min(...firsts);
    const end = Math.max(...lasts);
    if (start - props.from.getTime() > slack || props.to.getTime() - end > slack)
      notices.push(
        `Evidence covers ${duration(end - start)} of the ${spanAdjective(periodMs)} period (first control run ${utc(new Date(start))}, last ${utc(new Date(end))}): ` +
          `the rest of the period has no evidence.`,
      );
  }
  const gappy = coverage.filter((c) => c.gapCount > 0).length;
  const never = coverage.filter((c) => c.runs === 0).length;

  const section: PackSection = {
    id: 'coverage',
    title: 'Evidence coverage',
    intro:
      `How much of the period (${utc(props.from)} to ${utc(props.to)}) each control's runs cover: its first and last run in the period, how many, and its gaps ` +
      `(waits between two runs longer than ${GAP_FACTOR} times the interval its schedule sets). ` +
      `${never ? `${never} control(s) did not run in the period. ` : ''}${gappy ? `${gappy} control(s) have gaps. ` : ''}`.trim(),
    table: {
      columns: ['control', 'schedule', 'first run', 'last run', 'runs', 'gaps', 'longest gaps'],
      rows: coverage.map((c) => [
        c.controlId,
        `${c.schedule}${c.intervalMs ? ` (every ${duration(c.intervalMs)})` : ''}`,
        utc(c.first, 'none in the period'),
        utc(c.last, 'none in the period'),
        String(c.runs),
        String(c.gapCount),
        c.gaps.length
          ? c.gaps
              .slice(0, 3)
              .map((g) => `${utc(g.from)} to ${utc(g.to)} (${duration(Date.parse(g.to) - Date.parse(g.from))})`)
              .join('\n')
          : '',
      ]),
    },
  };
  return { section, notices, coverage };
}
