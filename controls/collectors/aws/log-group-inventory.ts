import { DescribeLogGroupsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { InventoryItem } from '../../define-control.ts';
import { environmentOf } from '../../inventory/config-item.ts';
import type { Clients } from './aws-region-clients.ts';
import { CALLS_AT_ONCE, type Fail, type RegionContext, type SendOptions } from './aws-region-context.ts';
import { mapLimit } from './aws-common.ts';
import { paginate } from './aws-pagination.ts';
import { LOG_GROUP } from './inventory-plan.ts';

/**
 * Log groups, which AWS Config does not record: every group of the region from DescribeLogGroups, as an item whose
 * `configuration` holds the API's fields (`retentionInDays` absent: never expires). The environment comes from
 * the settings' mapping; where that is not already production, the group's tags (ListTagsForResource) may add
 * production scope — in a production account no tag can change anything, so none is asked for.
 */
export async function readLogGroups(clients: Clients, ctx: RegionContext, send: SendOptions, fail: Fail): Promise<InventoryItem[]> {
  const out: InventoryItem[] = [];
  const capturedAt = new Date().toISOString();
  try {
    await paginate(async (token) => {
      const page = await clients.logs().send(new DescribeLogGroupsCommand({ nextToken: token, limit: 50 }), send);
      for (const g of page.logGroups ?? []) {
        if (!g.logGroupName) continue;
        const arn = g.logGroupArn ?? `arn:aws:logs:${ctx.region}:${ctx.account.accountId}:log-group:${g.logGroupName}`;
        const item: InventoryItem = {
          resourceType: LOG_GROUP,
          resourceId: g.logGroupName,
          resourceName: g.logGroupName,
          awsRegion: ctx.region,
          accountId: ctx.account.accountId,
          arn,
          tags: {},
          configuration: {
            logGroupName: g.logGroupName,
            ...(typeof g.retentionInDays === 'number' ? { retentionInDays: g.retentionInDays } : {}),
            ...(typeof g.storedBytes === 'number' ? { storedBytes: g.storedBytes } : {}),
          },
          supplementaryConfiguration: {},
          configurationItemCaptureTime: capturedAt,
        };
        out.push(item);
      }
      return page.nextToken;
    });
  } catch (err) {
    fail('CloudWatchLogs.DescribeLogGroups', err);
    return [];
  }
  await mapLimit(out, CALLS_AT_ONCE, async (item) => {
    if (environmentOf(item, ctx.mapping) !== 'production') {
      try {
        const res = await clients.logs().send(new ListTagsForResourceCommand({ resourceArn: item.arn!.replace(/:\*$/, '') }), send);
        item.tags = { ...(res.tags ?? {}) };
      } catch (err) {
        fail('CloudWatchLogs.ListTagsForResource', err, `log group ${item.resourceId}`);
      }
    }
    const environment = environmentOf(item, ctx.mapping);
    if (environment) item.environment = environment;
  });
  return out;
}
