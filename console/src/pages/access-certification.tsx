import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { call, client, type Answer, type RequestBody } from '../api.ts';
import type { AccessReview } from '../api/models.ts';
import { useSession } from '../session.tsx';
import { Panel } from '../ui/page.tsx';
import { Empty, ErrorState, QueryState } from '../ui/states.tsx';
import { Time } from '../ui/time.tsx';

type Latest = Answer<'/v1/access-review/certifications/latest'>;
type Grant = AccessReview['grants'][number];
type Decision = { decision: 'keep' | 'revoke'; reason: string };

const grantKey = (g: Grant) => `${g.user}\n${g.action}\n${g.client}`;
const grantText = (g: Grant) => `${g.user} · ${g.action} · ${g.client}`;

/** Within-agency least privilege: agency-level users who may reveal buyer PII on every client of their agency. */
export function WithinAgency({ data }: { data: AccessReview }) {
  const flagged = data.agencyWide.length > 0;
  return (
    <Panel title="Within-agency least privilege">
      <p className="muted small">
        Agency-level users (bound to no one client) who may reveal buyer PII on every client of their agency that holds orders. Not a fault by itself: confirm
        each one needs it when you certify the review.
      </p>
      {flagged ? (
        <div className="table-wrap">
          <table aria-label="Agency-wide PII access" className="access-table">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Roles</th>
                <th scope="col">Agency</th>
                <th scope="col">Clients with orders</th>
              </tr>
            </thead>
            <tbody>
              {data.agencyWide.map((w) => (
                <tr key={w.user}>
                  <td className="mono">
                    <span aria-hidden="true">⚑ </span>
                    {w.user}
                  </td>
                  <td>{w.roles.join(', ') || <span className="muted">none</span>}</td>
                  <td>{w.agency}</td>
                  <td>all {w.clients}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty>No agency-level user may reveal buyer PII on every client of their agency.</Empty>
      )}
    </Panel>
  );
}

/** The certification of the access review: start a review (security officers), the latest with its diff, history. */
export function Certifications({ review }: { review: AccessReview }) {
  const { can } = useSession();
  const maySign = can('evidence', 'write');
  const [reviewing, setReviewing] = useState(false);
  const latest = useQuery({
    queryKey: ['access-review', 'certifications', 'latest'],
    queryFn: ({ signal }) => call(client.GET('/v1/access-review/certifications/latest', { signal })),
  });
  const history = useQuery({
    queryKey: ['access-review', 'certifications'],
    queryFn: ({ signal }) => call(client.GET('/v1/access-review/certifications', { signal })),
  });

  return (
    <>
      <Panel
        title="Certification"
        actions={
          maySign && !reviewing ? (
            <button type="button" className="btn btn-primary" onClick={() => setReviewing(true)}>
              Start a review
            </button>
          ) : null
        }
      >
        {maySign ? null : <p className="small muted">Read-only: only a security officer signs a review of access.</p>}
        {reviewing ? <ReviewForm review={review} onDone={() => setReviewing(false)} /> : null}
        <QueryState query={latest} label="Loading the latest certification…">
          {(data) => <LatestCertification data={data} />}
        </QueryState>
      </Panel>
      <Panel title="Certification history">
        <QueryState query={history} label="Loading the certifications…">
          {(data) =>
            data.certifications.length === 0 ? (
              <Empty>The access review has never been certified.</Empty>
            ) : (
              <div className="table-wrap">
                <table aria-label="Certification history" className="access-table">
                  <thead>
                    <tr>
                      <th scope="col">Certified</th>
                      <th scope="col">By</th>
                      <th scope="col">Grants</th>
                      <th scope="col">Revoked</th>
                      <th scope="col">SHA-256</th>
                      <th scope="col">Evidence record</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.certifications.map((c) => (
                      <tr key={c.id}>
                        <td>
                          <Time value={c.certifiedAt} />
                        </td>
                        <td>{c.certifiedBy}</td>
                        <td>{c.grants}</td>
                        <td>{c.revoked}</td>
                        <td className="mono small" title={c.sha256}>
                          {c.sha256.slice(0, 16)}…{c.intact ? null : <strong> altered</strong>}
                        </td>
                        <td className="mono">#{c.evidenceSeq}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </QueryState>
      </Panel>
    </>
  );
}

function LatestCertification({ data }: { data: Latest }) {
  const c = data.certification;
  if (!c) return <Empty>The access review has never been certified: the control access.review-certified fails until a security officer signs one.</Empty>;
  const revoked = c.decisions.filter((d) => d.decision === 'revoke').length;
  return (
    <div className="certification" aria-label="Latest certification">
      <p>
        Certified <Time value={c.certifiedAt} /> by <strong>{c.certifiedBy}</strong> ({c.reviewer.role}): {c.decisions.length} grants, {revoked} revoked.
      </p>
      <p className="small">
        Signature: SHA-256 <code className="mono hash">{c.sha256}</code>, evidence record #{c.evidenceSeq}.{' '}
        {c.intact ? (
          <span className="muted">The stored certification matches its hash.</span>
        ) : (
          <strong>The stored certification no longer matches its hash: it was altered.</strong>
        )}
      </p>
      {c.note ? <p className="small muted">Note: {c.note}</p> : null}
      {data.revocations.length ? (
        <>
          <h3>To revoke in the platform</h3>
          <p className="small muted">
            Tenet does not own the platform’s users and roles: its administrators remove these; the review shows when they are gone.
          </p>
          <ul aria-label="Revocations">
            {data.revocations.map((r) => (
              <li key={grantKey(r)}>
                <span className="mono">{grantText(r)}</span> — {r.reason}{' '}
                {r.gone ? <span className="tag">gone</span> : <strong className="tag">still granted</strong>}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {data.uncovered.length ? (
        <>
          <h3>Grants since this review</h3>
          <ul aria-label="Grants not covered">
            {data.uncovered.map((g) => (
              <li key={grantKey(g)} className="mono">
                {grantText(g)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <h3>Changes since the previous certification</h3>
      {data.diff && data.previous ? (
        <div aria-label="Changes since the previous certification">
          <p className="small muted">
            Against <Time value={data.previous.certifiedAt} /> by {data.previous.certifiedBy}: {data.diff.added.length} added, {data.diff.removed.length}{' '}
            removed, {data.diff.changed.length} decisions changed.
          </p>
          <ul>
            {data.diff.added.map((g) => (
              <li key={`a${grantKey(g)}`}>
                added <span className="mono">{grantText(g)}</span>
              </li>
            ))}
            {data.diff.removed.map((g) => (
              <li key={`r${grantKey(g)}`}>
                removed <span className="mono">{grantText(g)}</span>
              </li>
            ))}
            {data.diff.changed.map((g) => (
              <li key={`c${grantKey(g)}`}>
                <span className="mono">{grantText(g)}</span>: {g.from} → {g.to}
                {g.reason ? ` (${g.reason})` : ''}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <p className="small muted">The first certification: nothing to compare with.</p>
      )}
    </div>
  );
}

/** Every grant of the current review, each kept or revoked (a reason for each revoke), then signed. */
function ReviewForm({ review, onDone }: { review: AccessReview; onDone: () => void }) {
  const queryClient = useQueryClient();
  const ids = useId();
  const [decisions, setDecisions] = useState<Record<string, Decision>>(() =>
    Object.fromEntries(review.grants.map((g) => [grantKey(g), { decision: 'keep', reason: '' }])),
  );
  const [note, setNote] = useState('');
  const certify = useMutation({
    mutationFn: (body: RequestBody<'/v1/access-review/certifications', 'post'>) => call(client.POST('/v1/access-review/certifications', { body })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['access-review'] });
      await queryClient.invalidateQueries({ queryKey: ['controls'] });
      onDone();
    },
  });
  const set = (key: string, patch: Partial<Decision>) => setDecisions((d) => ({ ...d, [key]: { ...d[key]!, ...patch } }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    certify.mutate({
      decisions: review.grants.map((g) => {
        const d = decisions[grantKey(g)]!;
        return { ...g, decision: d.decision, ...(d.reason.trim() ? { reason: d.reason.trim() } : {}) };
      }),
      ...(note.trim() ? { note: note.trim() } : {}),
    });
  };
  const flagged = new Set(review.agencyWide.map((w) => w.user));
  const revokes = Object.values(decisions).filter((d) => d.decision === 'revoke').length;

  return (
    <form className="form certification-form" onSubmit={submit} aria-label="Certify the access review">
      <p className="small">
        Keep or revoke each of the {review.grants.length} grants of the review computed at <Time value={review.generatedAt} />. A revoke needs a reason; it
        becomes an item for the platform’s administrators. Signing records your identity and the SHA-256 of the certification in the evidence chain.
      </p>
      <div className="table-wrap">
        <table aria-label="Grants to certify" className="access-table">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Action</th>
              <th scope="col">Client</th>
              <th scope="col">Decision</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {review.grants.map((g, i) => {
              const key = grantKey(g);
              const d = decisions[key]!;
              return (
                <tr key={key}>
                  <td className="mono">
                    {g.user}
                    {flagged.has(g.user) && g.action === 'reveal_buyer_pii' ? (
                      <span className="tag" title="may reveal buyer PII on every client of the agency">
                        agency-wide
                      </span>
                    ) : null}
                  </td>
                  <td className="mono">{g.action}</td>
                  <td className="mono">{g.client}</td>
                  <td>
                    <fieldset className="view-toggle">
                      <legend className="visually-hidden">Decision for {grantText(g)}</legend>
                      {(['keep', 'revoke'] as const).map((value) => (
                        <label key={value}>
                          <input
                            type="radio"
                            name={`${ids}-${i}`}
                            value={value}
                            checked={d.decision === value}
                            onChange={() => set(key, { decision: value })}
                          />
                          <span>{value === 'keep' ? 'Keep' : 'Revoke'}</span>
                        </label>
                      ))}
                    </fieldset>
                  </td>
                  <td>
                    <input
                      aria-label={`Reason for ${grantText(g)}`}
                      value={d.reason}
                      maxLength={500}
                      required={d.decision === 'revoke'}
                      placeholder={d.decision === 'revoke' ? 'Why (required)' : 'Optional'}
                      onChange={(e) => set(key, { reason: e.target.value })}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="field">
        <label htmlFor={`${ids}-note`}>Note</label>
        <textarea id={`${ids}-note`} maxLength={2000} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={certify.isPending || review.grants.length === 0} aria-busy={certify.isPending}>
          {certify.isPending ? <span className="spinner" aria-hidden="true" /> : null}
          Sign and certify ({revokes} to revoke)
        </button>
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
      </div>
      {certify.isError ? <ErrorState title="Could not certify the review" error={certify.error} /> : null}
    </form>
  );
}
