import { NOT_APPLICABLE, type Attestation, type EvidenceSources, type InventorySlice } from '../define-control.ts';
import type { LogScanEvidence } from '../catalogue/logging-cloudwatch-pii-scan.ts';
import type { ControlSettings } from '../settings.ts';
import { probeOrders, probeWebhooks } from './http-probe.ts';
import type { InventorySource } from './inventory-source.ts';
import { pgReadOnly, queryUnredactedOrders, type ReadOnlyQuery } from './platform-db.ts';

export interface SourceDeps {
  settings: ControlSettings;
  /** AWS, snapshot files, ...; none → inventory controls are not_applicable */
  inventory: InventorySource[];
  /** false → webhook/order probes and platform SQL are not_applicable (e.g. `tenet check --snapshot`) */
  live: boolean;
  authorize: EvidenceSources['authorize'];
  /** signed attestations of these documents (already verified); undefined → not_applicable */
  attestations?: (documentIds: string[]) => Promise<Attestation[]>;
  self?: EvidenceSources['self'];
  /** the CloudWatch Logs PII scan (engine/controls/log-scan.ts); undefined → not_applicable */
  logScan?: () => Promise<LogScanEvidence>;
  /** read-only SQL on the platform database; default: pg against the URL in platformDatabase.urlEnv */
  platformQuery?: ReadOnlyQuery;
  env?: Record<string, string | undefined>;
}

/**
 * The evidence sources one batch of control runs shares. Inventory reads are memoised per resource type for the
 * life of this object, so controls reading the same types in one tick cost one read of each source.
 */
export function createEvidenceSources(deps: SourceDeps): EvidenceSources {
  const { settings } = deps;
  const env = deps.env ?? process.env;
  const memo = new Map<string, Promise<InventorySlice>>();

  async function readTypes(types: string[]): Promise<InventorySlice> {
    const slices = await Promise.all(
      deps.inventory.map((s) =>
        s.read(types).catch((error: Error) => ({ items: [], errors: [{ source: s.name, message: error.message }] })),
      ),
    );
    return { items: slices.flatMap((s) => s.items), errors: slices.flatMap((s) => s.errors) };
  }

  return {
    async inventory(types) {
      if (deps.inventory.length === 0) return NOT_APPLICABLE;
      const missing = types.filter((t) => !memo.has(t));
      if (missing.length) {
        const read = readTypes(missing);
        for (const t of missing) {
          memo.set(
            t,
            read.then((s) => ({ items: s.items.filter((i) => i.resourceType === t), errors: s.errors })),
          );
        }
      }
      const parts = await Promise.all(types.map((t) => memo.get(t)!));
      const errors = new Map<string, { source: string; message: string }>();
      for (const p of parts) for (const e of p.errors) errors.set(`${e.source}\n${e.message}`, e);
      return { items: parts.flatMap((p) => p.items), errors: [...errors.values()] };
    },
    async webhookProbes() {
      if (!deps.live || settings.probes.webhooks.length === 0) return NOT_APPLICABLE;
      return probeWebhooks(settings.probes);
    },
    async orderProbe() {
      if (!deps.live || !settings.probes.orders) return NOT_APPLICABLE;
      return probeOrders(settings.probes, env);
    },
    async unredactedOrders() {
      const db = settings.platformDatabase;
      if (!deps.live || !db) return NOT_APPLICABLE;
      let run = deps.platformQuery;
      if (!run) {
        const url = env[db.urlEnv];
        if (!url) throw new Error(`environment variable ${db.urlEnv} (platformDatabase.urlEnv) is not set`);
        run = pgReadOnly({ url, statementTimeoutMs: db.statementTimeoutMs });
      }
      return queryUnredactedOrders({ run, query: db.unredactedOrdersQuery, olderThanDays: settings.requirements.redactionAfterDays });
    },
    async attestations(documentIds) {
      if (!deps.attestations) return NOT_APPLICABLE;
      return deps.attestations(documentIds);
    },
    authorize: deps.authorize,
    async logScan() {
      if (!deps.live || !deps.logScan) return NOT_APPLICABLE;
      return deps.logScan();
    },
    async self(fact) {
      if (!deps.self) return NOT_APPLICABLE;
      return deps.self(fact);
    },
  };
}
