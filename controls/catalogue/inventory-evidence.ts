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
  /** what the sources could not see at all (a type, or a field of a type): never a pass by absence */
  unavailable: z.array(z.object({ type: z.string(), field: z.string().optional(), reason: z.string() })).optional(),
  regions: z.array(z.object({ accountId: z.string(), region: z.string(), lastCaptureTime: z.string().optional() })).optional(),
});
export type InventoryEvidence = z.infer<typeof inventoryEvidence>;
export type Item = InventoryEvidence['items'][number];

/**
 * Collects the items of `types`. `needs` names the fields (dotted paths in the item, per type) the control judges
 * that a source may not see (resource-types.ts `unrecordedFields`): when a source cannot see one, the control is
 * `not_applicable` with the reason instead of judging items that lack it. Unseeable types always count.
 */
export const collectInventory =
  (types: string[], needs: Record<string, string[]> = {}) =>
  async (sources: EvidenceSources): Promise<InventorySlice | typeof NOT_APPLICABLE> => {
    const slice = await sources.inventory(types);
    if (slice === NOT_APPLICABLE) return slice;
    const unavailable = (slice.unavailable ?? []).filter((u) => types.includes(u.type) && (u.field === undefined || (needs[u.type] ?? []).includes(u.field)));
    return { ...slice, unavailable };
  };

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
  // What the evidence source cannot see is not judged: a control never passes on an absence it cannot tell from compliance.
  const unavailable = e.unavailable ?? [];
  if (unavailable.length) {
    return {
      status: 'not_applicable',
      findings: unavailable.map((u) => ({ resourceId: u.field ? `${u.type} ${u.field}` : u.type, message: u.reason, severity: 'info' as const })),
      summary: `not visible from this evidence source: ${[...new Set(unavailable.map((u) => u.reason))].join('; ')}`,
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
