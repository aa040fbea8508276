import { NOT_APPLICABLE, type Attestation, type EvidenceSources, type InventorySlice, type ScanReportSummary } from '../define-control.ts';
import type { LogScanEvidence } from '../log-scan-evidence.ts';
import type { IncidentEvidence } from '../define-control.ts';
import type { AccessCertificationEvidence } from '../access-certification-evidence.ts';
import type { ControlSettings } from '../settings.ts';
import { probeCors, probeOrders, probeWebhooks } from './http-probe.ts';
import { probeTls } from './tls-probe.ts';
import { recorderOf, recordingGaps } from '../inventory/recorder.ts';
import { CONFIG_RECORDER } from '../inventory/resource-types.ts';
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
  /** the access review and its newest certification (engine/authz/access-certification.ts); undefined → not_applicable */
  accessCertification?: () => Promise<AccessCertificationEvidence>;
  /** the incident register's incidents and clocks (engine/incidents/incident-register.ts); undefined → not_applicable */
  incidents?: (days: number) => Promise<IncidentEvidence>;
  /** the latest imported scan report of each kind (engine/posture/scan-reports.ts); undefined → not_applicable */
  scanReports?: () => Promise<ScanReportSummary[]>;
  /** the CloudWatch Logs PII scan (engine/posture/log-scan.ts); undefined → not_applicable */
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
      deps.inventory.map((s) => s.read(types).catch((error: Error) => ({ items: [], errors: [{ source: s.name, message: error.message }] }) as InventorySlice)),
    );
    return {
      items: slices.flatMap((s) => s.items),
      errors: slices.flatMap((s) => s.errors),
      unavailable: slices.flatMap((s) => s.unavailable ?? []),
      regions: slices.flatMap((s) => s.regions ?? []),
    };
  }

  return {
    /**
     * Items of `types`, with the recorder of every account × region read alongside: a type AWS Config is not
     * recording there (no recorder, a stopped one, a recording group without the type) is an error of the
     * control reading it — never a pass or a not_applicable on items that were never recorded.
     */
    async inventory(types) {
      if (deps.inventory.length === 0) return NOT_APPLICABLE;
      const all = [...new Set([...types, CONFIG_RECORDER])];
      const missing = all.filter((t) => !memo.has(t));
      if (missing.length) {
        const read = readTypes(missing);
        for (const t of missing) {
          memo.set(
            t,
            read.then((s) => ({
              items: s.items.filter((i) => i.resourceType === t),
              errors: s.errors,
              unavailable: (s.unavailable ?? []).filter((u) => u.type === t),
              regions: s.regions,
            })),
          );
        }
      }
      const parts = await Promise.all(types.map((t) => memo.get(t)!));
      const recorderPart = await memo.get(CONFIG_RECORDER)!;
      const errors = new Map<string, { source: string; message: string }>();
      const regions = new Map<string, { accountId: string; region: string; lastCaptureTime?: string }>();
      for (const p of [...parts, recorderPart]) {
        for (const e of p.errors) errors.set(`${e.source}\n${e.message}`, e);
        for (const r of p.regions ?? []) {
          const key = `${r.accountId}|${r.region}`;
          const prior = regions.get(key);
          const newest = [prior?.lastCaptureTime, r.lastCaptureTime]
            .filter((x): x is string => !!x)
            .sort()
            .pop();
          regions.set(key, { accountId: r.accountId, region: r.region, ...(newest ? { lastCaptureTime: newest } : {}) });
        }
      }
      const gaps = recordingGaps({
        recorders: recorderPart.items.map(recorderOf),
        regions: [...regions.values()],
        types,
        missing: (w) => `no AWS Config recorder was found for account ${w.accountId} in ${w.region}`,
      });
      for (const g of gaps) errors.set(`${g.source}\n${g.message}`, g);
      return {
        items: parts.flatMap((p) => p.items),
        errors: [...errors.values()],
        unavailable: parts.flatMap((p) => p.unavailable ?? []),
        regions: [...regions.values()],
      };
    },
    async webhookProbes() {
      if (!deps.live || settings.probes.webhooks.length === 0) return NOT_APPLICABLE;
      return probeWebhooks(settings.probes, env);
    },
    async corsProbes(origins) {
      if (!deps.live || !settings.probes.cors) return NOT_APPLICABLE;
      return probeCors(settings.probes, origins);
    },
    async scanReports() {
      if (!deps.scanReports) return NOT_APPLICABLE;
      return deps.scanReports();
    },
    async tlsProbes() {
      if (!deps.live || settings.probes.tls.length === 0) return NOT_APPLICABLE;
      return probeTls(settings.probes);
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
    async accessCertification() {
      if (!deps.accessCertification) return NOT_APPLICABLE;
      return deps.accessCertification();
    },
    async self(fact) {
      if (!deps.self) return NOT_APPLICABLE;
      return deps.self(fact);
    },
    async incidents(days) {
      if (!deps.incidents) return NOT_APPLICABLE;
      return deps.incidents(days);
    },
  };
}
