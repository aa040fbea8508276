import { afterAll, describe, expect, it } from 'vitest';
import { SHIPPED_POLICY_DIR } from '../kernel/version.ts';
import { decidingCedar } from './cedar-runtime.ts';
import { CedarSandbox, CedarSandboxError, mainThreadStackKb, sandboxStackSizeMb } from './cedar-sandbox.ts';
import { assessPolicySet, compilePolicySet, validatePolicySet, type PolicySetSource } from './policy-set.ts';
import { PolicyDecisionPoint } from './pdp.ts';
import { readShippedPolicySet } from './policy-store.ts';

const sandbox = new CedarSandbox();
afterAll(() => sandbox.close());

const nested = (depth: number) => `@id("deep")\npermit(principal, action, resource) when { ${'('.repeat(depth)}true${')'.repeat(depth)} };`;

async function rejectionOf(p: Promise<unknown>): Promise<CedarSandboxError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(CedarSandboxError);
    return error as CedarSandboxError;
  }
  throw new Error('expected a CedarSandboxError');
}

describe('CedarSandbox: callers’ Cedar text runs in its own thread', () => {
  it('gives the same report as the in-process validation, for good and bad drafts', async () => {
    const platform = await readShippedPolicySet({ dir: SHIPPED_POLICY_DIR, name: 'platform' });
    const drafts: PolicySetSource[] = [
      platform,
      await readShippedPolicySet({ dir: SHIPPED_POLICY_DIR, name: 'tenet' }),
      { ...platform, policies: 'permit (principal, action' },
      { ...platform, policies: 'permit (principal, action, resource);' },
      { ...platform, policies: platform.policies + '\n@id("typo") permit(principal, action, resource) when { resource.agencyy == principal.agency };' },
      { ...platform, schema: 'entity User { agency: Agenc };' },
      { ...platform, schema: 'entity {' },
      { ...platform, policies: platform.policies + '\n@id("x") permit(principal, action, resource);\n@id("x") forbid(principal, action, resource);' },
    ];
    for (const draft of drafts) {
      const assessed = await assessPolicySet(draft, sandbox);
      expect(assessed.validation, draft.policies.slice(-80)).toEqual(validatePolicySet(draft));
      expect(Boolean(assessed.compiled)).toBe(assessed.validation.ok);
      if (assessed.compiled) expect(assessed.compiled.byId).toEqual(compilePolicySet(draft).byId);
    }
  });

  it('text that faults Cedar is reported invalid; the thread is replaced and the deciding instance never sees it', async () => {
    const schema = (await readShippedPolicySet({ dir: SHIPPED_POLICY_DIR, name: 'platform' })).schema;
    const faultsBefore = decidingCedar.faults;
    const replacedBefore = sandbox.replacements;
    for (let i = 0; i < 2; i++) {
      const { validation, compiled } = await assessPolicySet({ name: 'platform', policies: nested(100), schema }, sandbox);
      expect(compiled).toBeUndefined();
      expect(validation.ok).toBe(false);
      expect(validation.errors.join()).toMatch(
        /Cedar faulted on this text \((RangeError: Maximum call stack size exceeded|RuntimeError: memory access out of bounds)/,
      );
    }
    // A schema is callers' text too.
    const deepSchema = `entity A { x: ${'{ a: '.repeat(300)}Long${' }'.repeat(300)} }; action r appliesTo { principal: A, resource: A };`;
    const bySchema = await assessPolicySet({ name: 'platform', policies: '@id("p") permit(principal, action, resource);', schema: deepSchema }, sandbox);
    expect(bySchema.validation.errors.join()).toMatch(/Cedar faulted on this text/);
    expect(sandbox.replacements).toBe(replacedBefore + 3);
    expect(decidingCedar.faults).toBe(faultsBefore);
    expect(decidingCedar.healthy).toBe(true);
    // The next thread answers normally.
    expect(await sandbox.call('checkParseSchema', 'entity A;')).toEqual({ type: 'success' });
  });

  it('a call that outlasts its timeout stops the thread; the next call gets a fresh one', async () => {
    const small = new CedarSandbox({ timeoutMs: 5 });
    try {
      await small.call('checkParseSchema', 'entity A;').catch(() => undefined); // started: the timeout covers the call alone
      const before = small.replacements;
      // ~1.5 MB of policies: parsing them takes far longer than 5 ms.
      const big = Array.from({ length: 12_000 }, (_, i) => `@id("p${i}") permit(principal, action, resource) when { context has x${i} };`).join('\n');
      const error = await rejectionOf(small.call('policySetTextToParts', big));
      expect(error.kind).toBe('timeout');
      expect(error.message).toMatch(/longer than 5 ms/);
      expect(small.replacements).toBe(before + 1);
    } finally {
      await small.close();
    }
    const patient = new CedarSandbox({ timeoutMs: 60_000 });
    try {
      expect(await patient.call('checkParseSchema', 'entity A;')).toEqual({ type: 'success' });
    } finally {
      await patient.close();
    }
  });

  it('refuses input over its size cap and calls beyond its queue, without starting work on them', async () => {
    const capped = new CedarSandbox({ maxInputBytes: 1000, maxQueue: 1 });
    try {
      expect((await rejectionOf(capped.call('policySetTextToParts', 'x'.repeat(1001)))).kind).toBe('too_large');
      const first = capped.call('checkParseSchema', 'entity A;');
      const second = capped.call('checkParseSchema', 'entity B;');
      expect((await rejectionOf(capped.call('checkParseSchema', 'entity C;'))).kind).toBe('busy');
      expect(await first).toEqual({ type: 'success' });
      expect(await second).toEqual({ type: 'success' });
      expect(capped.replacements).toBe(0);
    } finally {
      await capped.close();
    }
  });

  it('runs on a smaller stack than the deciding thread: the deepest text it accepts compiles and decides here', async () => {
    expect(mainThreadStackKb([])).toBe(984);
    expect(mainThreadStackKb(['--stack-size=2000'])).toBe(2000);
    expect(sandboxStackSizeMb(984) * 1024 - 192).toBeCloseTo(328, 0);
    const schema = (await readShippedPolicySet({ dir: SHIPPED_POLICY_DIR, name: 'platform' })).schema;
    // The deepest nesting the sandbox accepts (it refuses deeper: the limit is real), found by bisection.
    let lo = 1;
    let hi = 200;
    expect((await assessPolicySet({ name: 'platform', policies: nested(hi), schema }, sandbox)).validation.ok).toBe(false);
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((await assessPolicySet({ name: 'platform', policies: nested(mid), schema }, sandbox)).validation.ok) lo = mid;
      else hi = mid;
    }
    const accepted = await assessPolicySet({ name: 'platform', policies: nested(lo), schema }, sandbox);
    expect(accepted.compiled).toBeDefined();
    console.log(`deepest nesting the sandbox accepts: ${lo} parentheses`);
    // Compiled in the deciding instance and evaluated from inside a deep call stack: no fault.
    const faultsBefore = decidingCedar.faults;
    const deepStack = (n: number): string => (n === 0 ? pdp() : deepStack(n - 1));
    const pdp = () => {
      const p = new PolicyDecisionPoint({ name: 'platform', actionType: 'Action' });
      p.activate(compilePolicySet({ name: 'platform', policies: nested(lo), schema }));
      return p.authorize({ principal: { type: 'User', id: 'u' }, action: { id: 'read' }, resource: { type: 'Order', id: 'o' } }).decision;
    };
    expect(deepStack(2000)).toBe('allow');
    expect(decidingCedar.faults).toBe(faultsBefore);
  });
});
