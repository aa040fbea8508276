import { Link } from 'react-router';
import type { SettingsView } from '../../api/models.ts';
import { useControls } from '../../queries.ts';
import { useSession } from '../../session.tsx';
import { duration } from '../../ui/format.ts';
import { Panel } from '../../ui/page.tsx';
import { Empty } from '../../ui/states.tsx';
import { Time } from '../../ui/time.tsx';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const int = (x: string) => (/^\d+$/.test(x) ? Number(x) : null);
const hhmm = (h: number, m: number) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;

/** A cron pattern in words, for the common shapes; null when it is not one of them (the pattern is shown anyway). */
function describeCron(pattern: string): string | null {
  let f = pattern.trim().split(/\s+/);
  if (f.length === 6) {
    if (f[0] !== '0') return null;
    f = f.slice(1);
  }
  if (f.length !== 5) return null;
  const [min, hour, dom, mon, dow] = f;
  if (mon !== '*') return null;
  const m = int(min);
  const h = int(hour);
  const step = (x: string) => (/^\*\/\d+$/.test(x) ? Number(x.slice(2)) : null);
  if (dom === '*' && dow === '*') {
    if (min === '*' && hour === '*') return 'Every minute';
    if (step(min) && hour === '*') return `Every ${step(min)} minutes`;
    if (m !== null && hour === '*') return m === 0 ? 'Every hour, on the hour' : `Every hour at minute ${m}`;
    if (m !== null && step(hour)) return `Every ${step(hour)} hours at minute ${m}`;
    if (m !== null && h !== null) return `Every day at ${hhmm(h, m)} (server time)`;
    return null;
  }
  const d = int(dow);
  if (dom === '*' && d !== null && d <= 7 && m !== null && h !== null) return `Every ${WEEKDAYS[d]} at ${hhmm(h, m)} (server time)`;
  const day = int(dom);
  if (dow === '*' && day !== null && m !== null && h !== null) return `Day ${day} of every month at ${hhmm(h, m)} (server time)`;
  return null;
}

export function SchedulesPanel({ s }: { s: SettingsView }) {
  const { can } = useSession();
  const schedules = s.schedules;
  // Titles and last runs, when the role may read controls.
  const controls = useControls({ enabled: can('controls', 'read') && schedules.length > 0 });
  const byId = new Map((controls.data ?? []).map((c) => [c.id, c]));
  return (
    <Panel title="Schedules">
      {schedules.length === 0 ? (
        <Empty>No control is scheduled.</Empty>
      ) : (
        <>
          {controls.isError ? <p className="muted small">Control titles could not be loaded; the ids are shown.</p> : null}
          <div className="table-wrap">
            <table aria-label="Schedules" className="schedules-table">
              <thead>
                <tr>
                  <th scope="col">Control</th>
                  <th scope="col">Schedule (cron)</th>
                  <th scope="col">In words</th>
                  <th scope="col">Last run</th>
                </tr>
              </thead>
              <tbody>
                {schedules.map((sc, i) => {
                  const c = byId.get(sc.controlId);
                  const words = describeCron(sc.cron);
                  return (
                    <tr key={`${sc.controlId}\n${i}`}>
                      <td>
                        <Link to={`/controls/${encodeURIComponent(sc.controlId)}`}>{c?.title ?? sc.controlId}</Link>
                        {c ? <div className="muted small mono">{sc.controlId}</div> : null}
                      </td>
                      <td>
                        <code>{sc.cron}</code>
                        {sc.overridden ? <div className="muted small">set in the settings file</div> : null}
                      </td>
                      <td>{words ?? <span className="muted">—</span>}</td>
                      <td>{c ? <Time value={c.lastRun?.startedAt} /> : <span className="muted">—</span>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {s.runTimeoutMs ? <p className="muted small">A run that takes longer than {duration(s.runTimeoutMs)} is recorded as an error.</p> : null}
        </>
      )}
    </Panel>
  );
}
