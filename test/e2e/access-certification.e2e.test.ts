import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { axe, mainNav as nav, newVisitor, screenshot, settled, signIn, startE2e, type Browser } from './harness.ts';

/**
 * The access review as a certification, in Chromium over `tenet serve --demo`: the demo's review is certified (the
 * control passes); an auditor reads the certification, its history and the within-agency flags and cannot sign; the
 * security officer starts a review, revokes a grant with a reason and signs, and the revoke shows as still granted.
 */
let env: Awaited<ReturnType<typeof startE2e>>;
let browser: Browser;

beforeAll(async () => {
  env = await startE2e();
  browser = env.browser;
}, 180_000);

afterAll(async () => {
  await env?.close();
});

describe('Access review certification', () => {
  test('the demo certified its review: access.review-certified passes; an auditor reads it, read-only', async () => {
    const { context, page, problems } = await newVisitor(browser, env.url, undefined, { bypassCSP: true });
    await signIn(page, 'Auditor');
    const control = await page.request.get('/v1/controls/access.review-certified');
    expect(control.status()).toBe(200);
    expect((await control.json()).status).toBe('pass');

    await nav(page).getByRole('link', { name: 'Access review' }).click();
    await page.getByRole('heading', { level: 1, name: 'Access review' }).waitFor();
    const latest = page.getByLabel('Latest certification');
    await latest.waitFor();
    expect(await latest.textContent()).toMatch(/by Sam Security \(user demo-security_officer\)/);
    expect(await latest.textContent()).toMatch(/SHA-256 [0-9a-f]{64}/);
    await expect(page.getByRole('table', { name: 'Certification history' }).locator('tbody tr').count()).resolves.toBe(2);
    await expect(page.getByRole('table', { name: 'Agency-wide PII access' }).textContent()).resolves.toContain('asha');
    await expect(page.getByRole('button', { name: 'Start a review' }).count()).resolves.toBe(0);
    await page.getByText('Read-only: only a security officer signs a review of access.').waitFor();
    await settled(page);
    await screenshot(page, 'auditor-access-certification');
    expect(await axe(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('the security officer certifies the review with a revoke: it is signed and shows as still granted', async () => {
    const { context, page, problems } = await newVisitor(browser, env.url, undefined, { bypassCSP: true });
    await signIn(page, 'Security officer');
    await nav(page).getByRole('link', { name: 'Access review' }).click();
    await page.getByRole('button', { name: 'Start a review' }).click();
    const form = page.getByRole('form', { name: 'Certify the access review' });
    const rows = form.getByRole('table', { name: 'Grants to certify' }).locator('tbody tr');
    const first = rows.first();
    const grant = (await first.locator('td').nth(0).textContent())!.replace('agency-wide', '').trim();
    await first.getByRole('radio', { name: 'Revoke' }).check();
    // Signing without the reason the revoke needs is stopped by the form.
    await form.getByRole('button', { name: /Sign and certify \(1 to revoke\)/ }).click();
    await expect(first.getByRole('textbox').evaluate((el: HTMLInputElement) => el.validity.valueMissing)).resolves.toBe(true);
    await first.getByRole('textbox').fill('left the agency in November');
    await screenshot(page, 'officer-access-certification-form');
    await expect(page.getByRole('button', { name: 'Sign and certify (1 to revoke)' }).count()).resolves.toBe(1);
    await page.getByRole('button', { name: 'Sign and certify (1 to revoke)' }).click();
    await form.waitFor({ state: 'detached' });

    const latest = page.getByLabel('Latest certification');
    await expect.poll(() => latest.textContent()).toMatch(/by Sam Security/);
    const revocations = page.getByRole('list', { name: 'Revocations' });
    await revocations.waitFor();
    const text = (await revocations.textContent()) ?? '';
    expect(text).toContain(grant);
    expect(text).toContain('left the agency in November');
    expect(text).toContain('still granted');
    await expect(page.getByLabel('Changes since the previous certification').textContent()).resolves.toMatch(/1 decisions changed/);
    await expect(page.getByRole('table', { name: 'Certification history' }).locator('tbody tr').count()).resolves.toBe(3);
    await settled(page);
    await screenshot(page, 'officer-access-certification-signed');
    expect(await axe(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
