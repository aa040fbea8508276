import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link } from 'react-router';
import { api } from '../api.ts';
import { ROLE_LABEL, useSession } from '../session.tsx';
import type { ControlPosture, TenetRole } from '../types.ts';
import { duration, integrationName } from '../ui/format.ts';
import { Page, Panel } from '../ui/page.tsx';
import { Empty, ErrorState, QueryState } from '../ui/states.tsx';
import { StatusBadge } from '../ui/status.tsx';
import { Time } from '../ui/time.tsx';

// ---- shapes (GET /v1/settings is read defensively: every part may be missing) --------------------------

interface ApiKeyInfo {
  id: string;
  name: string;
  role: TenetRole | string;
  prefix: string;
  createdAt: string;
  createdBy: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

interface SettingsView {
  source?: string;
  demo?: boolean;
  environments?: Array<{ environment?: string; name?: string; accounts?: string[]; resources?: string[] } | string>;
  aws?: {
    accounts?: Array<{ accountId: string; regions?: string[]; roleArn?: string; externalId?: string | null }>;
    endpoint?: string | null;
    requestTimeoutMs?: number;
    maxAttempts?: number;
  } | null;
  snapshots?: string[];
  probes?: Array<{ name: string; kind?: string; url?: string; provider?: string; signatureHeader?: string; headers?: string[] }>;
  probeHosts?: string[];
  probeTimeoutMs?: number;
  logScan?: {
    groups?: Array<{ logGroupName: string; accountId?: string; region?: string; source?: string }>;
    windowHours?: number;
    insightsPrefilter?: boolean;
  } | null;
  platformDatabase?: { status?: string; host?: string; database?: string | null; statementTimeoutMs?: number; backfillQuery?: boolean } | null;
  attestations?: { trustedKeys?: Array<{ kid: string; fingerprint?: string; subject?: string }> };
  schedules?: Array<{ controlId: string; cron: string; overridden?: boolean }>;
  integrations?: Array<{ id: string; controls?: string[] }>;
  requirements?: { logRetentionDays?: number; redactionAfterDays?: number; [k: string]: unknown };
  runTimeoutMs?: number;
  retention?: { decisionDays?: number; revealDays?: number; evidenceDays?: number };
}

const list = <T,>(x: T[] | null | undefined): T[] => (Array.isArray(x) ? x : []);
const ROLES: TenetRole[] = ['service', 'auditor', 'security_officer', 'admin'];
const roleLabel = (r: string): string => ROLE_LABEL[r] ?? r;

export default function SettingsPage() {
  const { can } = useSession();
  const settings = useQuery({ queryKey: ['settings'], queryFn: ({ signal }) => api<SettingsView>('/v1/settings', { signal }) });
  return (
    <Page title="Settings" lead="What Tenet checks and keeps, as configured. Secrets are never shown: credentials stay in the environment.">
      {can('api_keys', 'read') ? <ApiKeysPanel canWrite={can('api_keys', 'write')} /> : null}
      <QueryState query={settings} label="Loading settings…">
        {(s) => (
          <>
            <AccountsPanel s={s} />
            <IntegrationsPanel s={s} />
            <SchedulesPanel s={s} />
            <RetentionPanel s={s} />
          </>
        )}
      </QueryState>
    </Page>
  );
}

// ---- API keys ----------------------------------------------------------------------------------------------

function ApiKeysPanel(props: { canWrite: boolean }) {
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: ({ signal }) => api<{ keys: ApiKeyInfo[] }>('/v1/api-keys', { signal }) });
  const [revoked, setRevoked] = useState<string | null>(null);
  const revokedRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (revoked) revokedRef.current?.focus();
  }, [revoked]);

  return (
    <Panel title="API keys">
      <p className="muted small">
        Keys let services and scripts call Tenet with <code>Authorization: Bearer …</code>. Only a key’s prefix is stored in clear.
      </p>
      {props.canWrite ? <CreateKey onCreated={() => setRevoked(null)} /> : <p className="muted small">Your role may see keys, not create or revoke them.</p>}
      {revoked ? (
        <p className="notice notice-good" role="status" tabIndex={-1} ref={revokedRef}>
          Key “{revoked}” revoked: it stops working within seconds on every replica.
        </p>
      ) : null}
      <QueryState query={keys} label="Loading API keys…">
        {({ keys: rows }) =>
          rows.length === 0 ? (
            <Empty>No API keys yet.</Empty>
          ) : (
            <div className="table-wrap">
              <table aria-label="API keys" className="keys-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Role</th>
                    <th scope="col">Prefix</th>
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Status</th>
                    {props.canWrite ? <th scope="col">Actions</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((k) => (
                    <tr key={k.id}>
                      <td id={`key-${k.id}-name`}>{k.name}</td>
                      <td>{roleLabel(k.role)}</td>
                      <td>
                        <code>{k.prefix}…</code>
                      </td>
                      <td>
                        <Time value={k.createdAt} />
                        {k.createdBy ? <div className="muted small">by {k.createdBy}</div> : null}
                      </td>
                      <td>{k.lastUsedAt ? <Time value={k.lastUsedAt} /> : <span className="muted">Never</span>}</td>
                      <td>
                        {k.revokedAt ? (
                          <>
                            <StatusBadge status="revoked" />
                            <div className="muted small">
                              <Time value={k.revokedAt} />
                            </div>
                          </>
                        ) : (
                          <StatusBadge status="active" />
                        )}
                      </td>
                      {props.canWrite ? (
                        <td>{k.revokedAt ? <span className="muted">—</span> : <RevokeKey info={k} onRevoked={() => setRevoked(k.name)} />}</td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
    </Panel>
  );
}

/** "Revoke" → an inline "Are you sure? Revoke / Cancel" (Escape cancels); focus goes to Cancel, the safe choice. */
function RevokeKey(props: { info: ApiKeyInfo; onRevoked: () => void }) {
  const ids = useId();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  const revoke = useMutation({
    mutationFn: () => api(`/v1/api-keys/${encodeURIComponent(props.info.id)}`, { method: 'DELETE' }),
    onSuccess: async () => {
      props.onRevoked();
      await queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });

  useEffect(() => {
    if (confirming) cancelRef.current?.focus();
    else if (wasConfirming.current) openRef.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  const cancel = () => {
    setConfirming(false);
    revoke.reset();
  };

  if (!confirming)
    return (
      <button type="button" className="btn btn-danger" ref={openRef} onClick={() => setConfirming(true)} aria-describedby={`key-${props.info.id}-name`}>
        Revoke
      </button>
    );
  return (
    <div
      className="confirm-inline"
      role="group"
      aria-labelledby={`${ids}-q`}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !revoke.isPending) cancel();
      }}
    >
      <span id={`${ids}-q`}>
        Are you sure?<span className="visually-hidden"> Revoke the key “{props.info.name}”.</span>
      </span>
      <span className="confirm-buttons">
        <button type="button" className="btn btn-danger" disabled={revoke.isPending} onClick={() => revoke.mutate()} aria-describedby={`${ids}-q`}>
          {revoke.isPending ? 'Revoking…' : 'Revoke'}
        </button>
        <button type="button" className="btn" ref={cancelRef} disabled={revoke.isPending} onClick={cancel}>
          Cancel
        </button>
      </span>
      {revoke.isError ? (
        <p role="alert" className="notice notice-bad small">
          Could not revoke: {revoke.error.message}
        </p>
      ) : null}
    </div>
  );
}

function CreateKey(props: { onCreated: () => void }) {
  const ids = useId();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [role, setRole] = useState<TenetRole>('service');
  const [missing, setMissing] = useState(false);
  const create = useMutation({
    mutationFn: (body: { name: string; role: TenetRole }) => api<{ key: string; info: ApiKeyInfo }>('/v1/api-keys', { method: 'POST', body }),
    onSuccess: () => {
      setName('');
      props.onCreated();
      void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) {
      setMissing(true);
      return;
    }
    setMissing(false);
    create.mutate({ name: name.trim(), role });
  };

  return (
    <div className="create-key">
      <form className="form" onSubmit={submit} aria-label="Create an API key" noValidate>
        <div className="form-row">
          <div className="field">
            <label htmlFor={`${ids}-name`}>Key name</label>
            <input
              id={`${ids}-name`}
              value={name}
              required
              maxLength={200}
              autoComplete="off"
              placeholder="e.g. orders-service production"
              aria-invalid={missing || undefined}
              aria-describedby={missing ? `${ids}-missing` : undefined}
              onChange={(e) => {
                setName(e.target.value);
                if (e.target.value.trim()) setMissing(false);
              }}
            />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-role`}>Role</label>
            <select id={`${ids}-role`} value={role} onChange={(e) => setRole(e.target.value as TenetRole)} aria-describedby={`${ids}-role-hint`}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {roleLabel(r)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create key'}
          </button>
        </div>
        <p id={`${ids}-role-hint`} className="hint muted small">
          Give a key the least role it needs: Service for applications calling the authorization API, Auditor for read-only tools.
        </p>
      </form>
      {missing ? (
        <p id={`${ids}-missing`} role="alert" className="notice notice-bad">
          Enter a name for the key: it says what the key is for when you review or revoke it.
        </p>
      ) : null}
      {create.isError ? <ErrorState title="Could not create the key" error={create.error} /> : null}
      {create.isSuccess ? <NewKey key={create.data.info.id} secret={create.data.key} info={create.data.info} onDone={() => create.reset()} /> : null}
    </div>
  );
}

/** The new key, shown once. */
function NewKey(props: { secret: string; info: ApiKeyInfo; onDone: () => void }) {
  const ids = useId();
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  const boxRef = useRef<HTMLDivElement>(null);
  const codeRef = useRef<HTMLElement>(null);
  useEffect(() => {
    boxRef.current?.focus();
  }, []);

  const selectKey = () => {
    const el = codeRef.current;
    const sel = window.getSelection();
    if (!el || !sel) return;
    const range = document.createRange();
    range.selectNodeContents(el);
    sel.removeAllRanges();
    sel.addRange(range);
  };

  const doCopy = async () => {
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(props.secret);
      setCopy('copied');
    } catch {
      selectKey();
      setCopy('failed');
    }
  };

  return (
    <div className="new-key" ref={boxRef} tabIndex={-1} aria-labelledby={`${ids}-title`} role="region">
      <p id={`${ids}-title`} role="status">
        <strong>
          Key “{props.info.name}” created ({roleLabel(props.info.role)}).
        </strong>
      </p>
      <div className="secret-once">
        <p className="secret-warning">
          <span aria-hidden="true">! </span>Copy it now: it will not be shown again.
        </p>
        <code ref={codeRef} className="secret-value" aria-label="The new API key">
          {props.secret}
        </code>
      </div>
      <div className="build-actions">
        <button type="button" className="btn btn-primary" onClick={() => void doCopy()}>
          Copy
        </button>
        <button type="button" className="btn" onClick={props.onDone}>
          Done, hide the key
        </button>
      </div>
      {copy === 'copied' ? (
        <p role="status" className="small">
          <span aria-hidden="true">✓ </span>Copied to the clipboard.
        </p>
      ) : null}
      {copy === 'failed' ? (
        <p role="alert" className="notice notice-bad small">
          The browser did not allow copying. The key is selected: copy it with Ctrl+C (⌘C on a Mac).
        </p>
      ) : null}
    </div>
  );
}

// ---- what is checked --------------------------------------------------------------------------------------

function Section(props: { title: string; children: ReactNode }) {
  return (
    <section className="settings-section">
      <h3>{props.title}</h3>
      {props.children}
    </section>
  );
}

function Tags({ items, empty = 'none', mono }: { items: string[]; empty?: string; mono?: boolean }) {
  if (!items.length) return <span className="muted">{empty}</span>;
  return (
    <ul className="taglist-inline">
      {items.map((x, i) => (
        <li key={`${x}\n${i}`} className={mono ? 'tag mono' : 'tag'}>
          {x}
        </li>
      ))}
    </ul>
  );
}

function AccountsPanel({ s }: { s: SettingsView }) {
  const accounts = list(s.aws?.accounts);
  const environments = list(s.environments).map((e) =>
    typeof e === 'string'
      ? { environment: e, accounts: [], resources: [] }
      : { environment: e.environment ?? e.name ?? '—', accounts: list(e.accounts), resources: list(e.resources) },
  );
  const probes = list(s.probes);
  const groups = list(s.logScan?.groups);
  const keys = list(s.attestations?.trustedKeys);
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
        {s.aws === undefined && accounts.length === 0 ? (
          <p className="muted">Not reported by this server.</p>
        ) : accounts.length === 0 ? (
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
                        <Tags items={list(a.regions)} mono />
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
                    <td>{p.kind === 'webhook' ? 'Webhook signature' : p.kind === 'orders' ? 'Orders API (PII)' : (p.kind ?? '—')}</td>
                    <td className="mono wrap-anywhere">{p.url ?? '—'}</td>
                    <td className="small">
                      {p.provider ? <div>Provider: {p.provider}</div> : null}
                      {p.signatureHeader ? (
                        <div>
                          Signature header: <code>{p.signatureHeader}</code>
                        </div>
                      ) : null}
                      {list(p.headers).length ? (
                        <div>
                          Headers from the environment: <code>{list(p.headers).join(', ')}</code>
                        </div>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {s.probeHosts !== undefined ? (
          <div className="small settings-line">
            Only these hosts are ever probed: <Tags items={list(s.probeHosts)} empty="none allowed" mono />
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
                    <tr key={`${g.logGroupName}\n${g.accountId ?? ''}\n${i}`}>
                      <td className="mono wrap-anywhere">{g.logGroupName}</td>
                      <td className="mono">{g.accountId ?? '—'}</td>
                      <td className="mono">{g.region ?? '—'}</td>
                      <td>{g.source === 'export' ? 'Exported file' : g.source === 'cloudwatch' ? 'CloudWatch Logs' : (g.source ?? '—')}</td>
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
                      <td className="mono">
                        {k.kid}
                        {k.subject ? <div className="muted small">{k.subject}</div> : null}
                      </td>
                      <td>
                        <code className="hash">{k.fingerprint ?? '—'}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Section>
      ) : null}

      {list(s.snapshots).length ? (
        <Section title="AWS Config snapshots">
          <Tags items={list(s.snapshots)} mono />
        </Section>
      ) : null}
    </Panel>
  );
}

function IntegrationsPanel({ s }: { s: SettingsView }) {
  const integrations = list(s.integrations);
  if (s.integrations === undefined) return null;
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
                      {list(i.controls).map((c) => (
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

function SchedulesPanel({ s }: { s: SettingsView }) {
  const { can } = useSession();
  const schedules = list(s.schedules);
  // Titles and last runs, when the role may read controls (its own query key: the shape is this page's).
  const controls = useQuery({
    queryKey: ['settings', 'controls'],
    queryFn: ({ signal }) => api<{ controls: ControlPosture[] }>('/v1/controls', { signal }),
    enabled: can('controls', 'read') && schedules.length > 0,
  });
  if (s.schedules === undefined) return null;
  const byId = new Map((controls.data?.controls ?? []).map((c) => [c.id, c]));
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

function days(n: number | undefined): ReactNode {
  if (n === undefined || n === null) return <span className="muted">not reported</span>;
  const y = Math.round((n / 365) * 10) / 10;
  const years = n >= 365 ? ` (about ${y} ${y === 1 ? 'year' : 'years'})` : '';
  return `${n.toLocaleString()} ${n === 1 ? 'day' : 'days'}${years}`;
}

function RetentionPanel({ s }: { s: SettingsView }) {
  const r = s.retention;
  const req = s.requirements;
  return (
    <Panel title="Retention">
      {!r ? (
        <p className="muted">Not reported by this server.</p>
      ) : (
        <dl className="facts">
          <dt>Authorization decisions</dt>
          <dd>kept {days(r.decisionDays)}</dd>
          <dt>PII reveal audit</dt>
          <dd>kept {days(r.revealDays)}</dd>
          <dt>Evidence records</dt>
          <dd>kept {days(r.evidenceDays)}</dd>
        </dl>
      )}
      {req && (typeof req.logRetentionDays === 'number' || typeof req.redactionAfterDays === 'number') ? (
        <Section title="What the controls expect of the platform">
          <dl className="facts">
            {typeof req.logRetentionDays === 'number' ? (
              <>
                <dt>Operational logs kept at least</dt>
                <dd>{days(req.logRetentionDays)}</dd>
              </>
            ) : null}
            {typeof req.redactionAfterDays === 'number' ? (
              <>
                <dt>Buyer PII redacted within</dt>
                <dd>{days(req.redactionAfterDays)}</dd>
              </>
            ) : null}
          </dl>
        </Section>
      ) : null}
    </Panel>
  );
}
