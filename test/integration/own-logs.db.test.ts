import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { createScanner } from '../../engine/scanner/scanner.ts';
import { spawnTenet } from '../helpers/spawn-tenet.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tenet-own-logs-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

// Values a careless caller might send; none may come back in an answer or reach Tenet's logs.
const PLANTED = {
  phone: '+91 98450 12345',
  pan: 'ABCPK1234Z',
  email: 'asha.kulkarni@example.in',
  card: '4111 1111 1111 1111',
  token: 'sk_live_a1B2c3D4e5F6g7H8i9J0k1L2m3',
};

it('nothing Tenet logs trips its own PII and secret scanner (demo start-up, decisions, bad input, control runs, shutdown)', async () => {
  const env: Record<string, string | undefined> = { ...process.env, TENET_DATA_DIR: dataDir, LOG_LEVEL: 'debug', PORT: '0', DATABASE_URL: undefined };
  const { url, child, exited } = await spawnTenet({ args: ['serve', '--demo'], env, stderr: 'pipe' });
  const out: string[] = [];
  child.stdout!.on('data', (d) => out.push(String(d)));
  child.stderr!.on('data', (d) => out.push(String(d)));
  const keys = JSON.parse(readFileSync(path.join(dataDir, 'demo-keys.json'), 'utf8')) as Record<string, string>;
  const call = async (p: string, key: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') => {
    const res = await fetch(url + p, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, text: await res.text() };
  };
  const answers: string[] = [];
  answers.push(
    (
      await call('/v1/authorize', keys.service, {
        principal: { type: 'User', id: 'asha' },
        action: { id: 'reveal_buyer_pii' },
        resource: { type: 'Order', id: 'o-1001' },
        context: { mfa: true, purpose: 'shipping' },
      })
    ).text,
  );
  answers.push(
    (
      await call('/v1/authorize', keys.service, {
        principal: { type: 'User', id: PLANTED.email },
        action: { id: 'read' },
        resource: { type: 'Order', id: PLANTED.phone },
        context: { fields: [PLANTED.pan] },
      })
    ).text,
  );
  answers.push(
    (await call('/v1/authorize', keys.service, { principal: { type: 'User', id: 'asha' }, action: { id: 'read' }, context: { note: PLANTED.card } })).text,
  );
  answers.push(
    (
      await call(
        '/v1/entities',
        keys.service,
        { entities: [{ uid: { type: 'Client', id: 'x' }, attrs: { email: PLANTED.email, secret: PLANTED.token } }] },
        'PUT',
      )
    ).text,
  );
  answers.push((await call('/v1/authorize', `tnt_${PLANTED.token}`, {})).text);
  answers.push((await call('/v1/controls/run', keys.security_officer, {})).text);
  answers.push(
    (await call('/v1/exceptions', keys.security_officer, { controlId: 'storage.s3-lifecycle', reason: `call ${PLANTED.phone}`, expiresAt: 'tomorrow' })).text,
  );
  // The banner comes once the log is quiet: waited for, so every run sees the same output.
  for (const by = Date.now() + 15_000; !out.join('').includes('Tenet demo is running at') && Date.now() < by;) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);

  // The demo banner, printed once start-up's log has been quiet for a moment, holds the demo keys on purpose: it is
  // the terminal's message to the person who started the demo, not a log line. It is cut out; the keys must appear
  // nowhere else.
  const banner = /\nTenet demo is running at [^\n]*\n[\s\S]*?\n {4}-d '[^\n]*'\n\n/;
  const printed = out.join('');
  const logs = printed.replace(banner, '');
  expect(logs, 'the banner was printed, and cut out whole').not.toBe(printed);
  expect(logs).not.toContain('Tenet demo is running at');
  expect(logs.length).toBeGreaterThan(1000);
  for (const key of Object.values(keys)) expect(logs).not.toContain(key);
  const scanner = createScanner({ secret: 'own-logs-test-secret-0123456789abcdef' });
  const findings = scanner.scan(logs);
  expect(findings.map((f) => `${f.detector} at ${f.line}:${f.column} ${f.masked}`)).toEqual([]);
  for (const v of Object.values(PLANTED)) expect(logs).not.toContain(v);
  // Error bodies do not echo what was sent either.
  for (const a of answers) for (const v of Object.values(PLANTED)) expect(a).not.toContain(v);
}, 120_000);
