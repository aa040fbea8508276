/**
 * `tenet cedar-test PATH... [--root DIR] [--format json]`: runs files (or every test file in a folder) in Cedar's integration-test format
 * (cedar-integration-tests: a JSON file naming a schema, a policy file and an entity file, and requests with the
 * decision, reasons and errors Cedar gives) through Tenet's evaluator over an entity index.
 *
 * A request passes when the decision is Cedar's and, for an allow, the reasons are Cedar's (as sets: the
 * determining permits). Exit 1 on any failure. Files inside a test are named relative to `--root` (default:
 * the test file's folder). Integers beyond 2^53 are read exactly (lossless JSON), so no request is excused.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from '../cli.ts';
import { authorize, compilePolicySet, compileSchema, createEntityIndex, type CompiledPolicySet, type CompiledSchema } from '../authz/evaluator/index.ts';
import { parseJsonLossless } from '../authz/evaluator/lossless-json.ts';

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
  errors: string[];
  /** true when decision (and for an allow, reasons) are Cedar's */
  ok: boolean;
  /** what Cedar answered, on a failure or when only the deny-side reasons or the errors differ */
  expected?: { decision: string; reasons: string[]; errors: string[] };
  /** the evaluator could not run this test at all (policy, schema or entity input it rejected) */
  failure?: string;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && new Set(a).size === new Set([...a, ...b]).size;

export interface CedarTestSummary {
  tests: number;
  requests: number;
  passed: number;
  failed: number;
  /** requests that passed but whose deny-side reasons or error ids differ from Cedar's (reported, not failing) */
  minorDifferences: number;
  results: CedarTestResult[];
}

/** Runs the given test files; `root` resolves the files each test names. Pure apart from reading files. */
export function runCedarTests(paths: string[], root: string | undefined): CedarTestSummary {
  const schemas = new Map<string, CompiledSchema>();
  const results: CedarTestResult[] = [];
  let passed = 0;
  let minor = 0;
  for (const path of paths) {
    const base = root ?? dirname(path);
    const test = parseJsonLossless(readFileSync(path, 'utf8')) as TestFile;
    if (!test || typeof test !== 'object' || !Array.isArray(test.requests) || typeof test.policies !== 'string' || typeof test.entities !== 'string') {
      throw new Error(`${path} is not a Cedar integration test (it needs policies, entities and requests)`);
    }
    let compiled: CompiledPolicySet | undefined;
    let index: ReturnType<typeof createEntityIndex> | undefined;
    let failure: string | undefined;
    try {
      let schema: CompiledSchema | undefined;
      if (test.schema) {
        const schemaPath = resolve(base, test.schema);
        schema = schemas.get(schemaPath);
        if (!schema) {
          const text = readFileSync(schemaPath, 'utf8');
          schema = compileSchema(schemaPath.endsWith('.json') ? (JSON.parse(text) as Record<string, unknown>) : text);
          schemas.set(schemaPath, schema);
        }
      }
      compiled = compilePolicySet({ policies: readFileSync(resolve(base, test.policies), 'utf8'), schema });
      index = createEntityIndex(compiled, parseJsonLossless(readFileSync(resolve(base, test.entities), 'utf8')) as unknown[]);
    } catch (error) {
      failure = `${(error as Error).name}: ${(error as Error).message}`;
    }
    test.requests.forEach((req, i) => {
      const expected = { decision: req.decision.toLowerCase(), reasons: req.reason ?? [], errors: req.errors ?? [] };
      if (!compiled || !index) {
        results.push({ test: path, index: i, decision: 'error', reasons: [], errors: [], ok: false, expected, failure });
        return;
      }
      let answer: { decision: 'allow' | 'deny'; reasons: string[]; errors: string[] };
      try {
        answer = authorize(compiled, index, { principal: req.principal, action: req.action, resource: req.resource, context: req.context ?? {} }, { validateRequest: req.validateRequest !== false });
      } catch (error) {
        results.push({ test: path, index: i, decision: 'error', reasons: [], errors: [], ok: false, expected, failure: `${(error as Error).name}: ${(error as Error).message}` });
        return;
      }
      const ok = answer.decision === expected.decision && (answer.decision !== 'allow' || sameSet(answer.reasons, expected.reasons));
      const exact = ok && sameSet(answer.reasons, expected.reasons) && sameSet(answer.errors, expected.errors);
      if (ok) passed++;
      if (ok && !exact) minor++;
      const result: CedarTestResult = { test: path, index: i, decision: answer.decision, reasons: answer.reasons, errors: answer.errors, ok };
      if (!exact) result.expected = expected;
      results.push(result);
    });
  }
  return { tests: paths.length, requests: results.length, passed, failed: results.length - passed, minorDifferences: minor, results };
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
    console.log(`${summary.tests} tests, ${summary.requests} requests: ${summary.passed} passed, ${summary.failed} failed (${summary.minorDifferences} passed with other deny reasons or error ids) in ${ms.toFixed(0)} ms`);
  }
  return summary.failed === 0 ? 0 : 1;
}
