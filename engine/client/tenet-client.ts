import type { AuthorizeRequest, BatchAnswer, Entity, EntityUid, Plan, PlanRequest, PutEntitiesResult, ServerDecision } from './api-types.ts';
import { canonicalJson, DecisionCache } from './decision-cache.ts';

/**
 * A decision as the client answers it. Tenet's answers carry `decisionId` and `policyHash` (and, on some denies,
 * `warnings`: the principal is not stored, say); a fail-closed deny (Tenet unreachable, too slow, or answering
 * something other than a decision) has neither, an empty `reasons`, and says why in `errors`. `cached` marks an answer the local decision cache gave without a call.
 */
export type Decision = Pick<ServerDecision, 'decision' | 'reasons' | 'errors' | 'warnings'> & {
  decisionId?: string;
  policyHash?: string;
  cached?: boolean;
};

export interface TenetClientProps {
  /** Tenet's base URL, e.g. `http://tenet.internal:8080` */
  url: string;
  /** an API key of the `service` role */
  apiKey: string;
  /** each call's whole budget, retries included (default 2,000 ms): past it an authorize answers deny */
  timeoutMs?: number;
  /** further attempts after a connection error or a 502/503/504 (default 2); never after a timeout or another answer */
  retries?: number;
  /** a short local decision cache: entries live `ttlMs`, at most `maxEntries` (default 10,000). Off when absent. */
  cache?: { ttlMs: number; maxEntries?: number };
  /** the fetch to use (default the global one, whose connection pool keeps connections alive between calls) */
  fetch?: typeof fetch;
}

/** A write (`putEntities`, `deleteEntity`) Tenet refused or could not be asked: the status (0: no answer) and why. */
export class TenetClientError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;

  constructor(props: { status: number; code: string; message: string; requestId?: string }) {
    super(props.message);
    this.name = 'TenetClientError';
    this.status = props.status;
    this.code = props.code;
    this.requestId = props.requestId;
  }
}

/** The batch route's limit: `authorizeBatch` sends its requests in chunks of this many. */
export const BATCH_CHUNK = 100;
/** Chunks of one `authorizeBatch` in flight at once. */
const BATCH_CONCURRENCY = 4;
const RETRY_STATUSES = new Set([502, 503, 504]);

type Attempt = { ok: true; status: number; body: unknown } | { ok: false; status: number; code: string; message: string; requestId?: string };

/**
 * Tenet's client for app services. `authorize` and `authorizeBatch` never throw: whatever goes wrong (no connection,
 * a timeout, a non-2xx answer, a body that is not a decision) they answer deny with the reason in `errors` — the
 * caller fails closed without writing a `try`. `putEntities` and `deleteEntity` throw a TenetClientError instead:
 * a write that did not happen must not look like one that did.
 *
 * Retries: every call here is safe to repeat — a decision is read-only (a repeat is logged as a second decision),
 * the entity upsert is idempotent and so is a delete — so a call is tried again after a connection error (refused,
 * reset, closed before an answer) or a 502/503/504, at most `retries` times and within the call's one `timeoutMs`
 * budget. A timeout or any other answer is final.
 */
export class TenetClient {
  private readonly base: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly fetch: typeof fetch;
  private readonly cache: DecisionCache<Decision> | undefined;

  constructor(props: TenetClientProps) {
    this.base = props.url.replace(/\/+$/, '');
    this.apiKey = props.apiKey;
    this.timeoutMs = props.timeoutMs ?? 2_000;
    this.retries = props.retries ?? 2;
    this.fetch = props.fetch ?? fetch;
    this.cache = props.cache ? new DecisionCache<Decision>(props.cache) : undefined;
  }

  /** May this principal do this action on this resource? Always answers; deny on any failure. */
  async authorize(request: AuthorizeRequest): Promise<Decision> {
    try {
      return await this.decide(request);
    } catch (e) {
      // Only a request that cannot be written as JSON gets here (a BigInt, a cycle): it is denied like the rest.
      return failClosed(`the request cannot be sent: ${(e as Error).message}`);
    }
  }

  private async decide(request: AuthorizeRequest): Promise<Decision> {
    const key = this.cache && canonicalJson(request);
    const hit = key && this.cache!.get(key);
    if (hit) return { ...hit, cached: true };
    const answer = await this.call('POST', '/v1/authorize', request);
    if (!answer.ok) return failClosed(describe(answer));
    const decision = readDecision(answer.body);
    if (!decision) return failClosed('tenet answered something that is not a decision');
    if (key) this.cache!.set(key, decision);
    return decision;
  }

  /**
   * Many decisions, answered in the order asked: chunks of 100 (the batch route's limit), a few in flight at once.
   * A chunk that fails answers deny for each of its requests, with the reason; the other chunks are unaffected.
   */
  async authorizeBatch(requests: readonly AuthorizeRequest[]): Promise<Decision[]> {
    try {
      return await this.decideBatch(requests);
    } catch (e) {
      return requests.map(() => failClosed(`the request cannot be sent: ${(e as Error).message}`));
    }
  }

  private async decideBatch(requests: readonly AuthorizeRequest[]): Promise<Decision[]> {
    const out = new Array<Decision>(requests.length);
    const keys = requests.map((r) => (this.cache ? canonicalJson(r) : ''));
    const pending: number[] = [];
    requests.forEach((_, i) => {
      const hit = this.cache?.get(keys[i]);
      if (hit) out[i] = { ...hit, cached: true };
      else pending.push(i);
    });
    const chunks: number[][] = [];
    for (let i = 0; i < pending.length; i += BATCH_CHUNK) chunks.push(pending.slice(i, i + BATCH_CHUNK));
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++];
        const answer = await this.call('POST', '/v1/authorize/batch', { requests: chunk.map((i) => requests[i]) });
        const results = answer.ok ? (answer.body as Partial<BatchAnswer> | null)?.results : undefined;
        const decisions = Array.isArray(results) && results.length === chunk.length ? results.map(readDecision) : undefined;
        const why = !answer.ok ? describe(answer) : 'tenet answered something that is not a batch of decisions';
        chunk.forEach((at, j) => {
          const d = decisions?.[j];
          if (d && this.cache) this.cache.set(keys[at], d);
          out[at] = d ?? failClosed(why);
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, chunks.length) }, worker));
    return out;
  }

  /**
   * Which resources of a type may this principal act on? `always_allowed`, `always_denied`, or `conditional` with a
   * condition for `planToKysely`/`planToSql` (./plan-sql.ts) to filter the app's own table by. Fails closed: any
   * failure — Tenet unreachable, a plan it cannot express (422 plan_unsupported) — answers `always_denied` with the
   * reason in `errors` (the app may then fall back to `authorizeBatch` over the rows).
   */
  async plan(request: PlanRequest): Promise<Plan> {
    let answer: Attempt;
    try {
      answer = await this.call('POST', '/v1/authorize/plan', request);
    } catch (e) {
      return { kind: 'always_denied', errors: [`the request cannot be sent: ${(e as Error).message}`], policyHash: '' };
    }
    if (!answer.ok) return { kind: 'always_denied', errors: [describe(answer)], policyHash: '' };
    const b = answer.body as Partial<Plan> | null;
    const known = b?.kind === 'always_allowed' || b?.kind === 'always_denied' || (b?.kind === 'conditional' && typeof b.condition === 'object');
    if (!b || !known || !Array.isArray(b.errors)) return { kind: 'always_denied', errors: ['tenet answered something that is not a plan'], policyHash: '' };
    return b as Plan;
  }

  /** Bulk upsert of entities (Cedar entity JSON), validated by Tenet against the platform schema. Throws if not done. */
  async putEntities(entities: readonly Entity[]): Promise<PutEntitiesResult> {
    const answer = await this.call('PUT', '/v1/entities', { entities });
    if (!answer.ok) throw new TenetClientError({ ...answer, message: describe(answer) });
    return answer.body as PutEntitiesResult;
  }

  /** Deletes one entity: true if Tenet deleted it, false if it held no such entity. Throws if Tenet could not say. */
  async deleteEntity(uid: EntityUid): Promise<boolean> {
    const answer = await this.call('DELETE', `/v1/entities/${encodeURIComponent(uid.type)}/${encodeURIComponent(uid.id)}`);
    if (answer.ok) return true;
    if (answer.status === 404) return false;
    throw new TenetClientError({ ...answer, message: describe(answer) });
  }

  /** One call with its retries, all within `timeoutMs`. Never throws. */
  private async call(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<Attempt> {
    const deadline = Date.now() + this.timeoutMs;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 0; ; attempt++) {
      const left = deadline - Date.now();
      if (left <= 0) return { ok: false, status: 0, code: 'timeout', message: `no answer within ${this.timeoutMs} ms` };
      const result = await this.once(method, path, payload, left);
      const retryable = !result.ok && (result.code === 'connection' || RETRY_STATUSES.has(result.status));
      if (!retryable || attempt >= this.retries) return result;
      // A short pause, growing with each attempt, so a restarting server is not hammered.
      await new Promise((r) => setTimeout(r, Math.min(25 * 2 ** attempt, Math.max(0, deadline - Date.now()))));
    }
  }

  private async once(method: string, path: string, payload: string | undefined, timeoutMs: number): Promise<Attempt> {
    let res: Response;
    try {
      res = await this.fetch(this.base + path, {
        method,
        headers: { authorization: `Bearer ${this.apiKey}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
        body: payload,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) {
        return { ok: false, status: 0, code: 'timeout', message: `no answer within ${this.timeoutMs} ms` };
      }
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      return { ok: false, status: 0, code: 'connection', message: `cannot reach tenet: ${cause?.code ?? cause?.message ?? (e as Error).message}` };
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      return timedOut
        ? { ok: false, status: 0, code: 'timeout', message: `no answer within ${this.timeoutMs} ms` }
        : { ok: false, status: 0, code: 'connection', message: 'the connection closed during the answer' };
    }
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (res.ok) return { ok: false, status: res.status, code: 'unparsable', message: 'tenet answered with a body that is not JSON' };
      }
    }
    if (res.ok) return { ok: true, status: res.status, body: parsed };
    const error = (parsed as { error?: { code?: unknown; message?: unknown; requestId?: unknown } } | undefined)?.error;
    return {
      ok: false,
      status: res.status,
      code: typeof error?.code === 'string' ? error.code : 'http_error',
      message: typeof error?.message === 'string' ? error.message : res.statusText,
      requestId: typeof error?.requestId === 'string' ? error.requestId : undefined,
    };
  }
}

function describe(a: Extract<Attempt, { ok: false }>): string {
  if (a.status === 0 || a.code === 'unparsable') return a.message;
  return `tenet answered ${a.status} ${a.code}: ${a.message}${a.requestId ? ` (request ${a.requestId})` : ''}`;
}

function failClosed(why: string): Decision {
  return { decision: 'deny', reasons: [], errors: [why] };
}

/** The decision in an answer, or undefined if it is not one: an unexpected answer must never read as an allow. */
function readDecision(body: unknown): Decision | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if ((b.decision !== 'allow' && b.decision !== 'deny') || !strings(b.reasons) || !strings(b.errors) || typeof b.decisionId !== 'string') return undefined;
  return {
    decision: b.decision,
    reasons: b.reasons,
    errors: b.errors,
    decisionId: b.decisionId,
    ...(typeof b.policyHash === 'string' ? { policyHash: b.policyHash } : {}),
    ...(strings(b.warnings) ? { warnings: b.warnings } : {}),
  };
}
