import { z } from 'zod';
import type { AccessCertification, AccessCertifications } from '../../authz/access-certification.ts';
import type { AccessReview } from '../../authz/access-review.ts';
import { actor, defineRoute, type RouteDef } from '../route.ts';

const action = z.enum(['reveal_buyer_pii', 'export', 'read_credential']);
const grant = { user: z.string(), action, client: z.string() };
const decision = z.enum(['keep', 'revoke']);

const agencyWideSchema = z.array(z.object({ user: z.string(), roles: z.array(z.string()), agency: z.string(), clients: z.number() })).meta({
  description:
    'within-agency least privilege: agency-level users (bound to no one client) who may reveal buyer PII on every client of their agency that holds orders (`clients`: how many)',
});

const accessReviewSchema = z.object({
  generatedAt: z.string(),
  rows: z.array(
    z.object({
      user: z.string(),
      roles: z.array(z.string()),
      agency: z.string().nullable(),
      action,
      clients: z.array(z.string()),
    }),
  ),
  crossAgency: z.number().meta({ description: '(user, action, client) grants on a client of another agency than the user' }),
  agencyWide: agencyWideSchema,
  users: z.number().meta({ description: 'users reviewed' }),
  clients: z.number().meta({ description: 'clients reviewed' }),
  grants: z.array(z.object(grant)).meta({ description: 'every (user, action, client) grant: what a certification decides, each one' }),
});

const certificationSchema = z
  .object({
    id: z.string(),
    certifiedAt: z.string(),
    certifiedBy: z.string(),
    reviewer: z.object({ id: z.string(), name: z.string(), via: z.string(), role: z.string() }),
    review: z.object({ users: z.number(), clients: z.number(), crossAgency: z.number(), agencyWide: agencyWideSchema }),
    decisions: z.array(z.object({ ...grant, decision, reason: z.string().nullable() })),
    note: z.string().nullable(),
    sha256: z.string().meta({ description: 'SHA-256 (hex) over the canonical JSON of the certification (all fields above)' }),
    evidenceSeq: z.number().meta({ description: 'the evidence-chain record carrying the hash and the reviewer' }),
    intact: z.boolean().meta({ description: 'false when the stored certification no longer hashes to sha256' }),
  })
  .meta({ id: 'AccessCertification' });

const summarySchema = z.object({
  id: z.string(),
  certifiedAt: z.string(),
  certifiedBy: z.string(),
  grants: z.number(),
  revoked: z.number(),
  sha256: z.string(),
  evidenceSeq: z.number(),
  intact: z.boolean(),
});

const latestSchema = z.object({
  certification: certificationSchema.nullable().meta({ description: 'null when the access review was never certified' }),
  previous: z.object({ id: z.string(), certifiedAt: z.string(), certifiedBy: z.string() }).nullable(),
  diff: z
    .object({
      added: z.array(z.object(grant)),
      removed: z.array(z.object(grant)),
      changed: z.array(z.object({ ...grant, from: decision, to: decision, reason: z.string().nullable() })),
    })
    .nullable()
    .meta({ description: 'against the previous certification; null when there is none' }),
  revocations: z
    .array(z.object({ ...grant, reason: z.string().nullable(), gone: z.boolean() }))
    .meta({ description: 'the revokes of the latest certification: to be removed in the platform; gone = no longer in the current review' }),
  uncovered: z.array(z.object(grant)).meta({ description: 'grants of the current review the latest certification did not decide' }),
});

const summary = (c: AccessCertification) => ({
  id: c.id,
  certifiedAt: c.certifiedAt,
  certifiedBy: c.certifiedBy,
  grants: c.decisions.length,
  revoked: c.decisions.filter((d) => d.decision === 'revoke').length,
  sha256: c.sha256,
  evidenceSeq: c.evidenceSeq,
  intact: c.intact,
});

/**
 * The access review (who can reveal buyer PII, export, read credentials, on which clients) and its certifications:
 * a security officer keeps or revokes every grant and signs; auditors read.
 */
export function accessReviewRoutes(deps: { accessReview?: () => AccessReview; certifications?: AccessCertifications }): RouteDef[] {
  const routes: RouteDef[] = [];
  const { certifications } = deps;
  if (deps.accessReview) {
    const review = deps.accessReview;
    routes.push(
      defineRoute({
        method: 'get',
        path: '/v1/access-review',
        summary:
          'Who can reveal buyer PII, export, or read credentials, on which clients: each pair asked of the platform PDP (with MFA) over the stored entities, as the sp-api pack shows it; ' +
          'with the within-agency flags (agency users who may reveal PII on every client of their agency) and the grants a certification decides.',
        tag: 'Access review',
        gate: { area: 'evidence', action: 'read' },
        response: accessReviewSchema,
        handler: () => {
          // How the review was computed (planned or decided, both exact) is not part of this answer.
          const { method: _method, ...r } = review();
          return {
            generatedAt: new Date().toISOString(),
            ...r,
            grants: r.rows.flatMap((row) => row.clients.map((client) => ({ user: row.user, action: row.action, client }))),
          };
        },
      }),
    );
  }
  if (!certifications) return routes;
  routes.push(
    defineRoute({
      method: 'get',
      path: '/v1/access-review/certifications',
      summary: 'Signed certifications of the access review, newest first (up to 50).',
      tag: 'Access review',
      gate: { area: 'evidence', action: 'read' },
      response: z.object({ certifications: z.array(summarySchema) }),
      handler: async () => ({ certifications: (await certifications.list()).map(summary) }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/access-review/certifications/latest',
      summary:
        'The latest certification whole, the diff against the previous one (grants added, removed, decisions changed), what became of its revokes, and the grants of the current review it does not cover.',
      tag: 'Access review',
      gate: { area: 'evidence', action: 'read' },
      response: latestSchema,
      handler: async () => (await certifications.latest()) ?? { certification: null, previous: null, diff: null, revocations: [], uncovered: [] },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/access-review/certifications/:id',
      summary: 'One certification whole.',
      tag: 'Access review',
      gate: { area: 'evidence', action: 'read' },
      params: z.object({ id: z.uuid() }),
      response: certificationSchema,
      handler: ({ params }) => certifications.get(params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/access-review/certifications',
      summary:
        'Certifies the current access review: a decision (keep or revoke) for every grant of GET /v1/access-review, a reason for each revoke, signed by the caller — ' +
        "the SHA-256 of the certification is recorded in the evidence chain with the caller's identity. A grant the review does not hold, a grant left undecided or decided twice, or a revoke without a reason is a 400. " +
        'Revokes are "to revoke" items: the platform\'s administrators remove the access, and the next review shows it gone.',
      tag: 'Access review',
      gate: { area: 'evidence', action: 'write' },
      body: z
        .object({
          decisions: z.array(z.object({ ...grant, decision, reason: z.string().max(500).nullable().optional() }).strict()).max(20_000),
          note: z.string().max(2000).nullable().optional(),
        })
        .strict(),
      statuses: { 201: 'certified and signed' },
      response: certificationSchema,
      handler: async ({ body, key, res }) => {
        const c = await certifications.certify({
          decisions: body.decisions,
          note: body.note,
          reviewer: { id: key.id, name: key.name, via: key.via, role: key.role },
          certifiedBy: actor(key),
        });
        res.status(201);
        return c;
      },
    }),
  );
  return routes;
}
