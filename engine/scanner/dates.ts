/** Dates as people write a date of birth: 1988-03-12, 12/03/1988, 12-03-88, 12 Mar 1988, March 12, 1988, 19880312. */

const MONTHS = 'jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec';
const MONTH_NAMES = MONTHS.split('|');
const DATE = new RegExp(
  [
    '(\\d{4})[-/.](\\d{1,2})[-/.](\\d{1,2})',
    '(\\d{1,2})[-/. ](\\d{1,2})[-/. ](\\d{4}|\\d{2})',
    `(\\d{1,2})(?:st|nd|rd|th)?[-/ ]?(${MONTHS})[a-z]*\\.?,?[-/ ](\\d{4})`,
    `(${MONTHS})[a-z]*\\.?[ -](\\d{1,2})(?:st|nd|rd|th)?,?[ -](\\d{4})`,
    '(\\d{4})(\\d{2})(\\d{2})',
  ]
    .map((p) => `(?:${p})`)
    .join('|') + '(?![\\dA-Za-z](?<!T))', // an ISO date may go on with its time ("1988-03-12T00:00:00Z")
  'iy',
);

/** What may stand between a DOB word and its date: quotes, ':', '=', spaces and the words of "date of birth is on". */
export const DOB_GAP = /^(?:[\s"'\\:=_-]|date|of|birth|is|on|dt)*/i;

const month = (name: string) => MONTH_NAMES.indexOf(name.toLowerCase().slice(0, 3)) + 1;

function valid(y: number, m: number, d: number): boolean {
  if (y < 100) y += 1900;
  return y >= 1900 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/** The end of a date starting at `at`, or -1. */
export function dateAt(t: string, at: number): number {
  DATE.lastIndex = at;
  const m = DATE.exec(t);
  if (!m) return -1;
  const n = (k: number) => Number(m[k]);
  let ok: boolean;
  if (m[1]) ok = valid(n(1), n(2), n(3));
  else if (m[4]) ok = valid(n(6), n(5), n(4)) || valid(n(6), n(4), n(5));
  else if (m[7]) ok = valid(n(9), month(m[8]), n(7));
  else if (m[10]) ok = valid(n(12), month(m[10]), n(11));
  else ok = valid(n(13), n(14), n(15));
  return ok ? at + m[0].length : -1;
}
