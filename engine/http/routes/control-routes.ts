import { z } from 'zod';
import type { AttestationStore } from '../../posture/attestation-store.ts';
import type { ControlService } from '../../posture/control-service.ts';
import { InputError } from '../../kernel/errors.ts';
import { actor as who, defineRoute, type RouteDef } from '../route.ts';

const runStatus = z.enum(['pass', 'fail', 'error', 'not_applicable']);

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

export function controlRoutes(deps: { controls: ControlService; attestations?: AttestationStore }): RouteDef[] {
  const { controls } = deps;
  const routes: RouteDef[] = [
    defineRoute({
      method: 'get',
      path: '/v1/controls',
      summary: "The control catalogue with each control's current status (pass, fail, error, not_applicable, stale, never_run) and last run.",
      tag: 'Controls',
      gate: { area: 'controls', action: 'read' },
      handler: async () => ({ controls: await controls.posture() }),
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
      handler: ({ query }) => controls.postureHistory({ days: query.days }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/settings',
      summary:
        'What is being checked, as configured: where the settings came from, environments, AWS accounts and regions, probes, log scan, schedules, integrations and their controls, retention. Never a secret.',
      tag: 'Controls',
      gate: { area: 'settings', action: 'read' },
      handler: () => controls.describeSettings(),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/controls/:id',
      summary: 'One control: definition, current status, last run with its findings.',
      tag: 'Controls',
      gate: { area: 'controls', action: 'read' },
      params: controlId,
      statuses: { 404: 'no such control' },
      handler: async ({ params }) => {
        controls.control(params.id);
        return (await controls.posture()).find((c) => c.id === params.id);
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
      handler: async ({ params, query }) => {
        const runs = await controls.runs(params.id, query);
        return { runs, next: runs.length === query.limit ? runs.at(-1)!.id : null };
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
      handler: ({ params }) => controls.run(params.id, params.runId),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/controls/run',
      summary: 'Runs controls now (all, or the listed ids) and returns their runs; readiness is updated after.',
      tag: 'Controls',
      gate: { area: 'controls', action: 'run' },
      body: z.object({ controls: z.array(z.string()).max(100).optional() }).strict(),
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
      handler: async () => ({ integrations: await controls.computeReadiness() }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/exceptions',
      summary: 'Control exceptions: who approved, why, until when; `all=true` includes expired and revoked ones.',
      tag: 'Controls',
      gate: { area: 'exceptions', action: 'read' },
      query: z.object({ all: z.enum(['true', 'false']).default('false') }),
      handler: async ({ query }) => ({ exceptions: await controls.exceptions({ includeInactive: query.all === 'true' }) }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/exceptions',
      summary: 'Approves an exception: the control counts as satisfied for readiness until it expires (at most a year).',
      tag: 'Controls',
      gate: { area: 'exceptions', action: 'approve' },
      body: z
        .object({
          controlId: z.string().min(1),
          integrationId: z.string().min(1).optional(),
          reason: z.string().min(10, 'say why (at least 10 characters)').max(2000),
          expiresAt: z.iso.datetime({ offset: true }),
        })
        .strict(),
      statuses: { 201: 'approved' },
      handler: async ({ body, key, res }) => {
        res.status(201);
        return controls.addException({ ...body, expiresAt: new Date(body.expiresAt), approvedBy: who(key) });
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/exceptions/:id',
      summary: 'Revokes an exception at once.',
      tag: 'Controls',
      gate: { area: 'exceptions', action: 'approve' },
      params: z.object({ id: z.uuid() }),
      statuses: { 404: 'no active exception with this id' },
      handler: async ({ params, key }) => {
        await controls.revokeException(params.id, who(key));
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
        handler: async ({ body, key, res }) => {
          res.status(201);
          return attestations.add(body.jws, who(key));
        },
      }),
    );
  }
  return routes;
}
