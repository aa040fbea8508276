/**
 * The review pack as a condensed A4 PDF (pdf-lib, standard Helvetica fonts): header block, summary, requirements
 * (status, answer, gap), a controls overview table and per-control details, then the extra sections. Standard fonts
 * only encode WinAnsi (CP1252), so every string is sanitised first and rendering never throws on odd characters.
 * Output is deterministic for a given model (metadata dates come from generatedAt, not the clock).
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage, type RGB } from 'pdf-lib';
import { sanitizeForFont } from './pdf-text.ts';
import { utc } from './pack-time.ts';
import { evidenceLink, type PackControlResult, type PackModel, type RequirementStatus } from './pack-model.ts';

const A4: [number, number] = [595.28, 841.89];
const MARGIN_X = 50;
const MARGIN_TOP = 56;
const MARGIN_BOTTOM = 56;
const CONTENT_W = A4[0] - 2 * MARGIN_X;
const MAX_FINDINGS = 10;

const REQ_LABEL: Record<RequirementStatus, string> = {
  met: 'MET',
  not_met: 'NOT MET',
  partial: 'PARTIAL',
  met_by_exception: 'MET BY EXCEPTION',
  not_assessed: 'NOT ASSESSED',
};
const CTL_LABEL: Record<PackControlResult['status'], string> = {
  pass: 'PASS',
  fail: 'FAIL',
  error: 'ERROR',
  not_applicable: 'N/A',
  stale: 'STALE',
  never_run: 'NEVER RUN',
};

const TEXT = rgb(0.12, 0.14, 0.16);
const MUTED = rgb(0.34, 0.38, 0.42);
const RULE = rgb(0.82, 0.84, 0.87);
const HEAD_BG = rgb(0.965, 0.973, 0.98);

/** [background, foreground] per status, light fill with dark text (good contrast in print and on screen) */
function statusColors(status: string): [RGB, RGB] {
  switch (status) {
    case 'met':
    case 'pass':
      return [rgb(0.855, 0.984, 0.882), rgb(0.04, 0.21, 0.13)];
    case 'not_met':
    case 'fail':
    case 'error':
      return [rgb(1, 0.922, 0.914), rgb(0.43, 0.04, 0.07)];
    case 'partial':
    case 'stale':
      return [rgb(1, 0.973, 0.773), rgb(0.3, 0.18, 0)];
    case 'gap':
      return [rgb(1, 0.886, 0.8), rgb(0.36, 0.13, 0)];
    default:
      return [rgb(0.918, 0.933, 0.949), rgb(0.14, 0.16, 0.18)];
  }
}

interface Style {
  size?: number;
  bold?: boolean;
  color?: RGB;
  indent?: number;
  /** space after the block */
  after?: number;
  /** width available (defaults to the content width minus indent) */
  width?: number;
}

class Layout {
  readonly pages: PDFPage[] = [];
  page!: PDFPage;
  y = 0;

  constructor(
    readonly doc: PDFDocument,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
  ) {
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage(A4);
    this.pages.push(this.page);
    this.y = A4[1] - MARGIN_TOP;
  }

  /** start a new page unless `h` points still fit */
  ensure(h: number): void {
    if (this.y - h < MARGIN_BOTTOM) this.newPage();
  }

  font(bold?: boolean): PDFFont {
    return bold ? this.bold : this.regular;
  }

  /** sanitised, word-wrapped lines (explicit newlines kept; over-long words broken) */
  wrap(text: string, font: PDFFont, size: number, width: number): string[] {
    const lines: string[] = [];
    for (const para of sanitizeForFont(text, font).split('\n')) {
      const words = para.split(/ +/).filter((w) => w.length > 0);
      if (!words.length) {
        lines.push('');
        continue;
      }
      let line = '';
      for (let word of words) {
        const candidate = line ? `${line} ${word}` : word;
        if (font.widthOfTextAtSize(candidate, size) <= width) {
          line = candidate;
          continue;
        }
        if (line) lines.push(line);
        while (font.widthOfTextAtSize(word, size) > width) {
          let n = word.length - 1;
          while (n > 1 && font.widthOfTextAtSize(word.slice(0, n), size) > width) n--;
          lines.push(word.slice(0, n));
          word = word.slice(n);
        }
        line = word;
      }
      lines.push(line);
    }
    return lines;
  }

  /** a wrapped paragraph; breaks across pages line by line */
  text(text: string, style: Style = {}): void {
    const size = style.size ?? 9;
    const font = this.font(style.bold);
    const indent = style.indent ?? 0;
    const width = style.width ?? CONTENT_W - indent;
    const lh = size * 1.3;
    for (const line of this.wrap(text, font, size, width)) {
      this.ensure(lh);
      this.y -= lh;
      if (line) this.page.drawText(line, { x: MARGIN_X + indent, y: this.y + size * 0.25, size, font, color: style.color ?? TEXT });
    }
    this.y -= style.after ?? 3;
  }

  /** "Label: value" with the label in bold on the first line */
  labelled(label: string, value: string, style: Style = {}): void {
    const size = style.size ?? 9;
    const indent = style.indent ?? 0;
    const lab = sanitizeForFont(`${label}: `, this.bold);
    const labW = this.bold.widthOfTextAtSize(lab, size);
    const lh = size * 1.3;
    const lines = this.wrap(value, this.regular, size, CONTENT_W - indent - labW);
    lines.forEach((line, i) => {
      this.ensure(lh);
      this.y -= lh;
      const base = this.y + size * 0.25;
      if (i === 0) this.page.drawText(lab, { x: MARGIN_X + indent, y: base, size, font: this.bold, color: style.color ?? TEXT });
      if (line) this.page.drawText(line, { x: MARGIN_X + indent + labW, y: base, size, font: this.regular, color: style.color ?? TEXT });
    });
    this.y -= style.after ?? 2;
  }

  heading(text: string, level: 1 | 2 | 3): void {
    const size = level === 1 ? 18 : level === 2 ? 14 : 11;
    const lines = this.wrap(text, this.bold, size, CONTENT_W);
    const lh = size * 1.25;
    // keep the heading with at least a few lines of what follows
    this.ensure(lines.length * lh + (level === 1 ? 0 : 40));
    if (level === 2) this.y -= 8;
    for (const line of lines) {
      this.y -= lh;
      this.page.drawText(line, { x: MARGIN_X, y: this.y + size * 0.22, size, font: this.bold, color: TEXT });
    }
    if (level === 2) {
      this.y -= 3;
      this.page.drawLine({ start: { x: MARGIN_X, y: this.y }, end: { x: MARGIN_X + CONTENT_W, y: this.y }, thickness: 1, color: RULE });
    }
    this.y -= level === 3 ? 3 : 7;
  }

  badgeWidth(label: string, size: number): number {
    return this.bold.widthOfTextAtSize(sanitizeForFont(label, this.bold), size) + 8;
  }

  /** a filled status pill whose baseline sits at `baseline` */
  badge(label: string, status: string, x: number, baseline: number, size: number): void {
    const [bg, fg] = statusColors(status);
    const w = this.badgeWidth(label, size);
    this.page.drawRectangle({ x, y: baseline - size * 0.3, width: w, height: size * 1.3, color: bg, borderColor: fg, borderWidth: 0.6 });
    this.page.drawText(sanitizeForFont(label, this.bold), { x: x + 4, y: baseline, size, font: this.bold, color: fg });
  }

  /** bold item title with a status badge at the right of its first line */
  itemHead(title: string, label: string, status: string): void {
    const size = 10.5;
    const bsize = 8;
    const bw = this.badgeWidth(label, bsize);
    const lines = this.wrap(title, this.bold, size, CONTENT_W - bw - 10);
    const lh = size * 1.3;
    this.ensure(lines.length * lh + 30);
    this.y -= 4;
    lines.forEach((line, i) => {
      this.y -= lh;
      const base = this.y + size * 0.25;
      this.page.drawText(line, { x: MARGIN_X, y: base, size, font: this.bold, color: TEXT });
      if (i === 0) this.badge(label, status, MARGIN_X + CONTENT_W - bw, base, bsize);
    });
    this.y -= 3;
  }

  bullets(items: string[], style: Style = {}): void {
    const size = style.size ?? 9;
    const indent = (style.indent ?? 0) + 10;
    for (const item of items) {
      const lines = this.wrap(item, this.regular, size, CONTENT_W - indent);
      const lh = size * 1.3;
      lines.forEach((line, i) => {
        this.ensure(lh);
        this.y -= lh;
        const base = this.y + size * 0.25;
        if (i === 0) this.page.drawText('-', { x: MARGIN_X + indent - 8, y: base, size, font: this.regular, color: style.color ?? TEXT });
        if (line) this.page.drawText(line, { x: MARGIN_X + indent, y: base, size, font: this.regular, color: style.color ?? TEXT });
      });
    }
    this.y -= style.after ?? 3;
  }

  rule(): void {
    this.ensure(6);
    this.y -= 3;
    this.page.drawLine({ start: { x: MARGIN_X, y: this.y }, end: { x: MARGIN_X + CONTENT_W, y: this.y }, thickness: 0.5, color: RULE });
    this.y -= 3;
  }

  /** a simple ruled table; cells wrap; the header repeats on each new page; very tall cells are truncated */
  table(columns: string[], rows: string[][], opts: { size?: number; statusColumn?: number } = {}): void {
    const size = opts.size ?? 8;
    const lh = size * 1.3;
    const pad = 3;
    const n = Math.max(1, columns.length);
    const natural = Array.from({ length: n }, (_, i) => {
      const cells = [columns[i] ?? '', ...rows.map((r) => r[i] ?? '')];
      const w = Math.max(...cells.map((c) => this.bold.widthOfTextAtSize(sanitizeForFont(c, this.bold).split('\n')[0] ?? '', size)));
      return Math.min(Math.max(w + 2 * pad, 36), 220);
    });
    const total = natural.reduce((a, b) => a + b, 0);
    const widths = natural.map((w) => (w * CONTENT_W) / total);
    const maxLines = Math.floor((A4[1] - MARGIN_TOP - MARGIN_BOTTOM - 4 * lh) / lh);

    const drawRow = (cells: string[], header: boolean): void => {
      const font = header ? this.bold : this.regular;
      const wrapped = widths.map((w, i) => {
        const lines = this.wrap(cells[i] ?? '', font, size, w - 2 * pad);
        return lines.length > maxLines ? [...lines.slice(0, maxLines - 1), '[...]'] : lines;
      });
      const h = Math.max(1, ...wrapped.map((l) => l.length)) * lh + 2 * pad;
      if (this.y - h < MARGIN_BOTTOM) {
        this.newPage();
        if (!header) drawRow(columns, true);
      }
      const top = this.y;
      if (header) this.page.drawRectangle({ x: MARGIN_X, y: top - h, width: CONTENT_W, height: h, color: HEAD_BG });
      let x = MARGIN_X;
      wrapped.forEach((lines, i) => {
        if (!header && opts.statusColumn === i && cells[i]) {
          const [bg] = statusColors(cells[i].toLowerCase().replace(/ /g, '_'));
          this.page.drawRectangle({ x, y: top - h, width: widths[i], height: h, color: bg });
        }
        lines.forEach((line, j) => {
          if (line) this.page.drawText(line, { x: x + pad, y: top - pad - (j + 1) * lh + size * 0.3, size, font, color: TEXT });
        });
        x += widths[i];
      });
      this.y = top - h;
      this.page.drawLine({ start: { x: MARGIN_X, y: this.y }, end: { x: MARGIN_X + CONTENT_W, y: this.y }, thickness: header ? 0.8 : 0.4, color: RULE });
    };

    this.ensure(3 * lh + 4 * pad);
    drawRow(columns, true);
    for (const r of rows) drawRow(r, false);
    this.y -= 8;
  }
}

export async function renderPdf(model: PackModel): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const L = new Layout(doc, regular, bold);

  const created = new Date(model.generatedAt);
  doc.setTitle(model.title, { showInWindowTitleBar: true });
  doc.setAuthor('Tenet');
  doc.setSubject(
    `${model.profile === 'sp-api' ? 'Amazon SP-API Data Protection Policy' : 'Google API Services User Data Policy / CASA'} review pack for ${model.organisation}, ${utc(model.period.from)} to ${utc(model.period.to)}`,
  );
  doc.setKeywords(['review pack', model.profile, model.organisation]);
  doc.setCreator(model.generator);
  doc.setProducer('Tenet (pdf-lib)');
  doc.setLanguage('en');
  if (!Number.isNaN(created.getTime())) {
    doc.setCreationDate(created);
    doc.setModificationDate(created);
  }

  // ---- header block ----
  L.heading(model.title, 1);
  L.text(model.profile === 'sp-api' ? 'Amazon SP-API Data Protection Policy review' : 'Google API Services User Data Policy / CASA review', {
    color: MUTED,
    after: 8,
  });
  L.labelled('Organisation', model.organisation);
  L.labelled('Period', `${utc(model.period.from)} to ${utc(model.period.to)}`);
  L.labelled('Generated at', utc(model.generatedAt));
  L.labelled('Generator', model.generator);
  L.labelled('Policy hash', model.policyHash);
  L.labelled('Evidence chain head', model.chainHead ? `seq ${model.chainHead.seq}, hash ${model.chainHead.hash}` : 'none (no evidence recorded)');

  if (model.internal) L.labelled('Internal edition', 'includes remediation notes for the organisation; not for a reviewer.', { color: statusColors('gap')[1] });
  for (const n of model.notices ?? []) L.labelled('Note', n, { color: statusColors('partial')[1], after: 4 });

  // ---- summary ----
  L.heading('Summary', 2);
  const counts = new Map<string, number>();
  for (const r of model.requirements) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const order: RequirementStatus[] = ['met', 'met_by_exception', 'partial', 'not_met', 'not_assessed'];
  L.text(
    `${model.requirements.length} requirement(s): ${order.map((s) => `${counts.get(s) ?? 0} ${REQ_LABEL[s].toLowerCase()}`).join(', ')}. ` +
      `${model.controls.length} control(s): ${model.controls.filter((c) => c.status === 'pass').length} passing at period end.`,
    { after: 6 },
  );
  if (model.requirements.length) {
    L.table(
      ['Requirement', 'Title', 'Status'],
      model.requirements.map((r) => [r.id, r.title, REQ_LABEL[r.status] ?? r.status]),
      { statusColumn: 2 },
    );
  }

  // ---- requirements ----
  L.heading('Requirements', 2);
  if (!model.requirements.length) L.text('No requirements.', { color: MUTED });
  for (const r of model.requirements) {
    L.itemHead(`${r.id}  ${r.title}`, REQ_LABEL[r.status] ?? r.status, r.status);
    L.labelled('Question', r.question, { color: MUTED });
    L.labelled('Answer', r.answer || '(no answer)');
    if (r.gap) L.labelled('Gap', r.gap, { color: statusColors('gap')[1] });
    if (r.controls.length) L.labelled('Controls', r.controls.join(', '));
    if (r.attestations.length) {
      L.text('Attestations:', { bold: true, after: 0 });
      L.bullets(r.attestations);
    }
    L.rule();
  }

  // ---- controls ----
  L.heading('Controls', 2);
  if (!model.controls.length) L.text('No control results.', { color: MUTED });
  else {
    L.table(
      ['Control', 'Status', 'Runs', 'Passes', 'Last run'],
      model.controls.map((c) => [c.controlId, CTL_LABEL[c.status] ?? c.status, String(c.runs), String(c.passes), utc(c.lastRunAt)]),
      { statusColumn: 1 },
    );
  }
  for (const c of model.controls) {
    L.itemHead(`${c.controlId}  ${c.title}`, CTL_LABEL[c.status] ?? c.status, c.status);
    L.text(
      `Runs in period: ${c.runs} (${c.passes} passed). Last run: ${utc(c.lastRunAt)}.${c.frameworks.length ? ` Frameworks: ${c.frameworks.join(', ')}.` : ''}`,
      { size: 8.5, color: MUTED },
    );
    if (c.summary) L.labelled('Summary', c.summary);
    if (c.findings.length) {
      L.text(`Findings (${c.findings.length}):`, { bold: true, after: 0 });
      const shown = c.findings.slice(0, MAX_FINDINGS).map((f) => `${f.resourceId}: ${f.message}`);
      if (c.findings.length > MAX_FINDINGS) shown.push(`... and ${c.findings.length - MAX_FINDINGS} more (see the HTML report and controls.csv)`);
      L.bullets(shown, { size: 8.5 });
    }
    if (c.evidenceSeqs.length) L.labelled('Evidence', c.evidenceSeqs.map((s) => evidenceLink(c.controlId, s)).join(', '), { size: 8.5 });
    L.rule();
  }

  // ---- extra sections ----
  for (const s of model.sections) {
    L.heading(s.title, 2);
    if (s.intro) L.text(s.intro, { after: 5 });
    for (const p of s.paragraphs ?? []) L.text(p, { after: 5 });
    if (s.table) L.table(s.table.columns, s.table.rows);
  }

  // ---- footers with page numbers ----
  const total = L.pages.length;
  const footerTitle = sanitizeForFont(`${model.title} - ${model.organisation}`.replace(/\s+/g, ' '), regular);
  const footerMax = CONTENT_W - 80;
  let ft = footerTitle;
  while (ft.length > 1 && regular.widthOfTextAtSize(ft, 7.5) > footerMax) ft = ft.slice(0, -1);
  if (ft !== footerTitle) ft = `${ft.slice(0, -3)}...`;
  L.pages.forEach((p, i) => {
    const label = `Page ${i + 1} of ${total}`;
    p.drawLine({ start: { x: MARGIN_X, y: MARGIN_BOTTOM - 18 }, end: { x: MARGIN_X + CONTENT_W, y: MARGIN_BOTTOM - 18 }, thickness: 0.5, color: RULE });
    p.drawText(ft, { x: MARGIN_X, y: MARGIN_BOTTOM - 30, size: 7.5, font: regular, color: MUTED });
    p.drawText(label, { x: MARGIN_X + CONTENT_W - regular.widthOfTextAtSize(label, 7.5), y: MARGIN_BOTTOM - 30, size: 7.5, font: regular, color: MUTED });
  });

  return doc.save();
}
