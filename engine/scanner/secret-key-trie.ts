import { SECRET_KEY_SUFFIXES } from './detectors.ts';

/**
 * The secret key names as a reversed suffix trie over lower-cased key names without '_' and '-', walked from the
 * key's last character back. Flat: TRIE_NEXT[node * 128 + char] is the child (0: none), TRIE_KINDS[node] the kind
 * ending there. Root is 1.
 */
export const [TRIE_NEXT, TRIE_KINDS] = (() => {
  let nodes = 2;
  const next: number[] = [];
  const kinds: number[] = [0, 0];
  for (const [suffix, kind] of SECRET_KEY_SUFFIXES) {
    let node = 1;
    for (let i = suffix.length - 1; i >= 0; i--) {
      const c = suffix.charCodeAt(i);
      let nx = next[node * 128 + c] ?? 0;
      if (nx === 0) {
        nx = nodes++;
        kinds[nx] = 0;
        next[node * 128 + c] = nx;
      }
      node = nx;
    }
    kinds[node] = kind;
  }
  const table = new Int16Array(nodes * 128);
  next.forEach((v, i) => (table[i] = v));
  return [table, Int8Array.from(kinds)] as const;
})();
/** lower-case folding for the trie (A-Z folded, everything else as is) */
export const FOLD = new Uint8Array(65536);
for (let c = 0; c < 65536; c++) FOLD[c] = c >= 65 && c <= 90 ? c | 32 : c < 128 ? c : 0;
