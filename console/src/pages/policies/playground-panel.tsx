import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError, call, client, type Schemas } from '../../api.ts';
import { useSession } from '../../session.tsx';
import { Panel } from '../../ui/page.tsx';
import { ErrorState } from '../../ui/states.tsx';
import { StatusBadge } from '../../ui/status.tsx';
import { CedarSnippet, Problems } from './cedar.tsx';
import { policyAnchor, policyText, summariseSchema, type PolicySet, type PolicySetName, type StoredEntity } from './model.ts';

interface Fields {
  principalType: string;
  principalId: string;
  action: string;
  resourceType: string;
  resourceId: string;
  context: string;
}

/** Demo-friendly requests, taken from the decision tables (policies/cases/*.json) and the demo entities. */
const EXAMPLES: Array<{ label: string; fields: Fields }> = [
  {
    label: 'Agency admin reveals buyer PII with MFA',
    fields: {
      principalType: 'User',
      principalId: 'asha',
      action: 'reveal_buyer_pii',
      resourceType: 'Order',
      resourceId: 'o-1001',
      context: '{\n  "mfa": true\n}',
    },
  },
  {
    label: 'Reveal buyer PII without MFA',
    fields: {
      principalType: 'User',
      principalId: 'asha',
      action: 'reveal_buyer_pii',
      resourceType: 'Order',
      resourceId: 'o-1001',
      context: '{\n  "mfa": false\n}',
    },
  },
  {
    label: 'Reveal on an order whose PII is redacted',
    fields: {
      principalType: 'User',
      principalId: 'asha',
      action: 'reveal_buyer_pii',
      resourceType: 'Order',
      resourceId: 'o-1002',
      context: '{\n  "mfa": true\n}',
    },
  },
  {
    label: "Client user reveals another agency's order",
    fields: {
      principalType: 'User',
      principalId: 'kabir',
      action: 'reveal_buyer_pii',
      resourceType: 'Order',
      resourceId: 'o-1001',
      context: '{\n  "mfa": true\n}',
    },
  },
  {
    label: 'Client user changes a price (nothing permits it)',
    fields: {
      principalType: 'User',
      principalId: 'meera',
      action: 'change_price',
      resourceType: 'Listing',
      resourceId: 'lst-assam-500g',
      context: '{\n  "human_approved": true\n}',
    },
  },
  {
    label: 'Amazon buyer messaged over WhatsApp',
    fields: {
      principalType: 'User',
      principalId: 'ravi',
      action: 'send_message',
      resourceType: 'Order',
      resourceId: 'o-1001',
      context: '{\n  "channel": "whatsapp",\n  "template_approved": true\n}',
    },
  },
  {
    label: 'Platform admin reads an order',
    fields: { principalType: 'User', principalId: 'ops-root', action: 'read', resourceType: 'Order', resourceId: 'o-1001', context: '{}' },
  },
];

const DEFAULTS = EXAMPLES[0]!.fields;

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

const TYPE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Stored entities of a type whose id starts with what was typed, for a <datalist>. */
function useEntityIds(type: string, prefix: string, enabled: boolean) {
  const t = useDebounced(type.trim(), 250);
  const q = useDebounced(prefix.trim(), 250);
  return useQuery({
    queryKey: ['entities', t, q],
    queryFn: ({ signal }) => call(client.GET('/v1/entities', { params: { query: { type: t, q: q || undefined, limit: 50 } }, signal })),
    enabled: enabled && TYPE_NAME.test(t),
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });
}

function suggestionHint(query: ReturnType<typeof useEntityIds>, type: string, enabled: boolean): string {
  if (!enabled) return '';
  if (!TYPE_NAME.test(type.trim())) return 'Type an entity type to get id suggestions.';
  if (query.isError)
    return `Id suggestions unavailable${query.error instanceof ApiError ? ` (${query.error.status || 'network'})` : ''}: ${query.error instanceof Error ? query.error.message : 'error'}`;
  if (query.isPending) return `Looking up stored ${type} ids…`;
  const n = query.data.entities.length;
  return n
    ? `${n}${query.data.truncated || n >= 50 ? '+' : ''} stored ${type} id${n === 1 ? ' matches' : 's match'}: pick one from the list.`
    : `No stored ${type} matches: the decision will see no attributes or parents for it.`;
}

const parentsLabel = (e: StoredEntity) =>
  e.parents
    .map((p) => `${p.type}::${p.id}`)
    .slice(0, 4)
    .join(', ');

export function PlaygroundPanel(props: {
  active: PolicySet;
  /** the Platform draft of the Draft panel, if any */
  draftPolicies: string | undefined;
  onJump: (set: PolicySetName, id: string) => void;
}) {
  const { can } = useSession();
  const ids = useId();
  const [fields, setFields] = useState<Fields>(DEFAULTS);
  const [useDraft, setUseDraft] = useState(false);
  const [contextError, setContextError] = useState<string | null>(null);
  const contextRef = useRef<HTMLTextAreaElement>(null);
  const schema = summariseSchema(props.active.schema);
  const suggest = can('entities', 'read');
  const principals = useEntityIds(fields.principalType, fields.principalId, suggest);
  const resources = useEntityIds(fields.resourceType, fields.resourceId, suggest);
  const draftChanged = props.draftPolicies !== undefined && props.draftPolicies !== props.active.policies;

  const decide = useMutation({
    mutationFn: (body: Schemas['PolicyTryRequest']) => call(client.POST('/v1/policies/try', { body })),
  });

  const set = (k: keyof Fields) => (e: { target: { value: string } }) => setFields((f) => ({ ...f, [k]: e.target.value }));

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    let context: unknown;
    try {
      context = fields.context.trim() ? JSON.parse(fields.context) : {};
    } catch (err) {
      setContextError(`Context is not valid JSON: ${(err as Error).message}`);
      contextRef.current?.focus();
      return;
    }
    if (typeof context !== 'object' || context === null || Array.isArray(context)) {
      setContextError('Context must be a JSON object, e.g. {"mfa": true}.');
      contextRef.current?.focus();
      return;
    }
    setContextError(null);
    const action = fields.action.trim().replace(/^(?:[A-Za-z_][\w]*::)*Action::"(.*)"$/, '$1');
    decide.mutate({
      principal: { type: fields.principalType.trim(), id: fields.principalId.trim() },
      action: { id: action },
      resource: { type: fields.resourceType.trim(), id: fields.resourceId.trim() },
      context: context as Record<string, unknown>,
      policies: useDraft ? (props.draftPolicies ?? props.active.policies) : undefined,
    });
  };

  const actionInfo = schema.actions.find((a) => a.id === fields.action.trim());
  const mismatch =
    actionInfo &&
    ((actionInfo.principals.length && fields.principalType.trim() && !actionInfo.principals.includes(fields.principalType.trim())) ||
      (actionInfo.resources.length && fields.resourceType.trim() && !actionInfo.resources.includes(fields.resourceType.trim())));

  const result = decide.data;
  const asked = decide.variables;
  const reasons = (result?.reasons ?? []).map((r) => {
    const sourceText = asked?.policies ?? props.active.policies;
    const text = r.text || policyText(sourceText, r.id);
    return { id: r.id, text, effect: r.effect, inActive: Boolean(policyText(props.active.policies, r.id)) };
  });

  return (
    <Panel title="Playground" actions={<span className="tag">Platform set</span>}>
      <p className="muted small">
        Ask the Platform policies a question with the stored entities, as <code>/v1/authorize</code> would. Nothing is written to the decision log.
      </p>
      <form className="form" onSubmit={onSubmit}>
        <div className="field playground-example">
          <label htmlFor={`${ids}-example`}>Load an example</label>
          <select
            id={`${ids}-example`}
            value=""
            onChange={(e) => {
              const ex = EXAMPLES[Number(e.target.value)];
              if (!ex) return;
              setFields(ex.fields);
              setContextError(null);
            }}
          >
            <option value="">Choose an example…</option>
            {EXAMPLES.map((ex, i) => (
              <option key={ex.label} value={i}>
                {ex.label}
              </option>
            ))}
          </select>
        </div>

        <datalist id={`${ids}-types`}>
          {schema.entityTypes.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <datalist id={`${ids}-actions`}>
          {schema.actions.map((a) => (
            <option key={a.id} value={a.id} />
          ))}
        </datalist>
        <datalist id={`${ids}-principal-ids`}>
          {(principals.data?.entities ?? []).map((e) => (
            <option key={`${e.uid.type}::${e.uid.id}`} value={e.uid.id}>
              {parentsLabel(e)}
            </option>
          ))}
        </datalist>
        <datalist id={`${ids}-resource-ids`}>
          {(resources.data?.entities ?? []).map((e) => (
            <option key={`${e.uid.type}::${e.uid.id}`} value={e.uid.id}>
              {parentsLabel(e)}
            </option>
          ))}
        </datalist>

        <div className="playground-grid">
          <div className="field">
            <label htmlFor={`${ids}-ptype`}>Principal type</label>
            <input
              id={`${ids}-ptype`}
              type="text"
              required
              list={`${ids}-types`}
              autoComplete="off"
              spellCheck={false}
              value={fields.principalType}
              onChange={set('principalType')}
            />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-pid`}>Principal id</label>
            <input
              id={`${ids}-pid`}
              type="text"
              required
              list={`${ids}-principal-ids`}
              autoComplete="off"
              spellCheck={false}
              value={fields.principalId}
              onChange={set('principalId')}
              aria-describedby={suggest ? `${ids}-pid-hint` : undefined}
            />
            {suggest ? (
              <span id={`${ids}-pid-hint`} className={principals.isError ? 'hint pol-hint-bad' : 'hint'}>
                {suggestionHint(principals, fields.principalType, suggest)}
              </span>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor={`${ids}-action`}>Action</label>
            <input
              id={`${ids}-action`}
              type="text"
              required
              list={`${ids}-actions`}
              autoComplete="off"
              spellCheck={false}
              value={fields.action}
              onChange={set('action')}
              aria-describedby={`${ids}-action-hint`}
            />
            <span id={`${ids}-action-hint`} className={mismatch ? 'hint pol-hint-warn' : 'hint'}>
              {actionInfo
                ? `${mismatch ? '! ' : ''}${actionInfo.id} applies to ${actionInfo.principals.join(' or ') || 'any principal'} on ${actionInfo.resources.join(', ') || 'any resource'}.`
                : 'An action of the Platform schema, e.g. reveal_buyer_pii.'}
            </span>
          </div>
          <div className="field">
            <label htmlFor={`${ids}-rtype`}>Resource type</label>
            <input
              id={`${ids}-rtype`}
              type="text"
              required
              list={`${ids}-types`}
              autoComplete="off"
              spellCheck={false}
              value={fields.resourceType}
              onChange={set('resourceType')}
            />
          </div>
          <div className="field">
            <label htmlFor={`${ids}-rid`}>Resource id</label>
            <input
              id={`${ids}-rid`}
              type="text"
              required
              list={`${ids}-resource-ids`}
              autoComplete="off"
              spellCheck={false}
              value={fields.resourceId}
              onChange={set('resourceId')}
              aria-describedby={suggest ? `${ids}-rid-hint` : undefined}
            />
            {suggest ? (
              <span id={`${ids}-rid-hint`} className={resources.isError ? 'hint pol-hint-bad' : 'hint'}>
                {suggestionHint(resources, fields.resourceType, suggest)}
              </span>
            ) : null}
          </div>
        </div>

        <div className="field">
          <label htmlFor={`${ids}-context`}>Context (JSON)</label>
          <textarea
            id={`${ids}-context`}
            ref={contextRef}
            className="pol-code-input"
            rows={4}
            spellCheck={false}
            autoCapitalize="off"
            value={fields.context}
            onChange={(e) => {
              setFields((f) => ({ ...f, context: e.target.value }));
              if (contextError) setContextError(null);
            }}
            aria-invalid={contextError ? true : undefined}
            aria-describedby={`${ids}-context-hint${contextError ? ` ${ids}-context-error` : ''}`}
          />
          <span id={`${ids}-context-hint`} className="hint">
            Keys of the schema's context, e.g. <code>mfa</code>, <code>channel</code>, <code>purpose</code>, <code>human_approved</code>.
          </span>
          {contextError ? (
            <p id={`${ids}-context-error`} className="pol-field-error" role="alert">
              <span aria-hidden="true">✕ </span>
              {contextError}
            </p>
          ) : null}
        </div>

        <div className="field pol-check">
          <input
            id={`${ids}-draft`}
            type="checkbox"
            checked={useDraft}
            onChange={(e) => setUseDraft(e.target.checked)}
            aria-describedby={`${ids}-draft-hint`}
          />
          <label htmlFor={`${ids}-draft`}>Use the draft policies</label>
          <span id={`${ids}-draft-hint`} className="hint">
            {draftChanged
              ? 'Decides with your edited Platform draft from the Draft panel instead of the active set.'
              : 'The Platform draft is unchanged, so this gives the same answer as the active set.'}
          </span>
        </div>

        <div className="form-row">
          <button type="submit" className="btn btn-primary" disabled={decide.isPending}>
            {decide.isPending ? 'Deciding…' : 'Decide'}
          </button>
        </div>
      </form>

      <div className="playground-result" role="status" aria-live="polite">
        {decide.isPending ? <p className="muted">Deciding…</p> : null}
        {decide.isSuccess && result && asked ? (
          <>
            <p className="pol-decision-line">
              <StatusBadge status={result.decision} />{' '}
              <span className="mono">
                {asked.principal.type}::{asked.principal.id}
              </span>{' '}
              <span aria-hidden="true">→</span>
              <span className="visually-hidden">, action</span> <span className="mono">{asked.action.id}</span> <span aria-hidden="true">→</span>
              <span className="visually-hidden">, resource</span>{' '}
              <span className="mono">
                {asked.resource.type}::{asked.resource.id}
              </span>
            </p>
            {result.diagnostics ? null : (
              <p className="muted small">Evaluated with {asked.policies !== undefined ? 'the Platform draft' : 'the active Platform set'}.</p>
            )}
            <h3>Why</h3>
            {reasons.length ? (
              <>
                <p>
                  {result.decision === 'allow'
                    ? `Permitted by ${reasons.length === 1 ? 'this policy' : 'these policies'}, and no forbid applies:`
                    : `Denied by ${reasons.length === 1 ? 'this policy' : 'these policies'}:`}
                </p>
                <ul className="why-list">
                  {reasons.map((r) => (
                    <li key={r.id}>
                      <div className="why-head">
                        {r.effect ? <span className={`pol-effect pol-effect-${r.effect}`}>{r.effect}</span> : null}
                        <code className="policy-id">{r.id}</code>
                        {r.inActive ? (
                          <a
                            href={`#${policyAnchor('platform', r.id)}`}
                            className="small"
                            onClick={(e) => {
                              e.preventDefault();
                              props.onJump('platform', r.id);
                            }}
                          >
                            Show in the policy set<span className="visually-hidden"> ({r.id})</span>
                          </a>
                        ) : null}
                      </div>
                      {r.text ? <CedarSnippet text={r.text} /> : <p className="muted small">The policy text was not returned.</p>}
                    </li>
                  ))}
                </ul>
              </>
            ) : result.decision === 'deny' ? (
              <p>No policy permits this request (deny by default).</p>
            ) : (
              <p className="muted">No determining policy was reported.</p>
            )}
            <Problems title="Errors" items={result.errors} />
            {result.diagnostics ? (
              <p className="muted small pol-diagnostics">{typeof result.diagnostics === 'string' ? result.diagnostics : JSON.stringify(result.diagnostics)}</p>
            ) : null}
          </>
        ) : null}
      </div>
      {decide.isError ? <ErrorState title="Could not decide" error={decide.error} /> : null}
    </Panel>
  );
}
