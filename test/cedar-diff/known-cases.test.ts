/**
 * Disagreements the differential test found, each as the minimal case it shrank to (seed and path in the name),
 * kept so that they stay fixed: the evaluator must answer — or refuse — as cedar-wasm `isAuthorized` does with the
 * schema and all entities. Each case is checked through both entry points (`evaluateOnce`, and compile + index +
 * `authorize`).
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import { difference } from './harness.ts';
import type { Outcome } from './oracle.ts';
import { authorize, compilePolicySet, createEntityIndex, evaluateOnce, type CedarInput, type CedarRequest } from './subject.ts';

interface KnownCase {
  name: string;
  input: CedarInput;
  request: CedarRequest;
}

const user = (id: string) => ({ type: 'App::User', id });

const CASES: KnownCase[] = [
  {
    name: 'an entity hierarchy with a cycle is refused (seed 3, path 163)',
    input: {
      schema: {
        App: {
          entityTypes: { User: {}, Folder: { memberOfTypes: ['Folder'] } },
          actions: { read: { appliesTo: { principalTypes: ['User'], resourceTypes: ['Folder'] } } },
        },
      },
      policies: 'permit (principal, action, resource);',
      entities: [{ uid: { type: 'App::Folder', id: 'f' }, attrs: {}, parents: [{ type: 'App::Folder', id: 'f' }] }],
    },
    request: { principal: user('u'), action: { type: 'App::Action', id: 'read' }, resource: { type: 'App::Folder', id: 'f' }, context: {} },
  },
  {
    name: 'an entity attribute the schema does not declare is refused (seed 3, path 23)',
    input: {
      schema: { App: { entityTypes: { User: {}, Org: {} }, actions: { read: { appliesTo: { principalTypes: ['User'], resourceTypes: ['Org'] } } } } },
      policies: 'permit (principal, action, resource);',
      entities: [{ uid: { __entity: { type: 'App::User', id: '' } }, attrs: { zz_undeclared: 1 }, parents: [] }],
    },
    request: { principal: user('u'), action: { type: 'App::Action', id: 'read' }, resource: { type: 'App::Org', id: 'o' }, context: {} },
  },
  {
    name: 'an entity of a type the schema does not declare is refused (seed 3, path 29)',
    input: {
      schema: { App: { entityTypes: { User: {}, Org: {} }, actions: { read: { appliesTo: { principalTypes: ['User'], resourceTypes: ['Org'] } } } } },
      policies: 'permit (principal, action, resource);',
      entities: [{ uid: { type: 'App::Nope', id: 'n' }, attrs: {}, parents: [] }],
    },
    request: { principal: user('u'), action: { type: 'App::Action', id: 'read' }, resource: { type: 'App::Org', id: 'o' }, context: {} },
  },
  {
    name: 'a request for an action the schema does not declare is refused (seed 3, path 1)',
    input: { schema: { App: { entityTypes: {}, actions: {} } }, policies: 'permit (principal, action, resource);', entities: [] },
    request: { principal: { type: 'App::Doc', id: 'alice' }, action: { type: 'App::Action', id: 'no_such_action' }, resource: user('u'), context: {} },
  },
  {
    name: "a principal type outside the action's appliesTo is refused (seed 3, path 40)",
    input: {
      schema: 'namespace App { entity Doc; entity Flags; entity User; action "view" appliesTo { principal: [Doc], resource: [User], context: {} }; }',
      policies: 'permit (principal, action, resource);',
      entities: [],
    },
    request: {
      principal: { type: 'App::Flags', id: 'lockdown' },
      action: { type: 'App::Action', id: 'view' },
      resource: { type: 'App::Doc', id: 'alice' },
      context: {},
    },
  },
  {
    name: 'a context attribute the schema does not declare is refused (seed 3, path 1)',
    input: {
      schema: {
        App: {
          entityTypes: { User: {}, Org: {} },
          actions: { read: { appliesTo: { principalTypes: ['User'], resourceTypes: ['Org'], context: { type: 'Record', attributes: {} } } } },
        },
      },
      policies: 'permit (principal, action, resource);',
      entities: [],
    },
    request: {
      principal: user('lockdown'),
      action: { type: 'App::Action', id: 'read' },
      resource: { type: 'App::Org', id: 'alice' },
      context: { zz_undeclared: true },
    },
  },
];

function cedarOutcome(k: KnownCase): Outcome {
  const r = cedar.isAuthorized({
    principal: k.request.principal,
    action: k.request.action,
    resource: k.request.resource,
    context: k.request.context as cedar.Context,
    schema: k.input.schema as cedar.Schema,
    policies: { staticPolicies: k.input.policies },
    entities: k.input.entities as cedar.Entities,
  });
  if (r.type === 'failure') return { kind: 'refused', message: r.errors.map((e) => e.message).join('; ') };
  return {
    kind: 'answer',
    answer: { decision: r.response.decision, reasons: r.response.diagnostics.reason, errors: r.response.diagnostics.errors.map((e) => e.policyId) },
  };
}

function attempt(f: () => { decision: 'allow' | 'deny'; reasons: string[]; errors: string[] }): Outcome {
  try {
    const { decision, reasons, errors } = f();
    return { kind: 'answer', answer: { decision, reasons, errors } };
  } catch (err) {
    return { kind: 'refused', message: err instanceof Error ? err.message : String(err) };
  }
}

describe('known differential cases: evaluator == cedar-wasm', () => {
  for (const k of CASES) {
    it(k.name, () => {
      const expected = cedarOutcome(k);
      // The case must still show what it was kept for: cedar-wasm refuses it.
      expect(expected.kind).toBe('refused');
      const once = attempt(() => evaluateOnce(k.input, k.request));
      const viaIndex = attempt(() => {
        const set = compilePolicySet({ policies: k.input.policies, templateLinks: k.input.templateLinks, schema: k.input.schema });
        return authorize(set, createEntityIndex(set, k.input.entities), k.request, { failClosed: false });
      });
      expect({ evaluateOnce: difference(expected, once), authorize: difference(expected, viaIndex) }).toEqual({
        evaluateOnce: undefined,
        authorize: undefined,
      });
    });
  }
});
