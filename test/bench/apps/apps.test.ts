/**
 * The apps benchmark's three applications (gdrive, github, tinytodo) at a small size: the evaluator answers
 * every request as cedar-wasm does on the request's reachable closure (decision, reasons and erroring policies),
 * and the request mix is not one-sided. The full-size run with timings is `npm run bench -- apps`.
 */
import { describe, expect, it } from 'vitest';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { authorize, compilePolicySet, createEntityIndex } from '../../../engine/authz/evaluator/index.ts';
import { ClosureIndex, disagreement } from './common.ts';
import { gdrive } from './gdrive.ts';
import { github } from './github.ts';
import { tinytodo } from './tinytodo.ts';

const SIZE = 200;
const REQUESTS = 300;

describe('apps benchmark: evaluator agrees with cedar-wasm', () => {
  for (const app of [gdrive, github, tinytodo]) {
    it(`${app.name}: ~${SIZE} entities, ${REQUESTS} requests`, () => {
      const compiled = compilePolicySet({ policies: app.policies, schema: app.schema });
      const entities = app.entities(SIZE, 3);
      expect(entities.length).toBeGreaterThan(SIZE * 0.9);
      const index = createEntityIndex(compiled, entities);
      const closures = new ClosureIndex(entities);
      cedar.preparsePolicySet(`apps-test-${app.name}`, { staticPolicies: app.policies });
      cedar.preparseSchema(`apps-test-${app.name}`, app.schema);
      const differ: string[] = [];
      let allows = 0;
      for (const r of app.requests(entities, REQUESTS, 11)) {
        const mine = authorize(compiled, index, r, { failClosed: true });
        if (mine.decision === 'allow') allows++;
        const theirs = cedar.statefulIsAuthorized({
          principal: r.principal,
          action: r.action,
          resource: r.resource,
          context: r.context as cedar.Context,
          preparsedPolicySetId: `apps-test-${app.name}`,
          preparsedSchemaName: `apps-test-${app.name}`,
          entities: closures.of(r) as unknown as cedar.Entities,
        });
        const d = disagreement(mine, theirs);
        if (d) differ.push(`${JSON.stringify(r)}: ${d}`);
      }
      expect(differ.slice(0, 5)).toEqual([]);
      expect(allows / REQUESTS).toBeGreaterThan(0.15);
      expect(allows / REQUESTS).toBeLessThan(0.85);
    });
  }

  it('the closure handed to cedar-wasm holds the principal, the resource, and every stored parent and attribute entity of its members', () => {
    const entities = gdrive.entities(SIZE, 3);
    const stored = new Set(entities.map((e) => `${e.uid.type}/${e.uid.id}`));
    const closures = new ClosureIndex(entities);
    for (const r of gdrive.requests(entities, 20, 11)) {
      const slice = new Set(closures.of(r).map((e) => `${e.uid.type}/${e.uid.id}`));
      expect(slice.has(`${r.principal.type}/${r.principal.id}`)).toBe(true);
      expect(slice.has(`${r.resource.type}/${r.resource.id}`)).toBe(true);
      for (const e of closures.of(r)) {
        const next = [
          ...e.parents,
          ...Object.values(e.attrs).flatMap((v) =>
            (v as { __entity?: { type: string; id: string } }).__entity ? [(v as { __entity: { type: string; id: string } }).__entity] : [],
          ),
        ];
        for (const u of next) if (stored.has(`${u.type}/${u.id}`)) expect(slice.has(`${u.type}/${u.id}`)).toBe(true);
      }
    }
  });
});
