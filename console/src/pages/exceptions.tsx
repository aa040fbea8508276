import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { call, client, type RequestBody } from '../api.ts';
import type { ControlException, ControlPosture, IntegrationReadiness } from '../api/models.ts';
import { invalidateAfterException, useControls, useExceptions, useIntegrations } from '../queries.ts';
import { useSession } from '../session.tsx';
import { titledIntegrationName as integrationName } from '../ui/format.ts';
import { Page, Panel } from '../ui/page.tsx';
import { Empty, ErrorState, QueryState } from '../ui/states.tsx';
import { StatusBadge } from '../ui/status.tsx';
import { Time } from '../ui/time.tsx';

type Severity = ControlPosture['severity'];

const STATE: Record<ControlException['state'], { tone: string; label: string }> = {
  requested: { tone: 'stale', label: 'Requested' },
  approved: { tone: 'pass', label: 'Approved' },
  rejected: { tone: 'fail', label: 'Rejected' },
  expired: { tone: 'neutral', label: 'Expired' },
  revoked: { tone: 'neutral', label: 'Revoked' },
};

/** Requests waiting for a decision first, then those in force, then the rest; newest first within each. */
const ORDER: Record<ControlException['state'], number> = { requested: 0, approved: 1, rejected: 2, revoked: 3, expired: 3 };

/** The caller as the server's four-eyes rule names people (engine/http/routes/control-routes.ts `person`). */
const identityOf = (user: { id: string; via: string }) => `${user.via === 'api_key' ? 'key' : 'user'}:${user.id}`;

const isUrl = (ticket: string) => /^https?:\/\//.test(ticket);

/** A recorded actor ("Name (key id)" / "Name (user subject)") by name, the identity on hover. */
function Person(props: { actor: string }) {
  const name = props.actor.replace(/ \((key|user) [^)]*\)$/, '');
  return <span title={props.actor}>{name}</span>;
}

export default function ExceptionsPage() {
  const { can } = useSession();
  const mayAct = can('exceptions', 'approve');
  const exceptions = useExceptions();
  const controls = useControls({ enabled: can('controls', 'read') });
  const byId = new Map((controls.data ?? []).map((c) => [c.id, c]));

  return (
    <Page
      title="Exceptions"
      lead="The register of control exceptions: a time-limited waiver under which a failing control counts as satisfied for an integration's readiness. One person requests it with a ticket, another approves it; its length is capped by the control's severity."
    >
      <QueryState query={exceptions} label="Loading exceptions…">
        {(all) => (
          <>
            <Warnings exceptions={all} mayAct={mayAct} />
            <Panel title="Register">
              <Register exceptions={all} controls={byId} mayAct={mayAct} />
            </Panel>
          </>
        )}
      </QueryState>
      {mayAct ? (
        <Panel title="Request an exception">
          <RequestForm controls={controls.data ?? []} />
        </Panel>
      ) : (
        <p className="small muted">Read-only: your role may read the register but not request or decide exceptions.</p>
      )}
    </Page>
  );
}

function Warnings(props: { exceptions: ControlException[]; mayAct: boolean }) {
  const soon = props.exceptions.filter((e) => e.expiresSoon).sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
  const waiting = props.exceptions.filter((e) => e.state === 'requested');
  if (!soon.length && !(props.mayAct && waiting.length)) return null;
  return (
    <div className="exception-warnings">
      {soon.length ? (
        <div className="notice notice-warn" role="note" aria-label="Expiring soon">
          <strong>
            {soon.length === 1 ? '1 exception expires' : `${soon.length} exceptions expire`} soon: fix the control or request a new exception before readiness
            drops.
          </strong>
          <ul>
            {soon.map((e) => (
              <li key={e.id}>
                {e.controlId} ({e.integrationId ? integrationName(e.integrationId) : 'all integrations'}) until <Time value={e.expiresAt} />
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {props.mayAct && waiting.length ? (
        <p className="notice" role="note">
          {waiting.length === 1 ? '1 request waits' : `${waiting.length} requests wait`} for a second person to approve or reject.
        </p>
      ) : null}
    </div>
  );
}

function Register(props: { exceptions: ControlException[]; controls: Map<string, ControlPosture>; mayAct: boolean }) {
  const { session } = useSession();
  const me = session ? identityOf(session.user) : '';
  const queryClient = useQueryClient();
  const [rejecting, setRejecting] = useState<string | undefined>();
  const done = () => invalidateAfterException(queryClient);
  const approve = useMutation({
    mutationFn: (id: string) => call(client.POST('/v1/exceptions/{id}/approve', { params: { path: { id } } })),
    onSuccess: done,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => call(client.DELETE('/v1/exceptions/{id}', { params: { path: { id } } })),
    onSuccess: done,
  });
  const rows = [...props.exceptions].sort((a, b) => ORDER[a.state] - ORDER[b.state] || b.createdAt.localeCompare(a.createdAt));
  if (!rows.length) return <Empty>No exception has been requested.</Empty>;
  const busy = approve.isPending || revoke.isPending;

  return (
    <>
      {/* focusable: on a phone the table scrolls sideways (axe: scrollable-region-focusable) */}
      <div className="table-wrap" tabIndex={0}>
        <table aria-label="Exception register" className="exceptions-table">
          <thead>
            <tr>
              <th scope="col">Control</th>
              <th scope="col">Integration</th>
              <th scope="col">Requested by</th>
              <th scope="col">Reason and ticket</th>
              <th scope="col">Approved by</th>
              <th scope="col">In force</th>
              <th scope="col">State</th>
              {props.mayAct ? (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => {
              const control = props.controls.get(e.controlId);
              const state = STATE[e.state];
              const mine = e.requestedById !== null && e.requestedById === me;
              return (
                <tr key={e.id} data-exception={e.id} data-state={e.state}>
                  <td>
                    <Link to={`/controls/${e.controlId}`}>{e.controlId}</Link>
                    {control ? (
                      <span className="small muted block">
                        {control.severity}, now <StatusBadge status={control.status} />
                      </span>
                    ) : null}
                  </td>
                  <td>{e.integrationId ? integrationName(e.integrationId) : 'All integrations'}</td>
                  <td>
                    {e.requestedBy ? <Person actor={e.requestedBy} /> : <span className="muted">not recorded (before requests)</span>}
                    <span className="small muted block">
                      <Time value={e.createdAt} mode="date" />
                    </span>
                  </td>
                  <td className="reason-cell">
                    {e.reason}
                    <span className="small block">
                      {e.ticket === null ? (
                        <span className="muted">no ticket (before requests)</span>
                      ) : isUrl(e.ticket) ? (
                        <a href={e.ticket} target="_blank" rel="noreferrer noopener">
                          {e.ticket}
                        </a>
                      ) : (
                        <code>{e.ticket}</code>
                      )}
                    </span>
                  </td>
                  <td>
                    {e.approvedBy ? (
                      <Person actor={e.approvedBy} />
                    ) : e.rejectedBy ? (
                      <>
                        Rejected by <Person actor={e.rejectedBy} />
                        <span className="small muted block">{e.rejectionReason}</span>
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td>
                    {e.approvedAt ? (
                      <span className="block">
                        from <Time value={e.approvedAt} mode="date" />
                      </span>
                    ) : null}
                    <span className="block">
                      until <Time value={e.expiresAt} mode="date" />
                    </span>
                  </td>
                  <td>
                    <StatusBadge status={state.tone} label={state.label} />
                    {e.expiresSoon ? (
                      <span className="block">
                        <StatusBadge status="stale" label="Expires soon" />
                      </span>
                    ) : null}
                    {e.revokedAt ? (
                      <span className="small muted block">
                        by {e.revokedBy ?? 'unknown'}, <Time value={e.revokedAt} />
                      </span>
                    ) : null}
                  </td>
                  {props.mayAct ? (
                    <td className="actions-cell">
                      {e.state === 'requested' ? (
                        mine ? (
                          <span className="small muted block">Yours: another person decides.</span>
                        ) : (
                          <>
                            <button type="button" className="btn btn-primary btn-small" disabled={busy} onClick={() => approve.mutate(e.id)}>
                              {approve.isPending && approve.variables === e.id ? 'Approving…' : 'Approve'}
                            </button>{' '}
                            <button
                              type="button"
                              className="btn btn-small"
                              disabled={busy}
                              aria-expanded={rejecting === e.id}
                              onClick={() => setRejecting(rejecting === e.id ? undefined : e.id)}
                            >
                              Reject
                            </button>
                          </>
                        )
                      ) : null}
                      {e.state === 'requested' || e.state === 'approved' ? (
                        <button type="button" className="btn btn-danger btn-small" disabled={busy} onClick={() => revoke.mutate(e.id)}>
                          {revoke.isPending && revoke.variables === e.id ? 'Revoking…' : e.state === 'requested' ? 'Withdraw' : 'Revoke'}
                        </button>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p role="status" className={approve.isSuccess || revoke.isSuccess ? 'notice notice-good' : 'live-empty'}>
        {approve.isSuccess ? 'Exception approved' : revoke.isSuccess ? 'Exception revoked' : ''}
      </p>
      {approve.isError ? <ErrorState title="Could not approve the exception" error={approve.error} /> : null}
      {revoke.isError ? <ErrorState title="Could not revoke the exception" error={revoke.error} /> : null}
      {rejecting ? <RejectForm id={rejecting} exception={rows.find((r) => r.id === rejecting)} onDone={() => setRejecting(undefined)} /> : null}
    </>
  );
}

function RejectForm(props: { id: string; exception?: ControlException; onDone: () => void }) {
  const queryClient = useQueryClient();
  const ids = { reason: useId(), title: useId() };
  const [reason, setReason] = useState('');
  const reject = useMutation({
    mutationFn: (body: RequestBody<'/v1/exceptions/{id}/reject', 'post'>) =>
      call(client.POST('/v1/exceptions/{id}/reject', { params: { path: { id: props.id } }, body })),
    onSuccess: async () => {
      await invalidateAfterException(queryClient);
      props.onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    reject.mutate({ reason: reason.trim() });
  };
  return (
    <form className="form exception-form" onSubmit={submit} aria-labelledby={ids.title}>
      <h3 id={ids.title}>Reject the request for {props.exception?.controlId ?? 'this exception'}</h3>
      <div className="field">
        <label htmlFor={ids.reason}>Why it is rejected</label>
        <textarea id={ids.reason} required minLength={10} maxLength={2000} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-danger" disabled={reject.isPending}>
          Reject request
        </button>{' '}
        <button type="button" className="btn btn-ghost" onClick={props.onDone}>
          Cancel
        </button>
      </div>
      {reject.isError ? <ErrorState title="Could not reject the request" error={reject.error} /> : null}
    </form>
  );
}

/** yyyy-mm-dd of a date in the viewer's zone (what <input type=date> shows). */
const localDate = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const daysFromNow = (n: number) => {
  const d = new Date();
  d.setDate(d.getDate() + n);
  return d;
};

/**
 * The request form: control, integration, reason, ticket and the last day, at most as long as the control's severity
 * allows (the server checks it either way and says the limit when it refuses).
 */
export function RequestForm(props: { controls: ControlPosture[]; controlId?: string; integrations?: IntegrationReadiness[] }) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const integrations = useIntegrations({ enabled: !props.integrations && can('integrations', 'read') });
  // The limits come with the register (any reader of exceptions may see them); they change only with the settings.
  const limits = useQuery({
    queryKey: ['exceptions', 'limits'],
    queryFn: ({ signal }) => call(client.GET('/v1/exceptions', { params: { query: { all: 'false' } }, signal })).then((r) => r.limits),
    staleTime: Infinity,
  });
  const ids = { control: useId(), integration: useId(), reason: useId(), ticket: useId(), ticketHint: useId(), expires: useId(), expiresHint: useId() };
  const [controlId, setControlId] = useState(props.controlId ?? '');
  const [integration, setIntegration] = useState('');
  const [reason, setReason] = useState('');
  const [ticket, setTicket] = useState('');
  const [expires, setExpires] = useState(() => localDate(daysFromNow(7)));
  const severity: Severity | undefined = props.controls.find((c) => c.id === controlId)?.severity;
  const maxDays = severity ? limits.data?.maxDays[severity] : undefined;
  const request = useMutation({
    mutationFn: (body: RequestBody<'/v1/exceptions', 'post'>) => call(client.POST('/v1/exceptions', { body })),
    onSuccess: async () => {
      await invalidateAfterException(queryClient);
      setReason('');
      setTicket('');
      setIntegration('');
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const [y, m, d] = expires.split('-').map(Number);
    // The exception lasts to the end of the chosen day in the viewer's zone.
    const expiresAt = new Date(y!, m! - 1, d!, 23, 59, 59).toISOString();
    request.mutate({ controlId, ...(integration ? { integrationId: integration } : {}), reason: reason.trim(), ticket: ticket.trim(), expiresAt });
  };
  const integrationList = props.integrations ?? integrations.data ?? [];

  return (
    <form className="form exception-form" onSubmit={submit} aria-label="Request an exception">
      <div className="form-row">
        {props.controlId ? null : (
          <div className="field">
            <label htmlFor={ids.control}>Control</label>
            <select id={ids.control} required value={controlId} onChange={(e) => setControlId(e.target.value)}>
              <option value="">Choose a control</option>
              {props.controls.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.id} ({c.severity})
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor={ids.integration}>Integration</label>
          <select id={ids.integration} value={integration} onChange={(e) => setIntegration(e.target.value)}>
            <option value="">All integrations</option>
            {integrationList.map((i) => (
              <option key={i.integrationId} value={i.integrationId}>
                {integrationName(i.integrationId)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.expires}>Expires on</label>
          <input
            id={ids.expires}
            type="date"
            required
            value={expires}
            min={localDate(daysFromNow(1))}
            max={maxDays ? localDate(daysFromNow(maxDays - 1)) : undefined}
            aria-describedby={ids.expiresHint}
            onChange={(e) => setExpires(e.target.value)}
          />
          <span className="hint" id={ids.expiresHint}>
            At the end of that day;{' '}
            {maxDays && severity ? `at most ${maxDays} days for a ${severity} control.` : 'at most 14 days for a critical control, 180 for a low one.'}
          </span>
        </div>
        <div className="field">
          <label htmlFor={ids.ticket}>Ticket</label>
          <input
            id={ids.ticket}
            required
            maxLength={300}
            placeholder="SEC-123"
            value={ticket}
            aria-describedby={ids.ticketHint}
            onChange={(e) => setTicket(e.target.value)}
          />
          <span className="hint" id={ids.ticketHint}>
            A ticket id (SEC-123, #482) or link.
          </span>
        </div>
      </div>
      <div className="field">
        <label htmlFor={ids.reason}>Reason</label>
        <textarea id={ids.reason} required minLength={10} maxLength={2000} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
        <span className="hint">Why the risk is accepted and what compensates for it (at least 10 characters). Recorded with your name.</span>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={request.isPending} aria-busy={request.isPending}>
          {request.isPending ? <span className="spinner" aria-hidden="true" /> : null}
          Request exception
        </button>
      </div>
      <p role="status" className={request.isSuccess ? 'notice notice-good' : 'live-empty'}>
        {request.isSuccess ? 'Exception requested: another person must approve it before it counts.' : ''}
      </p>
      {request.isError ? <ErrorState title="Could not request the exception" error={request.error} /> : null}
    </form>
  );
}
