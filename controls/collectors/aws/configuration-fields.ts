import type { InventoryItem } from '../../define-control.ts';

/** Reading the loosely typed `configuration` of an item. */
export const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
export const nameOf = (item: InventoryItem, field: string) => {
  const v = item.configuration[field];
  return typeof v === 'string' && v ? v : (item.resourceName ?? item.resourceId);
};
export function get(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}
