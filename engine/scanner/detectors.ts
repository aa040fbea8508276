/**
 * Detector metadata shared by the scanner, the naive baseline and the corpus generator: numeric ids, precedence
 * when two detectors claim overlapping text, how a value is normalised before it is fingerprinted, the UPI PSP
 * handles, the context words (Presidio-style) and the key names that mark a secret assignment (gitleaks-style).
 */
import { DETECTOR_IDS, type DetectorId } from './types.ts';

/** Numeric ids: the index in DETECTOR_IDS. */
export const D = {
  aadhaar: 0,
  pan: 1,
  gstin: 2,
  in_phone: 3,
  email: 4,
  card: 5,
  upi: 6,
  in_passport: 7,
  voter_id: 8,
  aws_access_key: 9,
  aws_secret_key: 10,
  stripe_key: 11,
  razorpay_key: 12,
  google_api_key: 13,
  jwt: 14,
  private_key: 15,
  meta_token: 16,
  generic_secret: 17,
  person_name: 18,
  postal_address: 19,
  ip_address: 20,
  intl_phone: 21,
  bank_account: 22,
  vehicle_registration: 23,
  date_of_birth: 24,
} as const satisfies Record<DetectorId, number>;

for (const [k, v] of Object.entries(D)) if (DETECTOR_IDS[v] !== k) throw new Error(`detector id table out of order: ${k}`);

/**
 * Precedence between overlapping candidates of the same length (higher wins; see resolveOverlaps, where length
 * decides first). generic_secret is lowest: any specific detector is more specific than "a high-entropy assignment".
 */
const PRECEDENCE: readonly number[] = (() => {
  const order: DetectorId[] = [
    'generic_secret',
    'in_phone',
    'voter_id',
    'in_passport',
    'pan',
    'upi',
    'email',
    'aadhaar',
    'card',
    'gstin',
    'google_api_key',
    'razorpay_key',
    'stripe_key',
    'aws_secret_key',
    'aws_access_key',
    'meta_token',
    'jwt',
    'private_key',
    'person_name',
    'postal_address',
    'date_of_birth',
    'intl_phone',
    'ip_address',
    'vehicle_registration',
    'bank_account',
  ];
  const p = new Array<number>(DETECTOR_IDS.length).fill(0);
  order.forEach((id, i) => (p[D[id]] = i + 1));
  return p;
})();

/** Ordering of overlapping candidates: the longer first, then the more specific (generic_secret last), then the earlier. */
function before(da: number, sa: number, ea: number, db: number, sb: number, eb: number): boolean {
  const la = ea - sa;
  const lb = eb - sb;
  if (la !== lb) return la > lb;
  const pa = da === D.generic_secret ? 0 : PRECEDENCE[da];
  const pb = db === D.generic_secret ? 0 : PRECEDENCE[db];
  if (pa !== pb) return pa > pb;
  return sa < sb;
}

/**
 * One value, one detector: from candidate findings sorted by start (parallel arrays), keep a non-overlapping set.
 * Within each cluster of overlapping candidates the longest is kept first (an e-mail over the phone number that is
 * its local part, a secret over a PAN-shaped piece of it), then the most specific on a tie (a JWT over the
 * generic_secret of the same value), then whatever no kept candidate overlaps. Returns the kept indices in order.
 * Spans are never empty (every pass drops an empty one before it gets here).
 */
export function resolveOverlaps(det: ArrayLike<number>, start: ArrayLike<number>, end: ArrayLike<number>, count: number): number[] {
  const keep: number[] = [];
  let i = 0;
  while (i < count) {
    // the cluster [i, j): candidates transitively overlapping
    let j = i + 1;
    let reach = end[i];
    while (j < count && start[j] < reach) {
      if (end[j] > reach) reach = end[j];
      j++;
    }
    if (j === i + 1) keep.push(i);
    else {
      const order: number[] = [];
      for (let k = i; k < j; k++) order.push(k);
      order.sort((a, b) => (before(det[a], start[a], end[a], det[b], start[b], end[b]) ? -1 : 1));
      // the chosen spans do not overlap: the characters they hold are marked, and a candidate is free when none of its
      // own is (linear in the spans' lengths; comparing with every chosen span was quadratic in a long cluster)
      const chosen: number[] = [];
      const lo = start[i];
      const held = new Uint8Array(reach - lo);
      for (const k of order) {
        const s = start[k] - lo;
        const e = end[k] - lo;
        let free = true;
        for (let p = s; p < e && free; p++) free = held[p] === 0;
        if (!free) continue;
        held.fill(1, s, e);
        chosen.push(k);
      }
      chosen.sort((a, b) => start[a] - start[b]);
      for (const k of chosen) keep.push(k); // not push(...chosen): a cluster can choose more than the stack holds
    }
    i = j;
  }
  return keep;
}

type Normalisation = 'digits' | 'phone' | 'lower' | 'upper' | 'none';

/** How a value is normalised before fingerprinting, so that the same value written differently counts once. */
const NORMALISE: Record<DetectorId, Normalisation> = {
  aadhaar: 'digits',
  pan: 'upper',
  gstin: 'upper',
  in_phone: 'phone', // digits only, the last ten (the subscriber number without +91 / 91 / 0)
  email: 'lower',
  card: 'digits',
  upi: 'lower',
  in_passport: 'upper',
  voter_id: 'upper',
  aws_access_key: 'none',
  aws_secret_key: 'none',
  stripe_key: 'none',
  razorpay_key: 'none',
  google_api_key: 'none',
  jwt: 'none',
  private_key: 'none',
  meta_token: 'none',
  generic_secret: 'none',
  person_name: 'lower',
  postal_address: 'lower',
  ip_address: 'lower',
  intl_phone: 'digits',
  bank_account: 'digits',
  vehicle_registration: 'upper',
  date_of_birth: 'lower',
};

export function normalise(detector: DetectorId, value: string): string {
  switch (NORMALISE[detector]) {
    case 'digits':
      return value.replace(/\D+/g, '');
    case 'phone': {
      const d = value.replace(/\D+/g, '');
      return d.length > 10 ? d.slice(d.length - 10) : d;
    }
    case 'lower':
      return value.toLowerCase();
    case 'upper':
      return value.toUpperCase();
    default:
      return value;
  }
}

/**
 * UPI PSP handles (the part after '@' in a VPA) of the large apps and banks. A VPA with another dot-less handle is
 * still reported when its local part is a mobile number or a UPI context word is near.
 */
export const UPI_HANDLES: ReadonlySet<string> = new Set([
  // Google Pay
  'okaxis',
  'oksbi',
  'okhdfcbank',
  'okicici',
  // PhonePe
  'ybl',
  'ibl',
  'axl',
  // Paytm
  'paytm',
  'ptyes',
  'ptaxis',
  'pthdfc',
  'ptsbi',
  // Amazon Pay
  'apl',
  'yapl',
  'rapl',
  'amazonpay',
  // WhatsApp Pay
  'waaxis',
  'wahdfcbank',
  'wasbi',
  'waicici',
  // NPCI BHIM and others
  'upi',
  'bhim',
  'freecharge',
  'ikwik',
  'mobikwik',
  'jupiteraxis',
  'fam',
  'slc',
  'naviaxis',
  'yesbank',
  'yesbankltd',
  'axisb',
  'pingpay',
  'timecosmos',
  'abfspay',
  'airtel',
  'jio',
  'postbank',
  'paysharp',
  'fifederal',
  'superyes',
  // banks
  'sbi',
  'icici',
  'hdfcbank',
  'hdfcbankjd',
  'axisbank',
  'kotak',
  'kmbl',
  'idfcfirst',
  'idfcbank',
  'indus',
  'federal',
  'fbl',
  'rbl',
  'aubank',
  'pnb',
  'barodampay',
  'cnrb',
  'boi',
  'unionbankofindia',
  'unionbank',
  'ubi',
  'uco',
  'centralbank',
  'cbin',
  'indianbk',
  'indianbank',
  'iob',
  'idbi',
  'idbibank',
  'kvb',
  'kbl',
  'karurvysyabank',
  'sib',
  'southindianbank',
  'citi',
  'citibank',
  'hsbc',
  'sc',
  'dbs',
  'dlb',
  'tjsb',
  'equitas',
  'ujjivan',
  'esaf',
  'mahb',
  'psb',
  'jkb',
  'csbpay',
  'cmsidfc',
  'allbank',
  'andb',
  'obc',
  'syndicate',
  'vijb',
  'lvb',
  'ratn',
  'dcb',
  'bandhan',
  'scb',
  'utbi',
  'payzapp',
  'hsbcbank',
  'nsdl',
  'jsb',
  'apb',
  'airtelpaymentsbank',
  'ezeepay',
]);

/** the ad platforms' words for their account and object ids (Google Ads customers/1234567890, login-customer-id) */
const AD_PLATFORM_IDS = ['customers/', 'customerid', 'customer_id', 'customer-id', 'campaign', 'adgroup', 'ad_group', 'criteri', 'keyword', 'advertis'];

/**
 * Context words (lower-case), searched in a candidate's own context: its key (`"key":"value"`, `key=value`,
 * `key: value`) or the few words right before it in free text; never a log prefix or a sibling field.
 */
export const CONTEXT = {
  passport: ['passport'],
  /** 'vote' also covers voter, votes, voted ("You can vote with your ABC1234567 number") */
  voter: ['vote', 'voting', 'epic', 'elector'],
  /** a 12-digit 91-prefixed number that also passes Verhoeff is a phone (not Aadhaar) next to these */
  phone: [
    'wa_id',
    'waid',
    'wa-id',
    'from',
    'sender',
    'phone',
    'mobile',
    'msisdn',
    'whatsapp',
    'contact',
    'recipient',
    'to"',
    'to=',
    'call',
    'tel',
    'otp',
    'sms',
  ],
  /**
   * a landline (10 digits from 1-5: an STD code and the subscriber number, "1123456789" in Delhi) is a phone only when
   * one of these ends its key or words ("phone", "buyerPhone", "Landline No:"): digit runs of that shape are mostly
   * epoch seconds and ids, also under keys such as phone_verified_at
   */
  fixedLine: ['phone', 'landline'],
  /** otherwise a bare digit run next to these is a shipment, transaction, account... number, not a phone */
  notPhone: [
    'awb',
    'tracking',
    'shipment',
    'consignment',
    'waybill',
    'docket',
    'ticket',
    'utr',
    'rrn',
    'txn',
    'transaction',
    'reference',
    'account',
    'arn:',
    'order',
    'invoice',
    'report',
    'batch',
    'refund',
    'payout',
    'settlement',
    'bank',
    ...AD_PLATFORM_IDS,
  ],
  /** a plain 12-digit number is an Aadhaar next to these, whatever else is near */
  aadhaar: ['aadhaar', 'aadhar', 'uidai', 'uid', 'kyc'],
  /**
   * otherwise a plain 12-digit number next to these is something else: a UPI UTR / RRN, an AWS account id, a shipment,
   * order, invoice or report number
   */
  notAadhaar: [
    'utr',
    'rrn',
    'txn',
    'transaction',
    'reference',
    'account',
    'arn:',
    'awb',
    'tracking',
    'shipment',
    'waybill',
    'consignment',
    'docket',
    'ticket',
    'order',
    'invoice',
    'report',
    'batch',
    'refund',
    'payout',
    'settlement',
    'bank',
    ...AD_PLATFORM_IDS,
    'portfolio',
    'profile',
  ],
  /** a plain (ungrouped) card-shaped number is a card next to these, whatever else is near */
  card: ['card', 'visa', 'mastercard', 'amex', 'rupay', 'diners', 'discover', 'jcb', 'maestro', 'dankort', 'uatp', 'cc_', 'ccnum', 'pan"'],
  /** otherwise a plain card-shaped number next to these is an identifier (an all-digit hex id, a hash, a reference) */
  notCard: [
    'segment',
    'trace',
    'span',
    'sha',
    'hash',
    'etag',
    'checksum',
    'nonce',
    'utr',
    'rrn',
    'txn',
    'transaction',
    'reference',
    'account',
    'awb',
    'tracking',
    'shipment',
    'waybill',
    'consignment',
    'docket',
    'ticket',
    'fingerprint',
    'order',
    'invoice',
    'report',
    'batch',
    'voucher',
    'gift',
    'coupon',
    ...AD_PLATFORM_IDS,
    'portfolio',
    'profile',
  ],
  /** a VPA with an unknown handle is reported next to these */
  upi: ['upi', 'vpa', 'pa=', 'payee', 'payer', 'collect'],
  /** a 32-hex app secret under a secret's key is a Meta (Facebook, WhatsApp, Instagram) app secret next to these */
  meta: ['meta_', 'meta-', 'meta ', 'metaapp', 'facebook', 'fb_', 'fb-', 'fb ', 'fbapp', 'whatsapp', 'instagram', 'messenger'],
} as const;

export const KEY_GENERIC = 1;
export const KEY_AWS_SECRET = 2;
export const KEY_RAZORPAY_SECRET = 3;
/** pagination and idempotency tokens: high-entropy, not secrets */
export const KEY_EXCLUDED = 4;
/** an AWS access key id (`aws_access_key_id`): its value is the key id, not a secret */
export const KEY_AWS_ID = 5;
/**
 * a key named `secret`, `secret_key` or `access_key` (`aws_access_key`, `app_secret`): generic, except that a value
 * shaped like an AWS secret access key is one, and a 32-hex value next to a Meta word is a Meta app secret
 */
export const KEY_SECRET = 6;

/**
 * Secret key names, matched as a suffix of the identifier before `=` or `:` (lower-cased, '_' and '-' ignored), the
 * longest suffix wins: `client_secret` is generic, `aws_secret_access_key` is the AWS secret, `next_token` is not
 * a secret.
 */
export const SECRET_KEY_SUFFIXES: ReadonlyArray<[string, number]> = [
  ['password', KEY_GENERIC],
  ['passwd', KEY_GENERIC],
  ['pwd', KEY_GENERIC],
  ['passphrase', KEY_GENERIC],
  ['secret', KEY_SECRET],
  ['token', KEY_GENERIC],
  ['apikey', KEY_GENERIC],
  ['secretkey', KEY_SECRET],
  ['privatekey', KEY_GENERIC],
  ['accesskey', KEY_SECRET],
  ['accesskeyid', KEY_AWS_ID],
  ['authkey', KEY_GENERIC],
  ['signingkey', KEY_GENERIC],
  ['encryptionkey', KEY_GENERIC],
  ['masterkey', KEY_GENERIC],
  ['credential', KEY_GENERIC],
  ['credentials', KEY_GENERIC],
  ['authorization', KEY_GENERIC],
  // user_auth, basic_auth, proxy_auth: credentials (gitleaks' generic rule keys on "auth"; author, authsource do not
  // end with it)
  ['auth', KEY_GENERIC],
  ['awssecret', KEY_AWS_SECRET],
  ['awssecretkey', KEY_AWS_SECRET],
  ['secretaccesskey', KEY_AWS_SECRET],
  ['keysecret', KEY_RAZORPAY_SECRET],
  ['razorpaysecret', KEY_RAZORPAY_SECRET],
  ['rzpsecret', KEY_RAZORPAY_SECRET],
  ['nexttoken', KEY_EXCLUDED],
  ['pagetoken', KEY_EXCLUDED],
  ['nextpagetoken', KEY_EXCLUDED],
  ['continuationtoken', KEY_EXCLUDED],
  ['paginationtoken', KEY_EXCLUDED],
  ['cursortoken', KEY_EXCLUDED],
  ['resumetoken', KEY_EXCLUDED],
  ['synctoken', KEY_EXCLUDED],
  // anti-forgery tokens are sent to every browser, public tokens and keys are meant to be published (Mapbox, Plaid,
  // a "public api key"): not secrets (gitleaks allow-lists csrf[_.-]?token and public[_.-]?token too)
  ['csrftoken', KEY_EXCLUDED],
  ['xsrftoken', KEY_EXCLUDED],
  ['publictoken', KEY_EXCLUDED],
  ['publicapikey', KEY_EXCLUDED],
];

/**
 * Documentation values and placeholders, not secrets: AWS's documentation keys end with these (AKIAIOSFODNN7EXAMPLE,
 * wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY).
 */
export const SECRET_VALUE_PLACEHOLDER_SUFFIXES = ['EXAMPLE', 'EXAMPLEKEY'];
/** a value with a run of this many of one character (AKIAXXXXXXXXXXXXXXXX) is a placeholder */
export const PLACEHOLDER_RUN = 6;

/** Values that are references to a secret, not a secret (gitleaks-style allow-list prefixes). */
export const SECRET_VALUE_ALLOW_PREFIXES = ['arn:', 'http://', 'https://', 's3://', '${', '{{', '<', 'file:', 'ssm:', 'secretsmanager:'];

export const GENERIC_MIN_LENGTH = 16;
export const GENERIC_MIN_ENTROPY = 3.5;
