import { createHmac, randomBytes } from 'node:crypto';
import type { CorsProbeResult, OrderProbeResult, WebhookProbeResult } from '../define-control.ts';
import { valueAt as at } from '../inventory/path.ts';
import type { ControlSettings } from '../settings.ts';

type Probes = ControlSettings['probes'];

class ProbeRefusedError extends Error {}

/**
 * HTTP probes of the governed platform's endpoints. Only hosts in `allowedHosts` are contacted, redirects are
 * never followed (a 3xx is the answer), every request has a timeout, and bodies are read up to 1 MiB.
 */
export function assertAllowed(url: string, allowedHosts: string[]): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ProbeRefusedError(`${url} is not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ProbeRefusedError(`${u.protocol} is not probed`);
  const allowed = new Set(allowedHosts.map((h) => h.toLowerCase()));
  if (!allowed.has(u.host.toLowerCase()) && !allowed.has(u.hostname.toLowerCase())) {
    throw new ProbeRefusedError(`host ${u.host} is not in probes.allowedHosts`);
  }
  return u;
}

const MAX_BODY = 1 << 20;

async function request(url: string, init: RequestInit, probes: Probes): Promise<{ status: number; text: string }> {
  assertAllowed(url, probes.allowedHosts);
  const res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(probes.timeoutMs) });
  const reader = res.body?.getReader();
  let size = 0;
  const chunks: Uint8Array[] = [];
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY) {
        await reader.cancel();
        break;
      }
      chunks.push(value);
    }
  }
  return { status: res.status, text: Buffer.concat(chunks).toString('utf8') };
}

function describe(error: unknown): string {
  const e = error as Error & { cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timed out';
  if (e instanceof ProbeRefusedError) return `refused: ${e.message}`;
  return e.cause?.code ?? e.message;
}

/**
 * How each provider signs a delivery, so the probe can sign one correctly with a test secret and one with an old
 * time. `reject`: the answers that count as refusing a bad signature. Stripe's own handlers answer 400
 * (stripe-node's `constructEvent` throws and its documented handler returns 400); the others' documented examples
 * answer 401/403, and 400 is what their libraries' handlers send too. A 4xx from something in front of the
 * handler (an authorizer, a WAF) is told apart by the signed probe, which must then be accepted.
 */
interface Signer {
  reject: number[];
  /** headers carrying the signature of `body` at `time` (epoch seconds) with `secret` */
  sign(secret: string, body: string, time: number): Record<string, string>;
  /** headers of a signature that cannot verify */
  bogus(time: number): Record<string, string>;
  /** the signature covers a time, so an old one must be refused (Stripe: 300 s tolerance; Slack, Standard Webhooks: 5 min) */
  timed: boolean;
}

const hmacHex = (secret: string | Buffer, text: string) => createHmac('sha256', secret).update(text, 'utf8').digest('hex');
const bogusHex = () => randomBytes(32).toString('hex');
const hubSignature: Signer = {
  reject: [400, 401, 403],
  sign: (secret, body) => ({ 'x-hub-signature-256': `sha256=${hmacHex(secret, body)}` }),
  bogus: () => ({ 'x-hub-signature-256': `sha256=${bogusHex()}` }),
  timed: false,
};
const SIGNERS: Record<string, Signer> = {
  stripe: {
    reject: [400, 401, 403],
    sign: (secret, body, t) => ({ 'stripe-signature': `t=${t},v1=${hmacHex(secret, `${t}.${body}`)}` }),
    bogus: (t) => ({ 'stripe-signature': `t=${t},v1=${bogusHex()}` }),
    timed: true,
  },
  whatsapp: hubSignature,
  meta: hubSignature,
  github: hubSignature,
  slack: {
    reject: [400, 401, 403],
    sign: (secret, body, t) => ({ 'x-slack-request-timestamp': String(t), 'x-slack-signature': `v0=${hmacHex(secret, `v0:${t}:${body}`)}` }),
    bogus: (t) => ({ 'x-slack-request-timestamp': String(t), 'x-slack-signature': `v0=${bogusHex()}` }),
    timed: true,
  },
  'standard-webhooks': {
    reject: [400, 401, 403],
    sign: (secret, body, t) => {
      const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
      const id = 'msg_tenet_probe';
      return {
        'webhook-id': id,
        'webhook-timestamp': String(t),
        'webhook-signature': `v1,${createHmac('sha256', key).update(`${id}.${t}.${body}`, 'utf8').digest('base64')}`,
      };
    },
    bogus: (t) => ({ 'webhook-id': 'msg_tenet_probe', 'webhook-timestamp': String(t), 'webhook-signature': `v1,${randomBytes(32).toString('base64')}` }),
    timed: true,
  },
};
SIGNERS.svix = SIGNERS['standard-webhooks'];

/** A provider not in the table: hex HMAC-SHA256 of the body in the configured header. */
const genericSigner = (header: string): Signer => ({
  reject: [401, 403],
  sign: (secret, body) => ({ [header]: hmacHex(secret, body) }),
  bogus: () => ({ [header]: bogusHex() }),
  timed: false,
});

/** How old the replayed signature's time is: well past every provider's tolerance. */
const REPLAY_AGE_S = 3600;

/**
 * Sends each configured webhook an unsigned and a wrongly signed request, one signed correctly with the test
 * secret (`secretEnv`), and, for providers whose signature covers a time, one signed correctly an hour ago.
 * Records only the status; the secret is read from the environment at the moment of signing and never kept.
 */
export async function probeWebhooks(probes: Probes, env: Record<string, string | undefined> = process.env): Promise<WebhookProbeResult[]> {
  const out: WebhookProbeResult[] = [];
  for (const w of probes.webhooks) {
    const signer = SIGNERS[w.provider.toLowerCase()] ?? genericSigner(w.signatureHeader);
    const now = Math.floor(Date.now() / 1000);
    const secret = w.secretEnv ? env[w.secretEnv] : undefined;
    const base = { name: w.name, provider: w.provider, url: w.url, reject: w.rejectStatuses ?? signer.reject };
    const cases: Array<{ case: WebhookProbeResult['case']; headers?: Record<string, string>; skipped?: string }> = [
      { case: 'unsigned', headers: {} },
      { case: 'bad-signature', headers: signer.bogus(now) },
    ];
    if (!w.secretEnv) cases.push({ case: 'signed', skipped: 'no test signing secret configured (probes.webhooks[].secretEnv)' });
    else if (!secret) cases.push({ case: 'signed', skipped: `environment variable ${w.secretEnv} (secretEnv) is not set` });
    else cases.push({ case: 'signed', headers: signer.sign(secret, w.body, now) });
    if (!signer.timed) cases.push({ case: 'replayed', skipped: `a ${w.provider} signature covers no time, so an old one cannot be told from a new one` });
    else if (secret) cases.push({ case: 'replayed', headers: signer.sign(secret, w.body, now - REPLAY_AGE_S) });
    else cases.push({ case: 'replayed', skipped: 'needs the test signing secret' });
    for (const c of cases) {
      if (c.skipped) {
        out.push({ ...base, case: c.case, skipped: c.skipped });
        continue;
      }
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'tenet-control-probe', ...c.headers };
      try {
        const { status } = await request(w.url, { method: 'POST', headers, body: w.body }, probes);
        out.push({ ...base, case: c.case, status });
      } catch (error) {
        out.push({ ...base, case: c.case, error: describe(error) });
      }
    }
  }
  return out;
}

/**
 * Masked: absent or null, empty, an explicit marker ("[redacted]", "masked", "hidden"), or a string whose letters
 * and digits are mostly hidden behind mask characters (`*`, `•`, `x`, `#`), e.g. "R*** K****", "+91 ******1234".
 */
export function classifyBuyerValue(v: unknown): 'masked' | 'unmasked' | 'absent' {
  if (v === undefined || v === null) return 'absent';
  if (typeof v === 'object') {
    const parts = Object.values(v as Record<string, unknown>).map(classifyBuyerValue);
    return parts.includes('unmasked') ? 'unmasked' : parts.includes('masked') ? 'masked' : 'absent';
  }
  const s = String(v).trim();
  if (s === '') return 'absent';
  if (/redacted|masked|hidden|withheld/i.test(s)) return 'masked';
  const mask = (s.match(/[*•●xX#]/g) ?? []).length;
  const clear = (s.match(/[\p{L}\p{N}]/gu) ?? []).length - (s.match(/[xX]/g) ?? []).length;
  return mask > 0 && mask >= clear ? 'masked' : 'unmasked';
}

/** Fetches the configured order API and classifies each buyer field on each order; the values are dropped here. */
export async function probeOrders(probes: Probes, env: Record<string, string | undefined> = process.env): Promise<OrderProbeResult> {
  const cfg = probes.orders!;
  const fields = cfg.buyerFields.map((field) => ({ field, masked: 0, unmasked: 0, absent: 0 }));
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'tenet-control-probe' };
  for (const [name, variable] of Object.entries(cfg.headersFromEnv)) {
    const value = env[variable];
    if (value === undefined) return { url: cfg.url, error: `environment variable ${variable} (header ${name}) is not set`, orders: 0, fields };
    headers[name] = value;
  }
  let status: number;
  let text: string;
  try {
    ({ status, text } = await request(cfg.url, { method: 'GET', headers }, probes));
  } catch (error) {
    return { url: cfg.url, error: describe(error), orders: 0, fields };
  }
  if (status !== 200) return { url: cfg.url, status, orders: 0, fields };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { url: cfg.url, status, error: 'answer is not JSON', orders: 0, fields };
  }
  const orders = at(body, cfg.ordersPath);
  if (!Array.isArray(orders)) return { url: cfg.url, status, error: `no array at ${cfg.ordersPath || '(root)'}`, orders: 0, fields };
  for (const order of orders) for (const f of fields) f[classifyBuyerValue(at(order, f.field))]++;
  return { url: cfg.url, status, orders: orders.length, fields };
}

/** Reads the privacy policy page for the Limited Use statement and the link to Google's User Data Policy. */
export async function probeLimitedUse(url: string, probes: Probes): Promise<{ url: string; statement: boolean; policyLink: boolean; error?: string }> {
  try {
    const { status, text } = await request(url, { method: 'GET', headers: { accept: 'text/html', 'user-agent': 'tenet-control-probe' } }, probes);
    if (status !== 200) return { url, statement: false, policyLink: false, error: `answered ${status}` };
    const plain = text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    return {
      url,
      statement: /Google API Services User Data Policy/i.test(plain) && /Limited Use/i.test(plain),
      policyLink: /developers\.google\.com\/terms\/api-services-user-data-policy/i.test(text),
    };
  } catch (error) {
    return { url, statement: false, policyLink: false, error: describe(error) };
  }
}

/**
 * CORS preflights (network.cors-split): an `OPTIONS` to each production URL with each `Origin`, recording what the
 * answer allows. Origins are not secrets; nothing else of the answer is kept.
 */
export async function probeCors(probes: Probes, origins: string[]): Promise<CorsProbeResult[]> {
  const cfg = probes.cors;
  if (!cfg) return [];
  const out: CorsProbeResult[] = [];
  for (const url of cfg.urls) {
    for (const origin of origins) {
      const headers = {
        origin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization,content-type',
        'user-agent': 'tenet-control-probe',
      };
      try {
        assertAllowed(url, probes.allowedHosts);
        const res = await fetch(url, { method: 'OPTIONS', headers, redirect: 'manual', signal: AbortSignal.timeout(probes.timeoutMs) });
        await res.body?.cancel();
        const allowOrigin = res.headers.get('access-control-allow-origin');
        const allowCredentials = res.headers.get('access-control-allow-credentials');
        out.push({
          url,
          origin,
          status: res.status,
          ...(allowOrigin !== null ? { allowOrigin } : {}),
          ...(allowCredentials !== null ? { allowCredentials: allowCredentials.toLowerCase() === 'true' } : {}),
        });
      } catch (error) {
        out.push({ url, origin, error: describe(error) });
      }
    }
  }
  return out;
}
