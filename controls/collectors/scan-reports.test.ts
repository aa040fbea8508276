import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScanReport, ScanReportError, severityOfScore } from './scan-reports.ts';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/scan-reports/${name}`, import.meta.url), 'utf8');
const sarif = fixture('codeql.sarif');
const npmAudit = fixture('npm-audit.json');

describe('SARIF 2.1.0', () => {
  it('counts open results by severity (security-severity of the rule), by level and by rule; suppressed and fixed apart; pass results are not findings', () => {
    const r = parseScanReport({ kind: 'sast', format: 'sarif', report: sarif });
    expect(r.tool).toBe('CodeQL');
    expect(r.toolVersion).toBe('2.19.3');
    expect(r.scannedAt).toBe('2026-11-20T09:19:41.000Z');
    expect(r.open).toEqual({ critical: 0, high: 2, medium: 0, low: 0, unrated: 1 });
    expect(r.levels).toEqual({ error: 1, warning: 1, note: 1, none: 0 });
    expect(r.suppressed).toBe(1);
    expect(r.fixed).toBe(1);
    expect(r.rules).toEqual([
      { id: 'js/sql-injection', severity: 'high', open: 1 },
      { id: 'js/missing-rate-limiting', severity: 'high', open: 1 },
      { id: 'js/unused-local-variable', severity: 'unrated', open: 1 },
    ]);
  });

  it("keeps no message, snippet or path: the fixture's e-mail address, API key and file names are nowhere in the result", () => {
    const text = JSON.stringify(parseScanReport({ kind: 'sast', format: 'sarif', report: sarif }));
    for (const leaked of ['priya@example.com', 'sk_live', 'SELECT', 'src/orders', 'rate-limited by the API gateway']) expect(text).not.toContain(leaked);
  });

  it('a security-severity on the result wins over the rule; scores map as GitHub code scanning reads them', () => {
    const log = {
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'semgrep', rules: [{ id: 'r1', properties: { 'security-severity': '5.0' } }] } },
          results: [{ ruleId: 'r1', properties: { 'security-severity': 9.8 } }, { ruleId: 'r1' }],
        },
      ],
    };
    const r = parseScanReport({ kind: 'sast', format: 'sarif', report: log });
    expect(r.open).toEqual({ critical: 1, high: 0, medium: 1, low: 0, unrated: 0 });
    expect([
      severityOfScore('9.0'),
      severityOfScore('8.9'),
      severityOfScore('4'),
      severityOfScore('0.1'),
      severityOfScore('0'),
      severityOfScore('n/a'),
    ]).toEqual(['critical', 'high', 'medium', 'low', 'unrated', 'unrated']);
  });

  it('refuses what is not SARIF 2.1.0, saying what is wrong', () => {
    expect(() => parseScanReport({ kind: 'sast', format: 'sarif', report: { version: '2.0.0', runs: [] } })).toThrow(
      /not a SARIF 2.1.0 report: version: version must be "2.1.0"/,
    );
    expect(() => parseScanReport({ kind: 'sast', format: 'sarif', report: { version: '2.1.0', runs: [] } })).toThrow(/a SARIF log needs at least one run/);
    expect(() => parseScanReport({ kind: 'sast', format: 'sarif', report: '{"version": "2.1.0", "runs": [' })).toThrow(ScanReportError);
    expect(() => parseScanReport({ kind: 'sast', format: 'sarif', report: 'password=hunter2 {' })).toThrow(/^the report is not JSON$/);
  });
});

describe('npm audit --json', () => {
  it('counts vulnerable packages per severity (moderate is medium), names them worst first with their GHSA ids', () => {
    const r = parseScanReport({ kind: 'dependency-audit', format: 'npm-audit', report: npmAudit });
    expect(r.tool).toBe('npm audit');
    expect(r.open).toEqual({ critical: 0, high: 3, medium: 1, low: 1, unrated: 0 });
    expect(r.dependencies).toBe(482);
    expect(r.packages.map((p) => [p.name, p.severity, p.direct])).toEqual([
      ['body-parser', 'high', false],
      ['express', 'high', true],
      ['path-to-regexp', 'high', false],
      ['micromatch', 'medium', false],
      ['cookie', 'low', false],
    ]);
    expect(r.packages.find((p) => p.name === 'express')!.advisories).toEqual(['GHSA-qw6h-vgh9-j6wx']);
    expect(JSON.stringify(r)).not.toMatch(/denial of service|XSS/i);
  });

  it('a clean audit is all zeros', () => {
    const clean = {
      auditReportVersion: 2,
      vulnerabilities: {},
      metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 }, dependencies: { total: 705 } },
    };
    expect(parseScanReport({ kind: 'dependency-audit', format: 'npm-audit', report: clean }).open).toEqual({
      critical: 0,
      high: 0,
      medium: 0,
      low: 0,
      unrated: 0,
    });
  });

  it('refuses an edited report whose totals disagree with its packages, the npm 6 format, and npm error output', () => {
    const edited = JSON.parse(npmAudit);
    edited.metadata.vulnerabilities.high = 0;
    edited.metadata.vulnerabilities.total = 2;
    expect(() => parseScanReport({ kind: 'dependency-audit', format: 'npm-audit', report: edited })).toThrow(/not a consistent npm audit report/);
    expect(() => parseScanReport({ kind: 'dependency-audit', format: 'npm-audit', report: { advisories: {}, metadata: {} } })).toThrow(/npm 6 audit format/);
    const npmError = { message: 'audit endpoint returned an error', statusCode: 405, error: { summary: '' } };
    expect(() => parseScanReport({ kind: 'dependency-audit', format: 'npm-audit', report: npmError })).toThrow(/an npm error, not an audit report/);
  });
});

describe('the summary format and kinds', () => {
  it('a penetration test summary: open findings by severity, accepted and fixed apart, ids kept', () => {
    const r = parseScanReport({
      kind: 'pentest',
      format: 'summary',
      report: {
        tool: 'Acme Security (manual test)',
        scannedAt: '2026-10-02T00:00:00Z',
        findings: [
          { id: 'PT-1', severity: 'high', status: 'fixed' },
          { id: 'PT-2', severity: 'medium', status: 'open', title: 'ignored: never kept' },
          { id: 'PT-3', severity: 'low', status: 'accepted' },
        ],
      },
    });
    expect(r).toMatchObject({
      tool: 'Acme Security (manual test)',
      scannedAt: '2026-10-02T00:00:00.000Z',
      suppressed: 1,
      fixed: 1,
      rules: [{ id: 'PT-2', severity: 'medium', open: 1 }],
    });
    expect(r.open.medium).toBe(1);
    expect(JSON.stringify(r)).not.toContain('ignored');
  });

  it('a kind in a format it never comes in is refused', () => {
    expect(() => parseScanReport({ kind: 'sast', format: 'npm-audit', report: npmAudit })).toThrow(/a sast report comes as sarif, not npm-audit/);
  });
});
