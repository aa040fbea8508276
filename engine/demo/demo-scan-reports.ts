import type { ScanReports } from '../posture/scan-reports.ts';

/**
 * The demo platform's scan reports (vulnerability.scan-reports), imported at start-up through the same path as
 * POST /v1/evidence/scan-reports: a dependency audit in npm 7+'s `npm audit --json` shape and a Semgrep SARIF log.
 * Demo data: the platform's packages and code are fictional, the advisories real.
 */
const DAY = 86_400_000;

const npmAudit = {
  auditReportVersion: 2,
  vulnerabilities: {
    micromatch: {
      name: 'micromatch',
      severity: 'moderate',
      isDirect: false,
      via: [
        {
          source: 1098681,
          name: 'micromatch',
          dependency: 'micromatch',
          title: 'Regular Expression Denial of Service (ReDoS) in micromatch',
          url: 'https://github.com/advisories/GHSA-952p-6rrq-rcjv',
          severity: 'moderate',
          cwe: ['CWE-1333'],
          cvss: { score: 5.3, vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L' },
          range: '<4.0.8',
        },
      ],
      effects: [],
      range: '<4.0.8',
      nodes: ['node_modules/micromatch'],
      fixAvailable: true,
    },
    cookie: {
      name: 'cookie',
      severity: 'low',
      isDirect: false,
      via: [
        {
          source: 1099846,
          name: 'cookie',
          dependency: 'cookie',
          title: 'cookie accepts cookie name, path, and domain with out of bounds characters',
          url: 'https://github.com/advisories/GHSA-pxg6-pf52-xh8x',
          severity: 'low',
          cwe: ['CWE-74'],
          cvss: { score: 0, vectorString: null },
          range: '<0.7.0',
        },
      ],
      effects: [],
      range: '<0.7.0',
      nodes: ['node_modules/cookie'],
      fixAvailable: true,
    },
  },
  metadata: {
    vulnerabilities: { info: 0, low: 1, moderate: 1, high: 0, critical: 0, total: 2 },
    dependencies: { prod: 74, dev: 391, optional: 28, peer: 3, peerOptional: 0, total: 495 },
  },
};

const rule = (id: string, level: string, securitySeverity?: string) => ({
  id,
  defaultConfiguration: { level },
  properties: { tags: ['security'], ...(securitySeverity ? { 'security-severity': securitySeverity } : {}) },
});
const result = (ruleId: string, level: string, uri: string, line: number, extra: object = {}) => ({
  ruleId,
  level,
  message: { text: `${ruleId} at ${uri}:${line}` },
  locations: [{ physicalLocation: { artifactLocation: { uri }, region: { startLine: line } } }],
  ...extra,
});

const semgrep = (scannedAt: Date) => ({
  version: '2.1.0',
  $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
  runs: [
    {
      tool: {
        driver: {
          name: 'Semgrep OSS',
          semanticVersion: '1.95.0',
          rules: [
            rule('javascript.express.security.audit.express-cookie-settings', 'warning', '5.4'),
            rule('javascript.lang.security.audit.unsafe-formatstring', 'note', '4.3'),
            rule('typescript.react.best-practice.react-props-in-state', 'note'),
          ],
        },
      },
      invocations: [{ executionSuccessful: true, endTimeUtc: scannedAt.toISOString() }],
      results: [
        result('javascript.express.security.audit.express-cookie-settings', 'warning', 'services/orders/src/session.ts', 18),
        result('javascript.lang.security.audit.unsafe-formatstring', 'note', 'services/webhooks/src/log.ts', 42),
        result('javascript.lang.security.audit.unsafe-formatstring', 'note', 'services/webhooks/src/stripe.ts', 77, {
          suppressions: [{ kind: 'inSource', status: 'accepted', justification: 'constant format string' }],
        }),
        result('typescript.react.best-practice.react-props-in-state', 'note', 'web/src/OrderTable.tsx', 12),
      ],
    },
  ],
});

/** Imports the demo's reports (the same report twice is one import): an audit 6 days old, a SAST run 20 days old. */
export async function importDemoScanReports(reports: ScanReports): Promise<void> {
  const now = Date.now();
  await reports.import({
    kind: 'dependency-audit',
    format: 'npm-audit',
    report: JSON.stringify(npmAudit, null, 2),
    scannedAt: new Date(now - 6 * DAY),
    importedBy: 'demo',
  });
  // The SAST log carries its own date: one fixed day per demo data directory would go stale, so it is today's − 20.
  const day = new Date(Math.floor((now - 20 * DAY) / DAY) * DAY);
  await reports.import({ kind: 'sast', format: 'sarif', report: JSON.stringify(semgrep(day), null, 2), importedBy: 'demo' });
}
