import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { call, client, type RequestBody } from '../../api.ts';
import type { ControlException, ControlPosture, IntegrationReadiness } from '../../api/models.ts';
import { invalidateAfterException, useExceptions, useIntegrations } from '../../queries.ts';
import { useSession } from '../../session.tsx';
import { Empty, ErrorState, QueryState } from '../../ui/states.tsx';
import { StatusBadge } from '../../ui/status.tsx';
import { Time } from '../../ui/time.tsx';
import { titledIntegrationName as integrationName } from '../../ui/format.ts';

function exceptionState(e: ControlException): { status: string; label: string } {
  if (e.revokedAt) return { status: 'revoked', label: 'Revoked' };
  if (e.active) return { status: 'stale', label: 'Active' };
  return { status: 'expired', label: 'Expired' };
}

export function Exceptions(props: { control: ControlPosture; integrations: IntegrationReadiness[]; integrationsState?: ReturnType<typeof useIntegrations> }) {
  const { can } = useSession();
  const mayRead = can('exceptions', 'read');
  const mayApprove = can('exceptions', 'approve');
  const exceptions = useExceptions({ enabled: mayRead });
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: string) => call(client.DELETE('/v1/exceptions/{id}', { params: { path: { id } } })),
    onSuccess: () => invalidateAfterException(queryClient),
  });

  return (
    <>
      <p className="small muted">
        An approved exception makes this control count as satisfied for integration readiness until it expires, even while it does not pass.
      </p>
      {mayRead ? (
        <QueryState query={exceptions} label="Loading exceptions…">
          {(all) => {
            const rows = all
              .filter((e) => e.controlId === props.control.id)
              .sort((a, b) => Number(b.active) - Number(a.active) || b.createdAt.localeCompare(a.createdAt));
            if (!rows.length) return <Empty>No exception has been approved for this control.</Empty>;
            return (
              // focusable: on a phone the table scrolls sideways, and may hold nothing else to focus (axe: scrollable-region-focusable)
              <div className="table-wrap" tabIndex={0}>
                <table aria-label="Exceptions" className="exceptions-table">
                  <thead>
                    <tr>
                      <th scope="col">Integration</th>
                      <th scope="col">Reason</th>
                      <th scope="col">Approved by</th>
                      <th scope="col">Expires</th>
                      <th scope="col">State</th>
                      {mayApprove ? (
                        <th scope="col">
                          <span className="visually-hidden">Actions</span>
                        </th>
                      ) : null}
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((e) => {
                      const state = exceptionState(e);
                      return (
                        <tr key={e.id}>
                          <td>{e.integrationId ? integrationName(e.integrationId) : 'All integrations'}</td>
                          <td className="reason-cell">{e.reason}</td>
                          <td>
                            {e.approvedBy}
                            <span className="small muted block">
                              <Time value={e.createdAt} />
                            </span>
                          </td>
                          <td className="nowrap">
                            <Time value={e.expiresAt} />
                          </td>
                          <td>
                            <StatusBadge status={state.status} label={state.label} />
                            {e.revokedAt ? (
                              <span className="small muted block">
                                by {e.revokedBy ?? 'unknown'}, <Time value={e.revokedAt} />
                              </span>
                            ) : null}
                          </td>
                          {mayApprove ? (
                            <td>
                              {e.active && !e.revokedAt ? (
                                <button type="button" className="btn btn-danger btn-small" disabled={revoke.isPending} onClick={() => revoke.mutate(e.id)}>
                                  {revoke.isPending && revoke.variables === e.id ? 'Revoking…' : 'Revoke'}
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
            );
          }}
        </QueryState>
      ) : (
        <Empty>Your role may not read exceptions.</Empty>
      )}
      {mayApprove ? (
        <>
          <p role="status" className={revoke.isSuccess ? 'notice notice-good' : 'live-empty'}>
            {revoke.isSuccess ? 'Exception revoked' : ''}
          </p>
          {revoke.isError ? <ErrorState title="Could not revoke the exception" error={revoke.error} /> : null}
          <ApproveForm control={props.control} integrations={props.integrations} integrationsState={props.integrationsState} />
        </>
      ) : null}
    </>
  );
}

/** yyyy-mm-dd of a date in the viewer's zone (what <input type=date> shows). */
const localDate = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const daysFromNow = (n: number) => {
  const d = new Date();
  d.setDate(d.getDate() + n);
  return d;
};

function ApproveForm(props: { control: ControlPosture; integrations: IntegrationReadiness[]; integrationsState?: ReturnType<typeof useIntegrations> }) {
  const queryClient = useQueryClient();
  const ids = { integration: useId(), reason: useId(), reasonHint: useId(), expires: useId(), expiresHint: useId() };
  const [integration, setIntegration] = useState('');
  const [reason, setReason] = useState('');
  const [expires, setExpires] = useState(() => localDate(daysFromNow(30)));
  const approve = useMutation({
    mutationFn: (body: RequestBody<'/v1/exceptions', 'post'>) => call(client.POST('/v1/exceptions', { body })),
    onSuccess: async () => {
      await invalidateAfterException(queryClient);
      setReason('');
      setIntegration('');
      setExpires(localDate(daysFromNow(30)));
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const [y, m, d] = expires.split('-').map(Number);
    // The exception lasts to the end of the chosen day in the viewer's zone.
    const expiresAt = new Date(y!, m! - 1, d!, 23, 59, 59).toISOString();
    approve.mutate({ controlId: props.control.id, ...(integration ? { integrationId: integration } : {}), reason: reason.trim(), expiresAt });
  };

  return (
    <form className="form exception-form" onSubmit={submit} aria-labelledby={`${ids.integration}-title`}>
      <h3 id={`${ids.integration}-title`}>Approve an exception</h3>
      <div className="form-row">
        <div className="field">
          <label htmlFor={ids.integration}>Integration</label>
          <select id={ids.integration} value={integration} onChange={(e) => setIntegration(e.target.value)}>
            <option value="">All integrations</option>
            {props.integrations.map((i) => (
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
            max={localDate(daysFromNow(365))}
            aria-describedby={ids.expiresHint}
            onChange={(e) => setExpires(e.target.value)}
          />
          <span className="hint" id={ids.expiresHint}>
            At the end of that day; at most a year.
          </span>
        </div>
      </div>
      {props.integrationsState?.isError ? (
        <p className="small muted">The integrations could not be loaded: the exception can still cover all of them.</p>
      ) : null}
      <div className="field">
        <label htmlFor={ids.reason}>Reason</label>
        <textarea
          id={ids.reason}
          required
          minLength={10}
          maxLength={2000}
          rows={3}
          value={reason}
          aria-describedby={ids.reasonHint}
          onChange={(e) => setReason(e.target.value)}
        />
        <span className="hint" id={ids.reasonHint}>
          Why the risk is accepted and what compensates for it (at least 10 characters). Recorded with your name.
        </span>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={approve.isPending} aria-busy={approve.isPending}>
          {approve.isPending ? <span className="spinner" aria-hidden="true" /> : null}
          Approve exception
        </button>
      </div>
      <p role="status" className={approve.isSuccess ? 'notice notice-good' : 'live-empty'}>
        {approve.isSuccess ? 'Exception approved' : ''}
      </p>
      {approve.isError ? <ErrorState title="Could not approve the exception" error={approve.error} /> : null}
    </form>
  );
}
