import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { call, client, type RequestBody } from '../../api.ts';
import type { ApiKeyInfo, TenetRole } from '../../api/models.ts';
import { ROLE_LABEL } from '../../session.tsx';
import { Panel } from '../../ui/page.tsx';
import { Empty, ErrorState, QueryState } from '../../ui/states.tsx';
import { StatusBadge } from '../../ui/status.tsx';
import { Time } from '../../ui/time.tsx';

const ROLES: TenetRole[] = ['service', 'auditor', 'security_officer', 'admin'];
const roleLabel = (r: string): string => ROLE_LABEL[r] ?? r;

export function ApiKeysPanel(props: { canWrite: boolean }) {
  const keys = useQuery({ queryKey: ['api-keys'], queryFn: ({ signal }) => call(client.GET('/v1/api-keys', { signal })) });
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
    mutationFn: () => call(client.DELETE('/v1/api-keys/{id}', { params: { path: { id: props.info.id } } })),
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
    mutationFn: (body: RequestBody<'/v1/api-keys', 'post'>) => call(client.POST('/v1/api-keys', { body })),
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
