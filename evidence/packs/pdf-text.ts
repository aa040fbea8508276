/** Text for pdf-lib's standard fonts, which encode WinAnsi (CP1252) only: every string passes through here first. */
import type { PDFFont } from 'pdf-lib';

/** replacements for characters outside WinAnsi (tried before a generic NFKD fallback) */
const ASCII_FALLBACK: Record<string, string> = {
  '≤': '<=',
  '≥': '>=',
  '≠': '!=',
  '≈': '~',
  '→': '->',
  '←': '<-',
  '↔': '<->',
  '⇒': '=>',
  '⇐': '<=',
  '⇔': '<=>',
  '−': '-',
  '‐': '-',
  '‑': '-',
  '‒': '-',
  '―': '--',
  '′': "'",
  '″': '"',
  '✓': 'OK',
  '✔': 'OK',
  '✗': 'X',
  '✘': 'X',
  '∞': 'inf',
  '…': '...',
  '“': '"',
  '”': '"',
  '„': '"',
  '‘': "'",
  '’': "'",
  '‚': "'",
  '«': '"',
  '»': '"',
  '–': '-',
  '—': '-',
  '•': '*',
  '§': 'S.',
  '\u00a0': ' ',
  '\u2002': ' ',
  '\u2003': ' ',
  '\u2007': ' ',
  '\u2009': ' ',
  '\u200a': ' ',
  '\u202f': ' ',
  '\u3000': ' ',
  '\u200b': '',
  '\u200c': '',
  '\u200d': '',
  '\u2060': '',
  '\ufeff': '',
  '\u00ad': '',
};

/**
 * Make `text` encodable by `font`: characters the font can encode are kept (WinAnsi has §, “ ”, –, —, …, €),
 * others map to an ASCII equivalent, then to their NFKD decomposition without accents, then to '?'.
 * Newlines are kept (the layout splits on them); tabs become spaces; other control characters are dropped.
 */
export function sanitizeForFont(text: string, font: PDFFont): string {
  const supported = charsetOf(font);
  let out = '';
  for (const ch of String(text ?? '')) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\n') {
      out += '\n';
      continue;
    }
    if (ch === '\t') {
      out += '    ';
      continue;
    }
    if (ch === '\r') continue;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
    if (supported.has(cp)) {
      out += ch;
      continue;
    }
    const mapped = ASCII_FALLBACK[ch];
    if (mapped !== undefined && [...mapped].every((c) => supported.has(c.codePointAt(0)!))) {
      out += mapped;
      continue;
    }
    const decomposed = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
    if (decomposed && decomposed !== ch && [...decomposed].every((c) => supported.has(c.codePointAt(0)!))) {
      out += decomposed;
      continue;
    }
    out += '?';
  }
  return out;
}

const charsetCache = new WeakMap<PDFFont, Set<number>>();
function charsetOf(font: PDFFont): Set<number> {
  let s = charsetCache.get(font);
  if (!s) {
    s = new Set(font.getCharacterSet());
    charsetCache.set(font, s);
  }
  return s;
}
