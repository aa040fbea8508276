import { execFile } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { axe, mainNav as nav, newVisitor, screenshot, settled, signIn, startE2e, type Browser } from './harness.ts';

/**
 * The Incidents page in Chromium over `tenet serve --demo`, with the demo's incident webhook pointed at a loopback
 * receiver that checks the signature: the security officer opens an incident involving Amazon Information, watches
 * the Amazon clock count down, the receiver gets the signed "opened" notice, the Amazon notice is recorded, the
 * checklist is worked, the review written and the incident closed; the next SP-API pack carries it. An auditor
 * reads the register and can change nothing.
 */
const run = promisify(execFile);
const SECRET = 'whsec-e2e-incidents-0123456789';
let env: Awaited<ReturnType<typeof startE2e>>;
let browser: Browser;
const received: Array<{ event: string; valid: boolean; body: { type: string; incident: { id: string; clocks?: Array<{ party: string }> } } }> = [];
const receiver = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (c) => (raw += c));
  req.on('end', () => {
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers['tenet-signature']));
    const valid = Boolean(m) && timingSafeEqual(createHmac('sha256', SECRET).update(`${m![1]}.${raw}`).digest(), Buffer.from(m![2], 'hex'));
    received.push({ event: String(req.headers['tenet-event']), valid, body: JSON.parse(raw) });
    res.writeHead(valid ? 204 : 401).end();
  });
});

beforeAll(async () => {
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/tenet/incidents`;
  env = await startE2e({ env: { TENET_DEMO_INCIDENT_WEBHOOK_URL: hook, TENET_DEMO_INCIDENT_WEBHOOK_SECRET: SECRET } });
  browser = env.browser;
}, 180_000);

afterAll(async () => {
  await env?.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});

describe('Incidents page', () => {
  let incidentId = '';

  test('the security officer opens an incident, the clock counts down, the signed notice arrives, and the incident is worked to closed', async () => {
    const { context, page, problems } = await newVisitor(browser, env.url, undefined, { bypassCSP: true });
    await signIn(page, 'Security officer');
    await nav(page).getByRole('link', { name: 'Incidents' }).click();
    await page.getByRole('heading', { level: 1, name: 'Incidents' }).waitFor();
    const form = page.getByRole('form', { name: 'Open an incident' });
    await form.getByLabel('Title').fill('SP-API refresh token found in a CI log');
    await form.getByLabel('Severity').selectOption('critical');
    await form.getByLabel('Affected integrations').fill('amazon_spapi');
    await form.getByLabel('Data categories').fill('amazon-orders');
    await form.getByLabel('Agencies affected').fill('northwind');
    await form.getByLabel('Credentials to rotate').fill('LWA client secret');
    await form.getByRole('button', { name: 'Open incident' }).click();

    await page.getByRole('heading', { level: 1, name: /^Incident INC-/ }).waitFor();
    incidentId = ((await page.getByRole('heading', { level: 1 }).textContent()) ?? '').replace('Incident ', '');
    expect(incidentId).toMatch(/^INC-\d{8}-[0-9A-F]{6}$/);

    // The Amazon clock: 24 hours from detection, counting down every second.
    const amazon = page.locator('[data-clock="amazon"]');
    const timer = amazon.getByRole('timer');
    const first = await timer.textContent();
    expect(first).toMatch(/^2[34]:\d\d:\d\d left$/);
    await page.waitForTimeout(2100);
    expect(await timer.textContent()).not.toBe(first);
    await expect(page.locator('[data-clock="customers"]').count()).resolves.toBe(1);

    // The signed "opened" notice reached the receiver.
    await expect.poll(() => received.filter((r) => r.body.incident.id === incidentId).length, { timeout: 15_000 }).toBe(1);
    const opened = received.find((r) => r.body.incident.id === incidentId)!;
    expect(opened).toMatchObject({ event: 'opened', valid: true, body: { type: 'incident.opened' } });
    expect(opened.body.incident.clocks?.map((c) => c.party)).toContain('amazon');

    // Record the Amazon and customer notices.
    await amazon.getByLabel('Reference of the notice to amazon').fill('AMZ-SEC-2026-0042');
    await amazon.getByRole('button', { name: 'Record notification' }).click();
    await amazon.getByText('Notified in time').waitFor();
    const customers = page.locator('[data-clock="customers"]');
    await customers.getByLabel('Reference of the notice to customers').fill('mail to northwind security');
    await customers.getByRole('button', { name: 'Record notification' }).click();
    await customers.getByText('Notified in time').waitFor();

    // Rotate the credential, then work through the steps (step 1 was done by opening; step 10 is the review).
    await page.locator('[data-rotation="LWA client secret"]').getByRole('button', { name: 'Mark rotated' }).click();
    await page
      .locator('[data-rotation="LWA client secret"]')
      .getByText(/rotated/)
      .waitFor();
    for (let step = 2; step <= 9; step++) {
      const item = page.locator(`[data-step="${step}"]`);
      await item.getByRole('textbox').fill(`step ${step} done in the e2e test`);
      await item.getByRole('button', { name: `Mark step ${step} done` }).click();
      await expect.poll(() => item.getAttribute('data-done')).toBe('yes');
    }
    await page.getByRole('button', { name: 'Preserve evidence now' }).click();
    await expect.poll(() => page.locator('[data-evidence]').count()).toBe(2);

    // Closing needs the review.
    await expect(page.getByRole('button', { name: 'Close incident' }).isDisabled()).resolves.toBe(true);
    const review = page.getByRole('form', { name: 'Post-incident review' });
    await review.getByLabel('Summary').fill('A CI job echoed the LWA client secret into its log; the log was private.');
    await review.getByLabel('Lessons and control changes').fill('Mask secrets in CI output; scan CI logs with the PII scanner.');
    await review.getByRole('button', { name: 'Record review' }).click();
    await page.locator('[data-review="done"]').waitFor();
    await expect.poll(() => page.locator('[data-step="10"]').getAttribute('data-done')).toBe('yes');
    await page.getByRole('button', { name: 'Close incident' }).click();
    await page.getByText('Closed', { exact: true }).first().waitFor();
    await settled(page);
    await screenshot(page, 'officer-incident-closed');
    expect(await axe(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('an auditor reads the register read-only, and the next SP-API pack carries the incident', async () => {
    expect(incidentId).not.toBe('');
    const { context, page, problems } = await newVisitor(browser, env.url);
    await signIn(page, 'Auditor');
    await nav(page).getByRole('link', { name: 'Incidents' }).click();
    await page.getByRole('table', { name: 'Incident register' }).locator(`[data-incident="${incidentId}"]`).waitFor();
    await expect(page.getByRole('form', { name: 'Open an incident' }).count()).resolves.toBe(0);
    await page.getByRole('link', { name: incidentId }).click();
    await page.getByRole('heading', { level: 1, name: `Incident ${incidentId}` }).waitFor();
    await expect(
      page
        .getByRole('button')
        .filter({ hasText: /Record|Mark|Close|Preserve/ })
        .count(),
    ).resolves.toBe(0);

    await nav(page).getByRole('link', { name: 'Evidence packs' }).click();
    const build = page.getByRole('region', { name: 'Build a pack' });
    await build.getByLabel('Profile').selectOption('sp-api');
    await build.getByRole('button', { name: 'Build pack' }).click();
    // Packs build in the background: wait for it as the other pack tests do (a loaded machine takes longer than a click waits).
    await page.getByRole('status').filter({ hasText: 'Pack ready' }).waitFor({ timeout: 120_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), build.getByRole('link', { name: 'Download' }).click()]);
    const dir = mkdtempSync(path.join(tmpdir(), 'tenet-e2e-incident-pack-'));
    try {
      const zip = path.join(dir, 'pack.zip');
      await download.saveAs(zip);
      const { stdout: html } = await run('unzip', ['-p', zip, 'index.html'], { maxBuffer: 64 * 1024 * 1024 });
      expect(html).toContain('Incident register');
      expect(html).toContain(incidentId);
      expect(html).toMatch(/amazon 24 h: met/);
      expect(html).toContain('Mask secrets in CI output');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(problems).toEqual([]);
    await context.close();
  });
});
