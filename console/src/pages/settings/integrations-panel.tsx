import { Link } from 'react-router';
import type { SettingsView } from '../../api/models.ts';
import { integrationName } from '../../ui/format.ts';
import { Panel } from '../../ui/page.tsx';
import { Empty } from '../../ui/states.tsx';

export function IntegrationsPanel({ s }: { s: SettingsView }) {
  const integrations = s.integrations;
  return (
    <Panel title="Integrations and the controls they need">
      {integrations.length === 0 ? (
        <Empty>No restricted integration is configured.</Empty>
      ) : (
        <div className="table-wrap">
          <table aria-label="Integrations and their controls">
            <thead>
              <tr>
                <th scope="col">Integration</th>
                <th scope="col">Controls that must pass</th>
              </tr>
            </thead>
            <tbody>
              {integrations.map((i) => (
                <tr key={i.id}>
                  <td>
                    {integrationName(i.id)}
                    <div className="muted small mono">{i.id}</div>
                  </td>
                  <td>
                    <ul className="taglist-inline">
                      {i.controls.map((c) => (
                        <li key={c} className="tag mono">
                          <Link to={`/controls/${encodeURIComponent(c)}`}>{c}</Link>
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
