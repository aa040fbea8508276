import { DescribeLogGroupsCommand, FilterLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { Scanner } from '../../../engine/scanner/types.ts';
import { tokenDigest } from './aws-pagination.ts';
import type { LogGroupJob } from './log-group-tally.ts';

type SendOptions = { abortSignal?: AbortSignal };

/** FilterLogEvents over the group's window, every page scanned and dropped. */
export async function readGroup(client: CloudWatchLogsClient, j: LogGroupJob, scanner: Scanner, maxPages: number, send: SendOptions): Promise<void> {
  const { from, to } = j.scan;
  const seen = new Set<string>();
  let token: string | undefined;
  for (let pages = 1; ; pages++) {
    if (pages > maxPages) throw new Error(`pagination did not end after ${maxPages} pages`);
    const page = await client.send(new FilterLogEventsCommand({ logGroupName: j.target.logGroupName, startTime: from, endTime: to, nextToken: token }), send);
    for (const e of page.events ?? []) {
      if (typeof e.timestamp === 'number' && (e.timestamp < from || e.timestamp > to)) continue;
      j.tally.add(j, scanner, { message: e.message ?? '', logStreamName: e.logStreamName ?? '', timestamp: e.timestamp ?? from });
    }
    // An empty page with a token is not the end: only a missing token is.
    const next = page.nextToken;
    if (!next) return;
    const digest = tokenDigest(next);
    if (seen.has(digest)) throw new Error('pagination did not end: the service repeated a page token');
    seen.add(digest);
    token = next;
  }
}

/** DescribeLogGroups `storedBytes` of one group (undefined: no such group). */
export async function storedBytes(client: CloudWatchLogsClient, name: string, send: SendOptions): Promise<number | undefined> {
  const seen = new Set<string>();
  let token: string | undefined;
  for (let pages = 1; pages <= 100; pages++) {
    const page = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, nextToken: token, limit: 50 }), send);
    const hit = page.logGroups?.find((g) => g.logGroupName === name);
    if (hit) return hit.storedBytes ?? 0;
    if (!page.nextToken || seen.has(page.nextToken)) return undefined;
    seen.add(page.nextToken);
    token = page.nextToken;
  }
  return undefined;
}
