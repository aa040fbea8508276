/**
 * Cedar's extension types — decimal, ipaddr, datetime, duration — parsed and operated on as the Cedar
 * language reference and the Lean spec (cedar-spec, Cedar/Spec/Ext/*.lean) define them. A string that does not
 * parse is an extension error (the policy errors), never a silently different value.
 */
import { CedarEvalError, Datetime, Decimal, Duration, IpAddr, LONG_MAX, LONG_MIN, type Value, typeName } from './values.ts';

const inLong = (v: bigint): boolean => v >= LONG_MIN && v <= LONG_MAX;
const DIGITS = /^[0-9]+$/;

function parseDecimal(s: string): Decimal | undefined {
  const parts = s.split('.');
  if (parts.length !== 2) return undefined;
  const [left, right] = parts;
  if (right.length < 1 || right.length > 4 || !DIGITS.test(right)) return undefined;
  const neg = left.startsWith('-');
  const intPart = neg ? left.slice(1) : left;
  if (!DIGITS.test(intPart)) return undefined;
  const l = BigInt(intPart) * 10000n;
  const r = BigInt(right) * 10n ** BigInt(4 - right.length);
  const v = neg ? -l - r : l + r;
  return inLong(v) ? new Decimal(v) : undefined;
}

// ---- ipaddr ----

function parseSmallNum(s: string, maxLen: number, max: number): number | undefined {
  if (s.length < 1 || s.length > maxLen || !DIGITS.test(s)) return undefined;
  if (s.startsWith('0') && s !== '0') return undefined;
  const n = Number(s);
  return n <= max ? n : undefined;
}

function parseIPv4(s: string): IpAddr | undefined {
  const parts = s.split('/');
  if (parts.length > 2) return undefined;
  let prefix = 32;
  if (parts.length === 2) {
    const p = parseSmallNum(parts[1], 2, 32);
    if (p === undefined) return undefined;
    prefix = p;
  }
  const segs = parts[0].split('.');
  if (segs.length !== 4) return undefined;
  let addr = 0n;
  for (const seg of segs) {
    const n = parseSmallNum(seg, 3, 255);
    if (n === undefined) return undefined;
    addr = (addr << 8n) | BigInt(n);
  }
  return new IpAddr(false, addr, prefix);
}

const HEX = /^[0-9a-fA-F]{1,4}$/;
function parseV6Groups(s: string): number[] | undefined {
  if (s === '') return [];
  const out: number[] = [];
  for (const g of s.split(':')) {
    if (!HEX.test(g)) return undefined;
    out.push(parseInt(g, 16));
  }
  return out;
}

function parseIPv6(s: string): IpAddr | undefined {
  const parts = s.split('/');
  if (parts.length > 2) return undefined;
  let prefix = 128;
  if (parts.length === 2) {
    const p = parseSmallNum(parts[1], 3, 128);
    if (p === undefined) return undefined;
    prefix = p;
  }
  const halves = parts[0].split('::');
  let groups: number[] | undefined;
  if (halves.length === 1) groups = parseV6Groups(halves[0]);
  else if (halves.length === 2) {
    const a = parseV6Groups(halves[0]);
    const b = parseV6Groups(halves[1]);
    if (!a || !b || a.length + b.length >= 8) return undefined;
    groups = [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b];
  } else return undefined;
  if (!groups || groups.length !== 8) return undefined;
  let addr = 0n;
  for (const g of groups) addr = (addr << 16n) | BigInt(g);
  return new IpAddr(true, addr, prefix);
}

function parseIp(s: string): IpAddr | undefined {
  return parseIPv4(s) ?? parseIPv6(s);
}

function ipRange(ip: IpAddr): [bigint, bigint] {
  const width = BigInt((ip.v6 ? 128 : 32) - ip.prefix);
  const lo = (ip.addr >> width) << width;
  return [lo, lo + (1n << width) - 1n];
}

function ipInRange(a: IpAddr, b: IpAddr): boolean {
  if (a.v6 !== b.v6) return false;
  const [alo, ahi] = ipRange(a);
  const [blo, bhi] = ipRange(b);
  return bhi >= ahi && alo >= blo;
}

const LOOPBACK_V4 = new IpAddr(false, 127n << 24n, 8);
const LOOPBACK_V6 = new IpAddr(true, 1n, 128);
const MULTICAST_V4 = new IpAddr(false, 224n << 24n, 4);
const MULTICAST_V6 = new IpAddr(true, 0xff00n << 112n, 8);

// ---- datetime and duration ----

const MS_PER_DAY = 86_400_000n;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?(?:(Z)|([+-])(\d{2})(\d{2})))?$/;

/** Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const daysInMonth = (y: number, m: number): number =>
  m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];

export function parseDatetime(s: string): Datetime | undefined {
  const m = DATE_RE.exec(s);
  if (!m) return undefined;
  const [, ys, mos, ds, hs, mis, ss, mss, z, sign, ohs, oms] = m;
  // A time must end in Z or an offset: "2024-01-01T10:00:00" alone is not one of the accepted forms.
  if (hs !== undefined && z === undefined && sign === undefined) return undefined;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  let ms = BigInt(daysFromCivil(y, mo, d)) * MS_PER_DAY;
  if (hs !== undefined) {
    const h = Number(hs);
    const mi = Number(mis);
    const sec = Number(ss);
    if (h > 23 || mi > 59 || sec > 59) return undefined;
    ms += BigInt(((h * 60 + mi) * 60 + sec) * 1000 + (mss !== undefined ? Number(mss) : 0));
    if (sign !== undefined) {
      const oh = Number(ohs);
      const om = Number(oms);
      if (oh > 23 || om > 59) return undefined;
      const off = BigInt((oh * 60 + om) * 60_000);
      ms += sign === '+' ? -off : off;
    }
  }
  return inLong(ms) ? new Datetime(ms) : undefined;
}

const DURATION_RE = /^(-?)(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

export function parseDuration(s: string): Duration | undefined {
  const m = DURATION_RE.exec(s);
  if (!m) return undefined;
  const [, neg, d, h, mi, sec, ms] = m;
  if (d === undefined && h === undefined && mi === undefined && sec === undefined && ms === undefined) return undefined;
  const units: Array<[string | undefined, bigint]> = [
    [d, 86_400_000n],
    [h, 3_600_000n],
    [mi, 60_000n],
    [sec, 1000n],
    [ms, 1n],
  ];
  let total = 0n;
  for (const [q, mult] of units) {
    if (q === undefined) continue;
    const n = BigInt(q);
    if (!inLong(n)) return undefined;
    total += n * mult;
  }
  if (!inLong(total)) return undefined;
  return new Duration(neg ? -total : total);
}

function extErr(message: string): never {
  throw new CedarEvalError('extension', message);
}
function typeErr(fn: string, args: Value[]): never {
  throw new CedarEvalError('type', `${fn} does not apply to (${args.map(typeName).join(', ')})`);
}

/** The extension functions by name, as they appear in Cedar's JSON policy format (method calls take the receiver first). */
export const EXTENSION_FUNCTIONS: Record<string, { arity: number; fn: (args: Value[]) => Value }> = {
  decimal: {
    arity: 1,
    fn: (a) => (typeof a[0] === 'string' ? (parseDecimal(a[0]) ?? extErr(`bad decimal ${JSON.stringify(a[0])}`)) : typeErr('decimal', a)),
  },
  ip: {
    arity: 1,
    fn: (a) => (typeof a[0] === 'string' ? (parseIp(a[0]) ?? extErr(`bad ip ${JSON.stringify(a[0])}`)) : typeErr('ip', a)),
  },
  datetime: {
    arity: 1,
    fn: (a) => (typeof a[0] === 'string' ? (parseDatetime(a[0]) ?? extErr(`bad datetime ${JSON.stringify(a[0])}`)) : typeErr('datetime', a)),
  },
  duration: {
    arity: 1,
    fn: (a) => (typeof a[0] === 'string' ? (parseDuration(a[0]) ?? extErr(`bad duration ${JSON.stringify(a[0])}`)) : typeErr('duration', a)),
  },
  lessThan: { arity: 2, fn: (a) => decimals(a, 'lessThan', (x, y) => x < y) },
  lessThanOrEqual: { arity: 2, fn: (a) => decimals(a, 'lessThanOrEqual', (x, y) => x <= y) },
  greaterThan: { arity: 2, fn: (a) => decimals(a, 'greaterThan', (x, y) => x > y) },
  greaterThanOrEqual: { arity: 2, fn: (a) => decimals(a, 'greaterThanOrEqual', (x, y) => x >= y) },
  isIpv4: { arity: 1, fn: (a) => (a[0] instanceof IpAddr ? !a[0].v6 : typeErr('isIpv4', a)) },
  isIpv6: { arity: 1, fn: (a) => (a[0] instanceof IpAddr ? a[0].v6 : typeErr('isIpv6', a)) },
  isLoopback: { arity: 1, fn: (a) => (a[0] instanceof IpAddr ? ipInRange(a[0], a[0].v6 ? LOOPBACK_V6 : LOOPBACK_V4) : typeErr('isLoopback', a)) },
  isMulticast: { arity: 1, fn: (a) => (a[0] instanceof IpAddr ? ipInRange(a[0], a[0].v6 ? MULTICAST_V6 : MULTICAST_V4) : typeErr('isMulticast', a)) },
  isInRange: { arity: 2, fn: (a) => (a[0] instanceof IpAddr && a[1] instanceof IpAddr ? ipInRange(a[0], a[1]) : typeErr('isInRange', a)) },
  offset: {
    arity: 2,
    fn: (a) => {
      if (!(a[0] instanceof Datetime && a[1] instanceof Duration)) typeErr('offset', a);
      const v = a[0].v + a[1].v;
      return inLong(v) ? new Datetime(v) : extErr('datetime overflow in offset');
    },
  },
  durationSince: {
    arity: 2,
    fn: (a) => {
      if (!(a[0] instanceof Datetime && a[1] instanceof Datetime)) typeErr('durationSince', a);
      const v = a[0].v - a[1].v;
      return inLong(v) ? new Duration(v) : extErr('duration overflow in durationSince');
    },
  },
  toDate: {
    arity: 1,
    fn: (a) => {
      if (!(a[0] instanceof Datetime)) typeErr('toDate', a);
      const v = a[0].v;
      const r = v % MS_PER_DAY;
      const day = r === 0n ? v : v >= 0n ? v - r : v - r - MS_PER_DAY;
      return inLong(day) ? new Datetime(day) : extErr('datetime overflow in toDate');
    },
  },
  toTime: {
    arity: 1,
    fn: (a) => {
      if (!(a[0] instanceof Datetime)) typeErr('toTime', a);
      const r = a[0].v % MS_PER_DAY;
      return new Duration(r < 0n ? r + MS_PER_DAY : r);
    },
  },
  toMilliseconds: { arity: 1, fn: (a) => (a[0] instanceof Duration ? a[0].v : typeErr('toMilliseconds', a)) },
  toSeconds: { arity: 1, fn: (a) => (a[0] instanceof Duration ? a[0].v / 1000n : typeErr('toSeconds', a)) },
  toMinutes: { arity: 1, fn: (a) => (a[0] instanceof Duration ? a[0].v / 60_000n : typeErr('toMinutes', a)) },
  toHours: { arity: 1, fn: (a) => (a[0] instanceof Duration ? a[0].v / 3_600_000n : typeErr('toHours', a)) },
  toDays: { arity: 1, fn: (a) => (a[0] instanceof Duration ? a[0].v / MS_PER_DAY : typeErr('toDays', a)) },
};

function decimals(a: Value[], fn: string, cmp: (x: bigint, y: bigint) => boolean): boolean {
  if (!(a[0] instanceof Decimal && a[1] instanceof Decimal)) typeErr(fn, a);
  return cmp(a[0].v, a[1].v);
}

/** Builds an extension value from its constructor name and string argument (entity and context JSON). */
export function constructExtension(fn: string, arg: unknown): Value {
  const name = fn.startsWith('__cedar::') ? fn.slice('__cedar::'.length) : fn;
  if (typeof arg !== 'string') throw new CedarEvalError('extension', `${fn} takes a string`);
  const v =
    name === 'decimal'
      ? parseDecimal(arg)
      : name === 'ip' || name === 'ipaddr'
        ? parseIp(arg)
        : name === 'datetime'
          ? parseDatetime(arg)
          : name === 'duration'
            ? parseDuration(arg)
            : undefined;
  if (v === undefined) throw new CedarEvalError('extension', `${fn}(${JSON.stringify(arg)}) is not a valid value`);
  return v;
}
