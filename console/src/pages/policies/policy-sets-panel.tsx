import { useEffect } from 'react';
import { Panel } from '../../ui/page.tsx';
import { Time } from '../../ui/time.tsx';
import { CedarFile } from './cedar.tsx';
import { policyAnchor, SET_DESCRIPTION, SET_LABEL, splitPolicies, type PolicySet, type PolicySetName } from './model.ts';

export interface JumpRequest {
  set: PolicySetName;
  id: string;
  /** makes a repeated jump to the same policy a new request */
  n: number;
}

const reducedMotion = () => typeof window !== 'undefined' && window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;

/** Scrolls a policy into view inside its box and moves focus to it (screen readers read it from there). */
export function revealPolicy(set: PolicySetName, id: string): boolean {
  const el = document.getElementById(policyAnchor(set, id));
  if (!el) return false;
  el.scrollIntoView({ block: 'start', behavior: reducedMotion() ? 'auto' : 'smooth' });
  el.focus({ preventScroll: true });
  return true;
}

function PolicySetSwitch(props: { set: PolicySetName; onSet: (s: PolicySetName) => void }) {
  return (
    <fieldset className="pol-set-switch">
      <legend>Policy set</legend>
      <div className="pol-set-options">
        {(['platform', 'tenet'] as const).map((n) => (
          <label key={n} className={props.set === n ? 'pol-set-option is-checked' : 'pol-set-option'}>
            <input
              type="radio"
              name="policy-set"
              value={n}
              checked={props.set === n}
              onChange={() => props.onSet(n)}
              aria-describedby="policy-set-description"
            />
            {SET_LABEL[n]}
          </label>
        ))}
      </div>
      <p id="policy-set-description" className="hint">
        {SET_DESCRIPTION[props.set]}
      </p>
    </fieldset>
  );
}

export function PolicySetsPanel(props: {
  policySet: PolicySet;
  set: PolicySetName;
  onSet: (s: PolicySetName) => void;
  jump: JumpRequest | null;
  onJump: (set: PolicySetName, id: string) => void;
  onJumped: () => void;
}) {
  const { policySet: ps, set, jump, onJumped } = props;
  const segments = splitPolicies(ps.policies).filter((s) => s.id);
  const inText = new Set(segments.map((s) => s.id!));
  const notInText = ps.policyIds.filter((id) => !inText.has(id));
  const active = ps.versions.find((v) => v.status === 'active');
  const label = SET_LABEL[set];

  // A jump asked for by the index or by the playground's "Why": done once the chosen set is on screen.
  useEffect(() => {
    if (!jump || jump.set !== set) return;
    revealPolicy(set, jump.id);
    onJumped();
  }, [jump, set, onJumped]);

  return (
    <Panel title="Policy sets">
      <div className="policy-set-head">
        <PolicySetSwitch set={set} onSet={props.onSet} />
        <dl className="facts policy-set-facts">
          <dt>Active version</dt>
          <dd>
            {active ? (
              <>
                v{active.version}, <Time value={active.createdAt} /> by {active.createdBy}
              </>
            ) : (
              <span className="muted">unknown</span>
            )}
          </dd>
          <dt>Policies</dt>
          <dd>{ps.policyIds.length}</dd>
          <dt>Hash</dt>
          <dd className="hash">{ps.hash}</dd>
        </dl>
      </div>

      <div className="policy-browser">
        <nav className="policy-index" aria-labelledby="policy-index-title">
          <h3 id="policy-index-title">
            {label} policies ({ps.policyIds.length})
          </h3>
          <ul>
            {segments.map((s) => (
              <li key={s.id}>
                <a
                  href={`#${policyAnchor(set, s.id!)}`}
                  onClick={(e) => {
                    e.preventDefault();
                    props.onJump(set, s.id!);
                  }}
                >
                  <span className={`pol-effect pol-effect-${s.effect ?? 'unknown'}`}>{s.effect ?? 'policy'}</span>
                  <span className="mono policy-id">{s.id}</span>
                </a>
              </li>
            ))}
            {notInText.map((id) => (
              <li key={id} className="muted">
                <span className="mono policy-id">{id}</span> <span className="small">(no @id line found in the text)</span>
              </li>
            ))}
          </ul>
        </nav>
        <div className="policy-texts">
          <h3 id="policy-text-title">Cedar policies</h3>
          <CedarFile text={ps.policies} set={set} label={`${label} Cedar policies`} />
          <h3>Schema</h3>
          <div className="pol-code pol-code-short" role="group" aria-label={`${label} Cedar schema`} tabIndex={0}>
            <pre className="cedar">
              <code>{ps.schema}</code>
            </pre>
          </div>
        </div>
      </div>
    </Panel>
  );
}
