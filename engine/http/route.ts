import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { ApiKeyInfo } from '../api-keys.ts';

/** What Tenet's own policy set is asked for a route: may this key's role do `action` on `area`? */
export interface RouteGate {
  area: string;
  action: string;
}

export interface RouteContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  key: ApiKeyInfo;
  requestId: string;
  req: Request;
  res: Response;
}

/**
 * A route declares its schemas once: they validate requests at the boundary and generate /openapi.json.
 * `gate` is required for every route that is not public, so a new route cannot forget authorization;
 * the shared security test walks this list.
 */
export interface RouteDef<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType> {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  tag: string;
  gate: RouteGate | 'public';
  body?: B;
  query?: Q;
  params?: P;
  response?: z.ZodType;
  /** Status codes besides 200 this route answers with, for the OpenAPI document. */
  statuses?: Record<number, string>;
  /** Raw handlers own the response (downloads, metrics text). */
  raw?: boolean;
  /** Served by the fast path (fast-path.ts): JSON body in, JSON out, no params or query. */
  hot?: boolean;
  handler: (ctx: RouteContext<z.infer<B>, z.infer<Q>, z.infer<P>>) => Promise<unknown> | unknown;
}

/** How a caller is named in what Tenet records (exception approvals, runs, packs): key name and id, never the key. */
export const actor = (key: Pick<ApiKeyInfo, 'name' | 'id'>): string => `${key.name} (key ${key.id})`;

export const defineRoute = <B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(def: RouteDef<B, Q, P>): RouteDef =>
  def as unknown as RouteDef;
