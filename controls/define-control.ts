import type { z } from 'zod';
import type { LogScanEvidence } from './log-scan-evidence.ts';
import type { AccessCertificationEvidence } from './access-certification-evidence.ts';

export type ControlStatus = 'pass' | 'fail' | 'error' | 'not_applicable' | 'stale';
type Severity = 'critical' | 'high' | 'medium' | 'low';

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

import type { ControlSettings } from './settings.ts';

/** A control of any evidence type: what a catalogue, a run or a pack holds (each control's type is its own). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a catalogue holds controls of different evidence types
export type AnyControlDefinition = ControlDefinition<any>;

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

/** The I/O a control may ask for, implemented by collectors (controls/collectors) and handed in by the runner.
 * Each returns NOT_APPLICABLE when its source is not configured (e.g. `tenet check --snapshot`). */
export interface EvidenceSources {
  /** AWS Config configuration items of these types (normalised). */
  inventory(types: string[]): Promise<InventorySlice | typeof NOT_APPLICABLE>;
  /**
   * Each configured webhook endpoint, sent an unsigned and a wrongly signed request, one correctly signed with the
   * configured test secret, and (providers whose signature carries a time) a correctly signed one with an old time.
   */
  webhookProbes(): Promise<WebhookProbeResult[] | typeof NOT_APPLICABLE>;
  /**
   * CORS preflights (`OPTIONS` with each `Origin`) to the configured production URLs (probes.cors). Optional: a
   * source without it is treated like one that is not configured.
   */
  corsProbes?(origins: string[]): Promise<CorsProbeResult[] | typeof NOT_APPLICABLE>;
  /** The configured order API, its buyer fields classified (masked/unmasked/absent); values never kept. */
  orderProbe(): Promise<OrderProbeResult | typeof NOT_APPLICABLE>;
  /** Read-only SQL on the governed platform's database: orders delivered long ago that still hold buyer PII. */
  unredactedOrders(): Promise<UnredactedOrdersResult | typeof NOT_APPLICABLE>;
  /** Signed attestations of documents (runbooks, policies) by document id; only the newest per document. */
  attestations(documentIds: string[]): Promise<Attestation[] | typeof NOT_APPLICABLE>;
  /** Ask Tenet's own PDP (active platform set, request entities on top of the store). */
  authorize(request: {
    principal: { type: string; id: string };
    action: string;
    resource: { type: string; id: string };
    context?: Record<string, unknown>;
    entities?: unknown[];
  }): Promise<{ decision: 'allow' | 'deny'; reasons: string[]; errors: string[] }>;
  /** The CloudWatch Logs PII scan since the last deployment (or the configured window); no raw values. */
  logScan(): Promise<LogScanEvidence | typeof NOT_APPLICABLE>;
  /**
   * The access review now (user × action × client, asked of the platform PDP) and its newest signed certification.
   * Optional: a source without it is treated like one that is not configured.
   */
  accessCertification?(): Promise<AccessCertificationEvidence | typeof NOT_APPLICABLE>;
  /**
   * The incident register (engine/incidents): incidents detected in the last `days` days and every one still open,
   * with their notification clocks. Optional: a source without it is treated like one that is not configured.
   */
  incidents?(days: number): Promise<IncidentEvidence | typeof NOT_APPLICABLE>;
  /** Facts Tenet holds about itself. */
  self(fact: 'pii_reveal_retention'): Promise<{ configuredDays: number; oldestRowAgeDays: number | null; updateRefused: boolean } | typeof NOT_APPLICABLE>;
  /**
   * Each configured TLS endpoint (probes.tls), handshaken once per protocol version (TLS 1.0 to 1.3), and its
   * certificate. Optional: a source without it is treated like one that is not configured.
   */
  tlsProbes?(): Promise<TlsProbeResult[] | typeof NOT_APPLICABLE>;
  /** The latest imported scan report (SAST, dependency audit, penetration test) of each kind; counts, never findings' text. */
  scanReports?(): Promise<ScanReportSummary[] | typeof NOT_APPLICABLE>;
}

/** What incident.notification-on-time reads: incidents and their clocks (ids, times and masked titles only). */
export interface IncidentEvidence {
  asOf: string;
  days: number;
  incidents: Array<{
    id: string;
    title: string;
    severity: string;
    status: 'open' | 'contained' | 'closed';
    detectedAt: string;
    closedAt: string | null;
    reviewed: boolean;
    clocks: Array<{ party: string; dueAt: string; notifiedAt: string | null }>;
  }>;
}

export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export interface TlsProbeResult {
  name: string;
  host: string;
  port: number;
  /** the name sent as SNI and checked against the certificate */
  servername: string;
  /**
   * One handshake per version, pinned (minVersion = maxVersion = version). `not_tested`: this client cannot offer
   * the version at all, so nothing is known of the endpoint; `error`: no answer (unreachable, timed out).
   */
  versions: Array<{ version: TlsVersion; result: 'accepted' | 'refused' | 'not_tested' | 'error'; detail?: string }>;
  /** from the handshake with the newest accepted version */
  certificate?: {
    subjectCN?: string;
    /** subjectAltName entries, e.g. DNS:api.example.com, IP Address:10.0.0.1 */
    sans: string[];
    issuer?: string;
    validFrom: string;
    validTo: string;
    daysToExpiry: number;
    fingerprint256: string;
    /** the chain verified against the system CAs (and probes.tls[].ca) and the name matched */
    authorized: boolean;
    authorizationError?: string;
  };
  /** the endpoint was not probed at all (not an https URL, host not in probes.allowedHosts, CA file unreadable) */
  error?: string;
}

/** Findings per severity; `unrated`: results that carry no severity (SARIF results without security-severity). */
export interface SeverityCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unrated: number;
}

export interface ScanReportSummary {
  id: string;
  kind: 'sast' | 'dependency-audit' | 'pentest';
  format: 'sarif' | 'npm-audit' | 'summary';
  tool: string;
  toolVersion?: string;
  scannedAt: string;
  importedAt: string;
  /** sha256 of the report as uploaded, hex */
  sha256: string;
  /** the evidence record the import appended */
  evidenceSeq: number;
  /** open findings (not suppressed, not fixed) per severity */
  open: SeverityCounts;
}

export interface WebhookProbeResult {
  name: string;
  provider: string;
  url: string;
  /** signed: correct signature with the test secret (must be accepted); replayed: correct signature, old timestamp */
  case: 'unsigned' | 'bad-signature' | 'signed' | 'replayed';
  status?: number;
  error?: string;
  /** why a case was not sent (no test secret configured; the provider's signature carries no time) */
  skipped?: string;
  /** the answers that count as refusing a bad signature (the provider's documented codes, or the settings') */
  reject?: number[];
}

export interface CorsProbeResult {
  url: string;
  /** the Origin sent (a staging or look-alike origin) */
  origin: string;
  status?: number;
  /** Access-Control-Allow-Origin of the answer, when present */
  allowOrigin?: string;
  allowCredentials?: boolean;
  error?: string;
}

export interface OrderProbeResult {
  url: string;
  status?: number;
  error?: string;
  orders: number;
  /** per buyer field: how many orders had it masked, unmasked, absent */
  fields: Array<{ field: string; masked: number; unmasked: number; absent: number }>;
}

export interface UnredactedOrdersResult {
  count: number;
  /** up to 20 order ids (ids only: never the PII) */
  sample: string[];
  olderThanDays: number;
}

/** An AWS Config configuration item, normalised (controls/inventory/config-item.ts). */
export interface InventoryItem {
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
  /** `environment` tag, or the config file's mapping */
  environment?: string;
}

export interface InventorySlice {
  items: InventoryItem[];
  /** Sources that failed: a control with errors here must not pass on partial data. */
  errors: Array<{ source: string; message: string }>;
  /**
   * What a source cannot see at all (AWS Config records no API Gateway v2 route, no log group, no Lambda
   * environment): a control needing it is `not_applicable` with this reason, never a pass by absence.
   * `field` (a dotted path in the item) when only part of a type is missing.
   */
  unavailable?: Array<{ type: string; field?: string; reason: string }>;
  /** The account × region pairs the source read, with the newest item capture time it saw there. */
  regions?: Array<{ accountId: string; region: string; lastCaptureTime?: string }>;
}

export interface Attestation {
  documentId: string;
  title: string;
  attestedBy: string;
  attestedAt: string;
  expiresAt: string;
  /** sha256 of the attested document, hex */
  digest: string;
  /** key id of the trusted key that signed it */
  kid: string;
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
