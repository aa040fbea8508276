import { z } from 'zod';
import type { AttestationStore } from '../../posture/attestation-store.ts';
import type { ControlRuns } from '../../posture/control-runs.ts';
import type { ControlService } from '../../posture/control-service.ts';
import { TICKET_HINT, TICKET_PATTERN, type ControlExceptions, type ExceptionPerson } from '../../posture/exceptions.ts';
import type { Posture } from '../../posture/posture.ts';
import type { ReadinessService } from '../../posture/readiness.ts';
import type { SettingsVersions } from '../../posture/settings-versions.ts';
import { InputError } from '../../kernel/errors.ts';
import { actor as who, defineRoute, type RouteDef } from '../route.ts';
import { describeSettings, settingsViewSchema, type SettingsViewSource } from './settings-view.ts';

const runStatus = z.enum(['pass', 'fail', 'error', 'not_applicable']);

const findingSchema = z.object({
  resourceId: z.string(),
  resourceType: z.string().optional(),
  message: z.string(),
  severity: z.literal('info').optional().meta({ description: 'only on findings that are not failures' }),
});

const storedRunSchema = z.object({
  id: z.string(),
  controlId: z.string(),
  trigger: z.enum(['schedule', 'manual', 'startup']),
  scheduledFor: z.string().nullable(),
  replica: z.string(),
  status: z.enum(['running', 'pass', 'fail', 'error', 'not_applicable', 'abandoned']).meta({
    description: '`abandoned`: the replica running it stopped renewing its lease (it died); the control runs again at its next tick',
  }),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  summary: z.string().nullable(),
  findings: z.array(findingSchema),
  evidenceSeq: z.number().nullable(),
  requestedBy: z.string().nullable(),
});

const controlPostureSchema = z.object({
  id: z.string(),
  title: z.string(),
  commitment: z.string(),
  frameworks: z.array(z.string()),
  severity: z.enum(['critical', 'high', 'medium', 'low']),
  schedule: z.string().meta({ description: 'cron pattern in force' }),
  freshFor: z.string(),
  remediation: z.string(),
  status: z.enum(['pass', 'fail', 'error', 'not_applicable', 'stale', 'never_run']),
  lastRun: storedRunSchema.nullable().meta({ description: 'the latest finished run (the one that finished last)' }),
});

const evidenceRecordSchema = z.object({
  seq: z.number(),
  prevHash: z.string(),
  hash: z.string(),
  collectedAt: z.string(),
  controlId: z.string(),
  source: z.string(),
  payload: z.unknown(),
});

const readinessSchema = z.object({
  integrationId: z.string(),
  ready: z.boolean(),
  controls: z.array(
    z.object({
      controlId: z.string(),
      status: z.enum(['pass', 'fail', 'error', 'not_applicable', 'stale', 'never_run', 'unknown_control']),
      satisfied: z.boolean(),
      exception: z.object({ id: z.string(), approvedBy: z.string(), reason: z.string(), expiresAt: z.string() }).optional(),
      lastRunAt: z.string().optional(),
    }),
  ),
  blockers: z.array(z.string()),
  byException: z.boolean().meta({ description: 'ready only because approved exceptions cover controls that do not pass' }),
});

const exceptionSchema = z.object({
  id: z.string(),
  controlId: z.string(),
  integrationId: z.string().nullable().meta({ description: 'null: every integration that needs the control' }),
  reason: z.string(),
  state: z.enum(['requested', 'approved', 'rejected', 'expired', 'revoked']).meta({
    description: 'requested → approved or rejected by another person; then revoked or expired. Only approved counts for readiness.',
  }),
  active: z.boolean().meta({ description: 'state = approved: counts for readiness now' }),
  expiresSoon: z.boolean().meta({ description: 'approved and expiring within requirements.exceptionWarnDays' }),
  ticket: z.string().nullable().meta({ description: 'null on exceptions recorded before requests and approvals were separate' }),
  requestedBy: z.string().nullable().meta({ description: 'null on exceptions recorded before requests and approvals were separate' }),
  requestedById: z.string().nullable().meta({ description: 'the requester as the four-eyes rule compares people: key:<api key id> or user:<subject>' }),
  approvedBy: z.string().nullable(),
  approvedById: z.string().nullable(),
  approvedAt: z.string().nullable().meta({ description: 'when it came into force' }),
  rejectedBy: z.string().nullable(),
  rejectedAt: z.string().nullable(),
  rejectionReason: z.string().nullable(),
  createdAt: z.string().meta({ description: 'when it was requested' }),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
});

/** A caller as the exception four-eyes rule compares people: one identity per API key, one per person's subject. */
const person = (key: Parameters<typeof who>[0]): ExceptionPerson => ({
  id: `${key.via === undefined || key.via === 'api_key' ? 'key' : 'user'}:${key.id}`,
  name: who(key),
});

const exceptionId = z.object({ id: z.uuid() });

const deploymentSchema = z.object({ id: z.string(), deployedAt: z.string(), version: z.string(), recordedBy: z.string() });

const attestationSchema = z.object({
  id: z.string(),
  documentId: z.string(),
  title: z.string(),
  kid: z.string(),
  attestedBy: z.string(),
  attestedAt: z.string(),
  expiresAt: z.string(),
  digest: z.string(),
  receivedAt: z.string(),
  receivedBy: z.string(),
});

const historySchema = z.object({
  days: z.array(
    z.object({
      date: z.string().meta({ description: 'UTC day, YYYY-MM-DD' }),
      pass: z.number(),
      fail: z.number(),
      error: z.number(),
      other: z.number().meta({ description: 'stale + not_applicable' }),
      stale: z.number(),
      notApplicable: z.number(),
      passRate: z.number().nullable().meta({ description: 'pass / (pass + fail + error + stale); null when no control was evaluated that day' }),
    }),
  ),
  changes: z
    .array(z.object({ controlId: z.string(), title: z.string(), from: runStatus.nullable(), to: runStatus, at: z.string(), runId: z.string() }))
    .meta({ description: 'Newest first, at most 20: runs whose status differs from the previous finished run of the same control' }),
});

const controlId = z.object({ id: z.string().regex(/^[a-z]+\.[a-z0-9-]+$/, 'a control id like storage.s3-versioning') });

// Run ids are PostgreSQL bigints: anything else (or a number past bigint's range) is refused here, not by the
// database with a 500.
const runId = z.string().regex(/^[1-9][0-9]{0,17}$/, 'a run id (a positive integer)');

/** The parts of the control plane the routes answer from (engine/main/setup-controls.ts wires them). */
export interface ControlPlane {
  /** runs controls */
  service: ControlService;
  runs: ControlRuns;
  posture: Posture;
  exceptions: ControlExceptions;
  readiness: ReadinessService;
  /** which replica's control settings decide readiness (a rollout of new settings) */
  versions: SettingsVersions;
  settingsView: SettingsViewSource;
}

export function controlRoutes(deps: { controls: ControlPlane; attestations?: AttestationStore }): RouteDef[] {
  const { service: controls, runs, posture, exceptions, readiness, settingsView } = deps.controls;
  const routes: RouteDef[] = [
    defineRoute({
      method: 'get',
      path: '/v1/controls',
      summary: "The control catalogue with each control's current status (pass, fail, error, not_applicable, stale, never_run) and last run.",
      tag: 'Controls',
      gate: { area: 'controls', action: 'read' },
      response: z.object({ controls: z.array(controlPostureSchema) }),
      handler: async () => ({ controls: await posture.current() }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/posture/history',
      summary:
        'Posture per UTC day (default the last 30 days, today included): how many controls pass, fail, error or are stale/not applicable, each control counted with its last result of the day or carried forward from before; and the newest status changes.',
      tag: 'Controls',
      gate: { area: 'controls', action: 'read' },
      query: z.object({ days: z.coerce.number().int().min(1).max(365).default(30) }),
      response: historySchema,
      handler: ({ query }) => posture.history({ days: query.days }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/settings',
      summary:
        'What is being checked, as configured: where the settings came from, environments, AWS accounts and regions, probes, log scan, schedules, integrations and their controls, retention. Never a secret.',
      tag: 'Controls',
      gate: { area: 'settings', action: 'read' },
      response: settingsViewSchema,
      handler: () => describeSettings(settingsView),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/controls/:id',
      summary: 'One control: definition, current status, last run with its findings.',
      tag: 'Controls',
      gate: { area: 'controls', action: 'read' },
      params: controlId,
      statuses: { 404: 'no such control' },
      response: controlPostureSchema,
      handler: async ({ params }) => {
        controls.control(params.id);
        return (await posture.current()).find((c) => c.id === params.id);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/controls/:id/runs',
      summary: 'Run history of one control, newest first (cursor: `before` = the last run id of the previous page).',
      tag: 'Controls',
      gate: { area: 'controls', action: 'read' },
      params: controlId,
      query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), before: runId.optional() }),
      statuses: { 404: 'no such control' },
      response: z.object({ runs: z.array(storedRunSchema), next: z.string().nullable().meta({ description: '`before` for the next page; null on the last' }) }),
      handler: async ({ params, query }) => {
        controls.control(params.id);
        const page = await runs.list(params.id, query);
        return { runs: page, next: page.length === query.limit ? page.at(-1)!.id : null };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/controls/:id/runs/:runId',
      summary: 'One run with the evidence record it appended (hash-chained).',
      tag: 'Controls',
      gate: { area: 'evidence', action: 'read' },
      params: controlId.extend({ runId }),
      statuses: { 404: 'no such run' },
      response: storedRunSchema.extend({ evidence: evidenceRecordSchema.nullable() }),
      handler: async ({ params }) => {
        const run = await runs.get(params.id, params.runId);
        const evidence = run.evidenceSeq ? await controls.evidence.get(run.evidenceSeq) : undefined;
        return { ...run, evidence: evidence ?? null };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/controls/run',
      summary: 'Runs controls now (all, or the listed ids) and returns their runs; readiness is updated after.',
      tag: 'Controls',
      gate: { area: 'controls', action: 'run' },
      body: z.object({ controls: z.array(z.string()).max(100).optional() }).strict(),
      response: z.object({ runs: z.array(storedRunSchema) }),
      handler: async ({ body, key }) => ({
        runs: await controls.runNow(body.controls ?? [...controls.catalogue.keys()], { trigger: 'manual', requestedBy: who(key) }),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/integrations',
      summary: 'Readiness of each configured integration: ready, and what blocks it (controls not passing or stale, exceptions in force).',
      tag: 'Controls',
      gate: { area: 'integrations', action: 'read' },
      response: z.object({ integrations: z.array(readinessSchema) }),
      handler: async () => ({ integrations: await readiness.compute() }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/exceptions',
      summary:
        'The exception register: who requested and who approved, why, which ticket, from and until when, and the state (requested, approved, rejected, expired, revoked); `all=true` includes those not in force.',
      tag: 'Controls',
      gate: { area: 'exceptions', action: 'read' },
      query: z.object({ all: z.enum(['true', 'false']).default('false') }),
      response: z.object({
        exceptions: z.array(exceptionSchema),
        limits: z
          .object({
            maxDays: z.object({ critical: z.number(), high: z.number(), medium: z.number(), low: z.number() }),
            warnDays: z.number(),
          })
          .meta({ description: "requirements.exceptionMaxDays (the longest an exception may run, by its control's severity) and exceptionWarnDays" }),
      }),
      handler: async ({ query }) => ({ exceptions: await exceptions.list({ includeInactive: query.all === 'true' }), limits: exceptions.limits }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/exceptions',
      summary:
        "Requests an exception (with a ticket): it counts for nothing until another person approves it. At most requirements.exceptionMaxDays for the control's severity (critical 14, high 30, medium 90, low 180 days by default).",
      tag: 'Controls',
      gate: { area: 'exceptions', action: 'approve' },
      body: z
        .object({
          controlId: z.string().min(1),
          integrationId: z.string().min(1).optional(),
          reason: z.string().min(10, 'say why (at least 10 characters)').max(2000),
          ticket: z.string().regex(TICKET_PATTERN, `give ${TICKET_HINT}`),
          expiresAt: z.iso.datetime({ offset: true }),
        })
        .strict(),
      statuses: { 201: 'requested', 404: 'no such control' },
      response: exceptionSchema,
      handler: async ({ body, key, res }) => {
        const e = await exceptions.request({ ...body, expiresAt: new Date(body.expiresAt), requestedBy: person(key) });
        res.status(201);
        return e;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/exceptions/:id/approve',
      summary: 'Approves a requested exception: the control counts as satisfied for readiness until it expires. Not by its requester (403).',
      tag: 'Controls',
      gate: { area: 'exceptions', action: 'approve' },
      params: exceptionId,
      statuses: { 404: 'no such exception', 409: 'not a pending request (already decided, revoked or expired)' },
      response: exceptionSchema,
      handler: ({ params, key }) => exceptions.approve(params.id, person(key)),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/exceptions/:id/reject',
      summary: 'Rejects a requested exception, with the reason. Not by its requester (403: a requester withdraws with DELETE).',
      tag: 'Controls',
      gate: { area: 'exceptions', action: 'approve' },
      params: exceptionId,
      body: z.object({ reason: z.string().min(10, 'say why (at least 10 characters)').max(2000) }).strict(),
      statuses: { 404: 'no such exception', 409: 'not a pending request (already decided, revoked or expired)' },
      response: exceptionSchema,
      handler: ({ params, key, body }) => exceptions.reject(params.id, person(key), body.reason),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/exceptions/:id',
      summary: 'Revokes an approved exception at once, or withdraws a request.',
      tag: 'Controls',
      gate: { area: 'exceptions', action: 'approve' },
      params: exceptionId,
      statuses: { 404: 'no active exception with this id' },
      response: z.object({ revoked: z.string() }),
      handler: async ({ params, key }) => {
        await exceptions.revoke(params.id, who(key));
        return { revoked: params.id };
      },
    }),
  ];
  if (controls.logScan) {
    const logScan = controls.logScan;
    routes.push(
      defineRoute({
        method: 'post',
        path: '/v1/deployments',
        summary: 'Records a deployment of the governed platform: the CloudWatch PII scan verdict restarts from it, and the scan runs now.',
        tag: 'Controls',
        gate: { area: 'controls', action: 'run' },
        body: z.object({ version: z.string().min(1).max(200), deployedAt: z.iso.datetime({ offset: true }).optional() }).strict(),
        statuses: { 201: 'recorded' },
        response: z.object({ deployment: deploymentSchema, runs: z.array(storedRunSchema) }),
        handler: async ({ body, key, res }) => {
          const deployedAt = body.deployedAt ? new Date(body.deployedAt) : new Date();
          if (deployedAt.getTime() > Date.now() + 60_000) throw new InputError('deployedAt: in the future');
          const deployment = await logScan.recordDeployment({ deployedAt, version: body.version, recordedBy: who(key) });
          const runs = logScan.configured ? await controls.runNow(['logging.cloudwatch-pii-scan'], { trigger: 'manual', requestedBy: who(key) }) : [];
          res.status(201);
          return { deployment, runs };
        },
      }),
    );
  }
  if (deps.attestations) {
    const attestations = deps.attestations;
    routes.push(
      defineRoute({
        method: 'get',
        path: '/v1/attestations',
        summary: 'Signed document attestations (runbooks): who, which document digest, when, until when.',
        tag: 'Controls',
        gate: { area: 'evidence', action: 'read' },
        response: z.object({ attestations: z.array(attestationSchema) }),
        handler: async () => ({ attestations: await attestations.list() }),
      }),
      defineRoute({
        method: 'post',
        path: '/v1/attestations',
        summary: 'Records a signed attestation (compact JWS, EdDSA, by a key trusted in the control settings).',
        tag: 'Controls',
        gate: { area: 'evidence', action: 'write' },
        body: z.object({ jws: z.string().min(20).max(20_000) }).strict(),
        statuses: { 201: 'recorded' },
        response: attestationSchema.omit({ receivedAt: true, receivedBy: true }),
        handler: async ({ body, key, res }) => {
          res.status(201);
          return attestations.add(body.jws, who(key));
        },
      }),
    );
  }
  return routes;
}
