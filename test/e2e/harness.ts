import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { spawnTenet } from '../helpers/spawn-tenet.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
export const SCREENSHOTS = path.join(ROOT, 'test/e2e/screenshots');
const require = createRequire(import.meta.url);

/** The built console; built here when a checkout has none yet (npm ci builds it through `prepare`). */
export function ensureConsoleBuilt(): void {
  if (existsSync(path.join(ROOT, 'console/dist/index.html'))) return;
  const r = spawnSync('npm', ['run', 'console:build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('the console could not be built (npm run console:build)');
}

/** `tenet serve --demo` in its own process on a fresh embedded database, and Chromium (see browser.ts). */
export async function startE2e(props: { env?: Record<string, string> } = {}): Promise<{ url: string; browser: Browser; close(): Promise<void> }> {
  ensureConsoleBuilt();
  // Pre-flight: the browser first, so a machine that cannot run one fails in seconds, not after the server start.
  const browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tenet-e2e-'));
  const env: Record<string, string | undefined> = {
    ...process.env,
    TENET_DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'info',
    DATABASE_URL: undefined,
    ...props.env,
  };
  const tenet = await spawnTenet({ args: ['serve', '--demo'], env, timeoutMs: 120_000 }).catch(async (error: unknown) => {
    await browser.close();
    throw error;
  });
  return {
    url: tenet.url,
    browser,
    async close() {
      await browser.close().catch(() => {});
      tenet.child.kill('SIGTERM');
      await tenet.exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A browser context (its own cookies and cache, as a fresh visitor) whose pages report console errors, uncaught
 * exceptions and failed requests into `problems`, which the tests expect to stay empty.
 */
export async function newVisitor(browser: Browser, url: string, viewport = { width: 1280, height: 900 }, options: { bypassCSP?: boolean } = {}) {
  // bypassCSP only where axe-core is injected: everywhere else the console runs under its real CSP.
  const context = await browser.newContext({
    baseURL: url,
    viewport,
    acceptDownloads: true,
    timezoneId: 'Asia/Kolkata',
    locale: 'en-GB',
    bypassCSP: options.bypassCSP ?? false,
  });
  const problems: string[] = [];
  context.on('page', (page) => watch(page, problems));
  const page = await context.newPage();
  return { context, page, problems };
}

function watch(page: Page, problems: string[]): void {
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // Requests cut short by the test navigating away (or saving a download itself) are aborted, not failed.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
  });
}

export async function signIn(page: Page, role: 'Security officer' | 'Auditor' | 'Administrator'): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: `Sign in as ${role}` }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** axe-core on the current page: the serious and critical violations, as readable lines. */
/** The console's main navigation (its links are the pages the signed-in role may open). */
export const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

export async function axe(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const r = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return r.violations as Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }>;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} (${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join('; ')})`,
    );
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Waits until no loading indicator is left on the page. */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('.state-loading'), undefined, { timeout: 30_000 });
}

/** The JavaScript a page loaded, and its size gzipped (as a CDN or reverse proxy would serve it). */
export function trackScripts(page: Page): () => Promise<{ files: number; bytes: number; gzipped: number }> {
  const scripts: Promise<Buffer>[] = [];
  page.on('response', (r) => {
    if (r.request().resourceType() === 'script') scripts.push(r.body());
  });
  return async () => {
    const bodies = await Promise.all(scripts);
    return {
      files: bodies.length,
      bytes: bodies.reduce((n, b) => n + b.length, 0),
      gzipped: bodies.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0),
    };
  };
}

export type { Browser, BrowserContext, Page };
