import { createDocument } from 'zod-openapi';
import { z } from 'zod';
import type { RouteDef } from './route.ts';

const errorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string(), requestId: z.string(), details: z.unknown().optional() }) })
  .meta({ id: 'Error' });

const errorContent = { 'application/json': { schema: errorBody } };

export const healthSchema = z.object({ status: z.literal('ok'), version: z.string() });

/** /readyz answers this body with 200 (ready) and 503 (not ready) alike. */
export const readySchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.boolean()),
  failed: z.array(z.string()).optional().meta({ description: 'the checks that are false; absent when ready' }),
  decisionJournal: z
    .object({ state: z.enum(['ok', 'full', 'failed', 'closed']), reason: z.string().optional(), bytes: z.number(), maxBytes: z.number() })
    .optional()
    .meta({ description: 'present when the decision journal is on' }),
  authorization: z.object({
    entitiesRefreshedAt: z.string().nullable(),
    entitiesStaleMs: z.number().nullable().meta({ description: 'how old the entity store’s view may be: the time since it last refreshed' }),
  }),
});

export const openApiSchema = z.object({
  openapi: z.string(),
  info: z.object({ title: z.string(), version: z.string(), description: z.string() }),
  components: z.record(z.string(), z.unknown()),
  paths: z.record(z.string(), z.unknown()),
});

/** A raw route's body, described by its content type alone. */
const rawContent = (type: string) => ({ [type]: { schema: { type: 'string', ...(type.startsWith('text/') ? {} : { format: 'binary' }) } } });

/**
 * The routes createApp mounts itself rather than as RouteDefs (health, readiness, metrics, this document). They are
 * described here so that /openapi.json lists every route the server answers: clients and the route fuzz suite
 * (test/fuzz) read the document and would otherwise never see them.
 */
const builtIn = (): Record<string, Record<string, unknown>> => ({
  '/healthz': {
    get: {
      summary: 'Liveness: the process answers.',
      tags: ['Operations'],
      security: [],
      responses: { 200: { description: 'OK', content: { 'application/json': { schema: healthSchema } } } },
    },
  },
  '/readyz': {
    get: {
      summary: 'Readiness: both policy sets active, the database answers, the decision log is not backed up.',
      tags: ['Operations'],
      security: [],
      responses: {
        200: { description: 'Ready', content: { 'application/json': { schema: readySchema } } },
        503: { description: 'Not ready (the failing checks are false)', content: { 'application/json': { schema: readySchema } } },
      },
    },
  },
  '/metrics': {
    get: {
      summary: 'Prometheus metrics (text exposition format).',
      tags: ['Operations'],
      security: [{ bearer: [] }],
      'x-tenet-gate': { area: 'metrics', action: 'read' },
      responses: {
        200: { description: 'Prometheus text', content: { 'text/plain': { schema: z.string() } } },
        401: { description: 'No or unknown API key', content: errorContent },
        403: { description: 'The key’s role may not call this route', content: errorContent },
      },
    },
  },
  '/openapi.json': {
    get: {
      summary: 'This document.',
      tags: ['Operations'],
      security: [],
      responses: { 200: { description: 'The OpenAPI 3.1 document', content: { 'application/json': { schema: openApiSchema } } } },
    },
  },
});

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate the requests. */
export function buildOpenApi(routes: RouteDef[], version: string): unknown {
  const paths: Record<string, Record<string, unknown>> = builtIn();
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const declared = Object.keys(r.statuses ?? {}).map(Number);
    // The answer's schema belongs to the success status the route answers with: 200, or its own 201/202 when it
    // declares one instead (POST /v1/session answers 201 with the Session; saying so under 200 would mislead).
    const success = declared.includes(200) || !declared.some((s) => s >= 200 && s < 300) ? 200 : Math.min(...declared.filter((s) => s >= 200 && s < 300));
    const content =
      r.response !== undefined && r.response !== 'none'
        ? { 'application/json': { schema: r.response } }
        : r.produces !== undefined
          ? rawContent(r.produces)
          : undefined;
    const responses: Record<string, unknown> = {};
    if (success === 200) responses[200] = { description: 'OK', content };
    for (const [status, description] of Object.entries(r.statuses ?? {})) {
      const code = Number(status);
      responses[status] = { description, content: code >= 400 ? errorContent : code === success ? content : undefined };
    }
    if (r.gate !== 'public') {
      responses[401] = { description: 'No or unknown API key', content: errorContent };
      responses[403] = { description: 'The key’s role may not call this route', content: errorContent };
    }
    if (r.body || r.query || r.params) responses[400] = { description: 'Invalid request', content: errorContent };
    (paths[path] ??= {})[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      security: r.gate === 'public' ? [] : [{ bearer: [] }],
      ...(r.gate !== 'public' ? { 'x-tenet-gate': r.gate } : {}),
      requestParams: {
        ...(r.query ? { query: r.query } : {}),
        ...(r.params ? { path: r.params } : {}),
      },
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: r.body } } } } : {}),
      responses,
    };
  }
  return createDocument({
    openapi: '3.1.0',
    info: { title: 'Tenet API', version, description: 'Authorization, control posture and evidence for the governed platform.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A Tenet API key' } } },
    paths: paths as never,
  });
}
