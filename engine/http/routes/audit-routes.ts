import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { InputError } from '../../errors.ts';
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

export const decisionQuerySchema = z.object({
  principal: uidFilter.optional(),
  resource: uidFilter.optional(),
  action: z.string().max(200).optional(),
  decision: z.enum(['allow', 'deny']).optional(),
  ...page,
});

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
      handler: async ({ query }) => {
        let q = db.selectFrom('decisions').selectAll();
        if (query.principal) q = q.where('principal_type', '=', query.principal.type).where('principal_id', '=', query.principal.id);
        if (query.resource) q = q.where('resource_type', '=', query.resource.type).where('resource_id', '=', query.resource.id);
        if (query.action) q = q.where('action', '=', query.action);
        if (query.decision) q = q.where('decision', '=', query.decision);
        if (query.from) q = q.where('at', '>=', new Date(query.from));
        if (query.to) q = q.where('at', '<', new Date(query.to));
        const cursor = parseCursor(query.before);
        if (cursor) q = q.where(sql<boolean>`(at, id) < (${cursor.at}, ${cursor.id})`);
        const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
        const last = rows.at(-1);
        return {
          decisions: rows.map((r) => ({
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
          })),
          next: rows.length === query.limit && last ? `${last.at.toISOString()}|${last.id}` : null,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/pii-reveals',
      summary: 'The buyer-PII reveal audit (Addendum §13.2), newest first; kept 365 days.',
      tag: 'Audit',
      gate: { area: 'pii_reveals', action: 'read' },
      query: z.object({
        principal: uidFilter.optional(),
        agency: z.string().max(200).optional(),
        client: z.string().max(200).optional(),
        decision: z.enum(['allow', 'deny']).optional(),
        ...page,
      }),
      handler: async ({ query }) => {
        let q = db.selectFrom('pii_reveals').selectAll();
        if (query.principal) q = q.where('principal_type', '=', query.principal.type).where('principal_id', '=', query.principal.id);
        if (query.agency) q = q.where('agency_id', '=', query.agency);
        if (query.client) q = q.where('client_id', '=', query.client);
        if (query.decision) q = q.where('decision', '=', query.decision);
        if (query.from) q = q.where('at', '>=', new Date(query.from));
        if (query.to) q = q.where('at', '<', new Date(query.to));
        const cursor = parseCursor(query.before);
        if (cursor) q = q.where(sql<boolean>`(at, id::text) < (${cursor.at}, ${cursor.id})`);
        const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
        const last = rows.at(-1);
        return {
          reveals: rows.map((r) => ({
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
          })),
          next: rows.length === query.limit && last ? `${last.at.toISOString()}|${last.id}` : null,
        };
      },
    }),
  ];
}
