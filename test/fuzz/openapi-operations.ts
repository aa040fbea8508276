/**
 * The routes to fuzz, read from Tenet's own OpenAPI document (GET /openapi.json): every path, method, path and query
 * parameter and JSON body, with the gate the document states. Nothing here is written by hand per route, so a new
 * route is fuzzed the day it is added.
 */

/** The subset of JSON Schema (as zod-openapi writes it) the generators understand. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: JsonSchema;
}

export type Gate = { area: string; action: string } | 'authenticated' | 'public';

export interface Operation {
  /** "POST /v1/authorize" */
  key: string;
  method: 'get' | 'post' | 'put' | 'delete';
  /** The template as the document has it: /v1/entities/{type}/{id} */
  path: string;
  pathParams: Parameter[];
  queryParams: Parameter[];
  body?: JsonSchema;
  gate: Gate;
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Array<{ name: string; in: string; required?: boolean; schema?: JsonSchema }>;
        requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
        security?: unknown[];
        'x-tenet-gate'?: Gate;
      }
    >
  >;
  components?: { schemas?: Record<string, JsonSchema> };
}

const METHODS = ['get', 'post', 'put', 'delete'] as const;

/** Every operation of the document, with `$ref`s left in place (resolve them with `resolver`). */
export function readOperations(doc: unknown): Operation[] {
  const d = doc as OpenApiDocument;
  if (!d || typeof d !== 'object' || !d.paths) throw new Error('not an OpenAPI document: no paths');
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(d.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = (op.parameters ?? []).map((p) => ({
        name: p.name,
        in: p.in as 'path' | 'query',
        required: p.in === 'path' || Boolean(p.required),
        schema: p.schema ?? {},
      }));
      const gate: Gate = Array.isArray(op.security) && op.security.length === 0 ? 'public' : (op['x-tenet-gate'] ?? 'authenticated');
      out.push({
        key: `${method.toUpperCase()} ${path}`,
        method,
        path,
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        body: op.requestBody?.content?.['application/json']?.schema,
        gate,
      });
    }
  }
  return out;
}

/** Follows local `$ref`s (#/components/schemas/X). */
export function resolver(doc: unknown): (s: JsonSchema) => JsonSchema {
  const schemas = (doc as OpenApiDocument).components?.schemas ?? {};
  return function resolve(s: JsonSchema): JsonSchema {
    let cur = s;
    for (let i = 0; cur.$ref && i < 20; i++) {
      const m = /^#\/components\/schemas\/(.+)$/.exec(cur.$ref);
      const next = m ? schemas[m[1]!] : undefined;
      if (!next) throw new Error(`unresolvable $ref ${cur.$ref}`);
      cur = next;
    }
    return cur;
  };
}
