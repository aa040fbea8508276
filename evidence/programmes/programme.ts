/**
 * A compliance programme as data: the requirements a reviewer (Amazon, Google's CASA assessor, the platform's own
 * Addendum) asks about, each in the source's own numbering, and what answers it (controls, signed attestations,
 * and a few answers of their own: the access review, the Limited Use probe, the OAuth scopes). Scorecards and
 * review packs are computed from these definitions; a control says nothing about which framework it serves.
 */

/** The programmes Tenet knows, by id: the id is part of every framework reference (`amazon-spapi-dpp:1.2`). */
export const PROGRAMME_IDS = ['amazon-spapi-dpp', 'google-limited-use-casa', 'security-addendum'] as const;
export type ProgrammeId = (typeof PROGRAMME_IDS)[number];

/**
 * One requirement's status as of a period's end:
 * - met: every check that answers it has evidence and passes;
 * - met_by_exception: what fails is covered by an approved exception in force at the period end;
 * - partial: some checks pass, some fail or have no evidence, or a gap is stated;
 * - not_met: every check with evidence fails (or a gap is stated and nothing shows otherwise);
 * - not_assessed: nothing answered it in the period (controls never ran, no access review, no probe).
 */
export const REQUIREMENT_STATUSES = ['met', 'met_by_exception', 'partial', 'not_met', 'not_assessed'] as const;
export type RequirementStatus = (typeof REQUIREMENT_STATUSES)[number];

/** What a requirement's own answers (custom, gap) may look at, as of the period end. */
export interface RequirementFacts {
  /** document ids with a signed attestation in force at the period end */
  attestedDocuments: ReadonlySet<string>;
  /** document ids attested before the period end whose attestations had all expired by then (absent: none) */
  lapsedDocuments?: ReadonlySet<string>;
  /** the CloudWatch operational log retention the settings require (days) */
  logRetentionDays: number;
  /** access review: (user, action, client) grants outside the user's own agency (must be none) */
  crossAgencyGrants: number;
  /** access review: agency-level users who may reveal buyer PII on every client of their agency (reported; a
   * certification decides whether each is kept) */
  agencyWideUsers?: number;
  /** access review: how many users it asked about (none: least privilege is not assessed) */
  reviewedUsers: number;
  /** Google: the privacy policy probe (absent: no privacy policy URL configured) */
  limitedUse?: { url: string; statement: boolean; policyLink: boolean; error?: string };
  /** Google: OAuth scopes from the settings, with justification */
  scopes?: ReadonlyArray<{ scope: string; justification: string }>;
}

/** An answer that comes from something other than controls and attestations. */
interface CustomAnswer {
  status: 'met' | 'not_met' | 'not_assessed';
  answer: string;
}

export interface RequirementDef {
  /** in the source's own numbering: `1.2` (DPP), `V14.5.3` (ASVS 4.0.3), `28.7` (Addendum) */
  id: string;
  title: string;
  /** where the source says it, e.g. "DPP §1.2 Access Management" or "OWASP ASVS 4.0.3 V14.5.3" */
  source: string;
  /** what the reviewer asks, in plain words (paraphrased, never quoted at length) */
  question: string;
  /** catalogue controls that answer it (ids) */
  controls: readonly string[];
  /** document ids whose signed attestation, in force at the period end, answers it */
  attestations?: readonly string[];
  /** an answer of its own (access review, Limited Use probe, scopes): counts as one more check */
  custom?: (facts: RequirementFacts) => CustomAnswer;
  /** a gap stated plainly, when the platform does not (or cannot be shown to) meet the requirement */
  gap?: (facts: RequirementFacts) => string | undefined;
}

export interface Programme {
  id: ProgrammeId;
  title: string;
  /** the document the requirements come from, with its version */
  source: string;
  /** integration ids (settings `integrations`) the programme governs: their exceptions may cover its controls */
  integrations: readonly string[];
  requirements: readonly RequirementDef[];
}

/** The one framework reference scheme: `<programme id>:<requirement id>`, e.g. `amazon-spapi-dpp:1.2`. */
export const frameworkRef = (programme: ProgrammeId, requirementId: string): string => `${programme}:${requirementId}`;
