import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATA_MODULE, dataModule, lexiconLists } from './lexicon.ts';

describe('the person-name lists the scanner carries', () => {
  it('are what the pinned compromise lexicon gives (npx tsx test/scanner/names/lexicon.ts --write after moving it)', () => {
    expect(readFileSync(DATA_MODULE, 'utf8')).toBe(dataModule());
  });

  it('hold first names, last names and ordinary words apart', () => {
    const { first, last, words } = lexiconLists();
    expect(first.length).toBeGreaterThan(3000);
    expect(last.length).toBeGreaterThan(800);
    expect(first).toEqual(expect.arrayContaining(['john', 'amit', 'rahul', 'richard']));
    expect(last).toEqual(expect.arrayContaining(['kumar', 'sharma', 'patel', 'nixon']));
    expect(words).toEqual(expect.arrayContaining(['order', 'access', 'refund']));
    for (const w of first) expect(last.includes(w) || words.includes(w)).toBe(false);
  });
});
