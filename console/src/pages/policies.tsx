import { useQuery } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { useSearchParams } from 'react-router';
import { call, client } from '../api.ts';
import { useSession } from '../session.tsx';
import { Page } from '../ui/page.tsx';
import { ErrorState, QueryState } from '../ui/states.tsx';
import { DecisionTablesPanel } from './policies/decision-tables-panel.tsx';
import { DraftPanel, type Draft } from './policies/draft-panel.tsx';
import type { PolicySetName } from './policies/model.ts';
import { PlaygroundPanel } from './policies/playground-panel.tsx';
import { PolicySetsPanel, revealPolicy, type JumpRequest } from './policies/policy-sets-panel.tsx';
import { VersionsPanel } from './policies/versions-panel.tsx';

/**
 * Policies: the two Cedar policy sets (read, draft, validate, activate), a playground that asks the Platform set a
 * question, the decision tables every version must pass, and the version history. The chosen set lives in the URL
 * (?set=tenet); drafts live on this page until activated or reset.
 */
export default function PoliciesPage() {
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const fromUrl: PolicySetName = params.get('set') === 'tenet' ? 'tenet' : 'platform';
  // Local state answers a click at once (router updates run in a transition); the URL follows, and back/forward lead.
  const [set, setSet] = useState<PolicySetName>(fromUrl);
  const [urlSet, setUrlSet] = useState<PolicySetName>(fromUrl);
  if (urlSet !== fromUrl) {
    setUrlSet(fromUrl);
    setSet(fromUrl);
  }
  const [drafts, setDrafts] = useState<Partial<Record<PolicySetName, Draft>>>({});
  const [jump, setJump] = useState<JumpRequest | null>(null);
  const query = useQuery({ queryKey: ['policies'], queryFn: ({ signal }) => call(client.GET('/v1/policies', { signal })) });

  const chooseSet = useCallback(
    (s: PolicySetName) => {
      setSet(s);
      setParams(
        (p) => {
          const next = new URLSearchParams(p);
          if (s === 'platform') next.delete('set');
          else next.set('set', s);
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );
  const jumpTo = useCallback(
    (s: PolicySetName, id: string) => {
      if (s === set && revealPolicy(s, id)) return;
      chooseSet(s);
      setJump({ set: s, id, n: Date.now() });
    },
    [set, chooseSet],
  );
  const onJumped = useCallback(() => setJump(null), []);

  return (
    <Page
      title="Policies"
      lead="The Cedar policies that decide who may do what. Read them, try a change in the playground, and activate it only when every decision table passes."
    >
      <QueryState query={query} label="Loading the policy sets…">
        {(data) => {
          const current = data.policySets.find((p) => p.name === set);
          const platform = data.policySets.find((p) => p.name === 'platform');
          if (!current) return <ErrorState title="Policy set missing" error={new Error(`The server did not return the ${set} policy set.`)} />;
          return (
            <>
              <PolicySetsPanel policySet={current} set={set} onSet={chooseSet} jump={jump} onJump={jumpTo} onJumped={onJumped} />
              <DraftPanel
                key={set}
                set={set}
                active={current}
                draft={drafts[set]}
                onDraft={(d) => setDrafts((all) => ({ ...all, [set]: d }))}
                canActivate={can('policies', 'activate')}
              />
              {platform ? <PlaygroundPanel active={platform} draftPolicies={drafts.platform?.policies} onJump={jumpTo} /> : null}
              <DecisionTablesPanel key={`tables-${set}`} active={current} />
              <VersionsPanel policySet={current} />
            </>
          );
        }}
      </QueryState>
    </Page>
  );
}
