import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { axe, mainNav as nav, newVisitor, screenshot, settled, signIn, startE2e, type Browser } from './harness.ts';

/**
 * The Exceptions page in Chromium over `tenet serve --demo`: an auditor reads the register (the demo's Amazon
 * exception, requested by the security officer and approved by the administrator, expiring within the week) and
 * can change nothing; the security officer requests an exception and cannot approve their own; the administrator,
 * another person, approves it.
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

describe('Exceptions page', () => {
  test('an auditor sees the register, the expiry warning and the badge, read-only', async () => {
    const { context, page, problems } = await newVisitor(browser, env.url, undefined, { bypassCSP: true });
    await signIn(page, 'Auditor');
    const link = nav(page).getByRole('link', { name: /Exceptions/ });
    // The demo exception runs 7 days: within the warning window, so the nav line carries a count.
    await expect.poll(() => link.textContent()).toMatch(/Exceptions\s*1/);
    await link.click();
    await page.getByRole('heading', { level: 1, name: 'Exceptions' }).waitFor();

    const register = page.getByRole('table', { name: 'Exception register' });
    const demo = register.locator('tbody tr', { hasText: 'pii.redaction-backfill' });
    await demo.waitFor();
    const text = (await demo.textContent()) ?? '';
    for (const expected of ['Amazon', 'Sam Security', 'BF-112', 'Ada Admin', 'Approved', 'Expires soon', 'critical', 'Failing'])
      expect(text).toContain(expected);
    await expect(page.getByRole('note', { name: 'Expiring soon' }).textContent()).resolves.toContain('pii.redaction-backfill');

    // Read-only: no form, no decision buttons.
    await expect(page.getByRole('form', { name: 'Request an exception' }).count()).resolves.toBe(0);
    await expect(register.getByRole('button').count()).resolves.toBe(0);
    await page.getByText('Read-only: your role may read the register').waitFor();
    await settled(page);
    await screenshot(page, 'auditor-exceptions');
    expect(await axe(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('the security officer requests an exception, cannot approve it, and the administrator approves it', async () => {
    const officer = await newVisitor(browser, env.url);
    await signIn(officer.page, 'Security officer');
    await nav(officer.page)
      .getByRole('link', { name: /Exceptions/ })
      .click();
    const form = officer.page.getByRole('form', { name: 'Request an exception' });
    await form.getByLabel('Control').selectOption('storage.s3-lifecycle');
    // medium severity: the settings say at most 90 days, and the form says so.
    await expect.poll(() => form.textContent()).toContain('at most 90 days for a medium control');
    await form.getByLabel('Reason').fill('The lifecycle rule for temporary attachments ships with release 43; uploads are deleted by hand until then.');
    await form.getByLabel('Ticket').fill('SEC-77');
    await form.getByRole('button', { name: 'Request exception' }).click();
    await officer.page.getByRole('status').filter({ hasText: 'Exception requested' }).waitFor();

    const mine = officer.page.getByRole('table', { name: 'Exception register' }).locator('tbody tr', { hasText: 'SEC-77' });
    await expect.poll(() => mine.textContent()).toContain('Requested');
    await expect(mine.textContent()).resolves.toContain('Yours: another person decides.');
    await expect(mine.getByRole('button', { name: 'Approve' }).count()).resolves.toBe(0);
    // The waiting request is announced to officers.
    await expect(officer.page.getByText('1 request waits for a second person').count()).resolves.toBe(1);
    await screenshot(officer.page, 'officer-exception-requested');

    const admin = await newVisitor(browser, env.url);
    await signIn(admin.page, 'Administrator');
    await nav(admin.page)
      .getByRole('link', { name: /Exceptions/ })
      .click();
    const theirs = admin.page.getByRole('table', { name: 'Exception register' }).locator('tbody tr', { hasText: 'SEC-77' });
    await theirs.getByRole('button', { name: 'Approve' }).click();
    await admin.page.getByRole('status').filter({ hasText: 'Exception approved' }).waitFor();
    await expect.poll(() => theirs.textContent()).toContain('Approved');
    await expect(theirs.textContent()).resolves.toContain('Ada Admin');

    // The requester sees it approved by the other person.
    await officer.page.reload();
    await expect.poll(() => mine.textContent()).toMatch(/Ada Admin.*Approved/s);
    expect(officer.problems).toEqual([]);
    expect(admin.problems).toEqual([]);
    await officer.context.close();
    await admin.context.close();
  });
});
