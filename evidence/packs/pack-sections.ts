import type { Scanner } from '../../engine/scanner/types.ts';
import type { AnyControlDefinition } from '../../controls/define-control.ts';
import type { ControlSettings } from '../../controls/settings.ts';
import type { Db } from '../../engine/db/database.ts';
import type { ControlRuns } from '../../engine/posture/control-runs.ts';
import { PackRefusedError, type PackWriter } from './pack-writer.ts';
import type { PackControlResult, PackFile, PackModel, PackSection } from './pack-model.ts';
import { utc } from './pack-time.ts';
import { attestationRecords, type PackAttestation } from './section-attestations.ts';
import { evidenceCoverage } from './section-coverage.ts';
import { exceptionRegister, packExceptions } from './section-exceptions.ts';
import { policySection } from './section-policy.ts';

type PackProfile = PackModel['profile'];

/** The integrations (settings `integrations`) whose exceptions a profile's pack shows, besides those for every integration. */
const PROFILE_INTEGRATIONS: Record<PackProfile, readonly string[]> = {
  'sp-api': ['amazon_spapi'],
  google: ['google_ads', 'google_analytics', 'google_sheets', 'google_docs', 'youtube'],
};

/**
 * What a reviewer needs to weigh the answers, after them: the exception register, the attestations with their JWS,
 * the evidence coverage of the period, and the Cedar policy in force with its history; with `internal`, an appendix
 * of remediation notes (never in a reviewer's edition). Returns the sections, the files they add, and what the
 * cover must say (coverage shorter than the period, requirements met by exception).
 */
export async function reviewSections(
  deps: { db: Db; runs: Pick<ControlRuns, 'coverage'>; settings: ControlSettings; catalogue: ReadonlyMap<string, AnyControlDefinition> },
  props: {
    profile: PackProfile;
    from: Date;
    to: Date;
    controls: readonly PackControlResult[];
    /** the pack's requirements: those met only by exception are named on the cover */
    requirements: ReadonlyArray<{ id: string; status: string }>;
    internal: boolean;
    /** the programme's integrations (their exceptions are shown); default by profile */
    integrations?: readonly string[];
  },
): Promise<{ sections: PackSection[]; files: PackFile[]; notices: string[]; attestations: PackAttestation[] }> {
  const { from, to } = props;
  const byId = new Map(props.controls.map((c) => [c.controlId, c]));
  const coverage = await evidenceCoverage(deps.runs, {
    from,
    to,
    controls: props.controls.map((c) => ({
      id: c.controlId,
      schedule: deps.settings.schedules[c.controlId] ?? deps.catalogue.get(c.controlId)?.schedule ?? '0 0 * * *',
    })),
  });
  const register = exceptionRegister(
    await packExceptions(deps.db, { from, to, controls: byId, integrations: props.integrations ?? PROFILE_INTEGRATIONS[props.profile] }),
    props.requirements.filter((r) => r.status === 'met_by_exception').map((r) => r.id),
  );
  const attestations = await attestationRecords(deps.db, { from, to, trustedKeys: deps.settings.attestations.trustedKeys });
  const policy = await policySection(deps.db, { from, to });
  const sections = [register.section, attestations.section, coverage.section, policy.section];
  if (props.internal) sections.push(remediationAppendix(props.controls));
  return {
    sections,
    files: [...register.files, ...attestations.files, ...policy.files],
    notices: [...coverage.notices, ...register.notices],
    attestations: attestations.attestations,
  };
}

/** The programme (evidence/programmes) each profile's pack answers: the only one whose references it shows. */
const PROFILE_PROGRAMME: Record<PackProfile, string> = { 'sp-api': 'amazon-spapi-dpp', google: 'google-limited-use-casa' };

/**
 * The controls as a reviewer sees them: framework references of this pack's own programme only (a Google assessor
 * is not shown which Amazon or internal Addendum requirements a control also answers).
 */
export function reviewerControls(profile: PackProfile, controls: readonly PackControlResult[]): PackControlResult[] {
  const own = `${PROFILE_PROGRAMME[profile]}:`;
  return controls.map((c) => ({ ...c, frameworks: c.frameworks.filter((f) => f.startsWith(own)) }));
}

/** Internal only: what to do about each control that does not pass (the catalogue's remediation notes). */
function remediationAppendix(controls: readonly PackControlResult[]): PackSection {
  const open = controls.filter((c) => c.status !== 'pass' && c.status !== 'not_applicable');
  return {
    id: 'internal-remediation',
    title: 'Internal appendix: remediation',
    intro:
      'For the organisation only, not for a reviewer: the remediation notes of every control that does not pass at the period end. ' +
      'A reviewer\u2019s edition of this pack leaves this appendix out.',
    table: {
      columns: ['control', 'status', 'findings', 'remediation'],
      rows: open.map((c) => [c.controlId, c.status, c.findings.map((f) => `${f.resourceId}: ${f.message}`).join('\n'), c.remediation]),
    },
  };
}

/** Writes a section's file; encoded content is scanned in its decoded form (`scan`), and refused on raw PII like any other. */
export async function addPackFile(writer: PackWriter, scanner: Scanner, file: PackFile): Promise<void> {
  if (file.scan === undefined) {
    await writer.add(file.path, [file.text]);
    return;
  }
  const found = scanner.scan(file.scan)[0];
  if (found) throw new PackRefusedError(`${file.path} holds raw ${found.detector} (${found.masked}); the pack was not written`);
  await writer.add(file.path, [file.text], { scanText: false });
}

/**
 * A requirement's attestations (document ids) as a reviewer needs them: who signed which document (its sha256), when,
 * until when, with which key, and where its JWS is; the newest signed by the period end, else that none was in force.
 */
export function describeAttestations<R extends { attestations: string[] }>(
  requirements: readonly R[],
  attestations: readonly PackAttestation[],
  to: Date,
): R[] {
  return requirements.map((r) => ({
    ...r,
    attestations: r.attestations.map((id) => {
      const a = attestations.filter((x) => x.documentId === id && x.inForceAtEnd).at(-1);
      if (!a) return `${id}: no signed attestation in force at the period end (${utc(to)})`;
      return `${a.title} (${id}): signed by ${a.signer} on ${utc(a.signedAt)}, valid until ${utc(a.expiresAt)}, document sha256 ${a.documentSha256}, key ${a.keyId}; ${a.file}`;
    }),
  }));
}
