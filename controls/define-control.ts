import type { z } from 'zod';

export type ControlStatus = 'pass' | 'fail' | 'error' | 'not_applicable' | 'stale';
export type Severity = 'critical' | 'high' | 'medium' | 'low';

/** One thing wrong (or checked) on one resource. Messages name the resource and what is wrong; never a secret. */
export interface Finding {
  resourceId: string;
  resourceType?: string;
  message: string;
  /** Only for findings that are not failures (e.g. an accepted exception, an informational note). */
  severity?: 'info';
}

export interface Evaluation {
  status: Exclude<ControlStatus, 'stale'>;
  findings: Finding[];
  /** Short human summary ("3 of 12 production buckets lack versioning"). */
  summary?: string;
}

/** Configuration a control may read: the environment mapping, retention targets, endpoints, patterns. */
export interface ControlSettings {
  [key: string]: unknown;
}

/**
 * A control: one declarative file. `collect` names the evidence it needs through the collectors it is handed
 * (it never does I/O itself); `evaluate` is a pure function of the zod-validated evidence.
 * `collect` may return `NOT_APPLICABLE` when the evidence source is not configured (e.g. `--snapshot` runs).
 */
export interface ControlDefinition<E = unknown> {
  id: string;
  title: string;
  /** The promise, quoted or paraphrased from the seeds, that this control verifies. */
  commitment: string;
  /** e.g. ADDENDUM:28.7, SPAPI-DPP:1.2, GOOGLE:CASA-2.1 */
  frameworks: string[];
  severity: Severity;
  /** cron pattern (node-cron syntax, seconds optional) */
  schedule: string;
  /** How long a good result stays fresh, e.g. '26h', '30m'. Older → stale. */
  freshFor: string;
  evidence: z.ZodType<E>;
  collect: (sources: EvidenceSources, settings: ControlSettings) => Promise<E | typeof NOT_APPLICABLE>;
  evaluate: (evidence: E, settings: ControlSettings) => Evaluation;
  remediation: string;
}

export const NOT_APPLICABLE = Symbol('not_applicable');

/** The I/O a control may ask for, implemented by collectors (controls/collectors) and handed in by the runner. */
export interface EvidenceSources {
  /** AWS Config configuration items of these types (normalised), or NOT_APPLICABLE when no inventory is configured. */
  inventory(types: string[]): Promise<InventorySlice | typeof NOT_APPLICABLE>;
  /** HTTP probe of a configured endpoint by name. */
  probe(name: string): Promise<ProbeResult[] | typeof NOT_APPLICABLE>;
  /** Read-only SQL against the governed platform's database, by configured query name. */
  query(name: string): Promise<Array<Record<string, unknown>> | typeof NOT_APPLICABLE>;
  /** Signed attestations of documents (runbooks, policies) by document id. */
  attestations(documentIds: string[]): Promise<Attestation[] | typeof NOT_APPLICABLE>;
  /** Ask Tenet's own PDP (platform set): used by controls whose answer depends on the active policies. */
  authorize(request: { principal: { type: string; id: string }; action: string; resource: { type: string; id: string }; context?: Record<string, unknown>; entities?: unknown[] }): Promise<{ decision: 'allow' | 'deny'; reasons: string[] }>;
  /** Facts Tenet holds about itself (retention settings, row ages). */
  self(fact: string): Promise<unknown>;
  /** Results of the log PII scan since the last deployment. */
  logScan(): Promise<unknown | typeof NOT_APPLICABLE>;
}

export interface InventorySlice {
  items: Array<{
    resourceType: string;
    resourceId: string;
    resourceName?: string;
    awsRegion: string;
    accountId: string;
    arn?: string;
    tags: Record<string, string>;
    configuration: Record<string, unknown>;
    supplementaryConfiguration: Record<string, unknown>;
    configurationItemCaptureTime: string;
    environment?: string;
  }>;
  /** Sources that failed: a control with errors here must not pass on partial data. */
  errors: Array<{ source: string; message: string }>;
}

export interface ProbeResult {
  name: string;
  url: string;
  case: string;
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  error?: string;
}

export interface Attestation {
  documentId: string;
  title: string;
  attestedBy: string;
  attestedAt: string;
  expiresAt: string;
  signatureValid: boolean;
  digest: string;
}

export function defineControl<E>(def: ControlDefinition<E>): ControlDefinition<E> {
  if (!/^[a-z]+\.[a-z0-9-]+$/.test(def.id)) throw new Error(`control id ${def.id} must look like area.name`);
  parseDuration(def.freshFor);
  return def;
}

/** '90s', '30m', '26h', '7d' → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a duration like 30m, 26h or 7d`);
  return Number(m[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}
