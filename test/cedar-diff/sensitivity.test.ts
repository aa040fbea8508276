/**
 * The differential test must be able to fail. Each case here hands the harness a deliberately wrong evaluator —
 * Tenet's, with one mistake a real implementation could make — and requires that generated cases find it within
 * a few hundred requests, as a disagreement about answers (not only about input validation).
 */
import { describe, expect, it } from 'vitest';
import { runDifferential, type Mismatch } from './harness.ts';
import { tenetEvaluator, type CedarInput, type Subject } from './subject.ts';
import { WORLD_SIZE } from './settings.ts';

/** A mutant that misreads the policy text the same way in both entry points. */
function misreading(rewrite: (policies: string) => string): Subject {
  const wrong = (input: CedarInput): CedarInput => ({ ...input, policies: rewrite(input.policies) });
  return {
    prepare: (input) => tenetEvaluator.prepare(wrong(input)),
    evaluateOnce: (input, request) => tenetEvaluator.evaluateOnce(wrong(input), request),
  };
}

const MUTANTS: Array<{ name: string; subject: Subject }> = [
  { name: '`<` evaluated as `<=`', subject: misreading((p) => p.replaceAll(' < ', ' <= ')) },
  { name: '`unless` evaluated as `when`', subject: misreading((p) => p.replaceAll('\nunless {', '\nwhen {')) },
  { name: '`containsAll` evaluated as `containsAny`', subject: misreading((p) => p.replaceAll('.containsAll(', '.containsAny(')) },
  { name: '`action in` evaluated as `action ==`', subject: misreading((p) => p.replace(/action in (\S+::"[^"]*")/g, 'action == $1')) },
  {
    name: 'erroring policies not reported',
    subject: {
      prepare: (input) => {
        const decide = tenetEvaluator.prepare(input);
        return (request) => ({ ...decide(request), errors: [] });
      },
      evaluateOnce: (input, request) => ({ ...tenetEvaluator.evaluateOnce(input, request), errors: [] }),
    },
  },
  {
    // Tenet's deliberate deviation, applied where Cedar exactly is required: a forbid that errors denies.
    name: 'fail-closed (an erroring forbid denies)',
    subject: {
      prepare: (input) => {
        const decide = tenetEvaluator.prepare(input);
        return (request) => {
          const a = decide(request);
          return a.decision === 'allow' && a.errors.length && /forbid/.test(input.policies) ? { decision: 'deny', reasons: [], errors: a.errors } : a;
        };
      },
      evaluateOnce: (input, request) => tenetEvaluator.evaluateOnce(input, request),
    },
  },
  {
    // The other way round: Cedar's rule where Tenet's fail-closed one was asked for.
    name: 'failClosed ignored (an erroring forbid does not deny)',
    subject: {
      prepare: (input) => {
        const decide = tenetEvaluator.prepare(input);
        return (request) => decide(request);
      },
      evaluateOnce: (input, request) => tenetEvaluator.evaluateOnce(input, request),
    },
  },
  {
    // The production path (activation's compile, the PDP) is checked too: here it answers with Cedar's rule.
    name: 'production path without the fail-closed rule',
    subject: {
      ...tenetEvaluator,
      production: (input) => {
        const decide = tenetEvaluator.prepare(input);
        return (request) => decide(request);
      },
    },
  },
];

// Not a disagreement about refusing input: the evaluator's validation gaps are reported by differential.test.ts.
const aboutAnswers = (m: Mismatch) => !m.kind.includes('refuses');

describe('the differential harness finds a wrong evaluator', () => {
  for (const mutant of MUTANTS) {
    it(
      mutant.name,
      () => {
        const result = runDifferential({ seed: 12, worlds: 200, size: WORLD_SIZE, subject: mutant.subject, stopWhen: aboutAnswers, maxReported: 0 });
        const kinds = result.failures.map((f) => f.kind).filter((k) => !k.includes('refuses'));
        console.log(`${mutant.name}: found after ${result.stats.worlds} worlds (${result.stats.cases} cases): ${kinds.join('; ')}`);
        expect(kinds.length).toBeGreaterThan(0);
      },
      300_000,
    );
  }
});
