import { z } from 'zod';
import { redactMessage } from '../../engine/scanner/redaction.ts';
import type { SeverityCounts } from '../define-control.ts';

/**
 * Scan reports imported as evidence (vulnerability.scan-reports): SARIF 2.1.0 (static analysis, or a penetration
 * test's findings), `npm audit --json` (npm 7 and newer), and a small JSON summary for penetration tests. Pure: the
 * parsers keep counts, rule ids, package names and advisory ids — never a result's message, a code snippet, a
 * path or an advisory's title, which may quote code or data. What text is kept is passed through the PII/secret
 * scanner's redaction first.
 */
export const SCAN_KINDS = ['sast', 'dependency-audit', 'pentest'] as const;
export const SCAN_FORMATS = ['sarif', 'npm-audit', 'summary'] as const;
export type ScanKind = (typeof SCAN_KINDS)[number];
export type ScanFormat = (typeof SCAN_FORMATS)[number];
type Severity = keyof SeverityCounts;

export class ScanReportError extends Error {}

export interface ParsedScanReport {
  tool: string;
  toolVersion?: string;
  /** when the scan ran, if the report says (SARIF invocations) */
  scannedAt?: string;
  /** open findings (not suppressed, not fixed) per severity */
  open: SeverityCounts;
  /** results a reviewer suppressed (SARIF `suppressions`, accepted) or a pentest finding accepted */
  suppressed: number;
  /** results the report marks as gone (SARIF baselineState absent) or a pentest finding fixed */
  fixed: number;
  /** SARIF only: open results per level */
  levels?: { error: number; warning: number; note: number; none: number };
  /** open results per rule (SARIF) or finding id (summary), most first, at most 100 */
  rules: Array<{ id: string; severity: Severity; open: number }>;
  /** npm audit only: vulnerable packages, worst first, at most 200 */
  packages: Array<{ name: string; severity: Severity; direct: boolean; advisories: string[] }>;
  /** npm audit only: how many dependencies were audited */
  dependencies?: number;
}

const MAX_RULES = 100;
const MAX_PACKAGES = 200;
const ORDER: Severity[] = ['critical', 'high', 'medium', 'low', 'unrated'];
const zero = (): SeverityCounts => ({ critical: 0, high: 0, medium: 0, low: 0, unrated: 0 });
/** Text kept from a report: scanner-redacted, short. */
const keep = (s: string, max = 200) => redactMessage(s, max);

function problem(format: string, error: z.ZodError): ScanReportError {
  const first = error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return new ScanReportError(`not a ${format} report: ${first.join('; ')}`);
}

// ---- SARIF 2.1.0 ----------------------------------------------------------------------------------------------------

const securitySeverity = z.union([z.string(), z.number()]).optional();
const sarifRule = z.object({
  id: z.string().min(1),
  defaultConfiguration: z.object({ level: z.enum(['none', 'note', 'warning', 'error']).optional() }).optional(),
  properties: z.object({ 'security-severity': securitySeverity }).optional(),
});
const sarifResult = z.object({
  ruleId: z.string().optional(),
  ruleIndex: z.number().int().min(0).optional(),
  rule: z.object({ id: z.string().optional(), index: z.number().int().min(0).optional() }).optional(),
  kind: z.enum(['notApplicable', 'pass', 'fail', 'review', 'open', 'informational']).optional(),
  level: z.enum(['none', 'note', 'warning', 'error']).optional(),
  baselineState: z.enum(['new', 'unchanged', 'updated', 'absent']).optional(),
  suppressions: z.array(z.object({ status: z.enum(['accepted', 'underReview', 'rejected']).optional() })).optional(),
  properties: z.object({ 'security-severity': securitySeverity }).optional(),
});
const sarifSchema = z.object({
  version: z.literal('2.1.0', { error: 'version must be "2.1.0"' }),
  runs: z
    .array(
      z.object({
        tool: z.object({
          driver: z.object({
            name: z.string().min(1),
            version: z.string().optional(),
            semanticVersion: z.string().optional(),
            rules: z.array(sarifRule).optional(),
          }),
        }),
        invocations: z.array(z.object({ startTimeUtc: z.string().optional(), endTimeUtc: z.string().optional() })).optional(),
        results: z.array(sarifResult).optional(),
      }),
    )
    .min(1, 'a SARIF log needs at least one run'),
});

/** GitHub code scanning's reading of `security-severity` (a CVSS-like score): 9.0+ critical, 7.0+ high, 4.0+ medium, above 0 low. */
export function severityOfScore(score: string | number | undefined): Severity {
  const n = typeof score === 'number' ? score : score === undefined ? NaN : Number.parseFloat(score);
  if (!Number.isFinite(n) || n <= 0) return 'unrated';
  return n >= 9 ? 'critical' : n >= 7 ? 'high' : n >= 4 ? 'medium' : 'low';
}

function parseSarif(report: unknown): ParsedScanReport {
  const parsed = sarifSchema.safeParse(report);
  if (!parsed.success) throw problem('SARIF 2.1.0', parsed.error);
  const log = parsed.data;
  const open = zero();
  const levels = { error: 0, warning: 0, note: 0, none: 0 };
  const rules = new Map<string, { id: string; severity: Severity; open: number }>();
  let suppressed = 0;
  let fixed = 0;
  let scannedAt: string | undefined;
  for (const run of log.runs) {
    const driver = run.tool.driver;
    const ruleList = driver.rules ?? [];
    const byId = new Map(ruleList.map((r) => [r.id, r]));
    for (const inv of run.invocations ?? []) {
      const t = inv.endTimeUtc ?? inv.startTimeUtc;
      if (t && !Number.isNaN(Date.parse(t)) && (!scannedAt || t > scannedAt)) scannedAt = new Date(t).toISOString();
    }
    for (const r of run.results ?? []) {
      // Only `fail` results are findings; pass, review, open, informational and notApplicable are not (SARIF §3.27.9).
      if ((r.kind ?? 'fail') !== 'fail') continue;
      const index = r.ruleIndex ?? r.rule?.index;
      const rule = (index !== undefined ? ruleList[index] : undefined) ?? byId.get(r.ruleId ?? r.rule?.id ?? '');
      if (r.suppressions?.some((s) => s.status === undefined || s.status === 'accepted')) {
        suppressed++;
        continue;
      }
      if (r.baselineState === 'absent') {
        fixed++;
        continue;
      }
      const severity = severityOfScore(r.properties?.['security-severity'] ?? rule?.properties?.['security-severity']);
      open[severity]++;
      levels[r.level ?? rule?.defaultConfiguration?.level ?? 'warning']++;
      const id = keep(r.ruleId ?? r.rule?.id ?? rule?.id ?? '(no rule)', 120);
      const entry = rules.get(id) ?? { id, severity, open: 0 };
      if (ORDER.indexOf(severity) < ORDER.indexOf(entry.severity)) entry.severity = severity;
      entry.open++;
      rules.set(id, entry);
    }
  }
  const driver = log.runs[0].tool.driver;
  const version = driver.semanticVersion ?? driver.version;
  return {
    tool: keep(driver.name, 100),
    ...(version ? { toolVersion: keep(version, 60) } : {}),
    ...(scannedAt ? { scannedAt } : {}),
    open,
    suppressed,
    fixed,
    levels,
    rules: [...rules.values()].sort((a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity) || b.open - a.open).slice(0, MAX_RULES),
    packages: [],
  };
}

// ---- npm audit --json (npm 7+, auditReportVersion 2) ------------------------------------------------------------------

const npmSeverity = z.enum(['info', 'low', 'moderate', 'high', 'critical']);
const npmAuditSchema = z.object({
  auditReportVersion: z.literal(2, { error: 'auditReportVersion must be 2 (npm 7 or newer)' }),
  vulnerabilities: z.record(
    z.string(),
    z.object({
      name: z.string().min(1),
      severity: npmSeverity,
      isDirect: z.boolean().optional(),
      via: z.array(z.union([z.string(), z.object({ url: z.string().optional(), source: z.number().optional() })])).optional(),
    }),
  ),
  metadata: z.object({
    vulnerabilities: z.object({
      info: z.number().int().min(0),
      low: z.number().int().min(0),
      moderate: z.number().int().min(0),
      high: z.number().int().min(0),
      critical: z.number().int().min(0),
      total: z.number().int().min(0),
    }),
    dependencies: z.union([z.number().int().min(0), z.object({ total: z.number().int().min(0) })]).optional(),
  }),
});

/** npm's severities in Tenet's: moderate is medium, and info (no risk rating) is counted as low. */
const NPM_SEVERITY: Record<z.infer<typeof npmSeverity>, Severity> = { critical: 'critical', high: 'high', moderate: 'medium', low: 'low', info: 'low' };

function parseNpmAudit(report: unknown): ParsedScanReport {
  if (report && typeof report === 'object') {
    const r = report as Record<string, unknown>;
    if ('advisories' in r && !('vulnerabilities' in r && 'auditReportVersion' in r))
      throw new ScanReportError('this is the npm 6 audit format (advisories): run npm audit --json with npm 7 or newer');
    if ('error' in r && 'statusCode' in r) throw new ScanReportError('this is an npm error, not an audit report: npm audit could not reach the registry');
  }
  const parsed = npmAuditSchema.safeParse(report);
  if (!parsed.success) throw problem('npm audit --json (npm 7+)', parsed.error);
  const { vulnerabilities, metadata } = parsed.data;
  const open = zero();
  const packages: ParsedScanReport['packages'] = [];
  for (const [key, v] of Object.entries(vulnerabilities)) {
    const severity = NPM_SEVERITY[v.severity];
    open[severity]++;
    const advisories = new Set<string>();
    for (const via of v.via ?? []) {
      if (typeof via === 'string') continue;
      const ghsa = via.url?.match(/GHSA(-[23456789cfghjmpqrvwx]{4}){3}/)?.[0];
      if (ghsa) advisories.add(ghsa);
    }
    packages.push({ name: keep(v.name || key, 214), severity, direct: v.isDirect ?? false, advisories: [...advisories].sort() });
  }
  // npm counts each vulnerable package once, at its severity: a report whose totals disagree was edited.
  const m = metadata.vulnerabilities;
  const listed = Object.keys(vulnerabilities).length;
  if (m.total !== listed || m.critical !== open.critical || m.high !== open.high || m.moderate !== open.medium || m.low + m.info !== open.low) {
    throw new ScanReportError(
      `not a consistent npm audit report: metadata.vulnerabilities counts ${m.total} (critical ${m.critical}, high ${m.high}, moderate ${m.moderate}, low ${m.low}, info ${m.info}), the report lists ${listed} package(s)`,
    );
  }
  const deps = metadata.dependencies;
  return {
    tool: 'npm audit',
    open,
    suppressed: 0,
    fixed: 0,
    rules: [],
    packages: packages.sort((a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity) || a.name.localeCompare(b.name)).slice(0, MAX_PACKAGES),
    ...(deps !== undefined ? { dependencies: typeof deps === 'number' ? deps : deps.total } : {}),
  };
}

// ---- the summary format (penetration tests) ------------------------------------------------------------------------

const summarySchema = z.object({
  tool: z.string().min(1).max(200),
  toolVersion: z.string().max(100).optional(),
  scannedAt: z.iso.datetime({ offset: true }).optional(),
  findings: z
    .array(
      z.object({
        id: z.string().min(1).max(100),
        severity: z.enum(['critical', 'high', 'medium', 'low', 'info']),
        status: z.enum(['open', 'fixed', 'accepted']),
      }),
    )
    .max(10_000),
});

function parseSummary(report: unknown): ParsedScanReport {
  const parsed = summarySchema.safeParse(report);
  if (!parsed.success) throw problem('summary', parsed.error);
  const s = parsed.data;
  const open = zero();
  const rules: ParsedScanReport['rules'] = [];
  let suppressed = 0;
  let fixed = 0;
  for (const f of s.findings) {
    if (f.status === 'fixed') fixed++;
    else if (f.status === 'accepted') suppressed++;
    else {
      const severity: Severity = f.severity === 'info' ? 'low' : f.severity;
      open[severity]++;
      rules.push({ id: keep(f.id, 100), severity, open: 1 });
    }
  }
  return {
    tool: keep(s.tool, 100),
    ...(s.toolVersion ? { toolVersion: keep(s.toolVersion, 60) } : {}),
    ...(s.scannedAt ? { scannedAt: new Date(s.scannedAt).toISOString() } : {}),
    open,
    suppressed,
    fixed,
    rules: rules.sort((a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity)).slice(0, MAX_RULES),
    packages: [],
  };
}

/** Which formats a kind may come in: a dependency audit from npm, SAST as SARIF, a penetration test as either. */
const FORMATS_OF: Record<ScanKind, ScanFormat[]> = {
  sast: ['sarif'],
  'dependency-audit': ['npm-audit', 'sarif'],
  pentest: ['sarif', 'summary'],
};

/** Parses one report. `report` is the parsed JSON (or its text). Throws ScanReportError with a message fit for a 400. */
export function parseScanReport(props: { kind: ScanKind; format: ScanFormat; report: unknown }): ParsedScanReport {
  const { kind, format } = props;
  if (!FORMATS_OF[kind].includes(format)) throw new ScanReportError(`a ${kind} report comes as ${FORMATS_OF[kind].join(' or ')}, not ${format}`);
  let report = props.report;
  if (typeof report === 'string') {
    try {
      report = JSON.parse(report.charCodeAt(0) === 0xfeff ? report.slice(1) : report);
    } catch {
      // JSON.parse's message quotes the input: never echoed.
      throw new ScanReportError('the report is not JSON');
    }
  }
  if (format === 'sarif') return parseSarif(report);
  if (format === 'npm-audit') return parseNpmAudit(report);
  return parseSummary(report);
}
