/**
 * `tenet cedar-test PATH... [--root DIR] [--format json]`: runs files (or every test file in a folder) in Cedar's
 * integration-test format (cedar-integration-tests: a JSON file naming a schema, a policy file and an entity file,
 * and requests with the decision, reasons and errors Cedar gives) through Tenet's production decision path: the
 * policy set compiled as activation compiles it, the entities in an entity source the PDP follows (as it follows
 * the entity store), and `PolicyDecisionPoint.authorizeWith` (no cache exists to bypass).
 *
 * A request passes when the decision is Cedar's and, for an allow, the reasons are Cedar's (as sets: the
 * determining permits). Tenet's one deliberate difference from Cedar — a `forbid` that errors denies — is not a
 * failure: such a request is listed as a deviation (Cedar allows, Tenet denies, and an erroring forbid is named).
 * Exit 1 on any failure. Files inside a test are named relative to `--root` (default: the test file's folder).
 * Integers beyond 2^53 are read exactly (lossless JSON), so no request is excused.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from './args.ts';
import { entityFromCedarJson, MemoryEntitySource } from '../../authz/entity-source.ts';
import { PolicyDecisionPoint } from '../../authz/pdp.ts';
import { compilePolicySet, type CompiledPolicySet } from '../../authz/policy-set.ts';
import { parseJsonLossless } from '../../authz/evaluator/lossless-json.ts';

interface TestRequest {
  description?: string;
  principal: { type: string; id: string };
  action: { type: string; id: string };
  resource: { type: string; id: string };
  context?: Record<string, unknown>;
  /** Cedar's request validation against the schema (the suite's default is on) */
  validateRequest?: boolean;
  decision: string;
  reason?: string[];
  errors?: string[];
}
interface TestFile {
  policies: string;
  entities: string;
  schema?: string;
  shouldValidate?: boolean;
  requests: TestRequest[];
}

export interface CedarTestResult {
  test: string;
  index: number;
  decision: 'allow' | 'deny' | 'error';
  reasons: string[];
  /** ids of the policies that erred */
  errors: string[];
  /** true when decision (and for an allow, reasons) are Cedar's, or the difference is the documented deviation */
  ok: boolean;
  /** Tenet's documented difference: an erroring forbid denied what Cedar allows */
  deviation?: 'forbid-error-denies';
  /** what Cedar answered, on a failure, a deviation, or when only the deny-side reasons or the errors differ */
  expected?: { decision: string; reasons: string[]; errors: string[] };
  /** the test could not run at all (policy, schema or entity input Tenet rejected) */
  failure?: string;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && new Set(a).size === new Set([...a, ...b]).size;

export interface CedarTestSummary {
  tests: number;
  requests: number;
  passed: number;
  failed: number;
  /** passed requests where Tenet's fail-closed rule denied what Cedar allows (each one listed in results) */
  deviations: number;
  /** requests that passed but whose deny-side reasons or error ids differ from Cedar's (reported, not failing) */
  minorDifferences: number;
  results: CedarTestResult[];
}

/** Runs the given test files; `root` resolves the files each test names. Pure apart from reading files. */
export function runCedarTests(paths: string[], root: string | undefined): CedarTestSummary {
  const schemas = new Map<string, string>();
  const results: CedarTestResult[] = [];
  let passed = 0;
  let minor = 0;
  let deviations = 0;
  for (const path of paths) {
    const base = root ?? dirname(path);
    const test = parseJsonLossless(readFileSync(path, 'utf8')) as TestFile;
    if (!test || typeof test !== 'object' || !Array.isArray(test.requests) || typeof test.policies !== 'string' || typeof test.entities !== 'string') {
      throw new Error(`${path} is not a Cedar integration test (it needs policies, entities and requests)`);
    }
    let policy: CompiledPolicySet | undefined;
    let pdp: PolicyDecisionPoint | undefined;
    let failure: string | undefined;
    try {
      if (!test.schema) throw new Error('Tenet decides with a schema; this test has none');
      const schemaPath = resolve(base, test.schema);
      let schema = schemas.get(schemaPath);
      if (schema === undefined) schemas.set(schemaPath, (schema = readFileSync(schemaPath, 'utf8')));
      policy = compilePolicySet({ name: 'platform', policies: readFileSync(resolve(base, test.policies), 'utf8'), schema });
      const entities = (parseJsonLossless(readFileSync(resolve(base, test.entities), 'utf8')) as unknown[]).map(entityFromCedarJson);
      const source = new MemoryEntitySource(entities);
      // Cedar refuses entity data naming one uid twice; taking either would be a guess.
      if (source.size !== entities.length) throw new Error('the entity file names a uid more than once');
      pdp = new PolicyDecisionPoint({ name: 'cedar-test', actionType: 'Action', entities: source });
      pdp.activate(policy);
      const refused = [...pdp.refusedEntities];
      if (refused.length)
        throw new Error(
          `entities the schema refuses: ${refused
            .slice(0, 3)
            .map(([k, why]) => `${k} (${why})`)
            .join('; ')}`,
        );
    } catch (error) {
      failure = `${(error as Error).name}: ${(error as Error).message}`;
    }
    const forbids = new Set(policy?.evaluator.policies.filter((p) => p.effect === 'forbid').map((p) => p.id));
    test.requests.forEach((req, i) => {
      const expected = { decision: req.decision.toLowerCase(), reasons: req.reason ?? [], errors: req.errors ?? [] };
      if (!policy || !pdp || failure) {
        results.push({ test: path, index: i, decision: 'error', reasons: [], errors: [], ok: false, expected, failure });
        return;
      }
      const d = pdp.authorizeWith(
        policy,
        { principal: req.principal, action: req.action, resource: req.resource, context: req.context ?? {} },
        { validateRequest: req.validateRequest !== false },
      );
      // Policy errors come as `id: message`; anything else (an invalid request) has no policy id.
      const errored = d.errors.map((e) => e.slice(0, e.indexOf(': '))).filter((id) => policy!.byId[id] !== undefined);
      const same = d.decision === expected.decision && (d.decision !== 'allow' || sameSet(d.reasons, expected.reasons));
      const deviation = !same && expected.decision === 'allow' && d.decision === 'deny' && errored.some((id) => forbids.has(id));
      const ok = same || deviation;
      const exact = same && sameSet(d.reasons, expected.reasons) && sameSet(errored, expected.errors);
      if (ok) passed++;
      if (deviation) deviations++;
      else if (ok && !exact) minor++;
      const result: CedarTestResult = { test: path, index: i, decision: d.decision, reasons: d.reasons, errors: errored, ok };
      if (deviation) result.deviation = 'forbid-error-denies';
      if (!exact) result.expected = expected;
      if (!ok && d.errors.length > errored.length) result.failure = d.errors.join('; ');
      results.push(result);
    });
  }
  return { tests: paths.length, requests: results.length, passed, failed: results.length - passed, deviations, minorDifferences: minor, results };
}

/** A folder stands for every test file under it (`*.json`, not the `*.entities.json` they name), sorted. */
export function expandTestPaths(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (!statSync(p).isDirectory()) {
      out.push(p);
      continue;
    }
    const walk = (dir: string) => {
      for (const name of readdirSync(dir).sort()) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (name.endsWith('.json') && !name.endsWith('.entities.json')) out.push(full);
      }
    };
    walk(p);
  }
  return out;
}

export async function cedarTest(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { root: { type: 'string' }, format: { type: 'string' } }, true);
  if (positionals.length === 0) throw new Error('give one or more test files (Cedar integration-test JSON)');
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json') throw new Error('--format must be table or json');
  const started = process.hrtime.bigint();
  const summary = runCedarTests(expandTestPaths(positionals), values.root);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (format === 'json') {
    process.stdout.write(JSON.stringify(summary) + '\n');
  } else {
    for (const r of summary.results) {
      if (r.ok) continue;
      console.log(
        `FAIL ${r.test} #${r.index}: got ${r.decision} ${JSON.stringify(r.reasons)} errors ${JSON.stringify(r.errors)}; Cedar: ${r.expected?.decision} ${JSON.stringify(r.expected?.reasons)} errors ${JSON.stringify(r.expected?.errors)}${r.failure ? ` (${r.failure})` : ''}`,
      );
    }
    for (const r of summary.results)
      if (r.deviation)
        console.log(
          `DEVIATION ${r.test} #${r.index}: Tenet denies, Cedar allows ${JSON.stringify(r.expected?.reasons)}: forbid ${r.errors.join(', ')} erred (a forbid that errors denies)`,
        );
    console.log(
      `${summary.tests} tests, ${summary.requests} requests: ${summary.passed} passed, ${summary.failed} failed (${summary.deviations} deviations by the fail-closed rule; ${summary.minorDifferences} passed with other deny reasons or error ids) in ${ms.toFixed(0)} ms`,
    );
  }
  return summary.failed === 0 ? 0 : 1;
}
