/**
 * One fuzz case from (seed, index): an operation of the OpenAPI document, a caller, and a mutation of a valid
 * request — a field replaced by a hostile value, a required field dropped, an unknown or prototype key added, or
 * the whole body replaced. Generation never looks at answers, so any case can be regenerated alone.
 */
import { buildDemoEntities } from '../../engine/demo/demo-entities.ts';
import { encodeUrlText, HOSTILE_BODIES, HOSTILE_JSON, HOSTILE_URL, ownKeys, POLLUTION_MARKER, toJsonText } from './hostile-values.ts';
import type { JsonSchema, Operation } from './openapi-operations.ts';
import { Prng } from './prng.ts';
import { FUZZ_ID_PREFIX, validValue, type Pools, type Resolve } from './valid-values.ts';

export const CALLERS = ['admin', 'security_officer', 'auditor', 'service', 'anonymous', 'unknown_key'] as const;
export type Caller = (typeof CALLERS)[number];
const CALLER_WEIGHTS: Array<[number, Caller]> = [
  [1, 'admin'],
  [1, 'security_officer'],
  [1, 'auditor'],
  [1, 'service'],
  [1, 'anonymous'],
  [0.3, 'unknown_key'],
];

export interface FuzzCase {
  index: number;
  op: Operation;
  caller: Caller;
  /** What was done to the valid request, e.g. "field body.principal.id ← string with NUL". */
  mutation: string;
  method: string;
  /** Path and query, percent-encoded as sent. */
  url: string;
  headers: Record<string, string>;
  body?: { data: Buffer; chunked?: boolean };
  /** A write the suite would not survive was turned into a harmless one (see `protect`). */
  protected?: string;
}

export interface GeneratorProps {
  seed: number;
  ops: Operation[];
  resolve: Resolve;
  pools: Pools;
  /** The keys the suite calls with, by role. */
  keys: Record<'admin' | 'security_officer' | 'auditor' | 'service', string>;
  /** Their ids: never revoked (the one exclusion the suite makes; see docs/testing.md). */
  ownKeyIds: string[];
}

/**
 * Operations whose contract is to do the work before answering, which takes seconds by design, not by fault: an
 * allowed caller's request to one of them runs alone, with its own time limit (fuzz-run.ts), so it neither fails the
 * 2 s limit of every other answer nor pushes concurrent answers past it.
 */
export const LONG_OPERATIONS: Record<string, string> = {
  'POST /v1/packs': 'builds and signs a review pack before answering (unless wait: false)',
  'POST /v1/controls/run': 'runs the listed controls (default: all) before answering',
  'POST /v1/deployments': 'records a deployment and runs the CloudWatch PII scan before answering',
  'PUT /v1/policies': 'validates the version and runs every decision table before answering',
  'POST /v1/policies/validate': 'validates the draft and runs every decision table before answering',
};
/** Of those, the ones fuzzed at a quarter of the usual share (the work they do is not input-driven). */
const RARE = new Set(['POST /v1/packs', 'POST /v1/controls/run', 'POST /v1/deployments']);

/** Authorization headers that must not authenticate (the last ones hold a real admin key, badly framed). */
const BAD_AUTHORIZATION: Array<(adminKey: string) => string> = [
  () => 'Bearer tk_not_a_real_key_0000000000000000000000',
  () => 'Bearer',
  () => 'Bearer ',
  () => `Bearer ${'k'.repeat(2048)}`,
  () => 'Basic YWRtaW46YWRtaW4=',
  () => 'Bearer a.b.c',
  () => 'Bearer eyJhbGciOiJub25lIn0.eyJ0ZW5ldF9yb2xlIjoiYWRtaW4ifQ.',
  (k) => `Basic ${k}`,
  (k) => `Bearer ${k} extra`,
  (k) => `Token ${k}`,
  (k) => `Bearer ${k.slice(0, -1)}`,
];

type Pointer = string[];
type UrlParam = { name: string; text: string } | { raw: string };

const DEMO_UIDS = new Set(buildDemoEntities().map((e) => `${e.uid.type}::${e.uid.id}`));

export function generateCase(props: GeneratorProps, index: number): FuzzCase {
  const { ops, resolve, pools } = props;
  const rng = Prng.forCase(props.seed, index);
  // The decision routes are the hot path every app service calls: three times the share of any other route; the
  // heaviest long operations a quarter (they run alone: see fuzz-run.ts).
  const op = rng.weighted(ops.map((o) => [o.key.startsWith('POST /v1/authorize') ? 3 : RARE.has(o.key) ? 0.25 : 1, o] as const));
  const caller = rng.weighted(CALLER_WEIGHTS);
  const ctx = { rng, resolve, pools, opKey: op.key };

  const pathValues: Record<string, string> = {};
  for (const p of op.pathParams) pathValues[p.name] = encodeUrlText(String(validValue({ ...ctx, schema: p.schema, location: ['path', p.name] })));
  let query: UrlParam[] = [];
  for (const p of op.queryParams) {
    if (p.required || rng.chance(0.4))
      query.push({ name: p.name, text: encodeUrlText(String(validValue({ ...ctx, schema: p.schema, location: ['query', p.name] }))) });
  }
  let body: unknown = op.body ? validValue({ ...ctx, schema: op.body, location: ['body'] }) : undefined;
  let rawBody: { text: string | Buffer; contentType?: string; chunked?: boolean } | undefined;

  const kinds: Array<[number, string]> = [
    [20, 'valid'],
    [40, 'field'],
    [op.body ? 8 : 0, 'missing'],
    [8, 'unknown'],
    [6, 'pollution'],
    [op.body ? 12 : 3, 'body'],
  ];
  const kind = rng.weighted(kinds);
  let mutation = 'valid request';

  const bodyNodes = (): Pointer[] => (body === undefined ? [] : nodes(body, []));
  switch (kind) {
    case 'valid':
      break;
    case 'field': {
      const targets: Array<{ label: string; apply: () => string }> = [];
      for (const p of op.pathParams)
        targets.push({
          label: `path.${p.name}`,
          apply: () => {
            const h = rng.pick(HOSTILE_URL);
            pathValues[p.name] = h.make();
            return h.label;
          },
        });
      for (const p of op.queryParams) {
        targets.push({
          label: `query.${p.name}`,
          apply: () => {
            query = query.filter((q) => !('name' in q) || q.name !== p.name);
            const shape = rng.int(0, 5);
            if (shape === 0) {
              query.push({ raw: `${p.name}=1` }, { raw: `${p.name}=2` });
              return 'repeated parameter';
            }
            if (shape === 1) {
              query.push({ raw: `${p.name}[x]=1` });
              return 'bracketed parameter name';
            }
            if (shape === 2) {
              query.push({ raw: p.name });
              return 'parameter without a value';
            }
            const h = rng.pick(HOSTILE_URL);
            query.push({ name: p.name, text: h.make() });
            return h.label;
          },
        });
      }
      for (const at of bodyNodes()) {
        targets.push({
          label: ['body', ...at].join('.'),
          apply: () => {
            const h = rng.pick(HOSTILE_JSON);
            body = setAt(body, at, h.make());
            return h.label;
          },
        });
      }
      // Declared body fields the valid request left out get hostile values too.
      if (op.body && isObject(body)) {
        for (const name of Object.keys(resolve(op.body).properties ?? {})) {
          if (!(name in (body as object)))
            targets.push({
              label: `body.${name}`,
              apply: () => {
                const h = rng.pick(HOSTILE_JSON);
                (body as Record<string, unknown>)[name] = h.make();
                return h.label;
              },
            });
        }
      }
      if (targets.length === 0) {
        query.push({ name: rng.pick(['limit', 'q', 'id']), text: rng.pick(HOSTILE_URL).make() });
        mutation = 'hostile query parameter on a route that takes none';
        break;
      }
      const target = rng.pick(targets);
      mutation = `field ${target.label} ← ${target.apply()}`;
      break;
    }
    case 'missing': {
      const candidates = requiredFields(body, op.body!, resolve);
      if (candidates.length === 0) {
        body = {};
        mutation = 'empty object body';
      } else {
        const at = rng.pick(candidates);
        body = deleteAt(body, at);
        mutation = `missing required body.${at.join('.')}`;
      }
      break;
    }
    case 'unknown': {
      const name = rng.pick(['unexpected', '__proto__', 'constructor', 'prototype', 'toString', '$where', 'a\u0000b', '\ud800']);
      const value = rng.pick([1, 'x', null, { nested: true }]);
      const objects = bodyNodes().filter((p) => isObject(getAt(body, p)));
      if (op.body && isObject(body) && rng.chance(0.7)) {
        const at = rng.chance(0.5) || objects.length === 0 ? [] : rng.pick(objects);
        addKey(getAt(body, at) as Record<string, unknown>, name, value);
        mutation = `unknown key ${JSON.stringify(name)} in body${at.length ? '.' + at.join('.') : ''}`;
      } else {
        query.push({ name: encodeUrlText(name), text: encodeUrlText(String(value)) });
        mutation = `unknown query parameter ${JSON.stringify(name)}`;
      }
      break;
    }
    case 'pollution': {
      const payload = rng.pick([
        { label: '__proto__', key: '__proto__', value: { [POLLUTION_MARKER]: 'yes' } },
        { label: 'constructor.prototype', key: 'constructor', value: { prototype: { [POLLUTION_MARKER]: 'yes' } } },
      ]);
      if (op.body && isObject(body) && rng.chance(0.7)) {
        const objects = bodyNodes().filter((p) => isObject(getAt(body, p)));
        const at = rng.chance(0.5) || objects.length === 0 ? [] : rng.pick(objects);
        addKey(getAt(body, at) as Record<string, unknown>, payload.key, payload.value);
        mutation = `prototype pollution (${payload.label}) in body${at.length ? '.' + at.join('.') : ''}`;
      } else {
        query.push({ raw: `__proto__[${POLLUTION_MARKER}]=yes` }, { raw: `constructor[prototype][${POLLUTION_MARKER}]=yes` });
        mutation = 'prototype pollution in the query';
      }
      break;
    }
    case 'body': {
      if (rng.chance(0.6)) {
        const h = rng.pick(HOSTILE_BODIES);
        rawBody = h.make();
        mutation = `body ← ${h.label}`;
      } else {
        const h = rng.pick(HOSTILE_JSON);
        body = h.make();
        mutation = `body ← ${h.label}`;
      }
      if (!op.body) mutation += ' (on a route without a body)';
      break;
    }
  }

  const protectedNote = protect({ op, pathValues, body, props, rng });

  const url =
    op.path.replace(/\{([A-Za-z_]+)\}/g, (_, name: string) => pathValues[name] ?? '') +
    (query.length ? '?' + query.map((q) => ('raw' in q ? q.raw : `${q.name}=${q.text}`)).join('&') : '');
  const headers: Record<string, string> = {};
  if (caller === 'unknown_key') headers.authorization = rng.pick(BAD_AUTHORIZATION)(props.keys.admin);
  else if (caller !== 'anonymous') headers.authorization = `Bearer ${props.keys[caller]}`;
  // A caller-chosen request id is echoed only when it is a plain token (fuzz-run.ts checks what comes back). Sizes
  // keep the whole head (8 KiB URL at most + these) under Node's 16 KiB limit: past it Node's parser answers 431
  // itself, before any of Tenet's code runs.
  if (rng.chance(0.05)) {
    headers['x-request-id'] = rng.pick([
      'short',
      'a'.repeat(129),
      'id with spaces and ../',
      'ünïcode-id-00000',
      '<script>x</script>',
      'x'.repeat(4 * 1024),
      'valid-request-id-0001',
    ]);
    mutation += ` (x-request-id: ${headers['x-request-id'].slice(0, 24)})`;
  }
  let sent: FuzzCase['body'];
  if (rawBody) {
    if (rawBody.contentType) headers['content-type'] = rawBody.contentType;
    sent = { data: Buffer.isBuffer(rawBody.text) ? rawBody.text : Buffer.from(rawBody.text, 'utf8'), chunked: rawBody.chunked };
  } else if (body !== undefined && (op.body || kind === 'body')) {
    headers['content-type'] = 'application/json';
    sent = { data: Buffer.from(toJsonText(body), 'utf8') };
  }
  return { index, op, caller, mutation, method: op.method.toUpperCase(), url, headers, body: sent, ...(protectedNote ? { protected: protectedNote } : {}) };
}

/**
 * The writes a run would not survive as a meaningful test, made harmless: revoking the keys the suite calls with
 * (every later request would be a 401), and writing or deleting the demo entities whose decisions are checked after
 * the run. Everything else destructive is fuzzed as generated.
 */
function protect(p: { op: Operation; pathValues: Record<string, string>; body: unknown; props: GeneratorProps; rng: Prng }): string | undefined {
  const { op, pathValues, body, props, rng } = p;
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  if (op.key === 'DELETE /v1/api-keys/{id}' && props.ownKeyIds.includes(decode(pathValues.id ?? ''))) {
    pathValues.id = encodeUrlText(rng.pick(props.pools.spareKeyIds));
    return 'would revoke a key the suite calls with: a spare key instead';
  }
  if (op.key === 'DELETE /v1/entities/{type}/{id}' && DEMO_UIDS.has(`${decode(pathValues.type ?? '')}::${decode(pathValues.id ?? '')}`)) {
    pathValues.id = encodeUrlText(`${FUZZ_ID_PREFIX}${rng.int(0, 49)}`);
    return 'would delete a demo entity: a fuzz entity instead';
  }
  if (op.key === 'PUT /v1/entities' && isObject(body) && Array.isArray((body as { entities?: unknown }).entities)) {
    let renamed = false;
    for (const e of (body as { entities: unknown[] }).entities) {
      const uid = isObject(e) ? (e as { uid?: unknown }).uid : undefined;
      const { type, id } = (isObject(uid) ? uid : {}) as { type?: unknown; id?: unknown };
      if (typeof type === 'string' && typeof id === 'string' && DEMO_UIDS.has(`${type}::${id}`)) {
        (uid as { id: string }).id = `${FUZZ_ID_PREFIX}${rng.int(0, 49)}`;
        renamed = true;
      }
    }
    if (renamed) return 'would overwrite a demo entity: a fuzz entity instead';
  }
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  v.constructor !== undefined &&
  !(v instanceof Buffer) &&
  Object.getPrototypeOf(v) === Object.prototype;

/** Every node below the root of a plain JSON value, as pointers. */
function nodes(v: unknown, at: Pointer, out: Pointer[] = []): Pointer[] {
  if (out.length > 200) return out;
  if (Array.isArray(v))
    v.forEach((x, i) => {
      out.push([...at, String(i)]);
      nodes(x, [...at, String(i)], out);
    });
  else if (isObject(v))
    for (const k of Object.keys(v)) {
      out.push([...at, k]);
      nodes(v[k], [...at, k], out);
    }
  return out;
}

function getAt(v: unknown, at: Pointer): unknown {
  let cur = v;
  for (const k of at) cur = (cur as Record<string, unknown>)[k];
  return cur;
}

function setAt(root: unknown, at: Pointer, value: unknown): unknown {
  if (at.length === 0) return value;
  const parent = getAt(root, at.slice(0, -1)) as Record<string, unknown>;
  parent[at[at.length - 1]!] = value;
  return root;
}

function deleteAt(root: unknown, at: Pointer): unknown {
  const parent = getAt(root, at.slice(0, -1)) as Record<string, unknown>;
  delete parent[at[at.length - 1]!];
  return root;
}

function addKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.assign(target, ownKeys([[key, value]]));
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Pointers to required properties present in the value, following the schema. */
function requiredFields(v: unknown, schema: JsonSchema, resolve: Resolve, at: Pointer = [], out: Pointer[] = []): Pointer[] {
  const s = resolve(schema);
  if (isObject(v)) {
    for (const name of s.required ?? []) if (name in v) out.push([...at, name]);
    for (const [name, sub] of Object.entries(s.properties ?? {})) if (name in v) requiredFields(v[name], sub, resolve, [...at, name], out);
  } else if (Array.isArray(v) && s.items) v.forEach((x, i) => requiredFields(x, s.items!, resolve, [...at, String(i)], out));
  return out;
}
