/**
 * What must still hold once the fuzz is over: the PDP decides the demo requests as it did before (and as the demo's
 * policies say), every decision the fuzz was answered is in the decision log, and no payload reached Object.prototype.
 */
import type { TestApp } from '../helpers/test-app.ts';
import { POLLUTION_MARKER } from './hostile-values.ts';

interface KnownRequest {
  principal: { type: string; id: string };
  action: { id: string };
  resource: { type: string; id: string };
  context?: Record<string, unknown>;
}

const req = (user: string, action: string, type: string, id: string, context?: Record<string, unknown>): KnownRequest => ({
  principal: { type: 'User', id: user },
  action: { id: action },
  resource: { type, id },
  ...(context ? { context } : {}),
});

/** Demo decisions whose answer is known from the policies (policies/cases and the API security suite). */
export const KNOWN_DECISIONS: Array<{ request: KnownRequest; decision: 'allow' | 'deny'; reason?: string }> = [
  { request: req('asha', 'read', 'Order', 'o-1001'), decision: 'allow' },
  { request: req('dev', 'read', 'Order', 'o-1001'), decision: 'deny' },
  { request: req('kabir', 'read', 'Order', 'o-1001'), decision: 'deny' },
  { request: req('dev', 'read', 'Order', 'o-2001'), decision: 'allow' },
  { request: req('asha', 'reveal_buyer_pii', 'Order', 'o-1001', { mfa: true }), decision: 'allow' },
  { request: req('asha', 'reveal_buyer_pii', 'Order', 'o-2001', { mfa: true }), decision: 'deny', reason: 'forbid-cross-agency' },
  { request: req('asha', 'reveal_buyer_pii', 'Order', 'o-1001', { mfa: false }), decision: 'deny' },
  { request: req('asha', 'read', 'Conversation', 'conv-1'), decision: 'deny' },
  { request: req('nobody', 'read', 'Order', 'o-1001'), decision: 'deny' },
];

export interface DecisionSnapshot {
  decision: string;
  reasons: string[];
}

/** Asks /v1/authorize (over HTTP, with the service key) for every known request. */
export async function askKnownDecisions(t: TestApp): Promise<DecisionSnapshot[]> {
  const out: DecisionSnapshot[] = [];
  for (const k of KNOWN_DECISIONS) {
    const res = await t.call('/v1/authorize', { role: 'service', body: k.request });
    if (res.status !== 200) throw new Error(`/v1/authorize answered ${res.status} for a known demo request: ${JSON.stringify(res.body).slice(0, 300)}`);
    out.push({ decision: res.body.decision, reasons: [...res.body.reasons].sort() });
  }
  return out;
}

/** The decision ids not found in the decision log, after draining its queue (bounded: a wedged log is a finding). */
export async function missingFromDecisionLog(t: TestApp, ids: string[], drainMs = 20_000): Promise<{ missing: string[]; drainError?: string }> {
  let drainError: string | undefined;
  await Promise.race([
    t.authz.decisionLog.flush().catch((e: Error) => {
      drainError = `flush failed: ${e.message}`;
    }),
    new Promise<void>((resolve) =>
      setTimeout(() => {
        drainError ??= `the decision log did not drain within ${drainMs} ms (${t.authz.decisionLog.depth} queued)`;
        resolve();
      }, drainMs),
    ),
  ]);
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const rows = await t.database.db.selectFrom('decisions').select('id').where('id', 'in', chunk).execute();
    for (const r of rows) found.add(r.id);
  }
  return { missing: ids.filter((id) => !found.has(id)), ...(drainError ? { drainError } : {}) };
}

/** True when a payload planted the marker on Object.prototype (in this process: the app runs in it). */
export const prototypePolluted = (): boolean => POLLUTION_MARKER in ({} as Record<string, unknown>) || POLLUTION_MARKER in Object.prototype;
