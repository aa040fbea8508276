import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DETECTOR_IDS, type DetectorId, type Scanner } from '../../engine/scanner/types.ts';
import { SCAN_LIMITS } from '../../engine/scanner/limits.ts';
import type { LogScanCheckpoints, LogScanResult } from './aws/cloudwatch-logs.ts';
import type { LogScanCount, LogScanSample } from './aws/log-group-tally.ts';

/**
 * CloudWatch Logs exports (JSON lines `{"timestamp", "message", "logStreamName"}`, as `aws logs filter-log-events`
 * or an S3 export re-serialised gives them), scanned like a log group: the events in the window after the
 * checkpoint, one line in memory at a time, counts and masked samples only. The demo uses it; so can an auditor
 * handed an export.
 */
export async function scanLogExports(props: {
  exports: Array<{ logGroupName: string; file: string }>;
  since: number;
  until: number;
  scanner: Scanner;
  checkpoints?: LogScanCheckpoints;
  maxSamplesPerDetector?: number;
}): Promise<LogScanResult> {
  const counts = Object.fromEntries(DETECTOR_IDS.map((d) => [d, 0])) as Record<DetectorId, number>;
  const byGroup = new Map<string, LogScanCount>();
  const samples: LogScanSample[] = [];
  const sampled = new Map<DetectorId, number>();
  const result: LogScanResult = {
    window: { since: props.since, until: props.until },
    groups: [],
    counts,
    byGroup: [],
    samples,
    errors: [],
    limits: [...SCAN_LIMITS],
  };
  for (const exp of props.exports) {
    const key = `export:${exp.logGroupName}`;
    const checkpoint = await props.checkpoints?.get(key);
    const from = Math.max(props.since, checkpoint === undefined ? -Infinity : checkpoint + 1);
    let events = 0;
    let bytes = 0;
    try {
      const rl = createInterface({ input: createReadStream(exp.file), crlfDelay: Infinity });
      for await (const line of rl) {
        if (!line.trim()) continue;
        let e: { timestamp?: unknown; message?: unknown; logStreamName?: unknown };
        try {
          e = JSON.parse(line);
        } catch {
          throw new Error(`line ${events + 1} is not JSON`);
        }
        const ts = Number(e.timestamp);
        if (!(ts >= from && ts <= props.until) || typeof e.message !== 'string') continue;
        events++;
        bytes += Buffer.byteLength(e.message);
        const stream = typeof e.logStreamName === 'string' ? e.logStreamName : '(export)';
        for (const f of props.scanner.scan(e.message)) {
          counts[f.detector]++;
          const k = `${stream}\n${f.detector}`;
          const c = byGroup.get(`${exp.logGroupName}\n${k}`);
          if (c) c.count++;
          else
            byGroup.set(`${exp.logGroupName}\n${k}`, {
              accountId: 'export',
              region: 'file',
              logGroupName: exp.logGroupName,
              logStreamName: stream,
              detector: f.detector,
              count: 1,
            });
          if ((sampled.get(f.detector) ?? 0) < (props.maxSamplesPerDetector ?? 5)) {
            sampled.set(f.detector, (sampled.get(f.detector) ?? 0) + 1);
            samples.push({
              accountId: 'export',
              region: 'file',
              logGroupName: exp.logGroupName,
              logStreamName: stream,
              detector: f.detector,
              masked: f.masked,
              fingerprint: f.fingerprint,
              timestamp: ts,
            });
          }
        }
      }
      await props.checkpoints?.set(key, props.until);
      result.groups.push({
        accountId: 'export',
        region: 'file',
        logGroupName: exp.logGroupName,
        eventsScanned: events,
        bytesScanned: bytes,
        from,
        to: props.until,
        status: 'ok',
        method: 'none',
      });
    } catch (error) {
      const message = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      result.groups.push({
        accountId: 'export',
        region: 'file',
        logGroupName: exp.logGroupName,
        eventsScanned: events,
        bytesScanned: bytes,
        from,
        to: props.until,
        status: 'error',
        error: message,
        method: 'none',
      });
      result.errors.push({ source: `export:${exp.file}`, message });
    }
  }
  result.byGroup = [...byGroup.values()];
  return result;
}
