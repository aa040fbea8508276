import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyDecisionPoint } from '../../engine/authz/pdp.ts';
import { compilePolicySet } from '../../engine/authz/policy-set.ts';
import { readShippedPolicySet } from '../../engine/authz/policy-store.ts';
import type { Entity } from '../../engine/authz/entity.ts';
import { SHIPPED_POLICY_DIR } from '../../engine/kernel/version.ts';
import { createSnapshotSource } from '../collectors/snapshot.ts';
import { createEvidenceSources } from '../collectors/sources.ts';
import type { InventorySource } from '../collectors/inventory-source.ts';
import { NOT_APPLICABLE, type EvidenceSources } from '../define-control.ts';
import { normaliseConfigurationItem } from '../inventory/config-item.ts';
import { runControl } from '../runner.ts';
import { parseControlSettings } from '../settings.ts';
import { apiShape, PROD, recorder, STAGING, type RawItem } from '../../test/fixtures/estates/config-items.ts';
import { ESTATES, type Estate } from '../../test/fixtures/estates/estates.ts';
import { CATALOGUE, CONTROLS_BY_ID } from './index.ts';

/**
 * Every control against crafted estates. Inventory estates are read the two ways AWS
 * Config delivers them — a snapshot file through the snapshot source, and the Config API's answer (configuration
 * and supplementary values as JSON strings, tags as a list) through normaliseConfigurationItem as the AWS
 * collector does — and judged through the real evidence sources (recorder checks included) and, for
 * identity.admin-mfa, the shipped platform policies.
 */
const settings = parseControlSettings({
  environments: { accounts: { [PROD]: 'production', [STAGING]: 'staging' } },
  requirements: {
    redactionFunction: 'pii-redactor',
    productionCorsOrigins: ['https://app.astrix.example', 'https://portal.astrix.example'],
    publicRoutes: ['POST /webhooks/stripe'],
  },
});
const mapping = settings.environments;

let dir: string;
let pdp: PolicyDecisionPoint;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tenet-estates-'));
  pdp = new PolicyDecisionPoint({ name: 'platform', actionType: 'Action' });
  pdp.activate(compilePolicySet(await readShippedPolicySet({ dir: SHIPPED_POLICY_DIR, name: 'platform' })));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The Config API's answer, normalised as the AWS collector does after BatchGetResourceConfig. */
function apiSource(raw: RawItem[]): InventorySource {
  const items = raw.filter((r) => r.configurationItemStatus !== 'ResourceDeleted').map((r) => normaliseConfigurationItem(apiShape(r), mapping));
  const regions = [...new Map(items.map((i) => [`${i.accountId}|${i.awsRegion}`, { accountId: i.accountId, region: i.awsRegion }])).values()];
  return { name: 'aws', read: async (types) => ({ items: items.filter((i) => types.includes(i.resourceType)), errors: [], regions }) };
}

let files = 0;
async function sourcesFor(estate: Estate, spelling: 'snapshot' | 'api'): Promise<EvidenceSources> {
  let inventory: InventorySource[] = [];
  if (estate.items) {
    const raw = [...estate.items, ...(estate.recorders === false ? [] : [recorder(PROD), recorder(STAGING)])];
    if (spelling === 'snapshot') {
      const file = path.join(dir, `estate-${++files}.json`);
      await writeFile(file, JSON.stringify({ fileVersion: '1.0', configSnapshotId: `estate-${files}`, configurationItems: raw }));
      inventory = [createSnapshotSource({ files: [file], mapping })];
    } else inventory = [apiSource(raw)];
  }
  const base = createEvidenceSources({
    settings,
    inventory,
    live: false,
    authorize: async (r) => {
      const d = pdp.authorize({
        principal: r.principal,
        action: { id: r.action },
        resource: r.resource,
        context: r.context,
        entities: r.entities as Entity[] | undefined,
      });
      return { decision: d.decision, reasons: d.reasons, errors: d.errors };
    },
  });
  return {
    ...base,
    webhookProbes: async () => estate.webhooks ?? NOT_APPLICABLE,
    orderProbe: async () => estate.orders ?? NOT_APPLICABLE,
    unredactedOrders: async () => estate.unredacted ?? NOT_APPLICABLE,
    attestations: async () => estate.attestations ?? NOT_APPLICABLE,
    self: async () => estate.self ?? NOT_APPLICABLE,
    logScan: async () => estate.logScan ?? NOT_APPLICABLE,
    accessCertification: async () => estate.accessCertification ?? NOT_APPLICABLE,
    incidents: async () => estate.incidents ?? NOT_APPLICABLE,
    tlsProbes: async () => estate.tls ?? NOT_APPLICABLE,
    scanReports: async () => estate.scanReports ?? NOT_APPLICABLE,
  };
}

describe('crafted estates', () => {
  it('cover every control: at least three violating estates, one compliant, one with the data missing', () => {
    expect(Object.keys(ESTATES).sort()).toEqual(CATALOGUE.map((c) => c.id).sort());
    for (const [id, estates] of Object.entries(ESTATES)) {
      expect(estates.filter((e) => e.expect === 'fail').length, id).toBeGreaterThanOrEqual(3);
      expect(estates.filter((e) => e.expect === 'pass').length, id).toBeGreaterThanOrEqual(1);
      expect(estates.filter((e) => e.expect === 'not-pass').length, id).toBeGreaterThanOrEqual(1);
    }
  });

  for (const [id, estates] of Object.entries(ESTATES)) {
    describe(id, () => {
      const control = CONTROLS_BY_ID.get(id)!;
      for (const estate of estates) {
        for (const spelling of estate.items ? (estate.only ? [estate.only] : (['snapshot', 'api'] as const)) : (['probe'] as const)) {
          it(`${estate.expect}: ${estate.name}${estate.items ? ` (${spelling === 'snapshot' ? 'snapshot file' : 'Config API'} spelling)` : ''}`, async () => {
            const r = await runControl(control, await sourcesFor(estate, spelling === 'api' ? 'api' : 'snapshot'), settings);
            const text = r.findings.map((f) => `${f.severity ?? 'fail'}: ${f.message}`).join('\n');
            if (estate.expect === 'pass') {
              expect(
                r.findings.filter((f) => f.severity !== 'info'),
                text,
              ).toEqual([]);
              expect(r.status, text).toBe('pass');
            } else if (estate.expect === 'fail') {
              expect(r.status, `${r.summary}\n${text}`).toBe('fail');
              if (estate.message)
                expect(
                  r.findings
                    .filter((f) => f.severity !== 'info')
                    .map((f) => f.message)
                    .join('\n'),
                ).toMatch(estate.message);
            } else {
              expect(r.status, `${r.summary}\n${text}`).not.toBe('pass');
            }
            // Whatever the verdict, no secret value reaches the evidence or a finding.
            expect(JSON.stringify([r.evidence, r.findings])).not.toMatch(/sk_live_51H8aBcDeFgHiJkLmNoPqRsTuVw/);
          });
        }
      }
    });
  }
});
