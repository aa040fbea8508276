import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { call, client } from '../../api.ts';
import type { ControlException, ControlPosture, IntegrationReadiness } from '../../api/models.ts';
import { invalidateAfterException, useExceptions, useIntegrations } from '../../queries.ts';
import { useSession } from '../../session.tsx';
import { Empty, ErrorState, QueryState } from '../../ui/states.tsx';
import { StatusBadge } from '../../ui/status.tsx';
import { Time } from '../../ui/time.tsx';
import { titledIntegrationName as integrationName } from '../../ui/format.ts';
import { RequestForm } from '../exceptions.tsx';

const STATE: Record<ControlException['state'], { tone: string; label: string }> = {
  requested: { tone: 'stale', label: 'Requested' },
  approved: { tone: 'pass', label: 'Approved' },
  rejected: { tone: 'fail', label: 'Rejected' },
  expired: { tone: 'neutral', label: 'Expired' },
  revoked: { tone: 'neutral', label: 'Revoked' },
};

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
        An approved exception makes this control count as satisfied for integration readiness until it expires, even while it does not pass. One person requests
        it with a ticket; another approves it on the <Link to="/exceptions">Exceptions</Link> page.
      </p>
      {mayRead ? (
        <QueryState query={exceptions} label="Loading exceptions…">
          {(all) => {
            const rows = all
              .filter((e) => e.controlId === props.control.id)
              .sort((a, b) => Number(b.active) - Number(a.active) || b.createdAt.localeCompare(a.createdAt));
            if (!rows.length) return <Empty>No exception has been requested for this control.</Empty>;
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
                      const state = STATE[e.state];
                      return (
                        <tr key={e.id}>
                          <td>{e.integrationId ? integrationName(e.integrationId) : 'All integrations'}</td>
                          <td className="reason-cell">{e.reason}</td>
                          <td>
                            {e.approvedBy ?? (e.state === 'requested' ? <Link to="/exceptions">Waiting for approval</Link> : '—')}
                            {e.approvedAt ? (
                              <span className="small muted block">
                                <Time value={e.approvedAt} />
                              </span>
                            ) : null}
                          </td>
                          <td className="nowrap">
                            <Time value={e.expiresAt} />
                          </td>
                          <td>
                            <StatusBadge status={state.tone} label={state.label} />
                            {e.revokedAt ? (
                              <span className="small muted block">
                                by {e.revokedBy ?? 'unknown'}, <Time value={e.revokedAt} />
                              </span>
                            ) : null}
                          </td>
                          {mayApprove ? (
                            <td>
                              {e.state === 'approved' ? (
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
          <h3>Request an exception</h3>
          {props.integrationsState?.isError ? (
            <p className="small muted">The integrations could not be loaded: the exception can still cover all of them.</p>
          ) : null}
          <RequestForm controls={[props.control]} controlId={props.control.id} integrations={props.integrations} />
        </>
      ) : null}
    </>
  );
}
