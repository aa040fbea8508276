import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { call, client, type Answer, type RequestBody } from '../api.ts';
import { useSession } from '../session.tsx';
import { Page, Panel } from '../ui/page.tsx';
import { Empty, ErrorState, QueryState } from '../ui/states.tsx';
import { StatusBadge } from '../ui/status.tsx';
import { Time } from '../ui/time.tsx';

type Incident = Answer<'/v1/incidents'>['incidents'][number];
type Clock = Incident['clocks'][number];

const incidentsKey = ['incidents'] as const;
const incidentKey = (id: string) => ['incidents', id] as const;

/** The current time, updated every second: the clocks count down live. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

const pad = (n: number) => String(n).padStart(2, '0');
function span(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  return `${Math.floor(s / 3600)}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** A clock's live text: time left, or how long it has been overdue (red). */
function Countdown(props: { clock: Clock; now: number }) {
  const { clock, now } = props;
  if (clock.notifiedAt) {
    return clock.state === 'late' ? <StatusBadge status="fail" label="Notified late" /> : <StatusBadge status="pass" label="Notified in time" />;
  }
  const left = new Date(clock.dueAt).getTime() - now;
  if (left <= 0) {
    return (
      <span className="badge badge-bad" data-countdown="overdue" role="timer">
        Overdue by {span(left)}
      </span>
    );
  }
  return (
    <span className={left < 2 * 3_600_000 ? 'badge badge-warn' : 'badge badge-neutral'} data-countdown="running" role="timer">
      {span(left)} left
    </span>
  );
}

const STATUS: Record<Incident['status'], { tone: string; label: string }> = {
  open: { tone: 'fail', label: 'Open' },
  contained: { tone: 'stale', label: 'Contained' },
  closed: { tone: 'pass', label: 'Closed' },
};

export default function IncidentsPage() {
  const { id } = useParams();
  return id ? <IncidentDetail id={id} /> : <IncidentList />;
}

function IncidentList() {
  const { can } = useSession();
  const mayWrite = can('incidents', 'write');
  const now = useNow();
  const list = useQuery({ queryKey: incidentsKey, queryFn: ({ signal }) => call(client.GET('/v1/incidents', { signal })) });
  return (
    <Page
      title="Incidents"
      lead="The incident register: the ten steps of the incident response process, a notification clock per party (Amazon: 24 hours from detection when Amazon Information is involved), credential rotation, preserved evidence and the post-incident review."
    >
      <QueryState query={list} label="Loading incidents…">
        {(data) => (
          <Panel title="Register">
            {data.incidents.length === 0 ? (
              <Empty>No incidents recorded.</Empty>
            ) : (
              <div className="table-wrap" tabIndex={0}>
                <table aria-label="Incident register">
                  <thead>
                    <tr>
                      <th scope="col">Incident</th>
                      <th scope="col">Severity</th>
                      <th scope="col">Detected</th>
                      <th scope="col">Status</th>
                      <th scope="col">Clocks</th>
                      <th scope="col">Steps</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.incidents.map((i) => (
                      <tr key={i.id} data-incident={i.id}>
                        <td>
                          <Link to={`/incidents/${i.id}`}>{i.id}</Link>
                          <span className="block">{i.title}</span>
                        </td>
                        <td>{i.severity}</td>
                        <td>
                          <Time value={i.detectedAt} />
                        </td>
                        <td>
                          <StatusBadge status={STATUS[i.status].tone} label={STATUS[i.status].label} />
                        </td>
                        <td>
                          {i.clocks.length === 0 ? (
                            <span className="muted">none</span>
                          ) : (
                            i.clocks.map((c) => (
                              <span key={c.party} className="block">
                                {c.party}: <Countdown clock={c} now={now} />
                              </span>
                            ))
                          )}
                        </td>
                        <td>{i.steps.filter((s) => s.doneAt).length} of 10</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <p className="small muted">
              {data.webhookConfigured
                ? 'Signed notices go to the configured webhook when an incident opens and when a clock has 2 hours left.'
                : 'No webhook is configured (settings: incidents.webhook).'}{' '}
              Clocks:{' '}
              {Object.entries(data.clocks)
                .map(([p, h]) => `${p} ${h} h`)
                .join(', ')}
              .
            </p>
          </Panel>
        )}
      </QueryState>
      {mayWrite ? (
        <Panel title="Open an incident">
          <OpenForm />
        </Panel>
      ) : (
        <p className="small muted">Read-only: your role may read the register but not open or update incidents.</p>
      )}
    </Page>
  );
}

const listOf = (text: string) =>
  text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** datetime-local value for now, in the viewer's time zone */
function localNow(): string {
  const d = new Date();
  d.setSeconds(0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function OpenForm() {
  const ids = {
    title: useId(),
    severity: useId(),
    detected: useId(),
    integrations: useId(),
    categories: useId(),
    agencies: useId(),
    clients: useId(),
    credentials: useId(),
  };
  const [title, setTitle] = useState('');
  const [severity, setSeverity] = useState<Incident['severity']>('high');
  const [detected, setDetected] = useState(localNow);
  const [integrations, setIntegrations] = useState('');
  const [categories, setCategories] = useState('');
  const [agencies, setAgencies] = useState('');
  const [clients, setClients] = useState('');
  const [credentials, setCredentials] = useState('');
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const open = useMutation({
    mutationFn: (body: RequestBody<'/v1/incidents', 'post'>) => call(client.POST('/v1/incidents', { body })),
    onSuccess: async (incident) => {
      queryClient.setQueryData(incidentKey(incident.id), incident);
      await queryClient.invalidateQueries({ queryKey: incidentsKey });
      void navigate(`/incidents/${incident.id}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    open.mutate({
      title,
      severity,
      detectedAt: new Date(detected).toISOString(),
      integrations: listOf(integrations),
      dataCategories: listOf(categories),
      tenants: [...listOf(agencies).map((id) => ({ type: 'Agency' as const, id })), ...listOf(clients).map((id) => ({ type: 'Client' as const, id }))],
      credentials: listOf(credentials),
    });
  };
  return (
    <form className="form" onSubmit={submit} aria-label="Open an incident">
      <div className="field">
        <label htmlFor={ids.title}>Title</label>
        <input id={ids.title} required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
      </div>
      <div className="form-row">
        <div className="field">
          <label htmlFor={ids.severity}>Severity</label>
          <select id={ids.severity} value={severity} onChange={(e) => setSeverity(e.target.value as Incident['severity'])}>
            {['critical', 'high', 'medium', 'low'].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.detected}>Detected at</label>
          <input id={ids.detected} type="datetime-local" required value={detected} onChange={(e) => setDetected(e.target.value)} />
        </div>
      </div>
      <div className="form-row">
        <div className="field">
          <label htmlFor={ids.integrations}>Affected integrations</label>
          <input id={ids.integrations} placeholder="amazon_spapi, google_ads" value={integrations} onChange={(e) => setIntegrations(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.categories}>Data categories</label>
          <input id={ids.categories} placeholder="amazon-buyer-pii" value={categories} onChange={(e) => setCategories(e.target.value)} />
        </div>
      </div>
      <div className="form-row">
        <div className="field">
          <label htmlFor={ids.agencies}>Agencies affected</label>
          <input id={ids.agencies} placeholder="agency ids, comma separated" value={agencies} onChange={(e) => setAgencies(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.clients}>Clients affected</label>
          <input id={ids.clients} placeholder="client ids, comma separated" value={clients} onChange={(e) => setClients(e.target.value)} />
        </div>
      </div>
      <div className="field">
        <label htmlFor={ids.credentials}>Credentials to rotate</label>
        <textarea id={ids.credentials} rows={2} placeholder="one per line" value={credentials} onChange={(e) => setCredentials(e.target.value)} />
        <span className="hint">Names of credentials, never their values.</span>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={open.isPending} aria-busy={open.isPending}>
          Open incident
        </button>
      </div>
      {open.isError ? <ErrorState title="Could not open the incident" error={open.error} /> : null}
    </form>
  );
}

function IncidentDetail(props: { id: string }) {
  const { can } = useSession();
  const now = useNow();
  const incident = useQuery({
    queryKey: incidentKey(props.id),
    queryFn: ({ signal }) => call(client.GET('/v1/incidents/{id}', { params: { path: { id: props.id } }, signal })),
  });
  return (
    <Page title={`Incident ${props.id}`} lead={<Link to="/incidents">All incidents</Link>}>
      <QueryState query={incident} label="Loading the incident…">
        {(i) => <IncidentBody incident={i} now={now} mayWrite={can('incidents', 'write') && i.status !== 'closed'} />}
      </QueryState>
    </Page>
  );
}

/** One mutation shape for every update: the answer is the incident as it now is. */
function useUpdate(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (fn: () => Promise<Incident>) => fn(),
    onSuccess: async (incident) => {
      queryClient.setQueryData(incidentKey(id), incident);
      await queryClient.invalidateQueries({ queryKey: incidentsKey, exact: true });
    },
  });
}

function IncidentBody(props: { incident: Incident; now: number; mayWrite: boolean }) {
  const { incident: i, now, mayWrite } = props;
  const update = useUpdate(i.id);
  const path = { id: i.id };
  const busy = update.isPending;
  return (
    <>
      <Panel title={i.title}>
        <p>
          <StatusBadge status={STATUS[i.status].tone} label={STATUS[i.status].label} /> {i.severity} · detected <Time value={i.detectedAt} /> · opened by{' '}
          {i.openedBy}
          {i.closedAt ? (
            <>
              {' '}
              · closed <Time value={i.closedAt} /> by {i.closedBy}
            </>
          ) : null}
        </p>
        <p className="small muted">
          Integrations: {i.integrations.join(', ') || 'none'} · data: {i.dataCategories.join(', ') || 'none'} · tenants:{' '}
          {i.tenants.map((t) => `${t.type} ${t.id}`).join(', ') || 'none'}
        </p>
      </Panel>

      <Panel title="Notification clocks">
        {i.clocks.length === 0 ? (
          <Empty>No party needs to be notified for this incident.</Empty>
        ) : (
          <ul className="plain-list">
            {i.clocks.map((c) => (
              <li key={c.party} data-clock={c.party}>
                <strong>{c.party}</strong> within {c.hours} h, by <Time value={c.dueAt} />: <Countdown clock={c} now={now} />
                {c.notifiedAt ? (
                  <span className="small block">
                    Notified <Time value={c.notifiedAt} /> by {c.notifiedBy} (reference {c.reference})
                  </span>
                ) : mayWrite ? (
                  <NotifyForm
                    party={c.party}
                    busy={busy}
                    onSubmit={(body) =>
                      update.mutate(() =>
                        call(client.POST('/v1/incidents/{id}/notifications/{party}', { params: { path: { ...path, party: c.party } }, body })),
                      )
                    }
                  />
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </Panel>

      <Panel title="Checklist (Addendum §25)">
        <ol className="incident-steps">
          {i.steps.map((s) => (
            <li key={s.step} data-step={s.step} data-done={s.doneAt ? 'yes' : 'no'}>
              {s.title}
              {s.doneAt ? (
                <span className="small block">
                  <StatusBadge status="pass" label="Done" /> <Time value={s.doneAt} /> by {s.doneBy}
                  {s.note ? ` — ${s.note}` : ''}
                </span>
              ) : mayWrite && s.step !== 10 ? (
                <StepForm
                  step={s.step}
                  busy={busy}
                  onSubmit={(note) =>
                    update.mutate(() =>
                      call(client.POST('/v1/incidents/{id}/steps/{step}', { params: { path: { ...path, step: s.step } }, body: note ? { note } : {} })),
                    )
                  }
                />
              ) : s.step === 10 ? (
                <span className="small muted block">Done by recording the post-incident review.</span>
              ) : null}
            </li>
          ))}
        </ol>
      </Panel>

      <Panel title="Credential rotation">
        {i.rotations.length === 0 ? <Empty>No rotation tasks.</Empty> : null}
        <ul className="plain-list">
          {i.rotations.map((r) => (
            <li key={r.id} data-rotation={r.credential}>
              {r.credential}:{' '}
              {r.doneAt ? (
                <>
                  rotated <Time value={r.doneAt} /> by {r.doneBy}
                </>
              ) : mayWrite ? (
                <button
                  type="button"
                  className="btn btn-small"
                  disabled={busy}
                  onClick={() =>
                    update.mutate(() =>
                      call(client.POST('/v1/incidents/{id}/rotations/{rotationId}/done', { params: { path: { ...path, rotationId: r.id } } })),
                    )
                  }
                >
                  Mark rotated
                </button>
              ) : (
                <span className="muted">not rotated yet</span>
              )}
            </li>
          ))}
        </ul>
        {mayWrite ? (
          <AddRotation
            busy={busy}
            onSubmit={(credential) => update.mutate(() => call(client.POST('/v1/incidents/{id}/rotations', { params: { path }, body: { credential } })))}
          />
        ) : null}
      </Panel>

      <Panel
        title="Preserved evidence"
        actions={
          mayWrite ? (
            <button
              type="button"
              className="btn btn-small"
              disabled={busy}
              onClick={() => update.mutate(() => call(client.POST('/v1/incidents/{id}/evidence', { params: { path } })))}
            >
              Preserve evidence now
            </button>
          ) : null
        }
      >
        <div className="table-wrap" tabIndex={0}>
          <table aria-label="Evidence snapshots">
            <thead>
              <tr>
                <th scope="col">Taken</th>
                <th scope="col">Window</th>
                <th scope="col">Decisions, reveals, runs</th>
                <th scope="col">SHA-256 and chain record</th>
              </tr>
            </thead>
            <tbody>
              {i.evidence.map((e) => (
                <tr key={e.id} data-evidence={e.id}>
                  <td>
                    <Time value={e.createdAt} /> ({e.reason === 'open' ? 'on open' : `by ${e.createdBy}`})
                  </td>
                  <td>
                    <Time value={e.windowFrom} /> – <Time value={e.windowTo} />
                  </td>
                  <td>
                    {e.counts.decisions}, {e.counts.piiReveals}, {e.counts.controlRuns}
                  </td>
                  <td>
                    <code className="small">{e.sha256}</code>
                    <span className="small muted block">record {e.evidenceSeq}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>

      {i.notifications.length ? (
        <Panel title="Signed notices sent">
          <ul className="plain-list">
            {i.notifications.map((n) => (
              <li key={n.id} data-notice={n.event}>
                {n.event}:{' '}
                {n.sentAt ? (
                  <>
                    sent <Time value={n.sentAt} />
                  </>
                ) : n.gaveUpAt ? (
                  'gave up'
                ) : (
                  'pending'
                )}{' '}
                · {n.attempts} attempt(s)
                {n.lastStatus ? `, last answer ${n.lastStatus}` : ''}
                {n.lastError && !n.sentAt ? ` (${n.lastError})` : ''}
              </li>
            ))}
          </ul>
        </Panel>
      ) : null}

      <Panel title="Post-incident review">
        {i.review ? (
          <div data-review="done">
            <p>{i.review.summary}</p>
            <p>
              <strong>Lessons:</strong> {i.review.lessons}
            </p>
            <p className="small muted">
              By {i.review.by}, <Time value={i.review.at} />
            </p>
          </div>
        ) : mayWrite ? (
          <ReviewForm busy={busy} onSubmit={(body) => update.mutate(() => call(client.POST('/v1/incidents/{id}/review', { params: { path }, body })))} />
        ) : (
          <Empty>Not reviewed yet.</Empty>
        )}
        {mayWrite ? (
          <div className="form-actions">
            <button
              type="button"
              className="btn btn-danger"
              disabled={busy || !i.review}
              onClick={() => update.mutate(() => call(client.POST('/v1/incidents/{id}/close', { params: { path } })))}
            >
              Close incident
            </button>
            {!i.review ? <span className="small muted"> Closing needs the post-incident review.</span> : null}
          </div>
        ) : null}
      </Panel>
      <p role="status" className={update.isSuccess ? 'notice notice-good' : 'live-empty'}>
        {update.isSuccess ? 'Saved' : ''}
      </p>
      {update.isError ? <ErrorState title="Could not update the incident" error={update.error} /> : null}
    </>
  );
}

function NotifyForm(props: { party: string; busy: boolean; onSubmit: (body: { reference: string }) => void }) {
  const id = useId();
  const [reference, setReference] = useState('');
  return (
    <form
      className="form inline-form"
      aria-label={`Record notification to ${props.party}`}
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit({ reference });
      }}
    >
      <label htmlFor={id}>Reference of the notice to {props.party}</label>{' '}
      <input id={id} required maxLength={500} placeholder="case or message id" value={reference} onChange={(e) => setReference(e.target.value)} />{' '}
      <button type="submit" className="btn btn-primary btn-small" disabled={props.busy}>
        Record notification
      </button>
    </form>
  );
}

function StepForm(props: { step: number; busy: boolean; onSubmit: (note: string) => void }) {
  const id = useId();
  const [note, setNote] = useState('');
  return (
    <form
      className="form inline-form"
      aria-label={`Complete step ${props.step}`}
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit(note.trim());
      }}
    >
      <label htmlFor={id} className="visually-hidden">
        Note for step {props.step}
      </label>
      <input id={id} maxLength={2000} placeholder="note (optional)" value={note} onChange={(e) => setNote(e.target.value)} />{' '}
      <button type="submit" className="btn btn-small" disabled={props.busy}>
        Mark step {props.step} done
      </button>
    </form>
  );
}

function AddRotation(props: { busy: boolean; onSubmit: (credential: string) => void }) {
  const id = useId();
  const [credential, setCredential] = useState('');
  return (
    <form
      className="form inline-form"
      aria-label="Add a rotation task"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit(credential);
        setCredential('');
      }}
    >
      <label htmlFor={id}>Credential to rotate</label>{' '}
      <input id={id} required maxLength={200} value={credential} onChange={(e) => setCredential(e.target.value)} />{' '}
      <button type="submit" className="btn btn-small" disabled={props.busy}>
        Add task
      </button>
    </form>
  );
}

function ReviewForm(props: { busy: boolean; onSubmit: (body: { summary: string; lessons: string }) => void }) {
  const ids = { summary: useId(), lessons: useId() };
  const [summary, setSummary] = useState('');
  const [lessons, setLessons] = useState('');
  return (
    <form
      className="form"
      aria-label="Post-incident review"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit({ summary, lessons });
      }}
    >
      <div className="field">
        <label htmlFor={ids.summary}>Summary</label>
        <textarea id={ids.summary} required maxLength={5000} rows={3} value={summary} onChange={(e) => setSummary(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={ids.lessons}>Lessons and control changes</label>
        <textarea id={ids.lessons} required maxLength={5000} rows={3} value={lessons} onChange={(e) => setLessons(e.target.value)} />
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={props.busy}>
          Record review
        </button>
      </div>
    </form>
  );
}
