import { maskValue } from '../../engine/scanner/masking.ts';

/**
 * A person as a pack names them (who signed, requested, approved): an e-mail address is personal data, and a pack
 * holds none, so its local part is masked and its domain kept ("pr**********ty at astrix.example"); any other name
 * (a role, "shipped files", an API key's name) as it is. The full identity of an attestation's signer is inside its
 * signed JWS, which the reviewer checks against the organisation's key.
 */
export function person(name: string | null | undefined, fallback = 'not recorded'): string {
  if (!name) return fallback;
  return name.replace(/([A-Za-z0-9._%+-]+)@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g, (_, local: string, domain: string) => `${maskValue(local)} at ${domain}`);
}
