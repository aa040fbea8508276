import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../engine/db/database.ts';
import { loadConfig } from '../../engine/kernel/config.ts';
import { importScan } from '../../engine/main/commands/import-scan.ts';
import { createChildDatabase } from '../helpers/test-database.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/scan-reports/${name}`, import.meta.url), 'utf8');
const npmAudit = fixture('npm-audit.json');
const sarif = fixture('codeql.sarif');
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const clean = {
  auditReportVersion: 2,
  vulnerabilities: {},
  metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 }, dependencies: { total: 12 } },
};

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ controls: {} });
}, 60_000);
afterAll(() => t?.close());

const post = (body: unknown, role: 'security_officer' | 'auditor' | 'admin' = 'security_officer') => t.call('/v1/evidence/scan-reports', { body, role });
const runControl = async () =>
  (await t.call('/v1/controls/run', { body: { controls: ['vulnerability.scan-reports'] }, role: 'security_officer' })).body.runs[0];

describe('scan-report import over the API', () => {
  it('with nothing imported, the control fails naming each required kind', async () => {
    const run = await runControl();
    expect(run.status).toBe('fail');
    expect(run.findings.map((f: { message: string }) => f.message)).toEqual([
      'no dependency audit report has been imported (required at least every 30 days)',
      'no static analysis (SAST) report has been imported (required at least every 90 days)',
    ]);
  });

  it('imports npm audit --json as its text: sha256 of the bytes as uploaded, counts, package names, appended to the evidence chain', async () => {
    const res = await post({ kind: 'dependency-audit', format: 'npm-audit', report: npmAudit });
    expect(res.status).toBe(201);
    const r = res.body.report;
    expect(r).toMatchObject({ kind: 'dependency-audit', format: 'npm-audit', tool: 'npm audit', sha256: sha256(npmAudit), size: Buffer.byteLength(npmAudit) });
    expect(r.importedBy).toMatch(/^test security_officer \(key /);
    expect(r.open).toEqual({ critical: 0, high: 3, medium: 1, low: 1, unrated: 0 });
    expect(r.packages.map((p: { name: string }) => p.name)).toEqual(['body-parser', 'express', 'path-to-regexp', 'micromatch', 'cookie']);

    const record = await t.controls!.evidence.get(r.evidenceSeq);
    expect(record).toMatchObject({ controlId: 'vulnerability.scan-reports', source: 'scan-report-import' });
    expect((record!.payload as { import: { sha256: string } }).import.sha256).toBe(sha256(npmAudit));
    expect(JSON.stringify(record!.payload)).not.toMatch(/denial of service/i);
    expect((await t.controls!.evidence.verify()).ok).toBe(true);

    const again = await post({ kind: 'dependency-audit', format: 'npm-audit', report: npmAudit });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, report: { id: r.id, evidenceSeq: r.evidenceSeq } });
  });

  it('the control fails on the open high findings, then passes once a clean audit and a SARIF without open high results are imported', async () => {
    const failing = await runControl();
    expect(failing.status).toBe('fail');
    expect(failing.findings.map((f: { message: string }) => f.message).join('\n')).toMatch(
      /the latest dependency audit \(npm audit, \d{4}-\d\d-\d\d\) has 0 critical and 3 high finding\(s\) open/,
    );

    expect((await post({ kind: 'dependency-audit', format: 'npm-audit', report: clean })).status).toBe(201);
    const codeql = await post({ kind: 'sast', format: 'sarif', report: JSON.parse(sarif), scannedAt: new Date(Date.now() - 3_600_000).toISOString() });
    expect(codeql.status).toBe(201);
    expect(codeql.body.report).toMatchObject({ tool: 'CodeQL', toolVersion: '2.19.3', open: { high: 2 }, suppressed: 1, fixed: 1 });
    expect(JSON.stringify(codeql.body)).not.toMatch(/priya@example.com|sk_live|SELECT/);
    const stillHigh = await runControl();
    expect(stillHigh.status).toBe('fail');
    expect(stillHigh.summary).toMatch(/dependency-audit .*: 0 critical, 0 high, 0 medium, 0 low; sast .* \(CodeQL 2.19.3\): 0 critical, 2 high/);

    const fixedLog = JSON.parse(sarif);
    fixedLog.runs[0].results = fixedLog.runs[0].results.filter((r: { ruleId: string }) => r.ruleId === 'js/unused-local-variable');
    expect((await post({ kind: 'sast', format: 'sarif', report: fixedLog, scannedAt: new Date().toISOString() })).status).toBe(201);
    const passing = await runControl();
    expect(passing.status).toBe('pass');
    expect(passing.summary).toMatch(/sast .*: 0 critical, 0 high, 0 medium, 0 low, 1 unrated/);
  });

  it('lists imports, newest scan first, to auditors; filters by kind', async () => {
    const all = await t.call('/v1/evidence/scan-reports', { role: 'auditor' });
    expect(all.status).toBe(200);
    expect(all.body.reports.map((r: { kind: string }) => r.kind)).toEqual(['sast', 'dependency-audit', 'dependency-audit', 'sast']);
    const sast = await t.call('/v1/evidence/scan-reports?kind=sast', { role: 'auditor' });
    expect(sast.body.reports).toHaveLength(2);
  });

  it('refuses bad input with a 400 that says what is wrong, never echoing the report', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ kind: 'sast', format: 'sarif', report: npmAudit }, /report: not a SARIF 2.1.0 report: version/],
      [{ kind: 'dependency-audit', format: 'npm-audit', report: 'token=ghp_abcdefghijklmnopqrstuvwxyz0123456789 {' }, /^report: the report is not JSON$/],
      [{ kind: 'sast', format: 'npm-audit', report: npmAudit }, /a sast report comes as sarif, not npm-audit/],
      [{ kind: 'dependency-audit', format: 'npm-audit', report: { advisories: {} } }, /npm 6 audit format/],
      [
        { kind: 'pentest', format: 'summary', report: { tool: 'x', findings: [] }, scannedAt: '2099-01-01T00:00:00Z' },
        /scannedAt: 2099-01-01T00:00:00.000Z is in the future/,
      ],
      [{ kind: 'secrets', format: 'sarif', report: sarif }, /kind/],
      [{ kind: 'sast', format: 'sarif' }, /report/],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error.message).toMatch(message);
      expect(JSON.stringify(res.body)).not.toMatch(/ghp_abcdef/);
    }
  });

  it('only security officers and admins import; auditors read', async () => {
    expect((await post({ kind: 'dependency-audit', format: 'npm-audit', report: clean }, 'auditor')).status).toBe(403);
    expect((await t.call('/v1/evidence/scan-reports', { role: 'service' })).status).toBe(403);
  });

  it('the table refuses UPDATE and DELETE: an import cannot be rewritten', async () => {
    await expect(sql`UPDATE scan_reports SET tool = 'x'`.execute(t.database.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM scan_reports`.execute(t.database.db)).rejects.toThrow(/append-only/);
  });
});

describe('tenet import-scan', () => {
  it('imports a file into the configured database, hashed byte for byte, and says so; a second run is "already imported"', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tenet-import-scan-'));
    // A database of its own: on the server in DATABASE_URL, else embedded in the temporary data directory.
    const database = await createChildDatabase('tenet_import_scan');
    try {
      const file = path.join(dir, 'audit.json');
      writeFileSync(file, npmAudit);
      const config = loadConfig({ DATABASE_URL: database.url, TENET_DATA_DIR: dir, LOG_LEVEL: 'silent' });
      const lines: string[] = [];
      const args = ['--kind', 'dependency-audit', '--format', 'npm-audit', '--file', file];
      expect(await importScan(args, { config: () => config }, { log: (l) => lines.push(l) })).toBe(0);
      expect(await importScan(args, { config: () => config }, { log: (l) => lines.push(l) })).toBe(0);
      expect(lines[0]).toMatch(
        /imported as report \d+, evidence record \d+; dependency-audit by npm audit, scanned .*; open: 0 critical, 3 high, 1 medium, 1 low/,
      );
      expect(lines[0]).toContain(`sha256 ${sha256(npmAudit)}`);
      expect(lines[1]).toMatch(/already imported \(report \d+/);
      await expect(importScan(['--kind', 'sast', '--format', 'sarif', '--file', file], { config: () => config })).rejects.toThrow(/not a SARIF 2.1.0 report/);
      await expect(importScan(['--kind', 'nope', '--format', 'sarif', '--file', file], { config: () => config })).rejects.toThrow(/--kind must be one of/);
      const h = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: dir });
      try {
        const rows = await h.db.selectFrom('scan_reports').select(['sha256', 'imported_by']).where('sha256', '=', sha256(npmAudit)).execute();
        expect(rows).toHaveLength(1);
        expect(rows[0].imported_by).toMatch(/^tenet import-scan \(os user /);
      } finally {
        await h.close();
      }
    } finally {
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
