import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { PackModel } from './pack-model.ts';
import { renderHtml } from './render-html.ts';
import { renderPdf } from './render-pdf.ts';
import { sanitizeForFont } from './pdf-text.ts';
import { renderControlsCsv } from './render-csv.ts';
import { renderOscal, renderOscalPlan, renderOscalPoam, deterministicUuid, oscalToken } from './render-oscal.ts';

// ajv-formats is CommonJS; under NodeNext its default import is the module object
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function spApiModel(): PackModel {
  return {
    profile: 'sp-api',
    title: 'SP-API Data Protection Policy review pack — Q1 2025',
    organisation: 'Astrix & Sons <Ltd>',
    period: { from: '2025-01-01T00:00:00.000Z', to: '2025-03-31T23:59:59.999Z' },
    generatedAt: '2025-04-01T08:30:00.000Z',
    generator: 'tenet 0.1.0',
    policyHash: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    chainHead: { seq: 4711, hash: 'ab'.repeat(32) },
    requirements: [
      {
        id: 'DPP-1.1',
        title: 'Network protection (§ 1.1)',
        question: 'Do you restrict inbound access so that ≤ 1 public endpoint exposes PII?',
        status: 'met',
        answer: 'Yes. Only the API gateway is public; “default deny” security groups everywhere else.\nChecked continuously.',
        controls: ['aws.sg.no-open-ingress', 'aws.apigw.tls'],
        attestations: ['Firewall rules reviewed quarterly by the CTO'],
      },
      {
        id: 'DPP-2.3',
        title: 'Encryption at rest, with commas, and "quotes"',
        question: 'Is PII encrypted at rest (AES-256 ≥ 128-bit)?',
        status: 'not_met',
        answer: 'One DynamoDB table is not encrypted with a customer-managed key → see findings.',
        controls: ['aws.dynamodb.cmk'],
        attestations: [],
      },
      {
        id: 'DPP-4.2',
        title: 'Audit log retention',
        question: 'Do you keep security logs for at least 12 months?',
        status: 'not_met',
        answer: 'Logs are kept 180 days.',
        controls: ['aws.logs.retention'],
        attestations: [],
        gap: 'Log retention is 180 days vs the required 12 months. <script>alert("gap")</script>',
      },
      {
        id: 'DPP-5.1',
        title: 'Incident response <script>alert(1)</script>',
        question: 'Do you have an incident response plan?',
        status: 'partial',
        answer: 'A plan exists; the tabletop exercise is overdue.',
        controls: ['ir.plan', 'missing.control'],
        attestations: ['IR plan v3 approved 2024-11-02', "=cmd|' /C calc'!A0"],
      },
      {
        id: 'DPP-6',
        title: 'Vulnerability management',
        question: 'Do you scan for vulnerabilities?',
        status: 'not_assessed',
        answer: '',
        controls: [],
        attestations: [],
      },
    ],
    controls: [
      {
        controlId: 'aws.sg.no-open-ingress',
        title: 'No security group allows 0.0.0.0/0 ingress',
        status: 'pass',
        frameworks: ['sp-api-dpp', 'casa'],
        runs: 90,
        passes: 90,
        lastRunAt: '2025-03-31T23:00:00.000Z',
        summary: 'All 14 security groups restrict ingress.',
        findings: [],
        evidenceSeqs: [123, 4700],
        remediation: 'Remove 0.0.0.0/0 rules.',
      },
      {
        controlId: 'aws.apigw.tls',
        title: 'API Gateway enforces TLS ≥ 1.2',
        status: 'pass',
        frameworks: ['sp-api-dpp'],
        runs: 12,
        passes: 12,
        lastRunAt: '2025-03-30T10:00:00Z',
        summary: 'TLS 1.2 minimum on 2 APIs.',
        findings: [],
        evidenceSeqs: [4701],
        remediation: '',
      },
      {
        controlId: 'aws.dynamodb.cmk',
        title: 'DynamoDB tables use a customer-managed KMS key',
        status: 'fail',
        frameworks: ['sp-api-dpp'],
        runs: 30,
        passes: 10,
        lastRunAt: '2025-03-31T22:00:00.000Z',
        summary: '=HYPERLINK("http://evil.example","click"), 1 of 3 tables failing',
        findings: [
          { resourceId: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders', message: 'Encrypted with AWS-owned key, not a CMK' },
          { resourceId: 'table/"quoted",name', message: 'line one\nline two' },
        ],
        evidenceSeqs: [4702],
        remediation: 'Re-create the table with SSE type KMS and a CMK.',
      },
      {
        controlId: 'aws.logs.retention',
        title: 'CloudWatch log groups retain ≥ 365 days',
        status: 'fail',
        frameworks: ['sp-api-dpp'],
        runs: 30,
        passes: 0,
        lastRunAt: '2025-03-31T22:00:00.000Z',
        summary: 'Retention is 180 days on 6 log groups.',
        findings: Array.from({ length: 14 }, (_, i) => ({ resourceId: `/aws/lambda/fn-${i}`, message: 'retention 180 days < 365' })),
        evidenceSeqs: [4703, 4704],
        remediation: '+Set retention to 400 days.',
      },
      {
        controlId: 'ir.plan',
        title: 'Incident response plan is current',
        status: 'never_run',
        frameworks: [],
        runs: 0,
        passes: 0,
        lastRunAt: null,
        summary: null,
        findings: [],
        evidenceSeqs: [],
        remediation: '@attest the plan',
      },
    ],
    sections: [
      {
        id: 'questionnaire',
        title: 'Questionnaire drafts',
        intro: 'Draft answers for the Amazon DPP questionnaire.',
        paragraphs: ['Answers are generated from live control results.', 'Review before submission — “as of” the period end.'],
        table: {
          columns: ['Question', 'Draft answer'],
          rows: [
            ['Q1. Network controls?', 'Yes, see DPP-1.1'],
            ['Q2. Encryption, at rest?', 'Partially: 1 table <b>not</b> using a CMK.\nRemediation planned.'],
          ],
        },
      },
      {
        id: 'pii-reveal',
        title: 'PII reveal audit',
        paragraphs: ['3 reveals in the period, all with a ticket reference. 😀 emoji and ł and ﬁ ligature.'],
      },
    ],
  };
}

function googleModel(): PackModel {
  return {
    profile: 'google',
    title: 'Google API Services User Data Policy / CASA pack',
    organisation: 'Astrix',
    period: { from: '2025-02-01', to: '2025-02-28' },
    generatedAt: '2025-03-01T00:00:00Z',
    generator: 'tenet 0.1.0',
    policyHash: 'sha256:00',
    chainHead: null,
    requirements: [
      {
        id: 'GOOGLE-LU-1',
        title: 'Limited use of restricted scopes',
        question: 'Is Google user data used only for user-facing features?',
        status: 'met',
        answer: 'Yes.',
        controls: ['google.scopes.minimal'],
        attestations: ['Limited Use disclosure published'],
      },
      {
        id: 'CASA 2.1.1',
        title: 'Password policy',
        question: 'Minimum 12 characters?',
        status: 'not_met',
        answer: 'Not enforced.',
        controls: [],
        attestations: [],
        gap: 'Minimum is 8 characters.',
      },
    ],
    controls: [
      {
        controlId: 'google.scopes.minimal',
        title: 'Only approved OAuth scopes are requested',
        status: 'stale',
        frameworks: ['casa'],
        runs: 3,
        passes: 3,
        lastRunAt: '2025-02-10T12:00:00+01:00',
        summary: 'Scopes: gmail.readonly',
        findings: [],
        evidenceSeqs: [1],
        remediation: '-',
      },
    ],
    sections: [],
  };
}

/** minimal RFC 4180 parser (quoted fields, doubled quotes, CRLF records) */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      i++;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (ch === '\n' || ch === '\r' || ch === '"') {
      throw new Error(`bare ${JSON.stringify(ch)} outside quotes at ${i}`);
    } else {
      field += ch;
      i++;
    }
  }
  if (field !== '' || row.length) throw new Error('last record not terminated by CRLF');
  return rows;
}

describe('OSCAL assessment results', () => {
  let validate: ValidateFunction;
  beforeAll(() => {
    const schema = JSON.parse(readFileSync(new URL('./schemas/oscal_assessment-results_schema_1.0.4.json', import.meta.url), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validate = ajv.compile(schema);
  });

  for (const [name, make] of [
    ['sp-api', spApiModel],
    ['google', googleModel],
  ] as const) {
    it(`validates against the NIST 1.0.4 schema (${name})`, () => {
      const doc = renderOscal(make(), { uuidSeed: 'seed-1' });
      const ok = validate(doc);
      if (!ok) console.error(JSON.stringify(validate.errors, null, 2));
      expect(ok).toBe(true);
    });
  }

  it('validates for an empty model too', () => {
    const m = googleModel();
    m.requirements = [];
    m.controls = [];
    m.organisation = '  ';
    m.period = { from: 'not a date', to: '' };
    const ok = validate(renderOscal(m, {}));
    if (!ok) console.error(JSON.stringify(validate.errors, null, 2));
    expect(ok).toBe(true);
  });

  it('is deterministic for a model and seed, and the seed changes UUIDs', () => {
    const a = JSON.stringify(renderOscal(spApiModel(), { uuidSeed: 'seed-1' }));
    const b = JSON.stringify(renderOscal(spApiModel(), { uuidSeed: 'seed-1' }));
    const c = JSON.stringify(renderOscal(spApiModel(), { uuidSeed: 'seed-2' }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(JSON.stringify(renderOscal(spApiModel(), {}))).toBe(JSON.stringify(renderOscal(spApiModel(), {})));
  });

  it('maps requirements, controls and evidence', () => {
    const m = spApiModel();
    const doc = renderOscal(m, { uuidSeed: 's' }) as any;
    const ar = doc['assessment-results'];
    expect(ar.metadata['oscal-version']).toBe('1.0.4');
    const res = ar.results[0];
    expect(res.start).toBe(m.period.from);
    expect(res.end).toBe(m.period.to);
    expect(res['reviewed-controls']['control-selections'][0]['include-controls'].map((c: any) => c['control-id'])).toEqual([
      'dpp-1.1',
      'dpp-2.3',
      'dpp-4.2',
      'dpp-5.1',
      'dpp-6',
    ]);
    expect(res.observations).toHaveLength(m.controls.length);
    expect(res.findings).toHaveLength(m.requirements.length);
    expect(res.findings.map((f: any) => f.target.status.state)).toEqual(['satisfied', 'not-satisfied', 'not-satisfied', 'not-satisfied', 'not-satisfied']);
    expect(res.observations[0]['relevant-evidence'].map((e: any) => e.href)).toEqual([
      'evidence/aws.sg.no-open-ingress.json#seq-123',
      'evidence/aws.sg.no-open-ingress.json#seq-4700',
    ]);
    expect(res.observations[4].collected).toBe(m.generatedAt); // never run -> generatedAt
    // related observations point at existing observation uuids
    const obs = new Set(res.observations.map((o: any) => o.uuid));
    for (const f of res.findings) for (const r of f['related-observations'] ?? []) expect(obs.has(r['observation-uuid'])).toBe(true);
    expect(res.findings[2].remarks).toContain('180 days');
    // all uuids unique and v4-shaped
    const uuids = JSON.stringify(doc)
      .match(/"(?:uuid|observation-uuid)":"([^"]+)"/g)!
      .map((s) => s.split('"')[3]);
    for (const u of uuids) expect(u).toMatch(UUID_V4);
    const defined = [ar.uuid, res.uuid, ...res.observations.map((o: any) => o.uuid), ...res.findings.map((f: any) => f.uuid)];
    expect(new Set(defined).size).toBe(defined.length);
  });

  it('helpers: v4 uuid shape and token ids', () => {
    expect(deterministicUuid('a', 'b')).toMatch(UUID_V4);
    expect(deterministicUuid('a', 'b')).toBe(deterministicUuid('a', 'b'));
    expect(oscalToken('DPP-1.1')).toBe('dpp-1.1');
    expect(oscalToken('CASA 2.1.1', 'req')).toBe('casa-2.1.1');
    expect(oscalToken('1.2', 'req')).toBe('req-1.2');
  });
});

describe('OSCAL assessment plan, risks and POA&M', () => {
  let ajv: Ajv;
  let schemaId: string;
  /** a part of a document checked against its definition in the NIST 1.0.4 schema (shared by the plan and the POA&M) */
  const check = (definition: string, value: unknown) => {
    const v = ajv.getSchema(`${schemaId}#/definitions/${definition}`)!;
    const ok = v(value);
    return ok ? 'valid' : JSON.stringify(v.errors?.slice(0, 3));
  };
  beforeAll(() => {
    const schema = JSON.parse(readFileSync(new URL('./schemas/oscal_assessment-results_schema_1.0.4.json', import.meta.url), 'utf8'));
    ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    ajv.addSchema(schema);
    schemaId = schema.$id;
  });

  /** the sp-api model with one requirement met by exception, and remediation notes on its controls */
  const model = (internal = false): PackModel => {
    const m = spApiModel();
    m.requirements.push({
      id: 'DPP-2.5',
      title: 'Redaction of old PII',
      question: 'Is buyer PII removed 30 days after delivery?',
      status: 'met_by_exception',
      answer: 'The backfill fails; an approved exception covers it until it is done.',
      controls: ['aws.dynamodb.cmk'],
      attestations: [],
    });
    m.internal = internal;
    return m;
  };

  it('the results import the plan in the pack, and carry a risk per requirement not met or met by exception, linked from its finding', () => {
    const ar = (renderOscal(model(), { uuidSeed: 's' }) as any)['assessment-results'];
    expect(ar['import-ap'].href).toBe('assessment-plan.json');
    const res = ar.results[0];
    const risks = res.risks as any[];
    expect(risks.map((r) => [r.props[0].value, r.status])).toEqual([
      ['DPP-2.3', 'open'],
      ['DPP-4.2', 'open'],
      ['DPP-5.1', 'open'],
      ['DPP-2.5', 'deviation-approved'],
    ]);
    for (const r of risks) expect(check('oscal-ar-oscal-assessment-common:risk', r)).toBe('valid');
    expect(risks[1].statement).toContain('Gap: Log retention is 180 days');
    const byRequirement = new Map(res.findings.map((f: any) => [f.props[0].value, f]));
    for (const r of risks) expect((byRequirement.get(r.props[0].value) as any)['related-risks']).toEqual([{ 'risk-uuid': r.uuid }]);
    expect((byRequirement.get('DPP-1.1') as any)['related-risks']).toBeUndefined();
  });

  it('the plan lists the requirements assessed, with its parts valid against the NIST definitions', () => {
    const m = model();
    const ap = (renderOscalPlan(m, { uuidSeed: 's' }) as any)['assessment-plan'];
    const ar = (renderOscal(m, { uuidSeed: 's' }) as any)['assessment-results'];
    expect(ap.uuid).toMatch(UUID_V4);
    expect(ap['reviewed-controls']).toEqual(ar.results[0]['reviewed-controls']);
    expect(ap['reviewed-controls']['control-selections'][0]['include-controls'].map((c: any) => c['control-id'])).toContain('dpp-2.5');
    expect(check('oscal-ar-oscal-metadata:metadata', ap.metadata)).toBe('valid');
    expect(check('oscal-ar-oscal-assessment-common:import-ssp', ap['import-ssp'])).toBe('valid');
    expect(check('oscal-ar-oscal-assessment-common:reviewed-controls', ap['reviewed-controls'])).toBe('valid');
    for (const a of ap['local-definitions'].activities) expect(check('oscal-ar-oscal-assessment-common:activity', a)).toBe('valid');
    for (const t of ap.tasks) expect(check('oscal-ar-oscal-assessment-common:task', t)).toBe('valid');
    for (const sub of ap['assessment-subjects']) expect(check('oscal-ar-oscal-assessment-common:assessment-subject', sub)).toBe('valid');
    expect(ap.tasks[0].timing['within-date-range']).toEqual({ start: m.period.from, end: m.period.to });
  });

  it('the POA&M has one item per risk, linked to the same risk as the results; remediation only in the internal edition', () => {
    const m = model();
    const poam = (renderOscalPoam(m, { uuidSeed: 's' }) as any)['plan-of-action-and-milestones'];
    const arRisks = (renderOscal(m, { uuidSeed: 's' }) as any)['assessment-results'].results[0].risks;
    expect(poam.risks).toEqual(arRisks.map((r: any) => expect.objectContaining({ uuid: r.uuid, status: r.status })));
    expect(poam['poam-items'].map((i: any) => i['related-risks'][0]['risk-uuid'])).toEqual(arRisks.map((r: any) => r.uuid));
    expect(poam['poam-items'].map((i: any) => i.title)).toEqual([
      'DPP-2.3: Encryption at rest, with commas, and "quotes"',
      'DPP-4.2: Audit log retention',
      'DPP-5.1: Incident response <script>alert(1)</script>',
      'DPP-2.5: Redaction of old PII',
    ]);
    expect(check('oscal-ar-oscal-metadata:metadata', poam.metadata)).toBe('valid');
    expect(check('oscal-ar-oscal-implementation-common:system-id', poam['system-id'])).toBe('valid');
    for (const r of poam.risks) expect(check('oscal-ar-oscal-assessment-common:risk', r)).toBe('valid');
    const remediation = m.controls.find((c) => c.controlId === 'aws.dynamodb.cmk')!.remediation;
    expect(JSON.stringify(poam)).not.toContain(remediation);
    expect(JSON.stringify(renderOscal(m, { uuidSeed: 's' }))).not.toContain(remediation);
    const internal = (renderOscalPoam(model(true), { uuidSeed: 's' }) as any)['plan-of-action-and-milestones'];
    expect(internal['poam-items'][0].remarks).toContain(remediation);
    // nothing to plan when every requirement is met
    const allMet = spApiModel();
    allMet.requirements = allMet.requirements.filter((r) => r.status === 'met');
    expect(renderOscalPoam(allMet, { uuidSeed: 's' })).toBeUndefined();
  });
});

describe('cover notices, times, reviewer wording', () => {
  it('HTML and PDF say on the cover what the notices say; times are UTC to the minute; no remediation for a reviewer', async () => {
    const m = spApiModel();
    m.notices = [
      'Evidence covers 3 hours of the 90-day period (first control run 2025-03-31 21:00 UTC, last 2025-03-31 23:59 UTC): the rest of the period has no evidence.',
    ];
    const html = renderHtml(m);
    const cover = html.slice(0, html.indexOf('<main>'));
    expect(cover).toContain('<p class="notice" role="note">Evidence covers 3 hours of the 90-day period');
    expect(cover).toContain('<dt>Period</dt><dd>2025-01-01 00:00 UTC to 2025-03-31 23:59 UTC</dd>');
    expect(cover).toContain('<dt>Generated at</dt><dd>2025-04-01 08:30 UTC</dd>');
    expect(html).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    expect(html).not.toContain('<h4>Remediation</h4>');
    for (const c of m.controls) if (c.remediation) expect(html).not.toContain(c.remediation.slice(0, 30));
    m.internal = true;
    expect(renderHtml(m)).toContain('Internal edition:');
    // the PDF's cover: its text as drawn (pdf-lib writes each line as a hex string in a deflated content stream)
    const bytes = Buffer.from(await renderPdf(m));
    const raw = bytes.toString('latin1');
    const lines: string[] = [];
    for (let i = raw.indexOf('stream\n'); i !== -1; i = raw.indexOf('stream\n', i + 1)) {
      const end = raw.indexOf('endstream', i);
      try {
        const content = inflateSync(bytes.subarray(i + 7, end)).toString('latin1');
        for (const t of content.matchAll(/<([0-9A-Fa-f]+)> Tj/g)) lines.push(Buffer.from(t[1], 'hex').toString('latin1'));
      } catch {
        // not a deflated stream (fonts, metadata)
      }
    }
    const pdfCover = lines.slice(0, lines.indexOf('Summary')).join(' ');
    expect(pdfCover).toContain('Internal edition:');
    expect(pdfCover).toContain('Evidence covers 3 hours of the 90-day period');
    expect(pdfCover).toContain('2025-01-01 00:00 UTC to 2025-03-31 23:59 UTC');
    expect(lines.join(' ')).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
  });
});

describe('PDF', () => {
  it('parses back with pages and title metadata (both profiles)', async () => {
    for (const m of [spApiModel(), googleModel()]) {
      const bytes = await renderPdf(m);
      expect(bytes).toBeInstanceOf(Uint8Array);
      const doc = await PDFDocument.load(bytes, { updateMetadata: false });
      expect(doc.getPageCount()).toBeGreaterThanOrEqual(1);
      expect(doc.getTitle()).toBe(m.title);
      expect(doc.getAuthor()).toBe('Tenet');
      expect(doc.getCreationDate()?.toISOString()).toBe(new Date(m.generatedAt).toISOString());
    }
  });

  it('spans several pages for a large model and is deterministic', async () => {
    const m = spApiModel();
    m.controls = Array.from({ length: 25 }, (_, i) => ({ ...m.controls[i % m.controls.length], controlId: `ctl.${i}` }));
    m.requirements = Array.from({ length: 20 }, (_, i) => ({ ...m.requirements[i % m.requirements.length], id: `DPP-${i}` }));
    m.sections[0].table!.rows = Array.from({ length: 120 }, (_, i) => [`Q${i}`, 'x '.repeat(i * 3)]);
    const a = await renderPdf(m);
    const b = await renderPdf(m);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const doc = await PDFDocument.load(a);
    expect(doc.getPageCount()).toBeGreaterThan(3);
  });

  it('sanitises text to what Helvetica can encode', async () => {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    const s = sanitizeForFont('§ 1.1 ≤ 5 ≥ 2 → “q” – … € ł ﬁ 😀 a\tb\u0007', font);
    expect(s).toContain('§'); // § is in WinAnsi: kept
    expect(s).toContain('<= 5 >= 2 -> ');
    expect(s).toContain('“q”'); // curly quotes are in WinAnsi too
    expect(s).toContain('fi');
    expect(s).toContain('?');
    expect(() => font.encodeText(s.replace(/\n/g, ''))).not.toThrow();
  });
});

describe('HTML', () => {
  const m = spApiModel();
  const html = renderHtml(m);
  const labels: Record<string, string> = {
    met: 'Met',
    not_met: 'Not met',
    partial: 'Partial',
    met_by_exception: 'Met by exception',
    not_assessed: 'Not assessed',
  };

  it('has every requirement with its status', () => {
    for (const r of m.requirements) {
      const start = html.indexOf(`data-status="${r.status}"`, html.indexOf(`id="req-${r.id.replace(/[^A-Za-z0-9_-]+/g, '-')}"`));
      expect(start).toBeGreaterThan(-1);
      const article = html.slice(html.lastIndexOf('<article', start), html.indexOf('</article>', start));
      expect(article).toContain(r.id);
      expect(article).toContain(`>${labels[r.status]}</span>`);
    }
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
    expect(html).toContain('Log retention is 180 days vs the required 12 months.');
  });

  it('escapes markup and has no external resources or scripts', () => {
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Astrix &amp; Sons &lt;Ltd&gt;');
    expect(html).not.toContain('<b>not</b>');
    expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
    // every internal link resolves to an element id
    const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((x) => x[1]));
    for (const [, target] of html.matchAll(/href="#([^"]*)"/g)) expect(ids.has(target)).toBe(true);
    expect(new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((x) => x[1])).size).toBe([...html.matchAll(/\sid="([^"]+)"/g)].length);
  });

  it('lists controls with evidence file names and findings', () => {
    expect(html).toContain('evidence/aws.sg.no-open-ingress.json#seq-123');
    expect(html).toMatch(/evidence\/[a-z.-]+\.json#seq-4703/);
    expect(html).toContain('/aws/lambda/fn-13</code>: retention 180 days &lt; 365');
    expect(html).toContain('<th scope="col">Draft answer</th>');
    expect(html).toContain('(no result in this pack)');
  });

  it('renders the google profile', () => {
    const g = renderHtml(googleModel());
    expect(g).toContain('GOOGLE-LU-1');
    expect(g).toContain('CASA 2.1.1');
    expect(g).toContain('none (no evidence recorded)');
  });
});

describe('controls CSV', () => {
  const m = spApiModel();
  const csv = renderControlsCsv(m);
  const rows = parseCsv(csv);

  it('is RFC 4180 with CRLF and round-trips', () => {
    expect(csv.endsWith('\r\n')).toBe(true);
    const unquoted = csv.replace(/"(?:[^"]|"")*"/g, '');
    expect(unquoted.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(rows[0]).toEqual(['control_id', 'title', 'status', 'runs', 'passes', 'last_run_at', 'frameworks', 'summary', 'findings']);
    expect(rows).toHaveLength(m.controls.length + 1);
    for (const r of rows) expect(r).toHaveLength(9);
    const dyn = rows[3];
    expect(dyn[0]).toBe('aws.dynamodb.cmk');
    expect(dyn[3]).toBe('30');
    expect(dyn[4]).toBe('10');
    expect(dyn[8]).toBe(
      'arn:aws:dynamodb:eu-west-1:123456789012:table/orders: Encrypted with AWS-owned key, not a CMK | table/"quoted",name: line one\nline two',
    );
    expect(rows[1][6]).toBe('sp-api-dpp | casa');
    expect(rows[5][5]).toBe(''); // never run
    expect(rows[5][7]).toBe('');
  });

  it('neutralises formula injection', () => {
    expect(rows[3][7]).toBe(`'=HYPERLINK("http://evil.example","click"), 1 of 3 tables failing`);
    for (const r of rows) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@]/);
    const g = parseCsv(renderControlsCsv(googleModel()));
    expect(g[1][4]).toBe('3');
  });
});
