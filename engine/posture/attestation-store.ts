import type { Attestation } from '../../controls/define-control.ts';
import { AttestationError, verifyAttestation, type TrustedKey } from '../../controls/collectors/attestations.ts';
import type { Db } from '../db/database.ts';
import { InputError } from '../kernel/errors.ts';

/**
 * Signed attestations (runbooks, policies): accepted only when the signature verifies against a trusted key,
 * stored with their JWS, and verified again every time a control reads them, so an edited row is caught.
 */
export class AttestationStore {
  constructor(
    private readonly db: Db,
    private readonly trusted: TrustedKey[],
  ) {}

  async add(jws: string, receivedBy: string): Promise<Attestation & { id: string }> {
    let a: Attestation;
    try {
      a = await verifyAttestation(jws, this.trusted);
    } catch (error) {
      if (error instanceof AttestationError) throw new InputError(`attestation rejected: ${error.message}`);
      throw error;
    }
    const row = await this.db
      .insertInto('attestations')
      .values({
        document_id: a.documentId,
        title: a.title,
        kid: a.kid,
        attested_by: a.attestedBy,
        attested_at: a.attestedAt,
        expires_at: a.expiresAt,
        digest: a.digest,
        jws,
        received_by: receivedBy,
      })
      .onConflict((oc) => oc.column('jws').doUpdateSet({ received_by: (eb) => eb.ref('attestations.received_by') }))
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ...a, id: row.id };
  }

  /** Every stored attestation of these documents, re-verified; one that no longer verifies is an error. */
  async forDocuments(documentIds: string[]): Promise<Attestation[]> {
    if (documentIds.length === 0) return [];
    const rows = await this.db.selectFrom('attestations').select(['id', 'jws']).where('document_id', 'in', documentIds).execute();
    const out: Attestation[] = [];
    for (const r of rows) {
      try {
        out.push(await verifyAttestation(r.jws, this.trusted));
      } catch (error) {
        throw new Error(`stored attestation ${r.id} no longer verifies (${(error as Error).message})`, { cause: error });
      }
    }
    return out;
  }

  async list(limit = 200) {
    return this.db
      .selectFrom('attestations')
      .select([
        'id',
        'document_id as documentId',
        'title',
        'kid',
        'attested_by as attestedBy',
        'attested_at as attestedAt',
        'expires_at as expiresAt',
        'digest',
        'received_at as receivedAt',
        'received_by as receivedBy',
      ])
      .orderBy('attested_at', 'desc')
      .limit(limit)
      .execute();
  }
}
