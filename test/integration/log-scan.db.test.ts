import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsLoopback } from '../fixtures/aws-loopback.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

const PROD = '111111111111';
const REGION = 'ap-south-1';
const PHONE = '+91 98450 12345';
const now = Date.now();
const stream = '2026/11/23/[$LATEST]0a1b';

let lb: Awaited<ReturnType<typeof startAwsLoopback>>;
let t: TestApp;
const events = [
  { timestamp: now - 5 * 3_600_000, message: `{"level":"info","msg":"order imported","buyerPhone":"${PHONE}"}`, logStreamName: stream },
  { timestamp: now - 4 * 3_600_000, message: '{"level":"info","msg":"order imported","orderId":"402-1234567-1234567"}', logStreamName: stream },
];

beforeAll(async () => {
  lb = await startAwsLoopback({
    accessKeys: { AKIATENETLOGSCAN0001: PROD },
    // A recorder, so the control can discover the account's production log groups from the inventory.
    accounts: {
      [PROD]: {
        regions: {
          [REGION]: {
            configItems: [],
            recorders: [{ name: 'default', recording: true, recordingGroup: { allSupported: true } }],
            logGroups: [{ logGroupName: '/aws/lambda/order-import' }],
            logEvents: { '/aws/lambda/order-import': events },
          },
        },
      },
    },
  });
  process.env.AWS_ACCESS_KEY_ID = 'AKIATENETLOGSCAN0001';
  process.env.AWS_SECRET_ACCESS_KEY = 'test-secret-not-real';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  t = await startTestApp({
    controls: {
      live: true,
      settings: {
        aws: { endpoint: lb.endpoint, maxAttempts: 2, accounts: [{ accountId: PROD, regions: [REGION] }] },
        logScan: { groups: [{ accountId: PROD, region: REGION, logGroupName: '/aws/lambda/order-import' }], windowHours: 24 },
      },
    },
  });
});
afterAll(async () => {
  await t?.close();
  await lb?.close();
});

describe('logging.cloudwatch-pii-scan', () => {
  it('fails on a phone number logged in the window, with counts and masked samples and never the value', async () => {
    const [run] = (await t.call('/v1/controls/run', { role: 'security_officer', body: { controls: ['logging.cloudwatch-pii-scan'] } })).body.runs;
    expect(run.status).toBe('fail');
    expect(run.findings).toEqual([
      {
        resourceId: `/aws/lambda/order-import:${stream}`,
        resourceType: 'AWS::Logs::LogGroup',
        message: expect.stringMatching(/^1 in_phone value\(s\) in \/aws\/lambda\/order-import \(stream .*\), e\.g\. \+9\*+45$/),
      },
    ]);
    const detail = await t.call(`/v1/controls/logging.cloudwatch-pii-scan/runs/${run.id}`, { role: 'auditor' });
    expect(detail.body.evidence.payload.evidence.scan.counts).toMatchObject({ in_phone: 1 });
    expect(JSON.stringify(detail.body)).not.toMatch(/98450|12345/);
  });

  it('a second run scans only new events (checkpoint) and still reports the window', async () => {
    const before = lb.calls.filter((c) => c.operation === 'FilterLogEvents').length;
    const [run] = await t.controls!.runNow(['logging.cloudwatch-pii-scan'], { trigger: 'manual' });
    expect(run.status).toBe('fail');
    const calls = lb.calls.filter((c) => c.operation === 'FilterLogEvents').slice(before);
    expect(calls.length).toBeGreaterThan(0);
    expect(Number(calls[0].input?.startTime)).toBeGreaterThan(now - 60_000);
  });

  it('after a deployment is recorded, the verdict covers only what was logged since: clean logs pass', async () => {
    const res = await t.call('/v1/deployments', {
      role: 'security_officer',
      body: { version: 'v2026.11.23-1', deployedAt: new Date(now - 3 * 3_600_000).toISOString() },
    });
    expect(res.status).toBe(201);
    expect(res.body.runs[0].status).toBe('pass');
    expect(res.body.runs[0].summary).toMatch(/nothing found/);
    expect((await t.call('/v1/deployments', { role: 'auditor', body: { version: 'x' } })).status).toBe(403);
  });
});
