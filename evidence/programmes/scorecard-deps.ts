import type { AnyControlDefinition } from '../../controls/define-control.ts';
import { probeLimitedUse } from '../../controls/collectors/http-probe.ts';
import type { ControlSettings } from '../../controls/settings.ts';
import type { Authz } from '../../engine/authz/create-authz.ts';
import type { Db } from '../../engine/db/database.ts';
import { ControlRuns } from '../../engine/posture/control-runs.ts';
import { exceptionsFromDb, type ScorecardDeps } from './scorecard.ts';

/** What computing scorecards needs, from the parts of a running Tenet (the API's programme routes). */
export function makeScorecardDeps(props: {
  db: Db;
  authz: Pick<Authz, 'platform' | 'entityStore'>;
  settings: ControlSettings;
  catalogue: ReadonlyMap<string, AnyControlDefinition>;
  /** the exception register (ControlExceptions); default: its table, read directly */
  exceptions?: ScorecardDeps['exceptions'];
}): ScorecardDeps & { runs: ControlRuns } {
  const { settings } = props;
  const url = settings.packs.google.privacyPolicyUrl;
  return {
    db: props.db,
    runs: new ControlRuns(props.db),
    catalogue: props.catalogue,
    settings,
    pdp: props.authz.platform,
    entities: props.authz.entityStore,
    exceptions: props.exceptions ?? exceptionsFromDb(props.db),
    limitedUseProbe: url ? () => probeLimitedUse(url, settings.probes) : undefined,
  };
}
