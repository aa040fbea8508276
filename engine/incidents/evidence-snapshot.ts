import { createHash } from 'node:crypto';
import { canonicalJson } from '../../evidence/ledger/canonical-json.ts';
import type { Db } from '../db/database.ts';
import { redactMessage } from '../scanner/redaction.ts';

/** At most this many ids of each kind are listed; the digest covers all of them. */
const MAX_IDS = 1000;

export interface EvidenceSnapshot {
  kind: 'tenet.incident-evidence';
  incidentId: string;
  window: { from: string; to: string };
  decisions: { total: number; byDecision: Record<string, number>; byAction: Record<string, number>; ids: string[]; idsSha256: string };
  piiReveals: {
    total: number;
    rows: Array<{
      id: string;
      decisionId: string;
      at: string;
      decision: string;
      resourceType: string;
      agencyId: string | null;
      clientId: string | null;
      principal: string;
    }>;
  };
  controlRuns: { total: number; rows: Array<{ id: string; controlId: string; status: string; startedAt: string; evidenceSeq: number | null }> };
}

/**
 * What the decision log, the PII-reveal audit and the control runs hold for a window: counts and ids, never the
 * decisions' principals or context (a principal id may be an e-mail address: the reveal rows carry it masked by the
 * scanner). Its SHA-256 (over canonical JSON) is what the evidence chain records.
 */
export async function takeSnapshot(db: Db, incidentId: string, from: Date, to: Date): Promise<{ snapshot: EvidenceSnapshot; sha256: string }> {
  const decisions = await db.selectFrom('decisions').select(['id', 'action', 'decision']).where('at', '>=', from).where('at', '<=', to).orderBy('id').execute();
  const byDecision: Record<string, number> = {};
  const byAction: Record<string, number> = {};
  for (const d of decisions) {
    byDecision[d.decision] = (byDecision[d.decision] ?? 0) + 1;
    byAction[d.action] = (byAction[d.action] ?? 0) + 1;
  }
  const ids = decisions.map((d) => d.id);
  const reveals = await db
    .selectFrom('pii_reveals')
    .select(['id', 'decision_id', 'at', 'decision', 'resource_type', 'agency_id', 'client_id', 'principal_id'])
    .where('at', '>=', from)
    .where('at', '<=', to)
    .orderBy('at')
    .execute();
  const runs = await db
    .selectFrom('control_runs')
    .select(['id', 'control_id', 'status', 'started_at', 'evidence_seq'])
    .where('started_at', '>=', from)
    .where('started_at', '<=', to)
    .orderBy('id')
    .execute();
  const snapshot: EvidenceSnapshot = {
    kind: 'tenet.incident-evidence',
    incidentId,
    window: { from: from.toISOString(), to: to.toISOString() },
    decisions: { total: decisions.length, byDecision, byAction, ids: ids.slice(0, MAX_IDS), idsSha256: sha256(ids.join('\n')) },
    piiReveals: {
      total: reveals.length,
      rows: reveals.slice(0, MAX_IDS).map((r) => ({
        id: String(r.id),
        decisionId: r.decision_id,
        at: new Date(r.at).toISOString(),
        decision: r.decision,
        resourceType: r.resource_type,
        agencyId: r.agency_id === null ? null : redactMessage(r.agency_id, 200),
        clientId: r.client_id === null ? null : redactMessage(r.client_id, 200),
        principal: redactMessage(r.principal_id, 200),
      })),
    },
    controlRuns: {
      total: runs.length,
      rows: runs.slice(0, MAX_IDS).map((r) => ({
        id: String(r.id),
        controlId: r.control_id,
        status: r.status,
        startedAt: new Date(r.started_at).toISOString(),
        evidenceSeq: r.evidence_seq === null ? null : Number(r.evidence_seq),
      })),
    },
  };
  return { snapshot, sha256: sha256(canonicalJson(snapshot)) };
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
