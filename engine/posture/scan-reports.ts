import { createHash } from 'node:crypto';
import type { ScanReportSummary } from '../../controls/define-control.ts';
import { parseScanReport, ScanReportError, type ParsedScanReport, type ScanFormat, type ScanKind } from '../../controls/collectors/scan-reports.ts';
import type { EvidenceStore } from '../../evidence/ledger/evidence-store.ts';
import type { Db } from '../db/database.ts';
import { InputError } from '../kernel/errors.ts';

/** The control whose evidence an import is: the chain files each import under it, with the control's runs. */
const SCAN_REPORT_CONTROL = 'vulnerability.scan-reports';

export interface StoredScanReport extends ScanReportSummary {
  importedBy: string;
  size: number;
  suppressed: number;
  fixed: number;
  levels: ParsedScanReport['levels'] | null;
  rules: ParsedScanReport['rules'];
  packages: ParsedScanReport['packages'];
  dependencies: number | null;
}

/** A scan may say it ran a little in the future (clock skew); more than this is refused. */
const FUTURE_SKEW_MS = 5 * 60_000;

/**
 * Imported scan reports: parsed (controls/collectors/scan-reports.ts), hashed (sha256 of the bytes as uploaded),
 * appended to the evidence chain and stored as counts and ids, in one transaction. The same report imported twice
 * (same kind, same hash) is the first import, not a second one.
 */
export class ScanReports {
  private readonly db: Db;
  private readonly evidence: EvidenceStore;

  constructor(props: { db: Db; evidence: EvidenceStore }) {
    this.db = props.db;
    this.evidence = props.evidence;
  }

  /**
   * `report`: the report's text as uploaded (hashed byte for byte, so the hash equals `sha256sum FILE`), or its
   * JSON (hashed as compact JSON). Bad input is an InputError (400) naming what is wrong.
   */
  async import(props: {
    kind: ScanKind;
    format: ScanFormat;
    report: unknown;
    scannedAt?: Date;
    importedBy: string;
  }): Promise<{ report: StoredScanReport; duplicate: boolean }> {
    const bytes = Buffer.from(typeof props.report === 'string' ? props.report : JSON.stringify(props.report), 'utf8');
    let parsed: ParsedScanReport;
    try {
      parsed = parseScanReport({ kind: props.kind, format: props.format, report: props.report });
    } catch (error) {
      if (error instanceof ScanReportError) throw new InputError(`report: ${error.message}`);
      throw error;
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const existing = await this.db.selectFrom('scan_reports').selectAll().where('kind', '=', props.kind).where('sha256', '=', sha256).executeTakeFirst();
    if (existing) return { report: toStored(existing), duplicate: true };
    const importedAt = new Date();
    const scannedAt = props.scannedAt ?? (parsed.scannedAt ? new Date(parsed.scannedAt) : importedAt);
    if (scannedAt.getTime() > importedAt.getTime() + FUTURE_SKEW_MS) throw new InputError(`scannedAt: ${scannedAt.toISOString()} is in the future`);
    const row = await this.db.transaction().execute(async (trx) => {
      const record = await this.evidence.append(
        {
          controlId: SCAN_REPORT_CONTROL,
          source: 'scan-report-import',
          payload: {
            import: { kind: props.kind, format: props.format, sha256, size: bytes.length, scannedAt: scannedAt.toISOString(), importedBy: props.importedBy },
            report: parsed,
          },
          collectedAt: importedAt,
        },
        trx,
      );
      return trx
        .insertInto('scan_reports')
        .values({
          kind: props.kind,
          format: props.format,
          tool: parsed.tool,
          tool_version: parsed.toolVersion ?? null,
          scanned_at: scannedAt,
          imported_at: importedAt,
          imported_by: props.importedBy,
          sha256,
          size: bytes.length,
          summary: JSON.stringify(parsed),
          evidence_seq: record.seq,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return { report: toStored(row), duplicate: false };
  }

  /** Imports, newest scan first; of one kind when given. */
  async list(props: { kind?: ScanKind; limit?: number } = {}): Promise<StoredScanReport[]> {
    let q = this.db.selectFrom('scan_reports').selectAll();
    if (props.kind) q = q.where('kind', '=', props.kind);
    const rows = await q
      .orderBy('scanned_at', 'desc')
      .orderBy('id', 'desc')
      .limit(props.limit ?? 100)
      .execute();
    return rows.map(toStored);
  }

  /** The latest report (newest scan) of each kind: what vulnerability.scan-reports judges. */
  async latest(): Promise<ScanReportSummary[]> {
    const out: ScanReportSummary[] = [];
    for (const kind of ['sast', 'dependency-audit', 'pentest'] as const) {
      const [r] = await this.list({ kind, limit: 1 });
      if (r) {
        out.push({
          id: r.id,
          kind: r.kind,
          format: r.format,
          tool: r.tool,
          ...(r.toolVersion ? { toolVersion: r.toolVersion } : {}),
          scannedAt: r.scannedAt,
          importedAt: r.importedAt,
          sha256: r.sha256,
          evidenceSeq: r.evidenceSeq,
          open: r.open,
        });
      }
    }
    return out;
  }
}

type Row = {
  id: string;
  kind: ScanKind;
  format: ScanFormat;
  tool: string;
  tool_version: string | null;
  scanned_at: Date;
  imported_at: Date;
  imported_by: string;
  sha256: string;
  size: number;
  summary: unknown;
  evidence_seq: string;
};

function toStored(r: Row): StoredScanReport {
  const s = (typeof r.summary === 'string' ? JSON.parse(r.summary) : r.summary) as ParsedScanReport;
  return {
    id: String(r.id),
    kind: r.kind,
    format: r.format,
    tool: r.tool,
    ...(r.tool_version ? { toolVersion: r.tool_version } : {}),
    scannedAt: new Date(r.scanned_at).toISOString(),
    importedAt: new Date(r.imported_at).toISOString(),
    importedBy: r.imported_by,
    sha256: r.sha256,
    size: r.size,
    evidenceSeq: Number(r.evidence_seq),
    open: s.open,
    suppressed: s.suppressed,
    fixed: s.fixed,
    levels: s.levels ?? null,
    rules: s.rules,
    packages: s.packages,
    dependencies: s.dependencies ?? null,
  };
}
