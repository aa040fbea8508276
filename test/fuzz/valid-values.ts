/**
 * Valid requests, generated from the JSON Schemas of the OpenAPI document and steered by what Tenet's data looks
 * like (demo users, orders, control ids, the suite's own spare keys and exceptions): without the steering almost no
 * generated request would get past validation and the handlers would go unfuzzed.
 */
import type { JsonSchema } from './openapi-operations.ts';
import type { Prng } from './prng.ts';

/** Ids that exist on the server under test, gathered once before the run (test/fuzz/fuzz-target.ts). */
export interface Pools {
  controlIds: string[];
  runs: Array<{ controlId: string; runId: string }>;
  packIds: string[];
  /** Keys made for the fuzz to revoke: never the keys it calls with. */
  spareKeyIds: string[];
  /** Exceptions made for the fuzz to revoke. */
  spareExceptionIds: string[];
  policies: Record<'platform' | 'tenet', { policies: string; schema: string }>;
}

export const DEMO_USERS = ['asha', 'ravi', 'meera', 'dev', 'kabir', 'ops-root'];
export const DEMO_RESOURCES: Array<{ type: string; id: string }> = [
  { type: 'Order', id: 'o-1001' },
  { type: 'Order', id: 'o-1002' },
  { type: 'Order', id: 'o-2001' },
  { type: 'Conversation', id: 'conv-1' },
  { type: 'Conversation', id: 'conv-2' },
  { type: 'Report', id: 'rep-ga-weekly' },
  { type: 'Campaign', id: 'camp-diwali' },
  { type: 'Listing', id: 'lst-assam-500g' },
  { type: 'Shipment', id: 'shp-1001' },
  { type: 'PaymentLink', id: 'pl-1001' },
  { type: 'Credential', id: 'cred-chai-spapi' },
  { type: 'Client', id: 'chai-co' },
];
const ACTIONS = [
  'read',
  'reveal_buyer_pii',
  'export',
  'send_message',
  'ai_prompt',
  'refund',
  'edit_listing',
  'change_ad_budget',
  'read_credential',
  'manage_users',
  'train_model',
];
const ENTITY_TYPES = ['User', 'Order', 'Conversation', 'Client', 'Agency', 'Integration', 'Role', 'Service', 'Report', 'Credential'];
const TENET_ROLES = ['admin', 'security_officer', 'auditor', 'service'];

/** Entities the fuzz may write and delete: its own namespace, never a demo entity the final checks rely on. */
export const FUZZ_ID_PREFIX = 'fz-';
const fuzzId = (rng: Prng) => `${FUZZ_ID_PREFIX}${rng.int(0, 49)}`;

const iso = (rng: Prng, daysFromNow: [number, number]) => new Date(Date.now() + rng.int(daysFromNow[0] * 86_400, daysFromNow[1] * 86_400) * 1000).toISOString();

const ref = (type: string, id: string) => ({ __entity: { type, id } });

/** An entity of the fuzz's own namespace that fits the platform schema (an order of chai-co). */
export function fuzzEntity(rng: Prng): unknown {
  const id = fuzzId(rng);
  if (rng.chance(0.7)) {
    return {
      uid: { type: 'Order', id },
      attrs: {
        agency: ref('Agency', 'northwind'),
        client: ref('Client', 'chai-co'),
        integration: ref('Integration', 'amazon_spapi'),
        pii_redacted: rng.chance(0.5),
      },
      parents: [{ type: 'Client', id: 'chai-co' }],
    };
  }
  return {
    uid: { type: 'Conversation', id },
    attrs: { agency: ref('Agency', 'saffron'), client: ref('Client', 'masala-mart'), integration: ref('Integration', 'whatsapp') },
    parents: [{ type: 'Client', id: 'masala-mart' }],
  };
}

type Hint = (rng: Prng, pools: Pools) => unknown;

/**
 * Domain values by operation and location (`METHOD /path location`, array indices as `*`). The first match wins;
 * a location without a hint gets a value from its schema alone.
 */
const HINTS: Array<[RegExp, Hint]> = [
  [
    /^POST \/v1\/(authorize(\/batch)?|policies\/try) body(\.requests\.\*)?\.principal$/,
    (rng) => (rng.chance(0.9) ? { type: 'User', id: rng.pick(DEMO_USERS) } : { type: 'Service', id: 'order-import' }),
  ],
  [/^POST \/v1\/(authorize(\/batch)?|policies\/try) body(\.requests\.\*)?\.resource$/, (rng) => rng.pick(DEMO_RESOURCES)],
  [/^POST \/v1\/(authorize(\/batch)?|policies\/try) body(\.requests\.\*)?\.action$/, (rng) => ({ id: rng.pick(ACTIONS) })],
  [
    /^POST \/v1\/(authorize(\/batch)?|policies\/try) body(\.requests\.\*)?\.context$/,
    (rng) => (rng.chance(0.5) ? { mfa: rng.chance(0.7) } : { mfa: true, purpose: 'customer support' }),
  ],
  // Request entities may only add what the store lacks: the fuzz's own ids.
  [/^POST \/v1\/(authorize(\/batch)?|policies\/try) body(\.requests\.\*)?\.entities$/, (rng) => (rng.chance(0.5) ? [] : [fuzzEntity(rng)])],
  [/^POST \/v1\/authorize\/batch body\.requests$/, () => undefined],
  [/^POST \/v1\/policies\/try body\.policies$/, (rng, p) => (rng.chance(0.5) ? undefined : p.policies.platform.policies)],
  [/^PUT \/v1\/entities body\.entities$/, (rng) => Array.from({ length: rng.int(1, 3) }, () => fuzzEntity(rng))],
  [/^GET \/v1\/entities query\.type$/, (rng) => rng.pick(ENTITY_TYPES)],
  [/^GET \/v1\/entities query\.q$/, (rng) => rng.pick(['a', 'o-', 'fz', 'chai', ''])],
  [/^GET \/v1\/entities\/\{type\}\/\{id\} path\.type$/, (rng) => rng.pick(ENTITY_TYPES)],
  [/^GET \/v1\/entities\/\{type\}\/\{id\} path\.id$/, (rng) => rng.pick([...DEMO_USERS, ...DEMO_RESOURCES.map((r) => r.id)])],
  [/^DELETE \/v1\/entities\/\{type\}\/\{id\} path\.type$/, (rng) => rng.pick(['Order', 'Conversation'])],
  [/^DELETE \/v1\/entities\/\{type\}\/\{id\} path\.id$/, (rng) => fuzzId(rng)],
  [/policies(\/validate)? body\.name$/, (rng) => rng.pick(['platform', 'tenet'])],
  [/policies(\/validate)? body\.policies$/, (rng, p) => p.policies[rng.pick(['platform', 'tenet'] as const)].policies],
  [/policies(\/validate)? body\.schema$/, (rng, p) => p.policies[rng.pick(['platform', 'tenet'] as const)].schema],
  [/ query\.(principal)$/, (rng) => `User::${rng.pick(DEMO_USERS)}`],
  [
    / query\.(resource)$/,
    (rng) => {
      const r = rng.pick(DEMO_RESOURCES);
      return `${r.type}::${r.id}`;
    },
  ],
  [/\/decisions query\.action$/, (rng) => rng.pick(ACTIONS)],
  [/ query\.agency$/, (rng) => rng.pick(['northwind', 'saffron'])],
  [/ query\.client$/, (rng) => rng.pick(['chai-co', 'masala-mart', 'kora-home'])],
  [/ query\.(from)$/, (rng) => iso(rng, [-30, -1])],
  [/ query\.(to)$/, (rng) => iso(rng, [0, 2])],
  [/\/decisions query\.before$/, (rng) => `${iso(rng, [-1, 0])}|00000000-0000-4000-8000-${String(rng.int(0, 999999)).padStart(12, '0')}`],
  [/\/pii-reveals query\.before$/, (rng) => `${iso(rng, [-1, 0]).replace('Z', '000Z')}|${rng.int(1, 1000)}`],
  [/^POST \/v1\/api-keys body\.name$/, (rng) => `fuzz key ${rng.int(0, 999)}`],
  [/^POST \/v1\/api-keys body\.role$/, (rng) => rng.pick(TENET_ROLES)],
  [/^DELETE \/v1\/api-keys\/\{id\} path\.id$/, (rng, p) => rng.pick(p.spareKeyIds)],
  [/^GET \/v1\/controls\/\{id\}(\/runs)? path\.id$/, (rng, p) => rng.pick(p.controlIds)],
  [/^GET \/v1\/controls\/\{id\}\/runs\/\{runId\} path\.id$/, (rng, p) => rng.pick(p.runs).controlId],
  [/^GET \/v1\/controls\/\{id\}\/runs\/\{runId\} path\.runId$/, (rng, p) => rng.pick(p.runs).runId],
  [/^GET \/v1\/controls\/\{id\}\/runs query\.before$/, (rng, p) => rng.pick(p.runs).runId],
  // Mostly a narrow run: "all controls" (no list) still comes from the mutations that empty the body.
  [/^POST \/v1\/controls\/run body$/, (rng, p) => ({ controls: Array.from({ length: rng.int(1, 2) }, () => rng.pick(p.controlIds)) })],
  [/^POST \/v1\/controls\/run body\.controls$/, (rng, p) => Array.from({ length: rng.int(1, 2) }, () => rng.pick(p.controlIds))],
  [/^POST \/v1\/exceptions body\.controlId$/, (rng, p) => rng.pick(p.controlIds)],
  [/^POST \/v1\/exceptions body\.integrationId$/, (rng) => rng.pick(['amazon_spapi', 'whatsapp', 'google_ads'])],
  [/^POST \/v1\/exceptions body\.reason$/, () => 'accepted while the fix ships (fuzz)'],
  [/^POST \/v1\/exceptions body\.expiresAt$/, (rng) => iso(rng, [1, 80])],
  [/^POST \/v1\/exceptions body\.ticket$/, (rng) => rng.pick(['SEC-12', '#482', 'https://tickets.example/T-9'])],
  [/^POST \/v1\/exceptions\/\{id\}\/(approve|reject) path\.id$/, (rng, p) => rng.pick(p.spareExceptionIds)],
  [/^POST \/v1\/exceptions\/\{id\}\/reject body\.reason$/, () => 'not accepted: fix it first (fuzz)'],
  [/^DELETE \/v1\/exceptions\/\{id\} path\.id$/, (rng, p) => rng.pick(p.spareExceptionIds)],
  [/^POST \/v1\/deployments body\.version$/, (rng) => `v${rng.int(1, 9)}.${rng.int(0, 99)}`],
  [/^POST \/v1\/deployments body\.deployedAt$/, (rng) => iso(rng, [-5, 0])],
  [/^POST \/v1\/attestations body\.jws$/, () => 'eyJhbGciOiJFZERTQSJ9.eyJkb2MiOiJydW5ib29rIn0.c2lnbmF0dXJlLW5vdC12YWxpZA'],
  [/^POST \/v1\/packs body\.from$/, (rng) => iso(rng, [-60, -2])],
  [/^POST \/v1\/packs body\.to$/, (rng) => iso(rng, [-1, 0])],
  [/^GET \/v1\/packs\/\{id\}(\/download)? path\.id$/, (rng, p) => rng.pick(p.packIds)],
  // Sign-in takes exactly one of its three forms.
  [
    /^POST \/v1\/session body$/,
    (rng) =>
      rng.pick([
        { demoRole: rng.pick(['admin', 'security_officer', 'auditor']) },
        { idToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' },
        { code: 'fuzz-code', codeVerifier: 'v'.repeat(43), redirectUri: 'https://tenet.example/signin/callback' },
      ]),
  ],
  [/^POST \/v1\/session body\.idToken$/, () => 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
  [/^POST \/v1\/session body\.redirectUri$/, () => 'https://tenet.example/signin/callback'],
];

/** Strings that fit common patterns and formats; a pattern picks the first of these (in random order) it accepts. */
const STRING_CANDIDATES: Array<(rng: Prng) => string> = [
  (rng) => rng.pick(['asha', 'o-1001', 'chai-co', 'fz-1', 'northwind', 'read']),
  (rng) => rng.pick(['Order', 'User', 'Client', 'Agency']),
  (rng) => `User::${rng.pick(DEMO_USERS)}`,
  (rng) => iso(rng, [-10, 10]),
  (rng) => `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-8${hex(rng, 3)}-${hex(rng, 12)}`,
  () => 'https://tenet.example/cb',
  (rng) => rng.pick(['storage.s3-versioning', 'identity.admin-mfa', 'audit.pii-reveal-retention']),
  (rng) => Array.from({ length: 43 }, () => rng.pick([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-'])).join(''),
];
const hex = (rng: Prng, n: number) => Array.from({ length: n }, () => rng.int(0, 15).toString(16)).join('');

export type Resolve = (s: JsonSchema) => JsonSchema;

/** A value for `schema` at `location` of operation `opKey`, valid as far as the schema and the hints know. */
export function validValue(props: {
  schema: JsonSchema;
  rng: Prng;
  resolve: Resolve;
  pools: Pools;
  opKey: string;
  location: string[];
  depth?: number;
}): unknown {
  const { rng, resolve, pools, opKey, location } = props;
  const depth = props.depth ?? 0;
  const where = `${opKey} ${location.map((p) => (/^\d+$/.test(p) ? '*' : p)).join('.')}`;
  for (const [re, hint] of HINTS) {
    if (re.test(where)) {
      const v = hint(rng, pools);
      // A copy: mutations edit the request in place and must never reach the shared tables above.
      if (v !== undefined) return structuredClone(v);
      break;
    }
  }
  const schema = resolve(props.schema);
  const sub = (s: JsonSchema, at: string) => validValue({ ...props, schema: s, location: [...location, at], depth: depth + 1 });
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return rng.pick(schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return validValue({ ...props, schema: rng.pick(alternatives) });
  let type = schema.type;
  if (Array.isArray(type)) type = type.filter((t) => t !== 'null').length && rng.chance(0.9) ? rng.pick(type.filter((t) => t !== 'null')) : 'null';
  if (!type) type = schema.properties ? 'object' : schema.items ? 'array' : depth > 3 ? 'string' : rng.pick(['string', 'number', 'boolean', 'object']);
  switch (type) {
    case 'null':
      return null;
    case 'boolean':
      return rng.chance(0.5);
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 0);
      const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : Math.max(min, 100));
      const n = rng.int(Math.ceil(min), Math.floor(Math.min(max, min + 100)));
      return type === 'integer' ? n : n;
    }
    case 'string':
      return validString(schema, rng);
    case 'array': {
      const min = schema.minItems ?? 0;
      const max = Math.min(schema.maxItems ?? min + 3, min + 3);
      const n = rng.int(min, Math.max(min, max));
      return Array.from({ length: n }, (_, i) => sub(schema.items ?? {}, String(i)));
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set(schema.required ?? []);
      for (const [name, s] of Object.entries(schema.properties ?? {})) {
        if (required.has(name) || rng.chance(0.5)) {
          const v = sub(s, name);
          if (v !== undefined) out[name] = v;
        }
      }
      if (!schema.properties && schema.additionalProperties !== false && depth < 4) {
        for (let i = rng.int(0, 2); i > 0; i--)
          out[rng.pick(['purpose', 'note', 'mfa', 'level'])] = sub(typeof schema.additionalProperties === 'object' ? schema.additionalProperties : {}, 'value');
      }
      return out;
    }
    default:
      return 'x';
  }
}

function validString(schema: JsonSchema, rng: Prng): string {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 64;
  const fits = (s: string) => s.length >= min && s.length <= max && (!schema.pattern || new RegExp(schema.pattern, 'u').test(s));
  const candidates = [...STRING_CANDIDATES];
  // Fisher–Yates with the case's generator: which candidate a pattern gets varies, reproducibly.
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
  }
  if (schema.format === 'date-time') candidates.unshift((r) => iso(r, [-10, 10]));
  if (schema.format === 'uri') candidates.unshift(() => 'https://tenet.example/cb');
  for (const c of candidates) {
    const s = c(rng);
    if (fits(s)) return s;
  }
  const word = 'fuzz'.padEnd(Math.max(min, 4), 'z');
  return word.slice(0, Math.max(min, Math.min(max, word.length)));
}
