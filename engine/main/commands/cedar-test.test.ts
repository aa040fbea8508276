import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandTestPaths, runCedarTests } from './cedar-test.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'cedar-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function suite(requests: unknown[]) {
  mkdirSync(path.join(dir, 'tests'), { recursive: true });
  writeFileSync(
    path.join(dir, 'tests/p.cedar'),
    'permit(principal, action == Action::"view", resource) when { resource.size < 9223372036854775807 };\nforbid(principal in Group::"banned", action, resource);',
  );
  writeFileSync(
    path.join(dir, 'tests/s.cedarschema'),
    'entity Group; entity User in [Group]; entity Doc { size: Long }; action view appliesTo { principal: [User], resource: [Doc] };',
  );
  writeFileSync(
    path.join(dir, 'tests/e.entities.json'),
    // 9223372036854775806 is not a JavaScript number: read losslessly it is less than the policy's bound.
    '[{"uid":{"type":"Doc","id":"big"},"attrs":{"size":9223372036854775806},"parents":[]},' +
      '{"uid":{"type":"Doc","id":"max"},"attrs":{"size":9223372036854775807},"parents":[]},' +
      '{"uid":{"type":"User","id":"eve"},"attrs":{},"parents":[{"type":"Group","id":"banned"}]}]',
  );
  const file = path.join(dir, 'tests/t.json');
  writeFileSync(
    file,
    JSON.stringify({ policies: 'tests/p.cedar', entities: 'tests/e.entities.json', schema: 'tests/s.cedarschema', shouldValidate: true, requests }),
  );
  return file;
}

const req = (principal: string, resource: string, decision: string, reason: string[]) => ({
  principal: { type: 'User', id: principal },
  action: { type: 'Action', id: 'view' },
  resource: { type: 'Doc', id: resource },
  context: {},
  decision,
  reason,
  errors: [],
});

describe('tenet cedar-test', () => {
  it('passes requests Cedar answers the same way, including 64-bit integers beyond JSON numbers', () => {
    const file = suite([req('bob', 'big', 'allow', ['policy0']), req('bob', 'max', 'deny', []), req('eve', 'big', 'deny', ['policy1'])]);
    const s = runCedarTests([file], dir);
    expect({ tests: s.tests, requests: s.requests, passed: s.passed, failed: s.failed }).toEqual({ tests: 1, requests: 3, passed: 3, failed: 0 });
    expect(s.results.map((r) => [r.test, r.index, r.decision, r.reasons])).toEqual([
      [file, 0, 'allow', ['policy0']],
      [file, 1, 'deny', []],
      [file, 2, 'deny', ['policy1']],
    ]);
  });

  it('fails a wrong decision and wrong reasons for an allow', () => {
    const file = suite([req('bob', 'max', 'allow', ['policy0']), req('bob', 'big', 'allow', ['policy1'])]);
    const s = runCedarTests([file], dir);
    expect(s.failed).toBe(2);
    expect(s.results.every((r) => !r.ok && r.expected)).toBe(true);
  });

  it('lists the documented deviation (a forbid that errors denies what Cedar allows) without failing it', () => {
    mkdirSync(path.join(dir, 'dev'), { recursive: true });
    writeFileSync(path.join(dir, 'dev/p.cedar'), 'permit(principal, action, resource);\nforbid(principal, action, resource) when { principal.missing };');
    writeFileSync(
      path.join(dir, 'dev/s.cedarschema'),
      'entity User { missing?: Bool }; entity Doc; action view appliesTo { principal: [User], resource: [Doc] };',
    );
    writeFileSync(path.join(dir, 'dev/e.entities.json'), '[]');
    const file = path.join(dir, 'dev/t.json');
    writeFileSync(
      file,
      JSON.stringify({
        policies: 'dev/p.cedar',
        entities: 'dev/e.entities.json',
        schema: 'dev/s.cedarschema',
        shouldValidate: true,
        requests: [{ ...req('bob', 'd', 'allow', ['policy0']), errors: ['policy1'] }],
      }),
    );
    const s = runCedarTests([file], dir);
    expect({ passed: s.passed, failed: s.failed, deviations: s.deviations }).toEqual({ passed: 1, failed: 0, deviations: 1 });
    expect(s.results[0]).toMatchObject({ decision: 'deny', errors: ['policy1'], deviation: 'forbid-error-denies', expected: { decision: 'allow' } });
  });

  it('a folder stands for its test files, not the entity files', () => {
    suite([]);
    expect(expandTestPaths([path.join(dir, 'tests')])).toEqual([path.join(dir, 'tests/t.json')]);
  });
});
