import { randomBytes } from 'node:crypto';
import type { OrderProbeResult, WebhookProbeResult } from '../define-control.ts';
import { valueAt as at } from '../inventory/path.ts';
import type { ControlSettings } from '../settings.ts';

type Probes = ControlSettings['probes'];

export class ProbeRefusedError extends Error {}

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

const SIGNATURE_HEADERS: Record<string, string> = {
  stripe: 'stripe-signature',
  whatsapp: 'x-hub-signature-256',
  meta: 'x-hub-signature-256',
  amazon: 'x-amz-sns-signature',
};

/** Sends each configured webhook an unsigned and a wrongly signed request; records only the status. */
export async function probeWebhooks(probes: Probes): Promise<WebhookProbeResult[]> {
  const out: WebhookProbeResult[] = [];
  for (const w of probes.webhooks) {
    const header = SIGNATURE_HEADERS[w.provider.toLowerCase()] ?? w.signatureHeader;
    const bogus = randomBytes(32).toString('hex');
    const badValue = header === 'stripe-signature' ? `t=${Math.floor(Date.now() / 1000)},v1=${bogus}` : header === 'x-hub-signature-256' ? `sha256=${bogus}` : bogus;
    for (const c of ['unsigned', 'bad-signature'] as const) {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'tenet-control-probe' };
      if (c === 'bad-signature') headers[header] = badValue;
      try {
        const { status } = await request(w.url, { method: 'POST', headers, body: w.body }, probes);
        out.push({ name: w.name, provider: w.provider, url: w.url, case: c, status });
      } catch (error) {
        out.push({ name: w.name, provider: w.provider, url: w.url, case: c, error: describe(error) });
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
