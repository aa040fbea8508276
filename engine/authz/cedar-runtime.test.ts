import { describe, expect, it, vi } from 'vitest';
import * as cedar from './cedar-runtime.ts';
import { CedarFaultError, CedarRuntime, CedarUnavailableError, decidingCedar, describeFault, loadCedarInstance, type CedarApi } from './cedar-runtime.ts';
import { PolicyDecisionPoint } from './pdp.ts';
import { compilePolicySet } from './policy-set.ts';

/** Overflows cedar-wasm's parser (its stack in linear memory, or V8's): a real trap, not a simulated one. */
const DEEP = `permit(principal, action, resource) when { ${'('.repeat(400)}true${')'.repeat(400)} };`;
/** A question put to the instance; its answer shows the instance works. */
function decide(rt: CedarRuntime, action: string) {
  const answer = rt.run((api) =>
    api.isAuthorized({
      principal: { type: 'User', id: 'a' },
      action: { type: 'Action', id: action },
      resource: { type: 'Order', id: 'o' },
      context: {},
      entities: [],
      policies: { staticPolicies: { 'may-read': 'permit(principal, action == Action::"read", resource);' } },
    }),
  );
  if (answer.type !== 'success') throw new Error(JSON.stringify(answer.errors));
  return answer.response.decision;
}

describe('CedarRuntime: the deciding instance is watched and replaced', () => {
  it('an unguarded instance stays poisoned after a trap (why the watch exists)', () => {
    const api = loadCedarInstance();
    expect(() => api.policySetTextToParts(DEEP)).toThrow();
    expect(() => api.policySetTextToParts('permit(principal, action, resource);')).toThrow(/memory access out of bounds|unreachable/);
  });

  it('a trap is detected, calls fail closed while broken, and a fresh instance answers correctly', async () => {
    const events: string[] = [];
    const rt = new CedarRuntime();
    rt.on((e) => events.push(e.type));
    expect(decide(rt, 'read')).toBe('allow');

    let thrown: unknown;
    try {
      rt.run((api) => api.policySetTextToParts(DEEP));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CedarFaultError);
    expect((thrown as CedarFaultError).fault).toMatch(/RuntimeError: memory access out of bounds|RangeError: Maximum call stack size exceeded/);
    expect(rt.healthy).toBe(false);
    expect(rt.faults).toBe(1);
    // While broken nothing reaches Cedar: a caller gets an error (a 503 over HTTP), never an answer.
    expect(() => decide(rt, 'read')).toThrow(CedarUnavailableError);

    await rt.whenHealthy();
    expect(rt.healthy).toBe(true);
    expect(rt.replacements).toBe(1);
    expect(events).toEqual(['fault', 'replaced']);
    // The new instance answers, correctly both ways.
    expect(decide(rt, 'read')).toBe('allow');
    expect(decide(rt, 'write')).toBe('deny');
  });

  it('the broken window lasts until the new instance is loaded; a loader that fails is retried', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let attempts = 0;
    const rt = new CedarRuntime({ retryMs: 10 });
    rt.useLoader(async (): Promise<CedarApi> => {
      attempts++;
      if (attempts === 1) throw new Error('no memory for a new instance');
      await gate;
      return loadCedarInstance();
    });
    expect(() => rt.run((api) => api.policySetTextToParts(DEEP))).toThrow(CedarFaultError);
    await vi.waitFor(() => expect(attempts).toBe(2), { timeout: 10_000 });
    expect(rt.healthy).toBe(false);
    expect(() => decide(rt, 'read')).toThrow(CedarUnavailableError);
    release();
    await rt.whenHealthy();
    expect(rt.healthy).toBe(true);
    expect(decide(rt, 'read')).toBe('allow');
  });

  it('a second fault while replacing is one replacement, not two', async () => {
    const rt = new CedarRuntime();
    expect(() => rt.run((api) => api.policySetTextToParts(DEEP))).toThrow(CedarFaultError);
    expect(() => rt.run((api) => api.policySetTextToParts(DEEP))).toThrow(CedarUnavailableError);
    await rt.whenHealthy();
    expect(rt.replacements).toBe(1);
    expect(rt.run((api) => api.policySetTextToParts('permit(principal, action, resource);')).type).toBe('success');
  });

  it('describes a fault without the input: trap texts are V8’s own, other messages are withheld', () => {
    expect(describeFault(new WebAssembly.RuntimeError('unreachable'))).toBe('RuntimeError: unreachable');
    expect(describeFault(new RangeError('Maximum call stack size exceeded'))).toBe('RangeError: Maximum call stack size exceeded');
    const quoted = describeFault(new Error('invalid type: string "priya.sharma@example.in", expected a record'));
    expect(quoted).not.toContain('priya');
    expect(quoted).toContain('withheld');
  });

  it('the process-wide instance: a fault in it does not stop decisions (the evaluator does not call into Cedar)', async () => {
    const pdp = new PolicyDecisionPoint({ name: 'platform', actionType: 'Action' });
    const compiled = compilePolicySet({
      name: 'platform',
      schema: 'entity User; entity Order; action read, write appliesTo { principal: User, resource: Order };',
      policies: '@id("may-read") permit(principal, action == Action::"read", resource);',
    });
    pdp.activate(compiled);
    const read = () => pdp.authorize({ principal: { type: 'User', id: 'u' }, action: { id: 'read' }, resource: { type: 'Order', id: 'o' } });
    expect(read()).toMatchObject({ decision: 'allow', errors: [] });
    expect(() => cedar.policySetTextToParts(DEEP)).toThrow(CedarFaultError);
    expect(decidingCedar.healthy).toBe(false);
    expect(read()).toMatchObject({ decision: 'allow', errors: [], reasons: ['may-read'] });
    // Compiling a new set needs the instance: refused plainly while it is replaced, fine after.
    expect(() => compilePolicySet({ ...compiled, policies: compiled.policies + ' ' })).toThrow(CedarUnavailableError);
    await decidingCedar.whenHealthy();
    expect(read()).toMatchObject({ decision: 'allow', errors: [], reasons: ['may-read'] });
    expect(pdp.authorize({ principal: { type: 'User', id: 'u' }, action: { id: 'write' }, resource: { type: 'Order', id: 'o' } }).decision).toBe('deny');
  });
});
