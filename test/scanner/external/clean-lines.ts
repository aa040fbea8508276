/**
 * Clean log lines of the platform's shapes: Lambda runtime lines, pino JSON lines of the Amazon SP-API order import,
 * WhatsApp Cloud API and Stripe webhook JSON, API Gateway JSON access logs, Google Ads and Amazon Ads calls, report
 * queries and cache lines. They carry ids, timestamps, amounts, SKUs, ASINs, order ids, request ids, trace ids,
 * hashes, Meta object ids, ad accounts, campaigns and ad groups, AWS accounts in queue URLs and image names, and no personal
 * data or secret of any kind: no phone number, e-mail, name, postal address, IP address, date of birth, card, key or
 * token. (test/scanner/corpus.ts cannot emit only such lines: its unlabelled lines carry IP addresses and buyer
 * cities and PIN codes, which are personal data to ip_address and postal_address.) Deterministic for a seed.
 */

import { mulberry32 } from '../corpus.ts';

const HEX = '0123456789abcdef';
const DIGITS = '0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER_DIGITS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** the platform's AWS accounts (12 digits, which an ARN marks as an account id) */
const ACCOUNTS = ['483921765043', '712605981334', '209354817762'];
const FNS = ['spapi-order-import', 'wa-webhook', 'stripe-webhook', 'reports-api', 'notify-worker', 'redaction-job'];
const SKUS = [
  'SKU-TSHIRT-BLK-XL',
  'KRT-COT-0042-M',
  'MUG-CER-350ML-WHT',
  'SAREE-SLK-RED-01',
  'TEA-ASSAM-500G',
  'DIYA-BRS-SET4',
  'KURTA-LIN-BLU-L',
  'JHOLA-JUTE-NAT',
];
const STATUSES = ['Unshipped', 'Shipped', 'Pending', 'Canceled', 'PartiallyShipped'];
const PATHS = [
  '/v1/orders',
  '/v1/orders/{id}',
  '/v1/reports/{name}',
  '/v1/webhooks/whatsapp',
  '/v1/webhooks/stripe',
  '/v1/tenants/{id}/settings',
  '/v1/health',
];
const UAS = [
  'okhttp/4.12.0',
  'Amazon-Route53-Health-Check-Service',
  'python-requests/2.32.3',
  'node-fetch/1.0',
  'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
];
const STRIPE_TYPES = ['payment_intent.succeeded', 'charge.refunded', 'invoice.paid', 'customer.subscription.updated', 'payout.paid'];
const TEMPLATES = ['order_shipped', 'order_delivered', 'payment_reminder', 'return_pickup_scheduled'];
const WA_ERRORS: Array<[number, string]> = [
  [131047, 'Re-engagement message'],
  [131026, 'Message undeliverable'],
  [130472, "User's number is part of an experiment"],
];
const REPORTS = ['orders_by_state', 'gst_summary', 'returns_by_reason', 'settlements_by_week'];

/** Random characters of one alphabet, drawn once; a random run of them costs one draw, not one per character. */
const POOL_SIZE = 1 << 16;
class Pool {
  private chars: string;
  constructor(
    private r: () => number,
    alphabet: string,
  ) {
    const cs: string[] = new Array<string>(POOL_SIZE);
    for (let i = 0; i < POOL_SIZE; i++) cs[i] = alphabet[Math.floor(r() * alphabet.length)];
    this.chars = cs.join('');
  }
  take(n: number): string {
    const at = Math.floor(this.r() * (POOL_SIZE - n));
    return this.chars.slice(at, at + n);
  }
}

export class CleanLines {
  private r: () => number;
  private t: number;
  private pools: Map<string, Pool>;

  constructor(seed: number) {
    this.r = mulberry32(seed);
    this.t = Date.UTC(2026, 10, 27, 0, 0, 0);
    this.pools = new Map([HEX, DIGITS, UPPER_DIGITS, ALNUM, LOWER_DIGITS].map((a) => [a, new Pool(this.r, a)]));
  }

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)];
  }
  private str(alphabet: string, n: number): string {
    return this.pools.get(alphabet)!.take(n);
  }
  private uuid(): string {
    return `${this.str(HEX, 8)}-${this.str(HEX, 4)}-4${this.str(HEX, 3)}-${this.pick(['8', '9', 'a', 'b'])}${this.str(HEX, 3)}-${this.str(HEX, 12)}`;
  }
  /** a clock that moves forward a few ms a line */
  private now(): number {
    this.t += this.int(1, 40);
    return this.t;
  }
  private isoSecond = -1;
  private isoPrefix = '';
  /** ISO-8601 of the clock: `toISOString` once a second, the milliseconds appended */
  private iso(): string {
    const t = this.now();
    const sec = Math.floor(t / 1000);
    if (sec !== this.isoSecond) {
      this.isoSecond = sec;
      this.isoPrefix = new Date(sec * 1000).toISOString().slice(0, 20);
    }
    const ms = t - sec * 1000;
    return `${this.isoPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
  }
  private orderId(): string {
    return `${this.pick(['402', '403', '404', '405', '406', '407', '408', '171'])}-${this.str(DIGITS, 7)}-${this.str(DIGITS, 7)}`;
  }
  private asin(): string {
    return 'B0' + this.str(UPPER_DIGITS, 8);
  }
  private amount(): string {
    return `${this.int(99, 24999)}.${this.pick(['00', '50', '99'])}`;
  }
  /** a Meta object id (WABA, phone number id, template id): 15 digits from 1, not a phone or card shape */
  private metaId(): string {
    return '1' + this.str(DIGITS, 14);
  }
  private stripeId(prefix: string): string {
    return `${prefix}_${this.pick(['1P', '3P', '2O'])}${this.str(ALNUM, 22)}`;
  }
  private tenant(): string {
    return 'ten_' + this.str(LOWER_DIGITS, 12);
  }
  private head(fn: string, level = 30): string {
    return `{"level":${level},"time":${this.now()},"pid":${this.int(7, 9)},"hostname":"${fn}-${this.str(LOWER_DIGITS, 6)}","fn":"${fn}","tenantId":"${this.tenant()}","requestId":"${this.uuid()}"`;
  }

  runtime(): string {
    const id = this.uuid();
    switch (this.int(0, 7)) {
      case 0:
        return `START RequestId: ${id} Version: $LATEST`;
      case 1:
        return `END RequestId: ${id}`;
      case 2:
        return `REPORT RequestId: ${id}\tDuration: ${this.int(2, 2900)}.${this.str(DIGITS, 2)} ms\tBilled Duration: ${this.int(3, 3000)} ms\tMemory Size: ${this.pick([256, 512, 1024])} MB\tMax Memory Used: ${this.int(70, 240)} MB`;
      case 3:
        return `XRAY TraceId: 1-${this.str(HEX, 8)}-${this.str(HEX, 24)}\tSegmentId: ${this.str(HEX, 16)}\tSampled: true`;
      case 4:
        return `INIT_START Runtime Version: nodejs:20.v${this.int(13, 27)}\tRuntime Version ARN: arn:aws:lambda:ap-south-1::runtime:${this.str(HEX, 64)}`;
      case 5:
        return `${this.iso()}\t${id}\tINFO\tinvoked arn:aws:lambda:ap-south-1:${this.pick(ACCOUNTS)}:function:${this.pick(FNS)} role=arn:aws:iam::${this.pick(ACCOUNTS)}:role/${this.pick(FNS)}-role`;
      case 6: {
        // an account id outside an ARN: any account, so about one in ten passes Verhoeff as an Aadhaar would
        const account = `${this.int(1, 9)}${this.str(DIGITS, 11)}`;
        return `${this.iso()}\t${id}\tINFO\t{"msg":"batch from queue","QueueUrl":"https://sqs.ap-south-1.amazonaws.com/${account}/${this.pick(FNS)}-queue","image":"${account}.dkr.ecr.ap-south-1.amazonaws.com/${this.pick(FNS)}:${this.int(1, 40)}"}`;
      }
      default:
        return `${this.iso()}\t${id}\tINFO\tprocessed batch of ${this.int(1, 500)} records in ${this.int(3, 9000)} ms (shard ${this.int(0, 15)}, checkpoint ${this.now()})`;
    }
  }

  order(): string {
    const items = Array.from(
      { length: this.int(1, 3) },
      () =>
        `{"asin":"${this.asin()}","sellerSKU":"${this.pick(SKUS)}","orderItemId":"${this.str(DIGITS, 14)}","quantityOrdered":${this.int(1, 4)},"itemPrice":{"currencyCode":"INR","amount":"${this.amount()}"}}`,
    ).join(',');
    return `${this.head('spapi-order-import')},"msg":"order imported","amazonOrderId":"${this.orderId()}","marketplaceId":"A21TJRUUN4KGV","purchaseDate":"${this.iso()}","lastUpdateDate":"${this.iso()}","orderStatus":"${this.pick(STATUSES)}","fulfillmentChannel":"${this.pick(['MFN', 'AFN'])}","shipServiceLevel":"Std IN Dom","orderTotal":{"currencyCode":"INR","amount":"${this.amount()}"},"items":[${items}],"durationMs":${this.int(20, 4000)}}`;
  }

  spapiOther(): string {
    switch (this.int(0, 2)) {
      case 0:
        return `${this.head('spapi-order-import')},"msg":"getOrders page","createdAfter":"${this.iso()}","orders":${this.int(0, 100)},"hasNextToken":true,"rateLimit":"0.0167","x-amzn-RequestId":"${this.uuid()}"}`;
      case 1:
        return `${this.head('spapi-order-import', 40)},"msg":"throttled, retrying","operation":"getOrderItems","amazonOrderId":"${this.orderId()}","attempt":${this.int(1, 5)},"retryAfterMs":${this.int(100, 4000)},"sha256":"${this.str(HEX, 64)}"}`;
      default:
        return `${this.head('spapi-order-import')},"msg":"shipment confirmed","amazonOrderId":"${this.orderId()}","carrier":"${this.pick(['Delhivery', 'BlueDart', 'Ekart', 'XpressBees'])}","shipDate":"${this.iso()}","packageWeightGrams":${this.int(100, 5000)},"etag":"${this.str(HEX, 32)}"}`;
    }
  }

  whatsapp(): string {
    const waba = this.metaId();
    if (this.r() < 0.5) {
      const [code, title] = this.pick(WA_ERRORS);
      return `${this.head('wa-webhook')},"msg":"webhook received","event":{"object":"whatsapp_business_account","entry":[{"id":"${waba}","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":"${this.metaId()}"},"statuses":[{"id":"wamid.HBgM${this.str(ALNUM, 40)}==","status":"failed","timestamp":"${Math.floor(this.now() / 1000)}","errors":[{"code":${code},"title":"${title}"}]}]},"field":"messages"}]}]}}`;
    }
    return `${this.head('wa-webhook')},"msg":"webhook received","event":{"object":"whatsapp_business_account","entry":[{"id":"${waba}","time":${Math.floor(this.now() / 1000)},"changes":[{"value":{"event":"${this.pick(['APPROVED', 'REJECTED', 'PAUSED'])}","message_template_id":${this.metaId()},"message_template_name":"${this.pick(TEMPLATES)}","message_template_language":"en","reason":"NONE"},"field":"message_template_status_update"}]}]}}`;
  }

  stripe(): string {
    return `${this.head('stripe-webhook')},"msg":"event","stripeEvent":{"id":"${this.stripeId('evt')}","object":"event","api_version":"2023-10-16","created":${Math.floor(this.now() / 1000)},"type":"${this.pick(STRIPE_TYPES)}","livemode":true,"data":{"object":{"id":"${this.stripeId('pi')}","amount":${this.int(9900, 2499900)},"currency":"inr","status":"succeeded","customer":"${this.stripeId('cus')}","latest_charge":"${this.stripeId('ch')}","payment_method_details":{"card":{"brand":"${this.pick(['visa', 'mastercard', 'rupay'])}","last4":"${this.str(DIGITS, 4)}","exp_month":${this.int(1, 12)},"exp_year":${this.int(2027, 2031)}}}}},"request":{"id":"req_${this.str(ALNUM, 14)}","idempotency_key":"${this.uuid()}"}},"verified":true}`;
  }

  access(): string {
    const path = this.pick(PATHS)
      .replace('{id}', this.r() < 0.5 ? this.orderId() : this.tenant())
      .replace('{name}', this.pick(REPORTS));
    return `{"requestId":"${this.uuid()}","apiId":"${this.str(LOWER_DIGITS, 10)}","extendedRequestId":"${this.str(ALNUM, 14)}=","stage":"prod","requestTime":"${this.int(10, 28)}/Nov/2026:${this.int(10, 23)}:${this.int(10, 59)}:${this.int(10, 59)} +0000","httpMethod":"${this.pick(['GET', 'GET', 'POST', 'PUT'])}","resourcePath":"${path}","status":"${this.pick(['200', '200', '201', '204', '400', '404', '429', '500'])}","protocol":"HTTP/1.1","responseLength":"${this.int(0, 90000)}","integrationLatency":"${this.int(2, 3000)}","responseLatency":"${this.int(3, 3100)}","userAgent":"${this.pick(UAS)}","xrayTraceId":"Root=1-${this.str(HEX, 8)}-${this.str(HEX, 24)}"}`;
  }

  app(): string {
    const head = `${this.iso()}\t${this.uuid()}\t${this.pick(['INFO', 'INFO', 'WARN'])}\t`;
    switch (this.int(0, 4)) {
      case 0:
        return `${head}order ${this.orderId()} synced, ${this.int(1, 9)} items, total ₹${this.amount()}, sku ${this.pick(SKUS)}`;
      case 1:
        return `${head}cache miss key=orders:${this.tenant()}:${this.now()} ttl=300 hash=${this.str(HEX, 40)}`;
      case 2:
        return `${this.head('reports-api', 20)},"msg":"report query","report":"${this.pick(REPORTS)}","sql":"SELECT state, count(*) AS orders, sum(total_paise) AS revenue FROM orders WHERE tenant_id = $1 AND purchase_date BETWEEN $2 AND $3 GROUP BY state","params":["${this.tenant()}","2026-11-01","2026-11-27"],"rows":${this.int(0, 36)},"ms":${this.int(3, 900)}}`;
      case 3:
        return `${head}redacted ${this.int(0, 9000)} delivered orders older than ${this.iso()} (checkpoint ${this.now()}, commit ${this.str(HEX, 40)})`;
      default:
        return `${head}GET ${this.pick(PATHS)} ${this.pick(['200', '304', '404'])} ${this.int(1, 900)}ms ua="${this.pick(UAS)}" trace=${this.str(HEX, 32)}`;
    }
  }

  /** Google Ads and Amazon Ads calls: account and object ids of 10 to 16 digits, any of them (so some pass Verhoeff or Luhn) */
  ads(): string {
    const id = (n: number) => `${this.int(1, 9)}${this.str(DIGITS, n - 1)}`;
    const customer = id(10);
    switch (this.int(0, 3)) {
      case 0:
        return `${this.head('ads-sync')},"msg":"google ads query","url":"https://googleads.googleapis.com/v17/customers/${customer}/googleAds:searchStream","login-customer-id":"${id(10)}","rows":${this.int(0, 900)}}`;
      case 1:
        return `${this.head('ads-sync')},"msg":"ad group synced","customerId":"${customer.slice(0, 3)}-${customer.slice(3, 6)}-${customer.slice(6)}","adGroup":{"resourceName":"customers/${customer}/adGroups/${id(12)}","id":"${id(12)}","campaignId":"${id(11)}"}}`;
      case 2:
        return `${this.head('ads-sync')},"msg":"amazon ads report","profileId":${id(16)},"campaignId":${id(15)},"adGroupId":${id(14)},"portfolioId":${id(15)},"impressions":${this.int(0, 90000)}}`;
      default:
        return `${this.iso()}\t${this.uuid()}\tINFO\tAmazon-Advertising-API-Scope: ${id(16)} synced campaign ${id(15)} keyword ${id(14)} in ${this.int(40, 900)} ms`;
    }
  }

  line(): string {
    const x = this.r();
    if (x < 0.25) return this.runtime();
    if (x < 0.43) return this.order();
    if (x < 0.51) return this.spapiOther();
    if (x < 0.59) return this.whatsapp();
    if (x < 0.67) return this.stripe();
    if (x < 0.83) return this.access();
    if (x < 0.88) return this.ads();
    return this.app();
  }
}
