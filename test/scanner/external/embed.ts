/**
 * The external labelled corpus (samples.json, see README.md) and how its samples are put into log lines. Every sample
 * is scored in three shapes: as the `msg` of a pino-style JSON line, as the value of a key the source suggests in the
 * same JSON line, and as the message of a plain-text log line. Labels are located in the sample's text and carried
 * to the line, through JSON string escaping where there is one.
 */
import { readFileSync } from 'node:fs';

export interface ExternalSource {
  repo: string;
  path: string;
  commit: string;
  license: string;
}

export interface ExternalLabel {
  /** a Tenet detector id (the scanner need not have it yet) */
  detector: string;
  /** the exact substring of `text` expected to be reported; repeated values take successive occurrences */
  value: string;
  /** the value needs the key's context word (a bare passport number, Aadhaar, IFSC): counted only in the `json-key` shape */
  keyed?: boolean;
  /** other detectors whose finding on this span is also right (an AWS secret under a generic key name) */
  also?: string[];
}

export interface ExternalSample {
  id: string;
  source: ExternalSource;
  /** the label as the source states it */
  original: string;
  /** the Tenet detector ids of the labels, or `none` for a negative */
  mapped: string;
  text: string;
  /** the key for the `json-key` shape (default: one per detector, `detail` for a negative) */
  key?: string;
  labels: ExternalLabel[];
  note?: string;
}

export type Shape = 'json-msg' | 'json-key' | 'text';
export const SHAPES: readonly Shape[] = ['json-msg', 'json-key', 'text'];

export interface EmbeddedLabel {
  detector: string;
  /** offsets in the embedded text (UTF-16 code units), end exclusive */
  start: number;
  end: number;
  /** false where the label needs the key's context and this shape has none: neither a miss nor a false alarm */
  counted: boolean;
  also: readonly string[];
  value: string;
}

export interface EmbeddedSample {
  sample: ExternalSample;
  shape: Shape;
  /** one log line (a sample with newlines in a plain-text line spans several) */
  text: string;
  labels: EmbeddedLabel[];
}

/** The key that gives a bare value its context in the `json-key` shape. */
const DEFAULT_KEY: Record<string, string> = {
  aadhaar: 'aadhaarNumber',
  pan: 'pan',
  gstin: 'gstin',
  in_phone: 'phone',
  email: 'email',
  card: 'cardNumber',
  upi: 'vpa',
  in_passport: 'passportNumber',
  voter_id: 'epicNumber',
  aws_access_key: 'accessKeyId',
  aws_secret_key: 'secretAccessKey',
  stripe_key: 'stripeKey',
  razorpay_key: 'key_id',
  google_api_key: 'mapsApiKey',
  jwt: 'authorization',
  private_key: 'private_key',
  meta_token: 'access_token',
  generic_secret: 'client_secret',
  person_name: 'name',
  postal_address: 'address',
  ip_address: 'sourceIp',
  intl_phone: 'phone',
  bank_account: 'bank_account',
  vehicle_registration: 'vehicleNumber',
  date_of_birth: 'dob',
};

export const SERVICE = 'order-sync';
export const TEXT_PREFIX = `2026-11-27T10:00:00Z [${SERVICE}] INFO `;

export function loadSamples(file = new URL('./samples.json', import.meta.url)): ExternalSample[] {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { samples: ExternalSample[] };
  return doc.samples;
}

/** The key of the `json-key` shape: the sample's own, else one per detector for a bare value, else `detail`. */
export function keyFor(sample: ExternalSample): string {
  if (sample.key) return sample.key;
  const bare = !/[\s"'=:,{}<>()]/.test(sample.text);
  if (bare && sample.labels.length > 0) return DEFAULT_KEY[sample.labels[0].detector] ?? 'detail';
  return 'detail';
}

/** Offsets of each label's value in the sample's text; a repeated value takes the next occurrence. */
export function locate(sample: ExternalSample): Array<{ label: ExternalLabel; start: number; end: number }> {
  const next = new Map<string, number>();
  return sample.labels.map((label) => {
    const start = sample.text.indexOf(label.value, next.get(label.value) ?? 0);
    if (start < 0 || label.value.length === 0) throw new Error(`${sample.id}: label ${label.detector} value not found in the text`);
    next.set(label.value, start + label.value.length);
    return { label, start, end: start + label.value.length };
  });
}

/** Length of `s` once escaped inside a JSON string. */
function escapedLength(s: string): number {
  return JSON.stringify(s).length - 2;
}

/** The sample in each shape, with its labels' offsets in the line. */
export function embed(sample: ExternalSample): EmbeddedSample[] {
  const spans = locate(sample);
  const out: EmbeddedSample[] = [];
  for (const shape of SHAPES) {
    let prefix: string;
    let body: string;
    let suffix: string;
    let escaped: boolean;
    if (shape === 'text') {
      prefix = TEXT_PREFIX;
      body = sample.text;
      suffix = '';
      escaped = false;
    } else {
      prefix =
        shape === 'json-msg'
          ? `{"level":"info","service":"${SERVICE}","msg":"`
          : `{"level":"info","service":"${SERVICE}","msg":"event received",${JSON.stringify(keyFor(sample))}:"`;
      body = JSON.stringify(sample.text).slice(1, -1);
      suffix = '"}';
      escaped = true;
    }
    const labels = spans.map(({ label, start, end }) => {
      const s = prefix.length + (escaped ? escapedLength(sample.text.slice(0, start)) : start);
      const e = s + (escaped ? escapedLength(sample.text.slice(start, end)) : end - start);
      return { detector: label.detector, start: s, end: e, counted: !label.keyed || shape === 'json-key', also: label.also ?? [], value: label.value };
    });
    out.push({ sample, shape, text: prefix + body + suffix, labels });
  }
  return out;
}
