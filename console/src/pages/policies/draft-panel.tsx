import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { ApiError, call, client } from '../../api.ts';
import { Panel } from '../../ui/page.tsx';
import { ErrorState } from '../../ui/states.tsx';
import { CheckReportView } from './cedar.tsx';
import { SET_LABEL, type CheckReport, type PolicySet, type PolicySetName, type PolicyVersion } from './model.ts';

export interface Draft {
  policies: string;
  schema: string;
}

interface Source extends Draft {
  name: PolicySetName;
}

/** The 409 of PUT /v1/policies: error.details = { version, report }. */
function rejection(error: unknown): { version?: PolicyVersion; report?: CheckReport } | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  // The error body's details are not in the document (every error shares one schema): the policy store sends these.
  const d = (error.details ?? {}) as { version?: PolicyVersion; report?: CheckReport };
  return { version: d.version, report: d.report };
}

export function DraftPanel(props: {
  set: PolicySetName;
  active: PolicySet;
  draft: Draft | undefined;
  onDraft: (d: Draft | undefined) => void;
  canActivate: boolean;
}) {
  const { set, active, draft, onDraft } = props;
  const queryClient = useQueryClient();
  const ids = useId();
  const [comment, setComment] = useState('');
  const policies = draft?.policies ?? active.policies;
  const schema = draft?.schema ?? active.schema;
  const changed = policies !== active.policies || schema !== active.schema;
  const label = SET_LABEL[set];

  const validate = useMutation({
    mutationFn: (src: Source) => call(client.POST('/v1/policies/validate', { body: src })),
  });
  const activate = useMutation({
    mutationFn: (src: Source & { comment?: string }) => call(client.PUT('/v1/policies', { body: src })),
    onSuccess: async () => {
      onDraft(undefined);
      setComment('');
      await queryClient.invalidateQueries({ queryKey: ['policies'] });
    },
    // a rejected version is stored too: the history shows it
    onError: () => void queryClient.invalidateQueries({ queryKey: ['policies'] }),
  });

  const busy = validate.isPending || activate.isPending;
  const edit = (next: Partial<Draft>) => {
    validate.reset();
    activate.reset();
    onDraft({ policies, schema, ...next });
  };
  const onValidate = (e: FormEvent) => {
    e.preventDefault();
    activate.reset();
    validate.mutate({ name: set, policies, schema });
  };
  const onActivate = () => {
    validate.reset();
    activate.mutate({ name: set, policies, schema, comment: comment.trim() || undefined });
  };
  const stale = validate.variables && (validate.variables.policies !== policies || validate.variables.schema !== schema);
  const rejected = activate.isError ? rejection(activate.error) : null;

  return (
    <Panel title="Draft" actions={<span className="tag">{label} set</span>}>
      <form className="form" onSubmit={onValidate} aria-describedby={`${ids}-state`}>
        <p id={`${ids}-state`} className="pol-draft-state small">
          {changed ? (
            <>
              <span aria-hidden="true">✎ </span>Edited: differs from the active {label} version.
            </>
          ) : (
            <span className="muted">Same as the active {label} version. Edit it to try a change; nothing is stored until you activate it.</span>
          )}
        </p>
        <div className="field">
          <label htmlFor={`${ids}-policies`}>Policies (Cedar)</label>
          <textarea
            id={`${ids}-policies`}
            className="pol-code-input"
            rows={18}
            spellCheck={false}
            autoCapitalize="off"
            autoCorrect="off"
            value={policies}
            onChange={(e) => edit({ policies: e.target.value })}
          />
        </div>
        <details className="pol-schema-editor">
          <summary>Schema{schema !== active.schema ? ' (edited)' : ''}</summary>
          <div className="field">
            <label htmlFor={`${ids}-schema`}>Schema (Cedar schema)</label>
            <textarea
              id={`${ids}-schema`}
              className="pol-code-input"
              rows={14}
              spellCheck={false}
              autoCapitalize="off"
              autoCorrect="off"
              value={schema}
              onChange={(e) => edit({ schema: e.target.value })}
            />
          </div>
        </details>
        {props.canActivate ? (
          <div className="field">
            <label htmlFor={`${ids}-comment`}>Comment</label>
            <input
              id={`${ids}-comment`}
              type="text"
              maxLength={2000}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              aria-describedby={`${ids}-comment-hint`}
            />
            <span id={`${ids}-comment-hint`} className="hint">
              Recorded with the new version (why this change).
            </span>
          </div>
        ) : null}
        <div className="form-row">
          <button type="submit" className="btn" disabled={busy}>
            {validate.isPending ? 'Validating…' : 'Validate'}
          </button>
          {props.canActivate ? (
            <button type="button" className="btn btn-primary" disabled={busy || !changed} aria-describedby={`${ids}-activate-hint`} onClick={onActivate}>
              {activate.isPending ? 'Activating…' : 'Activate'}
            </button>
          ) : null}
          <button
            type="button"
            className="btn btn-ghost"
            disabled={busy || !draft}
            onClick={() => {
              validate.reset();
              activate.reset();
              onDraft(undefined);
            }}
          >
            Reset to active
          </button>
        </div>
        <p id={`${ids}-activate-hint`} className="hint">
          {props.canActivate
            ? changed
              ? 'Activate stores a new version; it goes live only if it validates and every decision table passes.'
              : 'Nothing to activate yet: the draft is the active version.'
            : 'Your role may validate drafts but not activate them.'}
        </p>
      </form>

      {validate.isPending ? (
        <p role="status" className="muted">
          Validating the draft and running the decision tables…
        </p>
      ) : null}
      {validate.isError ? <ErrorState title="Could not validate" error={validate.error} /> : null}
      {validate.isSuccess ? (
        <section
          className={validate.data.ok ? 'pol-result pol-result-good' : 'pol-result pol-result-bad'}
          role={validate.data.ok ? 'status' : 'alert'}
          aria-labelledby={`${ids}-vr`}
        >
          <h3 id={`${ids}-vr`}>Validation result</h3>
          {stale ? <p className="muted small">The draft changed since this check: validate again.</p> : null}
          <CheckReportView report={validate.data} tablesCaption="Failing decision-table cases of the draft" headingLevel={4} />
        </section>
      ) : null}

      {activate.isPending ? (
        <p role="status" className="muted">
          Activating…
        </p>
      ) : null}
      {activate.isSuccess ? (
        <div className="pol-result pol-result-good" role="status">
          <p>
            <strong>
              Activated {label} version {activate.data.version?.version ?? '?'}.
            </strong>{' '}
            It serves from now on{activate.data.version?.hash ? ' (hash ' : ''}
            {activate.data.version?.hash ? <span className="hash">{activate.data.version.hash.slice(0, 16)}…</span> : null}
            {activate.data.version?.hash ? ')' : ''}.
          </p>
          <CheckReportView report={activate.data.report} headingLevel={4} />
        </div>
      ) : null}
      {rejected ? (
        <section className="pol-result pol-result-bad" role="alert" aria-labelledby={`${ids}-rej`}>
          <h3 id={`${ids}-rej`}>Not activated</h3>
          <p>
            {activate.error instanceof Error ? activate.error.message : 'The draft was rejected.'}{' '}
            {rejected.version
              ? `The rejected version v${rejected.version.version} is kept in the history; the active version still serves.`
              : 'The active version still serves.'}
          </p>
          <CheckReportView report={rejected.report} tablesCaption="Failing decision-table cases that blocked activation" headingLevel={4} />
        </section>
      ) : activate.isError ? (
        <ErrorState title="Could not activate" error={activate.error} />
      ) : null}
    </Panel>
  );
}
