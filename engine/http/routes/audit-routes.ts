import { sql } from 'kysely';
import type { Response } from 'express';
import { z } from 'zod';
import { csvRecord } from '../../../evidence/packs/render-csv.ts';
import type { Db } from '../../db/database.ts';
import { InputError } from '../../kernel/errors.ts';
import { defineRoute, type RouteDef } from '../route.ts';

const uidFilter = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_:]*::.+$/, 'must look like Type::id, e.g. User::u1')
  .transform((s) => {
    const at = s.lastIndexOf('::');
    return { type: s.slice(0, at), id: s.slice(at + 2).replace(/^"(.*)"$/, '$1') };
  });

const page = {
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** Cursor: the `at|id` of the last row of the previous page. */
  before: z.string().max(200).optional(),
};

function parseCursor(before: string | undefined): { at: Date; id: string } | undefined {
  if (!before) return undefined;
  const [at, id] = before.split('|');
  const date = new Date(at ?? '');
  if (!id || Number.isNaN(date.getTime())) throw new InputError('before: not a cursor returned by this API');
  return { at: date, id };
}

const uid = z.object({ type: z.string(), id: z.string() });
const next = z.string().nullable().meta({ description: 'the cursor of the next page (`before`); null on the last page' });

const decisionSchema = z
  .object({
    id: z.string(),
    at: z.string(),
    principal: uid,
    action: z.string(),
    resource: uid,
    decision: z.enum(['allow', 'deny']),
    reasons: z.array(z.string()),
    errors: z.array(z.string()),
    policyHash: z.string(),
    entityVersion: z.string(),
    latencyUs: z.number(),
    contextKeys: z.array(z.string()),
    requestId: z.string().nullable(),
    caller: z.string().nullable(),
    callerName: z.string().nullable().meta({ description: 'the name of the API key that called, when the caller is a key (never the key itself)' }),
    set: z.enum(['platform', 'tenet']).meta({ description: 'platform: asked of the platform policy set; tenet: one of Tenet’s own route checks' }),
    requestEntities: z.array(uid).meta({ description: 'entities the request supplied (added to the store’s for that decision only)' }),
  })
  .meta({ id: 'LoggedDecision' });

const revealSchema = z
  .object({
    id: z.string(),
    decisionId: z.string(),
    at: z.string(),
    principal: uid,
    resource: uid,
    agency: z.string().nullable(),
    client: z.string().nullable(),
    decision: z.enum(['allow', 'deny']),
    reasons: z.array(z.string()),
    purpose: z.string().nullable(),
    caller: z.string().nullable(),
    callerName: z.string().nullable().meta({ description: 'the name of the API key that called (never the key itself)' }),
  })
  .meta({ id: 'PiiReveal' });

/**
 * Tenet's own route checks are logged beside the platform's decisions (engine/http/access.ts): their resource is
 * always a `Tenet::Area`. The platform's policy set decides on the platform's schema, whose action types are refused
 * if undeclared (authz-routes.ts), so its decisions are everything else.
 */
const TENET_AREA = 'Tenet::Area';

/** The filters of the decision log, shared by the JSON list and the CSV export. */
const decisionFilters = {
  set: z.enum(['platform', 'tenet']).optional().meta({ description: 'platform decisions only, or Tenet’s own route checks only; both when absent' }),
  principal: uidFilter.optional(),
  resource: uidFilter.optional(),
  action: z.string().max(200).optional(),
  decision: z.enum(['allow', 'deny']).optional(),
  from: page.from,
  to: page.to,
};
type DecisionFilter = z.infer<z.ZodObject<typeof decisionFilters>>;

const decisionQuerySchema = z.object({ ...decisionFilters, limit: page.limit, before: page.before });

/** The decision log as filtered, with the calling API key's name (a left join: names only, never the key's hash). */
function filteredDecisions(db: Db, f: DecisionFilter) {
  let q = db.selectFrom('decisions').leftJoin('api_keys', 'api_keys.id', 'decisions.caller').selectAll('decisions').select('api_keys.name as caller_name');
  if (f.set === 'tenet') q = q.where('decisions.resource_type', '=', TENET_AREA);
  if (f.set === 'platform') q = q.where('decisions.resource_type', '<>', TENET_AREA);
  if (f.principal) q = q.where('decisions.principal_type', '=', f.principal.type).where('decisions.principal_id', '=', f.principal.id);
  if (f.resource) q = q.where('decisions.resource_type', '=', f.resource.type).where('decisions.resource_id', '=', f.resource.id);
  if (f.action) q = q.where('decisions.action', '=', f.action);
  if (f.decision) q = q.where('decisions.decision', '=', f.decision);
  if (f.from) q = q.where('decisions.at', '>=', new Date(f.from));
  if (f.to) q = q.where('decisions.at', '<', new Date(f.to));
  return q;
}

type DecisionRow = Awaited<ReturnType<ReturnType<typeof filteredDecisions>['execute']>>[number];

const toDecision = (r: DecisionRow) => ({
  id: r.id,
  at: r.at.toISOString(),
  principal: { type: r.principal_type, id: r.principal_id },
  action: r.action,
  resource: { type: r.resource_type, id: r.resource_id },
  decision: r.decision,
  reasons: r.reasons,
  errors: r.errors,
  policyHash: r.policy_hash,
  entityVersion: r.entity_version,
  latencyUs: r.latency_us,
  contextKeys: r.context_keys,
  requestId: r.request_id,
  caller: r.caller,
  callerName: r.caller_name ?? null,
  set: r.resource_type === TENET_AREA ? ('tenet' as const) : ('platform' as const),
  /** entities the request supplied (added to the store's for that decision only) */
  requestEntities: r.request_entities ?? [],
});

/** The columns of the JSON answer, flattened (context values are never stored, so never exported). */
const DECISION_CSV_COLUMNS = [
  'id',
  'at',
  'set',
  'decision',
  'principal_type',
  'principal_id',
  'action',
  'resource_type',
  'resource_id',
  'reasons',
  'errors',
  'caller',
  'caller_name',
  'request_id',
  'policy_hash',
  'entity_version',
  'latency_us',
  'context_keys',
  'request_entities',
] as const;
const decisionCsvRecord = (d: ReturnType<typeof toDecision>) =>
  csvRecord([
    d.id,
    d.at,
    d.set,
    d.decision,
    d.principal.type,
    d.principal.id,
    d.action,
    d.resource.type,
    d.resource.id,
    (d.reasons ?? []).join('; '),
    (d.errors ?? []).join('; '),
    d.caller,
    d.callerName,
    d.requestId,
    d.policyHash,
    d.entityVersion,
    d.latencyUs,
    (d.contextKeys ?? []).join('; '),
    d.requestEntities.map((u) => `${u.type}::${u.id}`).join('; '),
  ]);

const DECISION_EXPORT_MAX = 100_000;

/** The filters of the PII-reveal audit, shared by the JSON list and the CSV export. */
const revealFilters = {
  principal: uidFilter.optional(),
  agency: z.string().max(200).optional(),
  client: z.string().max(200).optional(),
  decision: z.enum(['allow', 'deny']).optional(),
  from: page.from,
  to: page.to,
};
type RevealFilter = z.infer<z.ZodObject<typeof revealFilters>>;

function filteredReveals(db: Db, f: RevealFilter) {
  let q = db
    .selectFrom('pii_reveals')
    .selectAll()
    // The calling key's name (a subquery, not a join: the keyset cursor's `(at, id)` stays unambiguous).
    .select((eb) => eb.selectFrom('api_keys').select('api_keys.name').whereRef('api_keys.id', '=', 'pii_reveals.caller').as('caller_name'));
  if (f.principal) q = q.where('principal_type', '=', f.principal.type).where('principal_id', '=', f.principal.id);
  if (f.agency) q = q.where('agency_id', '=', f.agency);
  if (f.client) q = q.where('client_id', '=', f.client);
  if (f.decision) q = q.where('decision', '=', f.decision);
  if (f.from) q = q.where('at', '>=', new Date(f.from));
  if (f.to) q = q.where('at', '<', new Date(f.to));
  return q;
}

type RevealRow = Awaited<ReturnType<ReturnType<typeof filteredReveals>['execute']>>[number];

/** `at` to the microsecond, as stored: a cursor made of it neither skips nor repeats rows sharing a millisecond. */
const exactAt = sql<string>`to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const EXACT_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** Reveals after a keyset cursor `at|id` (newest first); `at` as exactAt gives it. */
function afterReveal(before: string) {
  const [at, id] = before.split('|');
  const valid = at && EXACT_AT.test(at) && new Date(Date.parse(at) || 0).toISOString().slice(0, 19) === at.slice(0, 19) && id && /^\d{1,18}$/.test(id);
  if (!valid) throw new InputError('before: not a cursor returned by this API');
  return sql<boolean>`(at, id) < (${at}::timestamptz, ${id}::bigint)`;
}

const toReveal = (r: RevealRow) => ({
  id: String(r.id),
  decisionId: r.decision_id,
  at: r.at.toISOString(),
  principal: { type: r.principal_type, id: r.principal_id },
  resource: { type: r.resource_type, id: r.resource_id },
  agency: r.agency_id,
  client: r.client_id,
  decision: r.decision,
  reasons: r.reasons,
  purpose: r.purpose,
  caller: r.caller,
  callerName: r.caller_name ?? null,
});

/** The columns of the JSON answer, flattened: ids and tenancy only, no personal data. */
const REVEAL_CSV_COLUMNS = [
  'id',
  'decision_id',
  'at',
  'principal_type',
  'principal_id',
  'resource_type',
  'resource_id',
  'agency',
  'client',
  'decision',
  'reasons',
  'purpose',
  'caller',
] as const;
const revealCsvRecord = (r: ReturnType<typeof toReveal>) =>
  csvRecord([
    r.id,
    r.decisionId,
    r.at,
    r.principal.type,
    r.principal.id,
    r.resource.type,
    r.resource.id,
    r.agency,
    r.client,
    r.decision,
    (r.reasons ?? []).join('; '),
    r.purpose,
    r.caller,
  ]);

const REVEAL_EXPORT_MAX = 100_000;
const EXPORT_BATCH = 1_000;

/** Writes with backpressure; false when the client went away. */
function write(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      res.off('drain', onDrain).off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.on('drain', onDrain).on('close', onClose);
  });
}

export function auditRoutes(deps: { db: Db }): RouteDef[] {
  const { db } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/v1/decisions',
      summary: 'The decision log, newest first, filtered by principal, resource, action, decision and time.',
      tag: 'Audit',
      gate: { area: 'decisions', action: 'read' },
      query: decisionQuerySchema,
      response: z.object({ decisions: z.array(decisionSchema), next }),
      handler: async ({ query }) => {
        let q = filteredDecisions(db, query);
        const cursor = parseCursor(query.before);
        if (cursor) q = q.where(sql<boolean>`(decisions.at, decisions.id) < (${cursor.at}, ${cursor.id})`);
        const rows = await q.orderBy('decisions.at', 'desc').orderBy('decisions.id', 'desc').limit(query.limit).execute();
        const last = rows.at(-1);
        return {
          decisions: rows.map(toDecision),
          next: rows.length === query.limit && last ? `${last.at.toISOString()}|${last.id}` : null,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/decisions/export',
      summary: `The decision log as a CSV download, newest first, with the filters of /v1/decisions; at most ${DECISION_EXPORT_MAX.toLocaleString('en')} rows. Cells a spreadsheet would read as a formula are prefixed with an apostrophe.`,
      tag: 'Audit',
      gate: { area: 'decisions', action: 'read' },
      query: z.object({
        format: z.literal('csv').default('csv'),
        ...decisionFilters,
        limit: z.coerce.number().int().min(1).max(DECISION_EXPORT_MAX).default(DECISION_EXPORT_MAX),
      }),
      raw: true,
      produces: 'text/csv',
      handler: async ({ query, res }) => {
        // Batches by keyset on (at, id) as the JSON list pages: memory stays flat however long the log.
        const batch = (after: { at: Date; id: string } | undefined, limit: number) => {
          let q = filteredDecisions(db, query);
          if (after) q = q.where(sql<boolean>`(decisions.at, decisions.id) < (${after.at}, ${after.id})`);
          return q.orderBy('decisions.at', 'desc').orderBy('decisions.id', 'desc').limit(limit).execute();
        };
        let rows = await batch(undefined, Math.min(EXPORT_BATCH, query.limit));
        res.status(200);
        res.setHeader('content-type', 'text/csv; charset=utf-8');
        res.setHeader('content-disposition', `attachment; filename="decisions-${query.set ?? 'all'}-${new Date().toISOString().slice(0, 10)}.csv"`);
        res.setHeader('cache-control', 'no-store');
        let sent = 0;
        try {
          if (!(await write(res, csvRecord([...DECISION_CSV_COLUMNS])))) return;
          for (;;) {
            if (rows.length && !(await write(res, rows.map((r) => decisionCsvRecord(toDecision(r))).join('')))) return;
            sent += rows.length;
            const last = rows.at(-1);
            if (!last || rows.length < EXPORT_BATCH || sent >= query.limit) break;
            rows = await batch({ at: last.at, id: last.id }, Math.min(EXPORT_BATCH, query.limit - sent));
          }
          res.end();
        } catch (error) {
          // Headers are gone: cut the download rather than end it as if it were complete.
          res.destroy(error as Error);
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/pii-reveals',
      summary: 'The buyer-PII reveal audit (Addendum §13.2), newest first; kept 365 days.',
      tag: 'Audit',
      gate: { area: 'pii_reveals', action: 'read' },
      query: z.object({ ...revealFilters, limit: page.limit, before: page.before }),
      response: z.object({ reveals: z.array(revealSchema), next }),
      handler: async ({ query }) => {
        let q = filteredReveals(db, query).select(exactAt.as('at_exact'));
        if (query.before) q = q.where(afterReveal(query.before));
        const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
        const last = rows.at(-1);
        return {
          reveals: rows.map(toReveal),
          next: rows.length === query.limit && last ? `${last.at_exact}|${last.id}` : null,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/pii-reveals/export',
      summary: `The buyer-PII reveal audit as a CSV download, newest first, with the filters of /v1/pii-reveals; at most ${REVEAL_EXPORT_MAX.toLocaleString('en')} rows.`,
      tag: 'Audit',
      gate: { area: 'pii_reveals', action: 'read' },
      query: z.object({
        format: z.literal('csv').default('csv'),
        ...revealFilters,
        limit: z.coerce.number().int().min(1).max(REVEAL_EXPORT_MAX).default(REVEAL_EXPORT_MAX),
      }),
      raw: true,
      produces: 'text/csv',
      handler: async ({ query, res }) => {
        // Batches by keyset on the exact (at, id): memory stays flat and no row is skipped or repeated.
        const batch = (after: string | undefined, limit: number) => {
          let q = filteredReveals(db, query).select(exactAt.as('at_exact'));
          if (after) q = q.where(afterReveal(after));
          return q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
        };
        // The first batch is read before anything is sent: a failure there is still an ordinary error answer.
        let rows = await batch(undefined, Math.min(EXPORT_BATCH, query.limit));
        res.status(200);
        res.setHeader('content-type', 'text/csv; charset=utf-8');
        res.setHeader('content-disposition', `attachment; filename="pii-reveals-${new Date().toISOString().slice(0, 10)}.csv"`);
        res.setHeader('cache-control', 'no-store');
        let sent = 0;
        try {
          if (!(await write(res, csvRecord([...REVEAL_CSV_COLUMNS])))) return;
          for (;;) {
            if (rows.length && !(await write(res, rows.map((r) => revealCsvRecord(toReveal(r))).join('')))) return;
            sent += rows.length;
            const last = rows.at(-1);
            if (!last || rows.length < EXPORT_BATCH || sent >= query.limit) break;
            rows = await batch(`${last.at_exact}|${last.id}`, Math.min(EXPORT_BATCH, query.limit - sent));
          }
          res.end();
        } catch (error) {
          // Headers are gone: cut the download rather than end it as if it were complete.
          res.destroy(error as Error);
        }
      },
    }),
  ];
}
