import type { ResourceKey, ResourceType } from '@aws-sdk/client-config-service';
import type { InventoryItem, InventorySlice } from '../../define-control.ts';
import { normaliseConfigurationItem } from '../../inventory/config-item.ts';
import { CONFIG_RECORDER } from '../../inventory/resource-types.ts';
import { readRoutes } from './api-gateway-routes.ts';
import type { Identity } from './aws-credentials.ts';
import { describeError } from './aws-error-message.ts';
import { Clients } from './aws-region-clients.ts';
import type { RegionContext } from './aws-region-context.ts';
import { readRecorders } from './config-recorders.ts';
import { BATCH_SIZE, batchGet, keyOf, selectKeys } from './config-service-read.ts';
import { fillDynamoDb } from './dynamodb-settings.ts';
import { API, LAMBDA, LOG_GROUP, ROUTE, TABLE } from './inventory-plan.ts';
import { fillLambdaEnvironment, redactLambdaEnvironment } from './lambda-environment.ts';
import { readLogGroups } from './log-group-inventory.ts';

type Errors = InventorySlice['errors'];

/**
 * One account × region: the recorder and log groups from their APIs, the keys and tags of the selected types from
 * AWS Config, their items in batches, then what AWS Config does not record from the services. A failing call is an
 * entry in `errors`; the rest is still read.
 */
export async function readRegion(ctx: RegionContext): Promise<InventorySlice> {
  const { account, region, plan, signal } = ctx;
  const errors: Errors = [];
  const source = (operation: string) => `aws:${account.accountId}:${region}:${operation}`;
  const fail = (operation: string, err: unknown, about?: string) => {
    const message = (about ? `${about}: ` : '') + describeError(err);
    errors.push({ source: source(operation), message });
    ctx.log?.warn({ source: source(operation), error: message }, 'aws inventory call failed');
  };
  if (plan.wanted.size === 0) return { items: [], errors };
  if (signal?.aborted) {
    fail('ConfigService.SelectResourceConfig', new Error('read aborted'));
    return { items: [], errors };
  }

  // Resolve assumed-role credentials up front, so a refused AssumeRole is reported as such (once per region).
  if (account.roleArn && typeof ctx.credentials === 'function') {
    try {
      await (ctx.credentials as () => Promise<Identity>)();
    } catch (err) {
      fail('STS.AssumeRole', err);
      return { items: [], errors };
    }
  }

  const config = { ...ctx.clientConfig, credentials: ctx.credentials };
  const clients = new Clients(config);
  const send = { abortSignal: signal };
  try {
    // 0. The recorder, and what the services hold that AWS Config does not record.
    const described: InventoryItem[] = [];
    await Promise.all([
      plan.wanted.has(CONFIG_RECORDER) ? readRecorders(clients, ctx, send, fail).then((r) => described.push(...r)) : undefined,
      plan.wanted.has(LOG_GROUP) ? readLogGroups(clients, ctx, send, fail).then((g) => described.push(...g)) : undefined,
    ]);
    if (plan.select.length === 0) return { items: described, errors };

    // 1. Keys and tags of the resources of the selected types.
    let keys: Array<{ key: ResourceKey; tags: unknown }>;
    try {
      keys = await selectKeys(clients.config(), plan.select, send);
    } catch (err) {
      fail('ConfigService.SelectResourceConfig', err);
      return { items: described, errors };
    }

    // 2. Full items, 100 keys at a time, retrying unprocessed keys.
    const tagsByKey = new Map(keys.map((k) => [keyOf(k.key), k.tags]));
    const items: InventoryItem[] = [];
    for (let i = 0; i < keys.length; i += BATCH_SIZE) {
      const chunk = keys.slice(i, i + BATCH_SIZE).map((k) => k.key);
      let raws: Array<Record<string, unknown>>;
      try {
        raws = await batchGet(clients.config(), chunk, ctx.retryDelayMs, send);
      } catch (err) {
        fail('ConfigService.BatchGetResourceConfig', err);
        continue;
      }
      for (const raw of raws) {
        if (raw.configurationItemStatus === 'ResourceDeleted' || raw.configurationItemStatus === 'ResourceDeletedNotRecorded') continue;
        try {
          const tags = tagsByKey.get(keyOf({ resourceType: raw.resourceType as ResourceType, resourceId: String(raw.resourceId) }));
          items.push(normaliseConfigurationItem({ ...raw, tags }, ctx.mapping));
        } catch (err) {
          fail('ConfigService.BatchGetResourceConfig', err);
        }
      }
    }

    // 3. What AWS Config does not record, read from the services: only where the item lacks it.
    const routes: InventoryItem[] = [];
    await Promise.all([
      fillLambdaEnvironment(
        clients,
        items.filter((i) => i.resourceType === LAMBDA && plan.wanted.has(LAMBDA)),
        send,
        fail,
      ),
      fillDynamoDb(
        clients,
        items.filter((i) => i.resourceType === TABLE && plan.wanted.has(TABLE)),
        send,
        fail,
      ),
      plan.wanted.has(ROUTE)
        ? readRoutes(
            clients,
            items.filter((i) => i.resourceType === API),
            send,
            fail,
          ).then((r) => routes.push(...r))
        : undefined,
    ]);

    // Lambda environment values are secrets: whatever the source, only the names and what the secret detectors found
    // in each value (masked, fingerprinted) leave the collector.
    for (const item of items) if (item.resourceType === LAMBDA) redactLambdaEnvironment(item);

    return { items: [...described, ...items.filter((i) => plan.wanted.has(i.resourceType)), ...routes], errors };
  } finally {
    clients.destroy();
  }
}
