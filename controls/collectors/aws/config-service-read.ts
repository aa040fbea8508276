/** Reading items from AWS Config: the keys and tags with SelectResourceConfig, the items with BatchGetResourceConfig. */
import {
  BatchGetResourceConfigCommand,
  SelectResourceConfigCommand,
  type ConfigServiceClient,
  type ResourceKey,
  type ResourceType,
} from '@aws-sdk/client-config-service';
import { paginate } from './aws-pagination.ts';
import type { SendOptions } from './aws-region-context.ts';

/** Keys sent to BatchGetResourceConfig at once. */
export const BATCH_SIZE = 100;
const BATCH_ROUNDS = 5;
const SELECT_FIELDS = 'resourceId, resourceType, resourceName, arn, awsRegion, accountId, tags';

export const keyOf = (k: ResourceKey) => `${k.resourceType}|${k.resourceId}`;

export async function selectKeys(client: ConfigServiceClient, types: string[], send: SendOptions): Promise<Array<{ key: ResourceKey; tags: unknown }>> {
  for (const t of types) if (!/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/.test(t)) throw new Error(`"${t}" is not a resource type`);
  const expression = `SELECT ${SELECT_FIELDS} WHERE resourceType IN (${types.map((t) => `'${t}'`).join(', ')})`;
  const out = new Map<string, { key: ResourceKey; tags: unknown }>();
  await paginate(async (token) => {
    const page = await client.send(new SelectResourceConfigCommand({ Expression: expression, Limit: 100, NextToken: token }), send);
    for (const text of page.Results ?? []) {
      const row = JSON.parse(text) as Record<string, unknown>;
      if (typeof row.resourceType !== 'string' || typeof row.resourceId !== 'string')
        throw new Error('SelectResourceConfig result lacks resourceType or resourceId');
      const key = { resourceType: row.resourceType as ResourceType, resourceId: row.resourceId };
      out.set(keyOf(key), { key, tags: row.tags });
    }
    return page.NextToken;
  });
  return [...out.values()];
}

export async function batchGet(
  client: ConfigServiceClient,
  keys: ResourceKey[],
  retryDelayMs: number,
  send: SendOptions,
): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let pending = keys;
  for (let round = 1; pending.length > 0; round++) {
    if (round > BATCH_ROUNDS) throw new Error(`${pending.length} resource key(s) still unprocessed after ${BATCH_ROUNDS} attempts`);
    if (round > 1) await sleep(retryDelayMs * 2 ** (round - 2), send.abortSignal);
    const res = await client.send(new BatchGetResourceConfigCommand({ resourceKeys: pending }), send);
    items.push(...((res.baseConfigurationItems ?? []) as Array<Record<string, unknown>>));
    pending = res.unprocessedResourceKeys ?? [];
  }
  return items;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('read aborted'));
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new Error('read aborted'));
      },
      { once: true },
    );
  });
}
