import { Panel } from '../../ui/page.tsx';
import { Empty } from '../../ui/states.tsx';
import { StatusBadge } from '../../ui/status.tsx';
import { Time } from '../../ui/time.tsx';
import { SET_LABEL, type PolicySet } from './model.ts';

const STATUS: Record<string, { badge: string; label: string }> = {
  active: { badge: 'pass', label: 'Active' },
  superseded: { badge: 'superseded', label: 'Superseded' },
  rejected: { badge: 'fail', label: 'Rejected' },
};

export function VersionsPanel(props: { policySet: PolicySet }) {
  const { policySet: ps } = props;
  const label = SET_LABEL[ps.name];
  return (
    <Panel title="Versions" actions={<span className="tag">{label} set</span>}>
      <p className="muted small">
        Every proposed version of the {label} set, newest first. A rejected version failed validation or its decision tables and never served.
      </p>
      {ps.versions.length === 0 ? (
        <Empty>No versions recorded yet.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="pol-table">
            <caption className="visually-hidden">Versions</caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Version
                </th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">By</th>
                <th scope="col">Comment</th>
                <th scope="col">Hash</th>
              </tr>
            </thead>
            <tbody>
              {ps.versions.map((v) => {
                const s = STATUS[v.status] ?? { badge: v.status, label: v.status };
                return (
                  <tr key={`${v.version}-${v.hash}`}>
                    <td className="num">v{v.version}</td>
                    <td>
                      <StatusBadge status={s.badge} label={s.label} />
                    </td>
                    <td>
                      <Time value={v.createdAt} />
                    </td>
                    <td className="pol-cell-wrap">{v.createdBy}</td>
                    <td className="pol-cell-wrap">{v.comment ?? <span className="muted">—</span>}</td>
                    <td>
                      <span className="hash" title={v.hash}>
                        {v.hash.slice(0, 12)}
                        <span aria-hidden="true">…</span>
                        <span className="visually-hidden">{v.hash.slice(12)}</span>
                      </span>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
