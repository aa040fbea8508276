/** One log group's scan in the CloudWatch Logs PII scan: the group, how its read went, and what its messages held. */
import type { DetectorId, Scanner } from '../../../engine/scanner/types.ts';

export interface LogGroupTarget {
  accountId: string;
  region: string;
  logGroupName: string;
}

type LogGroupStatus = 'ok' | 'deleted' | 'error';

export interface LogGroupScan {
  accountId: string;
  region: string;
  logGroupName: string;
  /** events whose message was scanned (with the Insights prefilter: the rows it returned) */
  eventsScanned: number;
  /** UTF-8 bytes of the messages scanned */
  bytesScanned: number;
  /** the group's window, epoch ms inclusive: from `max(since, checkpoint + 1)` to `until` (from > to: nothing new) */
  from: number;
  to: number;
  status: LogGroupStatus;
  error?: string;
  /** how the group was read: `none` when its window was empty or it could not be read */
  method: 'FilterLogEvents' | 'Insights' | 'none';
}

export interface LogScanCount {
  accountId: string;
  region: string;
  logGroupName: string;
  logStreamName: string;
  detector: DetectorId;
  count: number;
}

export interface LogScanSample {
  accountId: string;
  region: string;
  logGroupName: string;
  logStreamName: string;
  detector: DetectorId;
  masked: string;
  fingerprint: string;
  /** the event's timestamp, epoch ms */
  timestamp: number;
}

/** A group being scanned: what it is, how its read is going, and its tally so far. */
export interface LogGroupJob {
  target: LogGroupTarget;
  scan: LogGroupScan;
  tally: Tally;
}

/** What one group's messages held: counts and a few masked samples, never a message. */
export class Tally {
  readonly counts = new Map<DetectorId, number>();
  readonly streams = new Map<string, LogScanCount>();
  readonly samples: LogScanSample[] = [];
  private readonly sampled = new Map<DetectorId, Set<string>>();
  constructor(private readonly maxSamples: number) {}

  add(job: LogGroupJob, scanner: Scanner, event: { message: string; logStreamName: string; timestamp: number }): void {
    job.scan.eventsScanned += 1;
    job.scan.bytesScanned += Buffer.byteLength(event.message, 'utf8');
    const findings = scanner.scan(event.message);
    const { accountId, region, logGroupName } = job.target;
    for (const f of findings) {
      this.counts.set(f.detector, (this.counts.get(f.detector) ?? 0) + 1);
      const key = `${event.logStreamName}\n${f.detector}`;
      const row = this.streams.get(key);
      if (row) row.count += 1;
      else this.streams.set(key, { accountId, region, logGroupName, logStreamName: event.logStreamName, detector: f.detector, count: 1 });
      const seen = this.sampled.get(f.detector) ?? new Set<string>();
      this.sampled.set(f.detector, seen);
      if (seen.size < this.maxSamples && !seen.has(f.fingerprint)) {
        seen.add(f.fingerprint);
        this.samples.push({
          accountId,
          region,
          logGroupName,
          logStreamName: event.logStreamName,
          detector: f.detector,
          masked: f.masked,
          fingerprint: f.fingerprint,
          timestamp: event.timestamp,
        });
      }
    }
  }
}
