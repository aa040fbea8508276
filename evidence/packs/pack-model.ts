/**
 * What a review pack says, before it is rendered: one reviewer's requirements, each answered by live control
 * results, attestations, or an explicit gap. Renderers (HTML, PDF, CSV, OSCAL) turn this into files; the builder
 * fills it from the control runs and the evidence chain. No raw PII may appear anywhere in it.
 */
import type { RequirementStatus } from '../programmes/programme.ts';
import type { ControlResult } from '../programmes/scorecard.ts';

/** as computed by the programme scorecard (evidence/programmes/scorecard.ts); a stated gap is text on a requirement */
export type { RequirementStatus };

/** one control as of the period's end, as the scorecard computes it */
export type PackControlResult = ControlResult;

export interface PackRequirement {
  /** e.g. 'DPP-1.1' or 'GOOGLE-LU-1' */
  id: string;
  title: string;
  /** what the reviewer asks, in their words (paraphrased) */
  question: string;
  status: RequirementStatus;
  /** the answer, in plain sentences, built from the results below */
  answer: string;
  controls: string[];
  attestations: string[];
  /** stated plainly when the platform does not meet it, e.g. log retention 180 days vs 12 months */
  gap?: string;
}

export interface PackModel {
  profile: 'sp-api' | 'google';
  title: string;
  /** the governed organisation (from settings), e.g. "Astrix" */
  organisation: string;
  period: { from: string; to: string };
  generatedAt: string;
  generator: string;
  policyHash: string;
  chainHead: { seq: number; hash: string } | null;
  requirements: PackRequirement[];
  controls: PackControlResult[];
  /**
   * Said on the cover (HTML, PDF) before anything else: evidence that covers less than the period, requirements met
   * only under an approved exception.
   */
  notices?: string[];
  /** the internal edition (remediation notes in an appendix): not for a reviewer */
  internal?: boolean;
  /** extra sections: questionnaire drafts, access review, PII-reveal audit summary, log scan, scopes ... */
  sections: Array<{ id: string; title: string; intro?: string; table?: { columns: string[]; rows: string[][] }; paragraphs?: string[] }>;
}

/** Where a control's evidence record is in the pack: one file per control, the record by its seq. */
export const evidenceLink = (controlId: string, seq: number): string => `evidence/${controlId}.json#seq-${seq}`;

export type PackSection = PackModel['sections'][number];

/** A member a section adds to the pack besides the reports (exceptions.json, attestations/<document>.jws, ...). */
export interface PackFile {
  path: string;
  text: string;
  /**
   * For encoded content the PII scanner cannot read as it is (an attestation's JWS: base64url, which the scanner
   * takes for a bearer token): the decoded text to scan in its place. Without it, `text` itself is scanned.
   */
  scan?: string;
}
