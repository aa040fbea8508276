import { parse } from './args.ts';
import type { Config } from '../../kernel/config.ts';
import { pdpTableRunner } from '../../authz/create-authz.ts';
import { PolicyDecisionPoint } from '../../authz/pdp.ts';
import { compilePolicySet, validatePolicySet } from '../../authz/policy-set.ts';
import { readShippedPolicySet, type PolicySetName } from '../../authz/policy-store.ts';
import { SHIPPED_POLICY_DIR } from '../../kernel/version.ts';

const SETS: Array<{ name: PolicySetName; actionType: string }> = [
  { name: 'platform', actionType: 'Action' },
  { name: 'tenet', actionType: 'Tenet::Action' },
];

/** `tenet policy validate|test [--dir DIR]`: works on files, needs no database. */
export async function policy(args: string[], _ctx: { config: () => Config }): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parse(rest, { dir: { type: 'string' } });
  const dir = values.dir ?? process.env.TENET_POLICY_DIR ?? SHIPPED_POLICY_DIR;
  if (sub === 'validate') {
    let ok = true;
    for (const { name } of SETS) {
      const result = validatePolicySet(await readShippedPolicySet({ dir, name }));
      ok &&= result.ok;
      console.log(`${name}: ${result.ok ? 'valid (strict)' : 'INVALID'}`);
      for (const e of result.errors) console.log(`  error: ${e}`);
      for (const w of result.warnings) console.log(`  warning: ${w}`);
    }
    return ok ? 0 : 1;
  }
  if (sub === 'test') {
    let failed = 0;
    let passed = 0;
    for (const { name, actionType } of SETS) {
      const compiled = compilePolicySet(await readShippedPolicySet({ dir, name }));
      const run = pdpTableRunner({ pdp: new PolicyDecisionPoint({ name, actionType }), casesDir: `${dir}/cases`, name });
      const result = await run(compiled);
      passed += result.passed;
      failed += result.failed.length;
      console.log(`${name}: ${result.passed} passed, ${result.failed.length} failed`);
      for (const f of result.failed) {
        console.log(
          `  FAIL ${f.file} › ${f.name}: expected ${f.expected}, got ${f.actual}` +
            (f.reasons.length ? ` (reasons: ${f.reasons.join(', ')})` : '') +
            (f.errors.length ? ` (errors: ${f.errors.join('; ')})` : ''),
        );
      }
    }
    console.log(`${passed} passed, ${failed} failed`);
    return failed ? 1 : 0;
  }
  console.error('Usage: tenet policy validate|test [--dir DIR]');
  return 2;
}
