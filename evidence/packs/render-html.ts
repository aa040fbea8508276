/**
 * The review pack as one self-contained HTML document: inline CSS only, no scripts, no external resources (a CSP
 * meta tag forbids them), readable offline and printable. Every piece of model text is escaped.
 */
import { evidenceLink, type PackControlResult, type PackModel, type PackRequirement, type RequirementStatus } from './pack-model.ts';
import { utc } from './pack-time.ts';

function escapeHtml(s: unknown): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const REQUIREMENT_STATUS_LABEL: Record<RequirementStatus, string> = {
  met: 'Met',
  not_met: 'Not met',
  partial: 'Partial',
  met_by_exception: 'Met by exception',
  not_assessed: 'Not assessed',
};

const CONTROL_STATUS_LABEL: Record<PackControlResult['status'], string> = {
  pass: 'Pass',
  fail: 'Fail',
  error: 'Error',
  not_applicable: 'Not applicable',
  stale: 'Stale',
  never_run: 'Never run',
};

const REQUIREMENT_ORDER: RequirementStatus[] = ['met', 'met_by_exception', 'partial', 'not_met', 'not_assessed'];

/** fragment ids, one per item (unique within the document), and the first one per model id for links */
function makeAnchors(prefix: string, ids: string[]): { list: string[]; byId: Map<string, string> } {
  const used = new Set<string>();
  const byId = new Map<string, string>();
  const list = ids.map((id) => {
    const base = `${prefix}-${id.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'x'}`;
    let a = base;
    for (let n = 2; used.has(a); n++) a = `${base}-${n}`;
    used.add(a);
    if (!byId.has(id)) byId.set(id, a);
    return a;
  });
  return { list, byId };
}

function multiline(text: string): string {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p).replace(/\r?\n/g, '<br>')}</p>`)
    .join('\n');
}

const fmtTime = (iso: string | null): string => utc(iso);

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1f2328; background: #fff;
  line-height: 1.5; margin: 0 auto; max-width: 60rem; padding: 1.5rem; font-size: 15px; }
h1 { font-size: 1.7rem; margin: 0 0 .5rem; }
h2 { font-size: 1.35rem; margin: 2rem 0 .75rem; border-bottom: 2px solid #d0d7de; padding-bottom: .25rem; }
h3 { font-size: 1.1rem; margin: 0 0 .25rem; }
h4 { font-size: .95rem; margin: .75rem 0 .25rem; }
p { margin: .35rem 0; }
a { color: #0550ae; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .88em; word-break: break-all; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0 1rem; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
caption { text-align: left; color: #57606a; font-size: .9rem; padding-bottom: .25rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
th, td { border: 1px solid #d0d7de; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
.item { border: 1px solid #d0d7de; border-radius: 6px; padding: .75rem 1rem; margin: .75rem 0; break-inside: avoid; page-break-inside: avoid; }
.item-head { display: flex; flex-wrap: wrap; gap: .5rem; align-items: baseline; justify-content: space-between; }
.badge { display: inline-block; padding: .05rem .55rem; border-radius: 999px; font-size: .82rem; font-weight: 700;
  border: 1px solid currentColor; white-space: nowrap; }
.s-met, .s-pass { background: #dafbe1; color: #0a3622; }
.s-not_met, .s-fail, .s-error { background: #ffebe9; color: #6e0b13; }
.s-partial, .s-stale { background: #fff8c5; color: #4d2d00; }
.s-gap { background: #ffe2cc; color: #5c2000; }
.s-not_assessed, .s-not_applicable, .s-never_run { background: #eaeef2; color: #24292f; }
.label { font-weight: 600; }
.question { font-style: italic; color: #3d444d; }
.gap { border-left: 4px solid #953800; background: #fff1e5; padding: .4rem .75rem; margin: .5rem 0; color: #3b1400; }
ul { margin: .25rem 0 .5rem; padding-left: 1.4rem; }
.muted { color: #57606a; }
.notice { border-left: 4px solid #9a6700; background: #fff8c5; padding: .5rem .75rem; margin: .5rem 0; color: #3b2300; }
@page { size: A4; margin: 15mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .badge, .gap, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

function badge(status: string, label: string): string {
  return `<span class="badge s-${escapeHtml(status)}">${escapeHtml(label)}</span>`;
}

function renderRequirement(r: PackRequirement, reqAnchor: string, controlAnchors: Map<string, string>): string {
  const controls = r.controls.length
    ? `<ul>${r.controls
        .map((id) => {
          const a = controlAnchors.get(id);
          return a
            ? `<li><a href="#${escapeHtml(a)}"><code>${escapeHtml(id)}</code></a></li>`
            : `<li><code>${escapeHtml(id)}</code> <span class="muted">(no result in this pack)</span></li>`;
        })
        .join('')}</ul>`
    : '<p class="muted">None.</p>';
  const attestations = r.attestations.length ? `<ul>${r.attestations.map((a) => `<li>${escapeHtml(a)}</li>`).join('')}</ul>` : '<p class="muted">None.</p>';
  return `<article class="item" id="${escapeHtml(reqAnchor)}" data-status="${escapeHtml(r.status)}">
<div class="item-head"><h3><code>${escapeHtml(r.id)}</code> ${escapeHtml(r.title)}</h3>${badge(r.status, REQUIREMENT_STATUS_LABEL[r.status] ?? r.status)}</div>
<p class="question"><span class="label">Question:</span> ${escapeHtml(r.question)}</p>
<h4>Answer</h4>
${multiline(r.answer) || '<p class="muted">No answer.</p>'}
${r.gap ? `<div class="gap" role="note"><p><span class="label">Gap:</span> ${escapeHtml(r.gap).replace(/\r?\n/g, '<br>')}</p></div>` : ''}
<h4>Linked controls</h4>
${controls}
<h4>Attestations</h4>
${attestations}
</article>`;
}

function renderControl(c: PackControlResult, anchor: string): string {
  const findings = c.findings.length
    ? `<ul>${c.findings.map((f) => `<li><code>${escapeHtml(f.resourceId)}</code>: ${escapeHtml(f.message)}</li>`).join('')}</ul>`
    : '<p class="muted">No findings.</p>';
  const evidence = c.evidenceSeqs.length
    ? `<ul>${c.evidenceSeqs.map((s) => `<li><code>${escapeHtml(evidenceLink(c.controlId, s))}</code></li>`).join('')}</ul>`
    : '<p class="muted">No evidence records.</p>';
  return `<article class="item" id="${escapeHtml(anchor)}" data-status="${escapeHtml(c.status)}">
<div class="item-head"><h3><code>${escapeHtml(c.controlId)}</code> ${escapeHtml(c.title)}</h3>${badge(c.status, CONTROL_STATUS_LABEL[c.status] ?? c.status)}</div>
<dl class="meta">
<dt>Runs in period</dt><dd>${escapeHtml(c.runs)} (${escapeHtml(c.passes)} passed)</dd>
<dt>Last run</dt><dd>${escapeHtml(fmtTime(c.lastRunAt))}</dd>
<dt>Frameworks</dt><dd>${c.frameworks.length ? escapeHtml(c.frameworks.join(', ')) : '<span class="muted">none</span>'}</dd>
</dl>
<h4>Summary</h4>
${c.summary ? multiline(c.summary) : '<p class="muted">No summary.</p>'}
<h4>Findings</h4>
${findings}
<h4>Evidence</h4>
${evidence}
</article>`;
}

function renderSection(s: PackModel['sections'][number], anchor: string): string {
  const parts: string[] = [
    `<section id="${escapeHtml(anchor)}" aria-labelledby="${escapeHtml(anchor)}-h">`,
    `<h2 id="${escapeHtml(anchor)}-h">${escapeHtml(s.title)}</h2>`,
  ];
  if (s.intro) parts.push(multiline(s.intro));
  for (const p of s.paragraphs ?? []) parts.push(multiline(p));
  if (s.table) {
    parts.push(`<table>
<thead><tr>${s.table.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}</tr></thead>
<tbody>
${s.table.rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell).replace(/\r?\n/g, '<br>')}</td>`).join('')}</tr>`).join('\n')}
</tbody>
</table>`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

export function renderHtml(model: PackModel): string {
  const reqAnchors = makeAnchors(
    'req',
    model.requirements.map((r) => r.id),
  );
  const controlAnchors = makeAnchors(
    'control',
    model.controls.map((c) => c.controlId),
  );
  const sectionAnchors = makeAnchors(
    'section',
    model.sections.map((s) => s.id),
  );

  const counts = new Map<RequirementStatus, number>();
  for (const r of model.requirements) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const profileName = model.profile === 'sp-api' ? 'Amazon SP-API Data Protection Policy review' : 'Google API Services User Data Policy / CASA review';

  const summaryTable = `<table>
<caption>Requirements by status</caption>
<thead><tr><th scope="col">Status</th><th scope="col">Requirements</th></tr></thead>
<tbody>
${REQUIREMENT_ORDER.map((s) => `<tr><th scope="row">${badge(s, REQUIREMENT_STATUS_LABEL[s])}</th><td>${counts.get(s) ?? 0}</td></tr>`).join('\n')}
<tr><th scope="row">Total</th><td>${model.requirements.length}</td></tr>
</tbody>
</table>`;

  const index = model.requirements.length
    ? `<table>
<caption>Requirement index</caption>
<thead><tr><th scope="col">Requirement</th><th scope="col">Title</th><th scope="col">Status</th></tr></thead>
<tbody>
${model.requirements
  .map(
    (r) =>
      `<tr><td><a href="#${escapeHtml(reqAnchors.byId.get(r.id))}"><code>${escapeHtml(r.id)}</code></a></td><td>${escapeHtml(r.title)}</td><td>${badge(r.status, REQUIREMENT_STATUS_LABEL[r.status] ?? r.status)}</td></tr>`,
  )
  .join('\n')}
</tbody>
</table>`
    : '';

  const requirements = model.requirements.map((r, i) => renderRequirement(r, reqAnchors.list[i], controlAnchors.byId)).join('\n');
  const controls = model.controls.map((c, i) => renderControl(c, controlAnchors.list[i])).join('\n');

  const nav = [
    '<li><a href="#summary">Summary</a></li>',
    '<li><a href="#requirements">Requirements</a></li>',
    '<li><a href="#controls">Controls</a></li>',
    ...model.sections.map((s, i) => `<li><a href="#${escapeHtml(sectionAnchors.list[i])}">${escapeHtml(s.title)}</a></li>`),
  ].join('');

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(model.generator)}">
<title>${escapeHtml(model.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(model.title)}</h1>
<p class="muted">${escapeHtml(profileName)}</p>
<dl class="meta">
<dt>Organisation</dt><dd>${escapeHtml(model.organisation)}</dd>
<dt>Period</dt><dd>${escapeHtml(utc(model.period.from))} to ${escapeHtml(utc(model.period.to))}</dd>
<dt>Generated at</dt><dd>${escapeHtml(utc(model.generatedAt))}</dd>
<dt>Generator</dt><dd>${escapeHtml(model.generator)}</dd>
<dt>Policy hash</dt><dd><code>${escapeHtml(model.policyHash)}</code></dd>
<dt>Evidence chain head</dt><dd>${model.chainHead ? `seq ${escapeHtml(model.chainHead.seq)}, hash <code>${escapeHtml(model.chainHead.hash)}</code>` : '<span class="muted">none (no evidence recorded)</span>'}</dd>
</dl>
${model.internal ? '<p class="notice" role="note"><span class="label">Internal edition:</span> includes remediation notes for the organisation; not for a reviewer.</p>' : ''}
${(model.notices ?? []).map((n) => `<p class="notice" role="note">${escapeHtml(n)}</p>`).join('\n')}
<nav aria-label="Contents"><ul>${nav}</ul></nav>
</header>
<main>
<section id="summary" aria-labelledby="summary-h">
<h2 id="summary-h">Summary</h2>
${summaryTable}
${index}
</section>
<section id="requirements" aria-labelledby="requirements-h">
<h2 id="requirements-h">Requirements</h2>
${requirements || '<p class="muted">No requirements.</p>'}
</section>
<section id="controls" aria-labelledby="controls-h">
<h2 id="controls-h">Controls</h2>
${controls || '<p class="muted">No control results.</p>'}
</section>
${model.sections.map((s, i) => renderSection(s, sectionAnchors.list[i])).join('\n')}
</main>
<footer><p class="muted">Generated by ${escapeHtml(model.generator)} at ${escapeHtml(utc(model.generatedAt))}. Evidence files are referenced by name inside this pack.</p></footer>
</body>
</html>
`;
}
