import { createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

/** The demo's webhook signing secrets (demo values only, not secrets). */
export const DEMO_WEBHOOK_SECRETS = { stripe: 'whsec_demo_only_not_a_secret', whatsapp: 'demo-app-secret-not-a-secret' };
/** The front-ends the platform's production CORS allows. */
export const DEMO_PRODUCTION_ORIGINS = ['https://app.astrix.example', 'https://portal.astrix.example'];

/**
 * The governed platform's public endpoints as the demo answers them: Stripe and WhatsApp webhooks that check the
 * provider signature over the raw body, CORS preflights, the privacy statement, and the order API that masks buyer
 * fields by default.
 */
export const handleDemoRequest: http.RequestListener = async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const answer = (status: number, json: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(json));
  };
  const equal = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
  if (req.method === 'POST' && req.url === '/webhooks/stripe') {
    // As stripe-node's constructEvent: HMAC over "t.body", at most 300 s old; its documented handler answers 400.
    const header = String(req.headers['stripe-signature'] ?? '');
    const t = /t=(\d+)/.exec(header)?.[1];
    const v1 = /v1=([0-9a-f]+)/.exec(header)?.[1];
    const expected = t
      ? createHmac('sha256', DEMO_WEBHOOK_SECRETS.stripe)
          .update(`${t}.${body.toString('utf8')}`)
          .digest('hex')
      : '';
    const fresh = t !== undefined && Math.abs(Date.now() / 1000 - Number(t)) <= 300;
    return t && v1 && equal(v1, expected) && fresh ? answer(200, { received: true }) : answer(400, { error: 'Webhook signature verification failed' });
  }
  if (req.method === 'OPTIONS') {
    // CORS preflight: only the production front-ends are allowed.
    const origin = String(req.headers.origin ?? '');
    const allowed = DEMO_PRODUCTION_ORIGINS.includes(origin);
    res.writeHead(
      204,
      allowed
        ? {
            'access-control-allow-origin': origin,
            'access-control-allow-methods': 'GET,POST',
            'access-control-allow-headers': 'authorization,content-type',
            vary: 'Origin',
          }
        : { vary: 'Origin' },
    );
    return res.end();
  }
  if (req.method === 'POST' && req.url === '/webhooks/whatsapp') {
    const header = String(req.headers['x-hub-signature-256'] ?? '');
    const expected = `sha256=${createHmac('sha256', DEMO_WEBHOOK_SECRETS.whatsapp).update(body).digest('hex')}`;
    return header && equal(header, expected) ? answer(200, { received: true }) : answer(403, { error: 'invalid signature' });
  }
  if (req.method === 'GET' && req.url === '/privacy') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    // The statement as the platform's Privacy Policy (§9) words it.
    return res.end(
      '<!doctype html><html lang="en"><title>Astrix Privacy Policy</title><h2>9. Google user data</h2><p>Astrix\'s use and transfer of information received from Google APIs will adhere to the ' +
        '<a href="https://developers.google.com/terms/api-services-user-data-policy">Google API Services User Data Policy</a>, including the Limited Use requirements.</p></html>',
    );
  }
  if (req.method === 'GET' && req.url === '/v1/orders') {
    return answer(200, {
      orders: [
        { id: 'o-1001', buyer: { name: 'R*** S*****', phone: '+91 ******4821', email: 'r***@e*****.com', address: '[redacted]' } },
        { id: 'o-1002', buyer: { name: '[redacted]', phone: '[redacted]', email: '[redacted]', address: '[redacted]' } },
        { id: 'o-2001', buyer: { name: 'P**** N***', phone: '+91 ******0937', email: 'p***@e*****.com', address: '[redacted]' } },
      ],
    });
  }
  answer(404, { error: 'not found' });
};
