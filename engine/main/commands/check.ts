import { parse } from './args.ts';
import type { Config } from '../../kernel/config.ts';
import { PolicyDecisionPoint } from '../../authz/pdp.ts';
import { compilePolicySet } from '../../authz/policy-set.ts';
import { readShippedPolicySet } from '../../authz/policy-store.ts';
import type { Entity } from '../../authz/entity.ts';
import { CATALOGUE, CONTROLS_BY_ID } from '../../../controls/catalogue/index.ts';
import { createEvidenceSources } from '../../../controls/collectors/sources.ts';
import { createSnapshotSource } from '../../../controls/collectors/snapshot.ts';
import { runControl, type ControlResult } from '../../../controls/runner.ts';
import { loadControlSettings } from '../../../controls/settings.ts';
import { inventorySources } from '../setup-controls.ts';
import { SHIPPED_POLICY_DIR } from '../../kernel/version.ts';

export interface CheckReport {
  generatedAt: string;
  results: Array<{ controlId: string; status: ControlResult['status']; summary?: string; findings: Array<{ resourceId: string; message: string }> }>;
}

/** Exit code: 2 when nothing could be judged (no pass and no fail), 1 on any fail or error, 0 otherwise. */
export function exitCode(report: CheckReport): number {
  const judged = report.results.filter((r) => r.status === 'pass' || r.status === 'fail');
  if (judged.length === 0) return 2;
  return report.results.some((r) => r.status === 'fail' || r.status === 'error') ? 1 : 0;
}

/**
 * Runs controls once, without a database: the evidence comes from the control settings (TENET_CONFIG_FILE) or,
 * with --snapshot, from AWS Config snapshot files only (every control that needs other evidence is
 * not_applicable). Policy-dependent controls ask a PDP over the policy files (TENET_POLICY_DIR or shipped).
 */
export async function runCheck(props: { controls: string[]; snapshots: string[]; configFile?: string; policyDir: string }): Promise<CheckReport> {
  const unknown = props.controls.filter((c) => !CONTROLS_BY_ID.has(c));
  if (unknown.length) throw new Error(`unknown control(s): ${unknown.join(', ')} (known: ${CATALOGUE.map((c) => c.id).join(', ')})`);
  const settings = loadControlSettings(props.configFile);
  const snapshotMode = props.snapshots.length > 0;
  const inventory = snapshotMode ? [createSnapshotSource({ files: props.snapshots, mapping: settings.environments })] : inventorySources(settings);
  const pdp = new PolicyDecisionPoint({ name: 'platform', actionType: 'Action' });
  pdp.activate(compilePolicySet(await readShippedPolicySet({ dir: props.policyDir, name: 'platform' })));
  const sources = createEvidenceSources({
    settings,
    inventory,
    live: !snapshotMode,
    authorize: async (r) => {
      const d = pdp.authorize({
        principal: r.principal,
        action: { id: r.action },
        resource: r.resource,
        context: r.context,
        entities: r.entities as Entity[] | undefined,
      });
      return { decision: d.decision, reasons: d.reasons, errors: d.errors };
    },
  });
  const selected = props.controls.length ? props.controls.map((id) => CONTROLS_BY_ID.get(id)!) : CATALOGUE;
  const results = await Promise.all(selected.map((c) => runControl(c, sources, settings)));
  return {
    generatedAt: new Date().toISOString(),
    results: results.map((r) => ({
      controlId: r.controlId,
      status: r.status,
      summary: r.summary,
      findings: r.findings.map((f) => ({ resourceId: f.resourceId, message: f.message })),
    })),
  };
}

const MARK: Record<string, string> = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', not_applicable: 'N/A' };

export function renderTable(report: CheckReport): string {
  const width = Math.max(...report.results.map((r) => r.controlId.length));
  const lines = report.results.map((r) => {
    const head = `${MARK[r.status].padEnd(6)} ${r.controlId.padEnd(width)}  ${r.summary ?? ''}`;
    return [head, ...r.findings.map((f) => `${' '.repeat(9)}- ${f.resourceId}: ${f.message}`)].join('\n');
  });
  const count = (s: string) => report.results.filter((r) => r.status === s).length;
  lines.push('', `${count('pass')} pass, ${count('fail')} fail, ${count('error')} error, ${count('not_applicable')} not applicable`);
  return lines.join('\n');
}

export async function check(args: string[], ctx: { config: () => Config }): Promise<number> {
  const { values } = parse(args, {
    control: { type: 'string', multiple: true },
    snapshot: { type: 'string', multiple: true },
    format: { type: 'string' },
  });
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json') throw new Error('--format must be table or json');
  const config = ctx.config();
  const report = await runCheck({
    controls: values.control ?? [],
    snapshots: values.snapshot ?? [],
    configFile: config.TENET_CONFIG_FILE,
    policyDir: config.TENET_POLICY_DIR ?? SHIPPED_POLICY_DIR,
  });
  process.stdout.write(format === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderTable(report) + '\n');
  return exitCode(report);
}
