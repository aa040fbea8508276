import type { AnyControlDefinition } from '../../controls/define-control.ts';
import { probeLimitedUse } from '../../controls/collectors/http-probe.ts';
import { createScanner } from '../../engine/scanner/scanner.ts';
import type { ControlSettings } from '../../controls/settings.ts';
import type { Authz } from '../../engine/authz/create-authz.ts';
import type { Db } from '../../engine/db/database.ts';
import { ControlRuns } from '../../engine/posture/control-runs.ts';
import { TENET_VERSION } from '../../engine/kernel/version.ts';
import type { PackDeps } from './build-pack.ts';
import { exceptionsFromDb } from '../programmes/scorecard.ts';
import type { CheckpointRef } from '../ledger/checkpoints.ts';
import type { Signer } from '../ledger/signing.ts';

/** What building a pack needs, from the parts of a running Tenet (server or CLI). */
export async function makePackDeps(props: {
  db: Db;
  authz: Pick<Authz, 'platform' | 'entityStore'>;
  settings: ControlSettings;
  catalogue: ReadonlyMap<string, AnyControlDefinition>;
  /** the signing key and the scanner's fingerprint key (evidence/ledger/keys.ts: from the key file or the environment) */
  keys: { signer: Signer; scannerSecret: string };
  /** the checkpoint each pack records (EvidenceCheckpoints.create): taken as the pack is built */
  checkpoint?: () => Promise<CheckpointRef | undefined>;
  /** the exception register (ControlExceptions); default: its table, read directly (a process without a control plane) */
  exceptions?: PackDeps['exceptions'];
}): Promise<PackDeps> {
  const { settings } = props;
  const url = settings.packs.google.privacyPolicyUrl;
  return {
    db: props.db,
    runs: new ControlRuns(props.db),
    catalogue: props.catalogue,
    settings,
    pdp: props.authz.platform,
    entities: props.authz.entityStore,
    scanner: createScanner({ secret: props.keys.scannerSecret }),
    signing: props.keys.signer,
    checkpoint: props.checkpoint,
    generator: `tenet ${TENET_VERSION}`,
    exceptions: props.exceptions ?? exceptionsFromDb(props.db),
    limitedUseProbe: url ? () => probeLimitedUse(url, settings.probes) : undefined,
  };
}
