import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATA_MODULE, dataModule, lexiconLists } from './lexicon.ts';

describe('the person-name lists the scanner carries', () => {
  it('are what the pinned compromise and faker give (npx tsx test/scanner/names/lexicon.ts --write after moving either)', () => {
    expect(readFileSync(DATA_MODULE, 'utf8')).toBe(dataModule());
  });

  it('hold first names, last names and ordinary words apart', () => {
    const { first, last, words } = lexiconLists();
    expect(first.length).toBeGreaterThan(3000);
    expect(last.length).toBeGreaterThan(800);
    expect(first).toEqual(expect.arrayContaining(['john', 'amit', 'rahul', 'richard']));
    expect(last).toEqual(expect.arrayContaining(['kumar', 'sharma', 'patel', 'nixon', 'iyer', 'gupta', 'reddy']));
    expect(first).toEqual(expect.arrayContaining(['anjali', 'ramesh', 'sushma']));
    expect(words).toEqual(expect.arrayContaining(['order', 'access', 'refund', 'butt', 'gill']));
    const others = new Set([...last, ...words]);
    for (const w of first) expect(others.has(w)).toBe(false);
    for (const w of last) expect(words.includes(w)).toBe(false);
  });
});
