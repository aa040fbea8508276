import type { ControlDefinition } from '../../controls/define-control.ts';
import { probeLimitedUse } from '../../controls/collectors/http-probe.ts';
import { createScanner } from '../../controls/pii/scanner.ts';
import type { ControlSettings } from '../../controls/settings.ts';
import type { Authz } from '../../engine/authz/create-authz.ts';
import { scannerSecret } from '../../engine/controls/log-scan.ts';
import type { Db } from '../../engine/db/database.ts';
import { TENET_VERSION } from '../../engine/version.ts';
import type { PackDeps } from './build-pack.ts';
import { packSigningKey } from './signing.ts';

/** What building a pack needs, from the parts of a running Tenet (server or CLI). */
export async function makePackDeps(props: {
  db: Db;
  authz: Pick<Authz, 'platform' | 'entityStore'>;
  settings: ControlSettings;
  catalogue: ReadonlyMap<string, ControlDefinition<any>>;
  scannerSecret?: string;
}): Promise<PackDeps> {
  const { settings } = props;
  const url = settings.packs.google.privacyPolicyUrl;
  return {
    db: props.db,
    catalogue: props.catalogue,
    settings,
    pdp: props.authz.platform,
    entities: props.authz.entityStore,
    scanner: createScanner({ secret: props.scannerSecret ?? (await scannerSecret(props.db)) }),
    signing: await packSigningKey(props.db),
    generator: `tenet ${TENET_VERSION}`,
    limitedUseProbe: url ? () => probeLimitedUse(url, settings.probes) : undefined,
  };
}
