import type { SettingsView } from '../../api/models.ts';
import { duration } from '../../ui/format.ts';
import { Panel } from '../../ui/page.tsx';
import { StatusBadge } from '../../ui/status.tsx';
import { Section, Tags } from './parts.tsx';

export function AccountsPanel({ s }: { s: SettingsView }) {
  const accounts = s.aws?.accounts ?? [];
  const environments = s.environments;
  const probes = s.probes;
  const groups = s.logScan?.groups ?? [];
  const keys = s.attestations.trustedKeys;
  const db = s.platformDatabase;
  return (
    <Panel title="Accounts and endpoints">
      {s.demo ? (
        <p className="notice">
          <strong>Demo settings.</strong> This server runs with <code>--demo</code>: these are the demo’s own accounts and endpoints, not a real platform’s.
        </p>
      ) : null}
      {s.source && s.source !== 'demo' ? (
        <p className="small">
          Settings file: <code>{s.source}</code>
        </p>
      ) : null}

      <Section title="AWS accounts">
        {accounts.length === 0 ? (
          <p className="muted">No AWS account is configured: the AWS controls have nothing to check.</p>
        ) : (
          <>
            <div className="table-wrap">
              <table aria-label="AWS accounts">
                <thead>
                  <tr>
                    <th scope="col">Account</th>
                    <th scope="col">Regions</th>
                    <th scope="col">Role assumed</th>
                    <th scope="col">External id</th>
                  </tr>
                </thead>
                <tbody>
                  {accounts.map((a, i) => (
                    <tr key={`${a.accountId}\n${i}`}>
                      <td className="mono">{a.accountId}</td>
                      <td>
                        <Tags items={a.regions ?? []} mono />
                      </td>
                      <td className="mono wrap-anywhere">{a.roleArn ?? <span className="muted">default credentials</span>}</td>
                      <td>{a.externalId ? 'configured (not shown)' : <span className="muted">none</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {s.aws?.endpoint || s.aws?.requestTimeoutMs || s.aws?.maxAttempts ? (
              <p className="muted small">
                {s.aws.endpoint ? (
                  <>
                    Endpoint override: <code>{s.aws.endpoint}</code>.{' '}
                  </>
                ) : null}
                {s.aws.requestTimeoutMs ? `Request timeout ${duration(s.aws.requestTimeoutMs)}. ` : null}
                {s.aws.maxAttempts ? `Up to ${s.aws.maxAttempts} attempts per call.` : null}
              </p>
            ) : null}
          </>
        )}
      </Section>

      {environments.length ? (
        <Section title="Environments">
          <div className="table-wrap">
            <table aria-label="Environments">
              <thead>
                <tr>
                  <th scope="col">Environment</th>
                  <th scope="col">Accounts</th>
                  <th scope="col">Resources</th>
                </tr>
              </thead>
              <tbody>
                {environments.map((e, i) => (
                  <tr key={`${e.environment}\n${i}`}>
                    <td>{e.environment}</td>
                    <td>
                      <Tags items={e.accounts} mono />
                    </td>
                    <td className="wrap-anywhere">
                      <Tags items={e.resources} mono />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted small">Resources without an environment tag are placed by account or by resource id.</p>
        </Section>
      ) : null}

      <Section title="Endpoints probed">
        {probes.length === 0 ? (
          <p className="muted">No endpoint is probed.</p>
        ) : (
          <div className="table-wrap">
            <table aria-label="Probes">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">URL</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {probes.map((p, i) => (
                  <tr key={`${p.name}\n${i}`}>
                    <td>{p.name}</td>
                    <td>{p.kind === 'webhook' ? 'Webhook signature' : 'Orders API (PII)'}</td>
                    <td className="mono wrap-anywhere">{p.url}</td>
                    <td className="small">
                      {p.kind === 'webhook' ? (
                        <>
                          <div>Provider: {p.provider}</div>
                          <div>
                            Signature header: <code>{p.signatureHeader}</code>
                          </div>
                        </>
                      ) : p.headers.length ? (
                        <div>
                          Headers from the environment: <code>{p.headers.join(', ')}</code>
                        </div>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {s.probeHosts ? (
          <div className="small settings-line">
            Only these hosts are ever probed: <Tags items={s.probeHosts} empty="none allowed" mono />
            {s.probeTimeoutMs ? <span className="muted"> Timeout {duration(s.probeTimeoutMs)}.</span> : null}
          </div>
        ) : null}
      </Section>

      <Section title="Log groups scanned for PII">
        {!s.logScan || groups.length === 0 ? (
          <p className="muted">No log group is scanned.</p>
        ) : (
          <>
            <div className="table-wrap">
              <table aria-label="Log groups">
                <thead>
                  <tr>
                    <th scope="col">Log group</th>
                    <th scope="col">Account</th>
                    <th scope="col">Region</th>
                    <th scope="col">Source</th>
                  </tr>
                </thead>
                <tbody>
                  {groups.map((g, i) => (
                    <tr key={`${g.logGroupName}\n${g.source === 'cloudwatch' ? g.accountId : ''}\n${i}`}>
                      <td className="mono wrap-anywhere">{g.logGroupName}</td>
                      <td className="mono">{g.source === 'cloudwatch' ? g.accountId : '—'}</td>
                      <td className="mono">{g.source === 'cloudwatch' ? g.region : '—'}</td>
                      <td>{g.source === 'export' ? 'Exported file' : 'CloudWatch Logs'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {s.logScan.windowHours ? (
              <p className="muted small">
                Without a recorded deployment, each scan covers the last {s.logScan.windowHours} hours.
                {s.logScan.insightsPrefilter ? ' Large groups are prefiltered with CloudWatch Logs Insights.' : ''}
              </p>
            ) : null}
          </>
        )}
      </Section>

      {db !== undefined ? (
        <Section title="Platform database">
          {!db ? (
            <p className="muted">Not configured: the controls that read the platform’s database have nothing to check.</p>
          ) : (
            <dl className="facts">
              <dt>Status</dt>
              <dd>{db.status === 'missing' ? <StatusBadge status="missing" label="URL variable not set" /> : <StatusBadge status="configured" />}</dd>
              {db.host ? (
                <>
                  <dt>Host</dt>
                  <dd className="mono">{db.host}</dd>
                </>
              ) : null}
              {db.database ? (
                <>
                  <dt>Database</dt>
                  <dd className="mono">{db.database}</dd>
                </>
              ) : null}
              {db.statementTimeoutMs ? (
                <>
                  <dt>Statement timeout</dt>
                  <dd>{duration(db.statementTimeoutMs)}</dd>
                </>
              ) : null}
            </dl>
          )}
        </Section>
      ) : null}

      {s.attestations ? (
        <Section title="Trusted attestation keys">
          {keys.length === 0 ? (
            <p className="muted">No key may sign attestations.</p>
          ) : (
            <div className="table-wrap">
              <table aria-label="Trusted attestation keys">
                <thead>
                  <tr>
                    <th scope="col">Key id</th>
                    <th scope="col">Fingerprint</th>
                  </tr>
                </thead>
                <tbody>
                  {keys.map((k, i) => (
                    <tr key={`${k.kid}\n${i}`}>
                      <td className="mono">{k.kid}</td>
                      <td>
                        <code className="hash">{k.fingerprint}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Section>
      ) : null}

      {s.snapshots.length ? (
        <Section title="AWS Config snapshots">
          <Tags items={s.snapshots} mono />
        </Section>
      ) : null}
    </Panel>
  );
}
