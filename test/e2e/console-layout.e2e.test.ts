import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newVisitor, screenshot, settled, signIn, startE2e, type Browser, type BrowserContext, type Page } from './harness.ts';

/**
 * What a security officer noticed in the console, checked in Chromium on the built console: nothing in a page's main
 * content runs past the window or its card at 1440×900 (nor a pack's Download button off a phone's screen), times
 * are in the viewer's zone with the zone named, the Decisions page keeps Tenet's own route checks apart and exports
 * CSV, a tab older than an upgrade reloads instead of failing, and the auditor sees the scope read-only.
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

/**
 * Elements of the main content whose right edge runs past the window or past their card (`.panel`), and scroll
 * boxes whose content is wider than the box (a clipped last column). Visually hidden text (1 px, clipped) is left
 * out; so are elements inside a scroll box, which are measured by the box.
 */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const viewport = document.documentElement.clientWidth;
    const name = (el: Element) => {
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      return `<${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? ` class="${el.className}"` : ''}>${text ? ` "${text}"` : ''}`;
    };
    if (document.documentElement.scrollWidth > viewport + 1) out.push(`the page is ${document.documentElement.scrollWidth - viewport}px wider than the window`);
    const main = document.querySelector('main');
    if (!main) return ['no main'];
    const scrollBoxes = new Set<Element>();
    for (const el of main.querySelectorAll('*')) {
      const style = getComputedStyle(el);
      if ((style.overflowX === 'auto' || style.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1) {
        out.push(`${name(el)}: its content is ${el.scrollWidth - el.clientWidth}px wider than the box (clipped until scrolled)`);
      }
      if (style.overflowX !== 'visible') scrollBoxes.add(el);
    }
    for (const el of main.querySelectorAll('*')) {
      const rect = el.getBoundingClientRect();
      if (rect.width <= 1 || rect.height <= 1) continue; // visually hidden, or not shown
      if (el.closest('.visually-hidden')) continue;
      let inBox = false;
      for (let p = el.parentElement; p && p !== main; p = p.parentElement) if (scrollBoxes.has(p)) inBox = true;
      if (inBox) continue;
      if (rect.right > viewport + 1) out.push(`${name(el)}: right edge ${Math.round(rect.right)} past the window (${viewport})`);
      const card = el.parentElement?.closest('.panel');
      if (card) {
        const c = card.getBoundingClientRect();
        if (rect.right > c.right + 1) out.push(`${name(el)}: right edge ${Math.round(rect.right)} past its card (${Math.round(c.right)})`);
      }
    }
    return [...new Set(out)];
  });
}

/** The addresses of the main navigation, and a few pages the navigation does not list (tabs, a detail page). */
async function pagesOf(page: Page): Promise<string[]> {
  const nav = await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link')
    .evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
  return [...nav, '/decisions?set=tenet', '/controls/secrets.no-legacy-env-credentials'];
}

/**
 * An API key made by the signed-in administrator (the page's session, with its CSRF token), and platform decisions it
 * asks for: long ids, several reasons, PII reveals — the widest rows the Decisions and PII reveals tables hold.
 */
async function platformKey(context: BrowserContext, name: string): Promise<string> {
  const session = (await (await context.request.get('/v1/session')).json()) as { csrfToken: string };
  const made = await context.request.post('/v1/api-keys', { data: { name, role: 'service' }, headers: { 'x-csrf-token': session.csrfToken } });
  expect(made.status(), await made.text()).toBe(201);
  return ((await made.json()) as { key: string }).key;
}

async function askAsPlatform(context: BrowserContext, key: string): Promise<void> {
  const requests = [
    ['asha', 'read', 'o-1001'],
    ['asha', 'reveal_buyer_pii', 'o-1001'],
    ['dev', 'reveal_buyer_pii', 'o-2001'],
    ['cognito-2f4e1a9b-7c3d-4e5f-8a6b-9c0d1e2f3a4b-long-subject', 'reveal_buyer_pii', 'order-2026-11-27-0001234567890123'],
  ];
  for (const [user, action, order] of requests) {
    const res = await context.request.post('/v1/authorize', {
      data: {
        principal: { type: 'User', id: user },
        action: { id: action },
        resource: { type: 'Order', id: order },
        context: { mfa: true, purpose: 'order_support' },
      },
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.status(), await res.text()).toBe(200);
  }
}

/** A date filter applied (its summary line and the filled From/To inputs are the widest state of the filter card). */
const WEEK = `from=${encodeURIComponent(new Date(Date.now() - 7 * 86_400_000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`;

describe('console layout, time zones, decisions and stale tabs', () => {
  test('at 1440×900 nothing in any page’s main content runs past the window or its card', async () => {
    const { context, page, problems } = await newVisitor(browser, env.url, { width: 1440, height: 900 });
    await signIn(page, 'Administrator');
    await askAsPlatform(context, await platformKey(context, 'layout-check-service-with-a-long-descriptive-name'));
    // The decision log is written in batches: wait until the reveals are in it.
    await expect
      .poll(async () => ((await (await context.request.get('/v1/pii-reveals?limit=10')).json()) as { reveals: unknown[] }).reveals.length, { timeout: 15_000 })
      .toBeGreaterThanOrEqual(3);
    const pages = [...(await pagesOf(page)), `/decisions?${WEEK}`, `/pii-reveals?${WEEK}`];
    const found: string[] = [];
    for (const url of pages) {
      await page.goto(url);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await settled(page);
      found.push(...(await overflowing(page)).map((p) => `${url}: ${p}`));
    }
    await page.goto(`/decisions?set=tenet&${WEEK}`);
    await settled(page);
    await screenshot(page, 'layout-1440-decisions');
    expect(found).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  test('on a 390×844 phone a pack’s Download button is on screen, and the Packs page stays inside the window', async () => {
    const { context, page, problems } = await newVisitor(browser, env.url, { width: 390, height: 844 });
    await signIn(page, 'Security officer');
    await page.goto('/packs');
    await page.getByRole('heading', { level: 1 }).waitFor();
    // The build form's defaults: whatever it offers first is a pack with a Download button once ready.
    await page.getByRole('region', { name: 'Build a pack' }).getByRole('button', { name: 'Build pack' }).click();
    await page.getByRole('status').filter({ hasText: 'Pack ready' }).waitFor({ timeout: 120_000 });
    await settled(page);
    const download = page.getByRole('table', { name: 'Packs' }).getByRole('link', { name: 'Download' }).first();
    await download.waitFor();
    // Scrolled to vertically, as a person would; the table itself is not scrolled sideways (that would hide the problem).
    await download.evaluate((el) => {
      el.closest('.table-wrap')!.scrollLeft = 0;
      window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 200);
    });
    const box = await download.boundingBox();
    const width = await page.evaluate(() => document.documentElement.clientWidth);
    expect(box).not.toBeNull();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(width);
    // Its whole button shows: nothing covers it (a sticky column must not hide under its neighbours).
    const hit = await page.evaluate(
      ([x, y]) => document.elementFromPoint(x!, y!)?.closest('a')?.textContent?.trim(),
      [box!.x + box!.width - 3, box!.y + box!.height / 2],
    );
    expect(hit).toBe('Download');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(1);
    await screenshot(page, 'layout-phone-packs');
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);

  test('times show in the viewer’s zone with the zone named, never as ISO with milliseconds', async () => {
    const context = await browser.newContext({ baseURL: env.url, viewport: { width: 1440, height: 900 }, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
    const page = await context.newPage();
    await signIn(page, 'Security officer');
    const isoWithMs = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}\.\d{3}/;
    for (const url of ['/decisions', '/decisions?set=tenet', '/pii-reveals', '/packs', '/policies', '/settings']) {
      await page.goto(url);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await settled(page);
      const text = await page.locator('main').innerText();
      expect(text, url).not.toMatch(isoWithMs);
    }
    await page.goto('/decisions?set=tenet');
    await settled(page);
    const first = page.getByRole('table', { name: 'Decisions' }).locator('time').first();
    // Berlin is CET/CEST (GMT+1/GMT+2, as the locale names it).
    await expect(first.innerText()).resolves.toMatch(/\b(CET|CEST|GMT\+1|GMT\+2)\b/);
    // The exact instant is in the tooltip and the datetime attribute.
    await expect(first.getAttribute('title')).resolves.toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    await expect(page.locator('main').innerText()).resolves.toContain('Europe/Berlin');
    await context.close();
  });

  test('Decisions: platform decisions by default, Tenet’s route checks on their own tab, and a CSV export of what is shown', async () => {
    const { context, page, problems } = await newVisitor(browser, env.url, { width: 1440, height: 900 });
    await signIn(page, 'Administrator');
    // Platform decisions, asked for by an API key with a name: an administrator makes the key, the key asks.
    await askAsPlatform(context, await platformKey(context, 'orders-service'));
    await page.goto('/decisions');
    await page.getByRole('heading', { level: 1, name: 'Decisions' }).waitFor();
    await settled(page);
    const tabs = page.getByRole('navigation', { name: 'Decision log' });
    await expect(tabs.getByRole('link', { name: 'Platform decisions' }).getAttribute('aria-current')).resolves.toBe('page');
    const results = page.getByRole('region', { name: 'Results' });
    // The decision log is written in batches: refresh until the key's decision is there.
    await expect
      .poll(
        async () => {
          await results.getByRole('button', { name: 'Refresh' }).click();
          await settled(page);
          return results.innerText();
        },
        { timeout: 15_000 },
      )
      .toContain('orders-service');
    await expect(results.innerText()).resolves.not.toContain('Tenet::Area');

    await tabs.getByRole('link', { name: 'Tenet route checks' }).click();
    await page.waitForURL(/set=tenet/);
    await settled(page);
    // The URL changes before the tab and the table re-render: both are waited for, not read once.
    await expect.poll(() => tabs.getByRole('link', { name: 'Tenet route checks' }).getAttribute('aria-current'), { timeout: 15_000 }).toBe('page');
    await expect.poll(() => page.getByRole('table', { name: 'Decisions' }).innerText(), { timeout: 15_000 }).toContain('Tenet::Area');

    const [file] = await Promise.all([page.waitForEvent('download'), results.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = readFileSync((await file.path())!, 'utf8');
    const [header, ...rows] = csv.trimEnd().split('\r\n');
    expect(header).toMatch(/^id,at,set,decision,/);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.split(',')[2] === 'tenet')).toBe(true);
    await page.getByRole('status').filter({ hasText: 'Export started' }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  test('a tab older than an upgrade: a page chunk that is gone reloads the tab once and the page renders', async () => {
    const { context, page, problems } = await newVisitor(browser, env.url, { width: 1440, height: 900 });
    await signIn(page, 'Security officer');
    // The overview is in the first bundle; the Decisions chunk is fetched on the way there, and 404s once (as after a deploy).
    let refused = 0;
    await page.route(/\/assets\/decisions-[^/]*\.js$/, async (route) => {
      if (refused++ === 0) await route.fulfill({ status: 404, body: 'gone' });
      else await route.continue();
    });
    let loads = 0;
    page.on('load', () => loads++);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Decisions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Decisions' }).waitFor();
    await settled(page);
    expect(refused).toBe(2);
    expect(loads).toBe(1);
    await expect(page.locator('main').innerText()).resolves.not.toMatch(/dynamically imported module/i);
    // The one 404 is the test's own doing.
    expect(problems.filter((p) => !/404/.test(p))).toEqual([]);

    // A chunk that stays gone: one reload, then the error shows (no reload loop).
    await page.unrouteAll();
    await page.goto('/');
    await page.evaluate(() => sessionStorage.clear());
    await page.route(/\/assets\/pii-reveals-[^/]*\.js$/, (route) => route.fulfill({ status: 404, body: 'gone' }));
    loads = 0;
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'PII reveals' }).click();
    await page.getByText(/dynamically imported module/i).waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1500);
    expect(loads).toBe(1);
    await context.close();
  });

  test('the auditor sees the scope (accounts, probes, log groups) read-only, and no API keys', async () => {
    const { context, page, problems } = await newVisitor(browser, env.url, { width: 1440, height: 900 });
    await signIn(page, 'Auditor');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await settled(page);
    await page.getByTestId('settings-read-only').waitFor();
    const main = await page.locator('main').innerText();
    for (const part of ['AWS accounts', 'Endpoints probed', 'Log groups scanned for PII']) expect(main).toContain(part);
    await expect(page.getByRole('region', { name: 'API keys' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: /create|revoke/i }).count()).resolves.toBe(0);
    expect((await context.request.get('/v1/settings')).status()).toBe(200);
    expect((await context.request.get('/v1/api-keys')).status()).toBe(403);
    expect(problems).toEqual([]);
    await context.close();
  });
});
