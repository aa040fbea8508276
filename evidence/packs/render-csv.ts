/**
 * Control results as RFC 4180 CSV: CRLF line ends, every record (header included) terminated by CRLF, fields with a
 * comma, quote, CR or LF quoted with inner quotes doubled. Cells that a spreadsheet would read as a formula (starting
 * with = + - @, or a tab / CR) are prefixed with a single quote.
 */
import type { PackModel } from './pack-model.ts';

const CONTROLS_CSV_COLUMNS = ['control_id', 'title', 'status', 'runs', 'passes', 'last_run_at', 'frameworks', 'summary', 'findings'] as const;

/** neutralise spreadsheet formula injection (OWASP "CSV injection") */
function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function csvField(value: string | number | null | undefined): string {
  const s = neutraliseFormula(value === null || value === undefined ? '' : String(value));
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRecord(fields: Array<string | number | null | undefined>): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

export function renderControlsCsv(model: PackModel): string {
  let out = csvRecord([...CONTROLS_CSV_COLUMNS]);
  for (const c of model.controls) {
    out += csvRecord([
      c.controlId,
      c.title,
      c.status,
      c.runs,
      c.passes,
      c.lastRunAt,
      c.frameworks.join(' | '),
      c.summary,
      c.findings.map((f) => `${f.resourceId}: ${f.message}`).join(' | '),
    ]);
  }
  return out;
}
