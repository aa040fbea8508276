/**
 * Names for the answers the console reads, all taken from the generated API types (schema.d.ts): a route's response
 * schema is the one description of its answer. The policy pages name theirs in pages/policies/model.ts.
 */
import type { Answer, Schemas } from '../api.ts';

type Session = Schemas['Session'];
export type TenetRole = Session['user']['role'];
export type PostureDay = Answer<'/v1/posture/history'>['days'][number];
export type AccessReview = Answer<'/v1/access-review'>;

export type ControlPosture = Answer<'/v1/controls/{id}'>;
export type ControlStatus = ControlPosture['status'];
export type StoredRun = Answer<'/v1/controls/{id}/runs'>['runs'][number];
export type RunStatus = StoredRun['status'];
export type Finding = StoredRun['findings'][number];
export type IntegrationReadiness = Answer<'/v1/integrations'>['integrations'][number];
export type ProgrammeScorecard = Answer<'/v1/programmes/{id}'>;
export type RequirementStatus = ProgrammeScorecard['requirements'][number]['status'];
export type ControlException = Answer<'/v1/exceptions'>['exceptions'][number];
export type SettingsView = Answer<'/v1/settings'>;
export type ApiKeyInfo = Answer<'/v1/api-keys'>['keys'][number];
export type Pack = Answer<'/v1/packs'>['packs'][number];
