/**
 * A labelled corpus of log lines of the platform (a multi-tenant Indian agency SaaS on AWS) for measuring the PII
 * scanner: Lambda runtime lines and pino JSON logs of the Amazon SP-API order import, WhatsApp Cloud API webhooks
 * and calls, Stripe webhooks, report queries, API Gateway JSON access logs, KYC checks and the occasional config
 * dump. Values of every detector are planted with valid check digits (Verhoeff Aadhaar, mod-36 GSTIN, Luhn cards)
 * in varied formats and positions, and labelled; hard negatives (order ids, AWB numbers failing the checksums,
 * epoch milliseconds, UUIDs, request ids, SKUs, amounts, PIN codes, IP addresses, ISO dates, hex hashes,
 * pagination tokens, a masked Stripe key) are everywhere and unlabelled. About 85% of lines carry nothing.
 * Deterministic for a seed.
 */
import { DETECTOR_IDS, type DetectorId } from '../../engine/scanner/types.ts';
import { gstinCheckChar, luhnCheckDigit, luhnValid, verhoeffCheckDigit, verhoeffValid, PAN_HOLDER_TYPES } from '../../engine/scanner/checksums.ts';

export interface CorpusLabel {
  detector: DetectorId;
  /** offset in the line (UTF-16 code units) */
  start: number;
  length: number;
}

export interface CorpusLine {
  text: string;
  labels: CorpusLabel[];
}

export interface CorpusOptions {
  lines: number;
  seed: number;
}

// ------------------------------------------------------------------------------------------------ PRNG
/** mulberry32: small, fast, deterministic. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = UPPER + LOWER + DIGITS;
const HEX = '0123456789abcdef';
const B64 = ALNUM + '+/';
const B64URL = ALNUM + '-_';
const BASE32 = UPPER + '234567';

class Rng {
  next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  str(alphabet: string, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }
  digits(n: number): string {
    return this.str(DIGITS, n);
  }
  hex(n: number): string {
    return this.str(HEX, n);
  }
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${this.pick(['8', '9', 'a', 'b'])}${this.hex(3)}-${this.hex(12)}`;
  }
}

/** One line under construction: text pieces and the labels of planted values. */
class Line {
  private parts: string[] = [];
  private len = 0;
  labels: CorpusLabel[] = [];
  t(s: string): this {
    this.parts.push(s);
    this.len += s.length;
    return this;
  }
  v(detector: DetectorId, s: string): this {
    this.labels.push({ detector, start: this.len, length: s.length });
    return this.t(s);
  }
  done(): CorpusLine {
    return { text: this.parts.join(''), labels: this.labels };
  }
}

// ------------------------------------------------------------------------------------------------ vocabulary
const FIRST = [
  'Rahul',
  'Priya',
  'Amit',
  'Sneha',
  'Vikram',
  'Anjali',
  'Arjun',
  'Kavya',
  'Rohan',
  'Pooja',
  'Sanjay',
  'Neha',
  'Karthik',
  'Divya',
  'Imran',
  'Fatima',
  'Harpreet',
  'Lakshmi',
  'Suresh',
  'Meera',
  'Aditya',
  'Ishita',
  'Manoj',
  'Ritu',
  'Gaurav',
  'Ayesha',
  'Nikhil',
  'Swati',
  'Deepak',
  'Shreya',
];
const LAST = [
  'Sharma',
  'Verma',
  'Iyer',
  'Reddy',
  'Patel',
  'Gupta',
  'Nair',
  'Singh',
  'Khan',
  'Das',
  'Mehta',
  'Rao',
  'Joshi',
  'Chopra',
  'Menon',
  'Kulkarni',
  'Banerjee',
  'Agarwal',
  'Pillai',
  'Bose',
];
const MAIL_DOMAINS = ['gmail.com', 'yahoo.co.in', 'outlook.com', 'rediffmail.com', 'hotmail.com', 'icloud.com', 'zoho.in', 'protonmail.com'];
const COMPANY_DOMAINS = [
  'kiranastores.in',
  'urbanthreads.co.in',
  'desibazaar.com',
  'spicetrail.in',
  'rangolicrafts.com',
  'agency.example.in',
  // internationalised domains (punycode)
  'dukaan.xn--h2brj9c',
  'xn--i1b6b1a6a2e.com',
];
const PSP = [
  'okaxis',
  'oksbi',
  'okhdfcbank',
  'okicici',
  'ybl',
  'ibl',
  'axl',
  'paytm',
  'upi',
  'apl',
  'ptyes',
  'ptaxis',
  'pthdfc',
  'ptsbi',
  'kotak',
  'icici',
  'hdfcbank',
  'sbi',
  'axisbank',
  'ikwik',
  'waaxis',
];
const CITIES: Array<[string, string, string]> = [
  ['BENGALURU', 'KARNATAKA', '560001'],
  ['MUMBAI', 'MAHARASHTRA', '400001'],
  ['NEW DELHI', 'DELHI', '110001'],
  ['CHENNAI', 'TAMIL NADU', '600001'],
  ['HYDERABAD', 'TELANGANA', '500001'],
  ['PUNE', 'MAHARASHTRA', '411001'],
  ['KOLKATA', 'WEST BENGAL', '700001'],
  ['JAIPUR', 'RAJASTHAN', '302001'],
  ['KOCHI', 'KERALA', '682001'],
  ['AHMEDABAD', 'GUJARAT', '380001'],
];
const GST_STATES = ['29', '27', '07', '33', '36', '24', '19', '08', '32', '09', '06', '23', '97'];
const SKUS = [
  'SKU-TSHIRT-BLK-XL',
  'KRT-COT-0042-M',
  'MUG-CER-350ML-WHT',
  'SAREE-SLK-RED-01',
  'TEA-ASSAM-500G',
  'BAG-JUTE-L-NAT',
  'KURTI-RYN-BLU-S',
  'SPICE-MIX-100G-07',
];
const ASIN_PREFIX = ['B07', 'B08', 'B09', 'B0C', 'B0B'];
/** service names, as log prefixes ("[order-sync]") and sibling fields ("service":"order-sync"): hold context words */
const SERVICES = ['order-sync', 'report-api', 'orders-api', 'invoice-worker', 'refund-batch', 'settlement-job', 'account-sync', 'tracking-poller'];
const FNS = ['spapi-order-import', 'wa-webhook', 'stripe-webhook', 'reports-api', 'kyc-verify', 'notify-worker', 'redaction-job'];
const STATUSES = ['Unshipped', 'Shipped', 'Pending', 'Canceled', 'PartiallyShipped'];
const CARRIERS = ['Delhivery', 'BlueDart', 'Ekart', 'XpressBees', 'DTDC', 'Shadowfax', 'ATS'];
const UAS = [
  'Mozilla/5.0 (Linux; Android 13; SM-A536E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'okhttp/4.9.2',
  'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
  'facebookexternalua',
  'axios/1.6.8',
];
const HINDI = ['नमस्ते, मेरा ऑर्डर कब आएगा?', 'धन्यवाद 🙏', 'कृपया जल्दी भेजें', 'ऑर्डर कैंसल करना है'];
const PATHS = [
  '/v1/orders',
  '/v1/orders/{orderId}',
  '/v1/reports/sales',
  '/v1/integrations/amazon/sync',
  '/v1/webhooks/whatsapp',
  '/v1/webhooks/stripe',
  '/v1/clients',
  '/v1/campaigns',
];

// ------------------------------------------------------------------------------------------------ valid values
class Values {
  constructor(private r: Rng) {}

  aadhaar(): string {
    const a = this.aadhaarPlain();
    const f = this.r.int(0, 5);
    if (f <= 1) return a;
    const sep = f <= 3 ? ' ' : f === 4 ? '-' : ':';
    return `${a.slice(0, 4)}${sep}${a.slice(4, 8)}${sep}${a.slice(8)}`;
  }

  aadhaarPlain(): string {
    const p = String(this.r.int(2, 9)) + this.r.digits(10);
    return p + verhoeffCheckDigit(p);
  }

  pan(holder?: string): string {
    return this.r.str(UPPER, 3) + (holder ?? this.r.pick([...PAN_HOLDER_TYPES])) + this.r.str(UPPER, 1) + this.r.digits(4) + this.r.str(UPPER, 1);
  }

  gstin(): string {
    const body = this.r.pick(GST_STATES) + this.pan(this.r.pick(['C', 'P', 'F', 'C', 'C'])) + (this.r.chance(0.8) ? '1' : this.r.pick(['2', '3', 'A'])) + 'Z';
    return body + gstinCheckChar(body);
  }

  mobile(): string {
    return String(this.r.int(6, 9)) + this.r.digits(9);
  }

  phone(): string {
    const m = this.mobile();
    switch (this.r.int(0, 9)) {
      case 0:
        return `+91 ${m.slice(0, 5)} ${m.slice(5)}`;
      case 1:
        return `+91-${m}`;
      case 2:
        return `+91 ${m}`;
      case 3:
        return `0${m}`;
      case 4:
        return `${m.slice(0, 5)} ${m.slice(5)}`;
      case 5:
        return `${m.slice(0, 5)}-${m.slice(5)}`;
      case 6:
        return `91${m}`;
      case 7:
        return `+91${m}`;
      default:
        return m;
    }
  }

  waId(): string {
    return '91' + this.mobile();
  }

  name(): [string, string] {
    return [this.r.pick(FIRST), this.r.pick(LAST)];
  }

  email(): string {
    const [f, l] = this.name();
    const style = this.r.int(0, 5);
    if (style === 0) return `${this.r.str(LOWER + DIGITS, 14)}@marketplace.amazon.in`;
    const local =
      style === 1
        ? `${f}.${l}`
        : style === 2
          ? `${f.toLowerCase()}${this.r.int(1, 999)}`
          : style === 3
            ? `${f[0].toLowerCase()}${l.toLowerCase()}`
            : `${f.toLowerCase()}_${l.toLowerCase()}${this.r.int(70, 99)}`;
    const domain = style === 5 ? this.r.pick(COMPANY_DOMAINS) : this.r.pick(MAIL_DOMAINS);
    return `${local}@${domain}`;
  }

  upi(): string {
    const [f, l] = this.name();
    const style = this.r.int(0, 3);
    const local =
      style === 0
        ? this.mobile()
        : style === 1
          ? `${f.toLowerCase()}.${l.toLowerCase()}`
          : style === 2
            ? `${f.toLowerCase()}${this.r.int(1, 99)}`
            : `${l.toLowerCase()}${f[0].toLowerCase()}-${this.r.int(1, 9)}`;
    return `${local}@${this.r.pick(PSP)}`;
  }

  card(): string {
    const kind = this.r.int(0, 11);
    let prefix: string;
    let len = 16;
    switch (kind) {
      case 0:
      case 1:
        prefix = '4';
        break;
      case 2:
        prefix = String(this.r.int(51, 55));
        break;
      case 3:
        prefix = String(this.r.int(2221, 2720));
        break;
      case 4:
        prefix = this.r.pick(['34', '37']);
        len = 15;
        break;
      case 5:
        prefix = this.r.pick(['60', '65', '81', '82', '508']);
        break;
      case 6:
        prefix = '6011';
        break;
      case 7:
        prefix = this.r.pick(['36', '38']);
        len = 14;
        break;
      case 8:
        prefix = '35' + this.r.int(28, 89);
        break;
      case 10:
        prefix = this.r.pick(['6759', '6761', '5018', '5893']); // Maestro
        len = this.r.pick([16, 16, 18, 19]);
        break;
      case 11: {
        const other = this.r.int(0, 2);
        if (other === 0)
          prefix = '5019'; // Dankort
        else if (other === 1) {
          prefix = '30' + this.r.int(0, 5); // Diners
          len = 14;
        } else {
          // UATP: grouped (a plain 15-digit number from 1 is a card only under "card")
          const p = '1' + this.r.digits(13);
          const num = p + luhnCheckDigit(p);
          return `${num.slice(0, 4)} ${num.slice(4, 10)} ${num.slice(10)}`;
        }
        break;
      }
      default:
        prefix = '4';
        len = this.r.pick([13, 19]);
    }
    const p = prefix + this.r.digits(len - 1 - prefix.length);
    const num = p + luhnCheckDigit(p);
    const f = this.r.int(0, 2);
    if (f === 0 || len === 13 || len === 18 || len === 19) return num;
    const sep = f === 1 ? ' ' : '-';
    if (len === 15 || len === 14) return `${num.slice(0, 4)}${sep}${num.slice(4, 10)}${sep}${num.slice(10)}`;
    return num.replace(/(\d{4})(?=\d)/g, `$1${sep}`);
  }

  passport(): string {
    return this.r.pick([...'ABCDEFGHJKLMNPRSTUVW']) + String(this.r.int(1, 9)) + this.r.digits(5) + String(this.r.int(1, 9));
  }

  voter(): string {
    return this.r.str(UPPER, 3) + this.r.digits(7);
  }

  awsAccessKey(): string {
    return this.r.pick(['AKIA', 'AKIA', 'ASIA', 'ASIA', 'ABIA', 'ACCA', 'A3T' + this.r.str(UPPER + DIGITS, 1)]) + this.r.str(BASE32, 16);
  }

  awsSecretKey(): string {
    for (;;) {
      const s = this.r.str(B64, 40);
      if (/[A-Z]/.test(s) && /[a-z]/.test(s)) return s;
    }
  }

  stripeKey(): string {
    const k = this.r.int(0, 4);
    if (k === 0) return 'whsec_' + this.r.str(ALNUM, 32);
    const prefix = ['sk_live_', 'rk_live_', 'sk_test_', 'sk_live_'][k - 1];
    return prefix + this.r.pick(['51', '4e']) + this.r.str(ALNUM, this.r.pick([24, 32, 97]));
  }

  razorpayKeyId(): string {
    return this.r.pick(['rzp_live_', 'rzp_test_']) + this.r.str(ALNUM, 14);
  }

  razorpaySecret(): string {
    return this.r.str(ALNUM, 24);
  }

  googleKey(): string {
    return 'AIza' + this.r.pick(['Sy', 'Sx']) + this.r.str(B64URL, 33);
  }

  jwt(): string {
    const h = this.r.chance(0.5) ? { alg: 'RS256', typ: 'JWT', kid: this.r.hex(16) } : { alg: 'HS256', typ: 'JWT' };
    // some issuers pretty-print the header ({\n  "alg"... : base64 "ewog")
    const header = this.r.chance(0.1) ? JSON.stringify(h, null, 2) : JSON.stringify(h);
    const payload = JSON.stringify({
      sub: `usr_${this.r.str(ALNUM, 10)}`,
      tenant: `tnt_${this.r.str(LOWER + DIGITS, 6)}`,
      iat: 1715500000 + this.r.int(0, 99999),
      exp: 1715600000 + this.r.int(0, 99999),
      scope: 'orders:read reports:read',
    });
    return `${Buffer.from(header).toString('base64url')}.${Buffer.from(payload).toString('base64url')}.${this.r.str(B64URL, this.r.pick([43, 86, 342]))}`;
  }

  /** a PEM private key, its line breaks escaped as in JSON */
  privateKey(): string {
    const kind = this.r.pick(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY']);
    const lines: string[] = [];
    const count = this.r.int(3, 12);
    for (let i = 0; i < count; i++) lines.push(this.r.str(B64, 64));
    return `-----BEGIN ${kind}-----\\n${lines.join('\\n')}\\n-----END ${kind}-----`;
  }

  metaToken(): string {
    return 'EAA' + this.r.pick(['G', 'B', 'J', 'I']) + this.r.str(ALNUM, this.r.int(150, 220));
  }

  /** a high-entropy secret for generic_secret (passwords, LWA tokens, partner API keys, session tokens) */
  genericSecret(kind: 'password' | 'lwa_refresh' | 'lwa_access' | 'client_secret' | 'api_key' | 'session' | 'webhook'): string {
    for (;;) {
      let s: string;
      switch (kind) {
        case 'password':
          s = this.r.str(ALNUM + '!#$%^*-_=+', this.r.int(16, 28));
          break;
        case 'lwa_refresh':
          s = 'Atzr|IwEB' + this.r.str(ALNUM + '-_', this.r.int(120, 200));
          break;
        case 'lwa_access':
          s = 'Atza|IwEB' + this.r.str(ALNUM + '-_', this.r.int(150, 250));
          break;
        case 'client_secret':
          s = 'amzn1.oa2-cs.v1.' + this.r.hex(64);
          break;
        case 'api_key':
          s = this.r.str(ALNUM, this.r.pick([32, 48]));
          break;
        case 'session':
          s = 'IQoJb3JpZ2luX2Vj' + this.r.str(B64, this.r.int(200, 400)) + '=';
          break;
        default:
          s = this.r.hex(8) + this.r.str(ALNUM, 24);
      }
      if (entropy(s) >= 3.7) return s;
    }
  }

  // ---- hard negatives
  orderId(): string {
    return `${this.r.pick(['402', '403', '404', '405', '171', '408'])}-${this.r.digits(7)}-${this.r.digits(7)}`;
  }

  /** a 12-13 digit AWB number that fails Verhoeff and Luhn (so no checksum-based detector may claim it) */
  awb(): string {
    for (;;) {
      const n = String(this.r.int(1, 9)) + this.r.digits(this.r.pick([11, 12]));
      const d = [...n].map(Number);
      if (n.length === 12 && verhoeffValid(d)) continue;
      if (n.length === 13 && luhnValid(d)) continue;
      return n;
    }
  }

  epochMs(): string {
    return String(1715000000000 + this.r.int(0, 999_999_999));
  }

  epochS(): string {
    return String(1715000000 + this.r.int(0, 999_999));
  }

  iso(): string {
    return `2024-05-${String(this.r.int(1, 28)).padStart(2, '0')}T${String(this.r.int(0, 23)).padStart(2, '0')}:${String(this.r.int(0, 59)).padStart(2, '0')}:${String(this.r.int(0, 59)).padStart(2, '0')}.${this.r.digits(3)}Z`;
  }

  ipv4(): string {
    return `${this.r.pick(['103', '49', '157', '106', '117', '182'])}.${this.r.int(0, 255)}.${this.r.int(0, 255)}.${this.r.int(1, 254)}`;
  }

  ipv6(): string {
    return `2405:${this.r.hex(3)}:${this.r.hex(4)}:${this.r.hex(4)}:${this.r.hex(4)}:${this.r.hex(3)}:${this.r.hex(4)}:${this.r.hex(4)}`;
  }

  asin(): string {
    return this.r.pick(ASIN_PREFIX) + this.r.str(UPPER + DIGITS, 7);
  }

  tenant(): string {
    return `tnt_${this.r.str(LOWER + DIGITS, 6)}`;
  }

  amount(): string {
    return `${this.r.int(99, 24999)}.${this.r.pick(['00', '50', '99'])}`;
  }

  stripeId(prefix: string): string {
    return `${prefix}_${this.r.pick(['1P', '3P', '2O'])}${this.r.str(ALNUM, 22)}`;
  }

  wamid(): string {
    return 'wamid.HBgM' + this.r.str(B64.slice(0, 62), 40) + '==';
  }
}

function entropy(s: string): number {
  const m = new Map<string, number>();
  for (const c of s) m.set(c, (m.get(c) ?? 0) + 1);
  let h = 0;
  for (const k of m.values()) h -= (k / s.length) * Math.log2(k / s.length);
  return h;
}

// ------------------------------------------------------------------------------------------------ line sources
class Gen {
  v: Values;
  constructor(private r: Rng) {
    this.v = new Values(r);
  }

  /** an AWS account id: 12 digits (a hard negative for Aadhaar, whose checksum it passes one time in ten) */
  accountId(): string {
    return String(this.r.int(1, 9)) + this.r.digits(11);
  }

  pinoHead(l: Line, fn: string, level = 30): void {
    l.t(
      `{"level":${level},"time":${this.v.epochMs()},"pid":${this.r.int(7, 9)},"hostname":"169.254.${this.r.int(0, 255)}.${this.r.int(1, 254)}","fn":"${fn}","tenantId":"${this.v.tenant()}","requestId":"${this.r.uuid()}"`,
    );
    // a sibling field naming the service (with "order", "report", "refund"... in it) is no value's context
    if (this.r.chance(0.4)) l.t(`,"service":"${this.r.pick(SERVICES)}"`);
  }

  /**
   * Text and JSON lines of services whose names hold context words ("[order-sync]", "[report-api]"): values after
   * such a prefix or beside such a sibling field are still values; a value whose own key says order, awb... is not.
   */
  service(): CorpusLine {
    const l = new Line();
    const svc = this.r.pick(SERVICES);
    l.t(`${this.v.iso()} [${svc}] ${this.r.pick(['INFO', 'INFO', 'WARN'])} `);
    const k = this.r.int(0, 9);
    if (k === 0) l.t('customer ').v('in_phone', this.v.mobile()).t(' opted in to updates');
    else if (k === 1) l.t('verified ').v('aadhaar', this.v.aadhaarPlain()).t(` for tenant ${this.v.tenant()}`);
    else if (k === 2) l.t(`{"service":"${svc}","msg":"contact updated","value":"`).v('in_phone', this.v.mobile()).t('"}');
    else if (k === 3) l.t(`{"service":"${svc}","msg":"document checked","value":"`).v('aadhaar', this.v.aadhaarPlain()).t('","ok":true}');
    else if (k === 4) l.t(`order_id=${this.v.aadhaarPlain()} synced in ${this.r.int(2, 900)} ms`);
    else if (k === 5) l.t(`{"service":"${svc}","awb":"${this.v.aadhaarPlain()}","trackingNumber":"${this.v.mobile()}"}`);
    else if (k === 6) l.t(`{"service":"${svc}","orderRef":"${this.v.mobile()}","reportId":"${this.v.aadhaarPlain()}"}`);
    else if (k === 7) l.t(`invoice ${this.v.aadhaarPlain()} settled, refund batch ${this.v.mobile()} queued`);
    else l.t(`GET ${this.r.pick(PATHS)} ${this.r.pick(['200', '304', '404'])} ${this.r.int(1, 900)}ms`);
    return l.done();
  }

  runtime(): CorpusLine {
    const id = this.r.uuid();
    const k = this.r.int(0, 5);
    const l = new Line();
    if (k === 0) l.t(`START RequestId: ${id} Version: $LATEST`);
    else if (k === 1) l.t(`END RequestId: ${id}`);
    else if (k === 2) {
      l.t(
        `REPORT RequestId: ${id}\tDuration: ${this.r.int(2, 2900)}.${this.r.digits(2)} ms\tBilled Duration: ${this.r.int(3, 3000)} ms\tMemory Size: ${this.r.pick([256, 512, 1024])} MB\tMax Memory Used: ${this.r.int(70, 240)} MB`,
      );
      if (this.r.chance(0.1)) l.t(`\tInit Duration: ${this.r.int(150, 900)}.${this.r.digits(2)} ms`);
    } else if (k === 3) l.t(`XRAY TraceId: 1-${this.r.hex(8)}-${this.r.hex(24)}\tSegmentId: ${this.r.hex(16)}\tSampled: true`);
    else if (k === 4)
      l.t(
        `${this.v.iso()}\t${id}\tINFO\tprocessed batch of ${this.r.int(1, 500)} records in ${this.r.int(3, 9000)} ms (shard ${this.r.int(0, 15)}, checkpoint ${this.v.epochMs()})`,
      );
    else if (this.r.chance(0.5))
      l.t(`INIT_START Runtime Version: nodejs:20.v${this.r.int(13, 27)}\tRuntime Version ARN: arn:aws:lambda:ap-south-1::runtime:${this.r.hex(64)}`);
    else
      l.t(
        `${this.v.iso()}\t${id}\tINFO\tinvoked arn:aws:lambda:ap-south-1:${this.accountId()}:function:${this.r.pick(FNS)} role=arn:aws:iam::${this.accountId()}:role/${this.r.pick(FNS)}-role`,
      );
    return l.done();
  }

  order(): CorpusLine {
    const l = new Line();
    const dirty = this.r.chance(0.12);
    const [city, state, pin] = this.r.pick(CITIES);
    this.pinoHead(l, 'spapi-order-import');
    l.t(
      `,"msg":"order imported","amazonOrderId":"${this.v.orderId()}","marketplaceId":"A21TJRUUN4KGV","purchaseDate":"${this.v.iso()}","lastUpdateDate":"${this.v.iso()}","orderStatus":"${this.r.pick(STATUSES)}","fulfillmentChannel":"${this.r.pick(['MFN', 'AFN'])}","orderTotal":{"currencyCode":"INR","amount":"${this.v.amount()}"},"numberOfItemsShipped":${this.r.int(0, 3)},"numberOfItemsUnshipped":${this.r.int(0, 3)}`,
    );
    l.t(`,"shippingAddress":{"city":"${city}","stateOrRegion":"${state}","postalCode":"${pin}","countryCode":"IN"`);
    if (dirty) {
      const [f, la] = this.v.name();
      const what = this.r.int(0, 5);
      if (what <= 1) l.t(`,"name":"${f} ${la}","phone":"`).v('in_phone', this.v.phone()).t('"');
      if (what === 2)
        l.t(`,"addressLine1":"Flat ${this.r.int(1, 999)}, ${la} Residency, near metro, call `)
          .v('in_phone', this.v.phone())
          .t(`"`);
      l.t('}');
      if (what === 0 || what === 3) l.t(`,"buyerInfo":{"buyerEmail":"`).v('email', this.v.email()).t(`","buyerName":"${f} ${la}"}`);
      if (what === 4)
        l.t(`,"buyerTaxInfo":{"companyLegalName":"${la} Traders","taxingRegion":"${state}","taxClassifications":[{"name":"GSTIN","value":"`)
          .v('gstin', this.v.gstin())
          .t('"}]}');
      if (what === 5) l.t(`,"buyerTaxInfo":{"taxClassifications":[{"name":"PAN","value":"`).v('pan', this.v.pan()).t('"}]}');
    } else l.t('}');
    l.t(
      `,"items":[{"asin":"${this.v.asin()}","sellerSKU":"${this.r.pick(SKUS)}","quantityOrdered":${this.r.int(1, 4)},"itemPrice":{"currencyCode":"INR","amount":"${this.v.amount()}"}}],"durationMs":${this.r.int(20, 4000)}}`,
    );
    return l.done();
  }

  spapiOther(): CorpusLine {
    const l = new Line();
    const k = this.r.int(0, 3);
    if (k === 0) {
      this.pinoHead(l, 'spapi-order-import');
      l.t(
        `,"msg":"getOrders page","createdAfter":"${this.v.iso()}","orders":${this.r.int(0, 100)},"NextToken":"${this.r.str(B64, this.r.int(60, 160))}=","rateLimit":"0.0167","x-amzn-RequestId":"${this.r.uuid()}"}`,
      );
    } else if (k === 1) {
      this.pinoHead(l, 'spapi-order-import');
      l.t(
        `,"msg":"shipment confirmed","amazonOrderId":"${this.v.orderId()}","carrier":"${this.r.pick(CARRIERS)}","awb":"${this.v.awb()}","trackingNumber":"${this.v.awb()}","shipDate":"${this.v.iso()}","packageWeightGrams":${this.r.int(100, 5000)},"etag":"${this.r.hex(32)}"}`,
      );
    } else if (k === 2) {
      this.pinoHead(l, 'spapi-order-import', 40);
      l.t(
        `,"msg":"throttled, retrying","operation":"getOrderItems","amazonOrderId":"${this.v.orderId()}","attempt":${this.r.int(1, 5)},"retryAfterMs":${this.r.int(100, 4000)},"lotNumber":"${this.r.pick([...UPPER])}${this.r.digits(7)}","reportId":"5${this.r.digits(10)}","sha256":"${this.r.hex(64)}"}`,
      );
    } else {
      this.pinoHead(l, 'redaction-job');
      l.t(
        `,"msg":"redacted delivered orders","olderThan":"${this.v.iso()}","orders":${this.r.int(0, 9000)},"checkpoint":${this.v.epochMs()},"batchRef":"${this.r.str(UPPER, 3)}${this.r.digits(7)}","commit":"${this.r.hex(40)}","md5":"${this.r.hex(32)}"}`,
      );
    }
    return l.done();
  }

  whatsapp(): CorpusLine {
    const l = new Line();
    const waba = '1' + this.r.digits(14);
    const pnid = '1' + this.r.digits(14);
    this.pinoHead(l, 'wa-webhook');
    l.t(
      `,"msg":"webhook received","event":{"object":"whatsapp_business_account","entry":[{"id":"${waba}","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"`,
    )
      .v('in_phone', this.v.waId())
      .t(`","phone_number_id":"${pnid}"}`);
    const wa = this.v.waId();
    if (this.r.chance(0.5)) {
      l.t(`,"statuses":[{"id":"${this.v.wamid()}","status":"${this.r.pick(['sent', 'delivered', 'read'])}","timestamp":"${this.v.epochS()}","recipient_id":"`)
        .v('in_phone', wa)
        .t(`","conversation":{"id":"${this.r.hex(32)}","origin":{"type":"utility"}},"pricing":{"billable":true,"pricing_model":"CBP","category":"utility"}}]`);
    } else {
      const [f] = this.v.name();
      l.t(`,"contacts":[{"profile":{"name":"${f}"},"wa_id":"`)
        .v('in_phone', wa)
        .t(`"}],"messages":[{"from":"`)
        .v('in_phone', wa)
        .t(`","id":"${this.v.wamid()}","timestamp":"${this.v.epochS()}","type":"text","text":{"body":"`);
      this.messageBody(l);
      l.t(`"}}]`);
    }
    l.t(`},"field":"messages"}]}]}}`);
    return l.done();
  }

  /** free text a buyer writes, sometimes with a value in it */
  messageBody(l: Line): void {
    const k = this.r.int(0, 17);
    const order = this.v.orderId();
    switch (k) {
      case 0:
        l.t(`Hi, my order ${order} is not delivered yet. Call me on `).v('in_phone', this.v.phone());
        break;
      case 1:
        l.t('Please send invoice with my GST no ').v('gstin', this.v.gstin()).t(` for order ${order}`);
        break;
      case 2:
        l.t('PAN for invoice: ').v('pan', this.v.pan()).t(' thanks');
        break;
      case 3:
        l.t('I paid ₹').t(this.v.amount()).t(' via UPI to ').v('upi', this.v.upi()).t(', pls check');
        break;
      case 4:
        l.t('my email is ').v('email', this.v.email()).t(' send the bill there');
        break;
      case 5:
        l.t('KYC: my aadhaar number is ').v('aadhaar', this.v.aadhaar());
        break;
      case 6:
        l.t('passport no. ').v('in_passport', this.v.passport()).t(' for the visa courier');
        break;
      case 7:
        l.t('voter id card ').v('voter_id', this.v.voter()).t(' attached');
        break;
      case 8:
        l.t('card ').v('card', this.v.card()).t(' was charged twice!!');
        break;
      case 9:
        l.t(`Return pickup for ${order}? AWB ${this.v.awb()} shows RTO`);
        break;
      default:
        if (this.r.chance(0.3)) l.t(this.r.pick(HINDI));
        else
          l.t(
            this.r.pick([
              'Is this available in XL?',
              'When will it ship?',
              `Where is my order ${order}`,
              'ok thanks',
              `Price is ₹${this.v.amount()}? pin ${this.r.pick(CITIES)[2]}`,
              'Cancel please',
            ]),
          );
    }
  }

  whatsappSend(): CorpusLine {
    const l = new Line();
    const pnid = '1' + this.r.digits(14);
    this.pinoHead(l, 'notify-worker', 20);
    l.t(`,"msg":"whatsapp send","request":{"method":"POST","url":"https://graph.facebook.com/v19.0/${pnid}/messages","headers":{"Authorization":"Bearer `)
      .v('meta_token', this.v.metaToken())
      .t(`","Content-Type":"application/json"},"body":{"messaging_product":"whatsapp","to":"`)
      .v('in_phone', this.v.waId())
      .t(`","type":"template","template":{"name":"order_shipped","language":{"code":"en"}}}},"status":200,"ms":${this.r.int(80, 900)}}`);
    return l.done();
  }

  stripe(): CorpusLine {
    const l = new Line();
    const dirty = this.r.chance(0.1);
    this.pinoHead(l, 'stripe-webhook');
    l.t(
      `,"msg":"event","stripeEvent":{"id":"${this.v.stripeId('evt')}","object":"event","api_version":"2023-10-16","created":${this.v.epochS()},"type":"${this.r.pick(['payment_intent.succeeded', 'charge.refunded', 'invoice.paid', 'customer.subscription.updated'])}","livemode":true,"data":{"object":{"id":"${this.v.stripeId('pi')}","amount":${this.r.int(9900, 2499900)},"currency":"inr","status":"succeeded","customer":"${this.v.stripeId('cus')}","latest_charge":"${this.v.stripeId('ch')}"`,
    );
    if (dirty) {
      const k = this.r.int(0, 3);
      if (k === 0) l.t(`,"receipt_email":"`).v('email', this.v.email()).t('"');
      if (k === 1)
        l.t(`,"billing_details":{"email":"`)
          .v('email', this.v.email())
          .t(`","phone":"`)
          .v('in_phone', this.v.phone())
          .t(`","address":{"postal_code":"${this.r.pick(CITIES)[2]}"}}`);
      if (k === 2)
        l.t(`,"payment_method_details":{"card":{"number":"`)
          .v('card', this.v.card())
          .t(`","exp_month":${this.r.int(1, 12)},"exp_year":${this.r.int(2025, 2031)}}}`);
      if (k === 3)
        l.t(`,"client_secret":"`)
          .v('generic_secret', `${this.v.stripeId('pi')}_secret_${this.r.str(ALNUM, 25)}`)
          .t('"');
    } else
      l.t(
        `,"payment_method_details":{"card":{"brand":"visa","last4":"${this.r.digits(4)}","exp_month":${this.r.int(1, 12)},"exp_year":${this.r.int(2025, 2031)}}}`,
      );
    l.t(
      `}},"request":{"id":"req_${this.r.str(ALNUM, 14)}","idempotency_key":"${this.r.uuid()}"}},"stripeSignature":"t=${this.v.epochS()},v1=${this.r.hex(64)}","verified":true}`,
    );
    return l.done();
  }

  report(): CorpusLine {
    const l = new Line();
    const dirty = this.r.chance(0.1);
    this.pinoHead(l, 'reports-api', 20);
    const from = this.v.iso().slice(0, 10);
    if (!dirty) {
      l.t(
        `,"msg":"report query","report":"orders_by_state","sql":"SELECT state, count(*) AS orders, sum(total_paise) AS revenue FROM orders WHERE tenant_id = $1 AND purchase_date BETWEEN $2 AND $3 GROUP BY state","params":["${this.v.tenant()}","${from}","2024-05-31"],"rows":${this.r.int(0, 36)},"ms":${this.r.int(3, 900)}}`,
      );
      return l.done();
    }
    const k = this.r.int(0, 4);
    if (k === 0)
      l.t(`,"msg":"report query","report":"buyer_lookup","sql":"SELECT order_id, total_paise FROM orders WHERE tenant_id = $1 AND buyer_email = '`)
        .v('email', this.v.email())
        .t(`' LIMIT 50","rows":${this.r.int(0, 20)},"ms":${this.r.int(3, 900)}}`);
    if (k === 1)
      l.t(
        `,"msg":"report query","report":"buyer_lookup","sql":"SELECT order_id FROM orders WHERE tenant_id = $1 AND buyer_phone = $2","params":["${this.v.tenant()}","`,
      )
        .v('in_phone', '+91' + this.v.mobile())
        .t(`"],"rows":${this.r.int(0, 20)},"ms":${this.r.int(3, 900)}}`);
    if (k === 2)
      l.t(`,"msg":"report query","report":"gst_invoices","filter":{"gstin":"`)
        .v('gstin', this.v.gstin())
        .t(`","month":"2024-05"},"rows":${this.r.int(0, 400)},"ms":${this.r.int(3, 900)}}`);
    if (k === 3)
      l.t(`,"msg":"report query","report":"tds_summary","filter":{"pan":"`)
        .v('pan', this.v.pan())
        .t(`","fy":"2024-25"},"rows":${this.r.int(0, 12)},"ms":${this.r.int(3, 900)}}`);
    if (k === 4)
      l.t(`,"msg":"slow query","sql":"UPDATE payouts SET status = 'sent' WHERE upi_vpa = '`)
        .v('upi', this.v.upi())
        .t(`' AND amount_paise = ${this.r.int(100, 999999)}","ms":${this.r.int(900, 9000)}}`);
    return l.done();
  }

  access(): CorpusLine {
    const l = new Line();
    const dirty = this.r.chance(0.07);
    const method = this.r.pick(['GET', 'GET', 'POST', 'PUT']);
    l.t(
      `{"requestId":"${this.r.uuid()}","accountId":"${this.accountId()}","apiId":"${this.r.str(LOWER + DIGITS, 10)}","extendedRequestId":"${this.r.str(ALNUM, 14)}=","ip":"${this.r.chance(0.8) ? this.v.ipv4() : this.v.ipv6()}","caller":"-","user":"-","requestTime":"${this.r.int(10, 28)}/May/2024:${this.r.int(10, 23)}:${this.r.int(10, 59)}:${this.r.int(10, 59)} +0000","httpMethod":"${method}","resourcePath":"${this.r.pick(PATHS)}"`,
    );
    if (dirty) {
      const k = this.r.int(0, 5);
      if (k === 0) {
        const e = this.v.email();
        l.t(`,"path":"/v1/buyers/search?email=`)
          .v('email', this.r.chance(0.4) ? e.replace('@', '%40') : e)
          .t(`&limit=20"`);
      }
      if (k === 1) l.t(`,"path":"/v1/buyers/search?phone=`).v('in_phone', this.v.mobile()).t(`"`);
      if (k === 2) l.t(`,"path":"/v1/kyc/verify?aadhaar=`).v('aadhaar', this.v.aadhaar().replace(/[ -]/g, '')).t(`&consent=Y"`);
      if (k === 3) l.t(`,"path":"/v1/orders","authorization":"Bearer `).v('jwt', this.v.jwt()).t('"');
      if (k === 4) l.t(`,"path":"/v1/maps/geocode","x-api-key":"`).v('google_api_key', this.v.googleKey()).t('"');
      if (k === 5) l.t(`,"path":"/v1/pay/collect","query":"upi://pay?pa=`).v('upi', this.v.upi()).t(`&pn=Store&am=${this.v.amount()}&cu=INR"`);
    } else l.t(`,"path":"/v1/orders/${this.v.orderId()}"`);
    l.t(
      `,"status":"${this.r.pick(['200', '200', '200', '201', '204', '400', '403', '429', '500'])}","protocol":"HTTP/1.1","responseLength":"${this.r.int(0, 90000)}","integrationLatency":"${this.r.int(2, 3000)}","userAgent":"${this.r.pick(UAS)}","xrayTraceId":"Root=1-${this.r.hex(8)}-${this.r.hex(24)}"}`,
    );
    return l.done();
  }

  appText(): CorpusLine {
    const l = new Line();
    l.t(`${this.v.iso()}\t${this.r.uuid()}\t${this.r.pick(['INFO', 'INFO', 'WARN', 'ERROR'])}\t`);
    if (this.r.chance(0.3)) l.t(`[${this.r.pick(SERVICES)}] `);
    const k = this.r.int(0, 13);
    switch (k) {
      case 0:
        l.t('Sending OTP to ').v('in_phone', this.v.phone()).t(` for tenant ${this.v.tenant()}`);
        break;
      case 1:
        l.t('invite sent to ').v('email', this.v.email()).t(` (role=agency_admin)`);
        break;
      case 2:
        l.t('payout queued to ').v('upi', this.v.upi()).t(` amount ₹${this.v.amount()}`);
        break;
      case 3:
        l.t(`Invalid API Key provided: sk_live_${'*'.repeat(20)}${this.r.str(ALNUM, 4)}`);
        break;
      case 4:
        l.t(`order ${this.v.orderId()} synced, ${this.r.int(1, 9)} items, total ₹${this.v.amount()}, pin ${this.r.pick(CITIES)[2]}, awb ${this.v.awb()}`);
        break;
      case 5:
        l.t(`cache miss key=orders:${this.v.tenant()}:${this.v.epochMs()} ttl=300 hash=${this.r.hex(40)}`);
        break;
      case 6:
        l.t(`connected to ${this.v.ipv4()}:5432 in ${this.r.int(2, 400)} ms, session ${this.r.uuid()}`);
        break;
      case 7:
        l.t(`escaped event body: "{\\"phone\\":\\"`).v('in_phone', this.v.phone()).t(`\\",\\"email\\":\\"`).v('email', this.v.email()).t(`\\"}"`);
        break;
      default:
        l.t(
          `GET ${this.r.pick(PATHS)} ${this.r.pick(['200', '304', '404'])} ${this.r.int(1, 900)}ms ip=${this.v.ipv4()} ua="${this.r.pick(UAS)}" at ${this.v.epochMs()}`,
        );
    }
    return l.done();
  }

  kyc(): CorpusLine {
    const l = new Line();
    this.pinoHead(l, 'kyc-verify');
    const [f, la] = this.v.name();
    const k = this.r.int(0, 4);
    if (k === 0)
      l.t(`,"msg":"document verified","docType":"passport","passportNumber":"`)
        .v('in_passport', this.v.passport())
        .t(`","name":"${f} ${la}","expiry":"203${this.r.int(0, 4)}-0${this.r.int(1, 9)}-1${this.r.int(0, 9)}"}`);
    if (k === 1)
      l.t(`,"msg":"document verified","docType":"voter_id","epicNumber":"`)
        .v('voter_id', this.v.voter())
        .t(`","name":"${f} ${la}","state":"${this.r.pick(CITIES)[1]}"}`);
    if (k === 2)
      l.t(`,"msg":"document verified","docType":"aadhaar","aadhaarNumber":"`)
        .v('aadhaar', this.v.aadhaar())
        .t(`","name":"${f} ${la}","pincode":"${this.r.pick(CITIES)[2]}"}`);
    if (k === 3)
      l.t(`,"msg":"document verified","docType":"pan","pan":"`)
        .v('pan', this.v.pan('P'))
        .t(`","name":"${f} ${la}","dob":"19${this.r.int(60, 99)}-0${this.r.int(1, 9)}-2${this.r.int(0, 8)}"}`);
    if (k === 4)
      l.t(`,"msg":"merchant onboarding","legalName":"${la} Enterprises","gstin":"`)
        .v('gstin', this.v.gstin())
        .t(`","pan":"`)
        .v('pan', this.v.pan('F'))
        .t(`","settlement":{"upi":"`)
        .v('upi', this.v.upi())
        .t(`"}}`);
    return l.done();
  }

  secrets(): CorpusLine {
    const l = new Line();
    const k = this.r.int(0, 7);
    if (k === 0) {
      this.pinoHead(l, 'spapi-order-import', 50);
      l.t(`,"msg":"LWA token refresh failed","lwa":{"grant_type":"refresh_token","refresh_token":"`)
        .v('generic_secret', this.v.genericSecret('lwa_refresh'))
        .t(`","client_id":"amzn1.application-oa2-client.${this.r.hex(32)}","client_secret":"`)
        .v('generic_secret', this.v.genericSecret('client_secret'))
        .t(`"},"status":400,"error":"invalid_grant"}`);
    } else if (k === 1) {
      this.pinoHead(l, 'reports-api', 40);
      l.t(`,"msg":"aws client init","region":"ap-south-1","credentials":{"accessKeyId":"`)
        .v('aws_access_key', this.v.awsAccessKey())
        .t(`","secretAccessKey":"`)
        .v('aws_secret_key', this.v.awsSecretKey())
        .t(`","sessionToken":"`)
        .v('generic_secret', this.v.genericSecret('session'))
        .t(`","expiration":"${this.v.iso()}"}}`);
    } else if (k === 2) {
      l.t(`${this.v.iso()}\t${this.r.uuid()}\tDEBUG\tenv RAZORPAY_KEY_ID=`)
        .v('razorpay_key', this.v.razorpayKeyId())
        .t(' RAZORPAY_KEY_SECRET=')
        .v('razorpay_key', this.v.razorpaySecret())
        .t(' STRIPE_SECRET_KEY=')
        .v('stripe_key', this.v.stripeKey())
        .t(` NODE_ENV=production DB_PASSWORD=`)
        .v('generic_secret', this.v.genericSecret('password'))
        .t(` AWS_REGION=ap-south-1`);
    } else if (k === 3) {
      this.pinoHead(l, 'reports-api');
      l.t(
        `,"msg":"loaded service account","sa":{"type":"service_account","project_id":"agency-prod-${this.r.int(100, 999)}","private_key_id":"${this.r.hex(40)}","private_key":"`,
      )
        .v('private_key', this.v.privateKey())
        .t(`\\n","client_email":"`)
        .v('email', `reports@agency-prod-${this.r.int(100, 999)}.iam.gserviceaccount.com`)
        .t(`","client_id":"1${this.r.digits(20)}"}}`);
    } else if (k === 4) {
      this.pinoHead(l, 'stripe-webhook', 40);
      l.t(`,"msg":"config","stripe":{"apiKey":"`)
        .v('stripe_key', this.v.stripeKey())
        .t(`","webhookSecret":"`)
        .v('stripe_key', 'whsec_' + this.r.str(ALNUM, 32))
        .t(`"},"razorpay":{"key_id":"`)
        .v('razorpay_key', this.v.razorpayKeyId())
        .t(`","key_secret":"`)
        .v('razorpay_key', this.v.razorpaySecret())
        .t(`"}}`);
    } else if (k === 5) {
      this.whatsappSendInto(l);
    } else if (k === 6) {
      this.pinoHead(l, 'notify-worker', 40);
      l.t(`,"msg":"partner call failed","headers":{"x-api-key":"`)
        .v('generic_secret', this.v.genericSecret('api_key'))
        .t(`","authorization":"Bearer `)
        .v('jwt', this.v.jwt())
        .t(`"},"status":401}`);
    } else {
      this.pinoHead(l, 'kyc-verify', 20);
      l.t(`,"msg":"login","event":{"body":"{\\"email\\":\\"`)
        .v('email', this.v.email())
        .t(`\\",\\"password\\":\\"`)
        .v('generic_secret', this.v.genericSecret('password'))
        .t(`\\"}","isBase64Encoded":false},"maps":{"key":"`)
        .v('google_api_key', this.v.googleKey())
        .t(`"}}`);
    }
    return l.done();
  }

  /** validation failures and placeholders: values that look right and are not (all unlabelled) */
  validation(): CorpusLine {
    const l = new Line();
    this.pinoHead(l, this.r.pick(['kyc-verify', 'reports-api', 'stripe-webhook']), 40);
    const k = this.r.int(0, 9);
    if (k === 0) {
      const g = this.v.gstin();
      const bad = g.slice(0, 14) + (g[14] === 'A' ? 'B' : 'A');
      l.t(`,"msg":"validation failed","field":"gstin","value":"${bad}","error":"checksum mismatch"}`);
    } else if (k === 1) {
      let a: string;
      do a = String(this.r.int(2, 9)) + this.r.digits(11);
      while (verhoeffValid([...a].map(Number)));
      l.t(`,"msg":"validation failed","field":"aadhaar","value":"${a.slice(0, 4)} ${a.slice(4, 8)} ${a.slice(8)}","error":"checksum mismatch"}`);
    } else if (k === 2) {
      let c: string;
      do c = '4' + this.r.digits(15);
      while (luhnValid([...c].map(Number)));
      l.t(`,"msg":"gift card redeemed","code":"${c.replace(/(\d{4})(?=\d)/g, '$1 ')}","balancePaise":${this.r.int(0, 500000)}}`);
    } else if (k === 3) {
      l.t(
        `,"msg":"validation failed","field":"pan","value":"${this.r.str(UPPER, 3)}${this.r.pick(['X', 'Q', 'M', 'D'])}${this.r.str(UPPER, 1)}${this.r.digits(4)}${this.r.str(UPPER, 1)}","error":"invalid holder type"}`,
      );
    } else if (k === 4) {
      l.t(`,"msg":"stripe client","publishableKey":"pk_live_${this.r.str(ALNUM, 99)}","apiVersion":"2023-10-16"}`);
    } else if (k === 5) {
      l.t(
        `,"msg":"page","cursor":"${Buffer.from(JSON.stringify({ offset: this.r.int(0, 9999), tenant: this.v.tenant() })).toString('base64url')}","limit":50}`,
      );
    } else if (k === 6) {
      l.t(
        `,"msg":"config loaded","db":{"host":"db.internal","password":"********"},"token":"<redacted>","secret":"arn:aws:secretsmanager:ap-south-1:${this.r.digits(12)}:secret:prod/razorpay-${this.r.str(ALNUM, 6)}"}`,
      );
    } else if (k === 7) {
      l.t(
        `,"msg":"buyer contact (masked)","phone":"+91 ${this.r.int(6, 9)}${this.r.digits(1)}XXX XXX${this.r.digits(2)}","email":"${this.r.pick(FIRST)[0].toLowerCase()}***@gmail.com","token":"test-token-test-token"}`,
      );
    } else if (k === 8) {
      l.t(
        `,"msg":"deps","versions":{"@aws-sdk/client-dynamodb":"3.583.0","pino":"10.4.0"},"image":"public.ecr.aws/lambda/nodejs@sha256:${this.r.hex(64)}","user":"ec2-user@ip-10-0-${this.r.int(0, 255)}-${this.r.int(1, 254)}"}`,
      );
    } else {
      let v: string;
      do v = this.r.digits(16);
      while (luhnValid([...v].map(Number)));
      l.t(
        `,"msg":"refund","amountPaise":${this.r.int(100, 9999999)},"utr":"${this.r.int(1, 5)}${this.r.digits(11)}","invoice":"INV-2024-${this.r.digits(6)}","voucher":"${v.replace(/(\d{4})(?=\d)/g, '$1-')}"}`,
      );
    }
    return l.done();
  }

  whatsappSendInto(l: Line): void {
    this.pinoHead(l, 'notify-worker', 50);
    l.t(`,"msg":"whatsapp token expired","access_token":"`)
      .v('meta_token', this.v.metaToken())
      .t(`","webhook_verify_token":"`)
      .v('generic_secret', this.v.genericSecret('webhook'))
      .t(`","to":"`)
      .v('in_phone', this.v.waId())
      .t(`"}`);
  }

  line(): CorpusLine {
    const x = this.r.next();
    if (x < 0.22) return this.runtime();
    if (x < 0.42) return this.order();
    if (x < 0.5) return this.spapiOther();
    if (x < 0.565) return this.whatsapp();
    if (x < 0.575) return this.whatsappSend();
    if (x < 0.655) return this.stripe();
    if (x < 0.755) return this.report();
    if (x < 0.92) return this.access();
    if (x < 0.935) return this.validation();
    if (x < 0.955) return this.appText();
    if (x < 0.97) return this.service();
    if (x < 0.985) return this.kyc();
    return this.secrets();
  }
}

/**
 * The detectors whose values the generator plants (and sampleSnippets holds): the scan engine's, every id before
 * the personal-data detectors.
 */
export const CORPUS_DETECTORS: readonly DetectorId[] = DETECTOR_IDS.slice(0, DETECTOR_IDS.indexOf('person_name'));

/** Labelled log lines, deterministic for a seed. */
export function* generateCorpus(opts: CorpusOptions): Generator<CorpusLine> {
  const gen = new Gen(new Rng(opts.seed));
  for (let i = 0; i < opts.lines; i++) yield gen.line();
}

/** The corpus as one newline-separated string: `lines` lines, or as many as reach `minBytes` (UTF-8). */
export function generateCorpusText(opts: { seed: number; lines?: number; minBytes?: number }): string {
  const gen = new Gen(new Rng(opts.seed));
  const parts: string[] = [];
  let bytes = 0;
  const maxLines = opts.lines ?? Number.POSITIVE_INFINITY;
  const minBytes = opts.minBytes ?? 0;
  if (opts.lines === undefined && opts.minBytes === undefined) throw new Error('generateCorpusText needs lines or minBytes');
  while (parts.length < maxLines && (opts.minBytes === undefined || bytes < minBytes)) {
    const t = gen.line().text;
    parts.push(t);
    bytes += Buffer.byteLength(t) + 1;
  }
  return parts.join('\n');
}

/**
 * Short snippets, each holding one valid value of a detector in the context it needs (a passport number after the
 * word passport, a secret after its key): for unit and property tests.
 */
export function sampleSnippets(seed: number, perDetector = 3): Array<{ detector: DetectorId; text: string }> {
  const r = new Rng(seed);
  const v = new Values(r);
  const out: Array<{ detector: DetectorId; text: string }> = [];
  const kinds = ['password', 'lwa_refresh', 'lwa_access', 'client_secret', 'api_key', 'session', 'webhook'] as const;
  for (let i = 0; i < perDetector; i++) {
    out.push(
      { detector: 'aadhaar', text: v.aadhaar() },
      { detector: 'pan', text: v.pan() },
      { detector: 'gstin', text: v.gstin() },
      { detector: 'in_phone', text: `mobile ${v.phone()}` },
      { detector: 'email', text: v.email() },
      { detector: 'card', text: v.card() },
      { detector: 'upi', text: v.upi() },
      { detector: 'in_passport', text: `passport no ${v.passport()}` },
      { detector: 'voter_id', text: `voter id ${v.voter()}` },
      { detector: 'aws_access_key', text: v.awsAccessKey() },
      { detector: 'aws_secret_key', text: `aws_secret_access_key=${v.awsSecretKey()}` },
      { detector: 'stripe_key', text: v.stripeKey() },
      { detector: 'razorpay_key', text: r.chance(0.5) ? v.razorpayKeyId() : `"key_secret":"${v.razorpaySecret()}"` },
      { detector: 'google_api_key', text: v.googleKey() },
      { detector: 'jwt', text: v.jwt() },
      { detector: 'private_key', text: v.privateKey() },
      { detector: 'meta_token', text: v.metaToken() },
      { detector: 'generic_secret', text: `"${r.pick(['password', 'client_secret', 'api_key', 'refresh_token'])}":"${v.genericSecret(r.pick(kinds))}"` },
    );
  }
  return out;
}
