import { createDocument } from 'zod-openapi';
import { z } from 'zod';
import type { RouteDef } from './route.ts';

const errorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string(), requestId: z.string(), details: z.unknown().optional() }) })
  .meta({ id: 'Error' });

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate the requests. */
export function buildOpenApi(routes: RouteDef[], version: string): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const responses: Record<string, unknown> = {
      200: { description: 'OK', content: r.response ? { 'application/json': { schema: r.response } } : undefined },
    };
    for (const [status, description] of Object.entries(r.statuses ?? {})) {
      responses[status] = { description, content: Number(status) >= 400 ? { 'application/json': { schema: errorBody } } : undefined };
    }
    if (r.gate !== 'public') {
      responses[401] = { description: 'No or unknown API key', content: { 'application/json': { schema: errorBody } } };
      responses[403] = { description: 'The key’s role may not call this route', content: { 'application/json': { schema: errorBody } } };
    }
    if (r.body || r.query || r.params) responses[400] = { description: 'Invalid request', content: { 'application/json': { schema: errorBody } } };
    (paths[path] ??= {})[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      security: r.gate === 'public' ? [] : [{ bearer: [] }],
      ...(r.gate !== 'public' ? { 'x-tenet-gate': r.gate } : {}),
      requestParams: {
        ...(r.query ? { query: r.query } : {}),
        ...(r.params ? { path: r.params } : {}),
      },
      ...(r.body ? { requestBody: { content: { 'application/json': { schema: r.body } } } } : {}),
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
