import { createDocument } from 'zod-openapi';
import { z } from 'zod';
import type { RouteDef } from './route.ts';

const errorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string(), requestId: z.string(), details: z.unknown().optional() }) })
  .meta({ id: 'Error' });

const errorContent = { 'application/json': { schema: errorBody } };

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
      responses: { 200: { description: 'OK', content: { 'application/json': { schema: z.object({ status: z.literal('ok'), version: z.string() }) } } } },
    },
  },
  '/readyz': {
    get: {
      summary: 'Readiness: both policy sets active, the database answers, the decision log is not backed up.',
      tags: ['Operations'],
      security: [],
      responses: {
        200: { description: 'Ready', content: { 'application/json': { schema: z.object({ status: z.string(), checks: z.record(z.string(), z.boolean()) }) } } },
        503: { description: 'Not ready (the failing checks are false)' },
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
      responses: { 200: { description: 'The OpenAPI 3.1 document' } },
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
    const responses: Record<string, unknown> = {};
    if (success === 200) responses[200] = { description: 'OK', content: r.response ? { 'application/json': { schema: r.response } } : undefined };
    for (const [status, description] of Object.entries(r.statuses ?? {})) {
      const code = Number(status);
      responses[status] = {
        description,
        content: code >= 400 ? errorContent : code === success && r.response ? { 'application/json': { schema: r.response } } : undefined,
      };
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
