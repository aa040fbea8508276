/** A time in the viewer's zone; UTC on hover (and for screen readers via the datetime attribute). */
export function Time(props: { value: string | Date | null | undefined; mode?: 'datetime' | 'date' | 'relative' }) {
  if (!props.value) return <span className="muted">—</span>;
  const d = typeof props.value === 'string' ? new Date(props.value) : props.value;
  if (Number.isNaN(d.getTime())) return <span className="muted">—</span>;
  const utc = `${d.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
  const text =
    props.mode === 'date'
      ? d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })
      : props.mode === 'relative'
        ? relative(d)
        : d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  return (
    <time dateTime={d.toISOString()} title={utc}>
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
