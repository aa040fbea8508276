import type { InventoryItem } from '../define-control.ts';
import { camelKeys, RESOURCE_TYPES } from './resource-types.ts';

/**
 * Normalises one AWS Config configuration item, from any of the shapes it arrives in, into an InventoryItem:
 * - the API (`BatchGetResourceConfig`, `SelectResourceConfig`): `configuration` is a JSON string and
 *   `supplementaryConfiguration` a map of JSON strings; tags come as `[{key, value}]` from Select;
 * - snapshot files: both are objects; delivery version 1.3 spells `awsAccountId`, `ARN`, tags as a map;
 *   the older documentation example spells `accountId`, `arn`, and tags may be a list of `{key, value}`.
 * Configuration keys of the types AWS Config records in PascalCase are read in lower camel case (resource-types.ts).
 * The environment comes from the settings' mapping; a tag can only add production scope (`environmentOf`).
 * Throws an Error naming the item when a required field is missing or a JSON string does not parse.
 */
export interface EnvironmentMapping {
  /** resource ARN or resource id → environment */
  resources?: Record<string, string>;
  /** account id → environment */
  accounts?: Record<string, string>;
}

export function normaliseConfigurationItem(raw: unknown, mapping: EnvironmentMapping = {}): InventoryItem {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('configuration item is not an object');
  const r = raw as Record<string, unknown>;
  const resourceType = str(r.resourceType);
  const resourceId = str(r.resourceId);
  if (!resourceType || !resourceId) throw new Error('configuration item lacks resourceType or resourceId');
  const where = `${resourceType} ${resourceId}`;
  const accountId = str(r.awsAccountId) ?? str(r.accountId);
  if (!accountId) throw new Error(`${where}: no accountId/awsAccountId`);
  const recorded = objectOf(r.configuration, `${where} configuration`);
  const configuration = RESOURCE_TYPES[resourceType]?.camelCase ? (camelKeys(recorded) as Record<string, unknown>) : recorded;
  const supplementary: Record<string, unknown> = {};
  const rawSupp = r.supplementaryConfiguration;
  if (rawSupp !== undefined && rawSupp !== null) {
    for (const [k, v] of Object.entries(objectOf(rawSupp, `${where} supplementaryConfiguration`))) {
      supplementary[k] = typeof v === 'string' ? parseJsonOrString(v, `${where} supplementaryConfiguration.${k}`) : v;
    }
  }
  const tags = tagsOf(r.tags ?? recorded.tags ?? recorded.Tags ?? r.Tags);
  const arn = str(r.ARN) ?? str(r.arn);
  const item: InventoryItem = {
    resourceType,
    resourceId,
    resourceName: str(r.resourceName),
    awsRegion: str(r.awsRegion) ?? 'global',
    accountId,
    arn,
    tags,
    configuration,
    supplementaryConfiguration: supplementary,
    configurationItemCaptureTime: timeOf(r.configurationItemCaptureTime),
  };
  const environment = environmentOf(item, mapping);
  if (environment) item.environment = environment;
  return item;
}

/** Tag values that mean production. A tag can only add production scope, so reading more spellings is safe. */
const PRODUCTION_TAG_VALUES = new Set(['production', 'prod', 'prd', 'live']);
const ENVIRONMENT_TAG_KEY = /^(environment|env)$/i;

/**
 * The environment a resource is judged in. The settings decide: a resource mapping (by ARN, then resource id),
 * else the account mapping. A tag may only ADD production scope: `environment=production` (or `prod`, `prd`,
 * `live`, any key spelled environment/env) makes a staging or unmapped resource production, but no tag takes a
 * resource out of a production account — `environment=shared` or `Environment=live` in the production account is
 * production. Without a mapping, the tag's value (lower case) is the environment.
 */
export function environmentOf(item: Pick<InventoryItem, 'tags' | 'arn' | 'resourceId' | 'accountId'>, mapping: EnvironmentMapping): string | undefined {
  const mapped = canonical(
    (item.arn && mapping.resources?.[item.arn]) || mapping.resources?.[item.resourceId] || mapping.accounts?.[item.accountId] || undefined,
  );
  if (mapped === 'production') return mapped;
  const tagged = Object.entries(item.tags)
    .filter(([k, v]) => ENVIRONMENT_TAG_KEY.test(k) && typeof v === 'string' && v.trim() !== '')
    .map(([, v]) => v.trim().toLowerCase());
  if (tagged.some((v) => PRODUCTION_TAG_VALUES.has(v))) return 'production';
  return mapped ?? canonical(tagged[0]);
}

function canonical(env: string | undefined): string | undefined {
  if (!env) return undefined;
  const e = env.trim().toLowerCase();
  return e === 'prod' ? 'production' : e || undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function objectOf(v: unknown, what: string): Record<string, unknown> {
  if (v === undefined || v === null || v === '') return {};
  if (typeof v === 'string') {
    const parsed = parseJson(v, what);
    if (parsed === null) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${what} is not a JSON object`);
    return parsed as Record<string, unknown>;
  }
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`${what} is not an object`);
  return v as Record<string, unknown>;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
}

/** Supplementary values are JSON strings from the API; a few are plain strings (e.g. "Enabled"). */
function parseJsonOrString(text: string, what: string): unknown {
  const t = text.trim();
  if (t.startsWith('{') || t.startsWith('[')) return parseJson(t, what);
  return text;
}

function tagsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!v) return out;
  if (Array.isArray(v)) {
    for (const t of v) {
      if (t && typeof t === 'object') {
        const o = t as Record<string, unknown>;
        const k = str(o.key) ?? str(o.Key);
        const val = o.value ?? o.Value;
        if (k) out[k] = typeof val === 'string' ? val : String(val ?? '');
      }
    }
    return out;
  }
  if (typeof v === 'object') {
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) out[k] = typeof val === 'string' ? val : String(val ?? '');
  }
  return out;
}

function timeOf(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number') return new Date(v > 1e12 ? v : v * 1000).toISOString();
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(v).toISOString();
  return new Date(0).toISOString();
}
