import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATA_MODULE, dataModule, lexiconLists } from './lexicon.ts';

describe('the person-name lists the scanner carries', () => {
  it('are what the pinned compromise and faker give (npx tsx test/scanner/names/lexicon.ts --write after moving either)', () => {
    expect(readFileSync(DATA_MODULE, 'utf8')).toBe(dataModule());
  });

  it('hold first names, last names and ordinary words apart', () => {
    const { given, first, last, plain, words } = lexiconLists();
    expect(given.length).toBeGreaterThan(3000);
    expect(given).toEqual(expect.arrayContaining(['dan', 'john', 'richard', 'rahul']));
    expect(first).toEqual(expect.arrayContaining(['mark', 'grant', 'chase', 'morgan']));
    expect(first.length).toBeGreaterThan(700);
    expect(last.length).toBeGreaterThan(800);
    expect(last).toEqual(expect.arrayContaining(['kumar', 'sharma', 'patel', 'nixon', 'iyer', 'gupta', 'reddy']));
    expect(first).toEqual(expect.arrayContaining(['anjali', 'ramesh', 'sushma']));
    expect(plain).toEqual(expect.arrayContaining(['tailor', 'bar', 'baker', 'brown', 'order', 'access', 'butt', 'gill']));
    expect(words).toEqual(expect.arrayContaining(['england', 'skills', 'shopping']));
    // no word in two lists
    const listOf = new Map<string, string>();
    for (const [name, list] of Object.entries({ given, first, last, plain, words })) {
      for (const w of list) {
        expect(listOf.get(w) ?? name, w).toBe(name);
        listOf.set(w, name);
      }
    }
  });
});
