import { NotFoundError } from '../../engine/kernel/errors.ts';
import { AMAZON_SPAPI_DPP } from './amazon-spapi-dpp.ts';
import { GOOGLE_LIMITED_USE_CASA } from './google-limited-use-casa.ts';
import { frameworkRef, PROGRAMME_IDS, type Programme } from './programme.ts';
import { SECURITY_ADDENDUM } from './security-addendum.ts';

/** Every programme, in the order the console and the API list them. */
export const PROGRAMMES: readonly Programme[] = [AMAZON_SPAPI_DPP, GOOGLE_LIMITED_USE_CASA, SECURITY_ADDENDUM];

const BY_ID = new Map<string, Programme>(PROGRAMMES.map((p) => [p.id, p]));

/** One programme by id; NotFoundError for an unknown id. */
export function programmeById(id: string): Programme {
  const p = BY_ID.get(id);
  if (!p) throw new NotFoundError(`no programme ${id} (known: ${PROGRAMME_IDS.join(', ')})`);
  return p;
}

const REFS = new Map<string, string[]>();
for (const p of PROGRAMMES)
  for (const r of p.requirements)
    for (const c of r.controls) {
      const refs = REFS.get(c) ?? [];
      refs.push(frameworkRef(p.id, r.id));
      REFS.set(c, refs);
    }

/** The requirements a control answers, as framework references (`amazon-spapi-dpp:1.2`), in programme order. */
export const frameworksOf = (controlId: string): string[] => [...(REFS.get(controlId) ?? [])];
