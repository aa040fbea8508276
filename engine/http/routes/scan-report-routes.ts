import { z } from 'zod';
import { SCAN_FORMATS, SCAN_KINDS } from '../../../controls/collectors/scan-reports.ts';
import type { ScanReports } from '../../posture/scan-reports.ts';
import { actor, defineRoute, type RouteDef } from '../route.ts';

const severity = z.enum(['critical', 'high', 'medium', 'low', 'unrated']);
const counts = z.object({ critical: z.number(), high: z.number(), medium: z.number(), low: z.number(), unrated: z.number() });

const scanReportSchema = z.object({
  id: z.string(),
  kind: z.enum(SCAN_KINDS),
  format: z.enum(SCAN_FORMATS),
  tool: z.string(),
  toolVersion: z.string().optional(),
  scannedAt: z.string(),
  importedAt: z.string(),
  importedBy: z.string(),
  sha256: z.string().meta({ description: 'sha256 of the report as uploaded (the text, byte for byte, when `report` was a string)' }),
  size: z.number().meta({ description: 'bytes hashed' }),
  evidenceSeq: z.number().meta({ description: 'the evidence record the import appended' }),
  open: counts.meta({ description: 'open findings per severity (not suppressed, not fixed)' }),
  suppressed: z.number(),
  fixed: z.number(),
  levels: z
    .object({ error: z.number(), warning: z.number(), note: z.number(), none: z.number() })
    .nullable()
    .meta({ description: 'SARIF: open results per level' }),
  rules: z
    .array(z.object({ id: z.string(), severity, open: z.number() }))
    .meta({ description: 'open results per rule (SARIF) or finding id (summary), at most 100' }),
  packages: z
    .array(z.object({ name: z.string(), severity, direct: z.boolean(), advisories: z.array(z.string()) }))
    .meta({ description: 'npm audit: vulnerable packages with their GHSA ids, at most 200' }),
  dependencies: z.number().nullable().meta({ description: 'npm audit: dependencies audited' }),
});

/** A report is at most what the API's body limit (2 MB) leaves room for. */
const MAX_REPORT_CHARS = 2_000_000;

export function scanReportRoutes(deps: { reports: ScanReports }): RouteDef[] {
  const { reports } = deps;
  return [
    defineRoute({
      method: 'post',
      path: '/v1/evidence/scan-reports',
      summary:
        'Imports a scan report as evidence: SARIF 2.1.0 (sast, dependency-audit, pentest), `npm audit --json` of npm 7+ (dependency-audit) or the summary format (pentest). Kept as counts, rule ids and package names — never messages or code; hashed and appended to the evidence chain. The same report again answers 200 with the first import.',
      tag: 'Evidence',
      gate: { area: 'evidence', action: 'write' },
      body: z
        .object({
          kind: z.enum(SCAN_KINDS),
          format: z.enum(SCAN_FORMATS),
          report: z
            .union([z.string().min(2).max(MAX_REPORT_CHARS), z.record(z.string(), z.unknown())])
            .meta({ description: "the report: its file's text (hashed byte for byte) or its JSON" }),
          scannedAt: z.iso.datetime({ offset: true }).optional().meta({ description: 'when the scan ran; default: the SARIF invocation end time, else now' }),
        })
        .strict(),
      statuses: { 201: 'imported' },
      response: z.object({ report: scanReportSchema, duplicate: z.boolean().meta({ description: 'this report (same kind and hash) was imported before' }) }),
      handler: async ({ body, key, res }) => {
        const out = await reports.import({
          kind: body.kind,
          format: body.format,
          report: body.report,
          scannedAt: body.scannedAt ? new Date(body.scannedAt) : undefined,
          importedBy: actor(key),
        });
        res.status(out.duplicate ? 200 : 201);
        return out;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/evidence/scan-reports',
      summary: 'Imported scan reports, newest scan first, with their counts (open findings per severity, suppressed, fixed).',
      tag: 'Evidence',
      gate: { area: 'evidence', action: 'read' },
      query: z.object({ kind: z.enum(SCAN_KINDS).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      response: z.object({ reports: z.array(scanReportSchema) }),
      handler: async ({ query }) => ({ reports: await reports.list(query) }),
    }),
  ];
}
