import { useQuery } from '@tanstack/react-query';
import { call, client } from '../api.ts';
import { useSession } from '../session.tsx';
import { Page } from '../ui/page.tsx';
import { QueryState } from '../ui/states.tsx';
import { AccountsPanel } from './settings/accounts-panel.tsx';
import { ApiKeysPanel } from './settings/api-keys-panel.tsx';
import { IntegrationsPanel } from './settings/integrations-panel.tsx';
import { RetentionPanel } from './settings/retention-panel.tsx';
import { SchedulesPanel } from './settings/schedules-panel.tsx';

/**
 * Settings: the API keys (for roles that may read them) and what is checked and kept, as configured (GET
 * /v1/settings): accounts and endpoints, integrations, schedules, retention. One file per panel in settings/.
 * Security officers and auditors see the same scope, read-only; the settings view never carries a secret.
 */
export default function SettingsPage() {
  const { can } = useSession();
  const settings = useQuery({ queryKey: ['settings'], queryFn: ({ signal }) => call(client.GET('/v1/settings', { signal })) });
  return (
    <Page title="Settings" lead="What Tenet checks and keeps, as configured. Secrets are never shown: credentials stay in the environment.">
      {can('api_keys', 'write') ? null : (
        <p className="notice small" data-testid="settings-read-only">
          Read-only: the scope Tenet checks (AWS accounts and regions, endpoints probed, log groups scanned) and what it keeps, as configured. It changes in the
          settings file, by an administrator.
        </p>
      )}
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
