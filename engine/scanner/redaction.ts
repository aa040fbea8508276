import { createScanner } from './scanner.ts';
import type { Scanner } from './types.ts';
import { replaceUnstorable } from '../kernel/storable.ts';

/**
 * The most characters of one message that may echo what a caller sent. A message longer than this is cut, so a
 * 1.5 MB context key or entity id cannot come back whole in an error body, a decision's `errors` or the log.
 */
export const MAX_ECHO_CHARS = 300;

/** Past the cut, the scanner still sees this much, so a value straddling the cut is recognised and masked whole. */
const LOOKAHEAD = 64;

let scanner: Scanner | undefined;

/**
 * The one redaction rule for text that may quote a caller's input and leaves Tenet: every error body (message and
 * details), every decision error (the PDP's), the decision log. It
 * - masks what the PII/secret scanner finds (an entity id that is an e-mail address or a phone number),
 * - caps the length at MAX_ECHO_CHARS,
 * - replaces NUL and unpaired surrogates, which PostgreSQL cannot store (a decision's errors are logged).
 * The scanner's key is irrelevant here: redaction emits no fingerprints.
 */
export function redactMessage(text: string, max = MAX_ECHO_CHARS): string {
  const window = text.length > max + LOOKAHEAD ? text.slice(0, max + LOOKAHEAD) : text;
  let out = (scanner ??= createScanner({ secret: 'tenet-message-redaction' })).redact(window);
  if (out.length > max) out = `${out.slice(0, max)}… (${text.length - max} more characters not shown)`;
  return replaceUnstorable(out);
}

/** redactMessage over every string in a small JSON value (error details), keys included. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactMessage(value);
  if (depth > 8 || value === null || typeof value !== 'object') return depth > 8 ? '…' : value;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value).slice(0, 50)) out[redactMessage(k, 100)] = redactValue(v, depth + 1);
  return out;
}
