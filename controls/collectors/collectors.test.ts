import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDemoPlatformDb } from '../../engine/demo/demo-environment.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normaliseConfigurationItem } from '../inventory/config-item.ts';
import { parseControlSettings } from '../settings.ts';
import { CONTROLS_BY_ID } from '../catalogue/index.ts';
import { assertAllowed, classifyBuyerValue, probeCors, probeOrders, probeWebhooks } from './http-probe.ts';
import { queryUnredactedOrders } from './platform-db.ts';
import { createSnapshotSource } from './snapshot.ts';

describe('configuration items', () => {
  it('accepts the API shape (JSON strings, tag list) and the snapshot shapes (objects; 1.3 and documentation spellings)', () => {
    const api = normaliseConfigurationItem({
      accountId: '111111111111',
      resourceType: 'AWS::S3::Bucket',
      resourceId: 'b1',
      awsRegion: 'ap-south-1',
      configurationItemCaptureTime: 1_763_000_000,
      configuration: '{"name":"b1"}',
      supplementaryConfiguration: { BucketVersioningConfiguration: '{"status":"Enabled"}', IsRequesterPaysEnabled: 'false' },
      tags: [{ key: 'environment', value: 'Production' }],
    });
    expect(api).toMatchObject({
      accountId: '111111111111',
      environment: 'production',
      configuration: { name: 'b1' },
      supplementaryConfiguration: { BucketVersioningConfiguration: { status: 'Enabled' }, IsRequesterPaysEnabled: 'false' },
    });
    expect(api.configurationItemCaptureTime).toBe(new Date(1_763_000_000_000).toISOString());

    const v13 = normaliseConfigurationItem(
      {
        awsAccountId: '222222222222',
        ARN: 'arn:aws:s3:::b2',
        resourceType: 'AWS::S3::Bucket',
        resourceId: 'b2',
        configuration: { name: 'b2' },
        supplementaryConfiguration: { BucketVersioningConfiguration: { status: 'Off' } },
        tags: {},
      },
      { accounts: { '222222222222': 'staging' } },
    );
    expect(v13).toMatchObject({
      arn: 'arn:aws:s3:::b2',
      environment: 'staging',
      supplementaryConfiguration: { BucketVersioningConfiguration: { status: 'Off' } },
    });
    const doc = normaliseConfigurationItem(
      { accountId: '3', arn: 'arn:x', resourceType: 'T', resourceId: 'r', configurationStateID: 1 },
      { resources: { 'arn:x': 'production' } },
    );
    expect(doc.environment).toBe('production');
  });

  it('refuses an item it cannot read, naming it', () => {
    expect(() => normaliseConfigurationItem({ resourceType: 'AWS::S3::Bucket', resourceId: 'b', accountId: '1', configuration: '{broken' })).toThrow(
      /AWS::S3::Bucket b configuration is not valid JSON/,
    );
    expect(() => normaliseConfigurationItem({ resourceType: 'AWS::S3::Bucket', resourceId: 'b' })).toThrow(/no accountId/);
    expect(() => normaliseConfigurationItem('x')).toThrow(/not an object/);
  });
});

describe('snapshot files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tenet-snap-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads items by type, reports unreadable items only to controls reading their type, and re-reads a changed file', async () => {
    const file = path.join(dir, 's.json');
    const good = { awsAccountId: '1', resourceType: 'AWS::S3::Bucket', resourceId: 'b', configuration: {} };
    await writeFile(
      file,
      JSON.stringify({
        fileVersion: '1.0',
        configurationItems: [good, { awsAccountId: '1', resourceType: 'AWS::Lambda::Function', resourceId: 'f', configuration: '{oops' }],
      }),
    );
    const source = createSnapshotSource({ files: [file] });
    expect(await source.read(['AWS::S3::Bucket'])).toMatchObject({ items: [expect.objectContaining({ resourceId: 'b' })], errors: [], unavailable: [] });
    const fns = await source.read(['AWS::Lambda::Function']);
    expect(fns.items).toEqual([]);
    expect(fns.errors[0]).toMatchObject({ source: `snapshot:${file}#1`, message: expect.stringMatching(/not valid JSON/) });

    await new Promise((r) => setTimeout(r, 20));
    await writeFile(file, JSON.stringify({ configurationItems: [good, { ...good, resourceId: 'b2' }] }));
    expect((await source.read(['AWS::S3::Bucket'])).items).toHaveLength(2);
  });

  it('a missing or broken file is an error, never an empty inventory', async () => {
    const missing = await createSnapshotSource({ files: [path.join(dir, 'nope.json')] }).read(['AWS::S3::Bucket']);
    expect(missing.errors[0].message).toMatch(/ENOENT/);
    const broken = path.join(dir, 'broken.json');
    await writeFile(broken, '{"configurationItems": [');
    expect((await createSnapshotSource({ files: [broken] }).read(['AWS::S3::Bucket'])).errors[0].message).toMatch(/not valid JSON/);
  });
});

describe('HTTP probes', () => {
  let server: http.Server;
  let base: string;
  let host: string;
  const seen: Array<{ url?: string; headers: http.IncomingHttpHeaders }> = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ url: req.url, headers: req.headers });
      if (req.url === '/hook-strict') {
        // A Stripe handler: HMAC over "t.body" with the endpoint secret, 300 s tolerance, 400 on failure.
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          const sig = String(req.headers['stripe-signature'] ?? '');
          const t = /t=(\d+)/.exec(sig)?.[1];
          const ok =
            t &&
            sig.includes(`v1=${createHmac('sha256', 'whsec_test').update(`${t}.${body}`).digest('hex')}`) &&
            Math.abs(Date.now() / 1000 - Number(t)) <= 300;
          res.writeHead(ok ? 200 : 400).end();
        });
        return;
      }
      if (req.url === '/hook-behind-waf') return res.writeHead(403).end();
      if (req.method === 'OPTIONS' && req.url === '/echo-cors')
        return res.writeHead(204, { 'access-control-allow-origin': String(req.headers.origin), 'access-control-allow-credentials': 'true' }).end();
      if (req.method === 'OPTIONS' && req.url === '/strict-cors')
        return res.writeHead(204, req.headers.origin === 'https://app.example.com' ? { 'access-control-allow-origin': 'https://app.example.com' } : {}).end();
      if (req.url === '/hook-lax') return res.writeHead(200).end('ok');
      if (req.url === '/redirect') return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
      if (req.url === '/slow') return setTimeout(() => res.writeHead(401).end(), 2_000);
      if (req.url === '/orders') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ data: { orders: [{ buyer: { name: 'R*** K****', phone: '+91 98450 12345' } }, { buyer: { name: '[redacted]' } }] } }));
      }
      res.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    base = `http://${host}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const probes = (over: object) => parseControlSettings({ probes: { allowedHosts: [host], timeoutMs: 500, ...over } }).probes;

  it('sends each webhook an unsigned, a wrongly signed, a correctly signed and a replayed request and records the status only', async () => {
    const env = { HOOK_SECRET: 'whsec_test' };
    const r = await probeWebhooks(
      probes({
        webhooks: [
          { name: 's', provider: 'stripe', url: `${base}/hook-strict`, secretEnv: 'HOOK_SECRET' },
          { name: 'l', provider: 'generic', url: `${base}/hook-lax` },
          { name: 'w', provider: 'stripe', url: `${base}/hook-behind-waf`, secretEnv: 'HOOK_SECRET' },
        ],
      }),
      env,
    );
    expect(r.map((x) => [x.name, x.case, x.status ?? x.skipped?.slice(0, 30)])).toEqual([
      ['s', 'unsigned', 400],
      ['s', 'bad-signature', 400],
      ['s', 'signed', 200],
      ['s', 'replayed', 400],
      ['l', 'unsigned', 200],
      ['l', 'bad-signature', 200],
      ['l', 'signed', 'no test signing secret configu'],
      ['l', 'replayed', 'a generic signature covers no '],
      ['w', 'unsigned', 403],
      ['w', 'bad-signature', 403],
      ['w', 'signed', 403],
      ['w', 'replayed', 403],
    ]);
    expect(r[0].reject).toEqual([400, 401, 403]);
    expect(seen.find((s) => s.url === '/hook-strict' && s.headers['stripe-signature'])?.headers['stripe-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    // The secret itself is never recorded.
    expect(JSON.stringify(r)).not.toContain('whsec_test');
    // Judged: the Stripe handler passes (400 is Stripe's code); the one behind a WAF refuses even a signed request.
    const judged = CONTROLS_BY_ID.get('webhooks.signature-validation')!.evaluate(r, parseControlSettings({}));
    expect(judged.status).toBe('fail');
    const messages = judged.findings
      .filter((f) => f.severity !== 'info')
      .map((f) => f.message)
      .join('\n');
    expect(messages).not.toMatch(/webhook s /);
    expect(messages).toMatch(/webhook w answered 403 to a request correctly signed with the test secret/);
    expect(messages).toMatch(/webhook l answered 200 to an unsigned request/);
  });

  it('sends production endpoints a CORS preflight with each staging origin and records what they allow', async () => {
    const r = await probeCors(probes({ cors: { urls: [`${base}/echo-cors`, `${base}/strict-cors`] } }), ['https://staging.example.com']);
    expect(r).toEqual([
      { url: `${base}/echo-cors`, origin: 'https://staging.example.com', status: 204, allowOrigin: 'https://staging.example.com', allowCredentials: true },
      { url: `${base}/strict-cors`, origin: 'https://staging.example.com', status: 204 },
    ]);
    expect(seen.filter((s) => s.url === '/echo-cors')[0].headers.origin).toBe('https://staging.example.com');
  });

  it('never follows a redirect, times out, and refuses hosts that are not configured', async () => {
    const r = await probeWebhooks(
      probes({
        webhooks: [
          { name: 'r', provider: 'x', url: `${base}/redirect` },
          { name: 'slow', provider: 'x', url: `${base}/slow` },
          { name: 'evil', provider: 'x', url: 'http://169.254.169.254/' },
        ],
      }),
    );
    expect(r[0].status).toBe(302);
    expect(r[4].error).toBe('timed out');
    expect(r[8].error).toMatch(/refused: host 169.254.169.254 is not in probes.allowedHosts/);
    expect(() => assertAllowed('file:///etc/passwd', [host])).toThrow(/not probed/);
  });

  it('classifies buyer fields and keeps no values', async () => {
    const r = await probeOrders(probes({ orders: { url: `${base}/orders`, buyerFields: ['buyer.name', 'buyer.phone'], ordersPath: 'data.orders' } }));
    expect(r).toEqual({
      url: `${base}/orders`,
      status: 200,
      orders: 2,
      fields: [
        { field: 'buyer.name', masked: 2, unmasked: 0, absent: 0 },
        { field: 'buyer.phone', masked: 0, unmasked: 1, absent: 1 },
      ],
    });
    expect(JSON.stringify(r)).not.toMatch(/98450/);
    expect(classifyBuyerValue('xxxx1234')).toBe('masked');
    expect(classifyBuyerValue('Alex Rao')).toBe('unmasked');
    expect(classifyBuyerValue({ line1: '12 MG Road', city: 'B*******' })).toBe('unmasked');
  });

  it('an order probe that needs a token not in the environment says so', async () => {
    const r = await probeOrders(
      probes({ orders: { url: `${base}/orders`, buyerFields: ['buyer.name'], headersFromEnv: { authorization: 'ORDERS_TOKEN' } } }),
      {},
    );
    expect(r.error).toMatch(/ORDERS_TOKEN/);
  });
});

describe('read-only SQL on the platform database', () => {
  it('counts unredacted old orders in the demo platform database, returns ids only, and cannot write', async () => {
    const db = await openDemoPlatformDb();
    try {
      const r = await queryUnredactedOrders({ run: db.query, olderThanDays: 30 });
      expect(r).toEqual({ count: 3, sample: ['o-3050', 'o-3141', 'o-3232'], olderThanDays: 30 });
      await expect(db.query('UPDATE orders SET pii_redacted = true', [])).rejects.toThrow(/read-only transaction/);
      expect((await queryUnredactedOrders({ run: db.query, olderThanDays: 30 })).count).toBe(3);
    } finally {
      await db.close();
    }
  });
});
