import { z } from 'zod';
import {
  NOT_APPLICABLE,
  parseDuration,
  type AnyControlDefinition,
  type ControlDefinition,
  type ControlStatus,
  type EvidenceSources,
  type Finding,
} from './define-control.ts';
import type { ControlSettings } from './settings.ts';

export interface ControlResult {
  controlId: string;
  status: Exclude<ControlStatus, 'stale'>;
  findings: Finding[];
  summary?: string;
  /** The zod-validated evidence the verdict was made on; null when there was none (not_applicable, error). */
  evidence: unknown;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

class ControlTimeoutError extends Error {}

/** A short, safe description of a collection failure (never a stack, never a request body). */
function describe(error: unknown): string {
  const e = error as Error & { $metadata?: { httpStatusCode?: number }; code?: string };
  const name = e?.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return `${name}${String(e?.message ?? error)
    .split('\n')[0]
    .slice(0, 300)}`;
}

/**
 * Runs one control: collect (with a timeout) → validate the evidence with the control's zod schema → evaluate.
 * Anything that goes wrong before a verdict is `error` with a finding saying what; it is never `pass`.
 */
export async function runControl(
  control: AnyControlDefinition,
  sources: EvidenceSources,
  settings: ControlSettings,
  options: { timeoutMs?: number; now?: () => Date } = {},
): Promise<ControlResult> {
  const now = options.now ?? (() => new Date());
  const started = now();
  const t0 = performance.now();
  const done = (r: Pick<ControlResult, 'status' | 'findings' | 'summary' | 'evidence'>): ControlResult => ({
    controlId: control.id,
    ...r,
    startedAt: started.toISOString(),
    finishedAt: now().toISOString(),
    durationMs: Math.round((performance.now() - t0) * 10) / 10,
  });
  const fail = (message: string) => done({ status: 'error', findings: [{ resourceId: control.id, message }], summary: message, evidence: null });

  let raw: unknown;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeoutMs = options.timeoutMs ?? settings.runTimeoutMs;
    raw = await Promise.race([
      control.collect(sources, settings),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new ControlTimeoutError(`evidence collection took longer than ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    return fail(`could not collect evidence: ${describe(error)}`);
  } finally {
    clearTimeout(timer);
  }
  if (raw === NOT_APPLICABLE) return done({ status: 'not_applicable', findings: [], summary: 'its evidence source is not configured', evidence: null });

  const parsed = control.evidence.safeParse(raw);
  if (!parsed.success) {
    return fail(
      `evidence did not have the expected shape: ${parsed.error.issues
        .slice(0, 3)
        .map((i: z.core.$ZodIssue) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  try {
    const verdict = control.evaluate(parsed.data, settings);
    return done({ status: verdict.status, findings: verdict.findings, summary: verdict.summary, evidence: parsed.data });
  } catch (error) {
    return fail(`evaluation failed: ${describe(error)}`);
  }
}

/** The status a stored result has now: a verdict older than the control's `freshFor` is `stale`. */
export function currentStatus(
  control: Pick<ControlDefinition, 'freshFor'>,
  last: { status: Exclude<ControlStatus, 'stale'>; finishedAt: string | Date } | undefined,
  now = Date.now(),
): ControlStatus | 'never_run' {
  if (!last) return 'never_run';
  if (last.status === 'error') return 'error';
  const age = now - new Date(last.finishedAt).getTime();
  return age > parseDuration(control.freshFor) ? 'stale' : last.status;
}
