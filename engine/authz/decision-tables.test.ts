import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SHIPPED_POLICY_DIR } from '../kernel/version.ts';
import { pdpTableRunner } from './create-authz.ts';
import { DecisionTableError, loadDecisionTables, referenceAuthorize, runDecisionTables } from './decision-tables.ts';
import { PolicyDecisionPoint } from './pdp.ts';
import { compilePolicySet, validatePolicySet } from './policy-set.ts';
import { readShippedPolicySet } from './policy-store.ts';

const casesDir = path.join(SHIPPED_POLICY_DIR, 'cases');
const tmp = mkdtempSync(path.join(tmpdir(), 'tenet-tables-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('shipped policy sets and decision tables', () => {
  for (const [name, actionType] of [
    ['platform', 'Action'],
    ['tenet', 'Tenet::Action'],
  ] as const) {
    it(`${name}: validates strictly and every case passes, through the PDP and through plain Cedar`, async () => {
      const source = await readShippedPolicySet({ dir: SHIPPED_POLICY_DIR, name });
      expect(validatePolicySet(source)).toMatchObject({ ok: true, errors: [] });
      const compiled = compilePolicySet(source);
      const viaPdp = await pdpTableRunner({ pdp: new PolicyDecisionPoint({ name, actionType }), casesDir, name })(compiled);
      const tables = await loadDecisionTables({ dir: casesDir });
      const viaCedar = runDecisionTables({
        tables,
        policySet: name,
        authorize: referenceAuthorize({ policies: compiled.byId, schema: source.schema, actionType }),
      });
      console.log(`${name}: ${viaPdp.passed} cases passed through the PDP, ${viaCedar.passed} through isAuthorized`);
      expect(viaPdp.failed).toEqual([]);
      expect(viaCedar.failed).toEqual([]);
      expect(viaPdp.passed).toBeGreaterThanOrEqual(name === 'platform' ? 100 : 25);
    });
  }

  it('every platform policy is exercised both ways: named by a deny or allow case, and crossed by an opposite case', async () => {
    const source = await readShippedPolicySet({ dir: SHIPPED_POLICY_DIR, name: 'platform' });
    const ids = Object.keys(compilePolicySet(source).byId);
    const tables = (await loadDecisionTables({ dir: casesDir })).filter((t) => t.policySet === 'platform');
    const named = new Set(tables.flatMap((t) => t.cases.flatMap((c) => c.reasons ?? [])));
    expect(ids.filter((id) => !named.has(id))).toEqual([]);
    const decisions = tables.flatMap((t) => t.cases.map((c) => c.decision));
    expect(decisions.filter((d) => d === 'allow').length).toBeGreaterThan(30);
    expect(decisions.filter((d) => d === 'deny').length).toBeGreaterThan(30);
  });

  it('the tables catch a broken policy set (removing the cross-agency guardrail and the MFA rule)', async () => {
    const source = await readShippedPolicySet({ dir: SHIPPED_POLICY_DIR, name: 'platform' });
    const broken = source.policies
      .replace(/@id\("forbid-cross-agency"\)[\s\S]*?};/, '')
      .replace(/@id\("forbid-reveal-without-mfa"\)[\s\S]*?};/, '')
      .replace('principal has agency && resource in principal.agency\n};', 'true\n};');
    const run = pdpTableRunner({ pdp: new PolicyDecisionPoint({ name: 'platform', actionType: 'Action' }), casesDir, name: 'platform' });
    const result = await run(compilePolicySet({ ...source, policies: broken }));
    const failedNames = result.failed.map((f) => f.name);
    expect(failedNames).toContain('agency admin of another agency cannot read the order');
    expect(failedNames).toContain('reveal without MFA');
  });

  it('a malformed table is refused with the file and field named', async () => {
    writeFileSync(
      path.join(tmp, 'bad.json'),
      JSON.stringify({
        policySet: 'platform',
        cases: [{ name: 'x', principal: { type: 'User' }, action: 'read', resource: { type: 'Order', id: 'o' }, decision: 'allow' }],
      }),
    );
    await expect(loadDecisionTables({ dir: tmp })).rejects.toThrow(DecisionTableError);
    await expect(loadDecisionTables({ dir: tmp })).rejects.toThrow(/bad\.json: cases\.0\.principal\.id/);
    writeFileSync(path.join(tmp, 'bad.json'), '{ not json');
    await expect(loadDecisionTables({ dir: tmp })).rejects.toThrow(/bad\.json: not valid JSON/);
  });
});
