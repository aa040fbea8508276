import { z } from 'zod';
import { NOT_APPLICABLE, type EvidenceSources, type Evaluation, type Finding, type InventorySlice } from '../define-control.ts';

/** Evidence of inventory-based controls: the configuration items read, and the sources that failed. */
export const inventoryEvidence = z.object({
  items: z.array(
    z.object({
      resourceType: z.string(),
      resourceId: z.string(),
      resourceName: z.string().optional(),
      awsRegion: z.string(),
      accountId: z.string(),
      arn: z.string().optional(),
      tags: z.record(z.string(), z.string()),
      configuration: z.record(z.string(), z.unknown()),
      supplementaryConfiguration: z.record(z.string(), z.unknown()),
      configurationItemCaptureTime: z.string(),
      environment: z.string().optional(),
    }),
  ),
  errors: z.array(z.object({ source: z.string(), message: z.string() })),
});
export type InventoryEvidence = z.infer<typeof inventoryEvidence>;
export type Item = InventoryEvidence['items'][number];

export const collectInventory =
  (types: string[]) =>
  (sources: EvidenceSources): Promise<InventorySlice | typeof NOT_APPLICABLE> =>
    sources.inventory(types);

export const ofType = (e: InventoryEvidence, type: string): Item[] => e.items.filter((i) => i.resourceType === type);
export const isProduction = (i: { environment?: string }): boolean => i.environment === 'production' || i.environment === 'prod';
export const isStaging = (i: { environment?: string }): boolean => i.environment === 'staging' || i.environment === 'stage';
export const label = (i: Item): string => i.resourceName ?? i.resourceId;
/** Production items of one type. */
export const production = (e: InventoryEvidence, type: string): Item[] => ofType(e, type).filter(isProduction);
/** A finding on one configuration item. */
export const finding = (i: Item, message: string, severity?: 'info'): Finding => ({
  resourceId: i.arn ?? i.resourceId,
  resourceType: i.resourceType,
  message,
  ...(severity ? { severity } : {}),
});

/** Reads a dotted path in a nested object: get(obj, 'a.b.c'). */
export { valueAt as get } from '../inventory/path.ts';

/**
 * The verdict of an inventory control: collection errors make it `error` (partial data never passes),
 * no resource in scope makes it `not_applicable`, findings make it `fail`.
 */
export function verdict(e: InventoryEvidence, props: { inScope: number; findings: Finding[]; what: string }): Evaluation {
  if (e.errors.length) {
    return {
      status: 'error',
      findings: e.errors.map((x) => ({ resourceId: x.source, message: `could not collect: ${x.message}` })),
      summary: `${e.errors.length} evidence source(s) failed; not judged on partial data`,
    };
  }
  const failures = props.findings.filter((f) => f.severity !== 'info');
  if (props.inScope === 0) return { status: 'not_applicable', findings: props.findings, summary: `no ${props.what} in scope` };
  return {
    status: failures.length ? 'fail' : 'pass',
    findings: props.findings,
    summary: failures.length ? `${failures.length} finding(s) across ${props.inScope} ${props.what}` : `${props.inScope} ${props.what} checked`,
  };
}
