import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { TenetRole } from '../authz/api-keys.ts';

/** What Tenet's own policy set is asked for a route: may this key's role do `action` on `area`? */
export interface RouteGate {
  area: string;
  action: string;
}

/**
 * Who is calling, however they authenticated: an API key (Tenet::ApiKey in the Tenet policy set), or a person
 * through a console session or an OIDC bearer token (Tenet::User). `id` is the key id or the user's subject —
 * never a secret — and is what the decision log records as the caller.
 */
export interface Caller {
  id: string;
  name: string;
  role: TenetRole;
  via: 'api_key' | 'session' | 'oidc';
}

interface RouteContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  /** The caller (named `key` from when every caller was an API key). */
  key: Caller;
  requestId: string;
  req: Request;
  res: Response;
}

/**
 * A route declares its schemas once: they validate requests at the boundary and generate /openapi.json.
 * `gate` is required for every route that is not public, so a new route cannot forget authorization;
 * `'authenticated'` is for routes about the caller itself (its session): any authenticated caller, no role gate.
 * The shared security test walks this list.
 */
export interface RouteDef<B extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType> {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  tag: string;
  gate: RouteGate | 'public' | 'authenticated';
  body?: B;
  query?: Q;
  params?: P;
  /**
   * The exact answer: every field the handler returns, with its nullability. `'none'` for routes that answer
   * without a body (204). Raw routes declare `produces` instead. Checked against real answers in tests (pipeline.ts).
   */
  response?: z.ZodType | 'none';
  /** The content type a raw route answers with (a download, PEM, Prometheus text), for the OpenAPI document. */
  produces?: string;
  /** Status codes besides 200 this route answers with, for the OpenAPI document. */
  statuses?: Record<number, string>;
  /** Raw handlers own the response (downloads, metrics text). */
  raw?: boolean;
  /** Dispatched before Express by exact method and path (app.ts), API keys only: JSON body in, JSON out, no params. */
  hot?: boolean;
  /**
   * The route's own body limits (pipeline.ts), in place of the 2 MiB every other route has: `bytes`, and at most
   * `items.max` entries in the body's array `items.field`. Past either the answer is a 413 naming both.
   */
  bodyLimit?: { bytes: number; items?: { field: string; max: number; noun: string } };
  handler: (ctx: RouteContext<z.infer<B>, z.infer<Q>, z.infer<P>>) => Promise<unknown> | unknown;
}

/**
 * How a caller is named in what Tenet records (exception approvals, runs, packs): key name and id, never the key;
 * for a person, their name and subject.
 */
export const actor = (key: Pick<Caller, 'name' | 'id'> & { via?: Caller['via'] }): string =>
  `${key.name} (${key.via === undefined || key.via === 'api_key' ? 'key' : 'user'} ${key.id})`;

export const defineRoute = <B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(def: RouteDef<B, Q, P>): RouteDef => def as unknown as RouteDef;
