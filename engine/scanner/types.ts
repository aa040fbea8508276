/**
 * The PII and secret scanner's contract. Detector ids are a contract: evidence, the CLI's JSON and the
 * CloudWatch control report counts by these names.
 */
export const DETECTOR_IDS = [
  'aadhaar',
  'pan',
  'gstin',
  'in_phone',
  'email',
  'card',
  'upi',
  'in_passport',
  'voter_id',
  'aws_access_key',
  'aws_secret_key',
  'stripe_key',
  'razorpay_key',
  'google_api_key',
  'jwt',
  'private_key',
  'meta_token',
  'generic_secret',
  'person_name',
  'postal_address',
  'ip_address',
  'intl_phone',
  'bank_account',
  'vehicle_registration',
  'date_of_birth',
] as const;

export type DetectorId = (typeof DETECTOR_IDS)[number];

/** One value found. Never holds the raw value. */
export interface PiiFinding {
  detector: DetectorId;
  /** 1-based line number within the scanned text */
  line: number;
  /** 1-based column (UTF-16 code units) of the first character of the value */
  column: number;
  /** length of the value in UTF-16 code units */
  length: number;
  /** at most the first two and last two characters kept, the rest `*` (short values: all `*`) */
  masked: string;
  /** HMAC-SHA256 (hex, first 16 bytes) of the normalised value with the install secret: counts repeats, reveals nothing */
  fingerprint: string;
}

export interface Scanner {
  /** Findings in `text` (lines split on \n; a trailing \r is not part of a line). */
  scan(text: string, options?: { firstLine?: number }): PiiFinding[];
  /** `text` with every finding replaced by its masked form (same length). */
  redact(text: string): string;
  /** The fingerprint a finding of `detector` on `value` carries (the same normalisation and key as `scan`). */
  fingerprint(detector: DetectorId, value: string): string;
}
