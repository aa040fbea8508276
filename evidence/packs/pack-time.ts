/**
 * Times as people read them in a pack (HTML, PDF, the tables of sections): UTC, to the minute, with the zone named
 * ("2026-11-27 14:05 UTC"). Machine files (manifest.json, OSCAL, evidence/*.json, CSV) keep ISO 8601.
 */

/** "2026-11-27 14:05 UTC"; `fallback` for a missing or unreadable time. */
export function utc(value: string | Date | null | undefined, fallback = 'never'): string {
  if (value === null || value === undefined || value === '') return fallback;
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return fallback;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

/** A duration in the largest unit that fits, rounded: "45 minutes", "3 hours", "90 days". */
export function duration(ms: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (ms < 60_000) return 'less than a minute';
  if (ms < 90 * 60_000) return plural(Math.max(0, Math.round(ms / 60_000)), 'minute');
  if (ms < 48 * 3_600_000) return plural(Math.round(ms / 3_600_000), 'hour');
  return plural(Math.round(ms / 86_400_000), 'day');
}

/** A period's length as an adjective: "90-day", "24-hour", "45-minute". */
export function spanAdjective(ms: number): string {
  const words = duration(ms);
  if (words === 'less than a minute') return 'sub-minute';
  const [n, unit] = words.split(' ');
  return `${n}-${unit.replace(/s$/, '')}`;
}
