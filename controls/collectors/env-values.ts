import { randomBytes } from 'node:crypto';
import { createScanner } from '../../engine/scanner/scanner.ts';
import type { DetectorId } from '../../engine/scanner/types.ts';

/** The scanner's detectors that find credentials (not personal data: an env var holding a support email is no secret). */
const SECRET_DETECTORS: readonly DetectorId[] = [
  'aws_access_key',
  'aws_secret_key',
  'stripe_key',
  'razorpay_key',
  'google_api_key',
  'jwt',
  'private_key',
  'meta_token',
  'generic_secret',
];

/** What is kept of one environment variable's value: never the value; what the secret detectors saw in it. */
export type RedactedEnvValue = '[redacted]' | { redacted: true; detectors: Array<{ detector: DetectorId; masked: string; fingerprint: string }> };

// Fingerprints are keyed with a key made per process: they match repeats of one value within a run and across the
// functions of one read, and reveal nothing (a plain hash of a short token could be brute-forced).
const scanner = createScanner({ secret: randomBytes(32), detectors: [...SECRET_DETECTORS] });

/**
 * Runs the secret detectors over each value (as `NAME=value`, so a detector keyed on the name sees it) and returns
 * the masked findings in its place. Values already redacted by a collector stay `[redacted]` (not seen); anything
 * else is scanned and dropped here, before evidence is stored.
 */
export function redactEnvironment(vars: Record<string, unknown>): Record<string, RedactedEnvValue> {
  const out: Record<string, RedactedEnvValue> = {};
  for (const [name, value] of Object.entries(vars)) {
    if (value === '[redacted]') out[name] = '[redacted]';
    else if (
      value &&
      typeof value === 'object' &&
      (value as { redacted?: unknown }).redacted === true &&
      Array.isArray((value as { detectors?: unknown }).detectors)
    ) {
      out[name] = value as RedactedEnvValue;
    } else {
      const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
      const found = scanner.scan(`${name}=${text.replace(/[\r\n]+/g, ' ')}`).filter((f) => f.column > name.length + 1);
      out[name] = { redacted: true, detectors: found.map((f) => ({ detector: f.detector, masked: f.masked, fingerprint: f.fingerprint })) };
    }
  }
  return out;
}
