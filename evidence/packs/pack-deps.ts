import type { AnyControlDefinition } from '../../controls/define-control.ts';
import { createScanner } from '../../engine/scanner/scanner.ts';
import type { ControlSettings } from '../../controls/settings.ts';
import type { Authz } from '../../engine/authz/create-authz.ts';
import type { Db } from '../../engine/db/database.ts';
import { TENET_VERSION } from '../../engine/kernel/version.ts';
import type { PackDeps } from './build-pack.ts';
import { makeScorecardDeps } from '../programmes/scorecard-deps.ts';
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
  return {
    ...makeScorecardDeps(props),
    scanner: createScanner({ secret: props.keys.scannerSecret }),
    signing: props.keys.signer,
    checkpoint: props.checkpoint,
    generator: `tenet ${TENET_VERSION}`,
  };
}
