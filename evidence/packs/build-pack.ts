import type { Writable } from 'node:stream';
import type { Scanner } from '../../engine/scanner/types.ts';
import type { AccessReview } from '../../engine/authz/access-review.ts';
import type { Db } from '../../engine/db/database.ts';
import type { ControlRuns } from '../../engine/posture/control-runs.ts';
import { canonicalJson } from '../ledger/canonical-json.ts';
import { programmeById } from '../programmes/index.ts';
import { periodProblem } from '../programmes/period.ts';
import type { ProgrammeId } from '../programmes/programme.ts';
import { gatherInputs, scoreProgramme, type ScorecardDeps } from '../programmes/scorecard.ts';
import type { PackModel, PackRequirement } from './pack-model.ts';
import { PackRefusedError, PackWriter, type ManifestFile } from './pack-writer.ts';
import { renderControlsCsv } from './render-csv.ts';
import { renderHtml } from './render-html.ts';
import { accessCertificationSection } from './section-access-certification.ts';
import { incidentSection } from './section-incidents.ts';
import { renderOscal, renderOscalPlan, renderOscalPoam } from './render-oscal.ts';
import { sha256Sums, verifyText } from './verify-text.ts';
import { utc } from './pack-time.ts';
import { ownPeople, packScanner } from './pack-people.ts';
import { addPackFile, describeAttestations, reviewerControls, reviewSections } from './pack-sections.ts';
import { signManifest, type Signer } from '../ledger/signing.ts';
import type { CheckpointRef } from '../ledger/checkpoints.ts';

export type PackProfile = 'sp-api' | 'google';

/** The programme each pack profile answers, requirement by requirement (the same scorecard GET /v1/programmes/:id gives). */
const PROGRAMME_OF: Record<PackProfile, ProgrammeId> = { 'sp-api': 'amazon-spapi-dpp', google: 'google-limited-use-casa' };

export { periodProblem };

export interface PackManifest {
  format: 'tenet-pack/1';
  profile: PackProfile;
  period: { from: string; to: string };
  generatedAt: string;
  generator: string;
  policyHash: string;
  chainHead: { seq: number; hash: string } | null;
  /**
   * The signed checkpoint taken as the pack was built (it covers `chainHead`, and is also written outside the
   * database): `tenet verify --chain` finds it in a later checkpoint log. null when the chain is empty or the pack
   * was built without checkpoints.
   */
  checkpoint: CheckpointRef | null;
  signingKeyId: string;
  /** present (true) on the internal edition only: it holds remediation notes and is not for a reviewer */
  internal?: true;
  files: ManifestFile[];
}

/** What a pack is built from: what its scorecard reads, and the scanner, the signing key and the checkpoint. */
export interface PackDeps extends ScorecardDeps {
  /** the control runs: the pack reports each control's latest run as of the period's end, and the runs' coverage */
  runs: Pick<ControlRuns, 'latest' | 'countsBetween' | 'coverage'>;
  scanner: Scanner;
  signing: Signer;
  /** takes (or finds) the signed checkpoint covering the chain now; absent: the manifest records none */
  checkpoint?: () => Promise<CheckpointRef | undefined>;
  generator: string;
}

const BATCH = 500;

/** The access review as the pack's table rows: user, roles, agency, action, clients allowed. */
function accessReviewTable(review: AccessReview): string[][] {
  return review.rows.map((r) => [r.user, r.roles.join(', '), r.agency ?? '(platform)', r.action, r.clients.join(', ')]);
}

/** Where a build is: the phase, and how far into it (`total` null when not known). */
export interface PackProgress {
  phase: 'controls' | 'access-review' | 'rendering' | 'evidence' | 'signing' | 'finishing';
  done: number;
  total: number | null;
}

/** Builds one review pack as a stream into `out`. Throws PackRefusedError (nothing valid written) on raw PII. */
export async function buildPack(
  deps: PackDeps,
  props: {
    profile: PackProfile;
    from: Date;
    to: Date;
    out: Writable;
    onProgress?: (progress: PackProgress) => void;
    /** the internal edition: adds the remediation appendix (default: the reviewer's edition, without it) */
    internal?: boolean;
  },
): Promise<PackManifest> {
  const { db } = deps;
  const { profile, from, to } = props;
  const progress = (phase: PackProgress['phase'], done: number, total: number | null) => props.onProgress?.({ phase, done, total });
  const problem = periodProblem(from, to);
  if (problem) throw new Error(problem);
  // The requirements: the programme's scorecard as of the period end (evidence/programmes), as the API gives it.
  progress('controls', 0, deps.catalogue.size);
  const programme = programmeById(PROGRAMME_OF[profile]);
  const inputs = await gatherInputs(deps, {
    from,
    to,
    probeLimitedUse: profile === 'google',
    onAccessReview: (done, total) => progress('access-review', done, total),
  });
  progress('controls', deps.catalogue.size, deps.catalogue.size);
  const { controls, review, facts: ctx } = inputs;
  const requirements: PackRequirement[] = scoreProgramme(programme, inputs).requirements.map((r) => ({
    id: r.id,
    title: r.title,
    question: r.question,
    status: r.status,
    answer: r.answer,
    controls: r.controls.map((c) => c.controlId),
    attestations: r.attestations.map((a) => a.documentId),
    ...(r.gap ? { gap: r.gap } : {}),
  }));
  const used = [...new Set(programme.requirements.flatMap((d) => d.controls))].filter((id) => controls.has(id));
  const head = await db
    .selectFrom('evidence_records')
    .select(['seq', 'hash'])
    .where('collected_at', '<=', to)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const reveals = await db
    .selectFrom('pii_reveals')
    .select(['principal_id', 'decision', (eb) => eb.fn.countAll<string>().as('n')])
    .where('at', '>=', from)
    .where('at', '<=', to)
    .groupBy(['principal_id', 'decision'])
    .orderBy('principal_id')
    .execute();
  const sections: PackModel['sections'] = [];
  if (profile === 'sp-api') {
    sections.push({
      id: 'access-review',
      title: 'Access review',
      intro:
        'Who can reveal buyer PII, export, or read credentials, on which clients: each pair asked of the policy decision point (with MFA), over the entities as stored when the pack was built.',
      table: { columns: ['user', 'roles', 'agency', 'action', 'clients allowed'], rows: accessReviewTable(review) },
    });
    sections.push(await accessCertificationSection({ db, review, to }));
    sections.push({
      id: 'pii-reveals',
      title: 'Buyer PII reveals in the period',
      intro: 'Every reveal_buyer_pii decision is kept 365 days (Addendum §13.2); counts per user and decision.',
      table: { columns: ['user', 'decision', 'count'], rows: reveals.map((r) => [r.principal_id, r.decision, String(r.n)]) },
    });
    sections.push({ id: 'questionnaire', title: 'Security questionnaire (drafts)', paragraphs: questionnaire(requirements) });
  } else {
    sections.push({
      id: 'scopes',
      title: 'OAuth scopes in use',
      table: { columns: ['scope', 'justification'], rows: (ctx.scopes ?? []).map((s) => [s.scope, s.justification]) },
    });
  }
  const scan = controls.get('logging.cloudwatch-pii-scan');
  sections.push({
    id: 'log-scan',
    title: 'CloudWatch log PII scan',
    paragraphs: [
      scan ? `${scan.status}: ${scan.summary ?? 'no run'}${scan.lastRunAt ? ` (last run ${utc(scan.lastRunAt)})` : ''}.` : 'Not configured.',
      ...(scan?.findings.map((f) => `${f.resourceId}: ${f.message}`) ?? []),
    ],
  });

  sections.push(await incidentSection({ db, settings: deps.settings.incidents, profile, from, to }));

  const generatedAt = new Date().toISOString();
  const model: PackModel = {
    profile,
    title: profile === 'sp-api' ? 'Amazon SP-API Data Protection Policy review pack' : 'Google API Services User Data Policy and CASA review pack',
    organisation: deps.settings.packs.organisation,
    period: { from: from.toISOString(), to: to.toISOString() },
    generatedAt,
    generator: deps.generator,
    policyHash: deps.pdp.active?.hash ?? 'none',
    chainHead: head ? { seq: Number(head.seq), hash: head.hash } : null,
    requirements,
    controls: used.map((id) => controls.get(id)!).filter(Boolean),
    sections,
  };

  // After the answers: the exception register, attestations, evidence coverage, the policy in force (pack-sections.ts).
  const weigh = await reviewSections(deps, {
    profile,
    from,
    to,
    controls: model.controls,
    requirements,
    integrations: programme.integrations,
    internal: props.internal ?? false,
  });
  Object.assign(model, {
    notices: weigh.notices,
    internal: props.internal ?? false,
    sections: [...model.sections, ...weigh.sections],
    controls: reviewerControls(profile, model.controls),
    requirements: describeAttestations(model.requirements, weigh.attestations, to),
  });

  // the organisation's people (who acted, who holds access) and the hosts Tenet probes are named in the pack; any other
  // personal data refuses it
  const scanner = packScanner(deps.scanner, { people: await ownPeople(db), hosts: deps.settings.probes.allowedHosts });
  const writer = new PackWriter(props.out, scanner);
  const rendered = 4;
  try {
    progress('rendering', 0, rendered);
    await writer.add('index.html', [renderHtml(model)]);
    progress('rendering', 1, rendered);
    // The PDF's bytes are compressed: its text is the model's, scanned here before it is drawn.
    const modelText = JSON.stringify(model, null, 1);
    const found = scanner.scan(modelText)[0];
    if (found) throw new PackRefusedError(`report.pdf would hold raw ${found.detector} (${found.masked}); the pack was not written`);
    // pdf-lib is loaded when a pack is built, not at every start (start-up time).
    const { renderPdf } = await import('./render-pdf.ts');
    await writer.addBinary('report.pdf', await renderPdf(model));
    progress('rendering', 2, rendered);
    await writer.add('controls.csv', [renderControlsCsv(model)]);
    progress('rendering', 3, rendered);
    const oscal = { uuidSeed: `${profile}:${model.period.from}:${model.period.to}:${generatedAt}` };
    await writer.add('oscal/assessment-plan.json', [JSON.stringify(renderOscalPlan(model, oscal), null, 2)]);
    await writer.add('oscal/assessment-results.json', [JSON.stringify(renderOscal(model, oscal), null, 2)]);
    const poam = renderOscalPoam(model, oscal);
    if (poam) await writer.add('oscal/poam.json', [JSON.stringify(poam, null, 2)]);
    progress('rendering', 4, rendered);
    for (const [index, controlId] of used.entries()) {
      progress('evidence', index, used.length);
      await writer.add(`evidence/${controlId}.json`, evidenceChunks(db, controlId, from, to));
    }
    progress('evidence', used.length, used.length);
    for (const f of weigh.files) await addPackFile(writer, scanner, f);
    progress('signing', 0, 1);
    await writer.add('public-key.pem', [deps.signing.publicKeyPem]);
    await writer.add('VERIFY.txt', [
      verifyText({ algorithm: deps.signing.algorithm, keyId: deps.signing.keyId, organisation: model.organisation, title: model.title }),
    ]);
    await writer.add('SHA256SUMS', [sha256Sums(writer.files)]);
    const checkpoint = deps.checkpoint ? ((await deps.checkpoint()) ?? null) : null;
    const manifest: PackManifest = {
      format: 'tenet-pack/1',
      profile,
      period: model.period,
      generatedAt,
      generator: deps.generator,
      policyHash: model.policyHash,
      chainHead: model.chainHead,
      checkpoint,
      signingKeyId: deps.signing.keyId,
      ...(props.internal ? { internal: true as const } : {}),
      files: [...writer.files],
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
    await writer.add('manifest.json', [manifestBytes], { scanText: false });
    await writer.add('manifest.sig', [(await signManifest(manifestBytes, deps.signing)) + '\n']);
    await writer.finish();
    progress('signing', 1, 1);
    return manifest;
  } catch (error) {
    writer.abort();
    throw error;
  }
}

/** One control's evidence records in the period, as a JSON array, a batch at a time (memory flat in the period). */
async function* evidenceChunks(db: Db, controlId: string, from: Date, to: Date): AsyncGenerator<string> {
  yield '[\n';
  let after = 0;
  let first = true;
  for (;;) {
    const rows = await db
      .selectFrom('evidence_records')
      .selectAll()
      .where('control_id', '=', controlId)
      .where('collected_at', '>=', from)
      .where('collected_at', '<=', to)
      .where('seq', '>', String(after))
      .orderBy('seq', 'asc')
      .limit(BATCH)
      .execute();
    if (!rows.length) break;
    const parts: string[] = [];
    for (const r of rows) {
      parts.push(
        (first ? '' : ',\n') +
          canonicalJson({
            seq: Number(r.seq),
            prevHash: r.prev_hash,
            hash: r.hash,
            collectedAt: new Date(r.collected_at).toISOString(),
            controlId: r.control_id,
            source: r.source,
            payload: r.payload,
          }),
      );
      first = false;
    }
    after = Number(rows.at(-1)!.seq);
    yield parts.join('') + '\n';
    // Let other work (decisions on a shared server) run between batches.
    await new Promise((resolve) => setImmediate(resolve));
    if (rows.length < BATCH) break;
  }
  yield ']\n';
}

function questionnaire(reqs: PackModel['requirements']): string[] {
  return reqs.map((r) => `${r.id} ${r.title}. Q: ${r.question} A (draft): ${r.answer}${r.gap ? ` Gap: ${r.gap}` : ''}`);
}
