import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { axe, newVisitor, settled, signIn, startE2e, type Browser } from './harness.ts';

/**
 * The demo's SP-API pack, built from the console over `tenet serve --demo`: the reviewer's edition carries the
 * approved exception the demo's Amazon readiness rests on (on the cover and in exceptions.json), the signed runbooks
 * with their JWS, and a VERIFY.txt whose commands pass with the real openssl and sha256sum; the "Internal edition"
 * box adds the remediation appendix.
 */
let env: Awaited<ReturnType<typeof startE2e>>;
let browser: Browser;
const dir = mkdtempSync(path.join(tmpdir(), 'tenet-e2e-packs-'));

beforeAll(async () => {
  env = await startE2e();
  browser = env.browser;
}, 180_000);

afterAll(async () => {
  await env?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('review packs from the console', () => {
  test("the demo's SP-API pack: the exception, the attestations, stock-tools verification; the internal edition adds remediation", async () => {
    const { page, problems } = await newVisitor(browser, env.url, undefined, { bypassCSP: true });
    await signIn(page, 'Auditor');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Evidence packs' }).click();
    const build = page.getByRole('region', { name: 'Build a pack' });

    const download = async (name: string, internal: boolean) => {
      await build.getByLabel('Profile').selectOption('sp-api');
      await build.getByLabel('Internal edition').setChecked(internal);
      await build.getByRole('button', { name: 'Build pack' }).click();
      const ready = page.getByRole('status').filter({ hasText: 'Pack ready' });
      await ready.waitFor({ timeout: 120_000 });
      const [file] = await Promise.all([page.waitForEvent('download'), build.getByRole('link', { name: 'Download' }).click()]);
      const out = path.join(dir, name);
      await file.saveAs(out);
      return out;
    };

    const reviewer = await download('reviewer.zip', false);
    const entries = unzipSync(readFileSync(reviewer));
    const text = (n: string) => Buffer.from(entries[n]).toString();
    const html = text('index.html');
    expect(JSON.parse(text('exceptions.json'))).toEqual([
      expect.objectContaining({ controlId: 'pii.redaction-backfill', integrationId: 'amazon_spapi', ticket: 'BF-112', inForceAtEnd: true }),
    ]);
    expect(html).toMatch(/<p class="notice" role="note">[^<]*met only by exception[^<]*pii\.redaction-backfill \(amazon_spapi\)/);
    // the form's default period runs from the start of the day 90 days ago to now: 90 days and part of today, which
    // reads "91-day" once the viewer's day is past noon (this failed every afternoon in the browser's zone)
    expect(html).toMatch(/<p class="notice" role="note">Evidence covers [^<]+ of the (90|91)-day period/);
    expect(Object.keys(entries).filter((n) => n.startsWith('attestations/') && n.endsWith('.jws')).length).toBeGreaterThan(0);
    expect(html).not.toContain('Internal appendix');

    // The recipe in VERIFY.txt, as a reviewer runs it: unzip, then its "$ " lines.
    const unpacked = mkdtempSync(path.join(dir, 'unpacked-'));
    execFileSync('unzip', ['-q', reviewer, '-d', unpacked]);
    const commands = text('VERIFY.txt')
      .split('\n')
      .filter((l) => l.startsWith('$ '))
      .map((l) => l.slice(2));
    const verified = spawnSync('sh', ['-e', '-c', commands.join('\n')], { cwd: unpacked, encoding: 'utf8' });
    expect(verified.status, verified.stdout + verified.stderr).toBe(0);

    const internal = unzipSync(readFileSync(await download('internal.zip', true)));
    expect(Buffer.from(internal['index.html']).toString()).toContain('Internal appendix: remediation');
    expect(JSON.parse(Buffer.from(internal['manifest.json']).toString()).internal).toBe(true);

    await settled(page);
    expect(await axe(page)).toEqual([]);
    expect(problems).toEqual([]);
  }, 300_000);
});
