/** How a value is shown once found: masked, never in full. */

/** At most the first two and last two characters kept, the rest '*'; values shorter than 8 characters all '*'. Line breaks are kept. */
export function maskValue(v: string): string {
  const n = v.length;
  let out: string;
  if (n < 8) out = stars(n);
  else out = v.slice(0, 2) + stars(n - 4) + v.slice(n - 2);
  if (v.includes('\n') || v.includes('\r')) {
    const chars = out.split('');
    for (let k = 0; k < n; k++) {
      const c = v[k];
      if (c === '\n' || c === '\r') chars[k] = c;
    }
    out = chars.join('');
  }
  return out;
}

const STARS: string[] = [];
function stars(n: number): string {
  if (n > 256) return '*'.repeat(n);
  return (STARS[n] ??= '*'.repeat(n));
}

/** `text` with [start[k], end[k]) replaced by their masked forms. */
export function applyMasks(text: string, start: number[], end: number[]): string {
  const parts: string[] = [];
  let at = 0;
  for (let k = 0; k < start.length; k++) {
    parts.push(text.slice(at, start[k]), maskValue(text.slice(start[k], end[k])));
    at = end[k];
  }
  parts.push(text.slice(at));
  return parts.join('');
}
