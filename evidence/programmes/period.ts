/** How far past the clock a period may end: the caller's clock and ours may differ a little. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** The default period of a scorecard: the last 90 days, to now. */
export const DEFAULT_PERIOD_DAYS = 90;

/**
 * Why a scorecard or a pack cannot cover this period, or undefined. Both attest to what was seen, so a period that
 * ends in the future is refused (a pack's signature would cover evidence that does not exist yet).
 */
export function periodProblem(from: Date, to: Date, now = Date.now()): string | undefined {
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return 'the period needs valid dates';
  if (!(from < to)) return 'the period must start before it ends';
  if (to.getTime() > now + CLOCK_SKEW_MS) return `the period ends in the future (${to.toISOString()}): a pack covers only what has been seen`;
  return undefined;
}
