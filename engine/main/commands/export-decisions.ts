import { openDatabase } from '../../db/database.ts';
import type { Config } from '../../kernel/config.ts';
import { parse } from './args.ts';

const USAGE = 'usage: tenet export-decisions [--day YYYY-MM-DD]';

/**
 * `tenet export-decisions`: exports closed days of the decision log to the bucket TENET_DECISION_EXPORT_BUCKET
 * names, as the retention round of `tenet serve` does: every closed day not yet exported, or the one `--day`. A day
 * already exported is said so and not exported again. Exit 0 when every day asked for is exported; a failure (S3
 * refused, no partition for `--day`) exits 2 with the reason, and leaves no export recorded for that day.
 */
export async function exportDecisions(args: string[], ctx: { config: () => Config }, out: { log: (line: string) => void } = console): Promise<number> {
  const { values } = parse(args, { day: { type: 'string' } });
  if (values.day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.day)) throw new Error(`--day must be a UTC day such as 2026-11-27\n${USAGE}`);
  const config = ctx.config();
  if (!config.TENET_DECISION_EXPORT_BUCKET) throw new Error('TENET_DECISION_EXPORT_BUCKET is not set: there is nowhere to export to (see docs/operations.md)');
  const { exportClosedDecisionDays, exportDecisionDay, exportTargetFromConfig } = await import('../../authz/decision-export.ts');
  const target = exportTargetFromConfig(config)!;
  const h = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.TENET_DATA_DIR });
  try {
    const results = values.day ? [await exportDecisionDay({ db: h.db, target, day: values.day })] : await exportClosedDecisionDays({ db: h.db, target });
    for (const r of results) {
      if (r.status === 'exported') out.log(`${r.day}: exported ${r.rows} decision(s) to s3://${target.bucket}/${r.key} (${r.bytes} bytes, sha256 ${r.sha256})`);
      else if (r.status === 'already-exported') out.log(`${r.day}: already exported`);
      else if (r.status === 'in-progress-elsewhere') out.log(`${r.day}: being exported by another process`);
      else throw new Error(`${r.day}: the decision log has no partition for that day (dropped by retention, or never made)`);
    }
    if (!results.length) out.log('No closed day waits for export.');
    return 0;
  } finally {
    target.client.destroy();
    await h.close();
  }
}
