import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface EvidenceRecord {
  seq: number;
  prevHash: string;
  hash: string;
  collectedAt: string;
  controlId: string;
  source: string;
  payload: unknown;
}

/** hash = sha256(prevHash || canonical JSON of the record without its hash). */
export function recordHash(r: Omit<EvidenceRecord, 'hash'>): string {
  return createHash('sha256')
    .update(r.prevHash)
    .update(canonicalJson({ seq: r.seq, collectedAt: r.collectedAt, controlId: r.controlId, source: r.source, payload: r.payload }))
    .digest('hex');
}

/** Tenet's evidence lock: appends are serialised across replicas so the chain never forks. */
export const EVIDENCE_LOCK = 0x7e4e7001;
