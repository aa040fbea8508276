import { z } from 'zod';
import {
  incidentIdSchema,
  notificationInput,
  openIncidentInput,
  reviewInput,
  rotationInput,
  stepInput,
  type IncidentRegister,
} from '../../incidents/incident-register.ts';
import { actor as who, defineRoute, type RouteDef } from '../route.ts';

const clockState = z.enum(['running', 'met', 'late', 'overdue']).meta({
  description: 'running: not notified, time left; met: notified by the deadline; late: notified after it; overdue: not notified, deadline passed',
});

const incidentSchema = z.object({
  id: z.string(),
  title: z.string(),
  severity: z.enum(['critical', 'high', 'medium', 'low']),
  status: z.enum(['open', 'contained', 'closed']),
  detectedAt: z.string(),
  openedAt: z.string(),
  openedBy: z.string(),
  integrations: z.array(z.string()),
  dataCategories: z.array(z.string()),
  tenants: z.array(z.object({ type: z.enum(['Agency', 'Client']), id: z.string() })),
  containedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  closedBy: z.string().nullable(),
  review: z.object({ summary: z.string(), lessons: z.string(), by: z.string(), at: z.string() }).nullable(),
  steps: z.array(z.object({ step: z.number(), title: z.string(), doneAt: z.string().nullable(), doneBy: z.string().nullable(), note: z.string().nullable() })),
  clocks: z.array(
    z.object({
      party: z.string(),
      hours: z.number(),
      dueAt: z.string(),
      notifiedAt: z.string().nullable(),
      notifiedBy: z.string().nullable(),
      reference: z.string().nullable(),
      state: clockState,
    }),
  ),
  rotations: z.array(
    z.object({
      id: z.string(),
      credential: z.string(),
      createdAt: z.string(),
      createdBy: z.string(),
      doneAt: z.string().nullable(),
      doneBy: z.string().nullable(),
    }),
  ),
  evidence: z.array(
    z.object({
      id: z.string(),
      reason: z.enum(['open', 'request']),
      createdAt: z.string(),
      createdBy: z.string(),
      windowFrom: z.string(),
      windowTo: z.string(),
      sha256: z.string().meta({ description: 'SHA-256 of the snapshot (canonical JSON), recorded in the evidence chain' }),
      evidenceSeq: z.number(),
      evidenceHash: z.string(),
      counts: z.object({ decisions: z.number(), piiReveals: z.number(), controlRuns: z.number() }),
    }),
  ),
  notifications: z
    .array(
      z.object({
        id: z.string(),
        event: z.string(),
        createdAt: z.string(),
        attempts: z.number(),
        lastStatus: z.number().nullable(),
        lastError: z.string().nullable(),
        lastAttemptAt: z.string().nullable(),
        sentAt: z.string().nullable(),
        gaveUpAt: z.string().nullable(),
      }),
    )
    .meta({ description: 'signed webhooks sent about the incident (opened, a clock due), with their attempts' }),
});

const idParams = z.object({ id: incidentIdSchema });
const date = z.iso.datetime({ offset: true });

/** The incident register's routes (docs/incidents.md): security officers and administrators write, auditors read. */
export function incidentRoutes(deps: { register: IncidentRegister; webhookConfigured: boolean }): RouteDef[] {
  const { register } = deps;
  const read = { area: 'incidents', action: 'read' };
  const write = { area: 'incidents', action: 'write' };
  return [
    defineRoute({
      method: 'get',
      path: '/v1/incidents',
      summary:
        'Incidents active in the period (detected by its end, not closed before its start; default: all), newest first; with clocks, checklist and evidence.',
      tag: 'Incidents',
      gate: read,
      query: z.object({ from: date.optional(), to: date.optional() }).strict(),
      response: z.object({
        incidents: z.array(incidentSchema),
        webhookConfigured: z.boolean().meta({ description: 'whether signed notices go to a configured endpoint' }),
        clocks: z.record(z.string(), z.number()).meta({ description: 'the configured clocks (party → hours); Amazon is always 24' }),
      }),
      handler: async ({ query }) => ({
        incidents: await register.list({ from: query.from ? new Date(query.from) : undefined, to: query.to ? new Date(query.to) : undefined }),
        webhookConfigured: deps.webhookConfigured,
        clocks: { amazon: 24, ...register.settings.clocks },
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/incidents/:id',
      summary: 'One incident.',
      tag: 'Incidents',
      gate: read,
      params: idParams,
      statuses: { 404: 'no such incident' },
      response: incidentSchema,
      handler: ({ params }) => register.get(params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/incidents',
      summary:
        'Opens an incident: the §25 checklist (step 1 done), a notification clock per party (Amazon 24 h from detection when Amazon Information is involved), rotation tasks, an evidence snapshot in the chain, and the signed "opened" webhook.',
      tag: 'Incidents',
      gate: write,
      body: openIncidentInput,
      statuses: { 201: 'opened' },
      response: incidentSchema,
      handler: async ({ body, key, res }) => {
        const incident = await register.open(body, who(key));
        res.status(201);
        return incident;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/incidents/:id/steps/:step',
      summary: 'Marks a checklist step done (who and when recorded). Step 4 needs every rotation task done, step 7 every clock notified, step 10 the review.',
      tag: 'Incidents',
      gate: write,
      params: z.object({ id: incidentIdSchema, step: z.coerce.number().int().min(1).max(10) }),
      body: stepInput,
      statuses: { 404: 'no such incident', 409: 'already done, closed, or a precondition not met' },
      response: incidentSchema,
      handler: ({ params, body, key }) => register.completeStep(params.id, params.step, body, who(key)),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/incidents/:id/notifications/:party',
      summary: 'Records that a party (amazon, customers, google, ...) was notified: when, by whom, and the reference of the notice.',
      tag: 'Incidents',
      gate: write,
      params: z.object({ id: incidentIdSchema, party: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'a party name') }),
      body: notificationInput,
      statuses: { 404: 'no such incident or no clock for this party', 409: 'already notified' },
      response: incidentSchema,
      handler: ({ params, body, key }) => register.recordNotification(params.id, params.party, body, who(key)),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/incidents/:id/rotations',
      summary: 'Adds a credential-rotation task.',
      tag: 'Incidents',
      gate: write,
      params: idParams,
      body: rotationInput,
      statuses: { 201: 'added', 404: 'no such incident', 409: 'already a task for this credential, or closed' },
      response: incidentSchema,
      handler: async ({ params, body, key, res }) => {
        const incident = await register.addRotation(params.id, body, who(key));
        res.status(201);
        return incident;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/incidents/:id/rotations/:rotationId/done',
      summary: 'Records a credential as rotated (who and when).',
      tag: 'Incidents',
      gate: write,
      params: z.object({ id: incidentIdSchema, rotationId: z.string().regex(/^[1-9][0-9]{0,17}$/, 'a rotation task id') }),
      statuses: { 404: 'no such incident or task', 409: 'already done, or closed' },
      response: incidentSchema,
      handler: ({ params, key }) => register.completeRotation(params.id, params.rotationId, who(key)),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/incidents/:id/evidence',
      summary:
        'Preserves evidence now: a snapshot of the decision log, the PII-reveal audit and the control runs from before detection to now (counts and ids, no raw PII), its SHA-256 appended to the evidence chain.',
      tag: 'Incidents',
      gate: write,
      params: idParams,
      statuses: { 201: 'preserved', 404: 'no such incident' },
      response: incidentSchema,
      handler: async ({ params, key, res }) => {
        const incident = await register.preserveEvidence(params.id, who(key));
        res.status(201);
        return incident;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/incidents/:id/review',
      summary: 'Records the post-incident review (summary and lessons; step 10). Required before closing.',
      tag: 'Incidents',
      gate: write,
      params: idParams,
      body: reviewInput,
      statuses: { 404: 'no such incident', 409: 'closed' },
      response: incidentSchema,
      handler: ({ params, body, key }) => register.review(params.id, body, who(key)),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/incidents/:id/close',
      summary: 'Closes an incident; refused (409) without a post-incident review.',
      tag: 'Incidents',
      gate: write,
      params: idParams,
      statuses: { 404: 'no such incident', 409: 'no post-incident review, or already closed' },
      response: incidentSchema,
      handler: ({ params, key }) => register.close(params.id, who(key)),
    }),
  ];
}
