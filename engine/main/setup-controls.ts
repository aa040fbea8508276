import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lazySource, type InventorySource } from '../../controls/collectors/inventory-source.ts';
import type { ReadOnlyQuery } from '../../controls/collectors/platform-db.ts';
import { createSnapshotSource } from '../../controls/collectors/snapshot.ts';
import { CATALOGUE } from '../../controls/catalogue/index.ts';
import { loadControlSettings, type ControlSettings } from '../../controls/settings.ts';
import type { AnyControlDefinition } from '../../controls/define-control.ts';
import type { Authz } from '../authz/create-authz.ts';
import { loadConfig, type Config } from '../kernel/config.ts';
import type { Db } from '../db/database.ts';
import type { Logger } from '../kernel/logger.ts';
import { makePackDeps } from '../../evidence/packs/pack-deps.ts';
import { frameworksOf } from '../../evidence/programmes/index.ts';
import { makeScorecardDeps } from '../../evidence/programmes/scorecard-deps.ts';
import { scorecards, type ScorecardDeps } from '../../evidence/programmes/scorecard.ts';
import type { PackDeps } from '../../evidence/packs/build-pack.ts';
import { accessReview } from '../authz/access-review.ts';
import { AccessCertifications } from '../authz/access-certification.ts';
import { EvidenceStore } from '../../evidence/ledger/evidence-store.ts';
import { certificationSigner } from '../posture/access-certification-signer.ts';
import { PackService } from '../../evidence/packs/pack-service.ts';
import { refOf } from '../../evidence/ledger/checkpoints.ts';
import { setupEvidenceAnchoring, type EvidenceAnchoring } from '../../evidence/ledger/anchoring.ts';
import { AttestationStore } from '../posture/attestation-store.ts';
import { ControlRuns } from '../posture/control-runs.ts';
import { ControlService } from '../posture/control-service.ts';
import { ControlExceptions } from '../posture/exceptions.ts';
import { LogScanService } from '../posture/log-scan.ts';
import { Posture } from '../posture/posture.ts';
import { ReadinessService } from '../posture/readiness.ts';
import { SettingsVersions } from '../posture/settings-versions.ts';
import { announce } from '../db/change-feed.ts';
import { startControlScheduler } from '../posture/scheduler.ts';
import type { ControlPlane } from '../http/routes/control-routes.ts';
import type { RetentionDays, SettingsOrigin } from '../http/routes/settings-view.ts';

/** Certifications of the access review asked of the platform PDP, signed into the evidence chain. */
function accessCertifications(props: { db: Db; authz: Pick<Authz, 'platform' | 'entityStore'> }): AccessCertifications {
  return new AccessCertifications({
    db: props.db,
    review: () => accessReview({ pdp: props.authz.platform, entities: props.authz.entityStore }),
    signer: certificationSigner(new EvidenceStore(props.db)),
  });
}

/** The inventory sources a settings file configures: AWS Config snapshot files, then AWS accounts. */
export function inventorySources(settings: ControlSettings, logger?: Logger): InventorySource[] {
  const sources: InventorySource[] = [];
  if (settings.snapshots.length) sources.push(createSnapshotSource({ files: settings.snapshots, mapping: settings.environments }));
  const aws = settings.aws;
  if (aws) {
    sources.push(
      lazySource('aws', async () =>
        (await import('../../controls/collectors/aws/aws-inventory.ts')).createAwsInventorySource({
          accounts: aws.accounts,
          mapping: settings.environments,
          endpoint: aws.endpoint,
          requestTimeoutMs: aws.requestTimeoutMs,
          maxAttempts: aws.maxAttempts,
          discoverRegions: aws.discoverRegions,
          logger: logger ? { warn: (o, m) => logger.warn(o, m), debug: (o, m) => logger.debug(o, m) } : undefined,
        }),
      ),
    );
  }
  return sources;
}

/**
 * Wires the control plane over one set of control settings: the runs table, exceptions, readiness, posture, the
 * control service and the console's settings view; and installs readiness as the entity store's write transform
 * for Integration entities, so every entity write keeps what Tenet owns on them (`ready`, `provider`, ...).
 */
export function createControlPlane(props: {
  db: Db;
  logger: Logger;
  authz: Pick<Authz, 'platform' | 'entityStore'>;
  settings: ControlSettings;
  catalogue: ReadonlyArray<AnyControlDefinition>;
  inventory: InventorySource[];
  live: boolean;
  attestations?: AttestationStore;
  revealRetentionDays: number;
  replica?: string;
  env?: Record<string, string | undefined>;
  platformQuery?: ReadOnlyQuery;
  logScan?: LogScanService;
  origin?: SettingsOrigin;
  /** decision and evidence retention (the reveal retention is revealRetentionDays); defaults: the config defaults */
  retention?: Omit<RetentionDays, 'revealDays'>;
}): ControlPlane {
  const { db, logger, authz, settings } = props;
  const catalogue = new Map(props.catalogue.map((c) => [c.id, c]));
  const runs = new ControlRuns(db);
  const exceptions: ControlExceptions = new ControlExceptions({
    db,
    control: (id) => controls.control(id),
    integrations: settings.integrations,
    limits: { maxDays: settings.requirements.exceptionMaxDays, warnDays: settings.requirements.exceptionWarnDays },
    onChange: postureChanged,
  });
  const versions = new SettingsVersions({ db, settings });
  const readiness = new ReadinessService({ runs, exceptions, catalogue, integrations: settings.integrations, entities: authz.entityStore, logger, versions });
  // After runs and exception changes, readiness is recomputed here and, through the change feed, on every replica.
  async function postureChanged() {
    const result = await readiness.apply();
    await announce(db, 'posture');
    return result;
  }
  const env = props.env ?? process.env;
  const controls = new ControlService({
    db,
    logger,
    authz,
    settings,
    catalogue,
    runs,
    afterRuns: postureChanged,
    // the interval only ages results: each replica ages its own, nothing to announce
    recompute: () => readiness.apply(),
    inventory: props.inventory,
    live: props.live,
    attestations: props.attestations,
    revealRetentionDays: props.revealRetentionDays,
    replica: props.replica,
    env,
    platformQuery: props.platformQuery,
    logScan: props.logScan,
    accessCertification: () => certifications.facts(),
  });
  const certifications = accessCertifications({ db, authz });
  authz.entityStore.setWriteTransform((e, ctx) => readiness.enforce(e, ctx), ['Integration']);
  const defaults = props.retention ? undefined : loadConfig({});
  return {
    service: controls,
    runs,
    exceptions,
    readiness,
    versions,
    posture: new Posture({ db, runs, catalogue, schedule: (id) => controls.schedule(id), frameworks: frameworksOf }),
    settingsView: {
      settings,
      origin: props.origin ?? { source: 'inline', demo: false },
      retention: {
        decisionDays: props.retention?.decisionDays ?? defaults!.TENET_DECISION_RETENTION_DAYS,
        revealDays: props.revealRetentionDays,
        evidenceDays: props.retention?.evidenceDays ?? defaults!.TENET_EVIDENCE_RETENTION_DAYS,
      },
      env,
      inProcessPlatformDb: Boolean(props.platformQuery),
      controlIds: [...catalogue.keys()],
      schedule: (id) => controls.schedule(id),
    },
  };
}

export interface Controls {
  /** the control plane: its routes' dependencies (`service` is the one below) */
  plane: ControlPlane;
  service: ControlService;
  attestations: AttestationStore;
  /** Starts the cron scheduler (when TENET_SCHEDULER); runs every control once first in demo mode. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds the control plane of a Tenet process: settings (TENET_CONFIG_FILE, or the demo environment with
 * `--demo`), inventory sources, the attestation store, the control service and its scheduler.
 */
export async function setupControls(props: { config: Config; logger: Logger; db: Db; authz: Authz; demo?: boolean; scannerSecret: string }): Promise<Controls> {
  const { config, logger, db, authz } = props;
  const closers: Array<() => Promise<void>> = [];
  let settings: ControlSettings;
  let platformQuery: ReadOnlyQuery | undefined;
  let demoJws: string[] = [];
  const fromDemo = Boolean(props.demo && !config.TENET_CONFIG_FILE);
  if (fromDemo) {
    // The demo environment is loaded only for `serve --demo`.
    const { buildDemoSnapshot, demoAttestations, demoAttester, demoControlSettings, openDemoPlatformDb, startDemoEndpoints, writeDemoLogExports } =
      await import('../demo/demo-environment.ts');
    const dir = path.resolve(config.TENET_DATA_DIR, 'demo');
    await mkdir(dir, { recursive: true });
    const snapshotFile = path.join(dir, 'config-snapshot.json');
    await writeFile(snapshotFile, JSON.stringify(buildDemoSnapshot(), null, 1));
    const endpoints = await startDemoEndpoints();
    closers.push(endpoints.close);
    const platformDb = await openDemoPlatformDb();
    closers.push(platformDb.close);
    platformQuery = platformDb.query;
    const attester = await demoAttester(config.TENET_DATA_DIR);
    demoJws = await demoAttestations(attester);
    const logExports = await writeDemoLogExports(path.join(dir, 'logs'));
    settings = demoControlSettings({ snapshotFile, endpoints, attester, logExports });
  } else {
    settings = loadControlSettings(config.TENET_CONFIG_FILE);
  }
  const attestations = new AttestationStore(db, settings.attestations.trustedKeys);
  const logScan = new LogScanService({ db, settings, logger, secret: props.scannerSecret });
  const plane = createControlPlane({
    db,
    logger,
    authz,
    settings,
    catalogue: CATALOGUE,
    inventory: inventorySources(settings, logger),
    live: true,
    attestations,
    revealRetentionDays: config.TENET_PII_REVEAL_RETENTION_DAYS,
    platformQuery,
    logScan,
    origin: { source: fromDemo ? 'demo' : (config.TENET_CONFIG_FILE ?? 'defaults (no TENET_CONFIG_FILE)'), demo: Boolean(props.demo) },
    retention: { decisionDays: config.TENET_DECISION_RETENTION_DAYS, evidenceDays: config.TENET_EVIDENCE_RETENTION_DAYS },
  });
  const { service, exceptions } = plane;
  let scheduler: { stop(): Promise<void> } | undefined;
  let seen: NodeJS.Timeout | undefined;
  return {
    plane,
    service,
    attestations,
    async start() {
      if (props.demo) {
        for (const jws of demoJws) await attestations.add(jws, 'demo');
        await (await import('../demo/demo-scan-reports.ts')).importDemoScanReports(service.scanReports);
        if (!(await logScan.lastDeployment())) {
          await logScan.recordDeployment({ deployedAt: new Date(Date.now() - 20 * 3_600_000), version: 'demo-2026.11.22', recordedBy: 'demo' });
        }
        await (await import('../demo/demo-access-certification.ts')).certifyDemoAccessReview(accessCertifications({ db, authz }));
        await service.runNow([...service.catalogue.keys()], { trigger: 'startup', requestedBy: 'demo start-up' });
        const active = await exceptions.list({ includeInactive: false });
        if (!active.some((e) => e.controlId === 'pii.redaction-backfill' && e.integrationId === 'amazon_spapi')) {
          // Four eyes, as in the console: the security officer asks, the administrator approves (demo sign-in ids).
          const requested = await exceptions.request({
            controlId: 'pii.redaction-backfill',
            integrationId: 'amazon_spapi',
            reason: 'Backfill job BF-112 is redacting the three legacy orders imported before the scheduler existed; done within the week.',
            ticket: 'BF-112',
            expiresAt: new Date(Date.now() + 7 * 86_400_000),
            requestedBy: { id: 'user:demo-security_officer', name: 'Sam Security (user demo-security_officer)' },
          });
          await exceptions.approve(requested.id, { id: 'user:demo-admin', name: 'Ada Admin (user demo-admin)' });
        }
      }
      await plane.versions.register();
      seen = setInterval(
        () => plane.versions.seen().catch((error: Error) => logger.warn({ err: { message: error.message } }, 'control settings mark failed')),
        30_000,
      );
      seen.unref();
      await service.applyReadiness();
      if (config.TENET_SCHEDULER) scheduler = startControlScheduler({ service, logger, exceptions });
    },
    async close() {
      clearInterval(seen);
      await scheduler?.stop();
      for (const c of closers.reverse()) await c().catch(() => {});
    },
  };
}

/**
 * The pack service and its public key, over a running control service (deps made once, on first use), and the
 * access review the packs carry, asked of the platform PDP over the stored entities.
 */
export function packService(props: {
  db: Db;
  authz: Authz;
  controls: ControlService;
  config: Config;
  logger?: Logger;
  anchoring?: EvidenceAnchoring;
  /** the exception register the scorecards read (the control plane's); default: its table, read directly */
  exceptions?: ScorecardDeps['exceptions'];
}) {
  let deps: Promise<PackDeps> | undefined;
  let anchoring: Promise<EvidenceAnchoring> | undefined;
  // Keys from the key file or the environment (evidence/ledger/keys.ts); every pack records a fresh signed checkpoint.
  const anchor = () =>
    (anchoring ??= props.anchoring ? Promise.resolve(props.anchoring) : setupEvidenceAnchoring({ config: props.config, db: props.db, logger: props.logger }));
  const make = () =>
    (deps ??= anchor().then(({ keys, checkpoints }) =>
      makePackDeps({
        db: props.db,
        authz: props.authz,
        settings: props.controls.settings,
        catalogue: props.controls.catalogue,
        keys,
        checkpoint: async () => {
          const c = await checkpoints.create('pack');
          return c ? refOf(c) : undefined;
        },
        exceptions: props.exceptions,
      }),
    ));
  const scorecardDeps = makeScorecardDeps({
    db: props.db,
    authz: props.authz,
    settings: props.controls.settings,
    catalogue: props.controls.catalogue,
    exceptions: props.exceptions,
  });
  return {
    packs: new PackService({ db: props.db, dir: path.resolve(props.config.TENET_DATA_DIR, 'packs'), deps: make, logger: props.logger }),
    publicKey: async () => (await make()).signing.publicKeyPem,
    publicKeys: async () => (await anchor()).keys.publicKeys,
    accessReview: () => accessReview({ pdp: props.authz.platform, entities: props.authz.entityStore }),
    /** the programme scorecards (GET /v1/programmes), from the same answers the packs carry */
    scorecards: (period: Parameters<typeof scorecards>[1]) => scorecards(scorecardDeps, period),
    certifications: accessCertifications({ db: props.db, authz: props.authz }),
  };
}
