import type { Config } from '../kernel/config.ts';
import type { Db } from '../db/database.ts';
import type { Logger } from '../kernel/logger.ts';
import { decidingCedar, type CedarRuntime } from './cedar-runtime.ts';
import { CedarSandbox } from './cedar-sandbox.ts';
import path from 'node:path';
import { DecisionJournal } from './decision-journal.ts';
import { DecisionLog } from './decision-log.ts';
import { loadDecisionTables, runDecisionTables } from './decision-tables.ts';
import { EntityStore } from './entity-store.ts';
import { PolicyDecisionPoint } from './pdp.ts';
import type { CompiledPolicySet } from './policy-set.ts';
import { PolicyStore, type PolicySetName, type TableRunner } from './policy-store.ts';

export interface Authz {
  platform: PolicyDecisionPoint;
  tenet: PolicyDecisionPoint;
  entityStore: EntityStore;
  policyStore: PolicyStore;
  decisionLog: DecisionLog;
  /** The deciding Cedar instance (process-wide) and the sandbox for callers' Cedar text: /readyz and /metrics. */
  cedar: { deciding: CedarRuntime; sandbox: CedarSandbox };
  /** Starts the background refreshes (entities, active policy versions). */
  start(): void;
  /** Stops refreshing and flushes the decision log. */
  close(): Promise<void>;
}

/**
 * A table runner that decides through the production PDP code path with the candidate set, over each table's own
 * entities: a version passes only if the engine that will serve it gets every case right.
 */
export function pdpTableRunner(props: { pdp: PolicyDecisionPoint; casesDir: string; name: PolicySetName }): TableRunner {
  return async (candidate: CompiledPolicySet) => {
    const tables = (await loadDecisionTables({ dir: props.casesDir })).filter((t) => t.policySet === props.name);
    return runDecisionTables({
      tables,
      policySet: props.name,
      authorize: (req) => {
        const d = props.pdp.authorizeWith(
          candidate,
          { principal: req.principal, action: { id: req.action }, resource: req.resource, context: req.context },
          { entities: req.entities },
        );
        return { decision: d.decision, reasons: d.reasons, errors: d.errors };
      },
    });
  };
}

/**
 * The decision journal the configuration asks for (TENET_DECISION_JOURNAL, TENET_JOURNAL_DIR, TENET_JOURNAL_MAX_MB),
 * not yet opened; undefined when it is turned off.
 */
export function journalFromConfig(config: Config, logger: Logger): DecisionJournal | undefined {
  if (!config.TENET_DECISION_JOURNAL) return undefined;
  return new DecisionJournal({
    dir: config.TENET_JOURNAL_DIR ?? path.join(config.TENET_DATA_DIR, 'decision-journal'),
    maxBytes: config.TENET_JOURNAL_MAX_MB * 1024 * 1024,
    logger,
  });
}

/**
 * Wires the authorization domain: PDPs for both policy sets, the entity store, policy lifecycle, decision log.
 * With a `journal`, decisions are durable before they are answered (it is opened here; what an earlier process
 * left in it is shipped once `start()` runs). Without one, a decision is answered once it is queued.
 */
export async function createAuthz(props: { db: Db; logger: Logger; config: Config; policyDir: string; journal?: DecisionJournal }): Promise<Authz> {
  const { db, logger, config, policyDir, journal } = props;
  const entityStore = new EntityStore({ db, logger, refreshMs: config.TENET_ENTITY_REFRESH_MS });
  // The platform PDP follows the entity store: every change the store applies reaches its index as it lands.
  const platform = new PolicyDecisionPoint({ name: 'platform', actionType: 'Action', entities: entityStore });
  // Tenet's own set decides on request-supplied entities only (key, role, area): it never reads the platform store.
  const tenet = new PolicyDecisionPoint({ name: 'tenet', actionType: 'Tenet::Action' });
  const casesDir = `${policyDir}/cases`;
  const sandbox = new CedarSandbox();
  // A fault in the deciding instance is an incident (someone found input that traps Cedar): logged with its class
  // and message only, never the input.
  const unwatch = decidingCedar.on((event) => {
    if (event.type === 'fault') logger.error({ fault: event.fault }, 'Cedar faulted in the deciding instance: replacing it; decisions deny until it is back');
    else if (event.type === 'replaced') logger.warn({ replacements: event.replacements }, 'deciding Cedar instance replaced');
    else logger.error({ err: { message: event.error } }, 'replacing the deciding Cedar instance failed; retrying');
  });
  const policyStore = new PolicyStore({
    sandbox,
    deciding: decidingCedar,
    db,
    logger,
    pdps: { platform, tenet },
    runners: {
      platform: pdpTableRunner({ pdp: platform, casesDir, name: 'platform' }),
      tenet: pdpTableRunner({ pdp: tenet, casesDir, name: 'tenet' }),
    },
    shippedDir: policyDir,
  });
  await journal?.open();
  const decisionLog = new DecisionLog({ db, logger, maxQueue: config.TENET_DECISION_QUEUE_MAX, maxBatch: config.TENET_DECISION_BATCH_MAX, journal });
  await entityStore.refresh();
  await policyStore.init();
  let policyTimer: NodeJS.Timeout | undefined;
  return {
    platform,
    tenet,
    entityStore,
    policyStore,
    decisionLog,
    cedar: { deciding: decidingCedar, sandbox },
    start() {
      entityStore.start();
      decisionLog.start();
      // The fallback under the change feed (and the only way on an embedded database, which has one replica).
      policyTimer = setInterval(() => {
        policyStore.refresh().catch((error: unknown) => logger.warn({ err: { message: (error as Error).message } }, 'policy refresh failed'));
      }, config.TENET_ENTITY_REFRESH_MS);
      policyTimer.unref();
    },
    async close() {
      entityStore.stop();
      platform.close();
      clearInterval(policyTimer);
      unwatch();
      await sandbox.close();
      await decisionLog.close();
    },
  };
}
