import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError, call, client, type RequestBody } from '../api.ts';
import { useSession } from '../session.tsx';
import type { Pack } from '../api/models.ts';
import { bytes } from '../ui/format.ts';
import { Page, Panel } from '../ui/page.tsx';
import { Empty, ErrorState, Loading, QueryState } from '../ui/states.tsx';
import { StatusBadge } from '../ui/status.tsx';
import { Time } from '../ui/time.tsx';

const PROFILES = [
  { value: 'sp-api', label: 'Amazon SP-API' },
  { value: 'google', label: 'Google' },
] as const;
type Profile = (typeof PROFILES)[number]['value'];
const profileLabel = (p: string): string => PROFILES.find((x) => x.value === p)?.label ?? p;

const PHASES: Record<string, string> = {
  controls: 'Reading control results',
  'access-review': 'Asking the PDP for the access review',
  rendering: 'Rendering the report',
  evidence: 'Writing the evidence records',
  signing: 'Signing the manifest',
  finishing: 'Finishing: hashing the file',
};
const phaseLabel = (p: string): string => PHASES[p] ?? p.replace(/[-_]/g, ' ');

const LIST_KEY = ['packs', 'list'] as const;
const downloadHref = (id: string) => `/v1/packs/${encodeURIComponent(id)}/download`;
const PUBLIC_KEY_FILE = 'tenet-packs.pem';

export default function PacksPage() {
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  // The build being followed lives in the URL: a reload (or coming back to the page) keeps following it.
  const building = params.get('building');
  const follow = (id: string | null) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (id) next.set('building', id);
        else next.delete('building');
        return next;
      },
      { replace: true },
    );

  return (
    <Page
      title="Evidence packs"
      lead="Signed ZIP files that answer the Amazon SP-API or Google review for a period, from the control runs and evidence as of its end. Auditors verify them offline."
    >
      {can('packs', 'build') ? <BuildPanel building={building} follow={follow} /> : null}
      <PacksPanel />
      <VerifyPanel />
    </Page>
  );
}

// ---- build -----------------------------------------------------------------------------------------------

const isoDate = (d: Date): string => {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
};

/** The period as the server wants it: from the start of "From" to the end of "To" (or now, if that is earlier), in the viewer's zone. */
function period(from: string, to: string): { from: string; to: string } | string {
  const start = new Date(`${from}T00:00:00`);
  const endOfDay = new Date(`${to}T23:59:59.999`);
  if (Number.isNaN(start.getTime()) || Number.isNaN(endOfDay.getTime())) return 'Enter both dates.';
  const now = new Date();
  if (start > now) return '“From” is in the future.';
  if (start > endOfDay) return '“From” must be on or before “To”.';
  const end = endOfDay > now ? now : endOfDay;
  return { from: start.toISOString(), to: end.toISOString() };
}

function BuildPanel(props: { building: string | null; follow: (id: string | null) => void }) {
  const ids = useId();
  const queryClient = useQueryClient();
  const [profile, setProfile] = useState<Profile>('sp-api');
  const [from, setFrom] = useState(() => isoDate(new Date(Date.now() - 90 * 86_400_000)));
  const [to, setTo] = useState(() => isoDate(new Date()));
  const [invalid, setInvalid] = useState<string | null>(null);
  const [internal, setInternal] = useState(false);

  const start = useMutation({
    // With wait: false the server answers 202 with the new pack's id (the document describes only 201's full pack).
    mutationFn: (body: Omit<RequestBody<'/v1/packs', 'post'>, 'wait'>) => call(client.POST('/v1/packs', { body: { ...body, wait: false } })),
    onSuccess: (answer) => {
      props.follow(answer.id);
      void queryClient.invalidateQueries({ queryKey: LIST_KEY });
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const p = period(from, to);
    if (typeof p === 'string') {
      setInvalid(p);
      return;
    }
    setInvalid(null);
    start.mutate({ profile, internal, ...p });
  };

  return (
    <Panel title="Build a pack">
      <form className="form pack-form" onSubmit={submit} noValidate>
        <div className="form-row">
          <div className="field">
            <label htmlFor={`${ids}-profile`}>Profile</label>
            <select id={`${ids}-profile`} value={profile} onChange={(e) => setProfile(e.target.value as Profile)}>
              {PROFILES.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${ids}-from`}>From</label>
            <input
              id={`${ids}-from`}
              type="date"
              value={from}
              max={to || undefined}
              required
              onChange={(e) => setFrom(e.target.value)}
              aria-describedby={`${ids}-period-hint`}
            />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-to`}>To</label>
            <input
              id={`${ids}-to`}
              type="date"
              value={to}
              min={from || undefined}
              required
              onChange={(e) => setTo(e.target.value)}
              aria-describedby={`${ids}-period-hint`}
            />
          </div>
          <button type="submit" className="btn btn-primary" disabled={start.isPending}>
            {start.isPending ? 'Starting…' : 'Build pack'}
          </button>
        </div>
        <div className="field pol-check">
          <input
            id={`${ids}-internal`}
            type="checkbox"
            checked={internal}
            onChange={(e) => setInternal(e.target.checked)}
            aria-describedby={`${ids}-internal-hint`}
          />
          <label htmlFor={`${ids}-internal`}>Internal edition</label>
          <span id={`${ids}-internal-hint`} className="hint">
            Adds an appendix of remediation notes for your team. Leave it off for a pack you send to a reviewer.
          </span>
        </div>
        <p id={`${ids}-period-hint`} className="hint muted small">
          Dates in your time zone, both included; a period that ends today ends now. A pack that would hold raw PII is refused and nothing is kept.
        </p>
      </form>
      {invalid ? (
        <p role="alert" className="notice notice-bad">
          {invalid}
        </p>
      ) : null}
      {start.isError ? <ErrorState title="Could not start the build" error={start.error} /> : null}
      {props.building ? <BuildProgress key={props.building} id={props.building} onDismiss={() => props.follow(null)} /> : null}
    </Panel>
  );
}

/** Follows one build: GET /v1/packs/:id every second until it is no longer building. */
function BuildProgress(props: { id: string; onDismiss: () => void }) {
  const ids = useId();
  const queryClient = useQueryClient();
  const pack = useQuery({
    queryKey: ['packs', 'one', props.id],
    queryFn: ({ signal }) => call(client.GET('/v1/packs/{id}', { params: { path: { id: props.id } }, signal })),
    staleTime: 0,
    refetchInterval: (query) => (query.state.status !== 'error' && (query.state.data?.status ?? 'building') === 'building' ? 1000 : false),
    refetchIntervalInBackground: true,
  });

  // When the build ends, the list shows it with its size and hash.
  const status = pack.data?.status;
  const previous = useRef(status);
  useEffect(() => {
    if (previous.current !== status && status && status !== 'building') void queryClient.invalidateQueries({ queryKey: LIST_KEY });
    previous.current = status;
  }, [status, queryClient]);

  const dismiss = (
    <button type="button" className="btn btn-ghost" onClick={props.onDismiss}>
      {status === 'building' ? 'Stop following' : 'Dismiss'}
    </button>
  );

  if (pack.isPending) return <Loading label="Starting the build…" />;
  if (pack.isError)
    return (
      <div className="build-result">
        <ErrorState title="Could not follow the build" error={pack.error} retry={() => void pack.refetch()} />
        {dismiss}
      </div>
    );

  const p = pack.data;
  if (p.status === 'building') {
    const progress = p.progress ?? null;
    const known = progress && progress.total !== null && progress.total > 0;
    return (
      <div className="build-result build-progress">
        <label htmlFor={`${ids}-progress`}>Building pack</label>
        <progress
          id={`${ids}-progress`}
          max={known ? progress.total! : undefined}
          value={known ? Math.min(progress.done, progress.total!) : undefined}
          aria-describedby={`${ids}-phase`}
        />
        <p id={`${ids}-phase`} className="build-phase">
          <span role="status">{progress ? `${phaseLabel(progress.phase)}…` : 'Building…'}</span>{' '}
          {progress && progress.done > 0 ? (
            <span className="muted">
              {known ? `${progress.done.toLocaleString()} of ${progress.total!.toLocaleString()}` : `${progress.done.toLocaleString()} so far`}
            </span>
          ) : null}
        </p>
        {!progress ? <p className="muted small">The build runs on another replica: its status will change when it is done.</p> : null}
        <p className="muted small">
          {profileLabel(p.profile)}, <Period pack={p} />. Started <Time value={p.createdAt} mode="relative" />. You can leave this page: the build goes on.
        </p>
        {dismiss}
      </div>
    );
  }
  if (p.status === 'ready')
    return (
      <div className="build-result notice notice-good" role="status">
        <p>
          <strong>Pack ready</strong> — {profileLabel(p.profile)}
          {p.internal ? ' (internal edition: not for a reviewer)' : ''}, <Period pack={p} />, {bytes(p.size)}.
        </p>
        <p className="build-actions">
          <a className="btn btn-primary" href={downloadHref(p.id)} download>
            Download
          </a>
          {dismiss}
        </p>
        {p.sha256 ? (
          <p className="small">
            SHA-256 to compare with the downloaded file: <code className="hash">{p.sha256}</code>
          </p>
        ) : null}
      </div>
    );
  return (
    <div className="build-result notice notice-bad" role="alert">
      <p>
        <strong>{p.status === 'refused' ? 'Pack refused' : 'Pack build failed'}</strong>
        {p.error ? `: ${p.error}` : '.'}
      </p>
      {p.status === 'refused' ? <p className="small">A pack that would hold raw PII is refused as a whole; no file was kept.</p> : null}
      {dismiss}
    </div>
  );
}

function Period({ pack }: { pack: Pick<Pack, 'periodFrom' | 'periodTo'> }) {
  const from = pack.periodFrom;
  const to = pack.periodTo;
  return (
    <span className="nowrap-parts">
      <Time value={from} mode="date" /> to <Time value={to} mode="date" />
    </span>
  );
}

// ---- list ------------------------------------------------------------------------------------------------

function PacksPanel() {
  const list = useQuery({
    queryKey: LIST_KEY,
    queryFn: ({ signal }) => call(client.GET('/v1/packs', { signal })),
    // While a pack builds (here or elsewhere), keep the list current.
    refetchInterval: (query) => (query.state.data?.packs.some((p) => p.status === 'building') ? 3000 : false),
  });
  return (
    <Panel title="Packs">
      <QueryState query={list} label="Loading packs…">
        {({ packs }) =>
          packs.length === 0 ? (
            <Empty>No pack has been built yet.</Empty>
          ) : (
            <div className="table-wrap">
              <table aria-label="Packs" className="packs-table">
                <thead>
                  <tr>
                    <th scope="col">Profile</th>
                    <th scope="col">Period</th>
                    <th scope="col">Built by</th>
                    <th scope="col">Built</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="num">
                      Size
                    </th>
                    <th scope="col">SHA-256</th>
                    <th scope="col">File</th>
                  </tr>
                </thead>
                <tbody>
                  {packs.map((p) => (
                    <tr key={p.id}>
                      <td>
                        {profileLabel(p.profile)}
                        {p.internal ? ' (internal edition)' : ''}
                      </td>
                      <td id={`pack-${p.id}-period`}>
                        <Period pack={p} />
                      </td>
                      <td>{p.createdBy}</td>
                      <td>
                        <Time value={p.createdAt} />
                      </td>
                      <td>
                        <StatusBadge status={p.status} />
                        {(p.status === 'refused' || p.status === 'failed') && p.error ? (
                          <p className="pack-reason small">
                            <span className="visually-hidden">Reason: </span>
                            {p.error}
                          </p>
                        ) : null}
                      </td>
                      <td className="num">{bytes(p.size)}</td>
                      <td className="pack-hash">{p.sha256 ? <code className="hash">{p.sha256}</code> : <span className="muted">—</span>}</td>
                      <td>
                        {p.status === 'ready' ? (
                          <a className="btn" href={downloadHref(p.id)} download aria-describedby={`pack-${p.id}-period`}>
                            Download
                          </a>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
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

// ---- verify offline --------------------------------------------------------------------------------------

/** The public key is PEM text, not JSON. */
async function fetchPublicKey(signal: AbortSignal): Promise<string> {
  let res: Response;
  try {
    res = await fetch('/v1/packs/public-key', { credentials: 'same-origin', headers: { accept: 'application/x-pem-file, text/plain' }, signal });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError({ status: 0, code: 'network', message: 'Tenet could not be reached. Check your connection and try again.' });
  }
  const text = await res.text();
  if (!res.ok) {
    let e: { code?: string; message?: string; requestId?: string } = {};
    try {
      e = JSON.parse(text).error ?? {};
    } catch {
      /* not JSON */
    }
    throw new ApiError({
      status: res.status,
      code: e.code ?? `http_${res.status}`,
      message: e.message ?? `The server answered ${res.status}.`,
      requestId: e.requestId ?? res.headers.get('x-request-id') ?? undefined,
    });
  }
  return text;
}

function VerifyPanel() {
  const key = useQuery({ queryKey: ['packs', 'public-key'], queryFn: ({ signal }) => fetchPublicKey(signal), staleTime: Infinity });
  return (
    <Panel title="Verify a pack offline">
      <p>
        Every pack holds a <code>manifest.json</code> (each file with its SHA-256 and size) and <code>manifest.sig</code>, an Ed25519 signature over the
        manifest made with this Tenet’s key. Anyone can check a pack without access to Tenet:
      </p>
      <ol className="verify-steps">
        <li>
          <p>Download the pack and this public key (keep the key somewhere the pack’s sender cannot change it).</p>
          <QueryState query={key} label="Loading the public key…">
            {(pem) => (
              <div className="pem-block">
                <pre className="pem" aria-label="Public key (PEM)">
                  {pem.trim()}
                </pre>
                <a className="btn" href="/v1/packs/public-key" download={PUBLIC_KEY_FILE}>
                  Download public key
                </a>
              </div>
            )}
          </QueryState>
        </li>
        <li>
          <p>
            Check the file arrived intact: its SHA-256 must equal the one in the <strong>Packs</strong> table.
          </p>
          <pre className="cmd-block">
            <code>
              sha256sum pack.zip{'\n'}# macOS: shasum -a 256 pack.zip{'\n'}# Windows: Get-FileHash pack.zip -Algorithm SHA256
            </code>
          </pre>
        </li>
        <li>
          <p>Check the signature and every file against the signed manifest, with the key you downloaded:</p>
          <pre className="cmd-block">
            <code>npx tenet verify pack.zip --public-key {PUBLIC_KEY_FILE}</code>
          </pre>
          <p className="small">
            Exit code 0: valid, every file matches the signed manifest. Exit code 1: not valid, naming the file that changed or the bad signature.
          </p>
        </li>
        <li>
          <p>Without a key of your own, the check uses the public key inside the pack:</p>
          <pre className="cmd-block">
            <code>npx tenet verify pack.zip</code>
          </pre>
          <p className="small">
            That proves the files were not changed after signing, not <em>who</em> signed them: pass <code>--public-key</code> to check that this Tenet signed
            the pack.
          </p>
        </li>
      </ol>
    </Panel>
  );
}
