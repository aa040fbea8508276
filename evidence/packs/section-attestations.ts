import type { Db } from '../../engine/db/database.ts';
import type { PackFile, PackSection } from './pack-model.ts';
import { person } from './pack-people.ts';
import { utc } from './pack-time.ts';

/** One signed attestation as the pack records it. */
export interface PackAttestation {
  documentId: string;
  title: string;
  signer: string;
  /** sha256 (hex) of the attested document's text */
  documentSha256: string;
  signedAt: string;
  expiresAt: string;
  keyId: string;
  /** in force at the period's end */
  inForceAtEnd: boolean;
  /** where its JWS is in the pack */
  file: string;
}

/** A pack path segment from a document id (letters, digits, '.', '_', '-'; never starting with '.'). */
const segment = (id: string) => id.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'document';

/**
 * Every stored attestation in force at some time in [from, to] (signed by the period's end, not expired before it
 * starts), optionally only of some documents, with its JWS as a file `attestations/<document>.jws` (a document
 * attested more than once: `<document>.<n>.jws`, oldest first) and the trusted public keys in
 * `attestations/trusted-keys.json`, so a reviewer can check each signature (EdDSA, Ed25519) without Tenet.
 */
export async function attestationRecords(
  db: Db,
  props: {
    from: Date;
    to: Date;
    documents?: ReadonlySet<string>;
    trustedKeys: ReadonlyArray<{ kid: string; subject: string; jwk: Record<string, unknown> }>;
  },
): Promise<{ section: PackSection; files: PackFile[]; attestations: PackAttestation[] }> {
  const rows = (
    await db
      .selectFrom('attestations')
      .select(['document_id', 'title', 'attested_by', 'digest', 'attested_at', 'expires_at', 'kid', 'jws'])
      .where('attested_at', '<=', props.to)
      .where('expires_at', '>=', props.from)
      .orderBy('document_id')
      .orderBy('attested_at')
      .execute()
  ).filter((r) => !props.documents || props.documents.has(r.document_id));
  const perDocument = new Map<string, number>();
  for (const r of rows) perDocument.set(r.document_id, (perDocument.get(r.document_id) ?? 0) + 1);
  const seen = new Map<string, number>();
  const files: PackFile[] = [];
  const attestations: PackAttestation[] = rows.map((r) => {
    const n = (seen.get(r.document_id) ?? 0) + 1;
    seen.set(r.document_id, n);
    const file = `attestations/${segment(r.document_id)}${perDocument.get(r.document_id)! > 1 ? `.${n}` : ''}.jws`;
    files.push({ path: file, text: r.jws.trim() + '\n', scan: decodedJws(r.jws) });
    const expiresAt = new Date(r.expires_at).toISOString();
    return {
      documentId: r.document_id,
      title: r.title,
      signer: person(r.attested_by),
      documentSha256: r.digest,
      signedAt: new Date(r.attested_at).toISOString(),
      expiresAt,
      keyId: r.kid,
      inForceAtEnd: new Date(expiresAt) > props.to,
      file,
    };
  });
  const kids = new Set(attestations.map((a) => a.keyId));
  const keys = props.trustedKeys.filter((k) => kids.has(k.kid)).map((k) => ({ kid: k.kid, subject: person(k.subject), jwk: k.jwk }));
  if (attestations.length) {
    files.push({ path: 'attestations/trusted-keys.json', text: JSON.stringify({ keys }, null, 2) + '\n' });
    files.push({ path: 'attestations/attestations.json', text: JSON.stringify(attestations, null, 2) + '\n' });
  }
  const section: PackSection = {
    id: 'attestations',
    title: 'Attestations',
    intro: attestations.length
      ? 'Every signed attestation in force at some time in the period: who signed which document (by the sha256 of its text), when, until when, and with which key. ' +
        'Each is a compact JWS (EdDSA, Ed25519) in the file named; the signers\u2019 public keys (JWK) are in attestations/trusted-keys.json, so any JOSE library can check a signature, ' +
        'and the payload names the document, its sha256, the signer and the dates shown here.'
      : 'No signed attestation was in force at any time in the period.',
    table: attestations.length
      ? {
          columns: ['document', 'title', 'signer', 'document sha256', 'signed at', 'expires', 'key id', 'at period end', 'file'],
          rows: attestations.map((a) => [
            a.documentId,
            a.title,
            a.signer,
            a.documentSha256,
            utc(a.signedAt),
            utc(a.expiresAt),
            a.keyId,
            a.inForceAtEnd ? 'in force' : 'expired',
            a.file,
          ]),
        }
      : undefined,
  };
  return { section, files, attestations };
}

/**
 * What a JWS says, decoded, for the PII scanner: its header and payload (the payload as stored, verified on receipt
 * against the attestation schema), the signer's address masked as the pack shows it. The signature is not text.
 */
function decodedJws(jws: string): string {
  const [header = '', payload = ''] = jws.trim().split('.');
  const text = (part: string) => Buffer.from(part, 'base64url').toString('utf8');
  let claims: unknown;
  try {
    claims = JSON.parse(text(payload));
  } catch {
    return `${text(header)}\n${text(payload)}\n`;
  }
  const c = claims as Record<string, unknown>;
  return `${text(header)}\n${JSON.stringify({ ...c, attestedBy: person(typeof c.attestedBy === 'string' ? c.attestedBy : null) })}\n`;
}
