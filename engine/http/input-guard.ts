import { isStorable, replaceUnstorable } from '../kernel/storable.ts';
import { InputError } from '../kernel/errors.ts';

/**
 * The deepest nesting a JSON body may have (an object or array inside another counts one level; the body itself
 * is level 1). Cedar entity JSON needs a handful of levels (body → entities → entity → attrs → record → set →
 * record …); 32 leaves room for deep records while keeping every recursive walker downstream (zod, the Cedar
 * evaluator, reference collection) far from its stack limit.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Why a value is refused: where (`body.entities.0.uid.id`) and what. Never the value itself (it may be personal
 * data), and the path is cut short, because keys are input too.
 */
function refuse(part: string, path: Array<string | number>, what: string): never {
  const at = [part, ...path].map((p) => (typeof p === 'string' && p.length > 40 ? `${p.slice(0, 40)}…` : String(p))).join('.');
  const shown = at.length > 200 ? `${at.slice(0, 200)}…` : at;
  const clean = replaceUnstorable(shown);
  throw new InputError(`The request is not valid: ${clean}: ${what}`, [{ path: clean, message: what }]);
}

/**
 * The one guard every route's input passes before its schema sees it, in the request pipeline (pipeline.ts):
 * strings (values and keys) PostgreSQL can store, nesting no deeper than MAX_JSON_DEPTH. Iterative, so a
 * 10,000-deep body cannot overflow the guard's own stack. Throws an InputError (400).
 */
export function guardInput(part: 'body' | 'query' | 'path', value: unknown, maxDepth = MAX_JSON_DEPTH): void {
  if (typeof value === 'string') {
    if (!isStorable(value)) refuse(part, [], STRING);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  // Depth-first with parent links: this runs on every request, so a path is built only when something is refused.
  const stack: Frame[] = [{ v: value, depth: 1, parent: undefined, key: '' }];
  while (stack.length) {
    const frame = stack.pop()!;
    const { v, depth } = frame;
    if (depth > maxDepth) refuse(part, pathOf(frame), `nested deeper than ${maxDepth} levels`);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (typeof x === 'string') {
          if (!isStorable(x)) refuse(part, [...pathOf(frame), i], STRING);
        } else if (x !== null && typeof x === 'object') stack.push({ v: x, depth: depth + 1, parent: frame, key: i });
      }
    } else {
      for (const k in v) {
        if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
        if (!isStorable(k)) refuse(part, pathOf(frame), 'has a key with a NUL character or an unpaired UTF-16 surrogate');
        const x = (v as Record<string, unknown>)[k];
        if (typeof x === 'string') {
          if (!isStorable(x)) refuse(part, [...pathOf(frame), k], STRING);
        } else if (x !== null && typeof x === 'object') stack.push({ v: x, depth: depth + 1, parent: frame, key: k });
      }
    }
  }
}

const STRING = 'contains a NUL character or an unpaired UTF-16 surrogate';

interface Frame {
  v: object;
  depth: number;
  parent: Frame | undefined;
  key: string | number;
}

/** The keys from the root to a frame (the root itself has none). */
function pathOf(frame: Frame): Array<string | number> {
  const out: Array<string | number> = [];
  for (let f: Frame | undefined = frame; f?.parent; f = f.parent) out.push(f.key);
  return out.reverse();
}
