import { z } from 'zod';
import { defineControl, type Finding } from '../define-control.ts';
import { DETECTOR_IDS } from '../pii/types.ts';

const detector = z.enum(DETECTOR_IDS);

/** What the log scan saw since the window start: counts, masked samples and fingerprints; never a raw value. */
export const logScanEvidence = z.object({
  window: z.object({ since: z.number(), until: z.number(), reason: z.enum(['deployment', 'window']), deployment: z.string().nullable() }),
  scans: z.number().int(),
  groups: z.array(
    z.object({
      accountId: z.string(),
      region: z.string(),
      logGroupName: z.string(),
      eventsScanned: z.number().int(),
      bytesScanned: z.number(),
      status: z.enum(['ok', 'deleted', 'error']),
      error: z.string().optional(),
    }),
  ),
  counts: z.record(z.string(), z.number().int()),
  byGroup: z.array(z.object({ logGroupName: z.string(), logStreamName: z.string(), detector, count: z.number().int() })),
  samples: z.array(z.object({ logGroupName: z.string(), logStreamName: z.string(), detector, masked: z.string(), fingerprint: z.string(), timestamp: z.number() })),
  errors: z.array(z.object({ source: z.string(), message: z.string() })),
});
export type LogScanEvidence = z.infer<typeof logScanEvidence>;

export default defineControl({
  id: 'logging.cloudwatch-pii-scan',
  title: 'No PII or secrets in CloudWatch logs since the last deployment',
  commitment: 'CloudWatch PII log scan completed after deployment (Addendum §28); logs avoid PII and credentials (§23).',
  frameworks: ['ADDENDUM:28.13', 'ADDENDUM:23', 'SPAPI-DPP:2.6', 'GOOGLE:CASA-7.1'],
  severity: 'critical',
  schedule: '*/15 * * * *',
  freshFor: '1h',
  evidence: logScanEvidence,
  collect: (sources) => sources.logScan(),
  evaluate(e) {
    if (e.errors.length) {
      return {
        status: 'error',
        findings: e.errors.map((x) => ({ resourceId: x.source, message: `could not scan: ${x.message}` })),
        summary: `${e.errors.length} log group(s) could not be scanned; not judged on a partial scan`,
      };
    }
    const scanned = e.groups.filter((g) => g.status === 'ok');
    if (scanned.length === 0) return { status: 'not_applicable', findings: [], summary: 'no log group to scan' };
    const findings: Finding[] = e.byGroup.map((g) => {
      const samples = e.samples.filter((s) => s.logGroupName === g.logGroupName && s.logStreamName === g.logStreamName && s.detector === g.detector).slice(0, 3);
      return {
        resourceId: `${g.logGroupName}:${g.logStreamName}`,
        resourceType: 'AWS::Logs::LogGroup',
        message: `${g.count} ${g.detector} value(s) in ${g.logGroupName} (stream ${g.logStreamName})${samples.length ? `, e.g. ${samples.map((s) => s.masked).join(', ')}` : ''}`,
      };
    });
    const events = scanned.reduce((n, g) => n + g.eventsScanned, 0);
    const since = new Date(e.window.since).toISOString();
    const total = Object.values(e.counts).reduce((a, b) => a + b, 0);
    return {
      status: findings.length ? 'fail' : 'pass',
      findings,
      summary: findings.length
        ? `${total} finding(s) in ${new Set(e.byGroup.map((g) => g.logGroupName)).size} log group(s) since ${since} (${e.window.reason === 'deployment' ? `deployment ${e.window.deployment}` : 'scan window'})`
        : `${events} events in ${scanned.length} log group(s) scanned since ${since}; nothing found`,
    };
  },
  remediation:
    'Find the code path that logged the value (the finding names the group and stream; the fingerprint matches repeats), log ids instead of values, redact at ingestion (tenet scan-logs --emit-data-protection-policy prints a CloudWatch data protection policy), then delete or expire the affected log streams and record a deployment.',
});
