import { useQuery } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { call, client } from '../api.ts';
import type { AccessReview } from '../api/models.ts';
import { Page, Panel } from '../ui/page.tsx';
import { Empty, QueryState } from '../ui/states.tsx';
import { Time } from '../ui/time.tsx';
import { Certifications, WithinAgency } from './access-certification.tsx';

type AccessReviewRow = AccessReview['rows'][number];
type ReviewAction = AccessReviewRow['action'];

const ACTIONS: Array<{ value: ReviewAction; label: string }> = [
  { value: 'reveal_buyer_pii', label: 'Reveal buyer PII' },
  { value: 'export', label: 'Export' },
  { value: 'read_credential', label: 'Read credentials' },
];
const actionLabel = (a: string): string => ACTIONS.find((x) => x.value === a)?.label ?? a.replace(/_/g, ' ');

type View = 'user' | 'client';

export default function AccessReviewPage() {
  const [params, setParams] = useSearchParams();
  // The controls read local state (router updates are transitions, and controlled inputs must update at once);
  // the URL mirrors it, so a filtered review can be bookmarked or sent to a colleague.
  const [action, setAction] = useState(() => params.get('action') ?? '');
  const [q, setQ] = useState(() => params.get('q') ?? '');
  const [view, setView] = useState<View>(() => (params.get('view') === 'client' ? 'client' : 'user'));
  const ids = useId();

  const mirror = (name: string, value: string) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );

  const review = useQuery({
    queryKey: ['access-review'],
    queryFn: ({ signal }) => call(client.GET('/v1/access-review', { signal })),
  });

  return (
    <Page
      title="Access review"
      lead="Who can reveal buyer PII, export, or read credentials, on which clients. Tenet asks its policy decision point (PDP) about every user and client, with MFA: the answers are computed from the policies and entities in force, never inferred from role names. A security officer certifies the review: every grant kept or revoked, signed."
      actions={
        <button type="button" className="btn" onClick={() => void review.refetch()} disabled={review.isFetching}>
          {review.isFetching && !review.isPending ? 'Recomputing…' : 'Recompute'}
        </button>
      }
    >
      <QueryState query={review} label="Asking the PDP who can do what…">
        {(data) => (
          <>
            <Summary data={data} />
            <Panel title="Grants">
              <div className="filters access-filters" role="search" aria-label="Filter the access review">
                <div className="field">
                  <label htmlFor={`${ids}-action`}>Action</label>
                  <select
                    id={`${ids}-action`}
                    value={action}
                    onChange={(e) => {
                      setAction(e.target.value);
                      mirror('action', e.target.value);
                    }}
                  >
                    <option value="">All actions</option>
                    {ACTIONS.map((a) => (
                      <option key={a.value} value={a.value}>
                        {a.label} ({a.value})
                      </option>
                    ))}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor={`${ids}-q`}>Search users</label>
                  <input
                    id={`${ids}-q`}
                    type="search"
                    value={q}
                    placeholder="User, role or agency"
                    autoComplete="off"
                    onChange={(e) => {
                      setQ(e.target.value);
                      mirror('q', e.target.value);
                    }}
                  />
                </div>
                <fieldset className="view-toggle">
                  <legend>View</legend>
                  <label>
                    <input
                      type="radio"
                      name={`${ids}-view`}
                      value="user"
                      checked={view === 'user'}
                      onChange={() => {
                        setView('user');
                        mirror('view', '');
                      }}
                    />
                    <span>By user</span>
                  </label>
                  <label>
                    <input
                      type="radio"
                      name={`${ids}-view`}
                      value="client"
                      checked={view === 'client'}
                      onChange={() => {
                        setView('client');
                        mirror('view', 'client');
                      }}
                    />
                    <span>By client</span>
                  </label>
                </fieldset>
              </div>
              {view === 'user' ? <ByUser rows={data.rows} action={action} q={q} /> : <ByClient rows={data.rows} action={action} q={q} />}
            </Panel>
            <WithinAgency data={data} />
            <Certifications review={data} />
          </>
        )}
      </QueryState>
    </Page>
  );
}

function Summary({ data }: { data: AccessReview }) {
  const usersWithGrant = useMemo(() => new Set(data.rows.filter((r) => r.clients.length > 0).map((r) => r.user)).size, [data.rows]);
  const flagged = data.crossAgency > 0;
  return (
    <Panel title="Summary">
      <p className="muted small access-computed">
        Computed by the PDP at <Time value={data.generatedAt} /> over the entities stored then.
      </p>
      <div className="grid grid-3 access-stats">
        <div className="stat">
          <span className="value">{usersWithGrant}</span>
          <span className="label">
            users with any grant <span className="muted">(of {data.users} reviewed)</span>
          </span>
        </div>
        <div className="stat">
          <span className="value">{data.clients}</span>
          <span className="label">clients reviewed</span>
        </div>
        <div className={`stat stat-flag ${flagged ? 'stat-flag-bad' : 'stat-flag-good'}`}>
          <span className="value">
            <span aria-hidden="true">{flagged ? '✕ ' : '✓ '}</span>
            {data.crossAgency}
          </span>
          <span className="label">cross-agency grants</span>
          <strong className="flag-text">
            {flagged
              ? 'Red flag: users can act on clients of another agency. Review the policies and the users’ agencies.'
              : 'None: no user can act on another agency’s clients.'}
          </strong>
        </div>
      </div>
    </Panel>
  );
}

function matches(row: AccessReviewRow, q: string): boolean {
  if (!q) return true;
  const needle = q.trim().toLowerCase();
  return [row.user, row.agency ?? '', ...row.roles].some((s) => s.toLowerCase().includes(needle));
}

function ByUser(props: { rows: AccessReviewRow[]; action: string; q: string }) {
  const shown = props.rows.filter((r) => (!props.action || r.action === props.action) && matches(r, props.q));
  return (
    <>
      <p className="muted small" role="status" aria-live="polite">
        {shown.length === props.rows.length ? `${shown.length} grants` : `Showing ${shown.length} of ${props.rows.length} grants`}
      </p>
      {props.rows.length === 0 ? (
        <Empty>No user can reveal buyer PII, export or read credentials on any client.</Empty>
      ) : (
        <div className="table-wrap">
          <table aria-label="Access review" className="access-table">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Roles</th>
                <th scope="col">Agency</th>
                <th scope="col">Action</th>
                <th scope="col">Clients</th>
              </tr>
            </thead>
            <tbody>
              {shown.length === 0 ? (
                <tr>
                  <td colSpan={5} className="muted">
                    No grants match these filters.
                  </td>
                </tr>
              ) : (
                shown.map((r, i) => (
                  <tr key={`${r.user}\n${r.action}\n${i}`}>
                    <td className="mono">{r.user}</td>
                    <td>{r.roles.length ? r.roles.join(', ') : <span className="muted">none</span>}</td>
                    <td>{r.agency ?? <span className="muted">Platform (no agency)</span>}</td>
                    <td>
                      {actionLabel(r.action)}
                      <div className="muted small mono">{r.action}</div>
                    </td>
                    <td>
                      <ClientList clients={r.clients} />
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function ClientList({ clients }: { clients: string[] }) {
  if (!clients.length) return <span className="muted">none</span>;
  return (
    <ul className="taglist-inline" aria-label={`${clients.length} ${clients.length === 1 ? 'client' : 'clients'}`}>
      {clients.map((c) => (
        <li key={c} className="tag">
          {c}
        </li>
      ))}
    </ul>
  );
}

/** Client → who can do each action on it (the same answers, turned around). */
function ByClient(props: { rows: AccessReviewRow[]; action: string; q: string }) {
  const actions = useMemo(() => (props.action ? ACTIONS.filter((a) => a.value === props.action) : ACTIONS), [props.action]);
  const clients = useMemo(() => {
    const map = new Map<string, Map<string, string[]>>();
    for (const r of props.rows) {
      if (!matches(r, props.q)) continue;
      for (const c of r.clients) {
        const byAction = map.get(c) ?? map.set(c, new Map()).get(c)!;
        byAction.set(r.action, [...(byAction.get(r.action) ?? []), r.user]);
      }
    }
    return [...map.entries()].filter(([, byAction]) => actions.some((a) => byAction.has(a.value))).sort(([a], [b]) => a.localeCompare(b));
  }, [props.rows, props.q, actions]);

  return (
    <>
      <p className="muted small" role="status" aria-live="polite">
        {clients.length} {clients.length === 1 ? 'client' : 'clients'} with at least one grant
        {props.q ? ' for the users searched' : ''}
      </p>
      <div className="table-wrap">
        <table aria-label="Access review by client" className="access-table by-client-table">
          <thead>
            <tr>
              <th scope="col">Client</th>
              {actions.map((a) => (
                <th scope="col" key={a.value}>
                  Who can {a.label.charAt(0).toLowerCase() + a.label.slice(1)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {clients.length === 0 ? (
              <tr>
                <td colSpan={actions.length + 1} className="muted">
                  No grants match these filters.
                </td>
              </tr>
            ) : (
              clients.map(([client, byAction]) => (
                <tr key={client}>
                  <th scope="row" className="mono">
                    {client}
                  </th>
                  {actions.map((a) => {
                    const users = byAction.get(a.value) ?? [];
                    return (
                      <td key={a.value}>
                        {users.length ? (
                          <ul className="taglist-inline">
                            {users.map((u) => (
                              <li key={u} className="tag">
                                {u}
                              </li>
                            ))}
                          </ul>
                        ) : (
                          <span className="muted">nobody</span>
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </>
  );
}
