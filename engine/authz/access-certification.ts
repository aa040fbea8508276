import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { InputError, NotFoundError } from '../kernel/errors.ts';
import { redactMessage } from '../scanner/redaction.ts';
import type { AccessReview, AccessReviewAction } from './access-review.ts';

/** One grant of the access review: `user` may do `action` on `client` (the PDP's answer, not a role name). */
export interface Grant {
  user: string;
  action: AccessReviewAction;
  client: string;
}

export interface GrantDecision extends Grant {
  decision: 'keep' | 'revoke';
  /** required for a revoke; optional for a keep; null when none was given */
  reason: string | null;
}

/** Who signed: the caller of the certifying request (API key or console user), never a secret. */
export interface Reviewer {
  id: string;
  name: string;
  via: string;
  role: string;
}

/** Exactly what is hashed (canonical JSON) and kept: the signed statement of one review. */
export interface CertificationBody {
  id: string;
  certifiedAt: string;
  /** how the reviewer is named in what Tenet records (`name (key id)` / `name (user subject)`) */
  certifiedBy: string;
  reviewer: Reviewer;
  /** what the review covered when it was signed */
  review: {
    users: number;
    clients: number;
    crossAgency: number;
    agencyWide: AccessReview['agencyWide'];
  };
  /** every grant of the review, each kept or revoked; sorted by user, action, client */
  decisions: GrantDecision[];
  note: string | null;
}

export interface AccessCertification extends CertificationBody {
  /** SHA-256 (hex) over the canonical JSON of the body */
  sha256: string;
  /** the evidence-chain record that carries the hash */
  evidenceSeq: number;
  /** false when the stored body no longer hashes to `sha256` (edited in the database) */
  intact: boolean;
}

export interface CertificationDiff {
  /** grants of this certification the previous one did not have */
  added: Grant[];
  /** grants of the previous certification that are no longer in this one */
  removed: Grant[];
  /** the same grant decided differently */
  changed: Array<Grant & { from: GrantDecision['decision']; to: GrantDecision['decision']; reason: string | null }>;
}

/**
 * The signature: `hash` is SHA-256 over the canonical JSON of a body; `record` appends it (with the reviewer) to
 * the evidence chain inside the certification's transaction and returns the record's seq. Provided by the layer
 * that owns the ledger (engine/posture/access-certification-signer.ts), since authorization may not import it.
 */
export interface CertificationSigner {
  hash(body: CertificationBody): string;
  record(entry: { body: CertificationBody; sha256: string }, trx: Db): Promise<number>;
}

/** What the control `access.review-certified` is given: the grants now, and the newest certification. */
export interface AccessCertificationFacts {
  asOf: string;
  current: Grant[];
  certification: {
    id: string;
    certifiedAt: string;
    certifiedBy: string;
    sha256: string;
    evidenceSeq: number;
    intact: boolean;
    decisions: Array<Grant & { decision: GrantDecision['decision'] }>;
  } | null;
}

const MAX_REASON = 500;
const ACTIONS: ReadonlyArray<AccessReviewAction> = ['reveal_buyer_pii', 'export', 'read_credential'];

/** A grant's identity: the same (user, action, client) is the same grant in every review. */
export const grantKey = (g: Grant): string => JSON.stringify([g.user, g.action, g.client]);

const byGrant = (a: Grant, b: Grant) =>
  a.user < b.user ? -1 : a.user > b.user ? 1 : a.action < b.action ? -1 : a.action > b.action ? 1 : a.client < b.client ? -1 : a.client > b.client ? 1 : 0;

/** Every (user, action, client) grant of an access review, sorted. */
export function reviewGrants(review: Pick<AccessReview, 'rows'>): Grant[] {
  return review.rows.flatMap((r) => r.clients.map((client) => ({ user: r.user, action: r.action, client }))).sort(byGrant);
}

/** What changed from `previous` to `next`: grants added, removed, and decisions changed. */
export function certificationDiff(previous: Pick<CertificationBody, 'decisions'>, next: Pick<CertificationBody, 'decisions'>): CertificationDiff {
  const before = new Map(previous.decisions.map((d) => [grantKey(d), d]));
  const after = new Map(next.decisions.map((d) => [grantKey(d), d]));
  const pick = (d: Grant): Grant => ({ user: d.user, action: d.action, client: d.client });
  return {
    added: next.decisions.filter((d) => !before.has(grantKey(d))).map(pick),
    removed: previous.decisions.filter((d) => !after.has(grantKey(d))).map(pick),
    changed: next.decisions.flatMap((d) => {
      const was = before.get(grantKey(d));
      return was && was.decision !== d.decision ? [{ ...pick(d), from: was.decision, to: d.decision, reason: d.reason }] : [];
    }),
  };
}

const describe = (g: Grant) => `${g.user} ${g.action} ${g.client}`;

function listed(grants: Grant[]): string {
  const shown = grants.slice(0, 5).map(describe).join('; ');
  return grants.length > 5 ? `${shown} and ${grants.length - 5} more` : shown;
}

/**
 * Certifications of the access review: a reviewer keeps or revokes every grant the review shows (user × action ×
 * client, asked of the platform PDP), with a reason for each revoke, and signs it — the body's SHA-256 is recorded
 * in the evidence chain with the reviewer's identity. Tenet does not own the platform's users and roles: a revoke
 * is a "to revoke" item for the platform's administrators, and the next review shows whether the grant is gone.
 * Certifications are never edited; each review is a new one.
 */
export class AccessCertifications {
  private readonly db: Db;
  private readonly review: () => AccessReview;
  private readonly signer: CertificationSigner;

  constructor(props: { db: Db; review: () => AccessReview; signer: CertificationSigner }) {
    this.db = props.db;
    this.review = props.review;
    this.signer = props.signer;
  }

  /** The grants of the current access review (what a certification must decide, every one). */
  current(): { review: AccessReview; grants: Grant[] } {
    const review = this.review();
    return { review, grants: reviewGrants(review) };
  }

  /**
   * Records a signed certification of the current review. Refused (InputError, a 400) when a decision names a
   * grant the review does not hold, decides one twice, leaves one undecided, revokes without a reason, or carries
   * a reason that looks like personal data or a secret.
   */
  async certify(input: {
    decisions: Array<Grant & { decision: GrantDecision['decision']; reason?: string | null }>;
    note?: string | null;
    reviewer: Reviewer;
    certifiedBy: string;
    at?: Date;
  }): Promise<AccessCertification> {
    const { review, grants } = this.current();
    const wanted = new Map(grants.map((g) => [grantKey(g), g]));
    const seen = new Map<string, GrantDecision>();
    const unknown: Grant[] = [];
    const twice: Grant[] = [];
    const noReason: Grant[] = [];
    for (const d of input.decisions) {
      if (!ACTIONS.includes(d.action)) throw new InputError(`unknown action ${redactMessage(String(d.action), 60)}`);
      const key = grantKey(d);
      if (!wanted.has(key)) unknown.push(d);
      else if (seen.has(key)) twice.push(d);
      const reason = d.reason?.trim() ? d.reason.trim() : null;
      if (d.decision === 'revoke' && !reason) noReason.push(d);
      if (reason && reason.length > MAX_REASON) throw new InputError(`the reason for ${describe(d)} is longer than ${MAX_REASON} characters`);
      if (reason && redactMessage(reason, MAX_REASON) !== reason)
        throw new InputError(`the reason for ${describe(d)} looks like it holds personal data or a secret: say why without it`);
      seen.set(key, { user: d.user, action: d.action, client: d.client, decision: d.decision, reason });
    }
    if (unknown.length)
      throw new InputError(`not a grant of the current access review: ${redactMessage(listed(unknown))} (reload the review and decide its grants)`);
    if (twice.length) throw new InputError(`decided more than once: ${listed(twice)}`);
    const missing = grants.filter((g) => !seen.has(grantKey(g)));
    if (missing.length) throw new InputError(`every grant of the current access review needs a decision; missing: ${listed(missing)}`);
    if (noReason.length) throw new InputError(`a revoke needs a reason: ${listed(noReason)}`);
    const note = input.note?.trim() ? input.note.trim() : null;
    if (note && redactMessage(note, 2000) !== note) throw new InputError('the note looks like it holds personal data or a secret: say it without');

    const body: CertificationBody = {
      id: randomUUID(),
      certifiedAt: (input.at ?? new Date()).toISOString(),
      certifiedBy: input.certifiedBy,
      reviewer: { id: input.reviewer.id, name: input.reviewer.name, via: input.reviewer.via, role: input.reviewer.role },
      review: { users: review.users, clients: review.clients, crossAgency: review.crossAgency, agencyWide: review.agencyWide },
      decisions: [...seen.values()].sort(byGrant),
      note,
    };
    const sha256 = this.signer.hash(body);
    const evidenceSeq = await this.db.transaction().execute(async (trx) => {
      const seq = await this.signer.record({ body, sha256 }, trx);
      await trx
        .insertInto('access_certifications')
        .values({
          id: body.id,
          certified_at: body.certifiedAt,
          certified_by: body.certifiedBy,
          body: JSON.stringify(body),
          sha256,
          evidence_seq: seq,
          grants: body.decisions.length,
          revoked: body.decisions.filter((d) => d.decision === 'revoke').length,
        })
        .execute();
      return seq;
    });
    return { ...body, sha256, evidenceSeq, intact: true };
  }

  /** Certifications, newest first; with `until`, those certified at or before it (a pack's period end). */
  async list(limit = 50, props: { until?: Date } = {}): Promise<AccessCertification[]> {
    let q = this.db.selectFrom('access_certifications').select(['body', 'sha256', 'evidence_seq']);
    if (props.until) q = q.where('certified_at', '<=', props.until);
    const rows = await q.orderBy('certified_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => this.fromRow(r));
  }

  async get(id: string): Promise<AccessCertification> {
    const row = await this.db.selectFrom('access_certifications').select(['body', 'sha256', 'evidence_seq']).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError(`no access certification ${id}`);
    return this.fromRow(row);
  }

  /**
   * The newest certification, the diff against the one before it (null when it is the first), what became of its
   * revokes (gone from the current review, or still granted), and the grants the review now shows that it did not
   * cover. Null when nothing was ever certified.
   */
  async latest(): Promise<{
    certification: AccessCertification;
    previous: { id: string; certifiedAt: string; certifiedBy: string } | null;
    diff: CertificationDiff | null;
    revocations: Array<Grant & { reason: string | null; gone: boolean }>;
    uncovered: Grant[];
  } | null> {
    const [certification, previous] = await this.list(2);
    if (!certification) return null;
    const current = this.current().grants;
    const now = new Set(current.map(grantKey));
    const covered = new Set(certification.decisions.map(grantKey));
    return {
      certification,
      previous: previous ? { id: previous.id, certifiedAt: previous.certifiedAt, certifiedBy: previous.certifiedBy } : null,
      diff: previous ? certificationDiff(previous, certification) : null,
      revocations: certification.decisions
        .filter((d) => d.decision === 'revoke')
        .map((d) => ({ user: d.user, action: d.action, client: d.client, reason: d.reason, gone: !now.has(grantKey(d)) })),
      uncovered: current.filter((g) => !covered.has(grantKey(g))),
    };
  }

  /** The evidence of the control `access.review-certified`: the grants now and the newest certification. */
  async facts(): Promise<AccessCertificationFacts> {
    const [latest] = await this.list(1);
    return {
      asOf: new Date().toISOString(),
      current: this.current().grants,
      certification: latest
        ? {
            id: latest.id,
            certifiedAt: latest.certifiedAt,
            certifiedBy: latest.certifiedBy,
            sha256: latest.sha256,
            evidenceSeq: latest.evidenceSeq,
            intact: latest.intact,
            decisions: latest.decisions.map((d) => ({ user: d.user, action: d.action, client: d.client, decision: d.decision })),
          }
        : null,
    };
  }

  private fromRow(row: { body: unknown; sha256: string; evidence_seq: string }): AccessCertification {
    const body = (typeof row.body === 'string' ? JSON.parse(row.body) : row.body) as CertificationBody;
    return { ...body, sha256: row.sha256, evidenceSeq: Number(row.evidence_seq), intact: this.signer.hash(body) === row.sha256 };
  }
}
