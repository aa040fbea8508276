/**
 * The one rule for times shown to people: in the viewer's time zone, with the zone named ("27 Nov 2026, 14:05
 * GMT+1"), never a raw ISO string; the exact instant (ISO-8601, UTC, to the millisecond) is in the tooltip and the
 * `datetime` attribute. Every page shows times through `<Time>` or, where an element cannot be used (a sentence
 * built as text, an option label), through `formatDateTime`.
 */

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});
const dateOnly = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

type TimeValue = string | number | Date | null | undefined;

function toDate(value: TimeValue): Date | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** "27 Nov 2026, 14:05 GMT+1" in the viewer's zone (locale order); '—' when absent or not a time. */
export function formatDateTime(value: TimeValue): string {
  const d = toDate(value);
  return d ? dateTime.format(d) : '—';
}

/** "27 Nov 2026" in the viewer's zone; '—' when absent or not a time. */
function formatDate(value: TimeValue): string {
  const d = toDate(value);
  return d ? dateOnly.format(d) : '—';
}

/** The viewer's time zone by its IANA name ("Europe/Berlin"), for hints next to time inputs. */
export function viewerTimeZone(): string {
  try {
    return dateTime.resolvedOptions().timeZone || 'your time zone';
  } catch {
    return 'your time zone';
  }
}

/** A time in the viewer's zone, the zone named; the exact instant in UTC on hover and in the datetime attribute. */
export function Time(props: { value: TimeValue; mode?: 'datetime' | 'date' | 'relative' }) {
  const d = toDate(props.value);
  if (!d) return <span className="muted">—</span>;
  const iso = d.toISOString();
  const text = props.mode === 'date' ? formatDate(d) : props.mode === 'relative' ? relative(d) : formatDateTime(d);
  const title = props.mode === 'date' || props.mode === 'relative' ? `${formatDateTime(d)} (${iso})` : iso;
  return (
    <time dateTime={iso} title={title}>
      {text}
    </time>
  );
}

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

function relative(d: Date, now = Date.now()): string {
  const s = Math.round((d.getTime() - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 60) return rtf.format(s, 'second');
  if (abs < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(s / 3600), 'hour');
  return rtf.format(Math.round(s / 86_400), 'day');
}
