import { useEffect, useRef, useState } from 'react';
import { percent } from './format.ts';

/** One point of the trend: a UTC day ("YYYY-MM-DD") and a rate 0..1, or null when there was nothing to measure. */
export interface TrendPoint {
  date: string;
  value: number | null;
  /** extra columns for the screen-reader table, e.g. { Passing: 8, Failing: 2 } */
  details?: Record<string, number | string>;
}

const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const longDayFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
const utcDay = (date: string) => new Date(`${date}T00:00:00Z`);
export const formatDay = (date: string, long = false): string => {
  const d = utcDay(date);
  return Number.isNaN(d.getTime()) ? date : (long ? longDayFormat : dayFormat).format(d);
};

/** A sentence a screen reader reads instead of the picture. */
function summariseTrend(points: TrendPoint[], label: string): string {
  const measured = points.filter((p): p is TrendPoint & { value: number } => p.value !== null);
  if (!measured.length) return `${label}: no results in this period.`;
  const first = measured[0]!;
  const last = measured.at(-1)!;
  const min = Math.min(...measured.map((p) => p.value));
  const max = Math.max(...measured.map((p) => p.value));
  const trend =
    measured.length === 1
      ? ''
      : last.value > first.value
        ? `, up from ${percent(first.value)} on ${formatDay(first.date)}`
        : last.value < first.value
          ? `, down from ${percent(first.value)} on ${formatDay(first.date)}`
          : `, unchanged since ${formatDay(first.date)}`;
  const gaps = points.length - measured.length;
  return (
    `${label}: ${percent(last.value)} on ${formatDay(last.date)}${trend}; lowest ${percent(min)}, highest ${percent(max)}` +
    (gaps ? `; ${gaps} day${gaps === 1 ? '' : 's'} without results.` : '.')
  );
}

/** Width of an element, following resizes (so the chart's text stays legible at every size). */
function useWidth(fallback: number) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const measure = () => {
      const w = Math.round(el.getBoundingClientRect().width);
      if (w > 0) setWidth((old) => (Math.abs(old - w) > 1 ? w : old));
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width] as const;
}

/**
 * A line-and-area chart of a rate (0..1) per day. An SVG with role="img" and a summary as its name, plus a visually
 * hidden table of every day for screen readers. The viewBox follows the container's width, so it scales from a phone
 * to a wide screen without shrinking its labels; days without a value leave a gap in the line.
 */
export function TrendChart(props: { points: TrendPoint[]; label: string; valueLabel?: string; testId?: string }) {
  const { points } = props;
  const [ref, measured] = useWidth(640);
  const width = Math.max(280, measured);
  const narrow = width < 520;
  const height = narrow ? 190 : 230;
  const m = { top: 12, right: 14, bottom: 28, left: 42 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const n = points.length;
  const x = (i: number) => m.left + (n <= 1 ? plotW / 2 : (i * plotW) / (n - 1));
  const y = (v: number) => m.top + (1 - Math.min(1, Math.max(0, v))) * plotH;
  const baseline = y(0);

  // Runs of consecutive days with a value: each is one line (and area) segment.
  const segments: Array<Array<{ i: number; v: number }>> = [];
  let current: Array<{ i: number; v: number }> = [];
  points.forEach((p, i) => {
    if (p.value === null || !Number.isFinite(p.value)) {
      if (current.length) segments.push(current);
      current = [];
    } else current.push({ i, v: p.value });
  });
  if (current.length) segments.push(current);

  const ticksY = narrow ? [0, 0.5, 1] : [0, 0.25, 0.5, 0.75, 1];
  const labelCount = Math.max(2, Math.min(n, Math.floor(plotW / (narrow ? 70 : 90))));
  const ticksX = n <= 1 ? [0] : [...new Set(Array.from({ length: labelCount }, (_, k) => Math.round((k * (n - 1)) / (labelCount - 1))))];
  const lastMeasured = [...points.keys()].reverse().find((i) => points[i]!.value !== null);
  const valueLabel = props.valueLabel ?? 'Value';
  const detailColumns = [...new Set(points.flatMap((p) => Object.keys(p.details ?? {})))];
  const slot = n <= 1 ? plotW : plotW / (n - 1);

  return (
    <div className="chart trend-chart" ref={ref}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={summariseTrend(points, props.label)}
        data-testid={props.testId ?? 'trend-chart'}
        preserveAspectRatio="xMidYMid meet"
      >
        <g className="trend-grid">
          {ticksY.map((t) => (
            <g key={t}>
              <line className="axis" x1={m.left} x2={width - m.right} y1={y(t)} y2={y(t)} />
              <text x={m.left - 6} y={y(t)} dy="0.32em" textAnchor="end">
                {percent(t)}
              </text>
            </g>
          ))}
          {ticksX.map((i) => (
            <text key={i} x={x(i)} y={height - 8} textAnchor={n > 1 && i === 0 ? 'start' : n > 1 && i === n - 1 ? 'end' : 'middle'}>
              {formatDay(points[i]!.date)}
            </text>
          ))}
        </g>
        {segments.map((s) => {
          const line = s.map((p, k) => `${k ? 'L' : 'M'}${x(p.i).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
          const area = `${line} L${x(s.at(-1)!.i).toFixed(1)},${baseline} L${x(s[0]!.i).toFixed(1)},${baseline} Z`;
          return (
            <g key={s[0]!.i}>
              {s.length > 1 ? <path className="area" d={area} /> : null}
              {s.length > 1 ? <path className="line" d={line} /> : <circle className="dot" cx={x(s[0]!.i)} cy={y(s[0]!.v)} r={3.5} />}
            </g>
          );
        })}
        {lastMeasured !== undefined ? <circle className="dot dot-last" cx={x(lastMeasured)} cy={y(points[lastMeasured]!.value!)} r={4.5} /> : null}
        {/* pointer targets: hovering a day shows its value (the table below carries the same for screen readers) */}
        {points.map((p, i) => (
          <rect key={p.date} className="hit" x={x(i) - slot / 2} y={m.top} width={slot} height={plotH} fill="transparent">
            <title>{`${formatDay(p.date, true)}: ${p.value === null ? 'no results' : percent(p.value)}`}</title>
          </rect>
        ))}
      </svg>
      <div className="visually-hidden">
        <div className="table-wrap">
          <table>
            <caption>{props.label}, by day</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">{valueLabel}</th>
                {detailColumns.map((c) => (
                  <th scope="col" key={c}>
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.date}>
                  <th scope="row">{formatDay(p.date, true)}</th>
                  <td>{p.value === null ? 'no results' : percent(p.value)}</td>
                  {detailColumns.map((c) => (
                    <td key={c}>{p.details?.[c] ?? '—'}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}
