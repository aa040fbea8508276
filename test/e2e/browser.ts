import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Which Chromium the end-to-end tests drive, in this order: `CHROMIUM_PATH`; the system's (`/usr/bin/chromium`,
 * Debian's package); else the one the `@sparticuz/chromium` dev dependency ships inside its npm tarball (unpacked
 * into the temp folder on first use), so `npm ci && npm test` needs nothing but npm.
 */
export async function resolveChromium(): Promise<{ executablePath: string; args: string[]; source: string }> {
  const common = ['--no-sandbox', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update'];
  if (process.env.CHROMIUM_PATH) return { executablePath: process.env.CHROMIUM_PATH, args: common, source: 'CHROMIUM_PATH' };
  if (existsSync('/usr/bin/chromium')) return { executablePath: '/usr/bin/chromium', args: common, source: 'system' };
  const packaged = (await import('@sparticuz/chromium')).default;
  // Its arguments are made for AWS Lambda; `--single-process` crashes the browser at a second browser context.
  const args = packaged.args.filter((a) => a !== '--single-process');
  return { executablePath: await packaged.executablePath(), args: [...args, ...common], source: '@sparticuz/chromium' };
}

/**
 * Starts the browser, or fails at once with what was tried and how to fix it (a pre-flight check: the suite
 * should not spend minutes starting a server for a browser that cannot run).
 */
export async function launchChromium(): Promise<Browser> {
  const found = await resolveChromium();
  try {
    return await chromium.launch({ executablePath: found.executablePath, headless: true, args: found.args, timeout: 30_000 });
  } catch (error) {
    throw new Error(
      `Chromium from ${found.source} (${found.executablePath}) did not start: ${(error as Error).message.split('\n')[0]}. ` +
        'Set CHROMIUM_PATH to a working Chromium, or remove a stale unpacked copy from the temp folder (/tmp/chromium).',
    );
  }
}
