/** Reads a dotted path in nested objects: valueAt(obj, 'a.b.c'); the empty path is the object itself. */
export function valueAt(obj: unknown, path: string): unknown {
  if (!path) return obj;
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
