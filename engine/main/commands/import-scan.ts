import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { SCAN_FORMATS, SCAN_KINDS, type ScanFormat, type ScanKind } from '../../../controls/collectors/scan-reports.ts';
import { EvidenceStore } from '../../../evidence/ledger/evidence-store.ts';
import { openDatabase } from '../../db/database.ts';
import type { Config } from '../../kernel/config.ts';
import { ScanReports } from '../../posture/scan-reports.ts';
import { parse } from './args.ts';

const USAGE = `usage: tenet import-scan --kind ${SCAN_KINDS.join('|')} --format ${SCAN_FORMATS.join('|')} --file FILE [--scanned-at DATE]`;

/**
 * `tenet import-scan`: imports a scan report into the database named by the configuration, as
 * POST /v1/evidence/scan-reports does (hashed byte for byte, appended to the evidence chain). Exit 0 imported (or
 * already imported), 2 refused (the message says why).
 */
export async function importScan(args: string[], ctx: { config: () => Config }, out: { log: (line: string) => void } = console): Promise<number> {
  const { values } = parse(args, { kind: { type: 'string' }, format: { type: 'string' }, file: { type: 'string' }, 'scanned-at': { type: 'string' } });
  const kind = values.kind as ScanKind | undefined;
  const format = values.format as ScanFormat | undefined;
  if (!kind || !SCAN_KINDS.includes(kind)) throw new Error(`--kind must be one of ${SCAN_KINDS.join(', ')}\n${USAGE}`);
  if (!format || !SCAN_FORMATS.includes(format)) throw new Error(`--format must be one of ${SCAN_FORMATS.join(', ')}\n${USAGE}`);
  if (!values.file) throw new Error(`--file is required\n${USAGE}`);
  let scannedAt: Date | undefined;
  if (values['scanned-at'] !== undefined) {
    scannedAt = new Date(values['scanned-at']);
    if (Number.isNaN(scannedAt.getTime())) throw new Error('--scanned-at must be a date (2026-11-01 or an ISO timestamp)');
  }
  let text: string;
  try {
    text = await readFile(values.file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${values.file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`, { cause: error });
  }
  const config = ctx.config();
  const h = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.TENET_DATA_DIR });
  try {
    const reports = new ScanReports({ db: h.db, evidence: new EvidenceStore(h.db) });
    const { report: r, duplicate } = await reports.import({
      kind,
      format,
      report: text,
      scannedAt,
      importedBy: `tenet import-scan (os user ${userInfo().username})`,
    });
    const o = r.open;
    out.log(
      `${values.file}: ${duplicate ? `already imported (report ${r.id}, evidence record ${r.evidenceSeq})` : `imported as report ${r.id}, evidence record ${r.evidenceSeq}`}; ` +
        `${r.kind} by ${r.tool}${r.toolVersion ? ` ${r.toolVersion}` : ''}, scanned ${r.scannedAt}; open: ${o.critical} critical, ${o.high} high, ${o.medium} medium, ${o.low} low, ${o.unrated} unrated` +
        `${r.suppressed ? `; ${r.suppressed} suppressed` : ''}${r.fixed ? `; ${r.fixed} fixed` : ''}; sha256 ${r.sha256}`,
    );
    return 0;
  } finally {
    await h.close();
  }
}
